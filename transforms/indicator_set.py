"""The indicators a deprivation table gives against the poverty standard in force (rule indicator_set): every one of
the standard, none of another standard or unknown to the catalogue, none twice, every one in each group."""

from __future__ import annotations

import polars as pl

from .checks import AT_HEADER, as_failures

GROUP_VI = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}


def indicator_set_failures(cells: pl.LazyFrame, keys: list[str], names: dict[str, str], owners: dict[str, str],
                           standard: str) -> pl.LazyFrame:
    """A table that lacks an indicator of the standard in force, or gives one of another standard or
    one the catalogue does not know (rule indicator_set), once per table, the indicators named."""
    # a village table names its indicators once per village: the distinct names first (a national set's cells are a million)
    named_once = cells.select("commune_code", "table_id", "indicator", "indicator_label").unique()
    # an indicator given twice on a commune's rows ("10 | Nhà tiêu hợp vệ sinh | 34" and "10 | Nhà tiêu HVS | 3"): which is
    # right the commune says; they were added up without a word (independent probe, Hà Tĩnh)
    # (rows with households deprived: a dimension's row "1 | Thiếu hụt về việc làm" left blank names indicator 1 too)
    twice = cells.filter((pl.col("level") == "commune") & pl.col("indicator").is_not_null()
                         & (pl.col("deprived").fill_null(0) > 0)).group_by(
        "commune_code", "table_id", "indicator", "group").len().filter(pl.col("len") > 1).group_by("commune_code").agg(
        pl.col("indicator").unique().sort().alias("_twice"))
    wanted = pl.lit(keys, dtype=pl.List(pl.Utf8))
    named = lambda e: e.list.eval(pl.element().replace_strict(names, default=pl.element())).list.join("; ")  # noqa: E731
    # an indicator one group lacks that the other gives (a sheet per group, the near-poor's heading it "VL": its rows
    # dropped without a word; layouts judge, Điện Biên), named with the group
    pairs = cells.filter(pl.col("indicator").is_not_null()).select("commune_code", "group", "indicator").unique()
    every = pairs.group_by("commune_code").agg(pl.col("indicator").unique().alias("_all"))
    lacks = pl.col("_all").list.set_intersection(wanted).list.set_difference(pl.col("_of_group"))
    one_group = pairs.group_by("commune_code", "group").agg(pl.col("indicator").alias("_of_group")).join(
        every, on="commune_code").with_columns(lacks.alias("_lacks")).filter(pl.col("_lacks").list.len() > 0).with_columns(
        named(pl.col("_lacks")) + pl.lit(" (") + pl.col("group").replace_strict(GROUP_VI, default=pl.col("group"))
        + pl.lit(")")).group_by("commune_code").agg(pl.col("_lacks").sort().alias("_group_missing"))
    given = named_once.group_by("commune_code").agg(
        pl.col("table_id").min(), pl.col("indicator").drop_nulls().unique().alias("_given"),
        pl.col("indicator_label").filter(pl.col("indicator").is_null()).drop_nulls().unique().sort().alias("_unknown")
    ).join(twice, on="commune_code", how="left").join(one_group, on="commune_code", how="left").with_columns(
        pl.col("_twice", "_group_missing").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))))
    checked = given.with_columns(
        wanted.list.set_difference(pl.col("_given")).alias("_missing"),
        pl.col("_given").list.set_difference(wanted).list.sort().alias("_foreign"),
    )
    foreign = pl.col("_foreign").list.eval(
        pl.element().replace_strict(names, default=pl.element()) + pl.lit(" (")
        + pl.element().replace_strict(owners, default=pl.lit("?")) + pl.lit(")")).list.join("; ")
    parts = [
        pl.when(pl.col("_missing").list.len() > 0).then(pl.lit("thiếu ") + named(pl.col("_missing"))),
        pl.when(pl.col("_group_missing").list.len() > 0).then(pl.lit("thiếu ") + pl.col("_group_missing").list.join("; ")),
        pl.when(pl.col("_foreign").list.len() > 0).then(pl.lit("chỉ số của chuẩn khác: ") + foreign),
        pl.when(pl.col("_unknown").list.len() > 0).then(pl.lit("không nhận ra: ") + pl.col("_unknown").list.join("; ")),
        pl.when(pl.col("_twice").list.len() > 0).then(pl.lit("ghi hai lần: ") + named(pl.col("_twice"))),
    ]
    bad = pl.any_horizontal([pl.col(c).list.len() > 0 for c in ("_missing", "_group_missing", "_foreign", "_unknown", "_twice")])
    return as_failures(checked.filter(bad).select(
        "table_id", pl.lit("indicator_set").alias("rule"), pl.concat_str(parts, separator="; ", ignore_nulls=True).alias("value"),
        pl.lit(standard).alias("expected"), pl.lit(AT_HEADER).alias("at")))
