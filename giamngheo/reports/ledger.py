"""The submission ledger: for every commune the province expects, which reports arrived, when, and which version counts.

Built from a finished run folder only (manifest.json and the parquet outputs),
so it can be made again for any past run. One row per commune and report kind
(the plan; every other kind all communes owe once the run has a file of it; the others where sent), including
communes that sent nothing.

- A file whose table could not be recognised (kind null in the manifest) is a
  submission of every kind its commune sent (of the plan when it sent nothing
  else), as in `giamngheo.submissions.choose_submissions`.
- Submissions are numbered in the order they were made: document date when the
  manifest gives one, then the file's modification time, then the path.
- accepted / rejected come from communes.parquet (plan) and
  results_communes.parquet (results), the figures the run actually used; the
  manifest's file status is only the fallback.
- A deadline is a calendar day in Vietnam (UTC+7, no daylight saving): a file is
  on time when its content first came (its SHA-256's `first_seen` in the manifest, carried from run to run: the
  earliest modification time of those bytes of that commune in any run) before that day ended there.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import polars as pl

from giamngheo.kinds import KINDS as DECLARED
from giamngheo.reference import load_reference
from transforms.rates import pct_of

KINDS = tuple(k.name for k in DECLARED)
VIETNAM = timezone(timedelta(hours=7))
_OUTPUT_OF_KIND = {k.name: k.output("commune").name for k in DECLARED if k.output("commune")}
_EXPECTED = {k.name for k in DECLARED if k.expected}  # owed by every commune; the others listed when sent
_ALWAYS = {k.name for k in DECLARED if k.expected and not k.optional}  # the plan: owed even before any arrives
_NOT_A_COMMUNE_FILE = {"unresolved", "wrong_province", "companion"}  # (a companion: no version of any report)

LEDGER_SCHEMA = {
    "run_id": pl.String,
    "province_code": pl.String,
    "commune_code": pl.String,
    "commune_name": pl.String,
    "kind": pl.String,
    "received": pl.Boolean,
    "files_received": pl.Int64,
    "version_in_use": pl.Int64,
    "file_in_use": pl.String,
    "received_at": pl.Datetime("us", "UTC"),
    "superseded_files": pl.List(pl.String),
    "status": pl.String,
    "on_time": pl.Boolean,
}


def read_manifest(run_dir: Path) -> dict:
    """The run's manifest.json."""
    return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))


def deadlines_of(value) -> dict[str, date]:
    """The run's deadline parameter by report kind ("*": every kind without its own): "2026-06-15",
    "plan=2026-06-15,results=2026-11-15", a date, or None."""
    if value is None or isinstance(value, date):
        return {"*": value} if value else {}
    out = {}
    for part in str(value).split(","):
        kind, _, day = part.strip().rpartition("=")
        if day.strip():
            out[kind.strip() or "*"] = date.fromisoformat(day.strip()[:10])
    return out


def submissions_table(run_dir: Path, deadline: date | str | None = None) -> pl.DataFrame:
    """One row per expected commune and report kind: received, which version is used, status, on time (against the
    kind's own deadline: the plans' in June and the year-end results' in November are not one day)."""
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    deadlines = deadlines_of(deadline or manifest.get("parameters", {}).get("deadline"))
    outputs = {kind: _read_output(run_dir / name) for kind, name in _OUTPUT_OF_KIND.items()}
    expected = _expected_communes(manifest, outputs)
    files = _files_by_commune_and_kind(manifest.get("files") or [])
    # an owed kind of which the run has no file at all is not yet due (the plans' season has no year-end results): not
    # listed, as the run's summary leaves it out, rather than every commune "missing" it
    owed = _ALWAYS | (_EXPECTED & {k for f in manifest.get("files") or [] for k in _kinds(f)})
    status_in_outputs = {
        kind: {r["commune_code"]: r["status"] for r in frame.select("commune_code", "status").iter_rows(named=True)}
        for kind, frame in outputs.items()
        if {"commune_code", "status"} <= set(frame.columns)
    }
    rows = []
    for province_code, commune_code, commune_name in expected:
        for kind in KINDS:
            subs = files.get((commune_code, kind), [])
            if kind not in owed and not subs:
                continue  # a kind not every commune owes, or none has sent yet: listed for the communes that sent it
            due = deadlines.get(kind, deadlines.get("*"))
            row = _ledger_row(subs, kind, status_in_outputs.get(kind, {}).get(commune_code), due)
            rows.append(
                {
                    "run_id": manifest.get("run_id"),
                    "province_code": province_code,
                    "commune_code": commune_code,
                    "commune_name": commune_name,
                    "kind": kind,
                    **row,
                }
            )
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA, orient="row") if rows else pl.DataFrame(schema=LEDGER_SCHEMA)


def ledger_summary(table: pl.DataFrame) -> dict:
    """Completeness (received / expected) and timeliness (on time / received) in %, per report kind.
    Counted in one query (the analyst workbook asks once per province: 34 nationally)."""
    summary: dict = {
        "run_id": table["run_id"][0] if table.height else None,
        "communes_expected": table["commune_code"].n_unique(),
    }
    received, judged = pl.col("received"), pl.col("received") & pl.col("on_time").is_not_null()
    counted = table.group_by("kind").agg(
        pl.len().alias("expected"), received.sum().alias("received"),
        (pl.col("status") == "accepted").sum().alias("accepted"), (pl.col("status") == "rejected").sum().alias("rejected"),
        (received & (pl.col("files_received") > 1)).sum().alias("resubmitted"),
        judged.sum().alias("judged"), (judged & pl.col("on_time")).sum().alias("on_time"),
    )
    by_kind = {row.pop("kind"): row for row in counted.iter_rows(named=True)}
    nothing = dict.fromkeys(("expected", "received", "accepted", "rejected", "resubmitted", "judged", "on_time"), 0)
    for kind in KINDS:
        if kind not in _ALWAYS and kind not in by_kind:  # a kind of which no commune is listed
            continue
        n = by_kind.get(kind, nothing)
        summary[kind] = {
            "expected": n["expected"],
            "received": n["received"],
            "missing": n["expected"] - n["received"],
            "accepted": n["accepted"],
            "rejected": n["rejected"],
            "resubmitted": n["resubmitted"],
            "completeness_pct": pct_of(n["received"], n["expected"]),
            "on_time": n["on_time"] if n["judged"] else None,
            "late": n["judged"] - n["on_time"] if n["judged"] else None,
            "timeliness_pct": pct_of(n["on_time"], n["judged"]) if n["judged"] else None,
        }
    return summary


_IN_PARTS = {k.name for k in DECLARED if k.in_parts}


def _ledger_row(subs: list[dict], kind: str, output_status: str | None, deadline: date | None) -> dict:
    if not subs:
        return {
            "received": False,
            "files_received": 0,
            "version_in_use": None,
            "file_in_use": None,
            "received_at": None,
            "superseded_files": [],
            "status": "missing",
            "on_time": None,
        }
    ordered = sorted(subs, key=_submission_order)
    in_use = [f for f in ordered if kind not in (f.get("superseded_by") or {})]
    chosen = in_use[-1] if in_use else ordered[-1]
    in_use = in_use if kind in _IN_PARTS else [chosen]
    # a byte-identical copy sent again (a second e-mail, a folder copied) does not move when the report came
    copies = [f for f in ordered if f.get("sha256") == chosen["sha256"]] if chosen.get("sha256") else [chosen]
    received_at = min(filter(None, (_as_datetime(f.get("first_seen") or f.get("modified")) for f in copies)), default=None)
    status = (
        output_status
        if output_status in ("accepted", "rejected")
        else ("accepted" if chosen.get("status") == "accepted" else "rejected")
    )
    return {
        "received": True,
        "files_received": len(ordered),
        "version_in_use": ordered.index(chosen) + 1,
        # a report in parts (a list of the poor and one of the near-poor): every file in use, none of them superseded
        "file_in_use": "; ".join(f["path"] for f in in_use) if len(in_use) > 1 else chosen["path"],
        "received_at": received_at,
        "superseded_files": [f["path"] for f in ordered if f is not chosen and f not in in_use],
        "status": status,
        "on_time": _on_time(received_at, deadline),
    }


def earlier_files(run_dir: Path) -> list[dict]:
    """The files of an earlier run's manifest (none where it cannot be read: the history is a help, never a stop)."""
    try:
        return list(read_manifest(run_dir).get("files") or [])
    except (OSError, ValueError):
        return []


def with_first_seen(files: list[dict], earlier: list[dict], read_by: datetime | None = None) -> list[dict]:
    """The manifest's files, each with `first_seen`: when its content (SHA-256) first came, in this run or any before
    (`earlier`: the previous run's manifest files, which carry theirs). A report is received when its content first
    came: the same bytes touched, or copied under another name with the first copy gone, after the deadline made an
    on-time report late (independent probe, An Giang). The same content of the same commune: another commune's file of
    the same bytes (an empty file, the province's blank form) lent its time, a late file said on time (intake folder
    judge, Nghệ An). A time after `read_by` (the run's start) is a commune computer's wrong clock: the file was there
    when the run read it (a plan modified "17/12" read on 07/12 was received after the run, late against 10/12;
    analyst workbook judge, Hải Phòng)."""
    seen: dict[tuple, datetime] = {}
    for f in [*earlier, *files]:
        moment = _as_datetime(f.get("first_seen") or f.get("modified"))
        if moment is not None and read_by is not None and moment > read_by:
            moment = read_by
        key = (f.get("commune_code"), f.get("sha256"))
        if f.get("sha256") and moment is not None and (key not in seen or moment < seen[key]):
            seen[key] = moment
    return [{**f, "first_seen": seen[key].isoformat()} if (key := (f.get("commune_code"), f.get("sha256"))) in seen else f
            for f in files]


def _files_by_commune_and_kind(files: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """Files of each commune and report kind; a file of unknown kind counts for every kind its commune sent, and for the
    plan."""
    by_commune: dict[str, list[dict]] = {}
    for f in files:
        if f.get("commune_code") and f.get("status") not in _NOT_A_COMMUNE_FILE:
            by_commune.setdefault(f["commune_code"], []).append(f)
    out: dict[tuple[str, str], list[dict]] = {}
    for code, commune_files in by_commune.items():
        sent = {k for f in commune_files for k in _kinds(f)} | {"plan"}  # as submissions.choose_submissions: owed by all
        for f in commune_files:
            for kind in _kinds(f) or sent:
                out.setdefault((code, kind), []).append(f)
    return out


def _kinds(file: dict) -> set[str]:
    return {k for k in (file.get("kind") or "").split("+") if k in KINDS}


def _submission_order(file: dict) -> tuple:
    """The order the files came in ("lần nộp": the first, second … submission), whatever their documents' dates: by
    document date, an undated damaged resubmission came first and the plan in use was "2 of 2" where it was the first
    sent (operations judge, Lạng Sơn)."""
    came = _as_datetime(file.get("first_seen") or file.get("modified")) or datetime.min.replace(tzinfo=UTC)
    document = str(file.get("document_date") or file.get("doc_date") or "")
    # files that came in the same second (a folder copied, a checkout) by their documents' dates
    return (came.replace(microsecond=0), document, file.get("path") or "")


def _expected_communes(manifest: dict, outputs: dict[str, pl.DataFrame]) -> list[tuple[str, str, str]]:
    """(province, commune code, name) of every unit the run's provinces expect, as provinces.parquet's
    communes_expected counts them (figures.expected_communes): the province's units its targets workbook lists, else
    those of the official list; then every other commune of those provinces that sent a report."""
    ref = load_reference()
    province = (manifest.get("parameters") or {}).get("province")
    seen_in_run = {}
    for frame in outputs.values():
        if {"commune_code", "province_code"} <= set(frame.columns):
            names = frame["commune_name"] if "commune_name" in frame.columns else pl.Series([None] * frame.height)
            for code, prov, name in zip(frame["commune_code"], frame["province_code"], names):
                seen_in_run[code] = (prov, name)
    provinces = {province} if province else {prov for prov, _ in seen_in_run.values() if prov}
    if not provinces:
        provinces = {
            ref.by_code[f["commune_code"]].province_code
            for f in manifest.get("files") or []
            if f.get("commune_code") in ref.by_code
        }
    listed = set((manifest.get("targets") or {}).get("communes") or [])
    units = {}
    for p in provinces:
        official = ref.province_units(p)
        in_targets = [u for u in official if u.commune_code in listed]
        units.update({u.commune_code: (u.province_code, u.commune_code, u.commune_name) for u in in_targets or official})
    for f in manifest.get("files") or []:  # a commune the workbook does not list that sent a report all the same
        unit = ref.by_code.get(f.get("commune_code") or "")
        if unit and unit.province_code in provinces and f.get("status") not in _NOT_A_COMMUNE_FILE:
            units.setdefault(unit.commune_code, (unit.province_code, unit.commune_code, unit.commune_name))
    for code, (prov, name) in seen_in_run.items():
        if prov in provinces and code not in units:
            units[code] = (prov, code, name or code)
    return sorted(units.values(), key=lambda u: (u[0], u[1]))


def _read_output(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()


def _on_time(received_at: datetime | None, deadline: date | None) -> bool | None:
    if received_at is None or deadline is None:
        return None
    end_of_day = datetime.combine(deadline + timedelta(days=1), time.min, tzinfo=VIETNAM)
    return received_at < end_of_day


def _as_datetime(value) -> datetime | None:
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
