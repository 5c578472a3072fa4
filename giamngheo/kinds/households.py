"""Household lists (danh sách hộ nghèo, hộ cận nghèo): one row per household, pseudonymised.

Personal data stays home: the parsing process sends keyed digests and masks only
(giamngheo/layout/households.py); here each household's key is made with its commune, which is
known only now: household_key = HMAC(key, commune code + the parsing process's keyed digest of the
household code, else ID number, else head's name + village + birth year) (giamngheo/secret.py).
"""

from __future__ import annotations

import polars as pl

from schemas.households import Households, HouseholdRows, HouseholdsCommunes, ListColumns, assert_no_personal
from transforms import households as H
from transforms.lineage import source_cell

from ..frames import locate_table_failures, village_keys
from ..figures import commune_status, named_in_run, unit_names, with_run
from ..kind_words import KIND_WORDS
from ..layout.household_header import IDENTITY
from ..layout.households import ATTRIBUTES, COUNTS
from ..layout.vocabulary import load_vocabulary
from ..secret import keyer
from .base import Context, Figures, Kind, Output
from .households_report import household_section, household_sheets

HOUSEHOLDS = Output("households.parquet", Households, "household", traced=True)
COMMUNES = Output("households_communes.parquet", HouseholdsCommunes, "commune")
# columns this kind adds to the plan's commune table (Figures.columns)
LIST_COLUMNS = Output("communes.parquet", ListColumns, "columns")
assert_no_personal((Households, HouseholdsCommunes, ListColumns, HouseholdRows), load_vocabulary().personal_fields)


def pseudonyms(communes: pl.Series, refs: pl.Series) -> pl.Series:
    """household_key per row: the commune and the parsing process's keyed digest, keyed again. Two
    households with the same digest in one commune (same head's name, village and birth year, no code
    or ID) are told apart by their order."""
    key = keyer()  # the key found once (keyed() looks it up in the environment each call: 1M households nationally)
    nth = pl.int_range(pl.len()).over("c", "r")  # the how-many-th household of this digest in its commune
    texts = pl.DataFrame({"c": communes, "r": refs}).with_columns(nth.alias("n")).select(
        pl.concat_str("c", pl.lit("\x1f"), "r",
                      pl.when(pl.col("n") > 0).then(pl.lit("\x1f") + pl.col("n").cast(pl.Utf8)).otherwise(pl.lit(""))).alias("t")
    )["t"]
    # in slices: a national run's million texts never all Python objects at once
    step = 50_000
    parts = [
        pl.Series("household_key", [key(t) for t in texts.slice(i, step).to_list()], dtype=pl.Utf8)
        for i in range(0, len(texts), step)
    ]
    return pl.concat(parts) if parts else pl.Series("household_key", [], dtype=pl.Utf8)


def _plan_inputs(ctx: Context) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(villages, communes) of the accepted plans: their poor and near-poor baselines."""
    plan = ctx.done["plan"].tables["communes.parquet"].filter(pl.col("status") == "accepted")
    communes = plan.lazy().select("commune_code", *[pl.col(f"{g}_households").cast(pl.Int64) for g in H.GROUPS])
    villages = (
        ctx.typed["plan"].lazy().filter(pl.col("row_kind") == "village")
        .join(ctx.tables.lazy().select("table_id", "commune_code"), on="table_id")
        .join(communes.select("commune_code"), on="commune_code", how="semi")
        .select("commune_code", "name", _numbered_alike("name"),
                *[pl.col(f"{g}_households").round(0).cast(pl.Int64) for g in H.GROUPS])
    )
    return villages, communes


def _numbered_alike(name: str) -> pl.Expr:
    """name_key of a village for matching list and annex, a numbered neighbourhood one village however each writes it
    ("Khu phố 1" of the list, "Khu phố 01" of the annex; "KP.3" and "KP3"; "TDP 5" and "Tổ dân phố 5"): matched as
    written, each was two villages, the list's and the annex's, a false list_matches_annex each (21 of 29 wards; urban
    wards judge, HCM). Both sides are summed by this key, so forms alike of two villages (one per former ward) merge on
    both sides alike: a difference between them may hide, none is made."""
    return village_keys(pl.col(name)).alias("name_key")


def _deprivation_table(ctx: Context) -> pl.DataFrame | None:
    """The accepted deprivation tables' counts, when the run has the deprivations kind."""
    made = ctx.done.get("deprivations")
    table = made.tables.get("deprivations.parquet") if made else None
    return table if table is not None and not table.is_empty() else None


def household_figures(ctx: Context) -> Figures:
    """households.parquet of the accepted lists; each list's status, counts, and its comparisons."""

    rows = H.list_rows(ctx.typed["households"].lazy(), ctx.tables.lazy())  # lazy: each use reads its own columns
    duplicates = H.duplicate_failures(rows).collect()
    located = locate_table_failures(duplicates, ctx.tables, ctx.columns)
    by_file = commune_status(pl.concat([ctx.failures, located], how="diagonal_relaxed"), ctx.submitted["households"],
                             "households")
    accepted = by_file.filter(pl.col("status") == "accepted").select("commune_code", "source_file")
    # a commune's list in parts (its poor and near-poor in two files): one status, its files named together
    status = by_file.group_by("commune_code", maintain_order=True).agg(
        pl.col("source_file").sort().str.join("; "), pl.col("status").first())
    names = unit_names(ctx.ref)
    households = (
        H.household_table(rows).join(accepted.lazy(), on=["commune_code", "source_file"], how="semi")
        .sort("commune_code", "source_file", "source_sheet", "source_row", nulls_last=True).collect()
    )
    households = households.with_columns(pseudonyms(households["commune_code"], households["household_ref"]))
    plan_villages, plan_communes = _plan_inputs(ctx)
    listed = H.groups_listed(ctx.tables.lazy(), accepted.lazy()).collect()
    lists = (ctx.tables.lazy().filter(pl.col("kind") == "households")
             .join(accepted.lazy(), on=["commune_code", "source_file"], how="semi")
             .group_by("commune_code").agg(pl.col("table_id").min()))
    keyed = households.lazy().with_columns(_numbered_alike("village_name"))
    annex = H.annex_mismatches(keyed, plan_villages, plan_communes, listed.lazy(), load_vocabulary().village_types,
                               lists).collect()
    cross = [duplicates, _at_a_column_read(annex, ctx.columns)]
    deprivations = _deprivation_table(ctx)
    if deprivations is not None:
        cross.append(H.deprivation_mismatches(households.lazy(), deprivations.lazy()).collect())
    failures = pl.concat(cross, how="diagonal_relaxed")
    counts = H.commune_counts(households.lazy()).collect()
    province = dict(names.select("commune_code", "province_code").iter_rows())
    table = with_run(
        households, ctx
    ).select(  # the province by code, not a join: a join copies every column of a million households
        "run_id",
        "year",
        pl.col("commune_code").replace_strict(province, default=None, return_dtype=pl.Utf8).alias("province_code"),
        *HOUSEHOLDS.columns[3:],
    )
    del households
    differ = failures.filter(pl.col("rule") == "list_matches_annex").join(
        ctx.tables.select("table_id", "commune_code"), on="table_id", how="left")["commune_code"].unique()
    accepted_here = pl.col("status") == "accepted"
    communes = (
        status.join(counts, on="commune_code", how="left")
        .join(listed, on="commune_code", how="left")
        .join(
            plan_communes.collect().rename({f"{g}_households": f"annex_{g}_households" for g in H.GROUPS}),
            on="commune_code",
            how="left",
        )
        .pipe(named_in_run, names, ctx)
        # null for a group no list of the commune is of (a list of the poor alone)
        .with_columns(
            *[
                pl.when(accepted_here & pl.col(f"listed_{g}").fill_null(True))
                .then(pl.col(f"list_{g}_households").fill_null(0))
                .alias(f"list_{g}_households")
                for g in H.GROUPS
            ]
        )
        .with_columns(
            pl.when(accepted_here & pl.col("annex_poor_households").is_not_null())
            .then(~pl.col("commune_code").is_in(differ.implode()))
            .alias("matches_annex")
        )
        .select(COMMUNES.columns)
        .sort("commune_code")
    )
    extra = communes.filter(accepted_here).select(
        "commune_code", "list_poor_households", "list_near_poor_households")
    return Figures({HOUSEHOLDS.name: table, COMMUNES.name: communes}, status, None, failures, columns={LIST_COLUMNS.name: extra})


_ROW_CELLS = ("village_name", "head_name", "household_code", "id_number")  # a household's cells, the village's first


def _at_a_column_read(failures: pl.DataFrame, columns: pl.DataFrame) -> pl.DataFrame:
    """Failures at a household's village cell, at another of its cells where the list has no village column (its
    villages are section rows: the failure had no cell; independent probe, Đắk Lắk)."""
    if failures.is_empty() or "at" not in failures.columns:
        return failures
    read = columns.filter(pl.col("field").is_in(list(_ROW_CELLS))).group_by("table_id").agg(pl.col("field"))
    best = {t: next(f for f in _ROW_CELLS if f in fields) for t, fields in read.iter_rows()}
    return failures.with_columns(
        pl.when(pl.col("at") == "village_name")
        .then(pl.col("table_id").replace_strict(best, default="village_name", return_dtype=pl.Utf8))
        .otherwise(pl.col("at")).alias("at"))


def household_lineage(ctx: Context, figures: Figures) -> pl.DataFrame:
    """The cells behind a list's figures (list_poor_households, list_near_poor_households), named, never their
    values: each accepted household counted once in its group, at the cell that names it (IDENTITY), value 1. Read
    from households.parquet's rows (each list is one table of its file and sheet), not the typed rows again.
    A household's members are no commune or province figure: not traced (1M lineage rows nationally)."""
    table = figures.tables[HOUSEHOLDS.name]
    tables = ctx.tables.filter(pl.col("kind") == "households").select("table_id", "source_file", "source_sheet", "sha256")
    rows = table.lazy().select("commune_code", "village_name", "group", "source_file", "source_sheet", "source_row").join(
        tables.lazy(), on=["source_file", "source_sheet"], how="left", nulls_equal=True, maintain_order="left")
    counted = rows.filter(pl.col("group").is_not_null()).with_columns(
        pl.format("list_{}_households", "group").alias("field"), pl.lit(1.0).alias("value"))
    # the cell of its head's name, else of its code or ID number (a list without names)
    rank = pl.col("field").replace_strict({f: i for i, f in enumerate(IDENTITY)}, default=None, return_dtype=pl.Int8)
    where = (ctx.columns.lazy().filter(pl.col("field").is_in(IDENTITY)).sort(rank)
             .group_by("table_id").agg(pl.col("column").first().cast(pl.Int32)))
    # households.parquet is in lineage order already (commune, file, sheet, row; one field a household): kept, not
    # sorted again (a sort copied the 1.08 million national rows with their file names and hashes: the trace's peak)
    return counted.join(where, on="table_id", how="left", maintain_order="left").select(
        "commune_code", "village_name", pl.lit(None, pl.Utf8).alias("section"), "field", "value", "source_file", "source_sheet",
        source_cell(), "source_row", "column", "sha256",
        pl.lit("households").alias("kind"),
    ).collect()


HOUSEHOLDS_KIND = Kind(
    name="households",
    title_vi="danh sách hộ nghèo, hộ cận nghèo",
    title_en="household list",
    heading_vi="Danh sách hộ",
    file_words=KIND_WORDS["households"],
    in_parts=True,  # "DS hộ nghèo.xlsx" and "DS hộ cận nghèo.xlsx": the poor's list was superseded by the near-poor's
    counts=COUNTS,
    rates=(),
    rows=HouseholdRows,
    checks=(H.deprivation_failures, H.id_format_failures, H.group_failures),
    needs=("plan",),  # and the deprivation table when the run has one (Context.done, read if present)
    expected=True,  # owed by every commune once the run holds one
    aggregate=household_figures,
    trace=household_lineage,  # from households.parquet's rows, not the typed rows
    rows_read_once=True,
    outputs=(HOUSEHOLDS, COMMUNES, LIST_COLUMNS),
    report_sheets=household_sheets,
    report_section=household_section,
    row_kinds=("household",),
    attributes=ATTRIBUTES,
    # `giamngheo trace CODE list_poor_households`: the cell of each household's head counted once (its address, never its value)
    traced=("list_poor_households", "list_near_poor_households"),
)
