"""Roadmap figures (lộ trình 2026–2030): items by year, their checks, commune and province sums.

`items` frames hold one row per typed cell: commune_code, source_file, source_sheet, table_id,
source_row, row_kind ("item" for a year, "total" for the "Cộng" line), year (text: "2026" or
"total"), item, item_label, item_kind, unit, value.
"""

from __future__ import annotations

import polars as pl

from .checks import AT_HEADER, as_failures, int_text

_BLOCK = ["commune_code", "source_file", "source_sheet"]  # one roadmap table of a commune's file
FIGURE = "value"  # the figure's column: a failure names its item as its field and is found at this column (`at`)


# money stated in other units ("Đơn vị tính: đồng") as million VND, the unit of every budget figure we publish
TO_MILLION_VND = {"vnd": 1e-6, "thousand_vnd": 1e-3, "billion_vnd": 1e3}


def roadmap_items(typed: pl.LazyFrame, tables: pl.LazyFrame) -> pl.LazyFrame:
    """Every typed cell with its commune and source, money in million VND."""
    other_money = pl.col("unit").is_in(list(TO_MILLION_VND))
    scale = pl.col("unit").replace_strict(TO_MILLION_VND, default=1.0, return_dtype=pl.Float64)
    # in the typed rows' order: a check that points at a block's first cell points at the same one every run
    tables = tables.select("table_id", "commune_code", "source_file", "source_sheet")
    return typed.join(tables, on="table_id", maintain_order="left").select(
        *_BLOCK, "table_id", pl.col("row").alias("source_row"), "row_kind", "year", "item", "item_label", "item_kind",
        pl.when(other_money).then(pl.lit("million_vnd")).otherwise(pl.col("unit")).alias("unit"),
        pl.when(other_money).then((pl.col("value") * scale).round(6)).otherwise(pl.col("value")).alias("value"),
    )


def _years(items: pl.LazyFrame) -> pl.LazyFrame:
    return items.filter(pl.col("row_kind") == "item")


def roadmap_total_mismatches(items: pl.LazyFrame) -> pl.LazyFrame:
    """A "Cộng" cell that differs from its item's years summed (rule total_row_matches_sum, a warning)."""
    sums = _years(items).group_by(*_BLOCK, "item").agg(pl.col("value").sum().alias("_sum"))
    totals = items.filter(pl.col("row_kind") == "total").join(sums, on=[*_BLOCK, "item"], how="inner")
    return as_failures(
        totals.filter(pl.col("value").is_not_null() & ((pl.col("value") - pl.col("_sum")).abs() > 1e-9)).select(
            "table_id",
            pl.col("source_row").alias("row"),
            pl.col("item").alias("field"),  # named by its item, found at the figure's column
            pl.lit(FIGURE).alias("at"),
            pl.lit("total_row_matches_sum").alias("rule"),
            int_text(pl.col("value")).alias("value"),
            int_text(pl.col("_sum")).alias("expected"),
            pl.lit("total").alias("detail"),
        )
    )


def budget_source_mismatches(items: pl.LazyFrame) -> pl.LazyFrame:
    """A year's budget_total that its sources, where given, do not add up to (rule budget_sources_sum)."""
    budget = _years(items).filter(pl.col("item_kind") == "budget")
    sources = (
        budget.filter(pl.col("item") != "budget_total").group_by(*_BLOCK, "year").agg(pl.col("value").sum().alias("_sources"))
    )
    totals = budget.filter(pl.col("item") == "budget_total").join(sources, on=[*_BLOCK, "year"], how="inner")
    return as_failures(
        totals.filter(pl.col("value").is_not_null() & ((pl.col("value") - pl.col("_sources")).abs() > 1e-6)).select(
            "table_id",
            pl.col("source_row").alias("row"),
            pl.col("item").alias("field"),
            pl.lit(FIGURE).alias("at"),
            pl.lit("budget_sources_sum").alias("rule"),
            int_text(pl.col("value")).alias("value"),
            int_text(pl.col("_sources")).alias("expected"),
            pl.col("year").alias("detail"),
        )
    )


def roadmap_year_gaps(items: pl.LazyFrame, period: tuple[int, int]) -> pl.LazyFrame:
    """A roadmap that lacks a year of the period or gives one outside it (rule roadmap_years), once per table."""
    wanted = set(range(period[0], period[1] + 1))
    first = items.group_by(_BLOCK).agg(
        pl.col("table_id").min(), pl.col("year").filter(pl.col("row_kind") == "item").unique().alias("_years")
    )
    given = pl.col("_years").list.eval(pl.element().cast(pl.Int64, strict=False))
    missing = given.list.set_difference(pl.lit(sorted(wanted), dtype=pl.List(pl.Int64)))
    lacking = pl.lit(sorted(wanted), dtype=pl.List(pl.Int64)).list.set_difference(given)
    expected = f"{period[0]}-{period[1]}"
    checked = first.with_columns(lacking.alias("_lacking"), missing.alias("_outside"))
    as_text = lambda e: e.list.sort().cast(pl.List(pl.Utf8)).list.join(", ")  # noqa: E731
    return as_failures(
        pl.concat([
            checked.filter(pl.col("_lacking").list.len() > 0).select(
                "table_id", pl.lit("roadmap_years").alias("rule"), as_text(pl.col("_lacking")).alias("value"),
                pl.lit(expected).alias("expected"), pl.lit("years_missing").alias("detail"), pl.lit(AT_HEADER).alias("at")),
            checked.filter(pl.col("_outside").list.len() > 0).select(
                "table_id", pl.lit("roadmap_years").alias("rule"), as_text(pl.col("_outside")).alias("value"),
                pl.lit(expected).alias("expected"), pl.lit("years_outside").alias("detail"), pl.lit(AT_HEADER).alias("at")),
        ])
    )


def roadmap_against_plan(items: pl.LazyFrame, plan: pl.LazyFrame, year: int) -> pl.LazyFrame:
    """Poor reductions over the period above the plan's poor households (roadmap_within_baseline), and the
    run year's reduction unlike the plan's total planned reduction (roadmap_matches_plan).

    `plan`: (commune_code, poor_households, poor_reduction_target) of accepted plans.
    """
    poor = _years(items).filter(pl.col("item") == "poor_reduction")
    over = (
        poor.group_by(_BLOCK)
        # at the first year's cell of the last row of poor reductions, whatever the rows' order (it moved between runs)
        .agg(pl.col("value").sum().alias("_sum"), pl.col("table_id").min(), pl.col("source_row").max())
        .join(plan, on="commune_code", how="inner")
        .filter(pl.col("poor_households").is_not_null() & (pl.col("_sum") > pl.col("poor_households")))
        .select(
            "table_id",
            pl.col("source_row").alias("row"),
            pl.lit("poor_reduction").alias("field"),
            pl.lit(FIGURE).alias("at"),
            pl.lit("roadmap_within_baseline").alias("rule"),
            int_text(pl.col("_sum")).alias("value"),
            int_text(pl.col("poor_households")).alias("expected"),
        )
    )
    differs = (
        poor.filter(pl.col("year") == str(year))
        .join(plan, on="commune_code", how="inner")
        .filter(
            pl.col("poor_reduction_target").is_not_null()
            & pl.col("value").is_not_null()
            & ((pl.col("value") - pl.col("poor_reduction_target")).abs() > 1e-9)
        )
        .select(
            "table_id",
            pl.col("source_row").alias("row"),
            pl.lit("poor_reduction").alias("field"),
            pl.lit(FIGURE).alias("at"),
            pl.lit("roadmap_matches_plan").alias("rule"),
            int_text(pl.col("value")).alias("value"),
            int_text(pl.col("poor_reduction_target")).alias("expected"),
            pl.col("year").alias("detail"),
        )
    )
    return as_failures(pl.concat([over, differs], how="diagonal_relaxed"))


def roadmap_rows(items: pl.LazyFrame) -> pl.LazyFrame:
    """The roadmap's values by year (the "Cộng" line is never a year), one row per commune x year x item."""
    return _years(items).with_columns(pl.col("year").cast(pl.Int64, strict=False)).filter(pl.col("year").is_not_null())


def roadmap_commune_totals(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Per commune: the years given, households lifted out of poverty and budget over the period; null where the
    roadmap gives no such item (a roadmap of sources without their total read 0 budget)."""
    def over_the_period(item: str) -> pl.Expr:
        values = pl.col("value").filter(pl.col("item") == item)
        return pl.when(values.count() > 0).then(values.sum()).otherwise(None).alias(item)

    return rows.group_by("commune_code").agg(
        pl.col("year").n_unique().cast(pl.Int64).alias("years"), over_the_period("poor_reduction"),
        over_the_period("budget_total"))


def roadmap_provinces(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Sums per province x year x item over the communes given (accepted ones), with how many gave it; to the đồng
    (6 decimals of a million): summed in whatever order the groups were split, two runs of the same files differed in
    the 12th decimal (seen comparing runs)."""
    return rows.group_by("province_code", "year", "item_kind", "item", "unit").agg(
        pl.col("value").sum().round(6), pl.col("commune_code").n_unique().cast(pl.Int64).alias("communes")
    )
