"""Findings of a file's sheets beside its tables' own rules: the hidden sheets, rows and columns and the formulas
without a value that the recognisers of deprivation tables, roadmaps and household lists read, a list with no members
column, a sheet with figures from which nothing was read."""

from __future__ import annotations

from dataclasses import replace

from schemas.columns import label_vi

from .failure_row import failure
from .kind_words import kind_named
from .layout import households
from .layout.header import header_labels_found
from .layout.household_cells import filled
from .layout.tables import find_tables, title_lines
from .parsed import ParsedTable
from .readers.grid import a1, column_letter

TITLE_ROWS = 10  # a sheet's title lines are read from its top rows


def hidden_of(tables: list[ParsedTable], sheets: dict) -> list[dict]:
    """hidden_content for the hidden sheet, rows and columns a deprivation table, a roadmap or a household list reads, as
    a village table's are (a hidden indicator row was counted without a word: independent probe, Hà Tĩnh; a list's
    hidden members column: Đắk Lắk); once a sheet, row or column and kind."""
    out, seen = [], set()

    def once(key: tuple, found: dict, kind: str) -> None:
        if key not in seen:
            seen.add(key)
            out.append({**found, "kind": kind})

    for t in tables:
        sheet = sheets.get(t.sheet)
        if sheet is None:
            continue
        if sheet.hidden:
            once((t.sheet, "sheet", t.kind), failure("hidden_content", t.sheet, value=t.sheet, detail="sheet"), t.kind)
        for r in sorted(set(sheet.hidden_rows) & set(t.rows.get("row") or ())):
            once((t.sheet, r, t.kind), failure("hidden_content", t.sheet, row=r, col=1, value=str(r), detail="row"), t.kind)
        header = t.header_rows[-1] if t.header_rows else None
        for fld, c in sorted(t.columns.items(), key=lambda item: item[1]):
            if c in sheet.hidden_columns:
                found = failure("hidden_content", t.sheet, row=header, col=c, field=fld, value=column_letter(c), detail="column")
                once((t.sheet, "column", c, t.kind), found, t.kind)
    return out


def merged_over(sheet, rows: set[int], columns: set[int]) -> list[dict]:
    """hidden_content for each merged range over a figure the table reads: a cell under a merge but its first is not
    shown, yet a file may keep its value (LibreOffice's "keep the contents of hidden cells", a program's merge over
    written cells). A roadmap's year rows under one merge were published, no figure of them on screen (hostile-file
    judge, Cao Bằng). `rows`, `columns`: 1-based."""
    out = []
    for r1, c1, r2, c2 in sheet.merged_over_values:
        covered = (r for r in range(r1, min(r2 + 1, len(sheet.rows))) if r + 1 in rows)
        if any(
            (r, c) != (r1, c1) and c + 1 in columns and filled(sheet.rows[r][c])
            for r in covered
            for c in range(c1, min(c2 + 1, len(sheet.rows[r])))
        ):
            span = f"{a1(r1 + 1, c1 + 1)}:{a1(r2 + 1, c2 + 1)}"
            out.append(failure("hidden_content", sheet.name, row=r1 + 1, col=c1 + 1, value=span, detail="merged"))
    return out


def merged_of(tables: list[ParsedTable], sheets: dict) -> list[dict]:
    """merged_over for the tables of the other kinds (a deprivation table, a roadmap, a household list), once a range."""
    out, seen = [], set()
    for t in tables:
        sheet = sheets.get(t.sheet)
        if sheet is None or not sheet.merged_over_values:
            continue
        for found in merged_over(sheet, set(t.rows.get("row") or ()), set(t.columns.values())):
            if (t.sheet, found["value"]) not in seen:
                seen.add((t.sheet, found["value"]))
                out.append({**found, "kind": t.kind})
    return out


# fields a run recomputes, never uses as written: a formula there without its value is formula_not_used, a warning, as one
# in a total row is (a plan's rates "=ROUND(D5/C5*100,2)" or its "Tổng cộng" "=SUM(C5:C7)" saved by a program that stores
# no value: every figure was there, the plan rejected; legacy formats judge, Quảng Trị)
ONLY_CHECKED = frozenset({"poor_rate", "near_poor_rate", "poor_rate_start", "poor_rate_end", "near_poor_rate_start",
                          "near_poor_rate_end", "poor_deprived_rate", "near_poor_deprived_rate"})
_TOTALS = ("total", "subtotal")


def formulas_of(tables: list[ParsedTable], sheets: dict) -> list[dict]:
    """formula_without_value for the cells a deprivation table, a roadmap or a household list reads, as a village table's
    are: a formula saved with no value was read as blank, 0 (a roadmap's 2027 houses, a deprivation count; hostile-file
    judge, Cao Bằng); once a cell."""
    out, seen = [], set()
    for t in tables:
        sheet = sheets.get(t.sheet)
        if sheet is None or not sheet.formulas_without_value:
            continue
        rows, fields = set(t.rows.get("row") or ()), {}
        totals = {r for r, k in zip(t.rows.get("row") or (), t.rows.get("kind") or ()) if k in _TOTALS}
        items = dict(zip(t.rows.get("row") or (), t.rows.get("item") or ()))  # a roadmap's cell: named by its item
        for f, c in t.columns.items():
            fields.setdefault(c, f)  # a deprivation count's column before the size its header also states
        for r, c, formula in sheet.formulas_without_value:
            if r in rows and c in fields and (t.sheet, r, c) not in seen:
                seen.add((t.sheet, r, c))
                rule = "formula_not_used" if r in totals or fields[c] in ONLY_CHECKED else "formula_without_value"
                out.append({**failure(rule, t.sheet, r, c, items.get(r) or fields[c], formula), "kind": t.kind})
    return out


def lists_without_members(tables: list[ParsedTable]) -> list[dict]:
    """required_columns for a household list with no members column ("Họ và tên | Năm sinh | CCCD | Điện thoại"): each
    household was a members_positive error with no cell ("… không phải “”", 97 of one list; hostile-file judge). The list
    is rejected whole, once, its rows let go (none would count)."""
    out = []
    for t in tables:
        if t.kind == households.KIND and "members" not in t.columns:
            labels = " | ".join(label_vi(f) for f in t.columns)  # the fields found, never a cell
            out.append({**failure("required_columns", t.sheet, row=(t.header_rows or [None])[-1], field="members",
                                  value=labels, expected="members"), "kind": t.kind})
            t.rows = {k: [] for k in t.rows}
    return out


_UNREADABLE = "\ufffd"  # what a byte that is no character of the file's encoding was read as


def unreadable_text_of(tables: list[ParsedTable]) -> list[dict]:
    """text_readable: a row's name holding a character that could not be read ("Ấp Rạch Rập\ufffd", a byte of no
    character in a UTF-8 CSV), at its cell: it was published as read, without a word (hostile-file judge, Cà Mau). Not
    asked of household lists, whose names are people's."""
    out = []
    for t in tables:
        if t.kind == households.KIND or t.name_column is None:
            continue
        for row, name in zip(t.rows.get("row") or [], t.rows.get("name") or []):
            if name and _UNREADABLE in name:
                out.append({**failure("text_readable", t.sheet, row=row, col=t.name_column, field="village_name",
                                      value=name[:200]), "kind": t.kind})
    return out


FIGURES_OF_A_TABLE = 6  # a sheet with fewer numbers (a date, a page number, a signature's) holds no table


def sheets_not_read(book, sheets: list, forced_kind: str | None) -> list[dict]:
    """sheet_not_read: a visible sheet with figures from which no table was read, beside the file's tables. A roadmap
    whose years the reader did not know, in the plan's workbook, was lost without a word (independent probe, Gia Lai).
    The kind its name or title names, if one (a roadmap's warning is the roadmap's). A sheet whose table the reader
    found and set aside (a summary by former commune, a copy of the annex) was read."""
    out = []
    for s in sheets:
        if s.hidden:
            continue  # reported as hidden_content
        figures = sum(1 for row in s.rows for v in row if v.__class__ in (int, float))
        if figures < FIGURES_OF_A_TABLE or find_tables(replace(book, sheets=[s]), forced_kind):
            continue
        kind = kind_named([s.name, *title_lines(s, min(TITLE_ROWS, len(s.rows)), single=True)[:4]])
        labels = " | ".join(header_labels_found(s))[:300]
        out.append({**failure("sheet_not_read", s.name, value=labels or "(không có)"), "kind": kind})
    return out
