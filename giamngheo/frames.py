"""Parsed tables of the files in use, as polars frames: rows, table provenance, column addresses."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import polars as pl

from .parsed import ParsedTable
from .submissions import FileRecord

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
    "subject": pl.Utf8,
    "commune_code": pl.Utf8,
    "sha256": pl.Utf8,
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
        self.chunks: list[pl.DataFrame] = []

    def add(self, table: ParsedTable, table_id: int) -> None:
        chunk = getattr(table, COMPACTED, None)
        if chunk is not None:  # made when the file was read (compact_table): its rows are a frame already
            self.chunks.append(chunk.with_columns(pl.lit(table_id, pl.Int32).alias("table_id")))
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
        frame = pl.DataFrame({k: pl.Series(k, v, dtype=schema[k], strict=False) for k, v in self.data.items()}).rename({"kind": "row_kind"})
        # not rechunked: the lists' frames are not copied once more (the steps after make their own frames anyway)
        return pl.concat([frame, *self.chunks], how="vertical", rechunk=False) if self.chunks else frame


# A table of more rows than this (a household list: hundreds, a million households nationally) is made a frame
# as soon as its file is read, and its rows as Python lists dropped (1.3 KB a household as Python objects,
# ~0.3 KB in a frame): the run never holds every list's rows as objects at once. The long tables of a batch of
# files make one frame per kind, each table a slice of it (a frame per table cost twice its size in small
# allocations).
COMPACT_ROWS = 100
COMPACTED = "_rows_frame"  # the attribute of a ParsedTable holding its slice (not a field: never serialised)


def compact_tables(tables: list[ParsedTable], specs: dict[str, tuple]) -> None:
    """Turn the long tables' rows into the frame build_tables would make of them (its table_id set then), by
    kind (`specs`: kind -> (fields, attributes, sourced)); their rows keep only their kinds (the manifest's
    layout line), each kind's text one object."""
    by_kind: dict[str, list[ParsedTable]] = {}
    for table in tables:
        if table.kind in specs and len(table.rows.get("kind") or ()) >= COMPACT_ROWS and getattr(table, COMPACTED, None) is None:
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
            setattr(table, COMPACTED, frame.slice(start, n))


def build_tables(records: list[FileRecord], fields_by_kind: dict[str, list[str]], require_commune: bool = True,
                 attributes: dict[str, tuple[str, ...]] | None = None, sourced: dict[str, tuple[str, ...]] | None = None) -> Tables:
    """Frames of every table that counts: superseded and unresolved files are left out.

    `fields_by_kind`: the figure fields of each kind; `attributes`: the text each row of a kind carries;
    `sourced`: the fields of a kind that may be read from another row (`<field>__row`, breakdowns).
    """
    rows = {k: _Columns(fields, (attributes or {}).get(k, ()), (sourced or {}).get(k, ())) for k, fields in fields_by_kind.items()}
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
                    "subject": table.subject,
                    "commune_code": code,
                    "sha256": rec.sha256,
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
    return pl.DataFrame(rows, schema=schema).unique("commune_code", keep="first", maintain_order=True)


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
            rows.append({**f, "source_file": rec.entry.rel, "source_sheet": f.get("sheet") or None, "commune_code": rec.commune_code})
    return failure_rows(rows)


def skipped_failures(skipped) -> pl.DataFrame:
    """A symbolic link under --raw is reported (rule not_followed) rather than silently ignored."""
    return failure_rows([{"source_file": s.rel, "rule": "not_followed", "value": s.rel} for s in skipped if s.reason == "symlink"])
