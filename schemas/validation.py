"""Run a pandera schema in bulk and turn its failure cases into rule failures located by row."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

FAILURE_KEYS = {"table_id": pl.Int32, "row": pl.Int32, "field": pl.Utf8, "rule": pl.Utf8}
# a cell's `__status` when it reads as a number or as none (transforms.numbers gives the statuses); any other is `numeric`
READ_AS_NUMBER = ("ok", "empty", "zero_marker")


def read_as_number(data) -> pl.LazyFrame:
    """A pandera check's body: whether each `__status` cell of the checked column read as a number or as none."""
    return data.lazyframe.select(pl.col(data.key).is_in(READ_AS_NUMBER))


def whole_number(data) -> pl.LazyFrame:
    """A pandera check's body (rule `integer`): each value of the checked column is whole, or none."""
    col = pl.col(data.key)
    return data.lazyframe.select(col.is_null() | (col == col.floor()))


def not_negative(data) -> pl.LazyFrame:
    """A pandera check's body (rule `non_negative`): each value of the checked column is 0 or more, or none."""
    col = pl.col(data.key)
    return data.lazyframe.select(col.is_null() | (col >= 0))


def empty_failures() -> pl.DataFrame:
    return pl.DataFrame(schema=FAILURE_KEYS)


def check_name(rule: str, field: str | None = None) -> str:
    """Checks are named '<rule id>' or '<rule id>:<field>' so a failure names both."""
    return f"{rule}:{field}" if field else rule


def schema_failures(model: type[pa.DataFrameModel], frame: pl.DataFrame, default_fields: dict[str, str]) -> pl.DataFrame:
    """(table_id, row, field, rule) for every failed check of `model` on `frame`, in one pass.

    Column checks name their column; dataframe checks take the field from their
    name ('rule:field') or from `default_fields[rule]`.
    """
    if frame.is_empty():
        return empty_failures()
    # only the model's columns: pandera copies the frame it checks, and the typed rows are wide
    frame = frame.select([c for c in model.to_schema().columns if c in frame.columns])
    try:
        model.validate(frame, lazy=True)
        return empty_failures()
    except SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases.filter(pl.col("index").is_not_null())
    parts = pl.col("check").str.split_exact(":", 1)
    rule = parts.struct.field("field_0")
    field_from_check = parts.struct.field("field_1")
    column = pl.when(pl.col("schema_context") == "Column").then(pl.col("column").str.replace(r"__status$", ""))
    located = cases.select(
        pl.col("index").cast(pl.Int64).alias("_index"),
        rule.alias("rule"),
        pl.coalesce(field_from_check, column, rule.replace_strict(default_fields, default=None)).alias("field"),
    )
    rows = frame.select(pl.col("table_id"), pl.col("row")).with_row_index("_index").with_columns(pl.col("_index").cast(pl.Int64))
    return (
        located.join(rows, on="_index", how="left")
        .select(pl.col("table_id").cast(pl.Int32), pl.col("row").cast(pl.Int32), "field", "rule")
        .unique(maintain_order=True)
    )
