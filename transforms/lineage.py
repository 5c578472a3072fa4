"""Lineage: the source cell behind every figure of an accepted village (file, sheet, A1 cell, SHA-256)."""

from __future__ import annotations

import polars as pl


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


_COLUMN_LETTERS = {n: _letters(n) for n in range(1, 16385)}  # A to XFD: every column a sheet can have, whatever --max-columns


def column_letters(col: pl.Expr) -> pl.Expr:
    """1-based column number -> its letters (3 -> "C")."""
    return col.replace_strict(_COLUMN_LETTERS, default=None, return_dtype=pl.Utf8)


def source_cell() -> pl.Expr:
    """`cell`: the A1 reference of a lineage row's `column` and `source_row` (3, 12 -> "C12")."""
    return (column_letters(pl.col("column")) + pl.col("source_row").cast(pl.Utf8)).alias("cell")


def cell_lineage(rows: pl.LazyFrame, fields: list[str], tables: pl.LazyFrame, columns: pl.LazyFrame,
                 as_field: dict[str, str] | None = None) -> pl.LazyFrame:
    """One row per (village, field): the value and the cell it was read from, in the order of
    commune, file, sheet, row, column and field.

    `rows` carries commune_code, village_name, section and, per field, `<field>`,
    `<field>__table` and `<field>__row` (the table and sheet row the value came from).
    `as_field` names a field's cells after the figure they add to (a decrease's parts as the decrease).
    """
    parts = []
    for f in fields:
        parts.append(
            rows.filter(pl.col(f).is_not_null() & pl.col(f"{f}__table").is_not_null()).select(
                "commune_code",
                "village_name",
                "section",
                pl.lit(f).alias("field"),
                pl.col(f).cast(pl.Float64).alias("value"),
                pl.col(f"{f}__table").cast(pl.Int32).alias("table_id"),
                pl.col(f"{f}__row").cast(pl.Int32).alias("source_row"),
            )
        )
    if not parts:
        return pl.LazyFrame(schema={"commune_code": pl.Utf8, "field": pl.Utf8})
    # In order (commune, file, sheet, row, column, field), sorted while the rows are narrow: each table
    # placed once among the files and sheets, the file names and hashes joined in after the sort
    # (sorting the finished national lineage held a second copy of it: the run's memory peak).
    place = (
        tables.select("table_id", "source_file", "source_sheet")
        .sort("source_file", "source_sheet", nulls_last=True)
        .with_columns(
            (
                pl.col("source_file").ne_missing(pl.col("source_file").shift())
                | pl.col("source_sheet").ne_missing(pl.col("source_sheet").shift())
            )
            .cum_sum()
            .alias("_place")
        )
        .select("table_id", "_place")
    )
    long = (
        pl.concat(parts)
        .join(columns, on=["table_id", "field"], how="left")
        .with_columns(pl.col("field").replace(as_field or {}))
        .join(place, on="table_id", how="left")
        .sort("commune_code", "_place", "source_row", "column", "field", nulls_last=True, maintain_order=True)
    )
    return (
        long.join(
            tables.select("table_id", "source_file", "source_sheet", "sha256"), on="table_id", how="left", maintain_order="left"
        )
        .with_columns(source_cell())
        .select(
            "commune_code",
            "village_name",
            "section",
            "field",
            "value",
            "source_file",
            "source_sheet",
            "cell",
            "source_row",
            "column",
            "sha256",
        )
    )
