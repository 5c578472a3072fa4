"""Failures across runs: each keyed by (commune, rule, sheet, cell, field) and marked new, persisting or fixed."""

from __future__ import annotations

import polars as pl

KEY = ["commune_code", "rule", "source_file_key", "source_sheet", "cell", "field"]


def _keyed(failures: pl.LazyFrame) -> pl.LazyFrame:
    # a resubmitted file keeps its commune's failures comparable: the file name is not part of the key
    # when the commune is known, only when it is not (unresolved files have no commune), or when the failure is the
    # file's own, at no cell: two superseded files of one commune were one key, a newly arrived one's warning
    # "persisting" and the old file's said in `diff` as newly flagged (operations judge, Lạng Sơn)
    return failures.with_columns(
        pl.when(pl.col("commune_code").is_null() | pl.col("cell").is_null()).then(pl.col("source_file")).otherwise(pl.lit(""))
        .alias("source_file_key")
    )


def failure_history(current: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.LazyFrame:
    """current failures with `history` (new / persisting), plus previous ones no longer found (fixed)."""
    cur = _keyed(current)
    if previous is None:
        return cur.with_columns(pl.lit("new").alias("history")).drop("source_file_key")
    prev = _keyed(previous).select(KEY).unique()
    seen = prev.with_columns(pl.lit(True).alias("_seen"))
    # in the failures' own order (failures.finish sorts them): a rerun's table row for row as the first run's
    marked = cur.join(seen, on=KEY, how="left", nulls_equal=True, maintain_order="left").with_columns(
        pl.when(pl.col("_seen")).then(pl.lit("persisting")).otherwise(pl.lit("new")).alias("history")
    ).drop("_seen")
    # the current failures' columns, whatever the previous run's table held (its published copy carries the journal's
    # acknowledged* columns, added after this table is made): a run's table has the same columns the first time
    schema = cur.collect_schema()
    given = set(previous.collect_schema().names())
    fixed = (
        _keyed(previous)
        .join(cur.select(KEY).unique(), on=KEY, how="anti", nulls_equal=True)
        .select(
            [pl.col(c).cast(t) if c in given or c == "source_file_key" else pl.lit(None, t).alias(c) for c, t in schema.items()]
        )
        .with_columns(pl.lit("fixed").alias("history"))
    )
    return pl.concat([marked, fixed], how="vertical_relaxed").drop("source_file_key")


def failures_since(current: pl.LazyFrame, previous: pl.LazyFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the current failures with their `history`, new or persisting; failure_history.parquet: those and the fixed)."""
    history = failure_history(current, previous).collect()
    columns = current.collect_schema().names()
    return history.filter(pl.col("history") != "fixed").select(*columns, "history"), history
