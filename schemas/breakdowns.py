"""Breakdowns of the poor and near-poor ("Trong đó: hộ DTTS"): the per-row rules their cells obey, and
their columns in the output tables."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .columns import BREAKDOWNS, COLUMNS
from .validation import not_negative, read_as_number, whole_number


def _info(field: str, description: str) -> dict:
    info = COLUMNS[field]
    return {"title": info.vi, "description": description, "metadata": {"unit": info.unit, "en": info.en}}


class BreakdownRows(pa.DataFrameModel):
    """The breakdown cells of a village row (a column of their own, or a "Trong đó" row under it):
    numbers, whole, not negative. Row models of the kinds that carry breakdowns inherit these."""

    poor_ethnic_minority: float = pa.Field(nullable=True, **_info("poor_ethnic_minority", "part of poor_households"))
    near_poor_ethnic_minority: float = pa.Field(
        nullable=True, **_info("near_poor_ethnic_minority", "part of near_poor_households")
    )
    poor_no_labour: float = pa.Field(nullable=True, **_info("poor_no_labour", "part of poor_households"))
    near_poor_no_labour: float = pa.Field(nullable=True, **_info("near_poor_no_labour", "part of near_poor_households"))
    poor_merit: float = pa.Field(nullable=True, **_info("poor_merit", "part of poor_households"))
    poor_ethnic_minority__status: str = pa.Field()
    near_poor_ethnic_minority__status: str = pa.Field()
    poor_no_labour__status: str = pa.Field()
    near_poor_no_labour__status: str = pa.Field()
    poor_merit__status: str = pa.Field()

    @pa.check(*(f"{b}__status" for b in BREAKDOWNS), name="numeric")
    def breakdown_numeric(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        return read_as_number(data)

    @pa.check(*BREAKDOWNS, name="integer")
    def breakdown_integer(cls, data) -> pl.LazyFrame:  # noqa: N805
        return whole_number(data)

    @pa.check(*BREAKDOWNS, name="non_negative")
    def breakdown_non_negative(cls, data) -> pl.LazyFrame:  # noqa: N805
        return not_negative(data)

    class Config:
        strict = False
        coerce = False


def breakdown_column(field: str) -> pa.Field:
    """A breakdown column of an output table: null where the commune's table does not give it."""
    return pa.Field(ge=0, nullable=True, **_info(field, "null where the commune's table does not give it"))


def communes_giving(field: str, nullable: bool = False) -> pa.Field:
    """provinces.parquet's `<field>_communes`: the accepted communes whose sum it is (null in a province
    with no accepted results, for the results' fields)."""
    return pa.Field(ge=0, nullable=nullable, **_info(f"{field}_communes", "accepted communes that give the field"))
