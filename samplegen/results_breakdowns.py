"""Year-end results that say who the poor are, at the start and the end of the year ("Trong đó": ethnic
minority, no labour capacity, merit households), in the layouts communes use:

- columns: "Hộ nghèo đầu năm / Tổng số | Trong đó: hộ DTTS | …", the movements, "Hộ nghèo cuối năm / …";
- official_columns: the official package whose "Kết quả rà soát" sheet gives the end counts with their
  "Trong đó" columns, beside the two "Diễn biến" sheets;
- rows_villages: a "- Trong đó" row under each village and the total, its figures under the start and end counts;
- rows_total: such rows under the total only;
- total_first_rows: the total first ("Toàn xã"), its "Trong đó" rows under it, then the villages.

Every format and encoding the generator writes (the official package, of three sheets, never as CSV). Values are
consistent (each subset within its count at the start and at the end, totals the sums); a plant makes one rule
fail at a known cell: breakdown_le_parent (an error: the results are rejected) or row_not_used (a warning).
"""

from __future__ import annotations

import random
from pathlib import Path

from .breakdowns import FORMATS, UNUSED_LABEL, labels_for, sub_rows
from .data import NEAR_DEC, NEAR_INC, POOR_DEC
from .encodings import encode_cell
from .layouts import Col, Render, write_header
from .results import ResultSpec, results_official
from .util import nfc, rate
from .writers import Book, Sheet, a1, save_book

RESULT_BREAKDOWN_LAYOUTS = ("columns", "official_columns", "rows_villages", "rows_total", "total_first_rows", "stage_columns")
SUBSETS = ("poor_ethnic_minority", "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit")
FIELDS = tuple(f"{f}_{end}" for f in SUBSETS for end in ("start", "end"))
PARENT = {f"{f}_{end}": f"{'poor' if f.startswith('poor') else 'near'}_{end}" for f in SUBSETS for end in ("start", "end")}
PLANTS = {"exceeds": ("breakdown_le_parent", "error"), "unused": ("row_not_used", "warning")}
# what each column layout gives (the rows layouts give every field their rows name, at the start and the end)
GIVEN = {
    "columns": (
        "poor_ethnic_minority_start",
        "poor_no_labour_start",
        "near_poor_ethnic_minority_start",
        "poor_ethnic_minority_end",
        "poor_no_labour_end",
        "poor_merit_end",
        "near_poor_ethnic_minority_end",
        "near_poor_no_labour_end",
    ),
    "stage_columns": (
        "poor_ethnic_minority_start",
        "poor_no_labour_start",
        "poor_ethnic_minority_end",
        "poor_no_labour_end",
        "poor_merit_end",
        "near_poor_ethnic_minority_start",
        "near_poor_ethnic_minority_end",
        "near_poor_no_labour_end",
    ),
    "official_columns": (
        "poor_ethnic_minority_end",
        "poor_no_labour_end",
        "poor_merit_end",
        "near_poor_ethnic_minority_end",
        "near_poor_no_labour_end",
    ),
}


def counts(r: dict) -> dict:
    """A village's counts as the simple forms write them: start, decreases, increases, end."""
    return {"total_end": r["total_end"], "poor_start": r["poor_start"], "p_out": sum(r[k] for k in POOR_DEC),
            "p_new": r["p_new"] + r["p_from_near"] + r["p_other_inc"], "p_fell_back": r["p_fell_back"], "poor_end": r["poor_end"],
            "near_start": r["near_start"], "n_out": sum(r[k] for k in NEAR_DEC), "n_new": sum(r[k] for k in NEAR_INC),
            "near_end": r["near_end"]}


def make_results_breakdowns(rng: random.Random, rows: list[dict]) -> list[dict]:
    """Per village (rows from data.make_results): each subset within its count, at the start and at the end."""
    out = []
    for r in rows:
        b = {}
        for f in SUBSETS:
            for end in ("start", "end"):
                parent = r[PARENT[f"{f}_{end}"]]
                b[f"{f}_{end}"] = rng.randint(0, min(parent, 1)) if f == "poor_merit" else rng.randint(0, parent)
        out.append(b)
    return out


def _columns(layout: str, labels: tuple[str, str, str], ward: bool) -> list[Col]:
    ethnic, no_labour, merit = labels
    name = "Tổ dân phố" if ward else "Tên thôn"
    if layout == "columns":
        def group(title, parts):
            return [Col(key, (title, label)) for key, label in parts]

        return (
            [Col("stt", ("STT", None), 5), Col("name", (name, None), 20), Col("total_end", ("Tổng số hộ cuối năm", None))]
            + group(
                "Hộ nghèo đầu năm",
                [
                    ("poor_start", "Tổng số"),
                    ("poor_ethnic_minority_start", f"Trong đó: {ethnic}"),
                    ("poor_no_labour_start", no_labour),
                ],
            )
            + [
                Col("p_out", ("Số hộ thoát nghèo", None)),
                Col("p_new", ("Hộ nghèo phát sinh mới", None)),
                Col("p_fell_back", ("Hộ tái nghèo", None)),
            ]
            + group(
                "Hộ nghèo cuối năm",
                [
                    ("poor_end", "Tổng số"),
                    ("poor_ethnic_minority_end", f"Trong đó: {ethnic}"),
                    ("poor_no_labour_end", no_labour),
                    ("poor_merit_end", merit),
                ],
            )
            + group(
                "Hộ cận nghèo đầu năm", [("near_start", "Tổng số"), ("near_poor_ethnic_minority_start", f"Trong đó: {ethnic}")]
            )
            + [
                Col("n_out", ("Số hộ thoát cận nghèo", None)),
                Col("n_new", ("Hộ cận nghèo phát sinh mới", None)),
            ]
            + group(
                "Hộ cận nghèo cuối năm",
                [
                    ("near_end", "Tổng số"),
                    ("near_poor_ethnic_minority_end", f"Trong đó: {ethnic}"),
                    ("near_poor_no_labour_end", no_labour),
                ],
            )
        )
    if layout == "stage_columns":  # "Hộ nghèo" over "Đầu năm | Trong đó: DTTS | … | Cuối năm | Trong đó: DTTS | …": each
        # "Trong đó" of the count on its left, at the start or the end (contract judge, Hà Tĩnh)
        def block(title, parts):
            return [Col(key, (title, label)) for key, label in parts]

        return (
            [Col("stt", ("STT", None), 5), Col("name", (name, None), 20), Col("total_end", ("Tổng số hộ cuối năm", None))]
            + block("Hộ nghèo", [
                ("poor_start", "Đầu năm"), ("poor_ethnic_minority_start", f"Trong đó: {ethnic}"),
                ("poor_no_labour_start", no_labour), ("p_out", "Thoát nghèo"), ("p_new", "Phát sinh mới"),
                ("p_fell_back", "Tái nghèo"), ("poor_end", "Cuối năm"), ("poor_ethnic_minority_end", f"Trong đó: {ethnic}"),
                ("poor_no_labour_end", no_labour), ("poor_merit_end", merit)])
            + block("Hộ cận nghèo", [
                ("near_start", "Đầu năm"), ("near_poor_ethnic_minority_start", f"Trong đó: {ethnic}"),
                ("n_out", "Thoát cận nghèo"), ("n_new", "Phát sinh mới"), ("near_end", "Cuối năm"),
                ("near_poor_ethnic_minority_end", f"Trong đó: {ethnic}"), ("near_poor_no_labour_end", no_labour)])
        )
    if layout == "official_columns":  # the "Kết quả rà soát" sheet: end counts, rates and their "Trong đó"
        def group(title, who, parts):
            return [Col(f"{who}_end", (title, "Số hộ", None)), Col(f"{who}_rate", (title, "Tỷ lệ (%)", None))] + [
                Col(key, (title, "Trong đó", label)) for key, label in parts]

        return (
            [
                Col("stt", ("STT", None, None), 5),
                Col("name", ("Đơn vị", None, None), 20),
                Col("total_end", ("Tổng số hộ", None, None)),
            ]
            + group(
                "Hộ nghèo",
                "poor",
                [("poor_ethnic_minority_end", ethnic), ("poor_no_labour_end", no_labour), ("poor_merit_end", merit)],
            )
            + group("Hộ cận nghèo", "near", [("near_poor_ethnic_minority_end", ethnic), ("near_poor_no_labour_end", no_labour)])
        )
    return [Col(k, (label, None, None) if layout == "total_first_rows" else (label,)) for k, label in (
        ("stt", "STT"), ("name", name), ("total_end", "Tổng số hộ cuối năm"), ("poor_start", "Hộ nghèo đầu năm"),
        ("p_out", "Số hộ thoát nghèo"), ("p_new", "Hộ nghèo phát sinh mới"), ("p_fell_back", "Hộ tái nghèo"),
        ("poor_end", "Hộ nghèo cuối năm"), ("near_start", "Hộ cận nghèo đầu năm"), ("n_out", "Số hộ thoát cận nghèo"),
        ("n_new", "Hộ cận nghèo phát sinh mới"), ("near_end", "Hộ cận nghèo cuối năm"))]


def _plant(plant: str | None, layout: str, values: list[dict], parts: list[dict]) -> int:
    """Make one subset exceed its count (poor households at the end) on the first village with poor households
    (where only the total is written, the total through that village's hidden share). Returns the village."""
    at = next((i for i, v in enumerate(values) if v["poor_end"] >= 1), 0)
    if plant == "exceeds":
        f = "poor_ethnic_minority_end"
        if layout in ("rows_total", "total_first_rows"):
            parts[at][f] = sum(v["poor_end"] for v in values) + 1 - sum(p[f] for i, p in enumerate(parts) if i != at)
        else:
            parts[at][f] = values[at]["poor_end"] + 1
            spare = [i for i, p in enumerate(parts) if i != at and p[f] > 0]
            if spare and sum(p[f] for p in parts) > sum(v["poor_end"] for v in values):
                parts[spare[0]][f] -= 1  # the total row stays within the commune's poor: one cell fails
    return at


def _encode(book: Book, encoding: str | None) -> None:
    for sheet in book.sheets:
        sheet.cells = {k: encode_cell(v, encoding) for k, v in sheet.cells.items()}


def write_results_breakdowns(path: Path, layout: str, commune: str, rows: list[dict], breakdowns: list[dict], year: int = 2026,
                             fmt: str = "xlsx", encoding: str | None = None, plant: str | None = None, variant: int = 0) -> dict:
    """Write one commune's year-end results with breakdowns (rows from data.make_results). Returns the truth:
    "villages" (each village's counts as written), "breakdowns" (per village, the fields as read, None where the layout
    gives only the total's), "commune" (the fields the commune's figures come to, None when not given), "cells"
    ({(village index or "total", field): A1}, in the sheet "sheet", None in a CSV), "labels" and "plant" ((rule, A1) or None)."""
    if layout not in RESULT_BREAKDOWN_LAYOUTS:
        raise ValueError(f"unknown results breakdown layout {layout!r}; expected one of {', '.join(RESULT_BREAKDOWN_LAYOUTS)}")
    if fmt == "csv" and layout == "official_columns":
        raise ValueError("the official package has three sheets: no CSV")
    values = [counts(r) for r in rows]
    parts = [dict(b) for b in breakdowns]
    labels = labels_for(variant)
    at_village = _plant(plant, layout, values, parts)
    spec = ResultSpec(commune=commune, rows=rows, year=year)
    if layout == "official_columns":
        book, _ = results_official(spec, random.Random(variant))
        book.sheets[0] = sheet = Sheet("Kết quả rà soát")
    else:
        book = Book()
        sheet = book.add(f"Kết quả {year}")
    sheet.set(1, 1, f"UBND {commune.upper()}", "b")
    sheet.set(2, 1, f"BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}", "b")
    cols = _columns(layout, labels, spec.ward)
    at = {c.field: i + 1 for i, c in enumerate(cols)}
    row = write_header(sheet, cols, 4, 1, Render())
    given = GIVEN.get(layout, tuple(f"{f}_{end}" for _, written in sub_rows(labels, variant) for f in written.values()
                                    for end in ("start", "end")))
    cells, planted = {}, None

    def put(r: int, name: str, v: dict, b: dict | None, key) -> None:
        sheet.set(r, at["name"], name, "bd")
        for k, x in {**v, **(b or {})}.items():
            if k in at and (k in v or k in given):
                sheet.set(r, at[k], x, "bd")
                if k in given:
                    cells[(key, k)] = a1(r, at[k])
        for who in ("poor", "near"):
            if f"{who}_rate" in at:
                sheet.set(r, at[f"{who}_rate"], rate(v[f"{who}_end"], v["total_end"]), "bd")

    def subs(r: int, b: dict, key) -> int:
        for label, written in sub_rows(labels, variant):
            sheet.set(r, at["name"], label, "bd i")
            for who, subset in written.items():
                for end in ("start", "end"):
                    sheet.set(r, at[f"{who}_{end}"], b[f"{subset}_{end}"], "bd i")
                    cells[(key, f"{subset}_{end}")] = a1(r, at[f"{who}_{end}"])
            r += 1
        return r

    totals = {k: sum(v[k] for v in values) for k in values[0]}
    sums = {f: sum(p[f] for p in parts) for f in FIELDS}
    columns = layout in GIVEN
    whole = f"Toàn {spec.type_word}" if layout == "total_first_rows" else "Tổng cộng"
    if layout == "total_first_rows":
        put(row, whole, totals, None, "total")
        row = subs(row + 1, sums, "total")
    for i, (v, b) in enumerate(zip(values, parts)):
        sheet.set(row, at["stt"], i + 1, "bd")
        put(row, nfc(rows[i]["village"]).strip(), v, b if columns else None, i)
        row += 1
        if layout == "rows_villages":
            row = subs(row, b, i)
        if plant == "unused" and i == at_village:
            sheet.set(row, at["name"], UNUSED_LABEL, "bd i")
            sheet.set(row, at["poor_end"], 1, "bd i")
            planted = ("row_not_used", a1(row, at["name"]))
            row += 1
    if layout != "total_first_rows":
        put(row, whole, totals, sums if columns else None, "total")
        row += 1
        if layout in ("rows_villages", "rows_total"):
            row = subs(row, sums, "total")
    sheet.set(row + 1, at["name"], "Người lập biểu", "b")
    only_total = layout in ("rows_total", "total_first_rows")
    if plant == "exceeds":
        planted = ("breakdown_le_parent", cells[("total" if only_total else at_village, "poor_ethnic_minority_end")])
    _encode(book, None if encoding == "cp1258" else encoding)
    csv = {"encoding": "cp1258", "delimiter": ",", "quote_all": True} if encoding == "cp1258" else {"encoding": "utf-8-sig"}
    save_book(book, Path(path), fmt, **(csv if fmt == "csv" else {}))
    per_village = None if only_total else [{f: (p[f] if f in given else None) for f in FIELDS} for p in parts]
    return {"villages": values, "breakdowns": per_village, "commune": {f: (sums[f] if f in given else None) for f in FIELDS},
            "cells": cells, "sheet": None if fmt == "csv" else sheet.name, "labels": labels, "plant": planted}


def result_formats(layout: str) -> tuple[tuple[str, str | None], ...]:
    """The formats and encodings a layout is written in: every one, but CSV for the three-sheet official package."""
    return tuple(f for f in FORMATS if not (layout == "official_columns" and f[0] == "csv"))


def write_breakdown_results(raw: Path, seed: int | str, communes: list[dict], year: int = 2026) -> dict[str, dict]:
    """Rewrite the year-end results of the given communes ({code, name, file, rows from data.make_results}) with
    breakdowns, a layout and encoding each in turn (the format the file's name says). Returns the truth by code."""
    from .util import sub_rng

    truth = {}
    for n, c in enumerate(communes):
        layout = RESULT_BREAKDOWN_LAYOUTS[n % len(RESULT_BREAKDOWN_LAYOUTS)]
        fmt = Path(c["file"]).suffix.lstrip(".")
        encodings = [e for f, e in result_formats(layout) if f == fmt] or [None]
        encoding = encodings[n % len(encodings)]
        parts = make_results_breakdowns(sub_rng(seed, "results-breakdowns", c["code"]), c["rows"])
        written = write_results_breakdowns(raw / c["file"], layout, c["name"], c["rows"], parts, year, fmt, encoding, variant=n)
        truth[c["code"]] = {"layout": layout, "format": fmt, "encoding": encoding, **written}
    return truth
