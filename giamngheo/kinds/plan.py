"""The village plan annex (phụ lục phân bổ chỉ tiêu): baseline counts and planned reductions per village."""

from __future__ import annotations

from functools import partial

import polars as pl

from schemas.columns import BREAKDOWN_OF as BREAKDOWNS
from schemas.villages import PLAN_BREAKDOWNS, PLAN_COUNTS, Communes, PlanVillageRows, Provinces, Villages
from transforms import aggregate, breakdowns, checks, outliers
from transforms.lineage import cell_lineage

from ..figures import accepted_only, commune_status, expected_communes, unit_names, with_run
from ..kind_words import KIND_WORDS
from ..layout.vocabulary import load_vocabulary
from .base import Context, Figures, Kind, Output
from .breakdowns_report import breakdown_section, breakdown_sheets

COUNTS = PLAN_COUNTS
BREAKDOWN_FIELDS = PLAN_BREAKDOWNS  # poor_ethnic_minority, ...: parts of the poor and near-poor counts
RATES = ("poor_rate", "near_poor_rate", "poor_reduction_rate", "near_poor_reduction_rate")
RATE_SPECS = (
    ("poor_rate", "poor_households", ("total_households",)),
    ("near_poor_rate", "near_poor_households", ("total_households",)),
    ("poor_reduction_rate", "poor_reduction_target", ("total_households", "poor_households")),
    ("near_poor_reduction_rate", "near_poor_reduction_target", ("total_households", "near_poor_households")),
)
VILLAGES = Output("villages.parquet", Villages, "village")
COMMUNES = Output("communes.parquet", Communes, "commune")
PROVINCES = Output("provinces.parquet", Provinces, "province")
# checks across the rows of a village table, shared by the kinds that count households by village
VILLAGE_TABLE_CHECKS = (checks.duplicate_villages, checks.unnamed_villages)
# a rejected commune keeps its row, without figures
_FIGURES = ["villages", *COUNTS, "poor_rate_pct", "near_poor_rate_pct", "planned_poor_reduction_pp", *BREAKDOWN_FIELDS]


def plan_figures(ctx: Context) -> Figures:
    """villages, communes and provinces of the plan annexes, checked against the assigned targets."""
    status = commune_status(ctx.failures, ctx.submitted["plan"], "plan")
    names = unit_names(ctx.ref).lazy()
    villages = (
        aggregate.village_rows(ctx.typed["plan"].lazy(), ctx.tables.lazy(), status.filter(pl.col("status") == "accepted").lazy())
        .join(names, on="commune_code", how="left")
        .pipe(with_run, ctx)
        .sort("commune_code", "source_file", "source_sheet", "source_row")
    )
    declared = breakdowns.declared_total_breakdowns(ctx.typed["plan"].lazy(), ctx.tables.lazy(), list(BREAKDOWN_FIELDS))
    communes = (
        status.lazy()
        .join(aggregate.commune_totals(villages), on="commune_code", how="left")
        .pipe(breakdowns.with_declared_totals, declared, list(BREAKDOWN_FIELDS))
        .join(names, on="commune_code", how="left")
        .pipe(aggregate.target_attainment, ctx.targets.lazy())
        .pipe(with_run, ctx)
        .with_columns(accepted_only(_FIGURES))
        .select(COMMUNES.columns)
        .sort("commune_code")
        .collect()
    )
    provinces = (
        aggregate.provincial_figures(
            communes.lazy(), expected_communes(ctx.ref, ctx.provinces, ctx.targets, communes["commune_code"]).lazy()
        )
        .join(names.select("province_code", "province_name").unique(), on="province_code", how="left")
        .pipe(with_run, ctx)
        .select(PROVINCES.columns)
        .sort("province_code")
        .collect()
    )
    tables = {VILLAGES.name: villages.select(VILLAGES.columns).collect(), COMMUNES.name: communes}
    return Figures(tables, status, provinces)


def plan_lineage(ctx: Context, figures: Figures) -> pl.DataFrame:
    """The source cell of every count and breakdown of every accepted village (for `giamngheo trace`);
    a breakdown its commune takes from the declared total, the total's cell."""
    accepted = figures.status.filter(pl.col("status") == "accepted").lazy()
    rows = aggregate.village_rows(ctx.typed["plan"].lazy(), ctx.tables.lazy(), accepted).with_columns(
        *[pl.col("table_id").alias(f"{f}__table") for f in (*COUNTS, *BREAKDOWN_FIELDS)],
        *[pl.col("source_row").alias(f"{f}__row") for f in COUNTS],
    )
    declared = breakdowns.declared_lineage_rows(ctx.typed["plan"].lazy(), ctx.tables.lazy(), accepted, list(BREAKDOWN_FIELDS))
    fields = list(COUNTS + BREAKDOWN_FIELDS)
    cells = cell_lineage(rows, fields, ctx.tables.lazy(), ctx.columns.lazy())
    totals = cell_lineage(declared, list(BREAKDOWN_FIELDS), ctx.tables.lazy(), ctx.columns.lazy())
    return pl.concat([cells, totals], how="diagonal_relaxed").with_columns(pl.lit("plan").alias("kind")).collect()


def plan_findings(ctx: Context, figures: Figures, lineage: pl.DataFrame) -> pl.DataFrame:
    """Warnings on the consolidated figures: outliers, baselines unlike the province's own record."""
    communes = figures.tables[COMMUNES.name].lazy()
    listed = [ctx.targets.filter(pl.col(f).is_not_null()).height for f in ("assigned_poor_reduction_pp",
                                                                            "assigned_poor_reduction_households",
                                                                            "assigned_rate_to_reach")]
    unlisted = []
    if any(listed) and "source_file" in ctx.target_cells.columns:  # a workbook read, with targets: who it leaves out
        provinces = sorted({ctx.ref.by_code[c].province_code for c in ctx.targets["commune_code"] if c in ctx.ref.by_code})
        unlisted = [outliers.communes_without_target(communes, ctx.targets.lazy(), ctx.target_cells["source_file"][0],
                                                     provinces).collect()]
    return pl.concat(
        [
            *unlisted,
            outliers.village_outliers(lineage.lazy()).collect(),
            outliers.commune_outliers(communes, load_vocabulary().unit_types["current"]).collect(),
            outliers.baseline_mismatches(communes, ctx.targets.lazy()).collect(),
            outliers.targets_beyond_rates(communes, ctx.target_cells.lazy() if ctx.target_cells.width else None).collect(),
        ],
        how="diagonal_relaxed",
    )


PLAN = Kind(
    name="plan",
    title_vi="kế hoạch",
    title_en="plan annex",
    heading_vi="Kế hoạch",
    file_words=KIND_WORDS["plan"],
    counts=COUNTS + BREAKDOWN_FIELDS,
    rates=RATES,
    rows=PlanVillageRows,
    checks=(
        partial(checks.total_row_mismatches, counts=list(COUNTS + BREAKDOWN_FIELDS)),
        partial(checks.rate_mismatches, specs=[(r, n, list(d)) for r, n, d in RATE_SPECS]),
        *VILLAGE_TABLE_CHECKS,
        partial(breakdowns.exceeding_parent, breakdowns=BREAKDOWNS),
        breakdowns.infeasible_plans,
    ),
    breakdowns=BREAKDOWNS,
    aggregate=plan_figures,
    trace=plan_lineage,
    findings=plan_findings,
    outputs=(VILLAGES, COMMUNES, PROVINCES),
    optional=False,
    expected=True,
    report_sheets=breakdown_sheets,  # the plan's own sheets are the workbook's first; these only when breakdowns are given
    report_section=breakdown_section,
    # and the cut the province assigned, a commune's only: its cell of the targets workbook (kind "targets")
    traced=(*COUNTS, *BREAKDOWN_FIELDS, "assigned_poor_reduction_pp"),
    traced_rates={
        "poor_rate_pct": ("poor_households", "total_households"),
        "near_poor_rate_pct": ("near_poor_households", "total_households"),
        "planned_poor_reduction_pp": ("poor_reduction_target", "total_households"),
    },
)
