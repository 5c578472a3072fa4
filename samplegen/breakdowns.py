"""Plan annexes that say who the poor are ("Trong đó": ethnic minority, no labour capacity, merit households),
in the layouts communes use: columns under a merged "Trong đó" header, columns named for the subset,
a "- Trong đó" row under each village and the total, or under the total only; every format and encoding.

Values are consistent (a subset within its count, the plan within the poor able to work, totals the sums);
a plant makes one rule fail at a known cell: breakdown_le_parent (error), plan_feasible or row_not_used
(warnings).
"""

from __future__ import annotations

import random
from pathlib import Path

from .layouts import Col, Render, _txt, write_header
from .util import sub_rng
from .writers import Book, save_book

BREAKDOWN_LAYOUTS = ("columns_grouped", "columns_named", "rows_villages", "rows_total")
FORMATS = (("xlsx", None), ("xls", "tcvn3"), ("ods", None), ("csv", "nfd"), ("xlsx", "vni"), ("csv", None))
FIELDS = ("poor_ethnic_minority", "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit")
PARENT = {"poor_ethnic_minority": "poor", "near_poor_ethnic_minority": "near", "poor_no_labour": "poor", "near_poor_no_labour": "near",
          "poor_merit": "poor"}
PLANTS = {"exceeds": ("breakdown_le_parent", "error"), "infeasible": ("plan_feasible", "warning"), "unused": ("row_not_used", "warning")}
# label variants as communes write them, one picked per file
ETHNIC = ("Hộ DTTS", "Dân tộc thiểu số", "Đồng bào DTTS", "Hộ dân tộc thiểu số")
NO_LABOUR = ("Hộ không có khả năng lao động", "Không có KNLĐ", "Không còn khả năng lao động", "Không có sức lao động")
MERIT = ("Hộ có người có công", "Có công với cách mạng", "Hộ người có công")


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


def _columns(layout: str, year: int, labels: tuple[str, str, str]) -> list[Col]:
    ethnic, no_labour, merit = labels
    head = [Col("stt", ("STT", None, None), 5), Col("name", ("Tên thôn, tổ dân phố", None, None), 22),
            Col("total", ("Tổng số hộ", None, None), 9)]
    cut = f"Chỉ tiêu giảm năm {year}"
    if layout == "columns_grouped":
        return head + [
            Col("poor", ("Hộ nghèo", "Tổng số", None), 8), Col("poor_ethnic_minority", ("Hộ nghèo", "Trong đó", ethnic), 9),
            Col("poor_no_labour", ("Hộ nghèo", "Trong đó", no_labour), 9), Col("poor_merit", ("Hộ nghèo", "Trong đó", merit), 9),
            Col("near", ("Hộ cận nghèo", "Tổng số", None), 8), Col("near_poor_ethnic_minority", ("Hộ cận nghèo", "Trong đó", ethnic), 9),
            Col("near_poor_no_labour", ("Hộ cận nghèo", "Trong đó", no_labour), 9),
            Col("pred", (cut, "Hộ nghèo", None), 8), Col("nred", (cut, "Hộ cận nghèo", None), 8),
        ]
    one = [Col(c.field, c.labels[:1], c.width) for c in head]
    if layout == "columns_named":
        return one + [
            Col("poor", ("Số hộ nghèo",), 8), Col("poor_ethnic_minority", (f"Hộ nghèo {ethnic.removeprefix('Hộ ')}",), 9),
            Col("poor_no_labour", (f"Hộ nghèo {no_labour.removeprefix('Hộ ')}",), 9), Col("poor_merit", (f"Hộ nghèo {merit.removeprefix('Hộ ')}",), 9),
            Col("near", ("Số hộ cận nghèo",), 8), Col("near_poor_ethnic_minority", (f"Hộ cận nghèo {ethnic.removeprefix('Hộ ')}",), 9),
            Col("near_poor_no_labour", (f"Hộ cận nghèo {no_labour.removeprefix('Hộ ')}",), 9),
            Col("pred", (f"Chỉ tiêu giảm hộ nghèo năm {year}",), 8), Col("nred", (f"Chỉ tiêu giảm hộ cận nghèo năm {year}",), 8),
        ]
    return one + [Col("poor", ("Số hộ nghèo",), 8), Col("near", ("Số hộ cận nghèo",), 8),
                  Col("pred", (f"Chỉ tiêu giảm hộ nghèo năm {year}",), 8), Col("nred", (f"Chỉ tiêu giảm hộ cận nghèo năm {year}",), 8)]


def _sub_rows(labels: tuple[str, str, str]) -> list[tuple[str, dict[str, str]]]:
    """The "Trong đó" rows under a village or the total: (label, {column: breakdown field written there})."""
    ethnic, no_labour, merit = labels
    merit = merit.removeprefix("Hộ ")
    return [
        (f"- Trong đó: {ethnic[0].lower()}{ethnic[1:]}", {"poor": "poor_ethnic_minority", "near": "near_poor_ethnic_minority"}),
        (f"- {no_labour}", {"poor": "poor_no_labour", "near": "near_poor_no_labour"}),
        (f"- Hộ nghèo {merit[0].lower()}{merit[1:]}", {"poor": "poor_merit"}),
    ]


def write_breakdown_plan(path: Path, layout: str, commune: str, villages: list[dict], breakdowns: list[dict], year: int = 2026,
                         fmt: str = "xlsx", encoding: str | None = None, plant: str | None = None, variant: int = 0) -> dict:
    """Write one commune's plan annex with breakdowns. Returns the truth: "rows" (each village's sheet row and
    counts), "breakdowns" (per village, None where the layout gives only the total's), "commune" (what the
    commune's figures come to), "cells" ({(village index or "total", field): A1}) and "plant" ((rule, A1) or None)."""
    villages = [dict(v) for v in villages]
    breakdowns = [dict(b) for b in breakdowns]
    labels = (ETHNIC[variant % len(ETHNIC)], NO_LABOUR[variant % len(NO_LABOUR)], MERIT[variant % len(MERIT)])
    # a plant on the first village, or where only the total is written, on the total (through the first village)
    scope = villages if layout == "rows_total" else villages[:1]
    poor, cut = sum(v["poor"] for v in scope), sum(v["pred"] for v in scope)
    others = {f: sum(b[f] for b in breakdowns[1:]) if layout == "rows_total" else 0 for f in FIELDS}
    if plant == "exceeds":
        breakdowns[0]["poor_ethnic_minority"] = poor + 2 - others["poor_ethnic_minority"]
    elif plant == "infeasible":
        breakdowns[0]["poor_no_labour"] = min(poor, poor - cut + 1) - others["poor_no_labour"]
    render = Render(encoding=encoding)
    book = Book()
    sheet = book.add("Phụ lục")
    cols = _columns(layout, year, labels)
    at = {c.field: i + 1 for i, c in enumerate(cols)}
    sheet.set(1, 1, _txt(f"ỦY BAN NHÂN DÂN {commune.upper()}", render), "b")
    sheet.set(2, 1, _txt(f"PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {year}", render), "b")
    row = write_header(sheet, cols, 4, 1, render)
    cells, rows_truth, planted = {}, [], None

    def put(r: int, values: dict, key) -> None:
        for f, v in values.items():
            if f in at and v is not None:
                sheet.set(r, at[f], v, "bd")
                if f in FIELDS or f == "pred":
                    cells[(key, f)] = f"{chr(64 + at[f])}{r}"

    def subs(r: int, parts: dict, key) -> int:
        for label, written in _sub_rows(labels):
            sheet.set(r, at["name"], _txt(label, render))
            for column, field in written.items():
                sheet.set(r, at[column], parts[field], "bd")
                cells[(key, field)] = f"{chr(64 + at[column])}{r}"
            r += 1
        return r

    for i, (v, b) in enumerate(zip(villages, breakdowns)):
        put(row, {"stt": i + 1, "total": v["total"], "poor": v["poor"], "near": v["near"], "pred": v["pred"], "nred": v["nred"],
                  **(b if layout.startswith("columns") else {})}, i)
        sheet.set(row, at["name"], _txt(v["village"], render), "bd")
        rows_truth.append({"village": v["village"], "row": row, **{k: v[k] for k in ("total", "poor", "near", "pred", "nred")}})
        row += 1
        if layout == "rows_villages":
            row = subs(row, b, i)
        if plant == "unused" and i == 0:
            sheet.set(row, at["name"], _txt("Chia ra: hộ bảo trợ xã hội", render))
            sheet.set(row, at["poor"], 1, "bd")
            planted = ("row_not_used", f"B{row}")
            row += 1
    totals = {**_sums(villages, ("total", "poor", "near", "pred", "nred")), **_sums(breakdowns, FIELDS)}
    sheet.set(row, at["name"], _txt("Tổng cộng", render), "b bd")
    put(row, {k: totals[k] for k in ("total", "poor", "near", "pred", "nred")} | (
        {f: totals[f] for f in FIELDS} if layout.startswith("columns") else {}), "total")
    row += 1
    if layout in ("rows_villages", "rows_total"):
        row = subs(row, totals, "total")
    sheet.set(row + 1, at["name"], _txt("Người lập biểu", render), "b")
    where = "total" if layout == "rows_total" else 0
    if plant == "exceeds":
        planted = ("breakdown_le_parent", cells[(where, "poor_ethnic_minority")])
    elif plant == "infeasible":
        planted = ("plan_feasible", cells[(where, "pred")])
    save_book(book, Path(path), fmt, **({"encoding": "utf-8-sig"} if fmt == "csv" else {}))
    per_village = None if layout == "rows_total" else breakdowns
    return {"rows": rows_truth, "breakdowns": per_village, "commune": {f: totals[f] for f in FIELDS}, "cells": cells, "plant": planted}


def write_breakdown_plans(raw: Path, seed: int | str, communes: list[dict], year: int = 2026) -> dict[str, dict]:
    """Rewrite the plan annexes of the given communes ({code, name, file, villages}) with breakdowns, a layout,
    format and encoding each in turn (the format the file's name says). Returns the truth by commune code."""
    truth = {}
    for n, c in enumerate(communes):
        rng = sub_rng(seed, "breakdowns", c["code"])
        layout = BREAKDOWN_LAYOUTS[n % len(BREAKDOWN_LAYOUTS)]
        fmt = Path(c["file"]).suffix.lstrip(".")
        encoding = {"xls": "tcvn3", "csv": "nfd"}.get(fmt) if n % 2 else None
        written = write_breakdown_plan(raw / c["file"], layout, c["name"], c["villages"], make_breakdowns(rng, c["villages"]), year,
                                       fmt, encoding, variant=n)
        truth[c["code"]] = {"layout": layout, "format": fmt, "encoding": encoding, **written}
    return truth
