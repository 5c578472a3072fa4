"""Figures an auditor should look at twice: far from their peers, or unlike the province's own record."""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from .rates import exact_pct

Z_LIMIT = 3.5  # Iglewicz & Hoaglin's cut-off for the modified z-score


def robust_z(x: pl.Expr, group: str) -> pl.Expr:
    """Modified z-score within `group`: 0.6745 (x - median) / MAD; mean absolute deviation when MAD is 0.

    Rates are right-skewed (most villages a few percent, some far more), so they
    are scored on a log scale: log(1 + x), x in percent or points.
    """
    x = x.log1p()
    median = x.median().over(group)
    mad = (x - median).abs().median().over(group)
    mean_ad = (x - median).abs().mean().over(group)
    return pl.when(mad > 0).then(0.6745 * (x - median) / mad).when(mean_ad > 0).then((x - median) / (1.253314 * mean_ad))


def _fmt(x: pl.Expr) -> pl.Expr:
    return x.round(2).cast(pl.Utf8)


def village_outliers(cells: pl.LazyFrame, min_villages: int = 20) -> pl.LazyFrame:
    """Villages whose poor rate is far above the province's villages (warning `outlier`). Only above: a village
    with no poor household, or very few, is ordinary (most wards' villages), never a finding.

    `cells`: the plan lineage (one row per village and field with source file, sheet, row, column).
    """
    poor = cells.filter(pl.col("field") == "poor_households").select(
        "province_code", "commune_code", "source_file", "source_sheet", "source_row", "column", pl.col("value").alias("poor")
    )
    total = cells.filter(pl.col("field") == "total_households").select(
        "source_file", "source_sheet", "source_row", pl.col("value").alias("total")
    )
    rates = poor.join(total, on=["source_file", "source_sheet", "source_row"], nulls_equal=True).with_columns(
        exact_pct(pl.col("poor"), pl.col("total")).alias("rate")
    )
    scored = rates.with_columns(
        robust_z(pl.col("rate"), "province_code").alias("z"),
        pl.col("rate").median().over("province_code").alias("median"),
        pl.len().over("province_code").alias("peers"),
    )
    return scored.filter((pl.col("z") > Z_LIMIT) & (pl.col("peers") >= min_villages)).select(
        "source_file",
        "source_sheet",
        pl.col("source_row").alias("row"),
        "column",
        "commune_code",
        pl.lit("poor_rate").alias("field"),
        pl.lit("outlier").alias("rule"),
        (_fmt(pl.col("rate")) + " %").alias("value"),
        (_fmt(pl.col("median")) + " %").alias("expected"),
        pl.lit("village").alias("detail"),
        pl.lit("plan").alias("kind"),
    )


def _peer_group(name: pl.Expr, unit_types: Sequence[str]) -> pl.Expr:
    """Wards are compared with wards, rural communes with rural communes, within the province (`unit_types`: "xã",
    "phường", "đặc khu", as the official names begin)."""
    words = "|".join(re.escape(w) for w in unit_types)
    return pl.col("province_code") + ":" + name.str.to_lowercase().str.extract(f"^({words})", 1).fill_null("")


def commune_outliers(communes: pl.LazyFrame, unit_types: Sequence[str], min_communes: int = 10) -> pl.LazyFrame:
    """Accepted communes whose poor rate or planned cut is far above their peers' (warning `outlier`). Only above, as
    for villages: a province of highland communes at 15-30 % poor and lowland ones at 2-5 % (Gia Lai with the former
    Bình Định, Nghệ An's mountains and coast) made a third of its lowland communes outliers, and which ones changed
    as others sent their plans (independent probes). A low rate, or the small cut a low rate allows, is no finding."""
    accepted = communes.filter(pl.col("status") == "accepted").with_columns(
        _peer_group(pl.col("commune_name"), unit_types).alias("peers_key")
    )
    parts = []
    for fld in ("poor_rate_pct", "planned_poor_reduction_pp"):
        parts.append(
            accepted.filter(pl.col(fld).is_not_null())
            .with_columns(
                robust_z(pl.col(fld), "peers_key").alias("z"),
                pl.col(fld).median().over("peers_key").alias("median"),
                pl.len().over("peers_key").alias("peers"),
            )
            .filter((pl.col("z") > Z_LIMIT) & (pl.col("peers") >= min_communes))
            .select(
                "source_file",
                pl.lit(None, pl.Utf8).alias("source_sheet"),
                pl.lit(None, pl.Int32).alias("row"),
                pl.lit(None, pl.Int32).alias("column"),
                "commune_code",
                pl.lit(fld).alias("field"),
                pl.lit("outlier").alias("rule"),
                _fmt(pl.col(fld)).alias("value"),
                _fmt(pl.col("median")).alias("expected"),
                pl.lit("commune").alias("detail"),
                pl.lit("plan").alias("kind"),
            )
        )
    return pl.concat(parts)


def targets_beyond_rates(communes: pl.LazyFrame, target_cells: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """An accepted commune assigned a cut larger than its own poor rate (target_within_rate, a warning): no cut can
    exceed the rate it cuts ("Tỷ lệ hộ nghèo giảm so với số hộ nghèo đầu năm (%)": a share of the poor, 16.4, read as 16.4
    points for a rate of 1.71 %, without a word; targets judge, Thanh Hóa). Said at the province's cell of the cut
    (`target_cells`: the targets workbook's lineage), the targets workbook's: it was said of the commune's plan file,
    with no sheet nor cell (targets judge, Phú Thọ)."""
    beyond = communes.filter(
        (pl.col("status") == "accepted") & (pl.col("assigned_poor_reduction_pp") > pl.col("poor_rate_pct"))
    ).select(
        "source_file",
        "commune_code",
        pl.lit("assigned_poor_reduction_pp").alias("field"),
        pl.lit("target_within_rate").alias("rule"),
        pl.col("assigned_poor_reduction_pp").cast(pl.Utf8).alias("value"),
        pl.col("poor_rate_pct").cast(pl.Utf8).alias("expected"),
    )
    cells = pl.LazyFrame(schema={"commune_code": pl.Utf8, "_file": pl.Utf8, "source_sheet": pl.Utf8, "row": pl.Int32,
                                 "column": pl.Int32})
    if target_cells is not None and {"field", "cell"} <= set(target_cells.collect_schema().names()):
        # the cut's own cell, else (a cut from the rates) the rate to reach's
        order = {"assigned_poor_reduction_pp": 0, "assigned_poor_reduction_households": 1, "assigned_rate_to_reach": 2}
        cells = target_cells.filter(pl.col("field").is_in(list(order))).sort(
            "commune_code", pl.col("field").replace_strict(order, default=9)).group_by("commune_code", maintain_order=True).first(
        ).select("commune_code", pl.col("source_file").alias("_file"), "source_sheet",
                 pl.col("source_row").cast(pl.Int32).alias("row"), pl.col("column").cast(pl.Int32))
    located = beyond.join(cells, on="commune_code", how="left")
    return located.select(
        pl.coalesce("_file", "source_file").alias("source_file"), "source_sheet", "row", "column", "commune_code", "field",
        "rule", "value", "expected",
        pl.when(pl.col("_file").is_not_null()).then(pl.lit("targets")).otherwise(pl.lit("plan")).alias("kind"),
    )


def communes_without_target(communes: pl.LazyFrame, targets: pl.LazyFrame, workbook: str, provinces: list[str]) -> pl.LazyFrame:
    """An accepted commune of the targets workbook's `provinces` that the workbook does not list (commune_in_targets, a
    warning, the workbook's): it is judged against no assigned target, without a word (targets judge, Phú Thọ)."""
    return communes.filter((pl.col("status") == "accepted") & pl.col("province_code").is_in(provinces)).join(
        targets.select("commune_code"), on="commune_code", how="anti"
    ).select(
        pl.lit(workbook).alias("source_file"),
        pl.lit(None, pl.Utf8).alias("source_sheet"),
        pl.lit(None, pl.Int32).alias("row"),
        pl.lit(None, pl.Int32).alias("column"),
        "commune_code",
        pl.lit(None, pl.Utf8).alias("field"),
        pl.lit("commune_in_targets").alias("rule"),
        pl.format("{} ({})", "commune_name", "commune_code").alias("value"),
        pl.lit(None, pl.Utf8).alias("expected"),
        pl.lit("targets").alias("kind"),
    )


def baseline_mismatches(communes: pl.LazyFrame, targets: pl.LazyFrame) -> pl.LazyFrame:
    """An accepted commune whose baseline differs from the figure the province's targets workbook gives it (`detail`: the
    workbook's cell, "<sheet>!D7")."""
    joined = communes.filter(pl.col("status") == "accepted").join(targets, on="commune_code", how="inner")
    parts = []
    for mine, theirs in (("total_households", "targets_total_households"), ("poor_households", "targets_poor_households")):
        parts.append(
            joined.filter(pl.col(theirs).is_not_null() & pl.col(mine).is_not_null() & (pl.col(mine) != pl.col(theirs))).select(
                "source_file",
                pl.lit(None, pl.Utf8).alias("source_sheet"),
                pl.lit(None, pl.Int32).alias("row"),
                pl.lit(None, pl.Int32).alias("column"),
                "commune_code",
                pl.lit(mine).alias("field"),
                pl.lit("baseline_matches_targets").alias("rule"),
                pl.col(mine).cast(pl.Int64).cast(pl.Utf8).alias("value"),
                pl.col(theirs).round(0).cast(pl.Int64).cast(pl.Utf8).alias("expected"),
                pl.col(f"{theirs}_cell").alias("detail"),  # the province's figure: the workbook's sheet and cell
                pl.lit("plan").alias("kind"),
            )
        )
    return pl.concat(parts)
