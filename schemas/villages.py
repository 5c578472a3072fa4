"""Village rows of a plan annex: the rules a value must satisfy (pandera), and the output layer."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from .breakdowns import BreakdownRows, breakdown_column, communes_giving
from .columns import BREAKDOWNS, COLUMNS
from .validation import READ_AS_NUMBER, check_name, not_negative, read_as_number, whole_number

# A plan annex's counts, declared once: the baseline at the year's start, then the cuts it allocates; the breakdowns of
# the poor and near-poor ("Trong đó") are schemas.columns.BREAKDOWNS
BASELINE = ("total_households", "poor_households", "near_poor_households")
REDUCTIONS = ("poor_reduction_target", "near_poor_reduction_target")
PLAN_COUNTS = BASELINE + REDUCTIONS
PLAN_BREAKDOWNS = BREAKDOWNS
_GIVEN_SUM = "sum over the accepted communes that give it; null when none does"


def _info(field: str, description: str) -> dict:
    info = COLUMNS[field]
    return {"title": info.vi, "description": description, "metadata": {"unit": info.unit, "en": info.en}}


def _no_bigger(small: str, big: str) -> pl.Expr:
    """small <= big, judged only when both are there and neither is already negative (reported once)."""
    unjudged = pl.col(small).is_null() | pl.col(big).is_null() | (pl.col(small) < 0) | (pl.col(big) < 0)
    return unjudged | (pl.col(small) <= pl.col(big))


class PlanVillageRows(BreakdownRows):
    """Parsed village rows of plan annexes, before they become output: one check per rule id (the
    breakdowns' cells checked as BreakdownRows says)."""

    table_id: int = pa.Field()
    row: int = pa.Field(ge=1, description="1-based row in the sheet (line in a CSV)")
    total_households: float = pa.Field(nullable=True, **_info("total_households", "Tổng số hộ at the baseline date"))
    poor_households: float = pa.Field(nullable=True, **_info("poor_households", "Số hộ nghèo at the baseline date"))
    near_poor_households: float = pa.Field(nullable=True, **_info("near_poor_households", "Số hộ cận nghèo at the baseline date"))
    poor_reduction_target: float = pa.Field(nullable=True, **_info("poor_reduction_target", "planned cut in poor households"))
    near_poor_reduction_target: float = pa.Field(
        nullable=True, **_info("near_poor_reduction_target", "planned cut in near-poor households")
    )
    total_households__status: str = pa.Field(
        description="how the cell read: ok, empty, zero_marker, invalid, ambiguous, formula, too_large, excel_error"
    )
    total_households__present: Optional[bool] = pa.Field(nullable=True, description="the table has the column")  # noqa: UP007
    poor_households__status: str = pa.Field()
    near_poor_households__status: str = pa.Field()
    poor_reduction_target__status: str = pa.Field()
    near_poor_reduction_target__status: str = pa.Field()

    @pa.check(
        "total_households__status", "poor_households__status", "near_poor_households__status",
        "poor_reduction_target__status", "near_poor_reduction_target__status", name="numeric",
    )
    def numeric(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        return read_as_number(data)

    @pa.check(
        "total_households", "poor_households", "near_poor_households",
        "poor_reduction_target", "near_poor_reduction_target", name="integer",
    )
    def integer(cls, data) -> pl.LazyFrame:  # noqa: N805
        return whole_number(data)

    @pa.check(
        "total_households", "poor_households", "near_poor_households",
        "poor_reduction_target", "near_poor_reduction_target", name="non_negative",
    )
    def non_negative(cls, data) -> pl.LazyFrame:  # noqa: N805
        return not_negative(data)

    @pa.dataframe_check(name="total_positive")
    def total_positive(cls, data) -> pl.LazyFrame:  # noqa: N805
        unparsed = ~pl.col("total_households__status").is_in(READ_AS_NUMBER)
        # a table with no total households column at all is required_columns' (once), not every village's
        names = data.lazyframe.collect_schema().names()
        absent = ~pl.col("total_households__present").fill_null(True) if "total_households__present" in names else pl.lit(False)
        return data.lazyframe.select(unparsed | absent | (pl.col("total_households").fill_null(0) > 0))

    @pa.dataframe_check(name="poor_le_total")
    def poor_le_total(cls, data) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(_no_bigger("poor_households", "total_households"))

    @pa.dataframe_check(name="near_poor_le_total")
    def near_poor_le_total(cls, data) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(_no_bigger("near_poor_households", "total_households"))

    @pa.dataframe_check(name="poor_plus_near_poor_le_total")
    def poor_plus_near_poor_le_total(cls, data) -> pl.LazyFrame:  # noqa: N805
        each_fits = _no_bigger("poor_households", "total_households") & _no_bigger("near_poor_households", "total_households")
        both = pl.col("poor_households").fill_null(0) + pl.col("near_poor_households").fill_null(0)
        return data.lazyframe.select(~each_fits | pl.col("total_households").is_null() | (both <= pl.col("total_households")))

    @pa.dataframe_check(name=check_name("reduction_le_baseline", "poor_reduction_target"))
    def poor_reduction_le_baseline(cls, data) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(_no_bigger("poor_reduction_target", "poor_households"))

    @pa.dataframe_check(name=check_name("reduction_le_baseline", "near_poor_reduction_target"))
    def near_poor_reduction_le_baseline(cls, data) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(_no_bigger("near_poor_reduction_target", "near_poor_households"))

    class Config:
        strict = False
        coerce = False


class Villages(pa.DataFrameModel):
    """villages.parquet: one row per village of an accepted commune (the output contract)."""

    run_id: str = pa.Field(description="the run that produced the row")
    year: int = pa.Field(ge=2000, le=2100, description="plan or report year")
    province_code: str = pa.Field(str_matches=r"^\d{2}$", title="Mã tỉnh")
    province_name: str = pa.Field(title="Tên tỉnh")
    commune_code: str = pa.Field(str_matches=r"^\d{5}$", title="Mã xã")
    commune_name: str = pa.Field(title="Tên xã")
    village_name: str = pa.Field(title="Tên thôn, tổ dân phố", description="as written in the source, NFC, trimmed")
    section: str = pa.Field(nullable=True, title="Khu vực / xã cũ")
    total_households: int = pa.Field(gt=0, **_info("total_households", "Tổng số hộ"))
    poor_households: int = pa.Field(ge=0, **_info("poor_households", "Số hộ nghèo at the baseline date"))
    near_poor_households: int = pa.Field(ge=0, **_info("near_poor_households", "Số hộ cận nghèo at the baseline date"))
    poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("poor_reduction_target", "null if absent"))
    near_poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("near_poor_reduction_target", "null if absent"))
    poor_ethnic_minority: pl.Int64 = breakdown_column("poor_ethnic_minority")
    near_poor_ethnic_minority: pl.Int64 = breakdown_column("near_poor_ethnic_minority")
    poor_no_labour: pl.Int64 = breakdown_column("poor_no_labour")
    near_poor_no_labour: pl.Int64 = breakdown_column("near_poor_no_labour")
    poor_merit: pl.Int64 = breakdown_column("poor_merit")
    source_file: str = pa.Field(description="path relative to --raw, exactly as on disk")
    source_sheet: str = pa.Field(nullable=True, description="sheet name as in the workbook; null for CSV")
    source_row: pl.Int32 = pa.Field(ge=1, description="1-based row in the sheet (line in the CSV)")

    class Config:
        strict = False
        coerce = False


class Communes(pa.DataFrameModel):
    """communes.parquet: one row per commune that sent a plan; figures null when it is rejected."""

    run_id: str
    year: int = pa.Field(ge=2000, le=2100)
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    province_name: str = pa.Field(nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$", title="Mã xã")
    commune_name: str = pa.Field(nullable=True, title="Tên xã")
    status: str = pa.Field(isin=["accepted", "rejected"], description="any error on the plan rejects it")
    villages: int = pa.Field(ge=0, nullable=True, description="village rows (accepted communes)")
    total_households: int = pa.Field(ge=0, nullable=True, **_info("total_households", "sum over villages"))
    poor_households: int = pa.Field(ge=0, nullable=True, **_info("poor_households", "sum over villages"))
    near_poor_households: int = pa.Field(ge=0, nullable=True, **_info("near_poor_households", "sum over villages"))
    poor_rate_pct: float = pa.Field(nullable=True, **_info("poor_rate_pct", "from the sums, half-up, 2 decimals"))
    near_poor_rate_pct: float = pa.Field(nullable=True, **_info("near_poor_rate_pct", "from the sums, half-up, 2 decimals"))
    poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("poor_reduction_target", "sum over villages"))
    near_poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("near_poor_reduction_target", "sum over villages"))
    planned_poor_reduction_pp: float = pa.Field(nullable=True, **_info("planned_poor_reduction_pp", "reduction / total x 100"))
    assigned_poor_reduction_pp: float = pa.Field(nullable=True, **_info("assigned_poor_reduction_pp", "from --targets"))
    meets_assigned_target: bool = pa.Field(nullable=True, **_info("meets_assigned_target", "planned >= assigned"))
    poor_ethnic_minority: pl.Int64 = breakdown_column("poor_ethnic_minority")
    near_poor_ethnic_minority: pl.Int64 = breakdown_column("near_poor_ethnic_minority")
    poor_no_labour: pl.Int64 = breakdown_column("poor_no_labour")
    near_poor_no_labour: pl.Int64 = breakdown_column("near_poor_no_labour")
    poor_merit: pl.Int64 = breakdown_column("poor_merit")
    source_file: str = pa.Field(description="the file used for this commune")

    class Config:
        strict = False
        coerce = False
        unique = ["commune_code"]


class Provinces(pa.DataFrameModel):
    """provinces.parquet: one row per province of the run (other kinds add their columns)."""

    run_id: str
    year: int = pa.Field(ge=2000, le=2100)
    province_code: str = pa.Field(str_matches=r"^\d{2}$", unique=True)
    province_name: str = pa.Field(nullable=True)
    communes_expected: int = pa.Field(ge=0, description="units in the official list (or in --targets)")
    communes_accepted: int = pa.Field(ge=0)
    communes_rejected: int = pa.Field(ge=0)
    communes_missing: int = pa.Field(ge=0)
    total_households: int = pa.Field(ge=0, **_info("total_households", "sum over accepted communes"))
    poor_households: int = pa.Field(ge=0, **_info("poor_households", "sum over accepted communes"))
    near_poor_households: int = pa.Field(ge=0, **_info("near_poor_households", "sum over accepted communes"))
    poor_rate_pct: float = pa.Field(nullable=True, **_info("poor_rate_pct", "from the sums"))
    near_poor_rate_pct: float = pa.Field(nullable=True, **_info("near_poor_rate_pct", "from the sums"))
    poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("poor_reduction_target", _GIVEN_SUM))
    near_poor_reduction_target: int = pa.Field(ge=0, nullable=True, **_info("near_poor_reduction_target", _GIVEN_SUM))
    planned_poor_reduction_pp: float = pa.Field(nullable=True, **_info("planned_poor_reduction_pp", "from the sums"))
    communes_meeting_target: int = pa.Field(ge=0)
    communes_below_target: int = pa.Field(ge=0)
    poor_ethnic_minority: pl.Int64 = breakdown_column("poor_ethnic_minority")
    poor_ethnic_minority_communes: pl.Int64 = communes_giving("poor_ethnic_minority")
    near_poor_ethnic_minority: pl.Int64 = breakdown_column("near_poor_ethnic_minority")
    near_poor_ethnic_minority_communes: pl.Int64 = communes_giving("near_poor_ethnic_minority")
    poor_no_labour: pl.Int64 = breakdown_column("poor_no_labour")
    poor_no_labour_communes: pl.Int64 = communes_giving("poor_no_labour")
    near_poor_no_labour: pl.Int64 = breakdown_column("near_poor_no_labour")
    near_poor_no_labour_communes: pl.Int64 = communes_giving("near_poor_no_labour")
    poor_merit: pl.Int64 = breakdown_column("poor_merit")
    poor_merit_communes: pl.Int64 = communes_giving("poor_merit")

    class Config:
        strict = False
        coerce = False
