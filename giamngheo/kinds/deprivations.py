"""Deprivation indicators (hộ nghèo, cận nghèo thiếu hụt các chỉ số): deprived households per indicator of
the poverty standard in force, per commune (and village), against the plan's group sizes and the targets."""

from __future__ import annotations

import re
from functools import partial

import polars as pl

from schemas.deprivations import (
    COUNTS, RATES, DeprivationRows, Deprivations, DeprivationsCommunes, DeprivationsCoverage, DeprivationsProvinces,
    DeprivationsVillages,
)
from transforms import checks, deprivations as D, plan_villages as P
from transforms.households import village_match_key
from transforms.indicator_set import indicator_set_failures
from transforms.lineage import source_cell
from transforms.targets import percent_in_words

from ..frames import locate_table_failures, village_keys
from ..figures import commune_status, named_in_run, unit_names, with_run
from ..kind_words import KIND_WORDS
from ..layout.deprivations import ATTRIBUTES
from ..layout.standards import Standard, load_standards
from ..layout.vocabulary import load_vocabulary
from ..resolve import province_wide
from ..text import fold
from .base import Context, Figures, Kind, Output
from .deprivations_report import deprivation_section, deprivation_sheets

COMMUNES_TABLE = Output("deprivations.parquet", Deprivations, "detail", diff_key=("commune_code", "indicator_id", "group"))
VILLAGES = Output("deprivations_villages.parquet", DeprivationsVillages, "detail",
                  diff_key=("commune_code", "village_name", "indicator_id", "group"))
STATUS = Output("deprivations_communes.parquet", DeprivationsCommunes, "commune")
COVERAGE = Output("deprivations_coverage.parquet", DeprivationsCoverage, "detail", diff_key=("commune_code", "indicator_id"))
PROVINCES = Output("deprivations_provinces.parquet", DeprivationsProvinces, "detail",
                   diff_key=("province_code", "indicator_id", "group"))
INDICATOR_SCHEMA = {"indicator": pl.Utf8, "indicator_id": pl.Int64, "indicator_name": pl.Utf8, "dimension_id": pl.Int64,
                    "dimension": pl.Utf8}
TARGET_SCHEMA = {"commune_code": pl.Utf8, "indicator": pl.Utf8, "target_coverage_pct": pl.Float64}


def standard_of(ctx: Context) -> Standard:
    """The standard in force for the run's year (the province's own where the run is one province's)."""
    return load_standards().for_year(ctx.year, ctx.provinces[0] if len(ctx.provinces) == 1 else None)


def by_number(standard: Standard) -> dict[str, str]:
    """"#4" -> the key of the standard's indicator 4: a table's "Chỉ số 4" (layout: deprivation_cells.indicator_key)."""
    return {f"#{i.id}": i.key for i in standard.indicators}


def indicator_frame(standard: Standard) -> pl.DataFrame:
    """The standard's indicators: key, number, name, dimension."""
    rows = [(i.key, i.id, i.name, i.dimension_id, i.dimension) for i in standard.indicators]
    return pl.DataFrame(rows, schema=INDICATOR_SCHEMA, orient="row")


def indicator_targets(ctx: Context) -> pl.DataFrame:
    """Target coverage per indicator from the targets workbook: province-wide (commune null) or per commune."""
    from ..resolve import Resolver

    rows = []
    tables = [t for t in ctx.target_tables if t.subject == "deprivations"]
    resolver = Resolver(ctx.ref, ctx.provinces[0] if len(ctx.provinces) == 1 else None) if tables else None
    numbered = by_number(standard_of(ctx))
    for table in tables:
        data = table.rows
        for name, key, num, text, label in zip(
            data["name"], data["indicator"], data["target_coverage_pct__num"], data["target_coverage_pct__text"],
            data.get("indicator_label") or [None] * len(data["name"]),
        ):
            value = num if num is not None else percent_in_words(text)
            key = numbered.get(key, None) if key and key.startswith("#") else key
            if key is None or value is None:
                continue
            code = None
            if name and not province_wide(name, ctx.ref):  # "Toàn tỉnh", "Tỉnh Điện Biên": every commune's target
                unit = resolver.resolve_name(name).unit
                if unit is None:
                    continue  # said of the workbook, at its cell (targets._units_of_targets)
                code = unit.commune_code
            # an Excel percentage (0.85 shown as 85 %) is a fraction
            value = value * 100 if 0 < value <= 1 and num is not None else value
            # a rate of the deprived to stay under ("… thiếu hụt bảo hiểm y tế không quá 20 %") is the coverage above its
            # complement: read as 20 % coverage, every commune met it (targets judge, Thanh Hóa)
            worded = f" {fold(label or '')} {fold(text or '') if num is None else ''} "
            rows.append((code, key, 100 - value if _DEPRIVED_AT_MOST.search(worded) else value))
    frame = pl.DataFrame(rows, schema=TARGET_SCHEMA, orient="row")
    return frame.unique(["commune_code", "indicator"], keep="first", maintain_order=True)


_DEPRIVED_AT_MOST = re.compile(r" thieu hut .*\b(?:khong qua|duoi|toi da|con|giam xuong|khong vuot)\b")


def _plan_villages(ctx: Context) -> pl.LazyFrame:
    """The village rows of the run's plans, each with its commune."""
    return ctx.typed["plan"].lazy().filter(pl.col("row_kind") == "village").join(
        ctx.tables.lazy().select("table_id", "commune_code"), on="table_id")


def _plan_inputs(ctx: Context, rows: pl.DataFrame, plan: pl.LazyFrame, twice: pl.LazyFrame,
                 twins: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(commune sizes, village sizes) of the accepted plans of the run, the villages keyed as the tables' `rows` name
    them (`plan`: _plan_villages; `twice`: the names both give twice, told apart by their order; `twins`: the villages
    of the plan each paired table row is, its sizes under its name key)."""
    accepted = ctx.done["plan"].tables["communes.parquet"].filter(pl.col("status") == "accepted")
    communes = accepted.lazy().select(
        "commune_code", pl.col("poor_households").cast(pl.Float64), pl.col("near_poor_households").cast(pl.Float64)
    )
    villages = (
        plan
        .pipe(P.repeated_names_apart, ["commune_code"], _PLAN_ORDER, twice)
        .join(communes.select("commune_code"), on="commune_code", how="semi")
        .select("commune_code", "name_key", _matched_name, "poor_households", "near_poor_households")
    )
    named = rows.lazy().filter(pl.col("row_kind") == "village").select("commune_code", "name_key", _matched_name)
    paired = twins.join(communes.select("commune_code"), on="commune_code", how="semi")
    others = named.join(twins, on=["commune_code", "name_key"], how="anti")  # a paired row is its twin alone
    return communes, pl.concat([P.plan_villages_as_named(others, villages), paired])


# a village's name as text.village_key writes it ("KP01" and "Khu phố số 1" are "khu phố 1"): plan_villages.twins_in_order
_twin_key = village_keys(pl.col("name")).alias("twin_key")
_PLAN_ORDER = pl.col("table_id").cast(pl.Int64) * 1_000_000 + pl.col("row")  # a plan's village rows in their order
# a village matched by its name without its type word, as a household list's is ("Thanh Long" is "Xóm Thanh Long" of the
# plan: its sizes and rates were null, silently; independent probe, Hà Tĩnh)
# ("KP.2" is the plan's "Khu phố 2" there, as written alike: text.village_key; urban wards judge, HCM)
_matched_name = village_match_key(village_keys(pl.col("name")),
                                  load_vocabulary().village_types).alias("match_key")


def _named(frame: pl.LazyFrame, indicators: pl.DataFrame, standard: Standard, in_order: bool = False) -> pl.LazyFrame:
    """Only the standard's indicators, with their numbers, names and dimensions (`in_order`: in frame's order)."""
    return frame.join(indicators.lazy(), on="indicator", how="inner", maintain_order="left" if in_order else "none").with_columns(
        pl.lit(standard.code).alias("standard"))


def deprivation_figures(ctx: Context) -> Figures:
    """Deprived households by commune, village and province; the checks against the standard and the plan."""
    standard = standard_of(ctx)
    indicators = indicator_frame(standard)
    names = unit_names(ctx.ref).lazy()
    chosen = D.chosen_tables(ctx.typed["deprivations"].lazy(), ctx.tables.lazy(), ctx.columns.lazy()).collect()
    rows = D.located_rows(ctx.typed["deprivations"].lazy(), chosen.lazy()).select(D.ROW_COLUMNS).pipe(
        D.numbered_indicators, by_number(standard)).collect()
    plan = _plan_villages(ctx).with_columns(_twin_key)
    twins = P.twins_in_order(rows.lazy().with_columns(_twin_key), plan, _PLAN_ORDER).collect()
    sized_twins = P.twin_sizes(rows.lazy(), twins.lazy()).collect().lazy()
    twice = P.names_twice_in_both(rows.lazy(), plan).collect().lazy()
    rows = P.repeated_names_apart(rows.lazy(), ["commune_code", "table_id"], pl.col("row"), twice).pipe(
        P.twins_apart, twins.lazy()).collect()
    cells = D.deprivation_cells(rows.lazy()).collect()
    planned = D.plan_sizes(*_plan_inputs(ctx, rows, plan, twice, sized_twins)).collect()
    sizes = D.group_sizes(cells.lazy(), D.stated_sizes(rows.lazy()), planned.lazy()).collect()
    catalogue = load_standards()
    owners = {k: s.code for s in reversed(catalogue.standards) for k in s.keys}
    cross = pl.concat(
        [
            D.deprived_over_group(cells.lazy(), sizes.lazy()).collect(),
            D.deprivation_sums(cells.lazy(), sizes.lazy()).collect(),
            indicator_set_failures(cells.lazy(), list(standard.keys), catalogue.names, owners, standard.code).collect(),
            D.group_plan_mismatches(sizes.lazy()).collect(),
            D.unsized_groups(cells.lazy(), sizes.lazy()).collect(),
            D.unplanned_villages(cells.lazy(), planned.lazy()).collect(),
            D.stated_rate_mismatches(rows.lazy(), sizes.lazy()).collect(),
        ],
        how="diagonal_relaxed",
    )
    del rows

    # this kind's errors across rows reject its table too, not only its cells' (status is per kind)
    located = locate_table_failures(cross, ctx.tables, ctx.columns)
    status = commune_status(
        pl.concat([ctx.failures, located], how="diagonal_relaxed"), ctx.submitted["deprivations"], "deprivations"
    )
    # the accepted communes' file and sheet: joined to their figures (a commune's block is its file in use)
    sources = D.blocks_of(chosen.lazy()).join(status.lazy().filter(pl.col("status") == "accepted"),
                                              on=["commune_code", "source_file"], how="semi").collect()
    communes = (
        _named(D.commune_figures(cells.lazy(), sizes.lazy()), indicators, standard)
        .join(sources.lazy(), on="commune_code", how="inner").with_columns(D.sheet_of_group()).pipe(named_in_run, names, ctx)
        .with_columns(pl.col("indicator_name").alias("indicator"))
        .sort("commune_code", "indicator_id", pl.col("group").replace_strict({"poor": 0, "near_poor": 1}))
        .collect()
    )
    villages = (
        D.village_figures(cells.lazy(), sizes.lazy()).join(sources.lazy().select("commune_code"), on="commune_code", how="semi")
        .join(indicators.lazy().select("indicator", "indicator_id"), on="indicator", how="inner")
        # by commune, row, indicator, group (near_poor, poor): one file a commune, a sheet a group (D.chosen_tables), the
        # 5-digit codes in the order of their numbers; integer keys sort a national table's million rows at once,
        # sorted while narrow: the names, file and sheet joined after the sort (a sorted copy of the finished
        # table was the peak)
        .sort(D.cell_order(pl.col("indicator_id") * 2 + (pl.col("group") == "poor")))
        .drop("indicator_id").pipe(_named, indicators, standard, in_order=True).pipe(named_in_run, names, ctx)
        .join(sources.lazy(), on="commune_code", how="left", maintain_order="left")
        .with_columns(pl.col("indicator_name").alias("indicator"), pl.col("source_row").cast(pl.Int32), D.sheet_of_group())
        .select(VILLAGES.columns)
        .collect()
    )
    targets = indicator_targets(ctx)
    keyed = communes.with_columns(
        pl.col("indicator_id")
        .replace_strict(dict(zip(indicators["indicator_id"], indicators["indicator"])), default=None)
        .alias("indicator_key")
    )
    covered = (
        D.coverage(keyed.lazy().drop("indicator").rename({"indicator_key": "indicator"}), targets.lazy())
        .join(indicators.lazy(), on="indicator", how="left").pipe(named_in_run, names, ctx)
        .with_columns(pl.col("indicator_name").alias("indicator"), pl.col("households_deprived").cast(pl.Int64),
                      pl.col("households_in_group").cast(pl.Int64))
        .sort("commune_code", "indicator_id").collect()
    )
    provinces = (
        D.province_figures(
            keyed.lazy().drop("indicator").rename({"indicator_key": "indicator"}),
            covered.lazy().drop("indicator").join(indicators.lazy().select("indicator", "indicator_id"), on="indicator_id"),
            targets.lazy(),
        )
        .pipe(_named, indicators, standard)
        .join(names.select("province_code", "province_name").unique(), on="province_code", how="left")
        .pipe(with_run, ctx)
        .with_columns(pl.col("indicator_name").alias("indicator"))
        .sort("province_code", "indicator_id", pl.col("group").replace_strict({"poor": 0, "near_poor": 1}))
        .collect()
    )
    tables = {
        COMMUNES_TABLE.name: communes.select(COMMUNES_TABLE.columns),
        VILLAGES.name: villages,
        STATUS.name: _status_table(ctx, status, cells, sizes, standard),
        COVERAGE.name: covered.select(COVERAGE.columns),
        PROVINCES.name: provinces.select(PROVINCES.columns),
    }
    return Figures(tables, status, None, cross)


def _status_table(
    ctx: Context, status: pl.DataFrame, cells: pl.DataFrame, sizes: pl.DataFrame, standard: Standard
) -> pl.DataFrame:
    """One row per commune that sent a deprivation table: its status, the sizes used and where from."""
    given = cells.filter(pl.col("indicator").is_in(list(standard.keys))).group_by("commune_code").agg(
        pl.col("indicator").n_unique().cast(pl.Int64).alias("indicators"))
    commune_sizes = sizes.filter(pl.col("unit") == "").group_by("commune_code").agg(
        *[pl.col("size").filter(pl.col("group") == g).first().round(0).cast(pl.Int64).alias(f"{g}_households") for g in D.GROUPS],
        pl.col("group_source").drop_nulls().first())
    accepted = pl.col("status") == "accepted"
    return (
        status.join(given, on="commune_code", how="left")
        .join(commune_sizes, on="commune_code", how="left")
        .join(unit_names(ctx.ref), on="commune_code", how="left")
        .pipe(with_run, ctx)
        .with_columns(
            pl.lit(standard.code).alias("standard"),
            *[pl.when(accepted).then(pl.col(c)).alias(c) for c in ("indicators", "poor_households", "near_poor_households")],
        )
        .select(STATUS.columns)
        .sort("commune_code")
    )


def deprivation_lineage(ctx: Context, figures: Figures) -> pl.DataFrame:
    """The cell behind every deprived count of an accepted commune: field poor_deprived / near_poor_deprived, its indicator."""
    accepted = figures.status.filter(pl.col("status") == "accepted").lazy().select("commune_code", "source_file")
    typed = ctx.typed["deprivations"].lazy()
    chosen = (
        D.chosen_tables(typed, ctx.tables.lazy(), ctx.columns.lazy())
        .join(accepted, on=["commune_code", "source_file"], how="semi")
        .collect()
    )
    cells = (
        D.deprivation_cells(D.located_rows(typed, chosen.lazy()).pipe(D.numbered_indicators, by_number(standard_of(ctx))))
        .filter(pl.col("indicator").is_not_null())
        .with_columns(D.deprived_field(pl.col("group")).alias("field"))
        .join(ctx.columns.lazy(), on=["table_id", "field"], how="left")
        .sort(D.cell_order(pl.col("column").fill_null(0) * 2 + (pl.col("group") == "poor")))  # a sheet a group: as villages
        .join(D.blocks_of(chosen.lazy()), on="commune_code", how="left", maintain_order="left")
        .with_columns(D.sheet_of_group())
        .collect()
    )
    return cells.select(
        "commune_code", "village_name", pl.lit(None, pl.Utf8).alias("section"), "field",
        pl.col("deprived").alias("value"), "source_file", "source_sheet",
        source_cell(), "source_row", "column", "sha256",
        pl.lit("deprivations").alias("kind"), "indicator",
    )


DEPRIVATIONS = Kind(
    name="deprivations",
    title_vi="bảng thiếu hụt các chỉ số",
    title_en="deprivation table",
    heading_vi="Chỉ số thiếu hụt",
    file_words=KIND_WORDS["deprivations"],
    counts=COUNTS,
    rates=RATES,
    rows=DeprivationRows,
    checks=(
        partial(
            checks.total_row_mismatches, counts=["poor_deprived", "near_poor_deprived", "poor_households", "near_poor_households"]
        ),
    ),
    needs=("plan",),
    expected=True,  # owed by every commune once the run holds one: "31/31 xã (100%)" when 7 of 38 sent none
    aggregate=deprivation_figures,
    trace=deprivation_lineage,
    outputs=(COMMUNES_TABLE, VILLAGES, STATUS, COVERAGE, PROVINCES),
    report_sheets=deprivation_sheets,
    report_section=deprivation_section,
    row_kinds=("indicator", "group", "village"),
    attributes=ATTRIBUTES,
)
