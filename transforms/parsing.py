"""Raw table rows (Excel numbers and cell text side by side) to typed values with a status per cell."""

from __future__ import annotations

import polars as pl

from .numbers import decimals_shown, parsed_number, _EN_EVIDENCE, _VI_EVIDENCE, clean_text


def _table_decimal_comma(fields: list[str]) -> pl.Expr:
    """Per table: ',' is the decimal mark unless only '.' decimals were ever written."""
    texts = [clean_text(pl.col(f"{f}__text")) for f in fields]
    vi = pl.any_horizontal([t.str.contains(_VI_EVIDENCE).fill_null(False) for t in texts]).any().over("table_id")
    en = pl.any_horizontal([t.str.contains(_EN_EVIDENCE).fill_null(False) for t in texts]).any().over("table_id")
    return vi | ~en


def typed_rows(raw: pl.LazyFrame, counts: list[str], rates: list[str], zero_markers: list[str]) -> pl.LazyFrame:
    """Each count and rate field as `<field>` (Float64) plus `<field>__status`; rates also keep
    `<field>__pct_sign` and `<field>__decimals` (what the cell showed).

    Empty count cells are zero when the table has the column (`<field>__present`).
    """
    comma = _table_decimal_comma(counts + rates).alias("_decimal_comma")
    frame = raw.with_columns(comma)
    c = pl.col("_decimal_comma")
    parsed = [
        parsed_number(pl.col(f"{f}__num"), pl.col(f"{f}__text"), c, zero_markers).alias(f"_{f}") for f in counts
    ] + [
        parsed_number(pl.col(f"{f}__num"), pl.col(f"{f}__text"), c, zero_markers, percent=True).alias(f"_{f}")
        for f in rates
    ]
    frame = frame.with_columns(parsed)
    out = []
    for f in counts:
        status = pl.col(f"_{f}").struct.field("status")
        # an empty cell in a column the table has means zero; a column it lacks stays null
        present = pl.col(f"{f}__present") if f"{f}__present" in raw.collect_schema() else pl.lit(True)
        value = pl.when((status == "empty") & present.fill_null(False)).then(0.0).otherwise(pl.col(f"_{f}").struct.field("value"))
        out += [value.alias(f), status.alias(f"{f}__status")]
    for f in rates:
        value = pl.col(f"_{f}").struct.field("value")
        out += [
            value.alias(f),
            pl.col(f"_{f}").struct.field("status").alias(f"{f}__status"),
            pl.col(f"_{f}").struct.field("percent_sign").alias(f"{f}__pct_sign"),
            decimals_shown(value, pl.col(f"{f}__text")).alias(f"{f}__decimals"),
        ]
    return frame.with_columns(out).drop([f"_{f}" for f in counts + rates] + ["_decimal_comma"])


def raw_text(field: str) -> pl.Expr:
    """The cell as the commune wrote it: its text, else its number without a trailing .0."""
    num = pl.col(f"{field}__num")
    as_text = pl.when(num == num.round(0)).then(num.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(num.cast(pl.Utf8))
    return pl.coalesce(pl.col(f"{field}__text"), as_text)
