"""Parsed tables of the files in use, as polars frames: rows, table provenance, column addresses."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import polars as pl

from transforms.checks import AT_HEADER

from .layout.fields import SUBJECT_PREFIX
from .parsed import ParsedTable
from .submissions import FileRecord
from .text import village_key

ROW_SCHEMA = {
    "row": pl.Int32,
    "kind": pl.Utf8,
    "name": pl.Utf8,
    "name_key": pl.Utf8,
    "section": pl.Utf8,
    "section_index": pl.Int32,
}
TABLE_SCHEMA = {
    "table_id": pl.Int32,
    "source_file": pl.Utf8,
    "source_sheet": pl.Utf8,
    "kind": pl.Utf8,
    "subject": pl.Utf8,  # whose figures a table gives: "poor", "near_poor" (the layouts' "near", as every kind names it), or null
    "commune_code": pl.Utf8,
    "sha256": pl.Utf8,
    "partial_year": pl.Boolean,  # a results report on part of the year ("6 tháng đầu năm")
    "header_row": pl.Int32,  # the first row of its header (1-based): where a failure of the whole table points
}


@dataclass
class Tables:
    rows: dict[str, pl.DataFrame]  # kind -> rows of every table of that kind
    tables: pl.DataFrame  # one row per table: provenance
    columns: pl.DataFrame  # (table_id, field, column): where each field sits

    def without_rows(self) -> "Tables":
        """The provenance alone, once the rows are typed (the raw rows are a run's biggest frames)."""
        return Tables({}, self.tables, self.columns)


class _Columns:
    """Column lists of every table of one kind, grown table by table and turned into one frame at the end
    (one frame per table made thousands of tiny frames: slow at national scale)."""

    def __init__(self, fields: list[str], attributes: tuple[str, ...] = (), sourced: tuple[str, ...] = ()):
        self.fields = fields
        self.attributes = attributes
        self.sourced = [f for f in fields if f in sourced]  # fields that may be read from another row
        self.data: dict[str, list] = {k: [] for k in (*ROW_SCHEMA, *attributes)}
        self.data["table_id"] = []
        for f in fields:
            for suffix in ("__num", "__text", "__present"):
                self.data[f + suffix] = []
        for f in self.sourced:
            self.data[f + "__row"] = []
        self.batches: dict[int, tuple[pl.DataFrame, list[tuple[int, int, int]]]] = {}  # id -> (frame, [(start, n, table_id)])

    def add(self, table: ParsedTable, table_id: int) -> None:
        piece = getattr(table, COMPACTED, None)
        if piece is not None:  # made when the file was read (compact_tables): its rows are a slice of a batch's frame
            frame, start, n = piece
            self.batches.setdefault(id(frame), (frame, []))[1].append((start, n, table_id))
            return
        rows = table.rows
        n = len(rows["row"])
        for k in (*ROW_SCHEMA, *self.attributes):
            self.data[k].extend(rows.get(k) or [None] * n)
        self.data["table_id"].extend([table_id] * n)
        for f in self.fields:
            self.data[f + "__num"].extend(rows.get(f + "__num") or [None] * n)
            self.data[f + "__text"].extend(rows.get(f + "__text") or [None] * n)
            self.data[f + "__present"].extend([f in table.columns] * n)
        for f in self.sourced:
            self.data[f + "__row"].extend(rows.get(f + "__row") or [None] * n)

    def frame(self) -> pl.DataFrame:
        schema = {**ROW_SCHEMA, **{a: pl.Utf8 for a in self.attributes}, "table_id": pl.Int32}
        for f in self.fields:
            schema |= {f + "__num": pl.Float64, f + "__text": pl.Utf8, f + "__present": pl.Boolean}
        schema |= {f + "__row": pl.Int32 for f in self.sourced}
        frame = pl.DataFrame({k: pl.Series(k, v, dtype=schema[k], strict=False) for k, v in self.data.items()}).rename(
            {"kind": "row_kind"}
        )
        if not self.batches:
            return frame
        parts = [frame] if frame.height else []
        for batch, spans in self.batches.values():
            ids = [0] * batch.height
            for start, n, table_id in spans:
                ids[start:start + n] = [table_id] * n
            part = batch.with_columns(pl.Series("table_id", ids, dtype=pl.Int32))
            parts.append(part if sum(n for _, n, _ in spans) == batch.height else part.filter(pl.col("table_id") > 0))
        parts.sort(key=lambda part: part["table_id"].min() or 0)
        # made one chunk: the typing and the checks over a national set's hundreds of batch-sized chunks took 1 s
        # longer (check_tables 2.5 -> 1.6 s, benchmarks/flow_steps.py); the batches go once the tables are read
        # (submissions.forget_parsed_cells), and the flow's peak comes later, no higher
        rows = pl.concat(parts, how="vertical", rechunk=True)
        # in the order of the tables (files in order, then rows), as made from the parsed rows: batches are in order
        # but for a read task's files taken from the cache before the ones it parsed (a rerun after a correction)
        return rows if rows["table_id"].is_sorted() else rows.sort("table_id", maintain_order=True)


# The tables' rows are made frames as soon as their file is read (reading.py, every few files), and their rows as
# Python lists dropped (a household: 1.3 KB as Python objects, ~0.3 KB in a frame; a village table of deprivations
# 140 KB a file): the run never holds every file's rows as objects at once. The tables of a batch of files make one
# frame per kind, each table a span of it (a frame per table cost twice its size in small allocations, and tens of
# thousands of tiny frames to put together).
COMPACTED = "_rows_frame"  # the attribute of a ParsedTable holding (its batch's frame, start, rows): never serialised


def compact_tables(tables: list[ParsedTable], specs: dict[str, tuple]) -> None:
    """Turn the tables' rows into the frame build_tables would make of them (its table_id set then), by kind
    (`specs`: kind -> (fields, attributes, sourced)); their rows keep only their kinds (the manifest's layout line),
    each kind's text one object."""
    by_kind: dict[str, list[ParsedTable]] = {}
    for table in tables:
        if table.kind in specs and getattr(table, COMPACTED, None) is None:
            by_kind.setdefault(table.kind, []).append(table)
    for kind, found in by_kind.items():
        columns = _Columns(*specs[kind])
        spans = []
        for table in found:
            start = len(columns.data["table_id"])
            columns.add(table, 0)
            spans.append((table, start, len(columns.data["table_id"]) - start))
            table.rows = {"kind": [sys.intern(k) if isinstance(k, str) else k for k in table.rows.get("kind") or []]}
        frame = columns.frame()
        for table, start, n in spans:
            setattr(table, COMPACTED, (frame, start, n))


def build_tables(
    records: list[FileRecord],
    fields_by_kind: dict[str, list[str]],
    require_commune: bool = True,
    attributes: dict[str, tuple[str, ...]] | None = None,
    sourced: dict[str, tuple[str, ...]] | None = None,
) -> Tables:
    """Frames of every table that counts: superseded and unresolved files are left out.

    `fields_by_kind`: the figure fields of each kind; `attributes`: the text each row of a kind carries;
    `sourced`: the fields of a kind that may be read from another row (`<field>__row`, breakdowns).
    """
    rows = {
        k: _Columns(fields, (attributes or {}).get(k, ()), (sourced or {}).get(k, ())) for k, fields in fields_by_kind.items()
    }
    info: list[dict] = []
    cols: list[dict] = []
    table_id = 0
    for rec in records:
        code = rec.commune_code
        if code is None and require_commune:
            continue
        for table in rec.data.tables:
            kind = table.kind
            if kind not in fields_by_kind or not rec.used_for(kind):
                continue
            table_id += 1
            info.append(
                {
                    "table_id": table_id,
                    "source_file": rec.entry.rel,
                    "source_sheet": table.sheet or None,
                    "kind": kind,
                    "subject": SUBJECT_PREFIX.get(table.subject, table.subject),
                    "commune_code": code,
                    "sha256": rec.sha256,
                    "partial_year": table.partial_year,
                    "header_row": table.header_rows[0] if table.header_rows else None,
                }
            )
            where = {**table.row_fields, **table.columns}  # a breakdown read from rows sits in its parent's column
            if table.name_column:
                where["village_name"] = table.name_column
            cols.extend({"table_id": table_id, "field": f, "column": c} for f, c in where.items())
            rows[kind].add(table, table_id)
    tables = pl.DataFrame(info, schema=TABLE_SCHEMA) if info else pl.DataFrame(schema=TABLE_SCHEMA)
    columns = (
        pl.DataFrame(cols, schema={"table_id": pl.Int32, "field": pl.Utf8, "column": pl.Int32})
        if cols
        else pl.DataFrame(schema={"table_id": pl.Int32, "field": pl.Utf8, "column": pl.Int32})
    )
    return Tables({k: c.frame() for k, c in rows.items()}, tables, columns)


def submissions_in_use(records: list[FileRecord], kind: str) -> pl.DataFrame:
    """(commune_code, source_file) of the file each commune's `kind` report is taken from.

    A file with no recognisable table counts as a (rejected) submission of the
    plan unless it was superseded.
    """
    rows = [
        {"commune_code": r.commune_code, "source_file": r.entry.rel}
        for r in records
        if r.commune_code and (kind in r.kinds or (not r.kinds and kind == "plan")) and r.used_for(kind)
    ]
    schema = {"commune_code": pl.Utf8, "source_file": pl.Utf8}
    # (a report in parts, Kind.in_parts: a row per file of the commune)
    return pl.DataFrame(rows, schema=schema).unique(["commune_code", "source_file"], keep="first", maintain_order=True)


FAILURE_ROW_SCHEMA = {
    "source_file": pl.Utf8, "source_sheet": pl.Utf8, "row": pl.Int32, "column": pl.Int32, "field": pl.Utf8,
    "rule": pl.Utf8, "value": pl.Utf8, "expected": pl.Utf8, "detail": pl.Utf8, "kind": pl.Utf8, "commune_code": pl.Utf8,
}


def failure_rows(rows: list[dict]) -> pl.DataFrame:
    """Failure dicts (as the parser and resolver report them) as a frame."""
    keep = [{k: r.get(k) for k in FAILURE_ROW_SCHEMA} for r in rows]
    return pl.DataFrame(keep, schema=FAILURE_ROW_SCHEMA) if keep else pl.DataFrame(schema=FAILURE_ROW_SCHEMA)


def file_failures(records: list[FileRecord]) -> pl.DataFrame:
    """File-level failures (no table row): unreadable, commune, superseded, hidden, formulas."""
    rows = []
    for rec in records:
        for f in rec.failures:
            rows.append(
                {**f, "source_file": rec.entry.rel, "source_sheet": f.get("sheet") or None, "commune_code": rec.commune_code}
            )
    return failure_rows(rows)


def skipped_failures(skipped) -> pl.DataFrame:
    """What under --raw was not read is reported rather than silently ignored: a symbolic link (rule
    not_followed), a folder that cannot be listed, a special file (a FIFO, a socket) or a download not finished (rule
    readable)."""
    rows = []
    for s in skipped:
        if s.reason == "symlink":
            rows.append({"source_file": s.rel, "rule": "not_followed", "value": s.rel})
        elif s.reason in ("unreadable_dir", "not_a_file", "partial_download"):
            rows.append({"source_file": s.rel, "rule": "readable", "value": s.rel, "detail": s.reason})
    return failure_rows(rows)


def locate_table_failures(failures: pl.DataFrame, tables: pl.DataFrame, columns: pl.DataFrame) -> pl.DataFrame:
    """Table failures (table_id, row, field, ...) with their file, sheet, commune, kind and column."""
    if failures.is_empty():
        return failures.select(pl.exclude("table_id", "at")).with_columns(
            *[
                pl.lit(None, t).alias(c)
                for c, t in (
                    ("source_file", pl.Utf8),
                    ("source_sheet", pl.Utf8),
                    ("commune_code", pl.Utf8),
                    ("kind", pl.Utf8),
                    ("column", pl.Int32),
                )
            ]
        )
    if "at" not in failures.columns:
        failures = failures.with_columns(pl.lit(None, pl.Utf8).alias("at"))
    header = pl.col("at") == AT_HEADER
    first = columns.group_by("table_id").agg(pl.col("column").min().alias("_first"))
    return (
        failures.join(tables.select("table_id", "source_file", "source_sheet", "commune_code", "kind", "header_row"),
                      on="table_id", how="left")
        .with_columns(pl.when(header).then(None).otherwise(pl.coalesce("at", "field")).alias("_at"))
        .join(columns.rename({"field": "_at"}), on=["table_id", "_at"], how="left")
        .join(first, on="table_id", how="left")
        # a failure of the whole table, or of a column: on its header row (the first cell of the header, or the column's)
        .with_columns(pl.when(pl.col("at").is_not_null()).then(pl.coalesce("row", "header_row")).otherwise(pl.col("row"))
                      .cast(pl.Int32).alias("row"),
                      # (a column the table does not read: its first, as the table's)
                      pl.when(header).then(pl.col("_first"))
                      .otherwise(pl.coalesce("column", pl.when(pl.col("at").is_not_null()).then(pl.col("_first"))))
                      .cast(pl.Int32).alias("column"))
        .drop("table_id", "at", "_at", "_first", "header_row")
    )


def village_keys(name: pl.Expr) -> pl.Expr:
    """text.village_key of each name (null stays null), worked out once per distinct name: a national run's household
    lists name ~30,000 villages in ~1 million rows."""

    def keys(names: pl.Series) -> pl.Series:
        distinct = names.drop_nulls().unique()
        return names.replace_strict(distinct, [village_key(n) for n in distinct], default=None, return_dtype=pl.Utf8)

    return name.map_batches(keys, return_dtype=pl.Utf8)
