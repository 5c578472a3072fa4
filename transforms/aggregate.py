"""Village, commune and province figures of the plan annexes; rates always from summed counts."""

from __future__ import annotations

import polars as pl

from schemas.villages import BASELINE, PLAN_BREAKDOWNS, PLAN_COUNTS, REDUCTIONS

from . import breakdowns
from .rates import excel_round, pp_difference, rate_pct

# PLAN_BREAKDOWNS: subsets of the poor and near-poor ("Trong đó"), null where a commune's table does not give them


def village_rows(typed: pl.LazyFrame, tables: pl.LazyFrame, accepted: pl.LazyFrame) -> pl.LazyFrame:
    """Village rows of accepted communes, with provenance and integer counts (contract columns); each
    breakdown with `<field>__row`, the sheet row it was read from."""
    schema = typed.collect_schema()
    given = [f for f in PLAN_BREAKDOWNS if f in schema]
    return (
        typed.filter(pl.col("row_kind") == "village")
        .join(tables.select("table_id", "commune_code", "source_file", "source_sheet"), on="table_id")
        .join(accepted.select("commune_code"), on="commune_code", how="semi")
        .select(
            "commune_code",
            pl.col("name").alias("village_name"),
            "section",
            *[pl.col(f).round(0).cast(pl.Int64) for f in PLAN_COUNTS],
            *[pl.col(f).round(0).cast(pl.Int64) if f in given else pl.lit(None, pl.Int64).alias(f) for f in PLAN_BREAKDOWNS],
            "source_file",
            "source_sheet",
            pl.col("row").alias("source_row"),
            *[breakdowns.source_row(f, schema).alias(f"{f}__row") for f in PLAN_BREAKDOWNS],
            "table_id",
        )
    )


def commune_totals(villages: pl.LazyFrame) -> pl.LazyFrame:
    """Per commune: village count, summed counts, rates recomputed from the sums."""
    return (
        villages.group_by("commune_code")
        .agg(
            pl.len().cast(pl.Int64).alias("villages"),
            *[pl.col(f).sum() for f in BASELINE],
            *[breakdowns.given_sum(f) for f in REDUCTIONS],  # a commune's cut is unknown when no village gives it
            *[breakdowns.given_sum(f) for f in PLAN_BREAKDOWNS],
        )
        .with_columns(rates("total_households"))
    )


def rates(total: str) -> list[pl.Expr]:
    """The rate columns of a row of summed counts."""
    return [
        rate_pct(pl.col("poor_households"), pl.col(total)).alias("poor_rate_pct"),
        rate_pct(pl.col("near_poor_households"), pl.col(total)).alias("near_poor_rate_pct"),
        rate_pct(pl.col("poor_reduction_target"), pl.col(total)).alias("planned_poor_reduction_pp"),
    ]


def target_attainment(communes: pl.LazyFrame, targets: pl.LazyFrame) -> pl.LazyFrame:
    """Assigned targets joined by commune; planned >= assigned, both at 2 decimals (half-up). A target given as
    households to lift, not in points, is those households over the commune's own total (so that it is met when the
    plan lifts as many), else over the total the targets give (a commune whose plan gives none)."""
    reach = "assigned_rate_to_reach" in targets.collect_schema().names()
    assigned = targets.select(
        "commune_code", "assigned_poor_reduction_pp", "assigned_poor_reduction_households", "targets_total_households",
        pl.col("assigned_rate_to_reach") if reach else pl.lit(None, pl.Float64).alias("assigned_rate_to_reach"),
    )
    in_households = rate_pct(
        pl.col("assigned_poor_reduction_households"), pl.coalesce("total_households", "targets_total_households")
    )
    # a rate to reach the workbook gives no rate to start from for: the cut from the commune's own rate (its plan's); an
    # Excel percentage (0.0538 for 5,38 %) where below a twentieth of that rate in percent
    own, to_reach = pl.col("poor_rate_pct"), pl.col("assigned_rate_to_reach")
    from_own_rate = (pp_difference(own, excel_round(pl.when(to_reach * 20 < own).then(to_reach * 100).otherwise(to_reach)))
                     if "poor_rate_pct" in communes.collect_schema().names() else pl.lit(None, pl.Float64))
    return communes.join(assigned, on="commune_code", how="left").with_columns(
        pl.coalesce(excel_round(pl.col("assigned_poor_reduction_pp")), in_households, from_own_rate)
        .alias("assigned_poor_reduction_pp")
    ).drop("assigned_poor_reduction_households", "targets_total_households", "assigned_rate_to_reach").with_columns(
        pl.when(pl.col("planned_poor_reduction_pp").is_not_null() & pl.col("assigned_poor_reduction_pp").is_not_null())
        .then(pl.col("planned_poor_reduction_pp") >= pl.col("assigned_poor_reduction_pp") - 1e-9)
        .otherwise(None)
        .alias("meets_assigned_target")
    )


def provincial_figures(communes: pl.LazyFrame, expected: pl.LazyFrame) -> pl.LazyFrame:
    """One row per province: commune counts by status, sums over accepted communes, rates from sums.

    `expected` holds (province_code, communes_expected).
    """
    accepted = pl.col("status") == "accepted"
    figures = communes.group_by("province_code").agg(
        accepted.sum().cast(pl.Int64).alias("communes_accepted"),
        (pl.col("status") == "rejected").sum().cast(pl.Int64).alias("communes_rejected"),
        *[pl.col(f).filter(accepted).sum().cast(pl.Int64).alias(f) for f in BASELINE],
        # a planned cut no accepted commune gives is unknown, not 0 ("0 near-poor households to lift" said the summary)
        *[breakdowns.given_sum(f, accepted).cast(pl.Int64) for f in REDUCTIONS],
        *breakdowns.province_sums(PLAN_BREAKDOWNS, accepted),
        (accepted & (pl.col("meets_assigned_target") == True)).sum().cast(pl.Int64).alias("communes_meeting_target"),  # noqa: E712
        (accepted & (pl.col("meets_assigned_target") == False)).sum().cast(pl.Int64).alias("communes_below_target"),  # noqa: E712
    )
    return (
        expected.join(figures, on="province_code", how="left")
        .with_columns(
            pl.col("communes_accepted", "communes_rejected", "communes_meeting_target", "communes_below_target").fill_null(0),
            *[pl.col(f).fill_null(0) for f in BASELINE],
            *[pl.col(f"{f}_communes").fill_null(0) for f in PLAN_BREAKDOWNS],
        )
        .with_columns(
            (pl.col("communes_expected") - pl.col("communes_accepted") - pl.col("communes_rejected"))
            .clip(0)
            .alias("communes_missing"),
            *rates("total_households"),
        )
    )
