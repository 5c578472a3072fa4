"""Validation of table rows in bulk: pandera rules per village row, polars checks across rows."""

from __future__ import annotations

import logging

import polars as pl

from schemas.rules import RULE_BY_ID, RULE_FIELDS
from schemas.validation import schema_failures
from transforms import breakdowns, checks
from transforms.numbers import FORMULA
from transforms.parsing import raw_text, typed_rows

from .kinds.base import Kind
from .layout.vocabulary import load_vocabulary

log = logging.getLogger(__name__)


def zero_markers() -> list[str]:
    return sorted(load_vocabulary().zero_markers)


class RowView:
    """A typed row as the rule catalogue reads it back: a column the kind lacks reads as null,
    so a rule of one kind can never break the description of another kind's failures."""

    def __init__(self, columns: set[str]):
        self.columns = columns

    @staticmethod
    def lit(text: str) -> pl.Expr:
        return pl.lit(text, pl.Utf8)

    def num(self, field: str) -> pl.Expr:
        return pl.col(field) if field in self.columns else pl.lit(None, pl.Float64)

    def whole(self, field: str) -> pl.Expr:
        """A count as whole-number text."""
        return self.num(field).round(0).cast(pl.Int64).cast(pl.Utf8)

    def whole_sum(self, *fields: str) -> pl.Expr:
        total = sum((self.num(f).fill_null(0) for f in fields), pl.lit(0.0))
        return total.round(0).cast(pl.Int64).cast(pl.Utf8)

    def raw(self, field: str, default: str | None = None) -> pl.Expr:
        """The cell as the commune wrote it; a number typed as text ("1.572") as the number read from it, which a message
        writes the Vietnamese way: the text itself was rewritten as a decimal, "số hộ nghèo (1,572)" beside "(1.552)"
        (auditors judge, Hà Nội)."""
        text = raw_text(field) if {f"{field}__num", f"{field}__text"} <= self.columns else pl.lit(None, pl.Utf8)
        if {field, f"{field}__status", f"{field}__text"} <= self.columns:
            value = pl.col(field)
            read = pl.when(value == value.round(0)).then(value.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(
                value.round_sig_figs(15).cast(pl.Utf8))
            typed = (pl.col(f"{field}__status") == "ok") & pl.col(f"{field}__text").str.contains(r"^\s*-?[\d.,\s]+$")
            text = pl.when(typed & value.is_not_null() & (value.abs() < 1e15)).then(read).otherwise(text)
        return text if default is None else pl.coalesce(text, pl.lit(default))

    def status(self, field: str) -> pl.Expr:
        return pl.col(f"{field}__status") if f"{field}__status" in self.columns else pl.lit(None, pl.Utf8)


def describe_row_failures(failures: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """value / expected / detail of per-row rule failures, each made as its catalogue entry says."""
    if failures.is_empty():
        return failures.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in ("value", "expected", "detail"))
    keyed = failures.join(typed, on=["table_id", "row"], how="left")
    row = RowView(set(keyed.columns))
    exprs = {"value": [], "expected": [], "detail": []}
    for rule_id, field in failures.select("rule", "field").unique().iter_rows():
        rule = RULE_BY_ID[rule_id]
        here = (pl.col("rule") == rule_id) & (pl.col("field") == field if field else pl.col("field").is_null())
        made = {
            "value": rule.value(row, field) if rule.value else row.raw(field or ""),
            "expected": rule.expected(row, field) if rule.expected else None,
            "detail": rule.detail(row, field) if rule.detail else None,
        }
        for name, expr in made.items():
            if expr is not None:
                exprs[name].append(pl.when(here).then(expr.cast(pl.Utf8)))
    described = [pl.coalesce(e + [pl.lit(None, pl.Utf8)]).alias(name) for name, e in exprs.items()]
    return keyed.select("table_id", "row", "field", "rule", *described)


def validate_rows(raw: pl.DataFrame, kind: Kind) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed rows of one kind and every failure found in them (table_id, row, field, rule, value, expected, detail)."""
    counts, rates = list(kind.counts), list(kind.rates)
    typed = typed_rows(raw.lazy(), counts, rates, zero_markers()).collect()
    per_row = schema_failures(kind.rows, typed.filter(pl.col("row_kind").is_in(kind.row_kinds)), RULE_FIELDS)
    # a formula with no saved value is reported as such by the reader, not again as a number
    # (the rows holding any such cell found in one pass first: there are few, and the typed rows are many)
    with_formulas = typed.lazy().filter(pl.any_horizontal([pl.col(f"{f}__status") == FORMULA for f in counts]))
    formula_cells = pl.concat(
        [
            with_formulas.filter(pl.col(f"{f}__status") == FORMULA).select("table_id", "row", pl.lit(f).alias("field"))
            for f in counts
        ]
    ).collect()
    per_row = per_row.join(formula_cells, on=["table_id", "row", "field"], how="anti")
    lazy = typed.lazy()
    failures = pl.concat(
        [describe_row_failures(per_row, typed), *[check(lazy).collect() for check in kind.checks]], how="diagonal_relaxed"
    )
    failures = breakdowns.at_source_rows(failures, typed, kind.breakdowns)
    return typed, _named_by_item(failures, typed, kind) if kind.item_attribute else failures


def _named_by_item(failures: pl.DataFrame, typed: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """Failures at a long table's figure with the row's item as their field (Kind.item_attribute), found at the
    figure's column (`at`)."""
    items = typed.select("table_id", "row", pl.col(kind.item_attribute).alias("_item")).unique(["table_id", "row"])
    at_figure = pl.col("field").is_in(list(kind.counts)) & pl.col("_item").is_not_null()
    if "at" not in failures.columns:
        failures = failures.with_columns(pl.lit(None, pl.Utf8).alias("at"))
    return failures.join(items, on=["table_id", "row"], how="left").with_columns(
        pl.when(at_figure).then(pl.coalesce("at", "field")).otherwise(pl.col("at")).alias("at"),
        pl.when(at_figure).then(pl.col("_item")).otherwise(pl.col("field")).alias("field"),
    ).drop("_item")


_EMPTY_TYPED: dict[tuple, pl.DataFrame] = {}


def _typed_schema(kind: Kind, raw_schema: tuple) -> pl.DataFrame:
    """The typed frame of a kind no table carried, made once per process: planning the typing query
    costs ~0.1 s even with no rows (a join per field), and most runs and inspections lack most kinds."""
    key = (kind.name, raw_schema)
    if key not in _EMPTY_TYPED:  # the rows typed, as validate_rows types them; no rule to run on no rows
        _EMPTY_TYPED[key] = typed_rows(
            pl.LazyFrame(schema=dict(raw_schema)), list(kind.counts), list(kind.rates), zero_markers()
        ).collect()
    return _EMPTY_TYPED[key]


def validate_kind(raw: pl.DataFrame, kind: Kind) -> tuple[pl.DataFrame, pl.DataFrame]:
    """validate_rows in bulk; should a table break the checks themselves, the kind's tables are checked
    one by one and the table that breaks them is rejected (rule `checkable`): one odd table never
    stops the run or costs the other communes their figures."""
    if raw.is_empty():
        return _typed_schema(kind, tuple(raw.schema.items())).clear(), pl.DataFrame(schema=checks.FAILURE_SCHEMA)
    try:
        return validate_rows(raw, kind)
    except Exception as exc:  # noqa: BLE001 - any bug met on odd input becomes a rejection, table by table
        log.warning("bulk checks of %s failed (%s); checking table by table", kind.name, type(exc).__name__)
    typed_parts, failure_parts = [], []
    for (table_id,), rows in raw.group_by(["table_id"], maintain_order=True):
        try:
            typed, failures = validate_rows(rows, kind)
        except Exception as exc:  # noqa: BLE001
            # the type only: a message could quote a cell, and a cell can be personal data
            log.error("checks of table %s (%s) failed: %s", table_id, kind.name, type(exc).__name__)
            failures = pl.DataFrame(
                {"table_id": [table_id], "row": [None], "field": [None], "rule": ["checkable"],
                 "value": [type(exc).__name__], "expected": [None], "detail": [None], "at": [None]},
                schema=checks.FAILURE_SCHEMA,
            )
            typed = None
        if typed is not None:
            typed_parts.append(typed)
        failure_parts.append(failures)
    typed = pl.concat(typed_parts, how="diagonal_relaxed") if typed_parts else validate_rows(raw.clear(), kind)[0]
    return typed, pl.concat(failure_parts, how="diagonal_relaxed")
