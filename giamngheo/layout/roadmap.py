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

from transforms.markers import FORMULA_MARK

from ..parsed import ParsedTable, cell_json
from ..readers.grid import Sheet
from ..text import fold, match_key, nfc
from .header_rows import is_numbered_row
from .personal import values_in
from .roadmap_units import ASIDE, budget_unit, in_persons, money_unit, states_money, title_money
from .vocabulary import load_vocabulary, row_label_tags

KIND = "roadmap"
ATTRIBUTES = ("item", "item_label", "item_kind", "unit", "year")
_YEAR = re.compile(r"^(?:nam\s+)?(20[2-4]\d)$")
# a year of the period by its place, the year beside it: "Năm thứ nhất (2026)", "Năm thứ 2 (2027)", "Năm 1 - 2026"
_NTH_YEAR = re.compile(r"^nam (?:thu )?(?:nhat|hai|ba|tu|nam|sau|\d) (20[2-4]\d)$")
_YEAR_DIGITS = re.compile(r"20[2-4]\d")
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
    if isinstance(value, str) and "(" in value and len(value) <= 60:
        nth = _NTH_YEAR.match(fold(_text(value)))
        if nth:  # "Năm thứ nhất (2026)": the year in brackets is the year, not an aside
            return int(nth.group(1))
        value = ASIDE.sub(" ", value)  # "Năm 2026 (năm kế hoạch)"
    if not isinstance(value, str) or len(value) > 24 or not any(c.isdigit() for c in value):
        return None  # a village name, a label: no year (cheap, the claim pass sees every sheet)
    folded = fold(_text(value))
    m = _YEAR.match(folded) or _NTH_YEAR.match(folded)
    return int(m.group(1)) if m else None


_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBERING = re.compile(r"^[IVXLC]+\.?$|^[a-zđ]\)?\.?$", re.IGNORECASE)


def _words(value) -> bool:
    """A cell of words (an item's label), not numbering ("II", "a)") nor a year."""
    return isinstance(value, str) and bool(_WORD.search(value)) and not _NUMBERING.match(value.strip()) and not _year(value)


def _is_number(value) -> bool:
    num, text = cell_json(value)
    return num is not None or (text is not None and bool(re.fullmatch(r"[-–—x0-9., ]+", text)) and any(c.isdigit() for c in text))


def _is_total(value) -> bool:
    """"Cộng", "Tổng số", or the whole period ("Cả giai đoạn", "Giai đoạn 2026-2030") beside the years."""
    if not isinstance(value, str):
        return False
    text = _text(value)
    return "row.total" in row_label_tags(text) or "word.period_total" in load_vocabulary().roadmap_words.leading(text)


def _merged_label(sheet: Sheet, r: int, c: int) -> str:
    return sheet.shown(r, c, _text)


def _label_parts(sheet: Sheet, rows: range, c: int) -> list[str]:
    parts: list[str] = []
    for r in rows:
        text = _merged_label(sheet, r, c)
        if text and text not in parts:
            parts.append(text)
    return parts


def _section(label: str) -> str | None:
    """The item kind a section row or a group header names ("II. Hỗ trợ" -> support), if any."""
    words = load_vocabulary().roadmap_words.first(label)
    return next((w.split("_", 1)[1] for w in sorted(words) if w.startswith("word.section_")), None)


def _item(label: str, section_kind: str | None = None, known_only: bool = False) -> tuple[str, str, str] | None:
    """(canonical item, item kind, unit) of a label; None when it names no roadmap figure.

    Under a section, a bare sub-header names the section's item: "Hộ nghèo" / "Hộ cận nghèo" under
    "Chỉ tiêu giảm nghèo", "Tổng" under "Kinh phí". With `known_only`, no `support_<words>` item is made.
    """
    vocab = load_vocabulary()
    header = vocab.header.tags(label)
    if "measure.rate" in header:
        return None  # "Tỷ lệ hộ nghèo cuối năm (%)": a rate, no count of households nor money
    hit = vocab.roadmap_items.first(label)
    words = vocab.roadmap_words.tags(label)
    if hit:
        item = next(iter(sorted(hit))).split(".", 1)[1]
    elif section_kind == "budget" and (source := vocab.roadmap_sources.exact(label)):
        item = next(iter(sorted(source))).split(".", 1)[1]  # "Kinh phí / Trong đó / Trung ương": the central budget
    elif (
        section_kind == "reduction"
        and header & {"aspect.start", "aspect.end", "aspect.baseline"}
        and "aspect.reduction" not in header
    ):
        return None  # "Số hộ nghèo đầu năm" among the targets: a stock, no reduction (its row is reported, not counted)
    elif section_kind == "reduction" and words & {"word.poor", "word.near_poor"}:
        item = "near_poor_reduction" if "word.near_poor" in words else "poor_reduction"
    elif section_kind == "budget" and "row.total" in vocab.rows.exact(label):
        item = "budget_total"
    elif known_only:
        return None
    else:
        slug = "_".join(fold(label).split()[:8])
        money = "word.million_vnd" in words  # "Ngân sách địa phương": money, not a name column ("địa phương")
        if not slug or vocab.header.tags(label) & {"role.stt", "role.note", "role.name"} and not section_kind and not money:
            return None
        kind = "budget" if section_kind == "budget" or money else "support"
        item = f"{kind}_{slug}"
    if item == CREDIT and (section_kind == "budget" or states_money(label)):
        item = LOANS  # "Vay vốn ưu đãi (triệu đồng)": the money lent, a source
    kind = "reduction" if item.endswith("_reduction") else item.split("_", 1)[0]
    # households to borrow are counted in households, "vốn" in their label notwithstanding
    unit = "million_vnd" if kind == "budget" or "word.million_vnd" in words and item != CREDIT else "households"
    return item, kind, unit


CREDIT, LOANS = "support_credit", "budget_policy_bank_loan"


def _as_unit_says(item: tuple[str, str, str], unit: str) -> tuple[str, str, str]:
    """An item as its row's unit cell has it: households are no money ("Vay vốn tín dụng ưu đãi | Hộ" was a budget
    line in million VND, its households added to the year's sources: independent probe, Lai Châu), and money lent is
    the policy bank's loans."""
    name, kind, _ = item
    if kind == "budget" and unit == "households":
        return (CREDIT if name == LOANS else f"support_{name.split('_', 1)[1]}"), "support", "households"
    if name == CREDIT and unit != "households":
        return LOANS, "budget", unit
    return name, kind, unit


def _period(title: list[str], years: list[int]) -> list[int]:
    m = _PERIOD.search(fold(" ".join(title)))
    if m:
        return [int(m.group(1)), int(m.group(2))]
    return [min(years), max(years)]


def _table(sheet: Sheet, column: int, header: list[int], title: list[str], period: list[int], cells: list[tuple]) -> ParsedTable:
    """One table: the cells of one column, each (row, row kind, name, item, label, kind, unit, year, value)."""
    rows: dict[str, list] = {k: [] for k in ("row", "kind", "name", "name_key", "section", "section_index", *ATTRIBUTES)}
    nums, texts = [], []
    formulas = {(r - 1, c - 1): f for r, c, f in sheet.formulas_without_value if c - 1 == column}
    for r, row_kind, name, item, label, kind, unit, year, value in cells:
        # a formula saved without its value is no 0: its "Cộng" was said to hold 0 beside the formula's own failure
        num, text = (None, FORMULA_MARK + formulas[r, column]) if (r, column) in formulas else cell_json(value)
        for k, v in (("row", r + 1), ("kind", row_kind), ("name", name), ("name_key", match_key(name) if name else None),
                     ("section", None), ("section_index", 0), ("item", item), ("item_label", label), ("item_kind", kind),
                     ("unit", unit), ("year", year)):
            rows[k].append(v)
        nums.append(num)
        texts.append(text)
    rows["value__num"], rows["value__text"] = nums, texts
    return ParsedTable(sheet=sheet.name, kind=KIND, columns={"value": column + 1}, rows=rows, header_rows=header,
                       title=title, period=period)


def _is_title_line(sheet: Sheet, r: int, first_column: int) -> bool:
    """A row above a table that is a title or unit line: one text, starting at the table's left edge."""
    starts = set()
    for c in range(sheet.width):
        if not _text(sheet.value(r, c)):
            continue
        start = next((c1 for r1, c1, r2, c2 in sheet.merged if r1 <= r <= r2 and c1 <= c <= c2), c)
        starts.add(start)
    return len(starts) == 1 and min(starts) <= first_column


def _header_rows(sheet: Sheet, first: int, year_col: int) -> range:
    """The rows of the header above the first year row: contiguous, not past a title or an empty row."""
    top = first
    while top > max(0, first - HEADER_ROWS):
        r = top - 1
        if not any(_text(v) for v in sheet.rows[r]) or _is_title_line(sheet, r, year_col):
            break
        top = r
    return range(top, first)


_NUMBERING = re.compile(r"^\(?[0-9a-z]{1,2}\)?$")  # a row of column numbers under the header: (1), 2, A


def _group_parts(sheet: Sheet, header: range, c: int, year_col: int) -> list[str]:
    """The group labels above a column where the sheet lost its merges (.ods, .csv): the nearest text
    on the left in each upper header row ("Chỉ tiêu giảm nghèo" over "Hộ nghèo" and "Hộ cận nghèo")."""
    if sheet.merged or len(header) < 2:
        return []
    parts = []
    for r in header[:-1]:
        if not _text(sheet.value(r, c)):
            left = next((_text(sheet.value(r, k)) for k in range(c - 1, year_col, -1) if _text(sheet.value(r, k))), "")
            if left:
                parts.append(left)
    return parts


def _reductions_over(groups: list[str]) -> str | None:
    """"reduction" when a group label over the column names a reduction ("Số hộ thoát nghèo, thoát cận nghèo" over "Hộ
    nghèo | Hộ cận nghèo"): the column's own words then say whose. Its near-poor column was read as a second poor
    reduction each year (judge, Quảng Ninh)."""
    return "reduction" if any((found := _item(g, known_only=True)) and found[1] == "reduction" for g in groups) else None


def _column_item(sheet: Sheet, header: range, c: int, year_col: int) -> tuple[str, tuple[str, str, str] | None]:
    """A value column's label as written and its item: the bottom header cell under its group's section."""
    sources = load_vocabulary().roadmap_sources
    parts = [  # (a source of two letters is no column's number: "Xã", "TW" were dropped; layouts judge, Điện Biên)
        p for p in _group_parts(sheet, header, c, year_col) + _label_parts(sheet, header, c)
        if not _NUMBERING.match(fold(p)) or sources.exact(p)
    ]
    if not parts:
        return "", None
    label = " ".join(parts)
    section = next((s for s in map(_section, parts[:-1]) if s), None) or _reductions_over(parts[:-1])
    if len(parts) > 1:
        found = _item(parts[-1], section, known_only=not section)
        if found:  # under a section ("Nguồn vốn (triệu đồng)" over "NS địa phương"): the item by its own cell's words
            return label, found
    return label, _item(label, section)


def _years_down(sheet: Sheet) -> tuple[int, list[int]] | None:
    """(column of the years, their rows) when the years run down a column."""
    found: dict[int, dict[int, int]] = {}  # column -> row -> year; one pass over the rows (every sheet sees this)
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row[:6]):
            if v is None:
                continue
            cls = v.__class__
            if (
                (cls is int or cls is float)
                and not 2020 <= v <= 2049
                or cls is str
                and (len(v) > 60 or not _YEAR_DIGITS.search(v))
            ):
                continue  # most cells: counts and names, no year (cheap test first)
            year = _year(v)
            if year:
                found.setdefault(c, {})[r] = year
    for c in sorted(found):
        rows, years = list(found[c]), set(found[c].values())
        if len(years) >= 2 and any(_is_number(v) for r in rows for v in sheet.rows[r][c + 1:]):
            return c, rows
    return None


def _three_years(sheet: Sheet) -> bool:
    """Whether the sheet holds three distinct years at all, as a claimed roadmap's column does: asked of its
    distinct values at once (every sheet is asked; a plan annex holds none)."""
    years = set()
    for v in values_in(sheet):
        cls = v.__class__
        if (cls is int or cls is float) and not 2020 <= v <= 2049 or cls is str and (len(v) > 16 or not _YEAR_DIGITS.search(v)):
            continue
        year = _year(v)
        if year:
            years.add(year)
            if len(years) >= 3:
                return True
    return False


def _years_across(sheet: Sheet) -> tuple[int, list[int]] | None:
    """(row of the years, their columns) when the years run across a row."""
    for r in range(min(len(sheet.rows), 30)):
        cols = [c for c, v in enumerate(sheet.rows[r]) if _year(v)]
        years = {_year(sheet.rows[r][c]) for c in cols}
        below = sheet.rows[r + 1:r + 40]
        if len(years) >= 2 and any(_is_number(row[c]) for row in below for c in cols if c < len(row)):
            return r, cols
    return None


_YEAR_LABEL = re.compile(r"^(?:nam|nam thuc hien|nam ke hoach|theo nam)$")


def _yearless(sheet: Sheet) -> tuple[int, list[int]] | None:
    """(column of the years, the rows under its header that carry figures) of a roadmap none of whose years can be read
    ("Năm 20x6", "abc", "2O28"): a column labelled "Năm" beside two roadmap items or more, under a title naming a
    roadmap and its period. It was read as a year-end report the commune never sent (independent probe, Cà Mau); as a
    roadmap, its years are said missing (roadmap_years) and its rows not used (row_not_used), its total kept."""
    for r in range(min(len(sheet.rows), 15)):
        row = sheet.rows[r]
        c = next((c for c, v in enumerate(row[:6]) if v.__class__ is str and _YEAR_LABEL.match(fold(_text(v)))), None)
        if c is None or sum(1 for v in row[c + 1:] if v.__class__ is str and _item(_text(v), known_only=True)) < 2:
            continue
        own = " ".join(_own_title(sheet, r))
        if "word.table" not in load_vocabulary().roadmap_words.tags(own + " " + sheet.name) or not _PERIOD.search(fold(own)):
            return None
        rows = [k for k in range(r + 1, min(len(sheet.rows), r + 40)) if any(_is_number(v) for v in sheet.rows[k][c + 1:])]
        return (c, rows) if rows else None
    return None


def _down(sheet: Sheet, title: list[str], found: tuple[int, list[int]] | None = None) -> list[ParsedTable]:
    found = found or _years_down(sheet)
    if found is None:
        return []
    year_col, year_rows = found
    first, last = year_rows[0], year_rows[-1]
    # the period's total after the years, or first, right under the header (its figures were read as the labels' words:
    # "budget_4000"; independent probe, Gia Lai)
    above = [first - 1] if first > 0 and _is_total(sheet.value(first - 1, year_col)) else []
    total_rows = above + [r for r in range(last + 1, min(last + 3, len(sheet.rows))) if _is_total(sheet.value(r, year_col))]
    top = above[0] if above else first
    header = _header_rows(sheet, top, year_col)
    years = [_year(sheet.value(r, year_col)) for r in year_rows]
    total_rows += [r for r, y in zip(year_rows, years) if not y and _is_total(sheet.value(r, year_col))]  # a yearless one's
    year_rows, years = [r for r, y in zip(year_rows, years) if y], [y for y in years if y]  # a yearless roadmap's: none
    period = _period(title, years)
    money = title_money(title)
    tables = []
    for c in range(year_col + 1, sheet.width):
        values = [sheet.value(r, c) for r in year_rows + total_rows]
        if not any(v is not None and _text(v) for v in values):
            continue
        label, item = _column_item(sheet, header, c, year_col)
        if item is None:
            continue
        item = budget_unit(item, label, None, money)
        cells = [(r, "item", _text(sheet.value(r, year_col)), *item[:1], label, item[1], item[2], str(y), sheet.value(r, c))
                 for r, y in zip(year_rows, years)]
        cells += [(r, "total", _text(sheet.value(r, year_col)), item[0], label, item[1], item[2], "total", sheet.value(r, c))
                  for r in total_rows]
        tables.append(_table(sheet, c, [header.start + 1, max(top, header.start + 1)], title, period, cells))
    if tables:  # rows among the years that are no year (nor the total below them), with figures: reported
        used = set(year_rows) | set(total_rows)
        value_cols = sorted({c - 1 for t in tables for c in t.columns.values()})
        # the rows right after the last year too: a period's line the vocabulary does not know is reported, not lost
        tables[0].unused = [
            [r + 1, _text(sheet.value(r, year_col)) or None]
            for r in range(first, min(last + 3, len(sheet.rows)))
            if r not in used and _text(sheet.value(r, year_col)) and any(_is_number(sheet.value(r, c)) for c in value_cols)
        ]
    return tables


def _across(sheet: Sheet, title: list[str]) -> list[ParsedTable]:
    found = _years_across(sheet)
    if found is None:
        return []
    year_row, year_cols = found
    years = [_year(sheet.rows[year_row][c]) for c in year_cols]
    total_cols = [c for c in range(sheet.width) if c not in year_cols and _is_total(_merged_label(sheet, year_row, c))]
    vocab = load_vocabulary()
    unit_col = next(
        (c for c in range(year_cols[0]) if "word.unit_header" in vocab.roadmap_words.exact(_merged_label(sheet, year_row, c))),
        None,
    )
    below = range(year_row + 1, len(sheet.rows))
    # the column of the labels: the most words, not numbering ("I", "1", "-") nor a signature under the table ("Người lập
    # biểu" in the numbering column made it the labels', and the roadmap was lost)
    texts = {
        c: sum(_words(sheet.value(r, c)) for r in below) for c in range(year_cols[0]) if c != unit_col and c not in total_cols
    }
    label_col = max((c for c in texts if texts[c]), key=lambda c: (texts[c], c), default=None)  # the column of the labels
    if label_col is None:
        return []
    money = title_money(title)
    section_kind, items, unused = None, [], []
    for r in below:
        if is_numbered_row(sheet.rows[r]):  # "A | B | C | 1 | 2 | … | 6=1+2+3+4+5": the column numbers, no item
            continue
        label = _text(sheet.value(r, label_col))
        figures = [sheet.value(r, c) for c in year_cols + total_cols]
        if not label or vocab.rows.leading(label) & {"row.stop"}:
            if label:
                break
            continue
        if not any(_text(v) for v in figures):  # a section row: the kind of the items under it
            section_kind = _section(label) or section_kind
            continue
        item = _item(label, section_kind)
        stated = None
        cell = _text(sheet.value(r, unit_col)) if unit_col is not None else ""
        if item is not None and item[1] == "support" and in_persons(label, cell):
            item = None  # persons trained, not households supported: reported, never summed as households
        if item is not None and unit_col is not None:  # the row's own unit, where the table has a unit column
            stated = money_unit(cell)
            said = stated or ("households" if "word.households" in vocab.roadmap_words.tags(cell) else item[2])
            item = _as_unit_says(item, said)
        if item is not None:
            items.append((r, label, budget_unit(item, label, stated, money)))
        else:
            unused.append([r + 1, label])  # figures under a label that names no roadmap item: reported
    period = _period(title, years)
    tables = []
    for c, year in [*zip(year_cols, map(str, years)), *[(c, "total") for c in total_cols]]:
        row_kind = "total" if year == "total" else "item"
        cells = [(r, row_kind, label, item[0], label, item[1], item[2], year, sheet.value(r, c)) for r, label, item in items]
        if cells:
            tables.append(_table(sheet, c, [year_row + 1, year_row + 1], title, period, cells))
    if tables:
        tables[0].unused = unused
    return tables


def recognise(sheet: Sheet, title: list[str]) -> list[ParsedTable] | None:
    """The roadmap's tables on a sheet: years down the rows, else across the columns."""
    words = load_vocabulary().roadmap_words.tags(" ".join(title) + " " + sheet.name)
    down = _down(sheet, title)
    # years across when the columns "down" name no item (a cell of the year row, "Giai đoạn 2026-2030" merged over the
    # years, and a figure like 2028 below it made a column of "years"; the roadmap was then no table at all)
    tables = down if any(_known(t) for t in down) else _across(sheet, title)
    if not any(_known(t) for t in tables):  # no column or row names a roadmap item of the vocabulary: some other table
        return None
    years = {int(y) for t in tables for y in t.rows["year"] if y != "total"}
    if "word.table" not in words and (len(years) < 3 or min(years) < 2026):
        return None  # no "lộ trình" in the title and two years, or past ones (a history of results): not a roadmap
    return tables


def claim(sheet: Sheet, title: list[str] | None = None) -> list[ParsedTable] | None:
    """A roadmap with its years down a column, taken before the village-table engine sees the sheet.

    That engine would read "Hộ nghèo" / "Hộ cận nghèo" sub-headers as a plan's and the years as
    villages. Claimed only on clear evidence: three years or more, a column naming a roadmap item of
    the vocabulary, and "lộ trình" (or the like) in the sheet's own title or years from 2026 on.
    """
    found = _years_down(sheet) if sheet.rows and _three_years(sheet) else None
    if found is None:
        yearless = _yearless(sheet) if sheet.rows else None
        if yearless is None:
            return None
        return _down(sheet, _own_title(sheet, yearless[1][0]), yearless) or None
    year_col, year_rows = found
    years = {_year(sheet.value(r, year_col)) for r in year_rows}
    if len(years) < 3:
        return None
    own = _own_title(sheet, year_rows[0])
    if "word.table" not in load_vocabulary().roadmap_words.tags(" ".join(own) + " " + sheet.name) and min(years) < 2026:
        return None  # years of the past down a column: a history of results, not a roadmap
    tables = _down(sheet, own)
    return tables if any(_known(t) for t in tables) else None


def _own_title(sheet: Sheet, first: int) -> list[str]:
    """The text lines of a sheet above its table (each row's distinct texts)."""
    lines = []
    for r in range(min(first, 12)):
        parts = []
        for v in sheet.rows[r]:
            text = _text(v)
            if text and text not in parts:
                parts.append(text)
        if parts:
            lines.append(" ".join(parts))
    return lines


def _known(table: ParsedTable) -> bool:
    return any(not item.startswith(("support_", "budget_")) or item in _CANONICAL for item in table.rows["item"])


_CANONICAL = frozenset(k.split(".", 1)[1] for tags in load_vocabulary().roadmap_items.phrases.values() for k in tags)
