"""The roadmap (lộ trình giảm nghèo 2026–2030): rules of its cells (pandera) and its output tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .validation import check_name, not_negative, read_as_number


class RoadmapRows(pa.DataFrameModel):
    """One typed cell of a roadmap: an item's value for a year (or the "Cộng" line)."""

    table_id: int = pa.Field()
    row: int = pa.Field(ge=1)
    value: float = pa.Field(nullable=True, description="households, or million VND for budget items")
    value__status: str = pa.Field(
        description="how the cell read: ok, empty, zero_marker, invalid, ambiguous, formula, too_large, excel_error"
    )
    # money as the table wrote it (transforms.roadmap turns it into million VND): "Nghìn đồng" rejected every roadmap
    unit: str = pa.Field(isin=["households", "million_vnd", "vnd", "thousand_vnd", "billion_vnd"])

    @pa.check("value__status", name="numeric")
    def numeric(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        return read_as_number(data)

    @pa.check("value", name="non_negative")
    def non_negative(cls, data) -> pl.LazyFrame:  # noqa: N805
        return not_negative(data)

    @pa.dataframe_check(name=check_name("integer", "value"))
    def households_are_whole(cls, data) -> pl.LazyFrame:  # noqa: N805 - budgets may have decimals, households not
        value = pl.col("value")
        return data.lazyframe.select((pl.col("unit") != "households") | value.is_null() | (value == value.floor()))

    class Config:
        strict = False
        coerce = False


class Roadmap(pa.DataFrameModel):
    """roadmap.parquet: one row per accepted commune x year x item."""

    run_id: str
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$")
    commune_name: str = pa.Field(nullable=True)
    year: pl.Int64 = pa.Field(ge=2000, le=2100, description="the year of the period the value is for")
    item_kind: str = pa.Field(isin=["reduction", "support", "budget"])
    item: str = pa.Field(
        description="canonical id: poor_reduction, support_latrine, budget_central, ... or support_/budget_<words>"
    )
    item_label: str = pa.Field(nullable=True, description="the label as written")
    unit: str = pa.Field(isin=["households", "million_vnd"])
    value: float = pa.Field(ge=0, nullable=True)
    source_file: str
    source_sheet: str = pa.Field(nullable=True)
    source_row: pl.Int32 = pa.Field(ge=1)

    class Config:
        strict = False
        coerce = False


class RoadmapCommunes(pa.DataFrameModel):
    """roadmap_communes.parquet: one row per commune that sent a roadmap (its status, for the ledger)."""

    run_id: str
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$")
    commune_name: str = pa.Field(nullable=True)
    status: str = pa.Field(isin=["accepted", "rejected"])
    years: pl.Int64 = pa.Field(nullable=True, ge=0, description="years of the period the roadmap gives")
    poor_reduction: float = pa.Field(nullable=True, ge=0, description="households to lift out of poverty over the period")
    budget_total: float = pa.Field(nullable=True, ge=0, description="million VND over the period")
    source_file: str

    class Config:
        strict = False
        coerce = False
        unique = ["commune_code"]


class RoadmapProvinces(pa.DataFrameModel):
    """roadmap_provinces.parquet: sums per province x year x item over accepted communes."""

    run_id: str
    province_code: str = pa.Field(str_matches=r"^\d{2}$")
    year: pl.Int64 = pa.Field(ge=2000, le=2100)
    item_kind: str = pa.Field(isin=["reduction", "support", "budget"])
    item: str
    unit: str = pa.Field(isin=["households", "million_vnd"])
    value: float = pa.Field(ge=0, nullable=True)
    communes: pl.Int64 = pa.Field(ge=1, description="accepted communes whose roadmap gives the item for the year")

    class Config:
        strict = False
        coerce = False
