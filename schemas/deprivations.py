"""Deprivation indicators (chỉ số thiếu hụt): the rules of a table's cells (pandera) and its output tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .validation import not_negative, read_as_number, whole_number

COUNTS = ("poor_deprived", "near_poor_deprived", "poor_households", "near_poor_households")
RATES = ("poor_deprived_rate", "near_poor_deprived_rate")
GROUPS = ("poor", "near_poor")


class DeprivationRows(pa.DataFrameModel):
    """One typed row of a deprivation table: an indicator's (or a village's) deprived households, or group sizes."""

    table_id: int = pa.Field()
    row: int = pa.Field(ge=1)
    poor_deprived: float = pa.Field(nullable=True, description="poor households deprived in the indicator")
    near_poor_deprived: float = pa.Field(nullable=True, description="near-poor households deprived in the indicator")
    poor_households: float = pa.Field(nullable=True, description="the poor households the counts are out of, when stated")
    near_poor_households: float = pa.Field(nullable=True, description="the near-poor households, when stated")
    poor_deprived__status: str = pa.Field(
        description="how the cell read: ok, empty, zero_marker, invalid, ambiguous, formula, too_large, excel_error"
    )
    near_poor_deprived__status: str = pa.Field()
    poor_households__status: str = pa.Field()
    near_poor_households__status: str = pa.Field()

    @pa.check("poor_deprived__status", "near_poor_deprived__status", "poor_households__status", "near_poor_households__status",
              name="numeric")
    def numeric(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        return read_as_number(data)

    @pa.check(*COUNTS, name="integer")
    def integer(cls, data) -> pl.LazyFrame:  # noqa: N805
        return whole_number(data)

    @pa.check(*COUNTS, name="non_negative")
    def non_negative(cls, data) -> pl.LazyFrame:  # noqa: N805
        return not_negative(data)

    class Config:
        strict = False
        coerce = False


_FIELDS = {
    "run_id": (str, pa.Field()),
    "year": (pl.Int64, pa.Field(ge=2000, le=2100)),
    "province_code": (str, pa.Field(str_matches=r"^\d{2}$", nullable=True)),
    "province_name": (str, pa.Field(nullable=True)),
    "commune_code": (str, pa.Field(str_matches=r"^\d{5}$")),
    "commune_name": (str, pa.Field(nullable=True)),
    "village_name": (str, pa.Field()),
    "status": (str, pa.Field(isin=["accepted", "rejected"])),
    "standard": (str, pa.Field(description="the poverty standard in force for the year, e.g. 07/2021/NĐ-CP")),
    "dimension_id": (pl.Int64, pa.Field(ge=1, le=9)),
    "dimension": (str, pa.Field()),
    "indicator_id": (pl.Int64, pa.Field(ge=1, le=30, description="the indicator's number in the standard (1-12)")),
    "indicator": (str, pa.Field()),
    "group": (str, pa.Field(isin=list(GROUPS))),
    "households_deprived": (pl.Int64, pa.Field(ge=0, nullable=True)),
    "households_in_group": (
        pl.Int64,
        pa.Field(ge=0, nullable=True, description="from the table when stated, else the plan's baseline"),
    ),
    "deprivation_rate_pct": (float, pa.Field(ge=0, nullable=True, description="deprived / group x 100, half-up, 2 decimals")),
    "communes": (pl.Int64, pa.Field(ge=0, description="accepted communes that give the indicator and the group's size")),
    "communes_without_group": (pl.Int64, pa.Field(ge=0, description="accepted communes that give the indicator without "
                                                               "the group's size (group_size_known): in no sum of the row")),
    "coverage_pct": (float, pa.Field(nullable=True, description="100 - deprived / (poor + near-poor) x 100, per indicator")),
    "target_coverage_pct": (float, pa.Field(nullable=True, ge=0, le=100)),
    "communes_meeting_target": (pl.Int64, pa.Field(nullable=True, ge=0)),
    "gap_pp": (float, pa.Field(nullable=True, description="target - coverage, percentage points (positive: below target)")),
    "meets_target": (bool, pa.Field(nullable=True)),
    "indicators": (pl.Int64, pa.Field(nullable=True, ge=0, description="indicators the table gives")),
    "poor_households": (pl.Int64, pa.Field(nullable=True, ge=0, description="the group sizes used")),
    "near_poor_households": (pl.Int64, pa.Field(nullable=True, ge=0)),
    "group_source": (str, pa.Field(nullable=True, isin=["table", "plan"], description="where the group sizes come from")),
    "source_file": (str, pa.Field()),
    "source_sheet": (str, pa.Field(nullable=True)),
    "source_row": (pl.Int32, pa.Field(ge=1)),
}


def _model(name: str, doc: str, columns: tuple[str, ...], unique: list[str] | None = None) -> type[pa.DataFrameModel]:
    """An output model with the contract's columns in order."""
    config = type("Config", (), {"strict": False, "coerce": False, **({"unique": unique} if unique else {})})
    namespace = {"__doc__": doc, "__annotations__": {c: _FIELDS[c][0] for c in columns},
                 **{c: _FIELDS[c][1] for c in columns}, "Config": config, "__module__": __name__}
    return type(name, (pa.DataFrameModel,), namespace)


_HEAD = ("run_id", "year", "province_code", "commune_code", "commune_name")
_INDICATOR = ("standard", "dimension_id", "dimension", "indicator_id", "indicator", "group", "households_deprived",
              "households_in_group", "deprivation_rate_pct")

Deprivations = _model("Deprivations", "deprivations.parquet: one row per accepted commune x indicator x group.",
                      (*_HEAD, *_INDICATOR, "source_file", "source_sheet"), ["commune_code", "indicator_id", "group"])
DeprivationsVillages = _model(
    "DeprivationsVillages",
    "deprivations_villages.parquet: one row per village x indicator x group of an accepted village-level table.",
    (*_HEAD, "village_name", *_INDICATOR, "source_file", "source_sheet", "source_row"),
)
DeprivationsCommunes = _model(
    "DeprivationsCommunes", "deprivations_communes.parquet: one row per commune that sent a deprivation table (its status).",
    (*_HEAD, "status", "standard", "indicators", "poor_households", "near_poor_households", "group_source", "source_file"),
    ["commune_code"])
DeprivationsCoverage = _model(
    "DeprivationsCoverage", "deprivations_coverage.parquet: per accepted commune x indicator, coverage against its target.",
    (*_HEAD, "indicator_id", "indicator", "households_deprived", "households_in_group", "coverage_pct", "target_coverage_pct",
     "gap_pp", "meets_target"), ["commune_code", "indicator_id"])
DeprivationsProvinces = _model(
    "DeprivationsProvinces", "deprivations_provinces.parquet: one row per province x indicator x group, over accepted communes.",
    ("run_id", "year", "province_code", "province_name", *_INDICATOR[:-3], "communes", "communes_without_group",
     *_INDICATOR[-3:], "coverage_pct",
     "target_coverage_pct", "communes_meeting_target"))
