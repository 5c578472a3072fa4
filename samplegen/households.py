"""Household lists (danh sách hộ nghèo, hộ cận nghèo) of made-up households, in the layouts the reader
takes: the group in a column ("column"), in section rows ("sections") or a sheet each ("sheets");
deprivations a column each under a merged "Chỉ số thiếu hụt" over 1…12, or one column of numbers;
ethnicity a name or a mark. Every value is invented; tests plant marker strings in the personal ones."""

from __future__ import annotations

import random
from pathlib import Path

from .encodings import encode_cell
from .writers import Book, save_book

SURNAMES = ["Nguyễn", "Hoàng", "Nông", "Lý", "Triệu", "Bàn", "Lường", "Ma", "Đặng", "Vi"]
GIVEN = ["Văn Lợi", "Thị Hoa", "Văn Tùng", "Thị Mai", "Văn Dũng", "Thị Lan", "Văn Sơn", "Thị Hằng"]
ETHNIC = ["Kinh", "Tày", "Nùng", "Dao", "Mông", "Sán Chay"]
LAYOUTS = ("column", "sections", "sheets")
GROUP_VI = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}


def make_households(rng: random.Random, villages: list[tuple[str, int, int]], code_prefix: str = "HN") -> list[dict]:
    """Households of each village (name, poor, near-poor), poor ones deprived in 3+ indicators, near-poor in fewer."""
    out = []
    for v, (village, poor, near) in enumerate(villages):
        for group, n in (("poor", poor), ("near_poor", near)):
            for _ in range(n):
                i = len(out) + 1
                k = rng.randint(3, 6) if group == "poor" else rng.randint(0, 2)
                out.append({
                    "code": f"{code_prefix}{v + 1:02d}{i:04d}",
                    "name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                    "id": f"0{rng.randint(10, 99)}{rng.randint(0, 999999999):09d}",
                    "birth": str(rng.randint(1940, 2000)),
                    "phone": f"09{rng.randint(10000000, 99999999)}",
                    "village": village,
                    "members": rng.randint(1, 7),
                    "ethnicity": rng.choice(ETHNIC),
                    "group": group,
                    "no_labour": rng.random() < 0.2,
                    "merit": rng.random() < 0.05,
                    "deprivations": sorted(rng.sample(range(1, 13), k)),
                    "exit_year": 2026 + rng.randint(0, 4) if group == "poor" else None,
                    "note": "",
                })
    return out


def _title(sheet, commune: str, width: int, heading: str) -> int:
    sheet.set(1, 1, f"UBND {commune.upper()}", "b")
    sheet.set(2, 1, heading, "b c")
    sheet.merges.append((2, 1, 2, width))
    sheet.set(3, 1, "(Kèm theo Kế hoạch giảm nghèo năm 2026)", "i c")
    return 5


def _write_list(sheet, commune: str, rows: list[dict], layout: str, heading: str, ethnicity: str, deprivations: str) -> dict:
    """One list on one sheet; returns {(household index, field): A1 cell} of the personal values."""
    head = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Số CCCD", "Năm sinh", "Số điện thoại", "Thôn, xóm", "Số nhân khẩu",
            "Dân tộc" if ethnicity == "name" else "Hộ DTTS"]
    if layout == "column":
        head.append("Phân loại")
    head += ["Không có khả năng lao động", "Có người có công"]
    dep_col = len(head) + 1
    head.append("Chỉ số thiếu hụt")
    width = len(head) + (11 if deprivations == "columns" else 0) + 2
    top = _title(sheet, commune, width, heading)
    for j, label in enumerate(head, start=1):
        sheet.set(top, j, label, "b bd c w")
        if deprivations == "columns" and j != dep_col:
            sheet.merges.append((top, j, top + 1, j))
    tail = ["Năm dự kiến thoát nghèo", "Ghi chú"]
    after = dep_col + (12 if deprivations == "columns" else 1)
    for k, label in enumerate(tail):
        sheet.set(top, after + k, label, "b bd c w")
        if deprivations == "columns":
            sheet.merges.append((top, after + k, top + 1, after + k))
    if deprivations == "columns":
        sheet.merges.append((top, dep_col, top, dep_col + 11))
        for n in range(1, 13):
            sheet.set(top + 1, dep_col + n - 1, n, "b bd c")
        top += 1
    r = top + 1
    cells: dict = {}
    current = None
    for i, h in rows:
        if layout == "sections" and h["group"] != current:
            current = h["group"]
            sheet.set(r, 1, "I" if current == "poor" else "II", "b")
            sheet.set(r, 2, GROUP_VI[current].upper(), "b")
            r += 1
        values = [i + 1, h["code"], h["name"], h["id"], h["birth"], h["phone"], h["village"], h["members"],
                  h["ethnicity"] if ethnicity == "name" else ("x" if h["ethnicity"] != "Kinh" else None)]
        if layout == "column":
            values.append(GROUP_VI[h["group"]])
        values += ["x" if h["no_labour"] else None, "x" if h["merit"] else None]
        for j, value in enumerate(values, start=1):
            sheet.set(r, j, value, "bd")
        if deprivations == "columns":
            for n in h["deprivations"]:
                sheet.set(r, dep_col + n - 1, "x", "bd c")
        else:
            sheet.set(r, dep_col, ", ".join(map(str, h["deprivations"])), "bd")
        sheet.set(r, after, h["exit_year"], "bd")
        sheet.set(r, after + 1, h["note"] or None, "bd")
        for field, col in (("code", 2), ("name", 3), ("id", 4), ("birth", 5), ("phone", 6), ("note", after + 1)):
            cells[(i, field)] = f"{_letter(col)}{r}"
        r += 1
    sheet.set(r + 1, 2, "Người lập biểu", "b")
    sheet.set(r + 1, 8, "KT. CHỦ TỊCH", "b")
    return cells


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def write_household_list(
    path: Path,
    commune: str,
    households: list[dict],
    layout: str = "column",
    fmt: str = "xlsx",
    ethnicity: str = "name",
    deprivations: str = "columns",
    year: int = 2026,
    encoding: str | None = None,
) -> dict:
    """Write one commune's list; returns {(household index, field): (sheet, A1)} of its personal values."""
    book = Book()
    indexed = list(enumerate(households))
    found = {}
    if layout == "sheets":
        for group, name in (("poor", "Hộ nghèo"), ("near_poor", "Hộ cận nghèo")):
            sheet = book.add(name)
            part = [(i, h) for i, h in indexed if h["group"] == group]
            heading = f"DANH SÁCH {GROUP_VI[group].upper()} NĂM {year}"
            found |= {
                k: (name, v) for k, v in _write_list(sheet, commune, part, layout, heading, ethnicity, deprivations).items()
            }
    else:
        sheet = book.add("Danh sách")
        ordered = sorted(indexed, key=lambda x: (x[1]["group"] != "poor", x[0])) if layout == "sections" else indexed
        heading = f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}"
        found = {
            k: ("Danh sách", v) for k, v in _write_list(sheet, commune, ordered, layout, heading, ethnicity, deprivations).items()
        }
    if encoding:  # typed in a legacy encoding (TCVN3 / VNI) or as NFD, every text cell
        for sheet in book.sheets:
            sheet.cells = {k: encode_cell(v, encoding) for k, v in sheet.cells.items()}
    save_book(book, path, fmt)
    return found


def write_household_lists(
    raw: Path,
    communes: list[dict],
    seed: int | str = 0,
    fmts: tuple[str, ...] = ("xlsx", "xls", "ods", "csv"),
    per_commune: int = 300,
) -> int:
    """One list per commune (`name`, optional `code`, `folder`, and `village_counts` [[village, poor, near-poor], ...]
    or `villages`), the plan's counts or ~per_commune households each, formats and layouts in turn."""
    written = 0
    for n, commune in enumerate(communes):
        rng = random.Random(f"{seed}-{commune['name']}")
        if commune.get("village_counts"):  # the plan's villages, poor and near-poor: the list agrees with the annex
            households = make_households(rng, [tuple(v) for v in commune["village_counts"]])
        else:
            villages = commune.get("villages") or [f"Thôn {k}" for k in range(1, 11)]
            share = max(1, per_commune // (2 * len(villages)))
            households = make_households(rng, [(v, share, share) for v in villages])
        fmt = fmts[n % len(fmts)]
        layout = LAYOUTS[n % len(LAYOUTS)] if fmt != "csv" else ("column", "sections")[n % 2]
        stem = f"{commune['code']}_danh_sach_ho_ngheo" if commune.get("code") else f"danh_sach_ho_ngheo_{n:05d}"
        path = Path(raw) / commune.get("folder", "") / f"{stem}.{fmt}"
        write_household_list(
            path, commune["name"], households, layout, fmt, ("name", "mark")[n % 2], ("columns", "numbers")[(n // 2) % 2]
        )
        written += 1
    return written
