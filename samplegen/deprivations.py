"""Deprivation tables (hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản), as communes send
them: indicators as rows under dimension rows (commune level), or villages as rows under a dimension /
indicator / HN-HCN header; full names or abbreviations (BHYT, HVS, DV viễn thông); every format and encoding.

The counts obey the standard (07/2021/NĐ-CP, 12 indicators): each indicator within its group, the poor
lacking three indicators or more on average, the near-poor fewer; group sizes those of the commune's plan.
A plant makes one rule fail at a known cell.
"""

from __future__ import annotations

import random
from pathlib import Path

from .encodings import encode_cell
from .writers import Book, save_book

DIMENSIONS = [
    ("I", "Việc làm", ["Việc làm", "Người phụ thuộc trong hộ gia đình"]),
    ("II", "Y tế", ["Dinh dưỡng", "Bảo hiểm y tế"]),
    ("III", "Giáo dục", ["Trình độ giáo dục của người lớn", "Tình trạng đi học của trẻ em"]),
    ("IV", "Nhà ở", ["Chất lượng nhà ở", "Diện tích nhà ở bình quân đầu người"]),
    ("V", "Nước sinh hoạt và vệ sinh", ["Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh"]),
    ("VI", "Thông tin", ["Sử dụng dịch vụ viễn thông", "Phương tiện phục vụ tiếp cận thông tin"]),
]
SHORT = ["Việc làm", "Người phụ thuộc", "Dinh dưỡng", "BHYT", "Giáo dục người lớn", "Đi học", "Chất lượng nhà ở", "Diện tích nhà ở",
         "Nước SH HVS", "Nhà tiêu HVS", "DV viễn thông", "Phương tiện tiếp cận thông tin"]
ORIENTATIONS = ("indicators_down", "villages_down")
FORMATS = (("xlsx", None), ("xls", "tcvn3"), ("ods", None), ("csv", "nfd"), ("xlsx", "vni"), ("csv", None))
PLANTS = {"exceeds": ("deprived_le_group", "error"), "too_few": ("poor_deprivations_at_least_three", "error"),
          "missing_indicator": ("indicator_set", "error"), "group": ("group_matches_plan", "warning")}


def make_deprivations(rng: random.Random, poor: int, near: int) -> tuple[list[int], list[int]]:
    """Deprived households per indicator, poor and near-poor: each within its group; the poor's add up to
    3-4 per household, the near-poor's to about 1.5."""
    def spread(households: int, per_household: float) -> list[int]:
        out = [0] * 12
        for _ in range(int(households * per_household)):
            free = [i for i in range(12) if out[i] < households]
            if not free:
                break
            out[rng.choice(free)] += 1
        return out

    return spread(poor, 3.0 + rng.random()), spread(near, 1.0 + rng.random())


def _put(sheet, row: int, col: int, value, encoding: str | None, style: str | None = None) -> None:
    sheet.set(row, col, encode_cell(value, encoding) if isinstance(value, str) else value, style)


def _cell(row: int, col: int) -> str:
    return f"{chr(64 + col)}{row}"


def write_deprivation_table(path: Path, orientation: str, commune: str, villages: list[tuple[str, int, int]], fmt: str = "xlsx",
                            encoding: str | None = None, plant: str | None = None, short: bool = False, year: int = 2026,
                            seed: int | str = 0) -> dict:
    """Write one commune's deprivation table; `villages` are (name, poor, near-poor) of its plan. Returns the truth:
    "poor" / "near" (deprived per indicator, commune sums), "sizes", "plant" ((rule, A1) or None)."""
    rng = random.Random(f"{seed}-{commune}-{orientation}")
    labels = SHORT if short else [i for _, _, inds in DIMENSIONS for i in inds]
    per_village = [make_deprivations(rng, p, n) for _, p, n in villages]
    poor_size, near_size = sum(p for _, p, _ in villages), sum(n for _, _, n in villages)
    book = Book()
    sheet = book.add("Thiếu hụt")
    _put(sheet, 1, 1, f"ỦY BAN NHÂN DÂN {commune.upper()}", encoding, "b")
    _put(sheet, 2, 1, f"TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN NĂM {year}", encoding, "b")
    planted = None
    if orientation == "indicators_down":
        poor = [sum(v[0][i] for v in per_village) for i in range(12)]
        near = [sum(v[1][i] for v in per_village) for i in range(12)]
        stated = (poor_size + (7 if plant == "group" else 0), near_size)
        if plant == "exceeds":
            poor[3] = stated[0] + 1
        elif plant == "too_few":
            poor = [min(x, stated[0] // 6) for x in poor]
        for c, v in enumerate(["STT", "Chỉ số thiếu hụt", "Hộ nghèo", None, "Hộ cận nghèo", None], start=1):
            _put(sheet, 4, c, v, encoding, "b bd c")
        sheet.merge(4, 3, 4, 4)
        sheet.merge(4, 5, 4, 6)
        for c, v in enumerate([None, None, "Số hộ", "Tỷ lệ (%)", "Số hộ", "Tỷ lệ (%)"], start=1):
            _put(sheet, 5, c, v, encoding, "b bd c")
        _put(sheet, 6, 2, "Tổng số hộ nghèo, hộ cận nghèo", encoding, "b")
        _put(sheet, 6, 3, stated[0], encoding)
        _put(sheet, 6, 5, stated[1], encoding)
        r, k = 7, 0
        for roman, dimension, inds in DIMENSIONS:
            _put(sheet, r, 1, roman, encoding, "b")
            _put(sheet, r, 2, dimension, encoding, "b")
            r += 1
            for _ in inds:
                if plant == "missing_indicator" and k == 10:
                    k += 1
                    continue
                _put(sheet, r, 1, k + 1, encoding)
                _put(sheet, r, 2, labels[k], encoding)
                _put(sheet, r, 3, poor[k], encoding)
                _put(sheet, r, 4, round(100 * poor[k] / stated[0], 2) if stated[0] else 0, encoding)
                _put(sheet, r, 5, near[k], encoding)
                _put(sheet, r, 6, round(100 * near[k] / stated[1], 2) if stated[1] else 0, encoding)
                if plant == "exceeds" and k == 3:
                    planted = ("deprived_le_group", _cell(r, 3))
                r += 1
                k += 1
        if plant == "group":
            planted = ("group_matches_plan", _cell(6, 3))
        elif plant == "too_few":
            planted = ("poor_deprivations_at_least_three", None)
        elif plant == "missing_indicator":
            planted = ("indicator_set", None)
        _put(sheet, r + 1, 2, "Người lập biểu", encoding, "b")
    else:
        dims = ["STT", "Tên thôn, tổ dân phố", "Số hộ nghèo", "Số hộ cận nghèo"]
        for c, v in enumerate(dims, start=1):
            _put(sheet, 4, c, v, encoding, "b bd c")
            sheet.merge(4, c, 6, c)
        col = 5
        for _, dimension, inds in DIMENSIONS:
            _put(sheet, 4, col, dimension, encoding, "b bd c")
            sheet.merge(4, col, 4, col + 2 * len(inds) - 1)
            col += 2 * len(inds)
        for k, label in enumerate(labels):
            _put(sheet, 5, 5 + 2 * k, label, encoding, "b bd c")
            sheet.merge(5, 5 + 2 * k, 5, 6 + 2 * k)
            _put(sheet, 6, 5 + 2 * k, "HN", encoding, "b bd c")
            _put(sheet, 6, 6 + 2 * k, "HCN", encoding, "b bd c")
        r = 7
        for i, ((name, p, n), (dp, dn)) in enumerate(zip(villages, per_village)):
            if plant == "exceeds" and i == 0:
                dp = list(dp)
                dp[3] = p + 1
                planted = ("deprived_le_group", _cell(r, 5 + 2 * 3))
            _put(sheet, r, 1, i + 1, encoding)
            _put(sheet, r, 2, name, encoding)
            _put(sheet, r, 3, p, encoding)
            _put(sheet, r, 4, n, encoding)
            for k in range(12):
                _put(sheet, r, 5 + 2 * k, dp[k], encoding)
                _put(sheet, r, 6 + 2 * k, dn[k], encoding)
            r += 1
        poor = [sum(v[0][i] for v in per_village) for i in range(12)]
        near = [sum(v[1][i] for v in per_village) for i in range(12)]
        if plant == "exceeds":
            poor[3] += villages[0][1] + 1 - per_village[0][0][3]
    save_book(book, Path(path), fmt, **({"encoding": "utf-8-sig"} if fmt == "csv" else {}))
    return {"poor": poor, "near": near, "sizes": (poor_size, near_size), "plant": planted}


def write_deprivation_tables(raw: Path, communes: list[dict], seed: int | str = 0) -> int:
    """One deprivation table per commune ({code, name, folder, poor, near}), beside its plan: both orientations,
    the formats and encodings in turn (villages as rows where the commune's villages are given)."""
    for n, c in enumerate(communes):
        fmt, encoding = FORMATS[n % len(FORMATS)]
        villages = c.get("villages") or [("Toàn xã", c["poor"], c["near"])]
        orientation = ORIENTATIONS[n % 2] if c.get("villages") else "indicators_down"
        path = Path(raw) / c.get("folder", "") / f"{c['code']}_thieu_hut.{fmt}"
        write_deprivation_table(path, orientation, c["name"], villages, fmt, encoding, short=bool(n % 3 == 0), seed=seed)
    return len(communes)
