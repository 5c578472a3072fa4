"""Recognise a roadmap table (lộ trình giảm nghèo giai đoạn 2026–2030) on a sheet.

Years run down the rows ("2026", "Năm 2027", …, "Cộng") with an item in each column, or across
the columns with an item in each row (under section rows "I. Chỉ tiêu giảm nghèo", "II. Hỗ trợ",
"III. Kinh phí"). Either way the table is given back as one table per item column (years as rows)
or per year column (items as rows), each with a single field `value`: a value's cell is then its
row and that table's column, exactly, for validation failures and lineage. Every row carries its
item (canonical id), the item's label as written, its kind (reduction / support / budget), its
unit and its year ("total" for the "Cộng" line).

Worker side: no polars.
"""

from __future__ import annotations

import re

from ..parsed import ParsedTable, cell_json
from ..readers.grid import Sheet
from ..text import fold, match_key, nfc
from .vocabulary import load_vocabulary, row_label_tags

KIND = "roadmap"
ATTRIBUTES = ("item", "item_label", "item_kind", "unit", "year")
_YEAR = re.compile(r"^(?:nam\s+)?(20[2-4]\d)$")
_PERIOD = re.compile(r"\bgiai doan(?: nam)? (20\d\d) (20\d\d)\b")
HEADER_ROWS = 5  # rows above the first value row that may hold the header


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def _year(value) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 2020 <= value <= 2049 else None
    m = _YEAR.match(fold(_text(value)))
    return int(m.group(1)) if m else None


def _is_number(value) -> bool:
    num, text = cell_json(value)
    return num is not None or (text is not None and bool(re.fullmatch(r"[-–—x0-9., ]+", text)) and any(c.isdigit() for c in text))


def _is_total(value) -> bool:
    return "row.total" in row_label_tags(_text(value)) if isinstance(value, str) else False


def _merged_label(sheet: Sheet, r: int, c: int) -> str:
    """The text shown at (r, c): its own, else that of the merged range covering it."""
    own = _text(sheet.value(r, c))
    if own:
        return own
    for r1, c1, r2, c2 in sheet.merged:
        if r1 <= r <= r2 and c1 <= c <= c2:
            return _text(sheet.value(r1, c1))
    return ""


def _label(sheet: Sheet, rows: range, c: int) -> str:
    parts: list[str] = []
    for r in rows:
        text = _merged_label(sheet, r, c)
        if text and text not in parts:
            parts.append(text)
    return " ".join(parts)


def _item(label: str, section_kind: str | None = None) -> tuple[str, str, str] | None:
    """(canonical item, item kind, unit) of a label; None when it names no roadmap figure."""
    vocab = load_vocabulary()
    hit = vocab.roadmap_items.first(label)
    words = vocab.roadmap_words.tags(label)
    if hit:
        item = next(iter(sorted(hit))).split(".", 1)[1]
    else:
        slug = "_".join(fold(label).split()[:8])
        if not slug or vocab.header.tags(label) & {"role.stt", "role.note", "role.name"} and not section_kind:
            return None
        kind = "budget" if section_kind == "budget" or "word.million_vnd" in words else "support"
        item = f"{kind}_{slug}"
    kind = "reduction" if item.endswith("_reduction") else item.split("_", 1)[0]
    unit = "million_vnd" if kind == "budget" or "word.million_vnd" in words else "households"
    return item, kind, unit


def _period(title: list[str], years: list[int]) -> list[int]:
    m = _PERIOD.search(fold(" ".join(title)))
    if m:
        return [int(m.group(1)), int(m.group(2))]
    return [min(years), max(years)]


def _table(sheet: Sheet, column: int, header: list[int], title: list[str], period: list[int], cells: list[tuple]) -> ParsedTable:
    """One table: the cells of one column, each (row, row kind, name, item, label, kind, unit, year, value)."""
    rows: dict[str, list] = {k: [] for k in ("row", "kind", "name", "name_key", "section", "section_index", *ATTRIBUTES)}
    nums, texts = [], []
    for r, row_kind, name, item, label, kind, unit, year, value in cells:
        num, text = cell_json(value)
        for k, v in (("row", r + 1), ("kind", row_kind), ("name", name), ("name_key", match_key(name) if name else None),
                     ("section", None), ("section_index", 0), ("item", item), ("item_label", label), ("item_kind", kind),
                     ("unit", unit), ("year", year)):
            rows[k].append(v)
        nums.append(num)
        texts.append(text)
    rows["value__num"], rows["value__text"] = nums, texts
    return ParsedTable(sheet=sheet.name, kind=KIND, columns={"value": column + 1}, rows=rows, header_rows=header,
                       title=title, period=period)


def _years_down(sheet: Sheet) -> tuple[int, list[int]] | None:
    """(column of the years, their rows) when the years run down a column."""
    for c in range(min(sheet.width, 6)):
        rows = [r for r in range(len(sheet.rows)) if _year(sheet.value(r, c))]
        years = {_year(sheet.value(r, c)) for r in rows}
        if len(years) >= 2 and any(_is_number(v) for r in rows for v in sheet.rows[r][c + 1:]):
            return c, rows
    return None


def _years_across(sheet: Sheet) -> tuple[int, list[int]] | None:
    """(row of the years, their columns) when the years run across a row."""
    for r in range(min(len(sheet.rows), 30)):
        cols = [c for c, v in enumerate(sheet.rows[r]) if _year(v)]
        years = {_year(sheet.rows[r][c]) for c in cols}
        below = sheet.rows[r + 1:r + 40]
        if len(years) >= 2 and any(_is_number(row[c]) for row in below for c in cols if c < len(row)):
            return r, cols
    return None


def _down(sheet: Sheet, title: list[str]) -> list[ParsedTable]:
    found = _years_down(sheet)
    if found is None:
        return []
    year_col, year_rows = found
    first, last = year_rows[0], year_rows[-1]
    total_rows = [r for r in range(last + 1, min(last + 3, len(sheet.rows))) if _is_total(sheet.value(r, year_col))]
    header = range(max(0, first - HEADER_ROWS), first)
    years = [_year(sheet.value(r, year_col)) for r in year_rows]
    period = _period(title, years)
    tables = []
    for c in range(year_col + 1, sheet.width):
        values = [sheet.value(r, c) for r in year_rows + total_rows]
        if not any(v is not None and _text(v) for v in values):
            continue
        label = _label(sheet, header, c)
        item = _item(label) if label else None
        if item is None:
            continue
        cells = [(r, "item", _text(sheet.value(r, year_col)), *item[:1], label, item[1], item[2], str(y), sheet.value(r, c))
                 for r, y in zip(year_rows, years)]
        cells += [(r, "total", _text(sheet.value(r, year_col)), item[0], label, item[1], item[2], "total", sheet.value(r, c))
                  for r in total_rows]
        tables.append(_table(sheet, c, [header.start + 1, first], title, period, cells))
    return tables


def _across(sheet: Sheet, title: list[str]) -> list[ParsedTable]:
    found = _years_across(sheet)
    if found is None:
        return []
    year_row, year_cols = found
    years = [_year(sheet.rows[year_row][c]) for c in year_cols]
    total_cols = [c for c, v in enumerate(sheet.rows[year_row]) if c > year_cols[-1] and _is_total(v)]
    label_col = max((c for c in range(year_cols[0]) if any(isinstance(sheet.value(r, c), str) and not _year(sheet.value(r, c))
                                                           for r in range(year_row + 1, len(sheet.rows)))), default=None)
    if label_col is None:
        return []
    vocab = load_vocabulary()
    section_kind, items = None, []
    for r in range(year_row + 1, len(sheet.rows)):
        label = _text(sheet.value(r, label_col))
        figures = [sheet.value(r, c) for c in year_cols + total_cols]
        if not label or vocab.rows.leading(label) & {"row.stop"}:
            if label:
                break
            continue
        if not any(_text(v) for v in figures):  # a section row: the kind of the items under it
            words = vocab.roadmap_words.first(label)
            section_kind = next((w.split("_", 1)[1] for w in sorted(words) if w.startswith("word.section_")), section_kind)
            continue
        item = _item(label, section_kind)
        if item is not None:
            items.append((r, label, item))
    period = _period(title, years)
    tables = []
    for c, year in [*zip(year_cols, map(str, years)), *[(c, "total") for c in total_cols]]:
        row_kind = "total" if year == "total" else "item"
        cells = [(r, row_kind, label, item[0], label, item[1], item[2], year, sheet.value(r, c)) for r, label, item in items]
        if cells:
            tables.append(_table(sheet, c, [year_row + 1, year_row + 1], title, period, cells))
    return tables


def recognise(sheet: Sheet, title: list[str]) -> list[ParsedTable] | None:
    """The roadmap's tables on a sheet: years down the rows, else across the columns."""
    words = load_vocabulary().roadmap_words.tags(" ".join(title) + " " + sheet.name)
    tables = _down(sheet, title) or _across(sheet, title)
    known = [t for t in tables if not t.rows["item"][0].startswith(("support_", "budget_")) or t.rows["item"][0] in _CANONICAL]
    if not known:  # no column or row names a roadmap item of the vocabulary: some other table
        return None
    if "word.table" not in words and len({y for t in tables for y in t.rows["year"]} - {"total"}) < 3:
        return None  # two years and no "lộ trình" in the title: not evidence enough
    return tables


_CANONICAL = frozenset(k.split(".", 1)[1] for tags in load_vocabulary().roadmap_items.phrases.values() for k in tags)
