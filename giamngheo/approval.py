"""Approval and acknowledgement, replayed from the journal onto a run's tables.

The journal (giamngheo/journal.py) holds everything: each approval carries the commune's
figures and the SHA-256 of its file as approved, each acknowledgement the value of the cell
it explains. So the state is rebuilt from the journal alone, and survives reruns, `cache clear`
and the pruning of old runs. Before a run publishes, `annotate_staged` gives

- every commune-level row (COMMUNE_TABLES) `approval` (`approved`: nothing changed since;
  `changed_since_approval`: the file in use or a figure differs, named in `approval_changes`;
  `not_approved`), `approved_at`, `approved_by`;
- every failure `acknowledged` (a warning explained, at the same value), `acknowledged_by`,
  `acknowledged_reason`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from . import journal
from .kinds import KINDS

# The commune-level table of each kind (kind -> table): every row of these gets its approval state.
# Declared by the kinds themselves (their "commune" output), so a new kind's table is covered.
COMMUNE_TABLES: dict[str, str] = {k.name: k.output("commune").name for k in KINDS if k.output("commune")}
APPROVAL_COLUMNS = ("approval", "approved_at", "approved_by", "approval_changes")
ACK_COLUMNS = ("acknowledged", "acknowledged_by", "acknowledged_reason")
APPROVED, CHANGED, NOT_APPROVED = "approved", "changed_since_approval", "not_approved"
# Not figures: who and where a row is, and the file (compared by its SHA-256, as `sha256`).
NOT_FIGURES = {
    "run_id",
    "year",
    "province_code",
    "province_name",
    "commune_code",
    "commune_name",
    "source_file",
    *APPROVAL_COLUMNS,
}
# Figures a kind's commune row shows of another kind, whose own approval covers them: a household removed from a list
# unapproved the plan, its file and figures unchanged (judge, Quảng Ninh).
OTHER_KINDS_FIGURES = {"plan": {"list_poor_households", "list_near_poor_households"},
                       "households": {"annex_poor_households", "annex_near_poor_households"}}
FILE_CHANGE = "sha256"
ACK_KEY = ("commune_code", "rule", "cell", "field")
FAILURES = "validation_failures.parquet"


@dataclass
class State:
    """What the journal says now: the latest approval per (kind, commune), the latest acknowledgement per failure key."""

    approvals: dict[tuple[str, str], dict] = field(default_factory=dict)
    acknowledgements: dict[tuple, dict] = field(default_factory=dict)


def replay(entries: list[dict]) -> State:
    """The state the journal's entries give, in order (a later approval of a commune replaces the earlier)."""
    state = State()
    for e in entries:
        who = {"at": e.get("at"), "by": e.get("by"), "run_id": e.get("run_id")}
        if e.get("action") == "approve":
            for a in e.get("approvals") or []:
                state.approvals[(a["kind"], a["commune_code"])] = {**a, **who, "note": e.get("note")}
        elif e.get("action") == "acknowledge":
            for a in e.get("acknowledgements") or []:
                key = tuple(a.get(k) for k in ACK_KEY)
                state.acknowledgements[key] = {**a, **who, "reason": e.get("reason")}
    return state


def figures_of(row: dict) -> dict:
    """The figures of a commune row as approved: every column but identity, file and approval; NaN as null."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items() if k not in NOT_FIGURES}


# ---------------------------------------------------------------- pure frames


def _as_text(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """(commune_code, field, value) with every value as text, so figures of any type compare alike."""
    if not fields:
        return pl.DataFrame(schema={"commune_code": pl.String, "field": pl.String, "value": pl.String})
    return frame.select("commune_code", *[pl.col(f).cast(pl.String, strict=False) for f in fields]).unpivot(
        index="commune_code", on=fields, variable_name="field", value_name="value"
    )


def changed_figures(current: pl.DataFrame, approvals: list[dict]) -> pl.DataFrame:
    """(commune_code, field) of every approved figure that differs now (`sha256` when the file in use
    differs, a figure the table no longer has counts as changed); `current` carries `sha256`."""
    empty = pl.DataFrame(schema={"commune_code": pl.String, "field": pl.String})
    if not approvals or current.is_empty():
        return empty
    def own(a: dict) -> list[str]:
        return [f for f in a.get("figures", {}) if f not in OTHER_KINDS_FIGURES.get(a.get("kind"), ())]

    fields = sorted({f for a in approvals for f in own(a)})
    present = [f for f in fields if f in current.columns]
    schema = {f: current.schema[f] for f in present}
    approved = pl.DataFrame(
        [{"commune_code": a["commune_code"], **{f: a.get("figures", {}).get(f) for f in present}} for a in approvals],
        schema={"commune_code": pl.String, **schema}, strict=False,
    )
    figures = (
        _as_text(approved, present)
        .join(_as_text(current, present).rename({"value": "now"}), on=["commune_code", "field"], how="inner")
        .filter(pl.col("value").ne_missing(pl.col("now")))
        .select("commune_code", "field")
    )
    gone = pl.DataFrame(
        [
            {"commune_code": a["commune_code"], "field": f}
            for a in approvals
            for f in own(a)
            if f not in current.columns
        ],
        schema=empty.schema,
    )
    shas = pl.DataFrame([{"commune_code": a["commune_code"], "approved_sha": a.get("sha256")} for a in approvals],
                        schema={"commune_code": pl.String, "approved_sha": pl.String})
    files = (
        current.select("commune_code", pl.col("sha256").cast(pl.String))
        .join(shas, on="commune_code", how="inner")
        .filter(pl.col("sha256").ne_missing(pl.col("approved_sha")))
        .select("commune_code", pl.lit(FILE_CHANGE).alias("field"))
    )
    return pl.concat([files, figures, gone]).unique(maintain_order=True)


def annotate_communes(frame: pl.DataFrame, kind: str, state: State, sha256: pl.DataFrame) -> pl.DataFrame:
    """A commune-level table with approval, approved_at, approved_by and approval_changes (the moved
    figures, comma-separated); `sha256` is (source_file, sha256) of the run's files."""
    frame = frame.drop([c for c in APPROVAL_COLUMNS if c in frame.columns])
    approvals = [a for (k, _), a in state.approvals.items() if k == kind]
    current = (
        frame.join(sha256.unique("source_file"), on="source_file", how="left")
        if "source_file" in frame.columns
        else frame.with_columns(pl.lit(None, pl.String).alias("sha256"))
    )
    changes = (
        changed_figures(current, approvals)
        .group_by("commune_code", maintain_order=True)
        .agg(pl.col("field").sort().str.join(", ").alias("approval_changes"))
    )
    who = pl.DataFrame(
        [{"commune_code": a["commune_code"], "approved_at": a.get("at"), "approved_by": a.get("by")} for a in approvals],
        schema={"commune_code": pl.String, "approved_at": pl.String, "approved_by": pl.String},
    ).with_columns(pl.col("approved_at").str.to_datetime(time_zone="UTC", strict=False))
    return (
        frame.join(who, on="commune_code", how="left")
        .join(changes, on="commune_code", how="left")
        .with_columns(
            pl.when(pl.col("approved_by").is_null() & pl.col("approved_at").is_null())
            .then(pl.lit(NOT_APPROVED))
            .when(pl.col("approval_changes").is_null())
            .then(pl.lit(APPROVED))
            .otherwise(pl.lit(CHANGED))
            .alias("approval")
        )
        .select(*frame.columns, "approval", "approved_at", "approved_by", "approval_changes")
    )


def annotate_failures(failures: pl.DataFrame, state: State) -> pl.DataFrame:
    """Failures with acknowledged (a warning acknowledged at the value it still has), acknowledged_by, _reason."""
    failures = failures.drop([c for c in ACK_COLUMNS if c in failures.columns])
    acks = pl.DataFrame(
        [{**{k: a.get(k) for k in ACK_KEY}, "_ack_value": a.get("value"), "acknowledged_by": a.get("by"),
          "acknowledged_reason": a.get("reason")} for a in state.acknowledgements.values()],
        schema={**{k: pl.String for k in ACK_KEY}, "_ack_value": pl.String, "acknowledged_by": pl.String,
                "acknowledged_reason": pl.String},
    )
    for k in ACK_KEY:
        if k not in failures.columns:
            failures = failures.with_columns(pl.lit(None, pl.String).alias(k))
    keyed = failures.with_columns(pl.int_range(pl.len()).alias("_order"))
    joined = keyed.join(acks, on=list(ACK_KEY), how="left", nulls_equal=True).sort("_order")
    held = (
        (pl.col("severity") == "warning")
        & pl.col("acknowledged_by").is_not_null()
        & pl.col("value").cast(pl.String).eq_missing(pl.col("_ack_value"))
    ).fill_null(False)
    return joined.with_columns(
        held.alias("acknowledged"),
        pl.when(held).then(pl.col("acknowledged_by")).alias("acknowledged_by"),
        pl.when(held).then(pl.col("acknowledged_reason")).alias("acknowledged_reason"),
    ).select(*failures.columns, *ACK_COLUMNS)


def open_failures(failures: pl.DataFrame) -> pl.DataFrame:
    """The failures still open: all but the acknowledged warnings."""
    if "acknowledged" not in failures.columns:
        return failures
    return failures.filter(~pl.col("acknowledged").cast(pl.Boolean, strict=False).fill_null(False))


# ---------------------------------------------------------------- a run folder


def sha256_of_files(manifest: dict | None) -> pl.DataFrame:
    """(source_file, sha256) of every input file of a run, from its manifest."""
    rows = [{"source_file": f.get("path"), "sha256": f.get("sha256")} for f in (manifest or {}).get("files") or []]
    return pl.DataFrame(rows, schema={"source_file": pl.String, "sha256": pl.String})


def _manifest(folder: Path) -> dict | None:
    path = folder / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _rewrite(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.approval.tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)  # a reader of the staging folder (the report side process) sees one version or the other


def annotate_staged(staging: Path, out: Path, manifest: dict | None = None) -> None:
    """Rewrite the staged commune-level tables and validation_failures.parquet with the journal's
    approval and acknowledgement columns; with `manifest` (the run's, not yet written), also count
    the acknowledged warnings in it."""
    entries = journal.read(out)
    staging, state = Path(staging), replay(entries)
    sha256 = sha256_of_files(manifest if manifest is not None else _manifest(staging))
    tally: dict[str, dict[str, int]] = {}
    for kind, table in COMMUNE_TABLES.items():
        path = staging / table
        if path.exists():
            frame = annotate_communes(pl.read_parquet(path), kind, state, sha256)
            _rewrite(frame, path)
            tally[kind] = dict(frame.group_by("approval").len().iter_rows())
    path = staging / FAILURES
    if path.exists():
        failures = annotate_failures(pl.read_parquet(path), state)
        _rewrite(failures, path)
        if manifest is not None:  # counts.failures: the open ones, as the run summary says; acknowledged apart
            acknowledged = int(failures["acknowledged"].fill_null(False).sum())
            counts = manifest.setdefault("counts", {})
            counts["acknowledged_warnings"] = acknowledged
            by_severity = counts.get("failures")
            if acknowledged and isinstance(by_severity, dict) and by_severity.get("warning"):
                by_severity["warning"] = max(0, by_severity["warning"] - acknowledged)
    if manifest is not None:
        manifest["approval"] = tally
        manifest["journal"] = journal.anchor(entries)  # what `journal verify` later holds the journal to


def ensure_annotated(frame: pl.DataFrame, table: str, run_dir: Path) -> pl.DataFrame:
    """A commune-level table read from a run or staging folder, annotated if it is not yet (the report
    side process may read the staged tables before the run annotates them). Without the run's manifest
    the file is judged by its name only."""
    run_dir = Path(run_dir)
    kind = next((k for k, t in COMMUNE_TABLES.items() if t == table), None)
    if kind is None or frame.is_empty() or "approval" in frame.columns or run_dir.parent.name not in (".staging", "runs"):
        return frame
    state = replay(journal.read(run_dir.parent.parent))
    manifest = _manifest(run_dir)
    if manifest is not None:
        return annotate_communes(frame, kind, state, sha256_of_files(manifest))
    # no manifest yet: a file under its approved name is taken to be the file approved
    approved = [{"source_file": a.get("source_file"), "sha256": a.get("sha256")} for a in state.approvals.values()]
    return annotate_communes(frame, kind, state, pl.DataFrame(approved, schema={"source_file": pl.String, "sha256": pl.String}))
