"""Roadmap files (lộ trình giảm nghèo giai đoạn 2026–2030): items by year, in a few layouts and formats.

A roadmap is {item: [value for each year of the period]}; its first year's poor reduction is the
plan's target and its poor reductions never exceed the plan's poor households, so a clean roadmap
passes every rule. Plants make one rule fail at a known cell.
"""

from __future__ import annotations

import random
from pathlib import Path

from .util import ascii_name, sub_rng
from .writers import Book, save_book

ROADMAP_LAYOUTS = ("years_down", "years_down_grouped", "years_across")
PERIOD = (2026, 2027, 2028, 2029, 2030)
SUPPORTS = {  # item -> label as communes write it
    "support_housing_new": "Nhà ở xây mới", "support_latrine": "Nhà tiêu hợp vệ sinh",
    "support_information_device": "Thiết bị tiếp cận thông tin", "support_vocational_training": "Đào tạo nghề",
    "support_production": "Hỗ trợ phát triển sản xuất",
}
SOURCES = {"budget_central": "Ngân sách trung ương", "budget_province": "Ngân sách tỉnh", "budget_commune": "Ngân sách xã",
           "budget_social": "Huy động xã hội"}
PLANTS = ("total_row", "budget_sources", "negative")  # total_row_matches_sum, budget_sources_sum (warnings), non_negative (error)


def make_roadmap(rng: random.Random, poor: int, first_year: int) -> dict[str, list[float]]:
    """Yearly figures: poor reductions (the plan's target first, within the poor households), supports, budget."""
    left = max(poor - first_year, 0)
    poor_cut = [first_year]
    for _ in PERIOD[1:]:
        n = rng.randint(0, left // 2 if left > 1 else left)
        poor_cut.append(n)
        left -= n
    out: dict[str, list[float]] = {"poor_reduction": poor_cut, "near_poor_reduction": [rng.randint(0, 8) for _ in PERIOD]}
    for item in SUPPORTS:
        out[item] = [rng.randint(0, max(n, 1)) for n in poor_cut]
    sources = {item: [rng.randint(0, 40) * 5 for _ in PERIOD] for item in SOURCES}
    out["budget_total"] = [sum(v[i] for v in sources.values()) for i in range(len(PERIOD))]
    out.update(sources)
    return out


def _labels() -> dict[str, str]:
    return {"poor_reduction": "Số hộ nghèo giảm", "near_poor_reduction": "Số hộ cận nghèo giảm", **SUPPORTS,
            "budget_total": "Tổng kinh phí", **SOURCES}


def _title(sheet, commune: str, width: int) -> int:
    sheet.set(1, 1, f"ỦY BAN NHÂN DÂN {commune.upper()}", "b")
    sheet.set(2, 1, "LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030", "b c")
    sheet.merge(2, 1, 2, width)
    sheet.set(3, 1, "Đơn vị tính: hộ, triệu đồng", "i")
    return 4


def _years_down(sheet, commune: str, roadmap: dict, grouped: bool) -> dict[tuple[str, int | str], str]:
    """Years as rows; with `grouped`, "Chỉ tiêu giảm nghèo" / "Hỗ trợ" / "Kinh phí" over two header rows."""
    items = list(roadmap)
    top = _title(sheet, commune, len(items) + 1)
    labels = _labels()
    if grouped:
        sub = {
            "poor_reduction": "Hộ nghèo",
            "near_poor_reduction": "Hộ cận nghèo",
            "budget_total": "Tổng",
            "budget_central": "NSTW",
        }
        groups = (("Chỉ tiêu giảm nghèo", "_reduction"), ("Hỗ trợ", "support_"), ("Kinh phí (triệu đồng)", "budget_"))
        sheet.set(top, 1, "Năm", "b bd c")
        sheet.merge(top, 1, top + 1, 1)
        for group, key in groups:
            cols = [i + 2 for i, item in enumerate(items) if key in item]
            sheet.set(top, cols[0], group, "b bd c")
            sheet.merge(top, cols[0], top, cols[-1])
        for i, item in enumerate(items):
            sheet.set(top + 1, i + 2, sub.get(item, labels[item]), "b bd c w")
        first = top + 2
    else:
        sheet.put_row(top, ["Năm", *(labels[i] for i in items)], style="b bd c w")
        first = top + 1
    cells = {}
    for r, year in enumerate(PERIOD):
        sheet.set(first + r, 1, year if r % 2 else f"Năm {year}", "bd")
        for i, item in enumerate(items):
            sheet.set(first + r, i + 2, roadmap[item][r], "bd")
            cells[(item, year)] = f"{chr(66 + i)}{first + r}"
    total = first + len(PERIOD)
    sheet.set(total, 1, "Cộng", "b bd")
    for i, item in enumerate(items):
        sheet.set(total, i + 2, sum(roadmap[item]), "b bd")
        cells[(item, "total")] = f"{chr(66 + i)}{total}"
    return cells


def _years_across(sheet, commune: str, roadmap: dict) -> dict[tuple[str, int | str], str]:
    """Items as rows under "I. Chỉ tiêu giảm nghèo", "II. Hỗ trợ", "III. Kinh phí"; a unit column; a "Cộng" column."""
    top = _title(sheet, commune, len(PERIOD) + 4)
    sheet.put_row(top, ["STT", "Nội dung", "Đơn vị tính", *(f"Năm {y}" for y in PERIOD), "Cộng"], style="b bd c w")
    labels, cells, r = _labels(), {}, top + 1
    for numeral, section, key in (
        ("I", "Chỉ tiêu giảm nghèo", "_reduction"),
        ("II", "Hỗ trợ", "support_"),
        ("III", "Kinh phí", "budget_"),
    ):
        sheet.put_row(r, [numeral, section], style="b bd")
        r += 1
        for n, item in enumerate((i for i in roadmap if key in i), start=1):
            unit = "Triệu đồng" if key == "budget_" else "Hộ"
            sheet.put_row(r, [n, labels[item], unit, *roadmap[item], sum(roadmap[item])], style="bd")
            for c, year in enumerate([*PERIOD, "total"]):
                cells[(item, year)] = f"{chr(68 + c)}{r}"
            r += 1
    return cells


def write_roadmap_table(
    path: Path, layout: str, commune: str, roadmap: dict, fmt: str = "xlsx", plant: str | None = None
) -> dict:
    """Write one commune's roadmap; returns {"cells": {(item, year): A1}, "plant": (rule, A1) or None}."""
    roadmap = {k: list(v) for k, v in roadmap.items()}
    planted = None
    if plant == "negative":
        roadmap["support_latrine"][0] += roadmap["support_latrine"][1] + 2  # the period's total stays positive
        roadmap["support_latrine"][1] = -1
    elif plant == "budget_sources":
        roadmap["budget_total"][2] += 5
    book = Book()
    sheet = book.add("Lộ trình")
    if layout == "years_across":
        cells = _years_across(sheet, commune, roadmap)
    else:
        cells = _years_down(sheet, commune, roadmap, grouped=layout == "years_down_grouped")
    if plant == "total_row":  # the "Cộng" of the poor households one more than its years
        cell = cells[("poor_reduction", "total")]
        row, col = int(cell[1:]), ord(cell[0]) - 64
        sheet.set(row, col, sheet.cells[(row, col)] + 1, "b bd")
    if plant:
        rule, key = {
            "negative": ("non_negative", ("support_latrine", 2027)),
            "budget_sources": ("budget_sources_sum", ("budget_total", 2028)),
            "total_row": ("total_row_matches_sum", ("poor_reduction", "total")),
        }[plant]
        planted = (rule, cells[key])
    save_book(book, path, fmt)
    return {"cells": cells, "plant": planted, "roadmap": roadmap}


def write_roadmaps(raw: Path, folder: str, seed: int | str, communes: list[dict]) -> dict[str, dict]:
    """Roadmaps for the given communes ({code, name, poor, first_year}), a layout and format each, one plant per kind.

    Returns the truth by commune code: file, layout, format, plant, status and the yearly figures.
    """
    formats = ("xlsx", "ods", "xls")
    truth = {}
    for n, c in enumerate(communes):
        rng = sub_rng(seed, "roadmap", c["code"])
        layout, fmt = ROADMAP_LAYOUTS[n % len(ROADMAP_LAYOUTS)], formats[n // len(ROADMAP_LAYOUTS) % len(formats)]
        plant = PLANTS[n] if n < len(PLANTS) else None
        rel = f"{folder}/Lo trinh giam ngheo 2026-2030 - {ascii_name(c['name'])}.{fmt}"
        written = write_roadmap_table(raw / rel, layout, c["name"], make_roadmap(rng, c["poor"], c["first_year"]), fmt, plant)
        truth[c["code"]] = {"file": rel, "layout": layout, "format": fmt, "plant": written["plant"],
                            "status": "rejected" if plant == "negative" else "accepted",
                            "values": {k: v for k, v in written["roadmap"].items()}}
    return truth
