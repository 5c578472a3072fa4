"""Deprivation tables (hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản), as communes send
them, in four layouts:

  indicators_down       indicators as rows (commune level) under dimension rows, the roman and arabic numbers
                        in an STT column; "Hộ nghèo" and "Hộ cận nghèo" each over "Số hộ" and "Tỷ lệ (%)"
  indicators_down_flat  the same with the numbers in the label ("I. Việc làm", "1. Việc làm"), no STT column
                        and one header row ("Số hộ nghèo thiếu hụt", "Tỷ lệ (%)", ...)
  villages_down         villages as rows under a 3-row merged header: dimension / indicator / HN-HCN
  villages_down_2row    the same under a 2-row header: indicator / HN-HCN

Labels in three variants (the standard's names; abbreviations such as BHYT, Nước SH HVS, DV viễn thông;
other wordings such as "Thẻ BHYT", "Hố xí/nhà tiêu HVS"); every format and encoding the generator writes
(FORMATS: xlsx, xls, ods, csv; TCVN3, VNI, NFD, a Windows-1258 CSV; numbers typed as Vietnamese
text, zeros as "-"). Group sizes are the plan's: stated in the table (a row of sizes, or the villages' columns
of poor and near-poor households) or left to the plan (`sizes="plan"`).

The counts obey the standard (07/2021/NĐ-CP, 12 indicators): each indicator within its group, the poor's
deprivations at least 3 a household, the near-poor's at most 2. A plant makes one rule fail at a known cell.
"""

from __future__ import annotations

import math
from pathlib import Path

from giamngheo.text import match_key

from .layouts import Render, _count_cell, _txt
from .util import rate, sub_rng, vn_number
from .writers import Book, a1, save_book

# (format, encoding): every format the generator writes and the text encodings communes' files carry (TCVN3 and VNI
# legacy fonts, NFD); "cp1258" is a CSV's byte encoding (Windows-1258)
FORMATS = (("xlsx", None), ("xlsx", "tcvn3"), ("xlsx", "vni"), ("xlsx", "nfd"), ("xls", None), ("xls", "tcvn3"),
           ("xls", "vni"), ("ods", None), ("ods", "tcvn3"), ("csv", None), ("csv", "nfd"), ("csv", "cp1258"))
# how numbers are typed in some of them: as Vietnamese text ("1.234", "31,25"), zeros as "-"
FORMAT_RENDER = {("xlsx", "nfd"): {"numbers": "text"}, ("ods", None): {"zero": "dash"}, ("xls", "vni"): {"zero": "dash"},
                 ("csv", "cp1258"): {"numbers": "text"}}
FONTS = {"tcvn3": "font:.VnTime", "vni": "font:VNI-Times"}
INDICATORS = {  # label variant -> the 12 indicators' labels, in the standard's order
    "full": [
        "Việc làm",
        "Người phụ thuộc trong hộ gia đình",
        "Dinh dưỡng",
        "Bảo hiểm y tế",
        "Trình độ giáo dục của người lớn",
        "Tình trạng đi học của trẻ em",
        "Chất lượng nhà ở",
        "Diện tích nhà ở bình quân đầu người",
        "Nguồn nước sinh hoạt",
        "Nhà tiêu hợp vệ sinh",
        "Sử dụng dịch vụ viễn thông",
        "Phương tiện phục vụ tiếp cận thông tin",
    ],
    "short": [
        "Việc làm",
        "Người phụ thuộc",
        "Dinh dưỡng",
        "BHYT",
        "Giáo dục người lớn",
        "Đi học",
        "Chất lượng nhà ở",
        "Diện tích nhà ở",
        "Nước SH HVS",
        "Nhà tiêu HVS",
        "DV viễn thông",
        "Phương tiện tiếp cận thông tin",
    ],
    "other": [
        "Thiếu việc làm",
        "Tỷ lệ người phụ thuộc",
        "Suy dinh dưỡng",
        "Thẻ BHYT",
        "TĐ giáo dục người lớn",
        "Trẻ em không đi học",
        "Nhà ở kém chất lượng",
        "DT nhà ở",
        "Nước sinh hoạt hợp vệ sinh",
        "Hố xí/nhà tiêu HVS",
        "Sử dụng DV viễn thông",
        "Tài sản phục vụ tiếp cận thông tin",
    ],
}
DIMENSIONS = {  # label variant -> the 6 dimensions' labels
    "full": ["Việc làm", "Y tế", "Giáo dục", "Nhà ở", "Nước sinh hoạt và vệ sinh", "Thông tin"],
    "short": ["VIỆC LÀM", "Y TẾ", "GIÁO DỤC", "NHÀ Ở", "NƯỚC SH VÀ VS", "TIẾP CẬN THÔNG TIN"],
    "other": [
        "Chiều việc làm",
        "Chiều y tế",
        "Chiều giáo dục",
        "Chiều nhà ở",
        "Chiều nước sinh hoạt và vệ sinh",
        "Chiều thông tin",
    ],
}
LABELS = tuple(INDICATORS)
ROMAN = ("I", "II", "III", "IV", "V", "VI")
PER_DIMENSION = 2  # indicators 2k+1 and 2k+2 under dimension k
GROUPS = {"full": ("Hộ nghèo", "Hộ cận nghèo"), "short": ("HN", "HCN"), "other": ("Nghèo", "Cận nghèo")}
SIZE_ROW = {
    "full": "Tổng số hộ nghèo, hộ cận nghèo",
    "short": "Tổng số hộ nghèo, cận nghèo",
    "other": "Tổng số hộ nghèo, hộ cận nghèo của xã",
}
NAME_HEADER = {"full": "Tên thôn, tổ dân phố", "short": "Thôn, xóm", "other": "Tên thôn (bản, tổ dân phố)"}
FOREIGN = "Thu gom, xử lý rác thải"  # indicator 12 of the 2027 standard (351/2025/NĐ-CP), not of 2026's
LAYOUTS = ("indicators_down", "indicators_down_flat", "villages_down", "villages_down_2row")
ORIENTATIONS = ("indicators_down", "villages_down")
SIZES = ("table", "plan")
INDICATORS_DOWN = LAYOUTS[:2]
# plant -> (rule, severity, layouts that can carry it); each at a known cell (None: the rule names the table)
PLANTS = {
    "exceeds": ("deprived_le_group", "error", LAYOUTS),
    "too_few": ("poor_deprivations_at_least_three", "error", LAYOUTS),
    "too_many_near": ("near_poor_deprivations_under_three", "error", LAYOUTS),
    "missing_indicator": ("indicator_set", "error", LAYOUTS),
    "foreign_indicator": ("indicator_set", "error", LAYOUTS),
    "group": ("group_matches_plan", "warning", LAYOUTS),
    "rate": ("rate_matches_counts", "warning", INDICATORS_DOWN),
}
INDICATOR_SET_PLANTS = ("missing_indicator", "foreign_indicator")
MISSING, FOREIGN_AT, EXCEEDS_AT, RATE_AT = 10, 11, 3, 8  # indicator 11 (telecom) left out, 12 replaced, 4 (BHYT), 9 (water)


def orientation_of(layout: str) -> str:
    return "indicators_down" if layout in INDICATORS_DOWN else "villages_down"


def _spread(rng, households: int, total: int) -> list[int]:
    """`total` deprivations over the 12 indicators, none above `households`."""
    total = min(total, 12 * households)
    weights = [0.2 + rng.random() for _ in range(12)]
    scale = total / sum(weights)
    out = [min(households, int(w * scale)) for w in weights]
    rest = total - sum(out)
    while rest > 0:
        free = [i for i in range(12) if out[i] < households]
        i = rng.choice(free)
        add = min(rest, households - out[i], max(1, rest // len(free)))
        out[i] += add
        rest -= add
    return out


def make_deprivations(rng, poor: int, near: int) -> tuple[list[int], list[int]]:
    """Deprived households per indicator, poor and near-poor: each within its group; the poor's add up to
    3-4 per household, the near-poor's to 0.8-1.8."""
    return _spread(rng, poor, math.ceil(poor * (3 + rng.random()))), _spread(rng, near, int(near * (0.8 + rng.random())))


def merge_villages(villages: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """A village named twice in a plan (two sections) is one row of a deprivation table: its counts summed. Named
    twice as the parser keys names ("Na Tiến" and "Nà Tiến" are two villages)."""
    merged: dict[str, list] = {}
    for name, poor, near in villages:
        entry = merged.setdefault(match_key(name), [name, 0, 0])
        entry[1] += poor
        entry[2] += near
    return [tuple(v) for v in merged.values()]


def _plant_counts(plant: str | None, poor: list[int], near: list[int], size: tuple[int, int]) -> None:
    """The planted counts of one unit (the commune's row set, or the first village), in place."""
    if plant == "exceeds":
        poor[EXCEEDS_AT] = size[0] + 1
    elif plant == "too_few":
        poor[:] = [min(x, size[0] // 6) for x in poor]
    elif plant == "too_many_near":
        near[:] = [min(size[1], size[1] // 4 + 1)] * 12


def _move_out(counts: list[int], k: int, households: int) -> None:
    """Indicator k's deprivations moved to the others (each within `households`), in place: a table that leaves
    an indicator out still gives the poor their three deprivations a household."""
    for i in range(12):
        if i != k:
            moved = min(counts[k], households - counts[i])
            counts[i] += moved
            counts[k] -= moved
    counts[k] = 0


def write_deprivation_table(path: Path, layout: str, commune: str, villages: list[tuple[str, int, int]], fmt: str = "xlsx",
                            encoding: str | None = None, plant: str | None = None, labels: str = "full", sizes: str = "table",
                            total_row: bool = False, year: int = 2026, seed: int | str = 0) -> dict:
    """Write one commune's deprivation table; `villages` are (name, poor, near-poor) of its plan.

    Returns the truth: "poor" / "near" (deprived per indicator 1-12, the commune's sums), "villages" (name ->
    (poor, near) per indicator, for the village layouts), "sizes" (the group sizes: the plan's), "sizes_from"
    ("table" / "plan"), "cells" ({(village name or "", indicator index, "poor" / "near_poor"): A1}) and "plant"
    ((rule, A1 or None) or None)."""
    if layout not in LAYOUTS or labels not in LABELS or sizes not in SIZES:
        raise ValueError(f"unknown layout, labels or sizes: {layout!r}, {labels!r}, {sizes!r}")
    if plant is not None and layout not in PLANTS[plant][2]:
        raise ValueError(f"plant {plant!r} cannot be carried by layout {layout!r}")
    if plant == "group":
        sizes = "table"  # a stated size unlike the plan's
    villages = merge_villages(villages)
    rng = sub_rng(seed, "deprivations", commune, layout)
    per_village = [make_deprivations(rng, p, n) for _, p, n in villages]
    if plant == "missing_indicator":
        for (dp, dn), (_, p, n) in zip(per_village, villages):
            _move_out(dp, MISSING, p)
            _move_out(dn, MISSING, n)
    text_encoding = None if encoding == "cp1258" else encoding
    render = Render(encoding=text_encoding, font=FONTS.get(text_encoding) if fmt in ("xlsx", "xls") else None,
                    **FORMAT_RENDER.get((fmt, encoding), {}))
    book = Book()
    sheet = book.add("Thiếu hụt")

    def style(base: str) -> str:
        return f"{base} {render.font}" if render.font else base

    def put(r: int, c: int, value, base: str = "bd") -> None:
        sheet.set(r, c, _txt(value, render) if isinstance(value, str) else value, style(base))

    def count(r: int, c: int, value) -> str:
        sheet.set(r, c, _count_cell(value, render, rng), style("bd"))
        return a1(r, c)

    put(1, 1, f"ỦY BAN NHÂN DÂN {commune.upper()}", "b")
    put(2, 1, f"TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN NĂM {year}", "b")
    names = list(INDICATORS[labels])
    if plant == "foreign_indicator":
        names[FOREIGN_AT] = FOREIGN
    shown = [k for k in range(12) if not (plant == "missing_indicator" and k == MISSING)]
    size = (sum(p for _, p, _ in villages), sum(n for _, _, n in villages))
    ctx = {"sheet": sheet, "put": put, "count": count, "render": render, "labels": labels, "names": names, "shown": shown,
           "sizes": sizes, "plant": plant}
    if orientation_of(layout) == "indicators_down":
        poor = [sum(v[0][k] for v in per_village) for k in range(12)]
        near = [sum(v[1][k] for v in per_village) for k in range(12)]
        _plant_counts(plant, poor, near, size)
        cells, planted = _indicators_down(ctx, layout == "indicators_down_flat", poor, near, size)
        by_village = None
    else:
        first = per_village[0] if per_village else ([0] * 12, [0] * 12)
        _plant_counts(plant, first[0], first[1], villages[0][1:] if villages else (0, 0))
        cells, planted = _villages_down(ctx, layout == "villages_down", villages, per_village, total_row)
        poor = [sum(v[0][k] for v in per_village) for k in range(12)]
        near = [sum(v[1][k] for v in per_village) for k in range(12)]
        by_village = {name: (list(dp), list(dn)) for (name, _, _), (dp, dn) in zip(villages, per_village)}
    csv = {"encoding": "cp1258", "delimiter": ",", "quote_all": True} if encoding == "cp1258" else {"encoding": "utf-8-sig"}
    save_book(book, Path(path), fmt, **(csv if fmt == "csv" else {}))
    return {"poor": poor, "near": near, "villages": by_village, "sizes": size, "sizes_from": sizes, "cells": cells,
            "plant": (PLANTS[plant][0], planted) if plant else None}


def _rate(value, whole, render: Render, delta: float = 0.0):
    share = rate(value, whole)
    if share is None:
        return None
    share = round(share + delta, 2)
    return vn_number(share, 2) if render.numbers == "text" else share


def _indicators_down(ctx: dict, flat: bool, poor: list[int], near: list[int], size: tuple[int, int]):
    """Rows of indicators under dimension rows; returns (cells, the planted cell)."""
    put, count, labels, plant = ctx["put"], ctx["count"], ctx["labels"], ctx["plant"]
    hn, hcn = GROUPS["full"]
    if flat:  # the label in column A carries its number; one header row
        name, cols = 1, {"poor": 2, "poor_rate": 3, "near": 4, "near_rate": 5}
        for c, v in enumerate(
            ["Chỉ số thiếu hụt", f"Số {hn.lower()} thiếu hụt", "Tỷ lệ (%)", f"Số {hcn.lower()} thiếu hụt", "Tỷ lệ (%)"], 1
        ):
            put(4, c, v, "b bd c")
        r = 5
    else:
        name, cols = 2, {"poor": 3, "poor_rate": 4, "near": 5, "near_rate": 6}
        for c, v in enumerate(["STT", "Chỉ số thiếu hụt", hn, None, hcn, None], start=1):
            put(4, c, v, "b bd c")
        ctx["sheet"].merge(4, 3, 4, 4)
        ctx["sheet"].merge(4, 5, 4, 6)
        for c in (1, 2):
            ctx["sheet"].merge(4, c, 5, c)
        for c, v in ((3, "Số hộ"), (4, "Tỷ lệ (%)"), (5, "Số hộ"), (6, "Tỷ lệ (%)")):
            put(5, c, v, "b bd c")
        r = 6
    stated = (size[0], size[1] + (7 if plant == "group" else 0))  # the near-poor's: the poor's would fail their three
    size_cells = {}
    if ctx["sizes"] == "table":
        put(r, name, SIZE_ROW[labels], "b bd")
        size_cells = {"poor": count(r, cols["poor"], stated[0]), "near": count(r, cols["near"], stated[1])}
        r += 1
    cells, planted = {}, None
    for d, dimension in enumerate(DIMENSIONS[labels]):
        if flat:
            put(r, name, f"{ROMAN[d]}. {dimension}", "b bd")
        else:
            put(r, 1, ROMAN[d], "b bd c")
            put(r, name, dimension, "b bd")
        r += 1
        for k in range(PER_DIMENSION * d, PER_DIMENSION * (d + 1)):
            if k not in ctx["shown"]:
                continue
            if flat:
                put(r, name, f"{k + 1}. {ctx['names'][k]}")
            else:
                put(r, 1, k + 1, "bd c")
                put(r, name, ctx["names"][k])
            cells[("", k, "poor")] = count(r, cols["poor"], poor[k])
            cells[("", k, "near_poor")] = count(r, cols["near"], near[k])
            # the rates the commune worked out, from the sizes it states (else the plan's)
            put(r, cols["poor_rate"], _rate(poor[k], stated[0], ctx["render"], 5.0 if plant == "rate" and k == RATE_AT else 0.0))
            put(r, cols["near_rate"], _rate(near[k], stated[1], ctx["render"]))
            if plant == "rate" and k == RATE_AT:
                planted = a1(r, cols["poor_rate"])
            r += 1
    put(r + 1, name, "Người lập biểu", "b")
    if plant == "exceeds":
        planted = cells[("", EXCEEDS_AT, "poor")]
    elif plant in ("too_few", "too_many_near", "group"):
        planted = size_cells.get("poor" if plant == "too_few" else "near")
        if planted is None and plant != "group":  # none stated: the rule names the header of the group's counts
            planted = a1(4, cols["poor" if plant == "too_few" else "near"])
    elif plant in INDICATOR_SET_PLANTS:
        planted = a1(4, cols["poor"])  # a failure of the whole table: its header, at the first column read
    return cells, planted


def _villages_down(ctx: dict, three_rows: bool, villages: list, per_village: list, total_row: bool):
    """Villages as rows, indicators across under a dimension / indicator / HN-HCN header (or indicator / HN-HCN);
    returns (cells, the planted cell)."""
    sheet, put, count, labels, plant, shown = ctx["sheet"], ctx["put"], ctx["count"], ctx["labels"], ctx["plant"], ctx["shown"]
    top, bottom = 4, 6 if three_rows else 5
    hn, hcn = GROUPS[labels]
    first_cols = ["STT", NAME_HEADER[labels]] + (["Số hộ nghèo", "Số hộ cận nghèo"] if ctx["sizes"] == "table" else [])
    for c, v in enumerate(first_cols, start=1):
        put(top, c, v, "b bd c")
        sheet.merge(top, c, bottom, c)
    col, at = len(first_cols) + 1, {}
    for d, dimension in enumerate(DIMENSIONS[labels]):
        mine = [k for k in range(PER_DIMENSION * d, PER_DIMENSION * (d + 1)) if k in shown]
        if three_rows:
            put(top, col, f"{ROMAN[d]}. {dimension}" if labels == "other" else dimension, "b bd c")
            sheet.merge(top, col, top, col + 2 * len(mine) - 1)
        for k in mine:
            put(bottom - 1, col, ctx["names"][k], "b bd c w")
            sheet.merge(bottom - 1, col, bottom - 1, col + 1)
            put(bottom, col, hn, "b bd c")
            put(bottom, col + 1, hcn, "b bd c")
            at[k] = col
            col += 2
    r, cells, planted = bottom + 1, {}, None
    sums = [0, 0] + [0] * 24
    for i, ((name, p, n), (dp, dn)) in enumerate(zip(villages, per_village)):
        put(r, 1, i + 1, "bd c")
        put(r, 2, name)
        if ctx["sizes"] == "table":
            stated = n + (7 if plant == "group" and i == 0 else 0)
            where = {"poor": count(r, 3, p), "near": count(r, 4, stated)}
            sums[0] += p
            sums[1] += stated
        else:
            where = {"poor": a1(r, at[min(shown)]), "near": a1(r, at[min(shown)] + 1)}  # the rule's first count of the row
        for k in shown:
            cells[(name, k, "poor")] = count(r, at[k], dp[k])
            cells[(name, k, "near_poor")] = count(r, at[k] + 1, dn[k])
            sums[2 + 2 * k] += dp[k]
            sums[3 + 2 * k] += dn[k]
        if i == 0 and plant in ("exceeds", "too_few", "too_many_near", "group"):
            planted = cells[(name, EXCEEDS_AT, "poor")] if plant == "exceeds" else where["poor" if plant == "too_few" else "near"]
        r += 1
    if total_row:
        put(r, 2, "Tổng cộng", "b bd")
        if ctx["sizes"] == "table":
            count(r, 3, sums[0])
            count(r, 4, sums[1])
        for k in shown:
            count(r, at[k], sums[2 + 2 * k])
            count(r, at[k] + 1, sums[3 + 2 * k])
        r += 1
    put(r + 1, 2, "Người lập biểu", "b")
    if plant in INDICATOR_SET_PLANTS:
        planted = a1(top, 2)  # a failure of the whole table: its header, at the first column read (the villages')
    return cells, planted


def write_deprivation_tables(raw: Path, communes: list[dict], seed: int | str = 0, year: int = 2026, plants: bool = False,
                             layouts: tuple[str, ...] = LAYOUTS) -> dict[str, dict]:
    """One deprivation table per commune ({code, name, folder, villages: [(name, poor, near)]}), beside its plan and
    named by its code: the `layouts`, formats and encodings, label variants and where the sizes come from in turn.
    With `plants`, the tables after the first len(LAYOUTS) carry the plants in turn, one each (a layout that can
    carry it). Returns the truth by commune code (with "plant": [rule, A1 or None] and "status")."""
    truth = {}
    for n, c in enumerate(communes):
        turn = n + n // len(layouts)  # each layout meets every format and encoding, both sources of sizes
        layout = layouts[n % len(layouts)]
        fmt, encoding = FORMATS[turn % len(FORMATS)]
        labels, sizes = LABELS[n % len(LABELS)], SIZES[turn % len(SIZES)]
        plant = None
        if plants and 0 <= n - len(LAYOUTS) < len(PLANTS):
            plant = list(PLANTS)[n - len(LAYOUTS)]
            layout = PLANTS[plant][2][n % len(PLANTS[plant][2])]
        rel = str(Path(c.get("folder", "")) / f"{c['code']}_thieu_hut.{fmt}")
        written = write_deprivation_table(
            Path(raw) / rel,
            layout,
            c["name"],
            c["villages"],
            fmt,
            encoding,
            plant=plant,
            labels=labels,
            sizes=sizes,
            total_row=n % 3 == 1,
            year=year,
            seed=seed,
        )
        truth[c["code"]] = {"file": rel, "layout": layout, "format": fmt, "encoding": encoding, "labels": labels,
                            "sizes": written["sizes_from"], "poor": written["poor"], "near_poor": written["near"],
                            "plant": list(written["plant"]) if plant else None,
                            "status": "rejected" if plant and PLANTS[plant][1] == "error" else "accepted"}
    return truth
