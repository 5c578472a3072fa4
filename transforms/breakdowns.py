"""Breakdowns of the poor and near-poor ("Trong đó: hộ DTTS"): subsets checked against their parent
count, summed by commune and province over those who give them, plans checked against the poor
households able to work.

A breakdown is read from a column of its own or from a row under a village or a total; then its
value sits on the row it breaks down and `<field>__row` names the sheet row it was read from.
"""

from __future__ import annotations

import polars as pl

from schemas.columns import BREAKDOWN_OF

from .checks import as_failures, int_text
from .rates import rate_pct

BROKEN_DOWN = ("village", "total", "subtotal")


def source_row(field: str, schema) -> pl.Expr:
    """The sheet row a field's value was read from: its `__row` when a breakdown row gave it."""
    return pl.coalesce(pl.col(f"{field}__row"), pl.col("row")) if f"{field}__row" in schema else pl.col("row")


def at_source_rows(failures: pl.DataFrame, typed: pl.DataFrame, fields) -> pl.DataFrame:
    """Failures of a breakdown field moved to the row its value was read from (the "Trong đó" row),
    so that each names the cell the commune must correct."""
    moved = [f for f in fields if f"{f}__row" in typed.columns]
    if failures.is_empty() or not moved:
        return failures
    # only the failing rows' sources: a national plan's 100,000 rows made a row per field each (0.35 s)
    failing = typed.lazy().join(failures.lazy().select("table_id", "row").unique(), on=["table_id", "row"], how="semi")
    sources = pl.concat(
        [
            failing.filter(pl.col(f"{f}__row").is_not_null()).select(
                "table_id", "row", pl.lit(f).alias("field"), pl.col(f"{f}__row").alias("_source_row")
            )
            for f in moved
        ]
    ).collect()
    return (
        failures.join(sources, on=["table_id", "row", "field"], how="left")
        .with_columns(pl.coalesce(pl.col("_source_row").cast(pl.Int32), pl.col("row")).alias("row"))
        .drop("_source_row")
    )


def exceeding_parent(rows: pl.LazyFrame, breakdowns: dict[str, str]) -> pl.LazyFrame:
    """A subset above the count it is part of, on a village, a subtotal or a declared total (rule
    breakdown_le_parent, an error): "Trong đó hộ DTTS 12" under 10 poor households."""
    schema = rows.collect_schema()
    parts = []
    for sub, parent in breakdowns.items():
        if sub not in schema or parent not in schema:
            continue
        parts.append(
            rows.filter(
                pl.col("row_kind").is_in(BROKEN_DOWN)
                & (pl.col(sub) >= 0) & (pl.col(parent) >= 0)  # a negative count is reported as such, once
                & (pl.col(sub) > pl.col(parent))
            ).select(
                "table_id",
                source_row(sub, schema).alias("row"),
                pl.lit(sub).alias("field"),
                pl.lit("breakdown_le_parent").alias("rule"),
                int_text(pl.col(sub)).alias("value"),
                int_text(pl.col(parent)).alias("expected"),
                pl.lit(parent).alias("detail"),
            )
        )
    return as_failures(pl.concat(parts, how="diagonal_relaxed")) if parts else as_failures(pl.LazyFrame())


def able_to_work(poor: pl.Expr, no_labour: pl.Expr) -> pl.Expr:
    return poor - no_labour


def infeasible_plans(rows: pl.LazyFrame) -> pl.LazyFrame:
    """A village planning to lift more poor households out of poverty than it has poor households able
    to work (rule plan_feasible, a warning): poor_reduction_target > poor_households - poor_no_labour.
    A declared total is judged when no village of its table gives its households without labour."""
    schema = rows.collect_schema()
    if not {"poor_no_labour", "poor_reduction_target", "poor_households"} <= set(schema):
        return as_failures(pl.LazyFrame())
    villages_give = (pl.col("row_kind") == "village") & pl.col("poor_no_labour").is_not_null()
    judged = rows.with_columns(villages_give.any().over("table_id").alias("_villages_give")).filter(
        ((pl.col("row_kind") == "village") | ((pl.col("row_kind") == "total") & ~pl.col("_villages_give")))
        & pl.col("poor_no_labour").is_not_null()
        & (pl.col("poor_no_labour") >= 0)
        & (pl.col("poor_no_labour") <= pl.col("poor_households"))  # else breakdown_le_parent says it
        & (pl.col("poor_reduction_target") > able_to_work(pl.col("poor_households"), pl.col("poor_no_labour")))
    )
    return as_failures(
        judged.select(
            "table_id",
            "row",
            pl.lit("poor_reduction_target").alias("field"),
            pl.lit("plan_feasible").alias("rule"),
            int_text(pl.col("poor_reduction_target")).alias("value"),
            int_text(able_to_work(pl.col("poor_households"), pl.col("poor_no_labour"))).alias("expected"),
            (int_text(pl.col("poor_households")) + "/" + int_text(pl.col("poor_no_labour"))).alias("detail"),
        )
    )


def given_sum(field: str, among: pl.Expr | None = None) -> pl.Expr:
    """The sum over the rows (`among` them, when given) that give a field; null when none does."""
    giving = pl.col(field).is_not_null() if among is None else among & pl.col(field).is_not_null()
    return pl.when(giving.any()).then(pl.col(field).filter(giving).sum()).otherwise(None).alias(field)


def declared_total_breakdowns(typed: pl.LazyFrame, tables: pl.LazyFrame, fields: list[str]) -> pl.LazyFrame:
    """Per commune, the breakdowns its tables give only on a grand total ("Tổng cộng / - Trong đó: hộ
    DTTS"), no village of that table giving them: commune_code, name (the total's label) and per field
    `<field>`, `<field>__table`, `<field>__total_row` (the cell's table and sheet row). A commune with
    several tables (the results' poor and near-poor forms) takes each field from the first that gives it."""
    schema = typed.collect_schema()
    fields = [f for f in fields if f in schema]
    if not fields:
        return pl.LazyFrame(schema={"commune_code": pl.Utf8, "name": pl.Utf8})
    villages = typed.filter(pl.col("row_kind") == "village").group_by("table_id").agg(
        [pl.col(f).is_not_null().any().alias(f"{f}__villages") for f in fields]
    )
    only_total = {f: ~pl.col(f"{f}__villages").fill_null(False) & pl.col(f).is_not_null() for f in fields}
    totals = (
        typed.filter(pl.col("row_kind") == "total")
        .filter(pl.col("row") == pl.col("row").max().over("table_id"))  # the last total of a table is its grand total
        .join(villages, on="table_id", how="left")
        .join(tables.select("table_id", "commune_code"), on="table_id")
        .sort("table_id")
    )
    return totals.group_by("commune_code", maintain_order=True).agg(
        pl.col("name").first(),
        *[pl.col(f).filter(only_total[f]).first().alias(f) for f in fields],
        *[pl.col("table_id").filter(only_total[f]).first().alias(f"{f}__table") for f in fields],
        *[source_row(f, schema).filter(only_total[f]).first().alias(f"{f}__total_row") for f in fields],
    )


def declared_lineage_rows(typed: pl.LazyFrame, tables: pl.LazyFrame, accepted: pl.LazyFrame, fields: list[str]) -> pl.LazyFrame:
    """The breakdowns accepted communes take from a declared total, as lineage rows (transforms/lineage.py):
    the total's label for the village, each value with its table and sheet row."""
    return (
        declared_total_breakdowns(typed, tables, fields)
        .join(accepted.select("commune_code"), on="commune_code", how="semi")
        .select(
            "commune_code", pl.col("name").alias("village_name"), pl.lit(None, pl.Utf8).alias("section"),
            *[pl.col(f).round(0).cast(pl.Int64) for f in fields],
            *[pl.col(f"{f}__table") for f in fields],
            *[pl.col(f"{f}__total_row").alias(f"{f}__row") for f in fields],
        )
    )


def with_declared_totals(communes: pl.LazyFrame, declared: pl.LazyFrame, fields: list[str]) -> pl.LazyFrame:
    """A commune's breakdown: the sum over its villages, else the one its grand total declares."""
    present = [f for f in fields if f in declared.collect_schema()]
    if not present:
        return communes
    right = declared.select("commune_code", *[pl.col(f).round(0).cast(pl.Int64).alias(f"{f}__declared") for f in present])
    return communes.join(right, on="commune_code", how="left").with_columns(
        [pl.coalesce(pl.col(f), pl.col(f"{f}__declared")).alias(f) for f in present]
    ).drop([f"{f}__declared" for f in present])


def province_sums(fields, accepted: pl.Expr) -> list[pl.Expr]:
    """Per province: each breakdown summed over the accepted communes that give it, and how many do."""
    out = []
    for f in fields:
        out += [
            given_sum(f, accepted).cast(pl.Int64),
            (accepted & pl.col(f).is_not_null()).sum().cast(pl.Int64).alias(f"{f}_communes"),
        ]
    return out



def commune_shares(communes: pl.LazyFrame) -> pl.LazyFrame:
    """Accepted communes that give any breakdown, with the shares of their poor and near-poor (half-up,
    2 decimals), the poor able to work and whether the plan relies on those who cannot (target > able)."""
    given = pl.any_horizontal([pl.col(f).is_not_null() for f in BREAKDOWN_OF])
    able = able_to_work(pl.col("poor_households"), pl.col("poor_no_labour"))
    return (
        communes.filter((pl.col("status") == "accepted") & given)
        .with_columns(
            rate_pct(pl.col("poor_ethnic_minority"), pl.col("poor_households")).alias("poor_ethnic_minority_share_pct"),
            rate_pct(pl.col("near_poor_ethnic_minority"), pl.col("near_poor_households")).alias(
                "near_poor_ethnic_minority_share_pct"
            ),
            rate_pct(pl.col("poor_no_labour"), pl.col("poor_households")).alias("poor_no_labour_share_pct"),
            able.alias("poor_able_to_work"),
            pl.when(pl.col("poor_no_labour").is_not_null() & pl.col("poor_reduction_target").is_not_null())
            .then(pl.col("poor_reduction_target") > able)
            .alias("relies_on_no_labour"),
            (pl.col("poor_reduction_target") - able).clip(lower_bound=0).alias("beyond_able_to_work"),
        )
        .sort("commune_code")
    )


SHARES = {  # share column of commune_shares -> (subset, the count it is part of)
    "poor_ethnic_minority_share_pct": ("poor_ethnic_minority", "poor_households"),
    "near_poor_ethnic_minority_share_pct": ("near_poor_ethnic_minority", "near_poor_households"),
    "poor_no_labour_share_pct": ("poor_no_labour", "poor_households"),
}


def share_totals(shares: pl.LazyFrame) -> pl.LazyFrame:
    """One row over the communes of commune_shares: every count summed (null when no commune gives it), each
    share recomputed from sums over the communes that give its subset, never an average of shares nor over
    communes that do not say (a commune giving only its DTTS households does not lower the no-labour share);
    `<subset>_communes` how many give it, `relies_on_no_labour` the communes whose plan relies on households
    without labour capacity and `beyond_able_to_work` their sum."""
    schema = shares.collect_schema()
    counts = [c for c in ("poor_households", "near_poor_households", "poor_reduction_target", "poor_ethnic_minority",
                          "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit", "poor_able_to_work")
              if c in schema]
    out = [given_sum(c) for c in counts]
    for share, (part, whole) in SHARES.items():
        giving = pl.col(part).is_not_null() & pl.col(whole).is_not_null()
        out += [rate_pct(pl.col(part).filter(giving).sum(), pl.col(whole).filter(giving).sum()).alias(share),
                giving.sum().cast(pl.Int64).alias(f"{part}_communes")]
    relying = pl.col("relies_on_no_labour").fill_null(False)
    out += [relying.sum().cast(pl.Int64).alias("relies_on_no_labour"),
            pl.col("beyond_able_to_work").filter(relying).sum().cast(pl.Int64).alias("beyond_able_to_work")]
    return shares.select(out)
