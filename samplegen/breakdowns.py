"""Plan annexes that say who the poor are ("Trong đó": ethnic minority, no labour capacity, merit households),
in the layouts communes use: columns under a merged "Trong đó" header (three header rows, or two with
"Trong đó: hộ DTTS" in one cell), columns named for the subset ("Hộ nghèo DTTS"), a "- Trong đó" row under
each village and the total, or under the total only; every format and encoding the generator writes.

Values are consistent (a subset within its count, the plan within the poor able to work, totals the sums);
a plant makes one rule fail at a known cell: breakdown_le_parent (error), plan_feasible or row_not_used
(warnings).
"""

from __future__ import annotations

import random
from pathlib import Path

from .layouts import Col, Render, _count_cell, _txt, write_header
from .util import rate, sub_rng, vn_number
from .writers import Book, a1, save_book

BREAKDOWN_LAYOUTS = ("columns_grouped", "columns_grouped_2row", "columns_named", "rows_villages", "rows_total", "columns_beside")
# (format, encoding): the text encodings as communes' files carry them; "cp1258" is a CSV's byte encoding
FORMATS = (("xlsx", None), ("xlsx", "tcvn3"), ("xlsx", "vni"), ("xlsx", "nfd"), ("xls", None), ("xls", "tcvn3"),
           ("xls", "vni"), ("ods", None), ("csv", None), ("csv", "nfd"), ("csv", "cp1258"))
# how numbers are typed in some of them: as Vietnamese text ("1.234", "3,45"), zeros as "-"; a subset with no
# households left blank (its "Trong đó" row may then be empty: read as 0)
FORMAT_RENDER = {("xlsx", "nfd"): {"numbers": "text"}, ("ods", None): {"zero": "dash"}, ("xls", "vni"): {"zero": "dash"},
                 ("csv", "cp1258"): {"numbers": "text"}}
BLANK_SUBSETS = (("xls", None), ("csv", None))
FONTS = {"tcvn3": "font:.VnTime", "vni": "font:VNI-Times"}
FIELDS = ("poor_ethnic_minority", "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit")
PARENT = {
    "poor_ethnic_minority": "poor",
    "near_poor_ethnic_minority": "near",
    "poor_no_labour": "poor",
    "near_poor_no_labour": "near",
    "poor_merit": "poor",
}
PLANTS = {
    "exceeds": ("breakdown_le_parent", "error"),
    "infeasible": ("plan_feasible", "warning"),
    "unused": ("row_not_used", "warning"),
}
# label variants as communes write them, one of each picked per file (variant % len)
ETHNIC = ("Hộ DTTS", "Dân tộc thiểu số", "Đồng bào DTTS", "Hộ dân tộc thiểu số", "Hộ đồng bào dân tộc thiểu số")
NO_LABOUR = ("Hộ không có khả năng lao động", "Không có KNLĐ", "Không còn khả năng lao động", "Không có sức lao động",
             "Hộ không có người có khả năng lao động")
MERIT = ("Hộ có người có công", "Có công với cách mạng", "Hộ người có công", "Có thành viên là người có công",
         "Gia đình có công với cách mạng")
UNUSED_LABEL = "Chia ra: hộ bảo trợ xã hội"


def labels_for(variant: int) -> tuple[str, str, str]:
    return ETHNIC[variant % len(ETHNIC)], NO_LABOUR[variant % len(NO_LABOUR)], MERIT[variant % len(MERIT)]


def make_breakdowns(rng: random.Random, villages: list[dict]) -> list[dict]:
    """Per village: each subset within its count; the poor without labour capacity leave the plan's cut feasible."""
    out = []
    for v in villages:
        poor, near, cut = v["poor"], v["near"], v.get("pred") or 0
        out.append({
            "poor_ethnic_minority": rng.randint(0, poor), "near_poor_ethnic_minority": rng.randint(0, near),
            "poor_no_labour": rng.randint(0, max(poor - cut, 0)), "near_poor_no_labour": rng.randint(0, near // 2),
            "poor_merit": rng.randint(0, min(poor, 1)),
        })
    return out


def _sums(rows: list[dict], keys) -> dict:
    return {k: sum(r[k] for r in rows) for k in keys}


def _bare(label: str) -> str:
    """"Hộ DTTS" -> "DTTS": the subset's words after the household noun the column or row already says."""
    return label.removeprefix("Hộ ")


def _lower_first(label: str) -> str:
    return label if label[:4].isupper() else label[0].lower() + label[1:]


def _columns(layout: str, year: int, labels: tuple[str, str, str], variant: int) -> list[Col]:
    ethnic, no_labour, merit = labels
    cut = f"Chỉ tiêu giảm năm {year}"
    count, share = ("Số hộ", "Tổng số")[variant % 2], ("Tỷ lệ (%)", "Tỷ lệ %")[variant % 2]
    if layout == "columns_grouped":  # three header rows: "Hộ nghèo" over "Số hộ | Tỷ lệ | Trong đó" over the subsets
        head = [Col("stt", ("STT", None, None), 5), Col("name", ("Tên thôn, tổ dân phố", None, None), 22),
                Col("total", ("Tổng số hộ", None, None), 9)]
        group = []
        for who, subject, parts in (
            ("poor", "Hộ nghèo", (ethnic, no_labour, merit)),
            ("near", "Hộ cận nghèo", (ethnic, no_labour)),
        ):
            prefix = "poor" if who == "poor" else "near_poor"
            group += [Col(who, (subject, count, None), 8), Col(f"{who}_rate", (subject, share, None), 7)]
            group += [Col(f"{prefix}_{f}", (subject, "Trong đó", label), 9)
                      for f, label in zip(("ethnic_minority", "no_labour", "merit"), parts)]
        return head + group + [Col("pred", (cut, "Hộ nghèo", None), 8), Col("nred", (cut, "Hộ cận nghèo", None), 8)]
    head = [Col("stt", ("STT", None), 5), Col("name", ("Thôn, tổ dân phố", None), 22), Col("total", ("Tổng số hộ", None), 9)]
    if layout == "columns_grouped_2row":  # two header rows: "Hộ nghèo" over "Số hộ | Tỷ lệ | Trong đó: hộ DTTS | …"
        group = []
        for who, subject, parts in (
            ("poor", "Hộ nghèo", (ethnic, no_labour, merit)),
            ("near", "Hộ cận nghèo", (ethnic, no_labour)),
        ):
            prefix = "poor" if who == "poor" else "near_poor"
            group += [Col(who, (subject, count), 8), Col(f"{who}_rate", (subject, share), 7)]
            group += [Col(f"{prefix}_{f}", (subject, f"Trong đó: {_lower_first(label)}" if not n else label), 9)
                      for n, (f, label) in enumerate(zip(("ethnic_minority", "no_labour", "merit"), parts))]
        return head + group + [Col("pred", (cut, "Hộ nghèo"), 8), Col("nred", (cut, "Hộ cận nghèo"), 8)]
    if layout == "columns_beside":  # "Hộ nghèo | Trong đó: DTTS | KNLĐ | NCC | Hộ cận nghèo | Trong đó: …": of the count before
        group = []
        for who, subject, parts in (
            ("poor", "Hộ nghèo", (ethnic, no_labour, merit)),
            ("near", "Hộ cận nghèo", (ethnic, no_labour)),
        ):
            prefix = "poor" if who == "poor" else "near_poor"
            group += [Col(who, (subject, None), 8)]
            group += [
                Col(f"{prefix}_{f}", ("Trong đó", _bare(label)), 9)
                for f, label in zip(("ethnic_minority", "no_labour", "merit"), parts)
            ]
        return head + group + [Col("pred", (cut, "Hộ nghèo"), 8), Col("nred", (cut, "Hộ cận nghèo"), 8)]
    one = [Col(c.field, c.labels[:1], c.width) for c in head]
    if layout == "columns_named":  # one header row, a column per subset beside the counts: "Hộ nghèo DTTS"
        return one + [
            Col("poor", ("Số hộ nghèo",), 8), Col("poor_ethnic_minority", (f"Hộ nghèo {_bare(ethnic)}",), 9),
            Col("poor_no_labour", (f"Hộ nghèo {_bare(no_labour)}",), 9), Col("poor_merit", (f"Hộ nghèo {_bare(merit)}",), 9),
            Col("near", ("Số hộ cận nghèo",), 8), Col("near_poor_ethnic_minority", (f"Hộ cận nghèo {_bare(ethnic)}",), 9),
            Col("near_poor_no_labour", (f"Hộ cận nghèo {_bare(no_labour)}",), 9),
            Col("pred", (f"Chỉ tiêu giảm hộ nghèo năm {year}",), 8), Col("nred", (f"Chỉ tiêu giảm hộ cận nghèo năm {year}",), 8),
        ]
    return one + [
        Col("poor", ("Số hộ nghèo",), 8),
        Col("near", ("Số hộ cận nghèo",), 8),
        Col("pred", (f"Chỉ tiêu giảm hộ nghèo năm {year}",), 8),
        Col("nred", (f"Chỉ tiêu giảm hộ cận nghèo năm {year}",), 8),
    ]


def sub_rows(labels: tuple[str, str, str], variant: int) -> list[tuple[str, dict[str, str]]]:
    """The "Trong đó" rows under a village or the total: (label, {column: breakdown field written there}).
    An odd variant names the subject in the no-labour rows ("- Hộ nghèo không có khả năng lao động", then
    "- Hộ cận nghèo …"), each giving its own column; an even one has one row for both."""
    ethnic, no_labour, merit = labels
    rows = [(f"- Trong đó: {_lower_first(ethnic)}", {"poor": "poor_ethnic_minority", "near": "near_poor_ethnic_minority"})]
    if variant % 2:
        rows += [(f"- Hộ nghèo {_lower_first(_bare(no_labour))}", {"poor": "poor_no_labour"}),
                 (f"- Hộ cận nghèo {_lower_first(_bare(no_labour))}", {"near": "near_poor_no_labour"})]
    else:
        rows.append((f"- {no_labour}", {"poor": "poor_no_labour", "near": "near_poor_no_labour"}))
    return rows + [(f"- Hộ nghèo {_lower_first(_bare(merit))}", {"poor": "poor_merit"})]


def _plant(plant: str | None, layout: str, villages: list[dict], breakdowns: list[dict]) -> int:
    """Change the breakdowns so that the plant's rule fails once; returns the village it is planted on (where only
    the total is written, the total fails through that village's hidden share)."""
    at = next((i for i, v in enumerate(villages) if v["pred"] >= 1 and v["poor"] >= 2), 0)
    scope = range(len(villages)) if layout == "rows_total" else [at]
    poor, cut = sum(villages[i]["poor"] for i in scope), sum(villages[i]["pred"] for i in scope)
    others = {f: sum(breakdowns[i][f] for i in scope if i != at) for f in FIELDS}
    if plant == "exceeds":
        breakdowns[at]["poor_ethnic_minority"] = poor + 1 - others["poor_ethnic_minority"]
        if layout != "rows_total":  # the total row stays within the commune's poor: one cell fails
            spare = [i for i in range(len(villages)) if i != at and breakdowns[i]["poor_ethnic_minority"] > 0]
            if spare and sum(b["poor_ethnic_minority"] for b in breakdowns) > sum(v["poor"] for v in villages):
                breakdowns[spare[0]]["poor_ethnic_minority"] -= 1
    elif plant == "infeasible":  # one household short of the plan's cut among the poor able to work
        breakdowns[at]["poor_no_labour"] = poor - cut + 1 - others["poor_no_labour"]
    return at


def write_breakdown_plan(path: Path, layout: str, commune: str, villages: list[dict], breakdowns: list[dict], year: int = 2026,
                         fmt: str = "xlsx", encoding: str | None = None, plant: str | None = None, variant: int = 0) -> dict:
    """Write one commune's plan annex with breakdowns. Returns the truth: "rows" (each village's sheet row and
    counts), "breakdowns" (per village, None where the layout gives only the total's), "commune" (what the
    commune's figures come to), "cells" ({(village index or "total", field): A1}), "labels" (the subset labels
    used) and "plant" ((rule, A1) or None)."""
    if layout not in BREAKDOWN_LAYOUTS:
        raise ValueError(f"unknown breakdown layout {layout!r}; expected one of {', '.join(BREAKDOWN_LAYOUTS)}")
    villages = [dict(v) for v in villages]
    breakdowns = [dict(b) for b in breakdowns]
    labels = labels_for(variant)
    at_village = _plant(plant, layout, villages, breakdowns)
    text_encoding = None if encoding == "cp1258" else encoding
    render = Render(encoding=text_encoding, font=FONTS.get(text_encoding) if fmt in ("xlsx", "xls") else None,
                    **FORMAT_RENDER.get((fmt, encoding), {}))
    style = (lambda base: f"{base} {render.font}" if render.font else base)  # noqa: E731
    book = Book()
    sheet = book.add("Phụ lục")
    cols = _columns(layout, year, labels, variant)
    at = {c.field: i + 1 for i, c in enumerate(cols)}
    sheet.set(1, 1, _txt(f"ỦY BAN NHÂN DÂN {commune.upper()}", render), style("b"))
    sheet.set(2, 1, _txt(f"PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {year}", render), style("b"))
    row = write_header(sheet, cols, 4, 1, render)
    cells, rows_truth, planted = {}, [], None
    rng = random.Random(variant)

    blank = (fmt, encoding) in BLANK_SUBSETS

    def number(value, subset: bool = False):
        return None if blank and subset and value == 0 else _count_cell(value, render, rng)

    def put(r: int, values: dict, key) -> None:
        for f, v in values.items():
            if f in at and v is not None:
                sheet.set(r, at[f], number(v, f in FIELDS), style("bd"))
                if f in FIELDS or f == "pred":
                    cells[(key, f)] = a1(r, at[f])
        for who, total in (("poor", "total"), ("near", "total")):
            if f"{who}_rate" in at and values.get(who) is not None:
                share = rate(values[who], values[total])
                sheet.set(r, at[f"{who}_rate"], vn_number(share, 2) if render.numbers == "text" else share, style("bd"))

    def subs(r: int, parts: dict, key) -> int:
        for label, written in sub_rows(labels, variant):
            sheet.set(r, at["name"], _txt(label, render), style("bd i"))
            for column, field in written.items():
                sheet.set(r, at[column], number(parts[field], True), style("bd i"))
                cells[(key, field)] = a1(r, at[column])
            r += 1
        return r

    for i, (v, b) in enumerate(zip(villages, breakdowns)):
        put(row, {"stt": i + 1, "total": v["total"], "poor": v["poor"], "near": v["near"], "pred": v["pred"], "nred": v["nred"],
                  **(b if layout.startswith("columns") else {})}, i)
        sheet.set(row, at["name"], _txt(v["village"], render), style("bd"))
        rows_truth.append({"village": v["village"], "row": row, **{k: v[k] for k in ("total", "poor", "near", "pred", "nred")}})
        row += 1
        if layout == "rows_villages":
            row = subs(row, b, i)
        if plant == "unused" and i == at_village:
            sheet.set(row, at["name"], _txt(UNUSED_LABEL, render), style("bd i"))
            sheet.set(row, at["poor"], 1, style("bd i"))
            planted = ("row_not_used", a1(row, at["name"]))
            row += 1
    totals = {**_sums(villages, ("total", "poor", "near", "pred", "nred")), **_sums(breakdowns, FIELDS)}
    sheet.set(row, at["name"], _txt("Tổng cộng", render), style("b bd"))
    put(row, {k: totals[k] for k in ("total", "poor", "near", "pred", "nred")} | (
        {f: totals[f] for f in FIELDS} if layout.startswith("columns") else {}), "total")
    row += 1
    if layout in ("rows_villages", "rows_total"):
        row = subs(row, totals, "total")
    sheet.set(row + 1, at["name"], _txt("Người lập biểu", render), style("b"))
    where = "total" if layout == "rows_total" else at_village
    if plant == "exceeds":
        planted = ("breakdown_le_parent", cells[(where, "poor_ethnic_minority")])
    elif plant == "infeasible":
        planted = ("plan_feasible", cells[(where, "pred")])
    csv = {"encoding": "cp1258", "delimiter": ",", "quote_all": True} if encoding == "cp1258" else {"encoding": "utf-8-sig"}
    save_book(book, Path(path), fmt, **(csv if fmt == "csv" else {}))
    # what a reader finds: a blank cell of a column the table has, or of a "Trong đó" row, is zero
    per_village = None if layout == "rows_total" else [{f: b[f] for f in FIELDS} for b in breakdowns]
    if per_village is None:
        commune = {f: totals[f] for f in FIELDS}
    else:  # the villages' sum, or the total's figure when no village gives one
        commune = {f: sum(b[f] for b in per_village if b[f] is not None) if any(b[f] is not None for b in per_village)
                   else totals[f] for f in FIELDS}
    return {"rows": rows_truth, "breakdowns": per_village, "commune": commune, "cells": cells, "labels": labels, "plant": planted}


def write_breakdown_plans(raw: Path, seed: int | str, communes: list[dict], year: int = 2026) -> dict[str, dict]:
    """Rewrite the plan annexes of the given communes ({code, name, file, villages}) with breakdowns, a layout,
    format and encoding each in turn (the format the file's name says). Returns the truth by commune code."""
    truth = {}
    for n, c in enumerate(communes):
        rng = sub_rng(seed, "breakdowns", c["code"])
        layout = BREAKDOWN_LAYOUTS[n % len(BREAKDOWN_LAYOUTS)]
        fmt = Path(c["file"]).suffix.lstrip(".")
        encodings = [e for f, e in FORMATS if f == fmt]
        encoding = encodings[n % len(encodings)] if encodings else None
        written = write_breakdown_plan(
            raw / c["file"], layout, c["name"], c["villages"], make_breakdowns(rng, c["villages"]), year, fmt, encoding, variant=n
        )
        truth[c["code"]] = {"layout": layout, "format": fmt, "encoding": encoding, **written}
    return truth
