"""Numbers as communes write them: "5.441", "0,79", "1.234,5", "12%", "-", blanks; Excel numbers as is."""

from __future__ import annotations

import polars as pl

from .markers import FORMULA_MARK

# Statuses of a parsed cell.
OK, EMPTY, ZERO, INVALID, AMBIGUOUS, FORMULA = "ok", "empty", "zero_marker", "invalid", "ambiguous", "formula"
TOO_LARGE = "too_large"
EXCEL_ERROR = "excel_error"  # the cell shows one of Excel's (or LibreOffice's) formula errors: "#REF!", "#DIV/0!", "Err:502"
UNUSABLE = (INVALID, AMBIGUOUS, FORMULA, TOO_LARGE, EXCEL_ERROR)  # a cell whose value is not known
# The error values Excel stores in a cell (t="e" in .xlsx, BOOLERR or a formula's result in .xls; readers give them
# as this text) and LibreOffice's own ("Err:502"); a CSV or HTML export writes the same text
ERROR_VALUES = (
    r"^(#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|BUSY!|CONNECT!|UNKNOWN!)|Err:\d{3})$"
)
# Larger than any commune's households or budget (in đồng too): such a cell is no figure (rule numeric), and sums of
# Int64 counts stay far from overflow (two villages of 6e18 households wrapped a province's total below zero)
MAX_FIGURE = 1e12
# Excel shows (and a commune reads) a number to 15 significant digits: "=C5*7%" on 100 households shows 7 and stores
# 7.000000000000001, which is no fraction of a household. Stored numbers are taken as shown.
EXCEL_DIGITS = 15

_PLAIN = r"^[+-]?\d+$"
_DOT_GROUPED = r"^[+-]?\d{1,3}(\.\d{3})+$"  # 5.441 (vi thousands) or 5.441 (en decimal)
_COMMA_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+$"  # 5,441 (en thousands) or 5,441 (vi decimal)
_VI_DECIMAL = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$"  # 1.234,5  0,79
_EN_DECIMAL = r"^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+$"  # 1,234.5  0.79
VI_EVIDENCE = r"^[+-]?(\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+)%?$"
EN_EVIDENCE = r"^[+-]?(\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+)%?$"


def clean_text(text: pl.Expr) -> pl.Expr:
    """Cell text without spaces (incl. no-break), accounting negatives "(5)" as "-5", the minus sign "−" (U+2212, as a
    word processor types it: "−0,31" was no number) as "-"."""
    t = text.str.replace_all(r"[\s\u00a0\u202f]", "").str.replace_all("\u2212", "-")
    return pl.when(t.str.contains(r"^\(\d[\d.,]*\)$")).then(pl.lit("-") + t.str.strip_chars("()")).otherwise(t)


def _to_float(text: pl.Expr, comma_decimal: pl.Expr) -> pl.Expr:
    """The numeric value of a cleaned text, None when it is not a number in the file's convention."""
    vi_value = text.str.replace_all(r"\.", "").str.replace(",", ".").cast(pl.Float64, strict=False)
    en_value = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    return (
        pl.when(text.str.contains(_PLAIN))
        .then(text.cast(pl.Float64, strict=False))
        .when(comma_decimal & text.str.contains(_DOT_GROUPED))
        .then(vi_value)
        .when(~comma_decimal & text.str.contains(_COMMA_GROUPED))
        .then(en_value)
        .when(text.str.contains(_VI_DECIMAL) & comma_decimal)
        .then(vi_value)
        .when(text.str.contains(_EN_DECIMAL) & ~text.str.contains(_DOT_GROUPED))
        .then(en_value)
        .when(text.str.contains(_VI_DECIMAL) & ~text.str.contains(_COMMA_GROUPED))
        .then(vi_value)
        .otherwise(None)
    )


def parsed_number(num: pl.Expr, text: pl.Expr, comma_decimal: pl.Expr, zero_markers: list[str], percent: bool = False) -> pl.Expr:
    """A struct {value, status, percent_sign} for one cell given its Excel number and its text.

    A count written with one separator in groups of three is ambiguous when it
    contradicts the file's decimal mark ("5,441" where "," is the decimal mark).
    """
    t = clean_text(text)
    has_pct = t.str.ends_with("%").fill_null(False)
    body = t.str.strip_chars_end("%")
    lowered = text.str.strip_chars().str.to_lowercase()
    value = _to_float(body, comma_decimal)
    ambiguous = (comma_decimal & body.str.contains(_COMMA_GROUPED)) | (~comma_decimal & body.str.contains(_DOT_GROUPED))
    status = (
        pl.when(num.is_not_null())
        .then(pl.lit(OK))
        .when(text.is_null() | (lowered == ""))
        .then(pl.lit(EMPTY))
        .when(text.str.starts_with(FORMULA_MARK))
        .then(pl.lit(FORMULA))
        .when(text.str.strip_chars().str.to_uppercase().str.contains(ERROR_VALUES))
        .then(pl.lit(EXCEL_ERROR))
        .when(lowered.is_in(zero_markers))
        .then(pl.lit(ZERO))
        .when(has_pct & pl.lit(not percent))
        .then(pl.lit(INVALID))
        .when(ambiguous & pl.lit(not percent))
        .then(pl.lit(AMBIGUOUS))
        .when(value.is_not_null())
        .then(pl.lit(OK))
        .otherwise(pl.lit(INVALID))
    )
    final = (
        pl.when(num.is_not_null())
        .then(num)
        .when(status == ZERO)
        .then(pl.lit(0.0))
        .when(status == OK)
        .then(value)
        .otherwise(None)
    )
    return pl.struct(value=final, status=status, percent_sign=has_pct & num.is_null())


def decimals_shown(value: pl.Expr, text: pl.Expr) -> pl.Expr:
    """How many decimals a stated rate shows: from its text, else from the stored number (max 6)."""
    from_text = clean_text(text).str.strip_chars_end("%").str.extract(r"[.,](\d+)$", 1).str.len_chars()
    as_str = value.round(6).cast(pl.Utf8)
    from_num = pl.when(as_str.str.contains(r"\.")).then(as_str.str.extract(r"\.(\d*?)0*$", 1).str.len_chars()).otherwise(0)
    return pl.coalesce(from_text, from_num, pl.lit(0)).clip(0, 6).cast(pl.Int32)
