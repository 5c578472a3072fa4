"""Failures located (file, sheet, A1 cell) and explained in Vietnamese and English, from the catalogue."""

from __future__ import annotations

import re

import polars as pl

from schemas.columns import label_en, label_vi
from schemas.rules import NUMERIC_DETAILS, READABLE_REASONS, RULE_BY_ID

from .kinds import KINDS
from .readers.grid import column_letter

OUTPUT_SCHEMA = {
    "run_id": pl.Utf8,
    "source_file": pl.Utf8,
    "source_sheet": pl.Utf8,
    "cell": pl.Utf8,
    "row": pl.Int32,
    "column": pl.Int32,
    "commune_code": pl.Utf8,
    "commune_name": pl.Utf8,
    "field": pl.Utf8,
    "rule": pl.Utf8,
    "severity": pl.Utf8,
    "level": pl.Utf8,
    "kind": pl.Utf8,
    "value": pl.Utf8,
    "expected": pl.Utf8,
    "message": pl.Utf8,
    "message_en": pl.Utf8,
}
_UNIT_SUMS = ("poor_deprivations_at_least_three", "near_poor_deprivations_under_three")  # detail: "commune" or a village
_DETAILS = {
    "row": ("dòng", "row"),
    "column": ("cột", "column"),
    "sheet": ("trang tính", "sheet"),
    "unused_sheet": ("trang tính không dùng", "unused sheet"),
    "merged": ("số liệu dưới ô gộp", "figures under the merged cell"),  # hidden_content: only a merge's first cell shows
    "section": ("khu vực", "section"),
    "commune": ("xã", "commune"),
    **{k.name: (k.title_vi, k.title_en) for k in KINDS},
    "years_missing": ("thiếu các năm", "lacks the years"),
    "years_outside": ("có các năm ngoài giai đoạn", "has years outside the period"),
    "total": ("dòng cộng", "total line"),
    "other_year": ("chỉ tiêu của năm khác", "the targets of another year"),  # a targets workbook's sheet not used
    "not_communes": ("các dòng phần lớn không phải xã, phường", "its rows are mostly no commune"),
    "poor": ("hộ nghèo", "poor households"),  # a deprivation table's group
    "near_poor": ("hộ cận nghèo", "near-poor households"),
}


def _text(value) -> str:
    """A value for a one-line message: line breaks and runs of spaces collapsed."""
    return "" if value is None else " ".join(str(value).split())


_NUMBER = re.compile(r"^(-?\d+(?:\.\d+)?)(\s*%)?$")


def number_vi(text: str) -> str:
    """'5441' -> '5.441', '0.79' -> '0,79', '25.68 %' -> '25,68 %' (Vietnamese marks, the digits kept as written);
    other text unchanged."""
    found = _NUMBER.match(text)
    if not found:
        return text
    whole, _, frac = found.group(1).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", ".")
    return sign + grouped + ("," + frac if frac else "") + (found.group(2) or "")


def value_vi(rule: str | None, text):
    """A failure's value or expected value as a Vietnamese reader reads it: a rule's numbers with Vietnamese marks
    ("245,5", "5.256,5"), as its message has them; a code, a year, a masked number or a name as stored. The reports
    showed "245.5" beside "245,5" in the message: 2.455 to a Vietnamese eye (reports judge, Hưng Yên)."""
    if text is None or rule not in RULE_BY_ID or not RULE_BY_ID[rule].numbers:
        return text
    return number_vi(str(text))


def number_en(text: str) -> str:
    found = _NUMBER.match(text)
    if not found:
        return text
    whole, _, frac = found.group(1).partition(".")
    sign = "-" if whole.startswith("-") else ""
    return sign + f"{int(whole.lstrip('-')):,}" + ("." + frac if frac else "") + (found.group(2) or "")


def _at_least_two_decimals(text: str) -> str:
    found = re.fullmatch(r"(-?\d+)(?:\.(\d*))?", text)
    return f"{found.group(1)}.{(found.group(2) or '').ljust(2, '0')}" if found else text


_UNIT_WORDS = (("Phường", "phường", "ward"), ("Đặc khu", "đặc khu", "special zone"), ("Xã", "xã", "commune"))


def _unit_word(name: str | None) -> tuple[str, str]:
    """"phường" / "ward" for a ward's name, "đặc khu" for a special zone's, else "xã" / "commune"."""
    return next(((vi, en) for prefix, vi, en in _UNIT_WORDS if (name or "").startswith(prefix)), ("xã", "commune"))


def _message(rec: dict) -> tuple[str, str]:
    rule = RULE_BY_ID[rec["rule"]]
    detail = rec.get("detail")
    value, expected = _text(rec.get("value")), _text(rec.get("expected"))
    if rule.id == "rate_matches_counts":  # a recomputed rate as the forms show it: "3,20", not "3,2" (probe, Gia Lai)
        expected = _at_least_two_decimals(expected)
    none_en = None
    if rule.id == "table_found" and not value:
        value, none_en = "(không có)", "(none)"
    detail_vi = detail_en = _text(detail)
    if rule.id == "readable" and detail in READABLE_REASONS:
        vi, en = READABLE_REASONS[detail]
        detail_vi, detail_en = vi.format(value=value, expected=expected), en.format(value=value, expected=expected)
    elif rule.id == "numeric":
        detail_vi, detail_en = NUMERIC_DETAILS.get(detail or "invalid", ("", ""))
    elif rule.id == "members_positive":  # "#REF!": a broken formula, said so as for any other figure
        detail_vi, detail_en = NUMERIC_DETAILS[detail] if detail == "excel_error" else ("", "")
    elif rule.id == "breakdown_le_parent":  # the count the breakdown is part of
        detail_vi, detail_en = label_vi(detail).lower(), label_en(detail)
    elif rule.id == "plan_feasible":  # "38/21": poor households, of which without labour capacity
        detail_vi = detail_en = " − ".join(_text(detail).split("/"))
    elif rule.id == "baseline_matches_targets":  # the workbook's cell of the province's figure
        detail_vi, detail_en = (f" (ô {detail})", f" (cell {detail})") if detail else ("", "")
    elif rule.id == "poor_plus_near_poor_le_total":  # "5 + 38", the parts of the sum, as the message's numbers are
        detail_vi = " + ".join(number_vi(part) for part in _text(detail).split(" + "))
        detail_en = _text(detail)
    elif rule.id == "superseded_submission":  # for one kind of a file still used for others (a bundle's plan)
        detail_vi, detail_en = (f" cho {_DETAILS[detail][0]}", f" for its {_DETAILS[detail][1]}") if detail else ("", "")
    elif detail in _DETAILS:
        detail_vi, detail_en = _DETAILS[detail]
    where = rec.get("cell") or (f"dòng {rec['row']}" if rec.get("row") else "")
    where_en = rec.get("cell") or (f"row {rec['row']}" if rec.get("row") else "")
    if rule.id in _UNIT_SUMS and detail == "commune":  # a ward's sums are the ward's ("Toàn xã" of a phường)
        detail_vi, detail_en = _unit_word(rec.get("commune_name"))
    if rule.id in _UNIT_SUMS:  # "Ô E9 (xã)", "Ô C12 (Bản Cang)"; a commune's table with no cell: "Toàn xã" (was "E9 xã")
        where = f"Ô {where} ({detail_vi})" if where else f"Toàn {detail_vi}"
        where_en = f"Cell {where_en} ({detail_en})" if where_en else f"The whole {detail_en}"
    if rule.id == "deprived_le_group":  # a cell's count, or a village table's villages summed for the commune
        indicator = _text(detail)[len("commune:"):] if _text(detail).startswith("commune:") else None
        where, where_en = (f"Ô {where}", f"Cell {where_en}") if rec.get("cell") else (
            f"Các thôn cộng lại, chỉ số “{indicator}”", f"The villages together, indicator “{indicator}”")
    if rule.id == "commune_resolved":  # a file's commune (the title's cell that named it), or a targets workbook row's
        where, where_en = (f"ở ô {where}", f"at cell {where_en}") if rec.get("cell") else ("của tệp", "of this file")
    elif rule.id in ("target_within_rate", "wrong_year"):  # the cell of the cut, of the title naming the year, if known
        where, where_en = (f"Ô {where}: ", f"Cell {where_en}: ") if rec.get("cell") else ("", "")
    elif rule.id in ("wrong_province", "legacy_unit_name"):  # the title's cell that named the unit, where a title did
        where, where_en = (f" (ô {where})", f" (cell {where_en})") if rec.get("cell") else ("", "")
    fields = [f for f in _text(rec.get("field")).split(",") if f]
    as_vi, as_en = (number_vi, number_en) if rule.numbers else (str, str)
    args = {
        "value": as_vi(value),
        "expected": as_vi(expected),
        "expected_vi": ", ".join(label_vi(f) for f in _text(expected).split(", ") if f)
        if rule.id == "required_columns"
        else expected,
        "field_vi": ", ".join(label_vi(f) for f in fields),
        "field_en": ", ".join(label_en(f) for f in fields),
        "sheet": _text(rec.get("source_sheet")) or "(tệp CSV)",  # a CSV has no sheet: "trên trang tính  không khớp" read oddly
        "detail_vi": detail_vi,
        "detail_en": detail_en,
    }
    english = {**args, "value": none_en or as_en(value), "expected": as_en(expected),
               "sheet": _text(rec.get("source_sheet")) or "(CSV file)"}
    if rule.id == "required_columns":
        english["expected"] = ", ".join(label_en(f) for f in expected.split(", ") if f)
    return rule.message_vi.format(cell=where, **args), rule.message_en.format(cell=where_en, **english)


def finish(failures: pl.DataFrame, run_id: str, names: dict[str, str] | None = None) -> pl.DataFrame:
    """The validation_failures table: A1 cells, severity, level and both messages."""
    if failures.is_empty():
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    if names is None:  # the official names (inspect, tests): a ward's messages say "phường"
        from .reference import load_reference

        names = {u.commune_code: u.commune_name for u in load_reference().units}
    if names and "commune_code" in failures.columns:
        failures = failures.with_columns(pl.col("commune_code").replace_strict(names, default=None).alias("commune_name"))
    failures = failures.with_columns(
        pl.col("row").cast(pl.Int32), pl.col("column").cast(pl.Int32)
    ).with_columns(
        pl.when(pl.col("row").is_not_null() & pl.col("column").is_not_null())
        .then(pl.col("column").map_elements(column_letter, return_dtype=pl.Utf8) + pl.col("row").cast(pl.Utf8))
        .alias("cell")
    )
    records = failures.to_dicts()
    messages = [_message(r) for r in records]
    out = failures.with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.col("rule").replace_strict({r: RULE_BY_ID[r].severity for r in RULE_BY_ID}, default="error").alias("severity"),
        pl.col("rule").replace_strict({r: RULE_BY_ID[r].level for r in RULE_BY_ID}, default=None).alias("level"),
        pl.Series("message", [m[0] for m in messages], dtype=pl.Utf8),
        pl.Series("message_en", [m[1] for m in messages], dtype=pl.Utf8),
    )
    for col, dtype in OUTPUT_SCHEMA.items():
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype).alias(col))
    # every column that tells two failures apart: the same order whether the files were parsed or came from the cache
    order = ["source_file", "source_sheet", "row", "column", "rule", "field", "kind", "value", "expected"]
    return out.select(list(OUTPUT_SCHEMA)).sort(order, nulls_last=False, maintain_order=True)
