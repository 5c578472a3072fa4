"""The two tables every kind writes into: lineage.parquet (the cell behind each figure) and validation_failures.parquet
(each failure, located and explained). Their columns, as the contract and `giamngheo trace` read them."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from .rules import ACROSS, ERROR, RULE_BY_ID, STRUCTURE, TARGETS, WARNING, WITHIN

SHA256 = r"^[0-9a-f]{64}$"
A1 = r"^[A-Z]{1,3}[1-9][0-9]*$"


class Lineage(pa.DataFrameModel):
    """lineage.parquet: one row per source cell behind a published figure. A kind may add columns of its own (a
    roadmap's year); these are the ones every kind gives. The run checks each kind's cells by name and type as it
    writes them (a national run's lineage is millions of rows, streamed to the file); the tests check every value."""

    kind: str = pa.Field(description="the report kind whose figure the cell gives, or 'targets' (the targets workbook)")
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$")
    village_name: str = pa.Field(nullable=True, description="null for a commune-level cell (a target)")
    section: str = pa.Field(nullable=True)
    field: str = pa.Field(description="the figure's field the cell is summed into")
    value: float = pa.Field(nullable=True, description="the cell's value as read")
    source_file: str = pa.Field(description="path relative to --raw, as on disk (the targets workbook: its name)")
    source_sheet: str = pa.Field(nullable=True, description="null for CSV")
    cell: str = pa.Field(str_matches=A1, description="A1 address")
    source_row: pl.Int32 = pa.Field(ge=1)
    column: pl.Int32 = pa.Field(ge=1)
    sha256: str = pa.Field(str_matches=SHA256, description="of the file read: the cell is of that version")

    class Config:
        strict = False
        coerce = False


class ValidationFailures(pa.DataFrameModel):
    """validation_failures.parquet: one row per failure, with its place and its messages (the journal's
    acknowledgement columns are added when the run publishes: giamngheo.approval)."""

    run_id: str
    source_file: str = pa.Field(nullable=True, description="null for a failure of no file (a commune that sent none)")
    source_sheet: str = pa.Field(nullable=True)
    cell: str = pa.Field(nullable=True, str_matches=A1, description="null for file-, table- and commune-level rules")
    row: pl.Int32 = pa.Field(nullable=True, ge=1)
    column: pl.Int32 = pa.Field(nullable=True, ge=1)
    commune_code: str = pa.Field(nullable=True, str_matches=r"^\d{5}$")
    commune_name: str = pa.Field(nullable=True)
    field: str = pa.Field(nullable=True)
    rule: str = pa.Field(isin=sorted(RULE_BY_ID), description="a stable id of the rule catalogue (schemas/rules.py)")
    severity: str = pa.Field(isin=[ERROR, WARNING])
    level: str = pa.Field(isin=[STRUCTURE, WITHIN, ACROSS, TARGETS])
    kind: str = pa.Field(nullable=True)
    value: str = pa.Field(nullable=True)
    expected: str = pa.Field(nullable=True)
    message: str = pa.Field(str_length={"min_value": 1}, description="Vietnamese")
    message_en: str = pa.Field(str_length={"min_value": 1})
    history: Optional[str] = pa.Field(nullable=True, isin=["new", "persisting"])  # noqa: UP007

    @pa.dataframe_check(name="severity_of_the_rule")
    def severity_is_the_catalogues(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        severity = pl.col("rule").replace_strict({r.id: r.severity for r in RULE_BY_ID.values()}, default=None)
        return data.lazyframe.select(severity == pl.col("severity"))

    class Config:
        strict = False
        coerce = False
