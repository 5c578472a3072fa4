"""Lineage: the source cell behind every figure of an accepted village (file, sheet, A1 cell, SHA-256)."""

from __future__ import annotations

import polars as pl


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


_COLUMN_LETTERS = {n: _letters(n) for n in range(1, 1001)}


def column_letters(col: pl.Expr) -> pl.Expr:
    """1-based column number -> its letters (3 -> "C")."""
    return col.replace_strict(_COLUMN_LETTERS, default=None, return_dtype=pl.Utf8)


def cell_lineage(rows: pl.LazyFrame, fields: list[str], tables: pl.LazyFrame, columns: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (village, field): the value and the cell it was read from.

    `rows` carries commune_code, village_name, section and, per field, `<field>`,
    `<field>__table` and `<field>__row` (the table and sheet row the value came from).
    """
    parts = []
    for f in fields:
        parts.append(
            rows.filter(pl.col(f).is_not_null() & pl.col(f"{f}__table").is_not_null()).select(
                "commune_code",
                "village_name",
                "section",
                pl.lit(f).alias("field"),
                pl.col(f).cast(pl.Int64).alias("value"),
                pl.col(f"{f}__table").cast(pl.Int32).alias("table_id"),
                pl.col(f"{f}__row").cast(pl.Int32).alias("source_row"),
            )
        )
    if not parts:
        return pl.LazyFrame(schema={"commune_code": pl.Utf8, "field": pl.Utf8})
    long = pl.concat(parts)
    return (
        long.join(tables.select("table_id", "source_file", "source_sheet", "sha256"), on="table_id", how="left")
        .join(columns, on=["table_id", "field"], how="left")
        .with_columns((column_letters(pl.col("column")) + pl.col("source_row").cast(pl.Utf8)).alias("cell"))
        .select(
            "commune_code", "village_name", "section", "field", "value", "source_file", "source_sheet", "cell",
            "source_row", "column", "sha256",
        )
    )
