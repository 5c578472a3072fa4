"""Year-end results: the balance of movements, villages merged across the forms, attainment of targets."""

from __future__ import annotations

import polars as pl

from schemas.columns import SPLIT_FIELDS, SPLITS
from schemas.results import DECREASE_PARTS, INCREASE_PARTS, RESULTS_BREAKDOWN_FIELDS, RESULTS_COUNTS

from .breakdowns import given_sum, province_sums, source_row
from .checks import as_failures, int_text
from .households import village_match_key
from .numbers import EMPTY, OK, ZERO
from .rates import pp_difference, rate_pct

SUBJECTS = ("poor", "near_poor")
# each movement of the year -> the parts it is the sum of when no total is declared
MOVEMENTS = {f"{s}_{m}": parts[s] for s in SUBJECTS for m, parts in (("decrease", DECREASE_PARTS), ("increase", INCREASE_PARTS))}


def _sum_present(fields: list[str]) -> pl.Expr:
    """Sum of the fields a row has; null when it has none of them."""
    present = pl.any_horizontal([pl.col(f).is_not_null() for f in fields])
    return pl.when(present).then(pl.sum_horizontal([pl.col(f).fill_null(0) for f in fields]))


def _read_as_numbers(fields: list[str]) -> pl.Expr:
    """Every one of the row's cells of `fields` read as a number, or as none (a cell that is no number is reported as
    such, never judged again by the checks across cells)."""
    return pl.all_horizontal([pl.col(f"{f}__status").is_in([OK, EMPTY, ZERO]) for f in fields])


def movements(subject: str, declared: str = "") -> tuple[pl.Expr, pl.Expr]:
    """All decreases and all increases of a row: the declared totals (`<subject>_decrease<declared>`), else the sum of
    the parts."""
    dec = pl.coalesce(pl.col(f"{subject}_decrease{declared}"), _sum_present(list(DECREASE_PARTS[subject])))
    inc = pl.coalesce(pl.col(f"{subject}_increase{declared}"), _sum_present(list(INCREASE_PARTS[subject])))
    return dec, inc


def _judged_rows(typed: pl.LazyFrame) -> pl.LazyFrame:
    """The rows a results check judges: villages, and declared totals and subtotals."""
    return typed.filter(pl.col("row_kind").is_in(["village", "total", "subtotal"]))


def _failing(rows: pl.LazyFrame, fails: pl.Expr, field: str, rule: str, value: pl.Expr, expected: pl.Expr) -> pl.LazyFrame:
    """The rows where `fails` holds, as failures of `rule` at `field`: the cell's value and the expected, as whole numbers
    where they are."""
    return rows.filter(fails).select("table_id", "row", pl.lit(field).alias("field"), pl.lit(rule).alias("rule"),
                                     int_text(value).alias("value"), int_text(expected).alias("expected"),
                                     pl.lit(None, pl.Utf8).alias("detail"))


def balance_failures(typed: pl.LazyFrame) -> pl.LazyFrame:
    """end = start - decreases + increases, per village and per declared total (rule balance, an error)."""
    parts, rows = [], _judged_rows(typed)
    for subject in SUBJECTS:
        start, end = pl.col(f"{subject}_households_start"), pl.col(f"{subject}_households_end")
        dec, inc = movements(subject)
        expected = start - dec.fill_null(0) + inc.fill_null(0)
        judged = start.is_not_null() & end.is_not_null() & (dec.is_not_null() | inc.is_not_null())
        # a total row that leaves every movement blank gives its start and end only (its villages' movements are
        # judged): "Cộng | 222 | | | | 195" was 222 - 0 + 0, a false error that rejected the commune (independent probe)
        moved = [f"{subject}_decrease", *DECREASE_PARTS[subject], f"{subject}_increase", *INCREASE_PARTS[subject]]
        written = pl.any_horizontal([pl.col(f"{f}__status") != EMPTY for f in moved])
        judged = judged & ((pl.col("row_kind") == "village") | written)
        parsed = _read_as_numbers([f for f in RESULTS_COUNTS if f.startswith(subject)])
        parts.append(_failing(rows, judged & parsed & ((end - expected).abs() > 1e-9), f"{subject}_households_end", "balance",
                              end, expected))
    return as_failures(pl.concat(parts))


def decrease_failures(typed: pl.LazyFrame) -> pl.LazyFrame:
    """No more households leave a group in the year than it held at the start (rule decrease_le_start, an error): each
    decrease column, and all of them together (reported at the start's cell). "9 thoát nghèo" of 6 poor households,
    balanced by 5 newly poor, passed the balance and was accepted."""
    parts, rows = [], _judged_rows(typed)
    for subject in SUBJECTS:
        start = pl.col(f"{subject}_households_start")
        fields = [f"{subject}_decrease", *DECREASE_PARTS[subject]]
        parsed = _read_as_numbers([f"{subject}_households_start", *fields])
        over = [start.is_not_null() & pl.col(f).is_not_null() & (pl.col(f) > start + 1e-9) for f in fields]
        parts += [_failing(rows, parsed & exceeds, f, "decrease_le_start", pl.col(f), start) for f, exceeds in zip(fields, over)]
        together = movements(subject)[0]
        parts.append(_failing(rows, parsed & ~pl.any_horizontal(over) & start.is_not_null() & (together > start + 1e-9),
                              f"{subject}_households_start", "decrease_le_start", together, start))
    return as_failures(pl.concat(parts))


def movement_parts_failures(typed: pl.LazyFrame) -> pl.LazyFrame:
    """A declared decrease or increase that is not the sum of its parts, where the row gives every part or the parts
    add up to more (rule movement_matches_parts, a warning: the declared total is used, as the balance judges it).
    "Giảm: Tổng số 4 | chuyển cận nghèo 0 | thoát nghèo 2 | giảm khác 0" was taken silently."""
    parts, rows = [], _judged_rows(typed)
    names = rows.collect_schema().names()
    for declared, every_part in MOVEMENTS.items():
        pieces = [p for p in every_part if p in names]
        if declared not in names or not pieces:
            continue
        given = _sum_present(pieces)
        # every part given (an empty cell of a column the table has is 0): the sum must be the total (a movement's
        # second column, SPLITS, is no part of its own)
        whole = [p for p in pieces if p not in SPLIT_FIELDS]
        complete = pl.all_horizontal([pl.col(p).is_not_null() for p in whole]) & pl.lit(
            len(whole) == len([p for p in every_part if p not in SPLIT_FIELDS]))
        differs = pl.col(declared).is_not_null() & given.is_not_null() & (
            (complete & ((given - pl.col(declared)).abs() > 1e-9)) | (given > pl.col(declared) + 1e-9))
        parts.append(_failing(rows, _read_as_numbers([declared, *pieces]) & differs, declared, "movement_matches_parts",
                              pl.col(declared), given))
    return as_failures(pl.concat(parts) if parts else pl.LazyFrame(schema={"table_id": pl.Int32}))


def within_total_failures(typed: pl.LazyFrame) -> pl.LazyFrame:
    """No more poor, near-poor, or both together, than households, at the start and at the end of the year, where a row
    gives both (the plan's rules poor_le_total, near_poor_le_total, poor_plus_near_poor_le_total, errors): 31 poor of
    30 households at the end balanced with the year's movements and was accepted."""
    parts, rows = [], _judged_rows(typed)
    names = rows.collect_schema().names()
    for when in ("start", "end"):
        total, counts = pl.col(f"total_households_{when}"), [f"{s}_households_{when}" for s in SUBJECTS]
        if f"total_households_{when}" not in names:
            continue
        parsed = _read_as_numbers([f"total_households_{when}", *counts])
        each = [total.is_not_null() & pl.col(f).is_not_null() & (pl.col(f) > total + 1e-9) for f in counts]
        parts += [_failing(rows, parsed & over, f, rule, pl.col(f), total)
                  for f, rule, over in zip(counts, ("poor_le_total", "near_poor_le_total"), each)]
        both = pl.col(counts[0]) + pl.col(counts[1])
        parts.append(
            _failing(
                rows,
                parsed & ~pl.any_horizontal(each) & both.is_not_null() & total.is_not_null() & (both > total + 1e-9),
                counts[1],
                "poor_plus_near_poor_le_total",
                both,
                total,
            )
        )
    return as_failures(pl.concat(parts) if parts else pl.LazyFrame(schema={"table_id": pl.Int32}))


def _table_rank(tables: pl.LazyFrame) -> pl.LazyFrame:
    """Which form gives a village its provenance: the poor-households movement table first."""
    return tables.select(
        "table_id",
        "commune_code",
        "source_file",
        "source_sheet",
        pl.when(pl.col("subject") == "poor").then(0).when(pl.col("subject") == "near_poor").then(2).otherwise(1).alias("_rank"),
    )


MERGED = [
    "total_households_end",
    "poor_households_start",
    "poor_households_end",
    "near_poor_households_start",
    "near_poor_households_end",
    *DECREASE_PARTS["poor"],
    *INCREASE_PARTS["poor"],
    *DECREASE_PARTS["near_poor"],
    *INCREASE_PARTS["near_poor"],
    "poor_decrease_declared",
    "poor_increase_declared",
    "near_poor_decrease_declared",
    "near_poor_increase_declared",
    *RESULTS_BREAKDOWN_FIELDS,
]


def results_village_rows(typed: pl.LazyFrame, tables: pl.LazyFrame, provenance: list[str] = ()) -> pl.LazyFrame:
    """One row per village and commune, merging the forms of its results (by village name); a movement split over
    columns is their sum (SPLITS), unless its cells are traced (`provenance` names them: each cell as read).

    For each field in `provenance`, `<field>__table` and `<field>__row` say which form and row it came from.
    """
    schema = typed.collect_schema()
    rows = typed.filter(pl.col("row_kind") == "village").with_columns(
        *[pl.col(f"{s}_{k}").alias(f"{s}_{k}_declared") for s in SUBJECTS for k in ("decrease", "increase")],
        *[source_row(f, schema).alias(f"{f}__at") for f in provenance],  # a breakdown's own row
    )
    joined = rows.join(_table_rank(tables), on="table_id").sort("_rank", "table_id", "row")
    key = ["commune_code", "section_index", "name_key"]  # village names repeat across the sections of merged communes
    merged = joined.group_by(key, maintain_order=True).agg(
        pl.col("name").first().alias("village_name"),
        pl.col("section").first(),
        *[pl.col(f).drop_nulls().first().alias(f) for f in MERGED],
        pl.col("source_file").first(),
        pl.col("source_sheet").first(),
        pl.col("row").first().alias("source_row"),
        pl.col("table_id").first(),
        *[pl.col("table_id").filter(pl.col(f).is_not_null()).first().alias(f"{f}__table") for f in provenance],
        *[pl.col(f"{f}__at").filter(pl.col(f).is_not_null()).first().alias(f"{f}__row") for f in provenance],
    )
    out = []
    for s in SUBJECTS:
        dec, inc = movements(s, declared="_declared")
        out += [dec.alias(f"{s}_decrease"), inc.alias(f"{s}_increase")]
    merged = merged.with_columns(out).drop([c for c in MERGED if c.endswith("_declared")])
    if SPLIT_FIELDS & set(provenance):
        return merged
    return merged.with_columns(_sum_present([f, *splits]).alias(f) for f, splits in SPLITS.items()).drop(SPLIT_FIELDS)


def flow_moves_mismatches(villages: pl.LazyFrame) -> pl.LazyFrame:
    """Poor households that became near-poor must appear on the near-poor form as coming from poor (warning)."""
    parts = []
    for here, there in (("poor_to_near_poor", "near_poor_from_poor"), ("poor_from_near_poor", "near_poor_to_poor")):
        parts.append(
            villages.filter(pl.col(here).is_not_null() & pl.col(there).is_not_null() & (pl.col(here) != pl.col(there))).select(
                "table_id",
                pl.col("source_row").alias("row"),
                pl.lit(here).alias("field"),
                pl.lit("flow_moves_match").alias("rule"),
                int_text(pl.col(here)).alias("value"),
                int_text(pl.col(there)).alias("expected"),
                pl.lit(None, pl.Utf8).alias("detail"),
            )
        )
    return as_failures(pl.concat(parts))


def plan_comparison(results: pl.LazyFrame, plan: pl.LazyFrame, village_types: tuple[str, ...] = ()) -> pl.LazyFrame:
    """Start-of-period counts against the plan's baseline, and villages found in only one report (warnings).

    `results`: merged results villages; `plan`: plan village rows with commune_code, name_key,
    poor_households, near_poor_households, table_id, row.
    """
    plan = plan.select(
        "commune_code", "section_index", "name_key", pl.col("name").alias("plan_name"),
        pl.col("poor_households").alias("plan_poor"), pl.col("near_poor_households").alias("plan_near"),
        pl.col("table_id").alias("plan_table"), pl.col("row").alias("plan_row"),
    )
    # a village is matched by its name; by its section too only where the name repeats in the commune (merged communes'
    # "Thôn 1"): results grouped by former commune ("I. Khu vực xã Hua Bum (cũ)") against a plan without sections matched
    # none of their villages (a warning for each, and no start compared with the plan)
    key = ["commune_code", "name_key"]
    repeated = (
        pl.concat(
            [side.group_by(key).len().filter(pl.col("len") > 1).select(key) for side in (results.select(key), plan.select(key))]
        )
        .unique()
        .with_columns(pl.lit(True).alias("_repeated"))
    )

    def matched(side: pl.LazyFrame) -> pl.LazyFrame:
        return side.join(repeated, on=key, how="left").with_columns(
            pl.when(pl.col("_repeated")).then(pl.col("section_index")).otherwise(-1).alias("_section")).drop("_repeated")

    both = matched(results).join(matched(plan).rename({"section_index": "plan_section_index"}),
                                 on=["commune_code", "_section", "name_key"], how="full", coalesce=True)
    with_plan = pl.col("plan_table").is_not_null()
    with_results = pl.col("table_id").is_not_null()
    parts = []
    for field, planned in (("poor_households_start", "plan_poor"), ("near_poor_households_start", "plan_near")):
        parts.append(
            both.filter(with_plan & with_results & pl.col(field).is_not_null() & (pl.col(field) != pl.col(planned))).select(
                "table_id",
                pl.col("source_row").alias("row"),
                pl.lit(field).alias("field"),
                pl.lit("start_matches_plan").alias("rule"),
                int_text(pl.col(field)).alias("value"),
                int_text(pl.col(planned)).alias("expected"),
                pl.lit(None, pl.Utf8).alias("detail"),
            )
        )
    communes_with_both = both.group_by("commune_code").agg(with_plan.any().alias("_p"), with_results.any().alias("_r")).filter(
        pl.col("_p") & pl.col("_r")
    )
    scoped = both.join(communes_with_both.select("commune_code"), on="commune_code", how="semi")
    # a name the other report has, under no section it can be matched by (a merged commune's two "Thôn Đông" in the
    # plan, one in the results' form of no sections), is not missing from it: three warnings said so (reports judge).
    # Where both put it in sections, its own section decides (the plan's I/Khu phố 3 was in the results because
    # II/Khu phố 3 is; urban wards judge, HCM)
    bare = pl.col("section_index").fill_null(0) == 0
    named = [side.group_by(key).agg(bare.any().alias("_bare")) for side in (results, plan)]
    # nor is one the other names without its type word where that names one village there alone ("Tổ 1" of the plan,
    # "Tổ dân phố 1" of the results: 118 warnings for one ward; urban wards judge, HCM)
    loose = village_match_key(pl.col("name_key"), village_types).alias("_loose")
    alone = [side.select("commune_code", loose).group_by("commune_code", "_loose").len().filter(pl.col("len") == 1)
             .select("commune_code", "_loose", pl.lit(True).alias("_alone")) for side in (results, plan)]

    def missing(rows: pl.LazyFrame, other: int, section: str) -> pl.LazyFrame:
        rows = rows.join(named[other], on=key, how="left").with_columns(loose)
        in_other = pl.col("_bare").is_not_null() & (pl.col("_bare") | (pl.col(section).fill_null(0) == 0))
        # the loose name only for a name the other report does not write alike: II/Khu phố 3 is no "Khu phố 3" of I
        loosely = pl.col("_bare").is_null() & pl.col("_alone").is_not_null()
        return rows.join(alone[other], on=["commune_code", "_loose"], how="left").filter(~in_other & ~loosely).drop(
            "_bare", "_alone")

    parts.append(
        missing(scoped.filter(with_results & ~with_plan), 1, "section_index").select(
            "table_id", pl.col("source_row").alias("row"), pl.lit("village_name").alias("field"),
            pl.lit("village_in_both_reports").alias("rule"), pl.col("village_name").alias("value"),
            pl.lit(None, pl.Utf8).alias("expected"), pl.lit("results").alias("detail"),
        )
    )
    parts.append(
        missing(scoped.filter(with_plan & ~with_results), 0, "plan_section_index").select(
            pl.col("plan_table").alias("table_id"), pl.col("plan_row").alias("row"), pl.lit("village_name").alias("field"),
            pl.lit("village_in_both_reports").alias("rule"), pl.col("plan_name").alias("value"),
            pl.lit(None, pl.Utf8).alias("expected"), pl.lit("plan").alias("detail"),
        )
    )
    return as_failures(pl.concat(parts, how="vertical_relaxed"))


SUMMED = [
    "total_households_end", "poor_households_start", "poor_households_end", "near_poor_households_start",
    "near_poor_households_end", "poor_decrease", "poor_increase", "near_poor_decrease", "near_poor_increase",
]


def results_commune_totals(villages: pl.LazyFrame, plan_totals: pl.LazyFrame) -> pl.LazyFrame:
    """Per commune: summed results, start and end rates, the actual cut of the poor rate in points.

    The start rate uses the plan's baseline total households when the commune's
    plan was accepted, else the total at the end; the end rate the total at the end.
    `plan_totals`: (commune_code, plan_total_households, planned_poor_reduction_pp).
    """
    sums = villages.group_by("commune_code").agg(
        pl.len().cast(pl.Int64).alias("villages"),
        *[given_sum(f) for f in SUMMED],
        *[given_sum(f) for f in RESULTS_BREAKDOWN_FIELDS],
        pl.col("source_file").first(),
    )
    joined = sums.join(plan_totals, on="commune_code", how="left")
    start_base = pl.coalesce(pl.col("plan_total_households"), pl.col("total_households_end"))
    return joined.with_columns(start_base.alias("start_denominator")).with_columns(
        rate_pct(pl.col("poor_households_start"), pl.col("start_denominator")).alias("poor_rate_start_pct"),
        rate_pct(pl.col("poor_households_end"), pl.col("total_households_end")).alias("poor_rate_end_pct"),
        rate_pct(pl.col("near_poor_households_start"), pl.col("start_denominator")).alias("near_poor_rate_start_pct"),
        rate_pct(pl.col("near_poor_households_end"), pl.col("total_households_end")).alias("near_poor_rate_end_pct"),
    ).with_columns(
        pp_difference(pl.col("poor_rate_start_pct"), pl.col("poor_rate_end_pct")).alias("actual_poor_reduction_pp"),
    )


def actual_attainment(communes: pl.LazyFrame) -> pl.LazyFrame:
    """Met / missed the assigned target by the actual cut; why not when it cannot be judged (`partial_year`, when the
    frame has it: the commune's report is of part of the year, its cut not the year's)."""
    actual, assigned = pl.col("actual_poor_reduction_pp"), pl.col("assigned_poor_reduction_pp")
    partial = pl.col("partial_year").fill_null(False) if "partial_year" in communes.collect_schema().names() else pl.lit(False)
    judged = actual.is_not_null() & assigned.is_not_null() & (pl.col("status") == "accepted") & ~partial
    return communes.with_columns(
        pl.when(judged).then(actual >= assigned - 1e-9).alias("meets_assigned_target_actual"),
        pl.when(judged & (actual >= assigned - 1e-9))
        .then(pl.lit("met"))
        .when(judged)
        .then(pl.lit("missed"))
        .when(pl.col("status") != "accepted")
        .then(pl.lit("not_assessed: results rejected"))
        .when(partial)
        .then(pl.lit("not_assessed: part of the year only"))
        .when(assigned.is_null())
        .then(pl.lit("not_assessed: no assigned target"))
        .when(pl.col("total_households_end").is_null())
        .then(pl.lit("not_assessed: no total households at the end"))
        .otherwise(pl.lit("not_assessed: start or end count missing"))
        .alias("assessment"),
        pl.when(
            pl.col("actual_poor_reduction_pp").is_not_null()
            & pl.col("planned_poor_reduction_pp").is_not_null()
            & (pl.col("status") == "accepted")
            & ~partial
        )
        .then(actual >= pl.col("planned_poor_reduction_pp") - 1e-9)
        .alias("meets_own_plan_actual"),
    )


def _paired(num: str, den: str, *others: str) -> tuple[pl.Expr, pl.Expr]:
    """Sums of a rate's numerator and denominator over the communes that give both (and `others`): a commune with no
    total at the end adds its poor to no rate's numerator whose denominator lacks its households."""
    given = pl.all_horizontal([pl.col(c).is_not_null() for c in (num, den, *others)])
    return pl.col(num).filter(given).sum(), pl.col(den).filter(given).sum()


def provincial_results(communes: pl.LazyFrame) -> pl.LazyFrame:
    """Province columns of the results, over communes with accepted results. Each rate is over the communes that give
    its numerator and its denominator; the actual cut over those that give both rates (the start and end of the same
    communes)."""
    ok = pl.col("status") == "accepted"
    rates = {
        "poor_rate_start_pct": _paired("poor_households_start", "start_denominator"),
        "poor_rate_end_pct": _paired("poor_households_end", "total_households_end"),
        "near_poor_rate_start_pct": _paired("near_poor_households_start", "start_denominator"),
        "near_poor_rate_end_pct": _paired("near_poor_households_end", "total_households_end"),
        "_cut_start": _paired("poor_households_start", "start_denominator", "poor_households_end", "total_households_end"),
        "_cut_end": _paired("poor_households_end", "total_households_end", "poor_households_start", "start_denominator"),
    }
    return (
        communes.filter(ok)
        .group_by("province_code")
        .agg(
            pl.col("poor_households_start").sum().cast(pl.Int64),
            pl.col("poor_households_end").sum().cast(pl.Int64),
            pl.col("near_poor_households_start").sum().cast(pl.Int64),
            pl.col("near_poor_households_end").sum().cast(pl.Int64),
            pl.col("total_households_end").sum().cast(pl.Int64),
            *[part.alias(f"_{name}_{i}") for name, pair in rates.items() for i, part in enumerate(pair)],
            (pl.col("meets_assigned_target_actual") == True).sum().cast(pl.Int64).alias("communes_met_target_actual"),  # noqa: E712
            (pl.col("meets_assigned_target_actual") == False).sum().cast(pl.Int64).alias("communes_missed_target_actual"),  # noqa: E712
            pl.len().cast(pl.Int64).alias("communes_with_results"),
            # the communes the end rate is over (a commune giving no households at the end adds to no rate)
            (pl.col("poor_households_end").is_not_null() & pl.col("total_households_end").is_not_null()).sum().cast(pl.Int64)
            .alias("poor_rate_end_communes"),
            *province_sums(RESULTS_BREAKDOWN_FIELDS, pl.lit(True)),
        )
        .with_columns(rate_pct(pl.col(f"_{name}_0"), pl.col(f"_{name}_1")).alias(name) for name in rates)
        .with_columns(pp_difference(pl.col("_cut_start"), pl.col("_cut_end")).alias("actual_poor_reduction_pp"))
        .drop(pl.col(r"^_.*$"))
    )
