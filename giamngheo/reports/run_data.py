"""A finished run's tables as the reports read them (the HTML page, the auditors' workbook, the Prefect artifacts):
the run folder loaded, failures counted by severity, rule and commune, and the Vietnamese words for severities,
statuses and rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from giamngheo.approval import open_failures
from schemas.rules import RULE_BY_ID

FAILURE_COLUMNS = ("source_file", "source_sheet", "cell", "row", "column", "commune_code", "commune_name", "field",
                   "rule", "severity", "value", "expected", "message", "message_en",
                   "acknowledged", "acknowledged_by", "acknowledged_reason")
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Bị từ chối", "superseded": "Bị thay thế", "companion": "Tài liệu kèm theo",
             "unresolved": "Không xác định được xã", "wrong_province": "Thuộc tỉnh khác"}
UNRESOLVED = "Chưa xác định được xã/phường"


@dataclass
class RunData:
    """The tables of one finished run, as the report needs them."""

    run_dir: Path
    manifest: dict
    provinces: pl.DataFrame
    communes: pl.DataFrame
    failures: pl.DataFrame
    results: pl.DataFrame | None
    # (report, status) per commune, of each kind of report it sent (kind_statuses)
    statuses: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _parquet(run_dir: Path, name: str) -> pl.DataFrame | None:
    path = run_dir / name
    return pl.read_parquet(path) if path.exists() else None


def load_run(run_dir: Path) -> RunData:
    """Read a run folder; a missing optional table is None, a missing failures table is empty."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    failures = _parquet(run_dir, "validation_failures.parquet")
    if failures is None:
        failures = pl.DataFrame({c: pl.Series([], dtype=pl.Utf8) for c in FAILURE_COLUMNS})
    # older runs may lack a column (commune_name came later); the report must still open them
    failures = failures.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in FAILURE_COLUMNS if c not in failures.columns)
    provinces, communes = _parquet(run_dir, "provinces.parquet"), _parquet(run_dir, "communes.parquet")
    results = _parquet(run_dir, "results_communes.parquet")
    read = {"communes.parquet": communes, "results_communes.parquet": results}
    return RunData(run_dir, manifest, pl.DataFrame() if provinces is None else provinces,
                   pl.DataFrame() if communes is None else communes, failures, results, kind_statuses(run_dir, read))


def kind_statuses(run_dir: Path, read: dict[str, pl.DataFrame | None]) -> dict[str, list[tuple[str, str]]]:
    """(report, status) per commune, of each kind of report it sent (the commune tables `read` already, the others from
    the run's folder): a commune whose plan was accepted and results rejected read "Chấp nhận, 1 lỗi" in the auditor's
    tables (reports judge, Hưng Yên)."""
    from giamngheo.kinds import KINDS

    out: dict[str, list[tuple[str, str]]] = {}
    for kind in KINDS:
        table = kind.output("commune")
        if table is None:
            continue
        frame = read[table.name] if table.name in read else _parquet(run_dir, table.name)
        if frame is None or not {"commune_code", "status"} <= set(frame.columns):
            continue
        label = kind.title_vi[:1].upper() + kind.title_vi[1:]
        for code, status in zip(frame["commune_code"], frame["status"]):
            out.setdefault(code, []).append((label, status))
    return out


def status_texts(run: RunData) -> dict[str, str]:
    """Each commune's status in words: its one report's, else each report's by name."""
    def text(statuses: list[tuple[str, str]]) -> str:
        if len(statuses) == 1:
            return STATUS_VI.get(statuses[0][1], statuses[0][1])
        return "; ".join(f"{label}: {STATUS_VI.get(status, status).lower()}" for label, status in statuses)

    return {code: text(statuses) for code, statuses in run.statuses.items()}


def rule_title(rule_id: str | None) -> str:
    """The Vietnamese title of a rule, or its id when the catalogue does not know it."""
    rule = RULE_BY_ID.get(rule_id or "")
    return rule.title_vi if rule else str(rule_id)


def failure_counts(failures: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Failure counts by severity, by rule and by commune (errors first in each); acknowledged warnings are not open and not
    counted."""
    failures = open_failures(failures)
    communes = pl.col("commune_code").drop_nulls().n_unique().alias("communes")
    errors = (pl.col("severity") == "error").sum().cast(pl.Int64).alias("errors")
    warnings = (pl.col("severity") == "warning").sum().cast(pl.Int64).alias("warnings")
    n = pl.len().cast(pl.Int64).alias("failures")
    return {
        "severity": failures.group_by("severity").agg(n, communes).sort("severity"),
        "rule": failures.group_by("rule", "severity").agg(n, communes)
        .sort(pl.col("severity") != "error", -pl.col("failures"), "rule"),
        "commune": failures.group_by("commune_code").agg(pl.col("commune_name").drop_nulls().first(), errors, warnings)
        .sort(-pl.col("errors"), -pl.col("warnings"), pl.col("commune_code").fill_null("")),
    }
