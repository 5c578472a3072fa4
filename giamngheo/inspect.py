"""Look at one file the way the pipeline sees it: layout, column meanings, normalised rows, failures.

Used by `giamngheo inspect FILE` (for people who maintain the vocabulary) and by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .discover import FileEntry
from .failures import finish, locate_table_failures
from .frames import build_tables, file_failures
from .parse import parse_workbook
from .readers.grid import Limits
from .reference import load_reference
from .resolve import Resolver
from .submissions import FileRecord, resolve_files
from .validate import PLAN_COUNTS, PLAN_RATES, validate_plans


@dataclass
class Inspection:
    data: dict  # the parse result
    commune: str | None  # resolved unit, described
    villages: pl.DataFrame  # village rows, typed: name, section, counts, row
    failures: pl.DataFrame  # every failure of the file, as in validation_failures.parquet


def inspect_file(path: Path, province: str | None = None, limits: Limits | None = None) -> Inspection:
    """Parse, resolve and validate a single file."""
    data = parse_workbook(path, limits or Limits())
    entry = FileEntry(path.name, path, path.stat().st_size, path.stat().st_mtime)
    rec = FileRecord(entry, "", True, data)
    resolve_files([rec], Resolver(load_reference(), province))
    tables = build_tables([rec], {"plan": PLAN_COUNTS + PLAN_RATES}, require_commune=False)
    typed, failures = validate_plans(tables.rows["plan"])
    villages = typed.filter(pl.col("row_kind") == "village").select(
        pl.col("name").alias("village_name"), "section", *PLAN_COUNTS, "row"
    )
    located = locate_table_failures(failures, tables.tables, tables.columns)
    explained = finish(pl.concat([file_failures([rec]), located], how="diagonal_relaxed"), run_id="inspect")
    res = rec.resolution
    return Inspection(data, res.unit.describe() if res and res.unit else None, villages, explained)


def render(ins: Inspection) -> str:
    """A human-readable account of the inspection."""
    d = ins.data
    lines = [f"format: {d.get('format')}  encoding: {d.get('encoding') or '-'}  legacy: {d.get('legacy_encoding') or '-'}",
             f"commune: {ins.commune or '(not resolved)'}  year: {d.get('year')}  document date: {d.get('doc_date')}"]
    for t in d.get("tables", []):
        lines.append(f"table '{t['sheet']}' kind={t['kind']} header rows {t['header_rows'][0]}-{t['header_rows'][1]}")
        by_col = {c: f for f, c in t["columns"].items()}
        for col, label in sorted(t["labels"].items(), key=lambda kv: int(kv[0])):
            lines.append(f"  col {int(col):>2}: {by_col.get(int(col), '(ignored)'):28} <- {label}")
    with pl.Config(tbl_rows=200, tbl_cols=20, fmt_str_lengths=40):
        lines.append(str(ins.villages))
        if ins.failures.is_empty():
            lines.append("no failures")
        for f in ins.failures.to_dicts():
            lines.append(f"{f['severity']:7} {f['rule']:28} {f['cell'] or f['row'] or '':6} {f['message']}")
    return "\n".join(lines)
