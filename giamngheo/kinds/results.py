"""Year-end results (kết quả rà soát, diễn biến): start, movements and end per village, against the plan."""

from __future__ import annotations

from functools import partial

import polars as pl

from schemas.results import (
    RESULTS_BREAKDOWN_FIELDS, RESULTS_BREAKDOWNS, RESULTS_COUNTS, RESULTS_RATE_SPECS, RESULTS_RATES, ResultsCommunes,
    ResultsProvinces, ResultsRows, ResultsVillages,
)
from transforms import aggregate, breakdowns, checks, results as R
from transforms.lineage import cell_lineage

from ..figures import accepted_only, commune_status, unit_names, with_run
from ..kind_words import KIND_WORDS
from ..layout.vocabulary import load_vocabulary
from ..frames import village_keys
from .base import PROVENANCE, Context, Figures, Kind, Output
from .plan import COMMUNES as PLAN_COMMUNES, VILLAGE_TABLE_CHECKS

VILLAGES = Output("results_villages.parquet", ResultsVillages, "village")
COMMUNES = Output("results_communes.parquet", ResultsCommunes, "commune")
PROVINCES = Output("provinces.parquet", ResultsProvinces, "province")
TRACED = [
    "total_households_end",
    "poor_households_start",
    "poor_households_end",
    "near_poor_households_start",
    "near_poor_households_end",
    *R.MOVEMENTS,
    *RESULTS_BREAKDOWN_FIELDS,
]
_NOT_COUNTS = {"commune_code", "name_key", "village_name", "section", "section_index", "table_id", *PROVENANCE}
_FIGURES = ["villages", *R.SUMMED, "poor_rate_start_pct", "poor_rate_end_pct", "near_poor_rate_start_pct",
            "near_poor_rate_end_pct", "actual_poor_reduction_pp", "start_denominator", *RESULTS_BREAKDOWN_FIELDS]


def _numbered_alike(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Rows keyed by their names' village_key: a numbered neighbourhood one village however each sheet writes it ("KP 01"
    of "Kết quả rà soát", "Khu phố 1" of "Diễn biến HN", "KP1" of "Diễn biến HCN": one village's figures over three
    villages, both end counts summed; urban wards judge, HCM). The forms merge within a section, where two villages of
    one number (one per former ward) are told apart."""
    return rows.with_columns(village_keys(pl.col("name")).alias("name_key"))


def results_figures(ctx: Context) -> Figures:
    """Villages merged across the results forms; actual cuts of the poor rate against targets and plan."""
    status = commune_status(ctx.failures, ctx.submitted["results"], "results")
    names = unit_names(ctx.ref).lazy()
    merged = R.results_village_rows(_numbered_alike(ctx.typed["results"].lazy()), ctx.tables.lazy()).collect()
    plan_communes = ctx.done["plan"].tables[PLAN_COMMUNES.name]
    accepted_plans = plan_communes.filter(pl.col("status") == "accepted")
    plan_rows = (
        _numbered_alike(ctx.typed["plan"].lazy())
        .filter(pl.col("row_kind") == "village")
        .join(ctx.tables.lazy().select("table_id", "commune_code"), on="table_id")
        .join(accepted_plans.lazy().select("commune_code"), on="commune_code", how="semi")
    )
    cross = pl.concat(
        [R.plan_comparison(merged.lazy(), plan_rows, load_vocabulary().village_types).collect(),
         R.flow_moves_mismatches(merged.lazy()).collect()],
        how="diagonal_relaxed",
    )
    counts = [c for c in merged.columns if c not in _NOT_COUNTS]
    head = [c for c in VILLAGES.columns if c not in PROVENANCE]
    villages = (
        merged.lazy()
        .join(status.filter(pl.col("status") == "accepted").lazy().select("commune_code"), on="commune_code", how="semi")
        .join(names, on="commune_code", how="left")
        .pipe(with_run, ctx)
        .with_columns([pl.col(c).round(0).cast(pl.Int64) for c in counts])
        # the movements' components, when a table gives them, follow the contract's columns
        .select(*head, *[c for c in counts if c not in R.SUMMED and c not in head], *PROVENANCE)
        .sort("commune_code", "source_file", "source_row")
        .collect()
    )
    plan_totals = accepted_plans.select(
        "commune_code", pl.col("total_households").alias("plan_total_households"), "planned_poor_reduction_pp"
    )
    declared = breakdowns.declared_total_breakdowns(ctx.typed["results"].lazy(), ctx.tables.lazy(), RESULTS_BREAKDOWN_FIELDS)
    communes = (
        status.lazy()
        .join(R.results_commune_totals(villages.lazy(), plan_totals.lazy()).drop("source_file"), on="commune_code", how="left")
        .pipe(breakdowns.with_declared_totals, declared, RESULTS_BREAKDOWN_FIELDS)
        .join(names, on="commune_code", how="left")
        .join(_assigned(status, plan_communes, ctx.targets), on="commune_code", how="left")
        .join(_partial_year(ctx.tables), on="commune_code", how="left")
        .pipe(with_run, ctx)
        .pipe(R.actual_attainment)
        .with_columns(accepted_only(_FIGURES))
        .sort("commune_code")
        .collect()
    )
    provinces = R.provincial_results(communes.lazy()).select(PROVINCES.columns).collect()
    tables = {VILLAGES.name: villages, COMMUNES.name: communes.select(COMMUNES.columns)}
    return Figures(tables, status, provinces, cross)


def _partial_year(tables: pl.DataFrame) -> pl.LazyFrame:
    """(commune_code, partial_year) of the communes whose results in use report part of the year only."""
    results = tables.lazy().filter(pl.col("kind") == "results")
    return results.group_by("commune_code").agg(pl.col("partial_year").fill_null(False).all().alias("partial_year"))


def _assigned(status: pl.DataFrame, plan_communes: pl.DataFrame, targets: pl.DataFrame) -> pl.LazyFrame:
    """Each commune's assigned cut: as its plan's row has it, else from the targets (a commune that sent results and
    no plan, every commune of a results-only run: was null, so a commune short of its target went unassessed)."""
    plans = plan_communes.lazy().select("commune_code", "total_households", pl.col("assigned_poor_reduction_pp").alias("in_plan"))
    base = status.lazy().select("commune_code").join(plans, on="commune_code", how="left").with_columns(
        pl.lit(None, pl.Float64).alias("planned_poor_reduction_pp"))
    return aggregate.target_attainment(base, targets.lazy()).select(
        "commune_code", pl.coalesce("in_plan", "assigned_poor_reduction_pp").alias("assigned_poor_reduction_pp"))


def results_lineage(ctx: Context, figures: Figures) -> pl.DataFrame:
    """The source cells of the start, end and total counts and of the year's movements of every village with accepted
    results (a decrease or increase: its declared cell, else the cells of its parts)."""
    parts = {p: total for total, pieces in R.MOVEMENTS.items() for p in pieces}
    merged = R.results_village_rows(_numbered_alike(ctx.typed["results"].lazy()), ctx.tables.lazy(),
                                    provenance=TRACED + list(parts))
    accepted = figures.status.filter(pl.col("status") == "accepted").lazy().select("commune_code")
    rows = merged.join(accepted, on="commune_code", how="semi")
    # a decrease or increase given by its parts only: each part's cell, under the movement it adds to
    rows = rows.with_columns(pl.when(pl.col(f"{parts[p]}__table").is_null()).then(pl.col(p)).alias(p) for p in parts)
    cells = cell_lineage(rows, TRACED + list(parts), ctx.tables.lazy(), ctx.columns.lazy(), as_field=parts)
    totals = cell_lineage(
        breakdowns.declared_lineage_rows(ctx.typed["results"].lazy(), ctx.tables.lazy(), accepted, RESULTS_BREAKDOWN_FIELDS),
        RESULTS_BREAKDOWN_FIELDS,
        ctx.tables.lazy(),
        ctx.columns.lazy(),
    )
    return pl.concat([cells, totals], how="diagonal_relaxed").with_columns(pl.lit("results").alias("kind")).collect()


RESULTS = Kind(
    name="results",
    title_vi="báo cáo kết quả",
    title_en="results report",
    heading_vi="Kết quả cuối năm",
    file_words=KIND_WORDS["results"],
    counts=tuple(RESULTS_COUNTS + RESULTS_BREAKDOWN_FIELDS),
    rates=tuple(RESULTS_RATES),
    rows=ResultsRows,
    breakdowns=RESULTS_BREAKDOWNS,
    checks=(
        partial(checks.total_row_mismatches, counts=list(RESULTS_COUNTS + RESULTS_BREAKDOWN_FIELDS)),
        partial(breakdowns.exceeding_parent, breakdowns=RESULTS_BREAKDOWNS),
        partial(checks.rate_mismatches, specs=[(r, n, list(d)) for r, n, d in RESULTS_RATE_SPECS]),
        *VILLAGE_TABLE_CHECKS,
        R.balance_failures,
        R.decrease_failures,
        R.within_total_failures,
        R.movement_parts_failures,
    ),
    needs=("plan",),
    expected=True,
    aggregate=results_figures,
    trace=results_lineage,
    outputs=(VILLAGES, COMMUNES, PROVINCES),
    traced=tuple(TRACED),
    traced_rates={
        "poor_rate_end_pct": ("poor_households_end", "total_households_end"),
        "poor_rate_start_pct": ("poor_households_start", "start_denominator"),
        "near_poor_rate_end_pct": ("near_poor_households_end", "total_households_end"),
        "near_poor_rate_start_pct": ("near_poor_households_start", "start_denominator"),
    },
    traced_differences={"actual_poor_reduction_pp": ("poor_rate_start_pct", "poor_rate_end_pct")},
    # the start rates' denominator (transforms.results.results_commune_totals): the baseline total of the commune's
    # accepted plan (only an accepted plan has lineage), else its total at the end
    traced_fallbacks={"start_denominator": (("plan", "total_households"), ("results", "total_households_end"))},
)
