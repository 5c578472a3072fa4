"""Checks that look across rows of a table: declared totals, stated rates, duplicate villages.

Each returns failures as (table_id, row, field, rule, value, expected, detail).
"""

from __future__ import annotations

import polars as pl

from .numbers import UNUSABLE
from .rates import exact_pct, excel_round, rate_pct

VILLAGE, TOTAL, SUBTOTAL = "village", "total", "subtotal"
FAILURE_SCHEMA = {
    "table_id": pl.Int32,
    "row": pl.Int32,
    "field": pl.Utf8,
    "rule": pl.Utf8,
    "value": pl.Utf8,
    "expected": pl.Utf8,
    "detail": pl.Utf8,
    # where a failure's cell is, when its field is no column of the table: another field's column (a list's village for
    # its counts against the annex), or "header": the table's header, for a failure of the whole table (an indicator of
    # the standard missing); null: the row and the field's own column
    "at": pl.Utf8,
}
AT_HEADER = "header"


def as_failures(frame: pl.LazyFrame) -> pl.LazyFrame:
    """A frame of failures in FAILURE_SCHEMA's columns and types; a column it lacks is null."""
    names = frame.collect_schema().names()
    return frame.select([pl.col(c).cast(t) if c in names else pl.lit(None, t).alias(c) for c, t in FAILURE_SCHEMA.items()])


def int_text(value: pl.Expr) -> pl.Expr:
    """A figure as text: a whole number without decimals, else to 6 decimals (a sum of budgets in million VND is no
    "1609.3999999999999" in a message; independent probe, Sơn La)."""
    return pl.when(value == value.round(0)).then(value.cast(pl.Int64).cast(pl.Utf8)).otherwise(value.round(6).cast(pl.Utf8))


def total_row_mismatches(rows: pl.LazyFrame, counts: list[str]) -> pl.LazyFrame:
    """A declared total or subtotal that differs from the sum of its villages (rule total_row_matches_sum).

    Grand totals cover every village of the table; subtotals the villages of
    their section. A field is compared only when all its cells in scope parsed.
    """
    villages = rows.filter(pl.col("row_kind") == VILLAGE)
    # a field no village gives (a breakdown stated only under the total) has no sum to compare with
    sums = [pl.col(f).sum().alias(f"{f}__sum") for f in counts] + [
        (pl.col(f"{f}__status").is_in(UNUSABLE).any() | pl.col(f).is_null().all()).alias(f"{f}__bad") for f in counts
    ]
    whole = villages.group_by("table_id").agg(sums)
    by_section = villages.group_by("table_id", "section_index").agg(sums)
    declared = rows.filter(pl.col("row_kind").is_in([TOTAL, SUBTOTAL]))
    grand = declared.filter(pl.col("row_kind") == TOTAL).join(whole, on="table_id", how="inner")
    sub = declared.filter(pl.col("row_kind") == SUBTOTAL).join(by_section, on=["table_id", "section_index"], how="inner")
    both = pl.concat([grand, sub], how="diagonal_relaxed")
    parts = []
    for f in counts:
        parts.append(
            both.filter(
                (pl.col(f"{f}__status") == "ok")
                & ~pl.col(f"{f}__bad")
                & pl.col(f).is_not_null()
                & ((pl.col(f) - pl.col(f"{f}__sum")).abs() > 1e-9)
            ).select(
                "table_id",
                "row",
                pl.lit(f).alias("field"),
                pl.lit("total_row_matches_sum").alias("rule"),
                int_text(pl.col(f)).alias("value"),
                int_text(pl.col(f"{f}__sum")).alias("expected"),
                pl.col("row_kind").alias("detail"),
            )
        )
    return as_failures(pl.concat(parts, how="diagonal_relaxed")) if parts else as_failures(pl.LazyFrame())


def _mode_scores(long: pl.LazyFrame, n_denominators: int) -> pl.LazyFrame:
    """Per (table, field): which scale (percent or fraction) and denominator the stated rates use."""
    exprs = []
    for scale in (1.0, 100.0):
        for k in range(n_denominators):
            exact = exact_pct(pl.col("n"), pl.col(f"d{k}"))
            hit = ((pl.col("s") * scale - exact).abs() <= 0.051) & (pl.col("s") != 0)
            exprs.append(hit.sum().alias(f"m_{int(scale)}_{k}"))
    return long.group_by("table_id", "field").agg(exprs)


def _cut_off(exact: pl.Expr, decimals: pl.Expr) -> pl.Expr:
    """The exact rate cut off (not rounded) to `decimals`: what ROUNDDOWN or TRUNC writes."""
    scale = pl.lit(10.0).pow(decimals.cast(pl.Float64))
    return (exact * scale + 1e-9).floor() / scale


def rate_mismatches(rows: pl.LazyFrame, specs: list[tuple[str, str, list[str]]]) -> pl.LazyFrame:
    """Stated rates that the counts on their row do not give (rule rate_matches_counts, a warning).

    specs: (rate field, numerator field, candidate denominator fields). Per table
    and field the reading that explains most cells is chosen: percent or Excel
    fraction (0.0079 shown as 0.79 %), over total households or over the
    baseline count. A cell is flagged when it differs from the recomputed rate
    rounded half-up to the decimals it shows, from the exact rate cut off there
    (0.78 for 0.7857 is no mistake) and from the exact rate itself (a cell holding
    the whole value, shown with two decimals). 0.83 for 0.79 is flagged: a fixed
    0.05 points of slack let it pass.
    """
    schema = rows.collect_schema()
    n_den = max(len(d) for _, _, d in specs)
    longs = []
    for rate, numerator, denominators in specs:
        if rate not in schema or numerator not in schema:
            continue
        dens = [
            pl.col(d).alias(f"d{k}") if d in schema else pl.lit(None, pl.Float64).alias(f"d{k}")
            for k, d in enumerate(denominators)
        ]
        dens += [pl.lit(None, pl.Float64).alias(f"d{k}") for k in range(len(denominators), n_den)]
        longs.append(
            rows.filter(pl.col(rate).is_not_null() | (pl.col(f"{rate}__status") == "invalid")).select(
                "table_id",
                "row",
                pl.lit(rate).alias("field"),
                pl.col(rate).alias("s"),
                pl.col(f"{rate}__status").alias("status"),
                pl.col(f"{rate}__pct_sign").alias("pct_sign"),
                pl.col(f"{rate}__decimals").alias("decimals"),
                pl.col(f"{rate}__text").alias("text"),
                pl.col(numerator).alias("n"),
                *dens,
            )
        )
    if not longs:
        return as_failures(pl.LazyFrame())
    long = pl.concat(longs, how="vertical_relaxed")
    modes = _mode_scores(long, n_den)
    cols = [f"m_{s}_{k}" for s in (1, 100) for k in range(n_den)]
    best = modes.with_columns(
        pl.concat_list(cols).list.arg_max().alias("_best"),
    ).select("table_id", "field", (pl.col("_best") // n_den).alias("_fraction"), (pl.col("_best") % n_den).alias("_den"))
    judged = long.join(best, on=["table_id", "field"], how="left").with_columns(
        pl.when(pl.col("_fraction").cast(pl.Boolean) & ~pl.col("pct_sign"))
        .then(pl.col("s") * 100)
        .otherwise(pl.col("s"))
        .alias("stated"),
        pl.coalesce([pl.when(pl.col("_den") == k).then(pl.col(f"d{k}")) for k in range(n_den)]).alias("den"),
    )
    decimals = pl.when(pl.col("_fraction").cast(pl.Boolean) & ~pl.col("pct_sign")).then(
        (pl.col("decimals") - 2).clip(0, 6)
    ).otherwise(pl.col("decimals"))
    judged = judged.with_columns(decimals.alias("shown"))
    n_int = pl.col("n").round(0)
    recomputed = rate_pct(n_int, pl.col("den"), pl.col("shown"))
    exact = exact_pct(pl.col("n"), pl.col("den"))
    computable = pl.col("n").is_not_null() & (pl.col("n") == n_int) & (pl.col("den") > 0)
    wrong = (pl.col("status") == "invalid") | (
        computable & ((pl.col("stated") - recomputed).abs() > 1e-9)
        & ((pl.col("stated") - _cut_off(exact, pl.col("shown"))).abs() > 1e-9) & ((pl.col("stated") - exact).abs() > 1e-6)
    )
    return as_failures(
        judged.filter(wrong).select(
            "table_id",
            "row",
            "field",
            pl.lit("rate_matches_counts").alias("rule"),
            # as written; a stored number (a formula's 0.1882151, shown 18,82 %) and the recomputed rate to two decimals,
            # or to the decimals the text shows when more
            pl.coalesce(pl.col("text"), excel_round(pl.col("stated"), 2).cast(pl.Utf8)).alias("value"),
            pl.when(computable).then(rate_pct(n_int, pl.col("den"), pl.when(pl.col("text").is_not_null()).then(
                pl.max_horizontal(pl.col("shown"), pl.lit(2))).otherwise(2).cast(pl.Int32)).round(6).cast(pl.Utf8))
            .alias("expected"),
            pl.lit(None, pl.Utf8).alias("detail"),
        )
    )


def duplicate_villages(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Villages named twice in one section of one table (rule unique_village); the repeats are flagged."""
    villages = rows.filter((pl.col("row_kind") == VILLAGE) & pl.col("name_key").is_not_null())
    key = ["table_id", "section_index", "name_key"]
    grouped = villages.with_columns(
        pl.col("row").rank("ordinal").over(key).alias("_nth"),
        pl.col("row").cast(pl.Utf8).str.join(", ").over(key).alias("_rows"),
        pl.len().over(key).alias("_n"),
    )
    return as_failures(
        grouped.filter((pl.col("_n") > 1) & (pl.col("_nth") > 1)).select(
            "table_id",
            "row",
            pl.lit("village_name").alias("field"),
            pl.lit("unique_village").alias("rule"),
            pl.col("name").alias("value"),
            pl.col("_rows").alias("expected"),
            pl.when(pl.col("section_index") > 0).then(pl.lit("section")).otherwise(pl.lit("commune")).alias("detail"),
        )
    )


def unnamed_villages(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Rows with figures but no village name (rule village_named)."""
    return as_failures(
        rows.filter((pl.col("row_kind") == VILLAGE) & pl.col("name").is_null()).select(
            "table_id", "row", pl.lit("village_name").alias("field"), pl.lit("village_named").alias("rule")
        )
    )
