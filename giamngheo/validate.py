"""Validation of table rows in bulk: pandera rules per village row, polars checks across rows."""

from __future__ import annotations

import polars as pl

from schemas.results import RESULTS_COUNTS, RESULTS_RATE_SPECS, RESULTS_RATES, ResultsRows
from schemas.validation import schema_failures
from schemas.villages import PLAN_RULE_FIELDS, PlanVillageRows
from transforms import checks
from transforms.numbers import FORMULA
from transforms.parsing import raw_text, typed_rows
from transforms.results import balance_failures

from .layout.vocabulary import load_vocabulary

PLAN_COUNTS = ["total_households", "poor_households", "near_poor_households", "poor_reduction_target", "near_poor_reduction_target"]
PLAN_RATES = ["poor_rate", "near_poor_rate", "poor_reduction_rate", "near_poor_reduction_rate"]
PLAN_RATE_SPECS = [
    ("poor_rate", "poor_households", ["total_households"]),
    ("near_poor_rate", "near_poor_households", ["total_households"]),
    ("poor_reduction_rate", "poor_reduction_target", ["total_households", "poor_households"]),
    ("near_poor_reduction_rate", "near_poor_reduction_target", ["total_households", "near_poor_households"]),
]


def zero_markers() -> list[str]:
    return sorted(load_vocabulary().zero_markers)


def _describe(failures: pl.DataFrame, typed: pl.DataFrame, counts: list[str]) -> pl.DataFrame:
    """value / expected / detail for the per-row rule failures, read back from the row."""
    if failures.is_empty():
        return failures.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in ("value", "expected", "detail"))
    keyed = failures.join(typed, on=["table_id", "row"], how="left")
    field_value = pl.coalesce(
        [pl.when(pl.col("field") == f).then(raw_text(f)) for f in counts] + [pl.lit(None, pl.Utf8)]
    )
    status = pl.coalesce([pl.when(pl.col("field") == f).then(pl.col(f"{f}__status")) for f in counts] + [pl.lit(None, pl.Utf8)])
    as_int = lambda e: e.round(0).cast(pl.Int64).cast(pl.Utf8)  # noqa: E731
    rule = pl.col("rule")
    value = (
        pl.when(rule == "poor_plus_near_poor_le_total")
        .then(as_int(pl.col("poor_households").fill_null(0) + pl.col("near_poor_households").fill_null(0)))
        .when(rule == "total_positive")
        .then(pl.coalesce(raw_text("total_households"), pl.lit("")))
        .otherwise(field_value)
    )
    expected = (
        pl.when(rule.is_in(["poor_le_total", "near_poor_le_total", "poor_plus_near_poor_le_total"]))
        .then(as_int(pl.col("total_households")))
        .when((rule == "reduction_le_baseline") & (pl.col("field") == "poor_reduction_target"))
        .then(as_int(pl.col("poor_households")))
        .when(rule == "reduction_le_baseline")
        .then(as_int(pl.col("near_poor_households")))
        .when(rule == "integer")
        .then(pl.lit("số nguyên"))
        .when(rule == "non_negative")
        .then(pl.lit(">= 0"))
        .when(rule == "total_positive")
        .then(pl.lit("> 0"))
    )
    detail = pl.when(rule == "numeric").then(status)
    return keyed.select("table_id", "row", "field", "rule", value.alias("value"), expected.alias("expected"), detail.alias("detail"))


def validate_rows(raw: pl.DataFrame, counts: list[str], rates: list[str], rate_specs, model, rule_fields) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed rows and every failure found in them (table_id, row, field, rule, value, expected, detail)."""
    typed = typed_rows(raw.lazy(), counts, rates, zero_markers()).collect()
    villages = typed.filter(pl.col("row_kind") == "village")
    per_row = schema_failures(model, villages, rule_fields)
    # a formula with no saved value is reported as such by the reader, not again as a number
    formula_cells = pl.concat(
        [typed.filter(pl.col(f"{f}__status") == FORMULA).select("table_id", "row", pl.lit(f).alias("field")) for f in counts]
    )
    per_row = per_row.join(formula_cells, on=["table_id", "row", "field"], how="anti")
    lazy = typed.lazy()
    failures = pl.concat(
        [
            _describe(per_row, typed, counts),
            checks.total_row_mismatches(lazy, counts).collect(),
            checks.rate_mismatches(lazy, rate_specs).collect(),
            checks.duplicate_villages(lazy).collect(),
            checks.unnamed_villages(lazy).collect(),
        ],
        how="vertical_relaxed",
    )
    return typed, failures


def validate_plans(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Plan-annex rows: typed values and their failures."""
    return validate_rows(raw, PLAN_COUNTS, PLAN_RATES, PLAN_RATE_SPECS, PlanVillageRows, PLAN_RULE_FIELDS)


def validate_results(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Year-end results rows: typed values and their failures, the balance of movements included."""
    typed, failures = validate_rows(raw, RESULTS_COUNTS, RESULTS_RATES, RESULTS_RATE_SPECS, ResultsRows, {})
    return typed, pl.concat([failures, balance_failures(typed.lazy()).collect()], how="vertical_relaxed")
