"""Raw table rows (Excel numbers and cell text side by side) to typed values with a status per cell."""

from __future__ import annotations

import polars as pl

from .numbers import (
    EN_EVIDENCE,
    EXCEL_DIGITS,
    MAX_FIGURE,
    TOO_LARGE,
    VI_EVIDENCE,
    EMPTY,
    FORMULA_MARK,
    OK,
    clean_text,
    decimals_shown,
    parsed_number,
)


def _text_lookup(texts: pl.LazyFrame, zero_markers: list[str]) -> pl.LazyFrame:
    """Every distinct cell text parsed once, both ways (',' or '.' as the decimal mark), as a count
    and as a rate. Cells repeat a few thousand distinct texts across 100,000 rows, so parsing the
    distinct ones and joining back is many times faster than running the regexes on every row."""
    none = pl.lit(None, pl.Float64)
    t = pl.col("t")
    cols = []
    for comma, tag in ((True, "vi"), (False, "en")):
        for percent, kind in ((False, "count"), (True, "rate")):
            p = parsed_number(none, t, pl.lit(comma), zero_markers, percent=percent)
            cols += [p.struct.field("value").alias(f"{kind}_{tag}_value"), p.struct.field("status").alias(f"{kind}_{tag}_status")]
    cleaned = clean_text(t)
    cols += [
        cleaned.str.ends_with("%").fill_null(False).alias("pct_sign"),
        cleaned.str.contains(VI_EVIDENCE).fill_null(False).alias("vi_evidence"),
        cleaned.str.contains(EN_EVIDENCE).fill_null(False).alias("en_evidence"),
        cleaned.str.strip_chars_end("%").str.extract(r"[.,](\d+)$", 1).str.len_chars().alias("text_decimals"),
    ]
    return texts.with_columns(cols)


def _helper_columns(field: str, kind: str) -> dict[str, str]:
    """Lookup column -> the field's helper column (a count is looked up as a count, a rate as a rate)."""
    return {
        f"{kind}_vi_value": f"_{field}_vi",
        f"{kind}_vi_status": f"_{field}_vi_status",
        f"{kind}_en_value": f"_{field}_en",
        f"{kind}_en_status": f"_{field}_en_status",
        "pct_sign": f"_{field}_pct",
        "vi_evidence": f"_{field}_vi_ev",
        "en_evidence": f"_{field}_en_ev",
        "text_decimals": f"_{field}_dec",
    }


def typed_rows(raw: pl.LazyFrame, counts: list[str], rates: list[str], zero_markers: list[str]) -> pl.LazyFrame:
    """Each count and rate field as `<field>` (Float64) plus `<field>__status`; rates also keep
    `<field>__pct_sign` and `<field>__decimals` (what the cell showed).

    Excel numbers are taken as they are; text is read in the table's convention (',' is the
    decimal mark unless the table only ever wrote '.' decimals). Empty count cells are zero when
    the table has the column (`<field>__present`).
    """
    fields = counts + rates
    schema = raw.collect_schema()
    texts = pl.concat([raw.select(pl.col(f"{f}__text").alias("t")) for f in fields]).drop_nulls().unique()
    lookup = _text_lookup(texts, zero_markers).collect()  # the distinct texts: a few thousand rows
    # a field with no text in any cell needs no lookup (a join per field is most of the query's
    # planning time: ~0.5 s for the 30 fields of a results table, even with no rows)
    has_text = raw.select([pl.col(f"{f}__text").is_not_null().any().alias(f) for f in fields]).collect().row(0, named=True)
    # Each lookup is joined to its one text column and the narrow results set beside the rows:
    # joining the wide frame again and again copied it once per field (+250 MB for 100,000 rows).
    looked_up = []
    missing = []
    for f in fields:
        columns = _helper_columns(f, "count" if f in counts else "rate")
        if not has_text[f]:
            missing += [pl.lit(None, lookup.schema[src]).alias(dst) for src, dst in columns.items()]
            continue
        table = lookup.lazy().select(pl.col("t").alias(f"{f}__text"), *[pl.col(src).alias(dst) for src, dst in columns.items()])
        narrow = raw.select(f"{f}__text").join(table, on=f"{f}__text", how="left", maintain_order="left")
        looked_up.append(narrow.drop(f"{f}__text"))
    frame = pl.concat([raw, *looked_up], how="horizontal") if looked_up else raw
    if missing:
        frame = frame.with_columns(missing)
    vi = pl.any_horizontal([pl.col(f"_{f}_vi_ev").fill_null(False) for f in fields]).any().over("table_id")
    en = pl.any_horizontal([pl.col(f"_{f}_en_ev").fill_null(False) for f in fields]).any().over("table_id")
    frame = frame.with_columns((vi | ~en).alias("_comma"))
    comma = pl.col("_comma")
    out = []
    for f in fields:
        num, text = pl.col(f"{f}__num"), pl.col(f"{f}__text")
        status = (
            pl.when(num.is_not_null()).then(pl.lit(OK))
            .when(text.is_null()).then(pl.lit(EMPTY))
            .when(comma).then(pl.col(f"_{f}_vi_status"))
            .otherwise(pl.col(f"_{f}_en_status"))
        )
        value = (
            pl.when(num.is_not_null())
            .then(num.round_sig_figs(EXCEL_DIGITS))
            .when(comma)
            .then(pl.col(f"_{f}_vi"))
            .otherwise(pl.col(f"_{f}_en"))
        )
        if f in counts:
            # an empty cell in a column the table has means zero; a column it lacks stays null
            present = pl.col(f"{f}__present").fill_null(False) if f"{f}__present" in schema else pl.lit(True)
            value = pl.when((status == EMPTY) & present).then(0.0).otherwise(value)
            too_large = value.abs() > MAX_FIGURE
            status = pl.when(too_large).then(pl.lit(TOO_LARGE)).otherwise(status)
            value = pl.when(too_large).then(None).otherwise(value)
            out += [value.alias(f), status.alias(f"{f}__status")]
        else:
            out += [
                value.alias(f),
                status.alias(f"{f}__status"),
                (pl.col(f"_{f}_pct").fill_null(False) & num.is_null()).alias(f"{f}__pct_sign"),
                pl.coalesce(pl.col(f"_{f}_dec"), decimals_shown(value, pl.lit(None, pl.Utf8)))
                .clip(0, 6)
                .cast(pl.Int32)
                .alias(f"{f}__decimals"),
            ]
    helpers = [c for f in fields for c in _helper_columns(f, "count").values()]
    return frame.with_columns(out).drop(helpers + ["_comma"])


def raw_text(field: str) -> pl.Expr:
    """The cell as the commune wrote it: its text, else its number without a trailing .0."""
    num = pl.col(f"{field}__num").round_sig_figs(EXCEL_DIGITS)  # as Excel shows it: 3.6, not 3.5999999999999996
    # a whole number as its digits, one too large for them as written ("1e+308" was lost: "giá trị “”"; probe, Cà Mau)
    huge = pl.col(f"{field}__num").abs() >= 1e15  # beyond Excel's 15 digits: as stored, "1e+308"
    as_text = (pl.when(huge).then(pl.col(f"{field}__num").cast(pl.Utf8))
               .when(num == num.round(0)).then(num.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(num.cast(pl.Utf8)))
    return pl.coalesce(pl.col(f"{field}__text").str.strip_chars_start(FORMULA_MARK), as_text)
