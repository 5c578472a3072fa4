"""Assemble the output tables of the plan annexes: villages, communes, provinces."""

from __future__ import annotations

import polars as pl

from schemas.rules import RULE_BY_ID
from transforms import aggregate

from .reference import Reference

ERROR_RULES = [r.id for r in RULE_BY_ID.values() if r.severity == "error"]


def commune_status(failures: pl.DataFrame, submitted: pl.DataFrame, kind: str) -> pl.DataFrame:
    """accepted / rejected per submitted commune: any error on its file for this kind rejects it.

    `submitted`: (commune_code, source_file) of the file in use for `kind`.
    """
    errors = failures.filter(
        pl.col("rule").is_in(ERROR_RULES) & (pl.col("kind").is_null() | (pl.col("kind") == kind)) & pl.col("commune_code").is_not_null()
    ).join(submitted, on=["commune_code", "source_file"], how="semi")
    rejected = errors.select("commune_code").unique()
    return submitted.with_columns(
        pl.when(pl.col("commune_code").is_in(rejected["commune_code"].implode())).then(pl.lit("rejected")).otherwise(pl.lit("accepted")).alias("status")
    )


def _names(ref: Reference) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "commune_code": [u.commune_code for u in ref.units],
            "commune_name": [u.commune_name for u in ref.units],
            "province_code": [u.province_code for u in ref.units],
            "province_name": [u.province_name for u in ref.units],
        }
    )


def plan_outputs(
    typed: pl.DataFrame,
    tables: pl.DataFrame,
    status: pl.DataFrame,
    targets: pl.DataFrame,
    expected: pl.DataFrame,
    ref: Reference,
    run_id: str,
    year: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """villages.parquet, communes.parquet and provinces.parquet as frames (contract columns first)."""
    names = _names(ref).lazy()
    accepted = status.filter(pl.col("status") == "accepted").lazy()
    villages = (
        aggregate.village_rows(typed.lazy(), tables.lazy(), accepted)
        .join(names, on="commune_code", how="left")
        .with_columns(pl.lit(run_id).alias("run_id"), pl.lit(year, pl.Int64).alias("year"))
        .sort("commune_code", "source_file", "source_sheet", "source_row")
    )
    villages_out = villages.select(
        "run_id", "year", "province_code", "province_name", "commune_code", "commune_name", "village_name", "section",
        *aggregate.PLAN_COUNTS, "source_file", "source_sheet", "source_row",
    ).collect()
    totals = aggregate.commune_totals(villages)
    communes = (
        status.lazy()
        .join(totals, on="commune_code", how="left")
        .join(names, on="commune_code", how="left")
        .pipe(aggregate.target_attainment, targets.lazy())
        .with_columns(pl.lit(run_id).alias("run_id"), pl.lit(year, pl.Int64).alias("year"))
    )
    figures = [
        "villages", *aggregate.PLAN_COUNTS, "poor_rate_pct", "near_poor_rate_pct", "planned_poor_reduction_pp",
    ]
    communes_out = (
        communes.with_columns(
            [pl.when(pl.col("status") == "accepted").then(pl.col(c)).otherwise(None).alias(c) for c in figures]
        )
        .select(
            "run_id", "year", "province_code", "province_name", "commune_code", "commune_name", "status",
            "villages", "total_households", "poor_households", "near_poor_households",
            "poor_rate_pct", "near_poor_rate_pct", "poor_reduction_target", "near_poor_reduction_target",
            "planned_poor_reduction_pp", "assigned_poor_reduction_pp", "meets_assigned_target", "source_file",
        )
        .sort("commune_code")
        .collect()
    )
    provinces = (
        aggregate.provincial_figures(communes_out.lazy(), expected.lazy())
        .join(names.select("province_code", "province_name").unique(), on="province_code", how="left")
        .with_columns(pl.lit(run_id).alias("run_id"), pl.lit(year, pl.Int64).alias("year"))
        .select(
            "run_id", "year", "province_code", "province_name", "communes_expected", "communes_accepted",
            "communes_rejected", "communes_missing", "total_households", "poor_households", "near_poor_households",
            "poor_rate_pct", "near_poor_rate_pct", "poor_reduction_target", "near_poor_reduction_target",
            "planned_poor_reduction_pp", "communes_meeting_target", "communes_below_target",
        )
        .sort("province_code")
        .collect()
    )
    return villages_out, communes_out, provinces


def expected_communes(ref: Reference, provinces: list[str], targets: pl.DataFrame) -> pl.DataFrame:
    """(province_code, communes_expected): the province's units in the targets workbook, else in the official list."""
    rows = []
    target_codes = set(targets["commune_code"]) if not targets.is_empty() else set()
    for p in provinces:
        units = {u.commune_code for u in ref.province_units(p)}
        in_targets = units & target_codes
        rows.append({"province_code": p, "communes_expected": len(in_targets) if in_targets else len(units)})
    return pl.DataFrame(rows, schema={"province_code": pl.Utf8, "communes_expected": pl.Int64})


def results_outputs(
    typed_results: pl.DataFrame,
    typed_plans: pl.DataFrame,
    tables: pl.DataFrame,
    status: pl.DataFrame,
    plan_communes: pl.DataFrame,
    ref: Reference,
    run_id: str,
    year: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """results_villages, results_communes, the province's results columns, and cross-table warnings."""
    from transforms import results as R

    names = _names(ref).lazy()
    merged = R.results_village_rows(typed_results.lazy(), tables.lazy()).collect()
    plan_rows = (
        typed_plans.lazy()
        .filter(pl.col("row_kind") == "village")
        .join(tables.lazy().select("table_id", "commune_code"), on="table_id")
    )
    accepted_plans = plan_communes.filter(pl.col("status") == "accepted")
    cross = pl.concat(
        [
            R.plan_comparison(merged.lazy(), plan_rows.join(accepted_plans.lazy().select("commune_code"), on="commune_code", how="semi")).collect(),
            R.flow_moves_mismatches(merged.lazy()).collect(),
        ],
        how="vertical_relaxed",
    )
    accepted = status.filter(pl.col("status") == "accepted").select("commune_code")
    villages = (
        merged.lazy()
        .join(accepted.lazy(), on="commune_code", how="semi")
        .join(names, on="commune_code", how="left")
        .with_columns(pl.lit(run_id).alias("run_id"), pl.lit(year, pl.Int64).alias("year"))
    )
    counts = [
        c for c in merged.columns
        if c not in ("commune_code", "name_key", "village_name", "section", "section_index", "source_file", "source_sheet", "source_row", "table_id")
    ]
    villages_out = (
        villages.with_columns([pl.col(c).round(0).cast(pl.Int64) for c in counts])
        .select(
            "run_id", "year", "province_code", "commune_code", "commune_name", "village_name", "section",
            "total_households_end", "poor_households_start", "poor_households_end", "poor_decrease", "poor_increase",
            "near_poor_households_start", "near_poor_households_end", "near_poor_decrease", "near_poor_increase",
            *[c for c in counts if c not in R.SUMMED],
            "source_file", "source_sheet", "source_row",
        )
        .sort("commune_code", "source_file", "source_row")
        .collect()
    )
    plan_totals = accepted_plans.select(
        "commune_code",
        pl.col("total_households").alias("plan_total_households"),
        "planned_poor_reduction_pp",
        "assigned_poor_reduction_pp",
    )
    totals = R.results_commune_totals(villages_out.lazy(), plan_totals.lazy().drop("assigned_poor_reduction_pp"))
    assigned = plan_communes.select("commune_code", "assigned_poor_reduction_pp")
    communes = (
        status.lazy()
        .join(totals.drop("source_file"), on="commune_code", how="left")
        .join(names, on="commune_code", how="left")
        .join(assigned.lazy(), on="commune_code", how="left")
        .with_columns(pl.lit(run_id).alias("run_id"), pl.lit(year, pl.Int64).alias("year"))
        .pipe(R.actual_attainment)
    )
    figures = ["villages", *R.SUMMED, "poor_rate_start_pct", "poor_rate_end_pct", "near_poor_rate_start_pct",
               "near_poor_rate_end_pct", "actual_poor_reduction_pp", "start_denominator"]
    communes_out = (
        communes.with_columns([pl.when(pl.col("status") == "accepted").then(pl.col(c)).alias(c) for c in figures])
        .select(
            "run_id", "year", "province_code", "commune_code", "commune_name", "status", "villages",
            "total_households_end", "poor_households_start", "poor_households_end",
            "near_poor_households_start", "near_poor_households_end", "poor_decrease", "poor_increase",
            "near_poor_decrease", "near_poor_increase",
            "poor_rate_start_pct", "poor_rate_end_pct", "near_poor_rate_start_pct", "near_poor_rate_end_pct",
            "actual_poor_reduction_pp", "assigned_poor_reduction_pp", "planned_poor_reduction_pp",
            "meets_assigned_target_actual", "meets_own_plan_actual", "assessment", "start_denominator", "source_file",
        )
        .sort("commune_code")
        .collect()
    )
    provinces = R.provincial_results(communes_out.lazy()).collect()
    return villages_out, communes_out.drop("start_denominator"), provinces, cross


def plan_lineage(typed: pl.DataFrame, tables: pl.DataFrame, columns: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """Source cell of every count of every accepted village (for `giamngheo trace`)."""
    from transforms.lineage import cell_lineage

    accepted = status.filter(pl.col("status") == "accepted").lazy()
    rows = aggregate.village_rows(typed.lazy(), tables.lazy(), accepted).with_columns(
        *[pl.col("table_id").alias(f"{f}__table") for f in aggregate.PLAN_COUNTS],
        *[pl.col("source_row").alias(f"{f}__row") for f in aggregate.PLAN_COUNTS],
    )
    return cell_lineage(rows, aggregate.PLAN_COUNTS, tables.lazy(), columns.lazy()).with_columns(pl.lit("plan").alias("kind")).collect()


def results_lineage(typed_results: pl.DataFrame, tables: pl.DataFrame, columns: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """Source cell of the start, end and total counts of every village with accepted results."""
    from transforms import results as R
    from transforms.lineage import cell_lineage

    fields = ["total_households_end", "poor_households_start", "poor_households_end", "near_poor_households_start", "near_poor_households_end"]
    merged = R.results_village_rows(typed_results.lazy(), tables.lazy(), provenance=fields)
    accepted = status.filter(pl.col("status") == "accepted").lazy().select("commune_code")
    rows = merged.join(accepted, on="commune_code", how="semi")
    return cell_lineage(rows, fields, tables.lazy(), columns.lazy()).with_columns(pl.lit("results").alias("kind")).collect()


def plan_findings(lineage: pl.DataFrame, communes: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """Warnings found on the consolidated figures: outliers, baselines unlike the province's own record."""
    from transforms import outliers

    return pl.concat(
        [
            outliers.village_outliers(lineage.lazy()).collect(),
            outliers.commune_outliers(communes.lazy()).collect(),
            outliers.baseline_mismatches(communes.lazy(), targets.lazy()).collect(),
        ],
        how="vertical_relaxed",
    )
