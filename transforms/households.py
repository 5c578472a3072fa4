"""Household lists as figures, pure polars: the rows' checks, the pseudonymised households table, the
counts per village and commune, and the comparisons with the plan annex and the deprivation table.

The rows carry no personal value (the parsing process keyed or masked them): `household_ref`,
`code_ref` and `id_ref` are keyed digests, `code_masked` / `id_masked` masked texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from .checks import AT_HEADER, as_failures

HOUSEHOLD = "household"
GROUPS = ("poor", "near_poor")
INDICATORS = 12
# village type words left out when a list's village is matched with the annex's ("Thôn Nà Rì" = "Nà Rì")


def deprivation_count() -> pl.Expr:
    """Indicators marked: null when the list does not give them."""
    col = pl.col("deprivations")
    return pl.when(col.is_null()).then(None).when(col == "").then(0).otherwise(col.str.count_matches(",") + 1).cast(pl.Int64)


def _households(rows: pl.LazyFrame) -> pl.LazyFrame:
    return rows.filter(pl.col("row_kind") == HOUSEHOLD)


def deprivation_failures(rows: pl.LazyFrame) -> pl.LazyFrame:
    """A poor household with fewer than three deprivations, a near-poor one with three or more (when marked)."""
    marked = _households(rows).with_columns(deprivation_count().alias("_n")).filter(pl.col("_n").is_not_null())
    poor = marked.filter((pl.col("group") == "poor") & (pl.col("_n") < 3)).with_columns(
        pl.lit("poor_has_three_deprivations").alias("rule"), pl.lit(">= 3").alias("expected"))
    near = marked.filter((pl.col("group") == "near_poor") & (pl.col("_n") >= 3)).with_columns(
        pl.lit("near_poor_under_three").alias("rule"), pl.lit("< 3").alias("expected"))
    return as_failures(
        pl.concat([poor, near]).select(
            "table_id",
            "row",
            pl.lit("deprivations").alias("field"),
            "rule",
            pl.col("_n").cast(pl.Utf8).alias("value"),
            "expected",
            pl.when(pl.col("deprivations") == "")
            .then(pl.lit("—"))
            .otherwise(pl.col("deprivations").str.replace_all(",", ", "))
            .alias("detail"),
        )
    )


def group_failures(rows: pl.LazyFrame) -> pl.LazyFrame:
    """A household of neither group ("Hộ mới thoát nghèo", a blank): left out of the list (rule household_group); its
    cell named, never its text (a list's cells are personal)."""
    return as_failures(_households(rows).filter(pl.col("group").is_null()).select(
        "table_id", "row", pl.lit("group").alias("field"), pl.lit("household_group").alias("rule")))


def id_format_failures(rows: pl.LazyFrame) -> pl.LazyFrame:
    """An ID number that is neither 12 (CCCD) nor 9 (CMND) digits; its value masked."""
    return as_failures(_households(rows).filter(pl.col("id_format") == "bad").select(
        "table_id", "row", pl.lit("id_number").alias("field"), pl.lit("id_number_format").alias("rule"),
        pl.col("id_masked").alias("value"), pl.lit("12 / 9").alias("expected")))


def duplicate_failures(rows: pl.LazyFrame) -> pl.LazyFrame:
    """A household code or ID number twice in one commune (rule household_unique): the repeats, masked,
    with the row of the first."""
    parts = []
    for ref, field, shown in (("code_ref", "household_code", "code_masked"), ("id_ref", "id_number", "id_masked")):
        key = ["commune_code", ref]
        # the keys met twice first (a national run: a million households, a few repeats), then only their rows sorted
        repeated = rows.filter(pl.col(ref).is_not_null()).group_by(key).len().filter(pl.col("len") > 1).select(key)
        found = (
            rows.join(repeated, on=key, how="semi")
            .sort("source_file", "table_id", "row", nulls_last=True)  # in the workbook's sheet order, not by their names
            .with_columns(pl.int_range(pl.len()).over(key).alias("_nth"),
                          pl.col("row").first().over(key).alias("_first_row"),
                          pl.col("source_sheet").first().over(key).alias("_first_sheet"))
            .filter(pl.col("_nth") > 0)
        )
        parts.append(
            found.select(
                "table_id",
                "row",
                pl.lit(field).alias("field"),
                pl.lit("household_unique").alias("rule"),
                pl.col(shown).alias("value"),
                pl.col("_first_row").cast(pl.Utf8).alias("expected"),
                pl.col("_first_sheet").alias("detail"),
            )
        )
    return as_failures(pl.concat(parts))


def list_rows(typed: pl.LazyFrame, tables: pl.LazyFrame) -> pl.LazyFrame:
    """The households of every list with their commune, file and sheet."""
    return _households(typed).join(
        tables.select("table_id", "commune_code", "source_file", "source_sheet"), on="table_id", how="inner"
    )


def household_table(rows: pl.LazyFrame) -> pl.LazyFrame:
    """households.parquet's figures of each household of a group (household_key, run and province are added by the
    kind); one of neither is reported (group_failures), not listed."""
    flag = lambda c: pl.when(pl.col(c).is_null()).then(None).otherwise(pl.col(c) == "1").alias(c)  # noqa: E731
    given = pl.col("deprivations").is_not_null()
    numbers = pl.col("deprivations").str.split(",")
    return rows.filter(pl.col("group").is_not_null()).select(
        "commune_code", pl.col("name").alias("village_name"), "name_key", "household_ref", "group",
        pl.when((pl.col("members") > 0) & (pl.col("members") == pl.col("members").floor())).then(pl.col("members")).cast(pl.Int64)
        .alias("members"),
        flag("ethnic_minority"), flag("no_labour"), flag("merit"),
        *[pl.when(given).then(numbers.list.contains(pl.lit(str(n)))).alias(f"deprivation_{n}") for n in range(1, INDICATORS + 1)],
        deprivation_count().alias("deprivations"),
        pl.col("planned_exit_year").cast(pl.Int64, strict=False),
        "source_file", "source_sheet", pl.col("row").cast(pl.Int32).alias("source_row"), "table_id",
    )


def village_match_key(col: pl.Expr, type_words: Sequence[str]) -> pl.Expr:
    """A village's name for matching list and annex: its type word dropped ("Thôn Nà Rì" = "Nà Rì"; `type_words`, keys
    as the names': "thôn", "tổ dân phố")."""
    words = "|".join(re.escape(w) for w in sorted(type_words, key=len, reverse=True))  # "tổ dân phố" before "tổ"
    return col.str.replace(f"^({words})\\s+", "")


def commune_counts(households: pl.LazyFrame) -> pl.LazyFrame:
    """Poor and near-poor households of each list."""
    return households.group_by("commune_code").agg(
        *[(pl.col("group") == g).sum().cast(pl.Int64).alias(f"list_{g}_households") for g in GROUPS])


def groups_listed(tables: pl.LazyFrame, accepted: pl.LazyFrame) -> pl.LazyFrame:
    """Per commune, the groups its accepted lists are of (`listed_poor`, `listed_near_poor`): a list is of both, unless
    its sheet or title names one alone and it holds no other ("DANH SÁCH HỘ NGHÈO": the parser's table subject). A list
    of the poor alone says nothing of the near-poor: it was counted as 0 near-poor, every village a mismatch."""
    lists = tables.filter(pl.col("kind") == "households").join(accepted, on=["commune_code", "source_file"], how="semi")
    return lists.group_by("commune_code").agg(
        *[(pl.col("subject").is_null() | (pl.col("subject") == g)).any().alias(f"listed_{g}") for g in GROUPS])


def annex_mismatches(households: pl.LazyFrame, plan_villages: pl.LazyFrame, plan_communes: pl.LazyFrame,
                     groups: pl.LazyFrame, village_types: Sequence[str], lists: pl.LazyFrame) -> pl.LazyFrame:
    """list_matches_annex: per village (where the list names villages), else per commune, list counts
    that differ from the plan annex's baseline (`plan_villages`: commune_code, name_key, poor_households,
    near_poor_households; `plan_communes`: commune_code and the same counts), for the groups listed (`groups`:
    groups_listed; `village_types`: village_match_key's), of every accepted list (`lists`: commune_code, table_id):
    a list that counts no household is 0 against the annex (four lists of codes not read were accepted with
    none and said to match: independent probe)."""
    first = lists.join(
        households.group_by("commune_code").agg(pl.col("village_name").is_not_null().any().alias("_villages")),
        on="commune_code", how="left",
    ).with_columns(pl.col("_villages").fill_null(False))
    listed = households.filter(pl.col("village_name").is_not_null()).with_columns(
        village_match_key(pl.col("name_key"), village_types).alias("_key"))  # the parser's key: "Hoà" and "Hòa" are one name
    per_village = listed.group_by("commune_code", "_key").agg(
        pl.col("village_name").first(), pl.col("table_id").first(), pl.col("source_row").min().alias("row"),
        *[(pl.col("group") == g).sum().alias(f"list_{g}") for g in GROUPS],
        # each group's first household of the village: its count is said there (a sheet a group: the poor's count was
        # said on the near-poor's sheet; independent probe, Đắk Lắk)
        *[c for g in GROUPS for c in (
            pl.col("table_id").filter(pl.col("group") == g).sort_by(pl.col("source_row").filter(pl.col("group") == g))
            .first().alias(f"_{g}_table"),
            pl.col("source_row").filter(pl.col("group") == g).min().alias(f"_{g}_row"))])
    annex = (
        plan_villages.with_columns(village_match_key(pl.col("name_key"), village_types).alias("_key"))
        .group_by("commune_code", "_key")
        .agg(pl.col("name").first().alias("_annex_name"), *[pl.col(f"{g}_households").sum().alias(f"annex_{g}") for g in GROUPS])
    )
    with_villages = first.filter(pl.col("_villages")).select("commune_code")
    villages = (
        per_village.join(annex, on=["commune_code", "_key"], how="full", coalesce=True)
        .join(with_villages, on="commune_code", how="semi")
        .join(plan_communes.select("commune_code"), on="commune_code", how="semi")
        .join(first.select("commune_code", pl.col("table_id").alias("_table")), on="commune_code", how="left")
        .with_columns(
            pl.coalesce("table_id", "_table").alias("table_id"), pl.coalesce("village_name", "_annex_name").alias("detail"),
            # the village's first household's village cell; a village of the annex the list lacks: the list's header
            pl.when(pl.col("row").is_not_null()).then(pl.lit("village_name")).otherwise(pl.lit(AT_HEADER)).alias("at"),
        )
    )
    communes = (
        first.filter(~pl.col("_villages"))
        .join(commune_counts(households).rename({f"list_{g}_households": f"list_{g}" for g in GROUPS}), on="commune_code",
              how="left")
        .join(plan_communes.rename({f"{g}_households": f"annex_{g}" for g in GROUPS}), on="commune_code", how="inner")
        .with_columns(pl.lit(None, pl.Int32).alias("row"), pl.lit("toàn xã").alias("detail"), pl.lit(AT_HEADER).alias("at"),
                      *[pl.lit(None, t).alias(f"_{g}_{w}") for g in GROUPS for w, t in (("table", pl.Int64), ("row", pl.Int32))])
    )
    parts = []
    for frame in (villages, communes):
        frame = frame.join(groups, on="commune_code", how="left")
        for g in GROUPS:
            listed_n, annex_n = pl.col(f"list_{g}").fill_null(0), pl.col(f"annex_{g}").fill_null(0)
            parts.append(
                frame.filter((listed_n != annex_n) & pl.col(f"listed_{g}").fill_null(True)).select(
                    pl.coalesce(pl.col(f"_{g}_table").cast(pl.Int64), pl.col("table_id").cast(pl.Int64)).alias("table_id"),
                    pl.coalesce(pl.col(f"_{g}_row").cast(pl.Int32), pl.col("row").cast(pl.Int32)).alias("row"),
                    pl.lit(f"{g}_households").alias("field"),
                    pl.lit("list_matches_annex").alias("rule"),
                    listed_n.cast(pl.Int64).cast(pl.Utf8).alias("value"),
                    annex_n.cast(pl.Int64).cast(pl.Utf8).alias("expected"),
                    "detail",
                    "at",
                )
            )
    return as_failures(pl.concat(parts, how="diagonal_relaxed"))


def deprivation_mismatches(households: pl.LazyFrame, table: pl.LazyFrame) -> pl.LazyFrame:
    """list_matches_deprivations: per commune, group and indicator, households the list marks deprived
    against the commune's deprivation table (`table`: commune_code, group, indicator_id, indicator,
    households_deprived), for lists that mark deprivations."""
    marked = households.filter(pl.col("deprivations").is_not_null() & pl.col("group").is_not_null())
    counts = pl.concat(
        [
            marked.group_by("commune_code", "group")
            .agg(pl.col(f"deprivation_{n}").sum().cast(pl.Int64).alias("listed"), pl.col("table_id").first())
            .with_columns(pl.lit(n, pl.Int64).alias("indicator_id"))
            for n in range(1, INDICATORS + 1)
        ]
    )
    return as_failures(
        counts.join(
            table.select("commune_code", "group", pl.col("indicator_id").cast(pl.Int64), "indicator", "households_deprived"),
            on=["commune_code", "group", "indicator_id"],
            how="inner",
        )
        .filter(pl.col("households_deprived").is_not_null() & (pl.col("listed") != pl.col("households_deprived")))
        .select(
            "table_id",
            pl.lit(None, pl.Int32).alias("row"),
            pl.lit("deprivations").alias("field"),
            pl.lit("deprivations").alias("at"),  # the header of the list's deprivations
            pl.lit("list_matches_deprivations").alias("rule"),
            pl.col("listed").cast(pl.Utf8).alias("value"),
            pl.col("households_deprived").cast(pl.Utf8).alias("expected"),
            pl.format(
                "{}. {} ({})",
                "indicator_id",
                "indicator",
                pl.col("group").replace_strict({"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}, default=None),
            ).alias("detail"),
        )
    )
