"""What changed between two runs: commune statuses, village, commune and province figures, failures, files.

`diff_runs` returns a JSON-serialisable dict whose lists are sorted by their
keys, so two diffs of the same runs are identical; `diff_text.render_diff` turns it
into text for people.

Matching: villages by (commune, section, name) with names compared the way the
validation does (NFC, case and tone placement folded: "Thuỷ" = "Thủy");
failures by (commune_code, rule, source_sheet, cell, field), and by the file as
well when the commune is unknown (two unresolved files are two failures) or the failure is at no cell (a file's own:
two superseded files of one commune are two failures);
files by their path under --raw, changed when their SHA-256 differs; a file gone and one come with the same
SHA-256 are one file renamed.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from giamngheo import journal
from giamngheo.approval import ACK_KEY, APPROVAL_COLUMNS, replay
from giamngheo.kinds import KINDS
from giamngheo.text import match_key

RUNS = "runs"
IDENTITY = {"run_id", "province_code", "province_name", "commune_code", "commune_name", "village_name", "section", "status"}
PROVENANCE = {"source_file", "source_sheet", "source_row"}
# Approval is the province's doing, not the run's figures: `diff --against approved` reports it.
ANNOTATIONS = set(APPROVAL_COLUMNS)
# Each kind's village table (if any), commune table and detail tables compared row by row (Output.diff_key), and the
# columns it gives provinces.parquet, as declared.
OUTPUTS = {
    k.name: (k.output("village"), k.output("commune"), tuple(o for o in k.outputs if o.diff_key))
    for k in KINDS if k.output("commune")
}
PROVINCE_FIELDS = {k.name: set(k.output("province").columns) for k in KINDS if k.output("province")}
OPTIONAL = {k.name for k in KINDS if k.optional}
FAILURE_KEY = ("commune_code", "rule", "source_sheet", "cell", "field")


def latest_two_runs(out: Path) -> tuple[Path, Path] | None:
    """The two most recent completed runs under out/runs/ (older, newer), or None when there are fewer."""
    runs = _completed_runs(Path(out))
    return (runs[-2], runs[-1]) if len(runs) >= 2 else None


def resolve_run(out: Path, run_id: str) -> Path:
    """The folder of run `run_id` under out/runs/ (a unique prefix of the id is enough)."""
    runs = _completed_runs(Path(out))
    exact = [p for p in runs if p.name == run_id]
    found = exact or [p for p in runs if p.name.startswith(run_id)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise FileNotFoundError(f"không có lần chạy {run_id!r} trong {Path(out) / RUNS} (no such run)")
    raise ValueError(f"{run_id!r} khớp nhiều lần chạy: {', '.join(p.name for p in found)} (ambiguous run id)")


def diff_runs(run_a: Path, run_b: Path) -> dict:
    """Everything that differs from run_a (before) to run_b (after)."""
    run_a, run_b = Path(run_a), Path(run_b)
    manifest_a, manifest_b = _manifest(run_a), _manifest(run_b)
    provinces_a, provinces_b = _read(run_a / "provinces.parquet"), _read(run_b / "provinces.parquet")
    d: dict = {
        "run_a": {"run_id": manifest_a.get("run_id", run_a.name), "finished_at": manifest_a.get("finished_at")},
        "run_b": {"run_id": manifest_b.get("run_id", run_b.name), "finished_at": manifest_b.get("finished_at")},
        "empty": True,
    }
    for kind, (villages, communes, details) in OUTPUTS.items():
        present = [(run / communes.name).exists() for run in (run_a, run_b)]
        if kind in OPTIONAL and not any(present):
            continue
        communes_a, communes_b = _read(run_a / communes.name), _read(run_b / communes.name)
        province_fields = _province_fields(provinces_a, provinces_b, kind)
        d[kind] = {
            "communes_status": _status_changes(communes_a, communes_b),
            "villages": _village_changes(*(_read(run / villages.name) for run in (run_a, run_b)) if villages else ()),
            "communes": _row_changes(communes_a, communes_b, ["commune_code"], ["commune_name"], one_run_too=True),
            # a roadmap's year and item, a commune's deprivation indicator: which figure moved (the commune table
            # alone said a total changed, or nothing when the total stayed)
            "details": {o.name: _detail_changes(_read(run_a / o.name, True), _read(run_b / o.name, True), list(o.diff_key))
                        for o in details},
            "provinces": _row_changes(
                provinces_a.select([c for c in provinces_a.columns if c in province_fields]),
                provinces_b.select([c for c in provinces_b.columns if c in province_fields]),
                ["province_code"],
                ["province_name"],
            ),
        }
    d["failures"] = _failure_changes(_read(run_a / "validation_failures.parquet"), _read(run_b / "validation_failures.parquet"),
                                     _acknowledged(run_b.parent.parent))
    d["files"] = _file_changes(manifest_a.get("files") or [], manifest_b.get("files") or [])
    d["files"]["changed"] += _targets_change(manifest_a.get("targets"), manifest_b.get("targets"))
    d["failures"] = _split_unchanged(d["failures"], manifest_a.get("files") or [], manifest_b.get("files") or [])
    d["empty"] = not any(lists(d))
    return json.loads(json.dumps(d, ensure_ascii=False, default=str))  # plain JSON types only


def commune_details(run_a: Path, run_b: Path, kind: str, codes: list[str]) -> dict[str, dict]:
    """For `diff --against approved`: what moved inside each of `codes`' reports of `kind` from run_a (the approval's
    run) to run_b: villages added, removed or changed, and each detail table's rows (a deprivation indicator, a
    roadmap's year and item), by commune; a commune none of whose rows moved is absent."""
    villages, _, details = OUTPUTS[kind]

    def read(run: Path, name: str, compared_only: bool = False) -> pl.DataFrame:
        frame = _read(run / name, compared_only)
        return frame.filter(pl.col("commune_code").is_in(codes)) if "commune_code" in frame.columns else frame

    found: dict[str, dict] = {}

    def put(code: str, part: str, entry, sub: str | None = None) -> None:
        into = found.setdefault(code, {})
        if sub is None:
            into.setdefault(part, []).append(entry)
        else:
            into.setdefault(part, {"added": [], "removed": [], "changed": []})[sub].append(entry)

    if villages:
        for sub, rows in _village_changes(read(run_a, villages.name), read(run_b, villages.name)).items():
            for row in rows:
                put(row["commune_code"], "villages", row, sub)
    for o in details:
        for row in _detail_changes(read(run_a, o.name, True), read(run_b, o.name, True), list(o.diff_key)):
            if row.get("commune_code"):
                put(row["commune_code"], o.name, row)
    return found


# ---------------------------------------------------------------- comparisons


def _status_changes(a: pl.DataFrame, b: pl.DataFrame) -> list[dict]:
    """Communes whose report status differs; a commune absent from one run counts as missing there."""
    before, after = _statuses(a), _statuses(b)
    out = []
    for code in sorted(set(before) | set(after)):
        was, now = before.get(code, ("missing", None)), after.get(code, ("missing", None))
        if was[0] != now[0]:
            out.append({"commune_code": code, "commune_name": now[1] or was[1], "before": was[0], "after": now[0]})
    return out


def _statuses(frame: pl.DataFrame) -> dict[str, tuple[str, str | None]]:
    if not {"commune_code", "status"} <= set(frame.columns):
        return {}
    names = frame["commune_name"] if "commune_name" in frame.columns else [None] * frame.height
    return {code: (status, name) for code, status, name in zip(frame["commune_code"], frame["status"], names)}


def _detail_changes(a: pl.DataFrame, b: pl.DataFrame, key: list[str]) -> list[dict]:
    """Rows of a detail table whose figures changed, or of one run only, by their key (a repeated key by its order).
    A village is matched by its name as the village tables are ("Thuỷ" = "Thủy")."""
    matched = ["_name_key" if k == "village_name" else k for k in key]

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        if not set(key) <= set(frame.columns):
            return pl.DataFrame()
        if "village_name" in key:  # each distinct name matched once (a national table repeats each 24 times)
            names = frame.select(pl.col("village_name").unique())
            frame = frame.join(names.with_columns(pl.col("village_name").map_elements(match_key, return_dtype=pl.String)
                                                  .fill_null("").alias("_name_key")), on="village_name", how="left",
                               nulls_equal=True, maintain_order="left")
        return frame.with_columns(pl.int_range(pl.len()).over(matched).cast(pl.Int64).alias("_nth"))

    shown = [c for c in ("commune_name", "province_name", "village_name", "item_label", "indicator")
             if (c in b.columns or c in a.columns) and c not in matched]
    if "commune_code" in key and not a.is_empty() and not b.is_empty():
        # a commune in one run only is said by its status and its commune row: not its every indicator against nothing
        # (a newly accepted commune printed 24 rows of "— →"; independent probe)
        both = set(a["commune_code"]) & set(b["commune_code"])
        a, b = (frame.filter(pl.col("commune_code").is_in(list(both))) for frame in (a, b))
    return [_drop_keys(c) for c in _row_changes(keyed(a), keyed(b), [*matched, "_nth"], shown, one_run_too=True)]


def _village_changes(a: pl.DataFrame = pl.DataFrame(), b: pl.DataFrame = pl.DataFrame()) -> dict:
    """Villages added, removed, and those whose figures changed (none without the tables)."""
    a, b = _village_keys(a), _village_keys(b)
    changed = _row_changes(
        a, b, ["commune_code", "_section_key", "_name_key", "_nth"], ["commune_name", "section", "village_name"]
    )
    keys_a = set(a.select("commune_code", "_section_key", "_name_key", "_nth").iter_rows()) if a.height else set()
    keys_b = set(b.select("commune_code", "_section_key", "_name_key", "_nth").iter_rows()) if b.height else set()
    return {
        "added": _village_rows(b, keys_b - keys_a),
        "removed": _village_rows(a, keys_a - keys_b),
        "changed": [_drop_keys(c) for c in changed],
    }


def _village_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Matching keys: commune, folded section and name, and the occurrence of a repeated name."""
    if not {"commune_code", "village_name"} <= set(frame.columns):
        return pl.DataFrame(
            schema={"commune_code": pl.String, "_section_key": pl.String, "_name_key": pl.String, "_nth": pl.Int64}
        )
    if "section" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("section"))
    keyed = frame.with_columns(
        pl.col("section").map_elements(match_key, return_dtype=pl.String).fill_null("").alias("_section_key"),
        pl.col("village_name").map_elements(match_key, return_dtype=pl.String).fill_null("").alias("_name_key"),
    )
    return keyed.with_columns(
        pl.int_range(pl.len()).over("commune_code", "_section_key", "_name_key").cast(pl.Int64).alias("_nth")
    )


def _village_rows(frame: pl.DataFrame, keys: set) -> list[dict]:
    if not keys:
        return []
    rows = [r for r in frame.iter_rows(named=True) if (r["commune_code"], r["_section_key"], r["_name_key"], r["_nth"]) in keys]
    rows.sort(key=lambda r: (r["commune_code"], r["_section_key"], r["_name_key"], r["_nth"]))
    figures = _compared_columns(frame)
    return [
        {
            "commune_code": r["commune_code"],
            "commune_name": r.get("commune_name"),
            "section": r.get("section"),
            "village_name": r["village_name"],
            "figures": {f: r[f] for f in figures},
        }
        for r in rows
    ]


def _rows_that_may_differ(
    a: pl.DataFrame, b: pl.DataFrame, key: list[str], fields: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Only the rows of both runs whose compared figures are not identical (a national run has
    100,000 villages and a correction changes a handful): the exact comparison is left to `_same`."""
    if not fields or not all(f in b.columns for f in fields):
        return a, b
    theirs = a.select(*key, *[pl.col(f).alias(f"{f}__before") for f in fields])
    differs = pl.any_horizontal([pl.col(f).ne_missing(pl.col(f"{f}__before")) for f in fields])
    try:
        keys = b.select(*key, *fields).join(theirs, on=key, how="inner", nulls_equal=True).filter(differs).select(key)
    except (pl.exceptions.PolarsError, TypeError):  # a column changed type between the runs: compare every row
        return a, b
    return a.join(keys, on=key, how="semi", nulls_equal=True), b.join(keys, on=key, how="semi", nulls_equal=True)


def _row_changes(a: pl.DataFrame, b: pl.DataFrame, key: list[str], shown: list[str], one_run_too: bool = False) -> list[dict]:
    """Rows whose figures differ: {field: {before, after, delta}} per row. Rows of both runs; with `one_run_too`, also a
    row of one run alone, its figures against nothing (a commune's late file: "— → 1.107"; it was in the status list
    alone, its figures nowhere, where a commune rejected before showed all of its own; probe, Gia Lai)."""
    if a.is_empty() or b.is_empty() or not set(key) <= set(a.columns) & set(b.columns):
        return []
    # (a key's own columns are equal in the rows it pairs: compared, they made the prefilter's join fail on a duplicate
    # name, and every row of a million-row village table was compared in Python: a rerun's diff took 35 s and 5 GB)
    fields = [c for c in _compared_columns(b) if c in a.columns and c not in key] + [
        c for c in _compared_columns(a) if c not in b.columns and c not in key]
    alone_a = a.join(b.select(key), on=key, how="anti", nulls_equal=True) if one_run_too else a.clear()
    alone_b = b.join(a.select(key), on=key, how="anti", nulls_equal=True) if one_run_too else b.clear()
    a, b = _rows_that_may_differ(a, b, key, fields)

    def of(row: dict) -> tuple:
        return tuple(row[k] for k in key)

    rows_a = {of(r): r for r in a.iter_rows(named=True)}
    nothing = {f: None for f in fields}
    # (before, after) of each row: of both runs, then of one run alone against nothing (its key and names kept)
    pairs = [(rows_a[of(r)], r) for r in b.iter_rows(named=True) if of(r) in rows_a]
    pairs += [({**r, **nothing}, r) for r in alone_b.iter_rows(named=True)]
    pairs += [(r, {**r, **nothing}) for r in alone_a.iter_rows(named=True)]
    out = []
    for row_a, row_b in sorted(pairs, key=lambda pair: tuple(_sortable(pair[1][k]) for k in key)):
        changes = {}
        for field in fields:
            before, after = row_a.get(field), row_b.get(field)
            if not _same(before, after):
                changes[field] = {"before": before, "after": after, "delta": _delta(before, after)}
        if changes:
            entry = {k: row_b[k] for k in key}
            entry.update({s: row_b.get(s) if row_b.get(s) is not None else row_a.get(s) for s in shown})
            entry["changes"] = changes
            out.append(entry)
    return out


def _compared_columns(frame: pl.DataFrame) -> list[str]:
    return [
        c for c in frame.columns if c not in IDENTITY and c not in PROVENANCE and c not in ANNOTATIONS and not c.startswith("_")
    ]


def _drop_keys(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


def _province_fields(a: pl.DataFrame, b: pl.DataFrame, kind: str) -> set[str]:
    """The columns of provinces.parquet that the kind gives (as its province output model declares)."""
    return (PROVINCE_FIELDS.get(kind, set()) & (set(a.columns) | set(b.columns))) | {"province_code", "province_name"}


def _acknowledged(out: Path) -> dict[tuple, str | None]:
    """The journal's acknowledgements under `out`: (commune, rule, cell, field) -> the value explained."""
    return {key: a.get("value") for key, a in replay(journal.read(out)).acknowledgements.items()}


def _failure_changes(a: pl.DataFrame, b: pl.DataFrame, acknowledged: dict[tuple, str | None] | None = None) -> dict:
    """Failures that appeared in run_b, failures of run_a that are gone (fixed), and warnings explained in run_a whose
    explanation lapsed in run_b (its cell's value changed: `reopened`, with the value before). A warning explained
    after run_a ran (run_a's table says not yet) is explained by the journal, for the value it had: "acknowledge,
    then the cell changes" was no reopening at all (independent probe)."""
    acknowledged = acknowledged or {}

    def explained(row: dict) -> bool:
        key = tuple(row.get(k) for k in ACK_KEY)
        return bool(row.get("acknowledged")) or (key in acknowledged and acknowledged[key] == row.get("value"))

    groups_a, groups_b = _failure_groups(a), _failure_groups(b)
    appeared, fixed, reopened = [], [], []
    for key in sorted(set(groups_a) | set(groups_b), key=lambda k: tuple(_sortable(x) for x in k)):
        rows_a, rows_b = groups_a.get(key, []), groups_b.get(key, [])
        appeared += rows_b[len(rows_a) :]
        fixed += rows_a[len(rows_b) :]
        reopened += [{**after, "value_before": before["value"]} for before, after in zip(rows_a, rows_b)
                     if explained(before) and not explained(after)]
    return {"appeared": appeared, "fixed": fixed, "reopened": reopened}


def _split_unchanged(failures: dict, files_a: list[dict], files_b: list[dict]) -> dict:
    """Of the failures gone, those of a file that did not change (same path, same SHA-256) were not fixed in it: a
    comparison across communes moved (an outlier against the province's median, once other communes sent theirs).
    They are listed apart (`no_longer_flagged`), not as fixed; so are the failures new to an unchanged file
    (`flagged_unchanged`: seven lowland communes called outliers once two highland ones sent theirs; probe, Gia Lai)."""
    sha_a = {f.get("path"): f.get("sha256") for f in files_a}
    same = {f.get("path") for f in files_b if f.get("sha256") and sha_a.get(f.get("path")) == f.get("sha256")}
    gone, new = failures["fixed"], failures["appeared"]
    return {**failures, "fixed": [f for f in gone if f.get("source_file") not in same],
            "no_longer_flagged": [f for f in gone if f.get("source_file") in same],
            "appeared": [f for f in new if f.get("source_file") not in same],
            "flagged_unchanged": [f for f in new if f.get("source_file") in same]}


def _failure_groups(frame: pl.DataFrame) -> dict[tuple, list[dict]]:
    shown = (
        "commune_code",
        "commune_name",
        "rule",
        "severity",
        "source_file",
        "source_sheet",
        "cell",
        "field",
        "value",
        "expected",
        "message",
        "acknowledged",
    )
    groups: dict[tuple, list[dict]] = {}
    if frame.is_empty():
        return groups
    ordered = frame.sort(
        [c for c in ("source_file", "row", "column", "rule") if c in frame.columns], nulls_last=True, maintain_order=True
    )
    for r in ordered.iter_rows(named=True):
        # the file too where the commune is unknown, or where the failure is the file's own, at no cell (two superseded
        # files of one commune; as transforms.history keys them)
        own = r.get("commune_code") is None or r.get("cell") is None
        key = tuple(r.get(k) for k in FAILURE_KEY) + ((r.get("source_file"),) if own else (None,))
        groups.setdefault(key, []).append({k: r.get(k) for k in shown})
    return groups


def _file_changes(files_a: list[dict], files_b: list[dict]) -> dict:
    by_a, by_b = {f["path"]: f for f in files_a}, {f["path"]: f for f in files_b}
    changed, status_changed = [], []
    for path in sorted(set(by_a) & set(by_b)):
        fa, fb = by_a[path], by_b[path]
        if fa.get("sha256") != fb.get("sha256"):
            changed.append(
                {
                    "path": path,
                    "commune_code": fb.get("commune_code"),
                    "sha256_before": fa.get("sha256") or "",
                    "sha256_after": fb.get("sha256") or "",
                    "status_before": fa.get("status"),
                    "status_after": fb.get("status"),
                    # an older document copied over a newer one under the same name reverts figures: its date says so
                    "doc_date_before": fa.get("doc_date"),
                    "doc_date_after": fb.get("doc_date"),
                }
            )
        elif fa.get("status") != fb.get("status"):
            status_changed.append(
                {
                    "path": path,
                    "commune_code": fb.get("commune_code"),
                    "status_before": fa.get("status"),
                    "status_after": fb.get("status"),
                }
            )
    added, removed = sorted(set(by_b) - set(by_a)), sorted(set(by_a) - set(by_b))
    renamed = _renamed(removed, added, by_a, by_b)
    moved_from, moved_to = {r["path_before"] for r in renamed}, {r["path"] for r in renamed}
    return {
        "added": [_file_brief(by_b[p]) for p in added if p not in moved_to],
        "removed": [_file_brief(by_a[p]) for p in removed if p not in moved_from],
        "renamed": renamed,
        "changed": changed,
        "status_changed": status_changed,
    }


def _renamed(removed: list[str], added: list[str], by_a: dict, by_b: dict) -> list[dict]:
    """A file gone and a file come with the same content (SHA-256): one file renamed or moved, not a report withdrawn
    and a new one sent. Paired in path order when several copies of one content moved."""
    gone: dict[str, list[str]] = {}
    for path in removed:
        if by_a[path].get("sha256"):
            gone.setdefault(by_a[path]["sha256"], []).append(path)
    renamed = []
    for path in added:
        before = gone.get(by_b[path].get("sha256") or "")
        if before:
            old = before.pop(0)
            renamed.append({"path_before": old, "path": path, "commune_code": by_b[path].get("commune_code"),
                            "status_before": by_a[old].get("status"), "status_after": by_b[path].get("status")})
    return renamed


def _targets_change(a: dict | None, b: dict | None) -> list[dict]:
    """The province's targets workbook, when both runs read one and its content differs (a run before the manifest
    named it, or a run without targets, says nothing)."""
    if not a or not b or a.get("sha256") == b.get("sha256"):
        return []
    return [
        {
            "path": b["path"],
            "commune_code": None,
            "sha256_before": a.get("sha256") or "",
            "sha256_after": b.get("sha256") or "",
            "status_before": "targets",
            "status_after": "targets",
        }
    ]


def _file_brief(f: dict) -> dict:
    return {"path": f["path"], "commune_code": f.get("commune_code"), "kind": f.get("kind"), "status": f.get("status")}


# ---------------------------------------------------------------- values


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def _delta(a, b):
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None
    return b - a if isinstance(a, int) and isinstance(b, int) else round(b - a, 6)


def _sortable(value) -> tuple:
    return (value is None, "" if value is None else value)


def lists(d: dict):
    """Every list in a (nested) diff dict."""
    for value in d.values():
        if isinstance(value, list):
            yield from ([value] if value else [])
        elif isinstance(value, dict):
            yield from lists(value)


def _manifest(run_dir: Path) -> dict:
    path = run_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _read(path: Path, compared_only: bool = False) -> pl.DataFrame:
    """A run's table; `compared_only`: without the columns no comparison reads (a detail table's file, sheet and row
    of each of its million cells)."""
    if not path.exists():
        return pl.DataFrame()
    if not compared_only:
        return pl.read_parquet(path)
    frame = pl.scan_parquet(path)
    return frame.drop([c for c in frame.collect_schema().names() if c in PROVENANCE or c == "run_id"]).collect()


def _completed_runs(out: Path) -> list[Path]:
    runs = out / RUNS
    if not runs.is_dir():
        return []
    return sorted((p for p in runs.iterdir() if p.is_dir() and (p / "manifest.json").exists()), key=lambda p: p.name)
