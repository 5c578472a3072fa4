"""What every kind's figures share: commune status per kind, official names, the run's columns."""

from __future__ import annotations

import polars as pl

from schemas.rules import RULE_BY_ID

from .reference import Reference

ERROR_RULES = [r.id for r in RULE_BY_ID.values() if r.severity == "error"]


def commune_status(failures: pl.DataFrame, submitted: pl.DataFrame, kind: str) -> pl.DataFrame:
    """accepted / rejected per submitted commune: any error on its file for this kind rejects it.

    `submitted`: (commune_code, source_file) of the file in use for `kind`.
    """
    errors = failures.filter(
        pl.col("rule").is_in(ERROR_RULES)
        & (pl.col("kind").is_null() | (pl.col("kind") == kind))
        & pl.col("commune_code").is_not_null()
    ).join(submitted, on=["commune_code", "source_file"], how="semi")
    rejected = errors.select("commune_code").unique()
    return submitted.with_columns(
        pl.when(pl.col("commune_code").is_in(rejected["commune_code"].implode())).then(pl.lit("rejected")).otherwise(pl.lit("accepted")).alias("status")
    )


def unit_names(ref: Reference) -> pl.DataFrame:
    """Official commune and province names by commune code."""
    return pl.DataFrame(
        {
            "commune_code": [u.commune_code for u in ref.units],
            "commune_name": [u.commune_name for u in ref.units],
            "province_code": [u.province_code for u in ref.units],
            "province_name": [u.province_name for u in ref.units],
        }
    )


def with_run(frame: pl.LazyFrame, ctx) -> pl.LazyFrame:
    """The run's id and year on every row."""
    return frame.with_columns(pl.lit(ctx.run_id).alias("run_id"), pl.lit(ctx.year, pl.Int64).alias("year"))


def named_in_run(frame: pl.LazyFrame | pl.DataFrame, names: pl.DataFrame, ctx) -> pl.LazyFrame | pl.DataFrame:
    """`frame` with its communes' names (unit_names, by commune_code, in the frame's order) and the run's id and year."""
    names = names.lazy() if isinstance(frame, pl.LazyFrame) else names
    return with_run(frame.join(names, on="commune_code", how="left", maintain_order="left"), ctx)


def accepted_only(columns: list[str]) -> list[pl.Expr]:
    """A rejected commune keeps its row but none of its figures."""
    return [pl.when(pl.col("status") == "accepted").then(pl.col(c)).otherwise(None).alias(c) for c in columns]


def expected_communes(ref: Reference, provinces: list[str], targets: pl.DataFrame, sent=()) -> pl.DataFrame:
    """(province_code, communes_expected): the province's units in the targets workbook, and any other that sent a
    report (`sent`, as the ledger lists them), else every unit of the official list. A commune the workbook names
    unreadably, whose plan came, made 40 accepted and rejected of 39 expected (independent probe, An Giang)."""
    rows = []
    target_codes = set(targets["commune_code"]) if not targets.is_empty() else set()
    for p in provinces:
        units = {u.commune_code for u in ref.province_units(p)}
        in_targets = units & target_codes
        expected = in_targets | (units & set(sent)) if in_targets else units
        rows.append({"province_code": p, "communes_expected": len(expected)})
    return pl.DataFrame(rows, schema={"province_code": pl.Utf8, "communes_expected": pl.Int64})
