"""Find the header band of a sheet (1-4 rows, merged cells, a numbered row) and map its columns."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date, datetime

from ..readers.grid import ExcelError, Sheet
from ..text import fold, nfc
from . import fields as F
from .vocabulary import folded_words, load_vocabulary

SCAN_ROWS = 30  # the header band starts within the first rows of a sheet
MAX_BAND = 4
# a column's number, and its formula ("5=4/1*100", "2=1/a": a group's size named by a letter)
_NUMBERED = re.compile(r"^\(?\s*(?:[a-z]{1,2}|\d{1,2}(?:\s*=\s*[a-z\d+\-*/:()%.,\s]+)?|\d{1,2}\s*[a-z]?)\s*\)?$", re.I)


@dataclass
class Column:
    index: int  # 0-based
    label: str  # the column's header text, parent first ("Thời điểm 31/12/2025 / Tổng số hộ")
    tags: frozenset[str]
    own_tags: frozenset[str]
    field: str | None = None


@dataclass
class Band:
    top: int  # 0-based, inclusive
    bottom: int
    columns: list[Column]
    fields: dict[str, int] = field(default_factory=dict)  # field -> 0-based column
    kind: str = F.SUMMARY
    score: tuple = ()
    numbered_row: int | None = None
    table_subject: str | None = None

    @property
    def first_data_row(self) -> int:
        return (self.numbered_row if self.numbered_row is not None else self.bottom) + 1

    def labels(self) -> list[str]:
        return [c.label for c in self.columns if c.label]


class TopView:
    """The top rows of a sheet, computed once: merge-filled cells, distinct cells, label rows, title lines."""

    def __init__(self, sheet: Sheet):
        self.n = min(len(sheet.rows), sheet.first_row + SCAN_ROWS + MAX_BAND)
        self.width = min(sheet.width, 200)
        self.filled: dict[tuple[int, int], object] = {}
        anchor: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in sheet.merged:
            if r1 >= self.n:
                continue
            value = sheet.value(r1, c1)
            if value is None:
                continue
            for r in range(r1, min(r2, self.n - 1) + 1):
                for c in range(c1, min(c2, c1 + 200) + 1):
                    self.filled[(r, c)] = value
                    anchor[(r, c)] = (r1, c1)
        self.cells: list[list[object]] = []
        self.distinct: list[list[object]] = []
        self._merged_rows = {r for r, _ in self.filled}
        for r, raw in enumerate(sheet.rows[: self.n]):
            if r not in self._merged_rows:  # nothing merged in this row: the cells as they are
                row = raw[: self.width]
                if len(row) < self.width:
                    row += [None] * (self.width - len(row))
                self.cells.append(row)
                self.distinct.append([v for v in row if v is not None])
                continue
            row = [self.filled.get((r, c), raw[c] if c < len(raw) else None) for c in range(self.width)]
            self.cells.append(row)
            seen, out = set(), []
            for c, v in enumerate(row):
                a = anchor.get((r, c))
                if a is not None:
                    if a in seen:
                        continue
                    seen.add(a)
                if v is not None:
                    out.append(v)
            self.distinct.append(out)
        self._lines: list[str | None] = [None] * self.n
        self._texts: list[list[str | None] | None] = [None] * self.n
        self._titles: dict[tuple[int, bool], list[str]] = {}

    @cached_property
    def label(self) -> list[bool]:
        """Whether each top row reads as a row of header labels: made when header bands are looked for (a sheet
        another recogniser claims, a deprivation table's, needs only its title lines: 0.3 ms a file)."""
        return [_is_label_row(d) and not is_numbered_row(self.cells[r]) for r, d in enumerate(self.distinct)]

    def texts(self, r: int) -> list[str | None]:
        """The row's cells as header text (computed once: header bands overlap)."""
        if self._texts[r] is None:
            self._texts[r] = [cell_text(v) for v in self.cells[r]]
        return self._texts[r]

    def line(self, r: int) -> str:
        if self._lines[r] is None:
            # cell_text trims and collapses spaces; in a row without merged cells the distinct cells are its cells
            texts = self.texts(r) if r not in self._merged_rows else map(cell_text, self.distinct[r])
            self._lines[r] = " ".join(t for t in texts if t)
        return self._lines[r]

    def lines_above(self, top: int, single: bool = False) -> Iterator[str]:
        """The non-empty lines of the rows above `top`, each made when it is reached."""
        for r in range(min(top, self.n)):
            if self.distinct[r] and (not single or len(self.distinct[r]) <= 2) and (line := self.line(r)):
                yield line

    def title_lines(self, top: int, single: bool = False) -> list[str]:
        """Text of the rows above `top` (a merged title counted once); with `single`, rows of 1-2 cells."""
        key = (top, single)
        if key not in self._titles:
            self._titles[key] = list(self.lines_above(top, single))
        return list(self._titles[key])


def top_view(sheet: Sheet) -> TopView:
    view = sheet.__dict__.get("_top_view")
    if view is None:
        view = sheet.__dict__["_top_view"] = TopView(sheet)
    return view


def merged_values(sheet: Sheet, last_row: int) -> dict[tuple[int, int], object]:
    """(row, col) -> the value shown there through a merged region, for the top rows."""
    filled = {}
    for r1, c1, r2, c2 in sheet.merged:
        if r1 > last_row:
            continue
        anchor = sheet.value(r1, c1)
        if anchor is None:
            continue
        for r in range(r1, min(r2, last_row) + 1):
            for c in range(c1, min(c2, c1 + 200) + 1):
                filled[(r, c)] = anchor
    return filled


@lru_cache(maxsize=65536)
def _nfc_text(v: str) -> str | None:
    return nfc(v) or None


def cell_text(v) -> str | None:
    """A cell as header text: NFC with spaces collapsed, whole numbers without ".0", dates as dd/mm/yyyy."""
    cls = v.__class__
    if cls is str:
        return _nfc_text(v)
    if v is None:
        return None
    if cls is float:
        return str(int(v)) if v.is_integer() else str(v)
    if cls is int:
        return str(v)
    if isinstance(v, str):
        return None if isinstance(v, ExcelError) else _nfc_text(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, (datetime, date)):
        return v.strftime("%d/%m/%Y")
    return str(v)


_NUMBER_TEXT = re.compile(r"^[+-]?[\d.,\s]*\d[\d.,\s]*%?$")


def looks_numeric(v: object) -> bool:
    """A number, or text that is one ("5.441", "0,79", "12 %")."""
    cls = v.__class__
    if cls is float or cls is int:
        return True
    if cls is str:
        return _NUMBER_TEXT.match(v.strip()) is not None
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and bool(_NUMBER_TEXT.match(v.strip()))


# a zero or "not applicable" typed as a dash: a figure of a data row, never header text
_DASHES = frozenset({"-", "–", "—", "_", "..", "…"})


_SECTION_MARK = re.compile(r"(?:[IVX]{1,4}|[A-Z])[.)]?")


def _is_label_row(cells: list[object]) -> bool:
    """A header row: at least two distinct cells, mostly text (numbers only as years; a dash is a figure: a small
    village's row "1 | Tổ 1 | 223 | 1 | - | - | - | 2 | - | …" is no header)."""
    values = [v for v in cells if v is not None and v != ""]
    if len(values) < 2:
        return False
    if len(values) == 2 and values[0].__class__ is str and _SECTION_MARK.fullmatch(values[0].strip()):
        return False  # "I | Khu vực xã Thượng Ân (cũ)": a section's heading under a one-row header, no header row
    limit, numeric = len(values) // 3, 0
    for v in values:
        cls = v.__class__
        if cls is float or cls is int:
            if 2000 <= v <= 2100:
                continue
        elif (not looks_numeric(v) or isinstance(v, (int, float)) and 2000 <= v <= 2100) and not (cls is str and v.strip() in _DASHES):
            continue
        numeric += 1
        if numeric > limit:  # a row of figures: decided after its first few cells
            return False
    return True


def _row_cells(sheet: Sheet, r: int, width: int, filled) -> list[object]:
    return [filled.get((r, c), sheet.value(r, c)) for c in range(width)]


def distinct_cells(sheet: Sheet, r: int, width: int, filled) -> list[object]:
    """Cells of a row counting a merged region once (a title merged across the sheet is one cell)."""
    seen, out = set(), []
    for c in range(width):
        if (r, c) in filled:
            anchor = next(((r1, c1) for r1, c1, r2, c2 in sheet.merged if r1 <= r <= r2 and c1 <= c <= c2), None)
            if anchor in seen:
                continue
            seen.add(anchor)
            out.append(filled[(r, c)])
        elif sheet.value(r, c) is not None:
            out.append(sheet.value(r, c))
    return out


def is_numbered_row(cells: list[object]) -> bool:
    """The row of column numbers under a header: "A | B | 1 | 2 | 3 | 4=3/1*100"."""
    values = [t for t in (cell_text(v) for v in cells if v is not None) if t]
    if len(values) < 3:
        return False
    hits = sum(1 for v in values if _NUMBERED.match(v))
    ints = [int(float(v)) for v in values if re.fullmatch(r"\d+(\.0)?", v)]
    sequential = len(ints) >= 3 and all(b - a == 1 for a, b in zip(ints, ints[1:]))
    return hits == len(values) and (sequential or any(not v.isdigit() for v in values))


def _fill_parents(rows: list[list[str | None]], merged_cols: set[tuple[int, int]]) -> None:
    """Without merge information (CSV, .ods as read), a parent label covers the empty cells to its right
    that have a label below. Lowest parents first: "Trong đó" spreads over its three subsets before
    "Hộ nghèo" above it is spread over "Trong đó"."""
    for i in reversed(range(len(rows) - 1)):
        row, child = rows[i], rows[i + 1]
        current = None
        for c in range(len(row)):
            if row[c]:
                current = row[c]
            elif current and child[c] and (i, c) not in merged_cols:
                row[c] = current
            elif not child[c]:
                current = None


def _columns(sheet: Sheet, top: int, bottom: int, width: int, filled) -> list[Column]:
    vocab = load_vocabulary()
    view = top_view(sheet)
    grid = [list(view.texts(r)) if r < view.n else [cell_text(v) for v in _row_cells(sheet, r, width, filled)] for r in range(top, bottom + 1)]
    merged_cols = {(r - top, c) for (r, c) in filled if top <= r <= bottom}
    if not sheet.merged:
        _fill_parents(grid, merged_cols)
    columns = []
    for c in range(width):
        parts: list[str] = []
        for r in range(len(grid)):
            t = grid[r][c]
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        if not parts:
            columns.append(Column(c, "", frozenset(), frozenset()))
            continue
        own = vocab.header.tags(parts[-1])
        parents = [vocab.header.tags(p) for p in parts[:-1]]
        columns.append(Column(c, " / ".join(parts), F.merge_tags(own, parents), own))
    for column, tags in zip(columns, F.parts_of_the_count_before([c.tags for c in columns])):
        column.tags = tags
    return columns


def _decide_kind(columns: list[Column], title_kind: str | None, forced: str | None) -> str:
    if forced:
        return forced
    movements = any(c.tags & F.RESULTS_ONLY_FLOWS for c in columns)
    start = any("aspect.start" in c.tags for c in columns)
    end = any("aspect.end" in c.tags and "aspect.reduction" not in c.tags for c in columns)
    reduction = any(F.subject(c.tags) in ("poor", "near") and "aspect.reduction" in c.tags for c in columns)
    # a plan states a baseline ("đầu năm", "cuối năm 2025") and planned cuts; results state movements
    # or both ends of the period
    # a plan cuts, it never adds: decreases beside increases under a results title ("Giảm | Tăng") are movements
    increase = any("group.increase" in c.tags for c in columns)
    if (movements or (start and end) or (increase and title_kind == F.RESULTS)) and not (reduction and title_kind == F.PLAN):
        return F.RESULTS
    if reduction:
        return F.PLAN
    if start or end:
        return F.RESULTS
    return F.SUMMARY


def _table_subject(columns: list[Column], title_tags: frozenset[str]) -> str | None:
    subjects = [F.subject(c.own_tags) for c in columns if c.own_tags & {"aspect.start", "aspect.end"}]
    subjects = [s for s in subjects if s in ("poor", "near")]
    if subjects:
        # the commonest; of two as common, the leftmost (a set's order changes with the interpreter's hash seed)
        return max(dict.fromkeys(subjects), key=subjects.count)
    return F.subject(title_tags) if F.subject(title_tags) in ("poor", "near") else None


def map_columns(band: Band, title_kind: str | None, title_tags: frozenset[str], year: int | None, forced: str | None) -> None:
    """Decide the band's kind and give each column its field (first column wins a field)."""
    cols = band.columns
    band.kind = _decide_kind(cols, title_kind, forced)
    band.table_subject = _table_subject(cols, title_tags)
    band.fields = {}
    last_count: str | None = None
    by_index = {col.index: col for col in cols}
    for col in cols:
        if not col.label:
            continue
        fld = F.role_field(col.tags)
        # in the targets workbook a column in points ("Chỉ tiêu giảm (điểm %)" under "Hộ nghèo") is a rate's cut
        points = band.kind == F.TARGETS and "unit.points" in col.tags
        if fld is None and ("measure.rate" in col.tags or points):
            if band.kind == F.TARGETS:
                fld = F.targets_rate_field(col.tags)
            elif F.subject(col.own_tags) or col.own_tags & {"aspect.start", "aspect.end"}:
                fld = F.rate_field(F.count_field(col.tags - {"measure.rate"}, band.kind, band.table_subject, F.label_years(col.label), year), band.kind)
            else:
                fld = F.rate_field(last_count, band.kind)
        elif fld is None:
            fld = F.count_field(col.tags, band.kind, band.table_subject, F.label_years(col.label), year)
            if fld is not None:
                last_count = fld
        held = by_index.get(band.fields.get(fld, -1)) if fld is not None else None
        if fld is not None and (held is None or _takes_over(held, col, fld, year, band.kind)):
            if held is not None:
                held.field = None
            col.field = fld
            band.fields[fld] = col.index


def _takes_over(held: Column, col: Column, fld: str, year: int | None, kind: str) -> bool:
    """Whether a later column takes a field from the one holding it (else the first column wins): the villages'
    names over a former commune's ("Xã (cũ) | Tên thôn"), a figure of a later date before the document's year
    over an earlier one ("Số hộ nghèo 31/12/2024 | 31/12/2025", "đầu năm 2025 | cuối năm 2025" in a plan for 2026:
    the baseline is the later); in the province's targets, the year's column over last year's."""
    if fld == "village_name":
        return "unit.commune" in held.tags and "unit.commune" not in col.tags
    if _split_then_total(held, col):
        return True
    before, after = F.label_years(held.label), F.label_years(col.label)
    if kind == F.TARGETS and before and after:  # the province's targets: the year's own over last year's
        return max(before) < max(after) and (year is None or max(after) <= year)
    if not (before and after) or (year is not None and max(after) >= year):
        return False
    # "đầu năm 2025" then "cuối năm 2025": the end of the same year is the later figure
    later_in_year = "aspect.start" in held.tags and "aspect.end" in col.tags and "aspect.end" not in held.tags
    return max(before) < max(after) or (max(before) == max(after) and later_in_year)


_TOTAL_CHILD = frozenset(tuple(t.split()) for t in ("tong", "tong so", "cong", "tong cong", "chung", "ca", "toan xa", "toan phuong"))


def _split_then_total(held: Column, col: Column) -> bool:
    """Under one group a split before its total ("Số hộ nghèo / Thành thị | Nông thôn | Tổng số"): the total is the
    group's figure, not its first part."""
    if " / " not in held.label or " / " not in col.label:
        return False
    (group, part), (group2, whole) = held.label.rsplit(" / ", 1), col.label.rsplit(" / ", 1)
    return group == group2 and folded_words(whole) in _TOTAL_CHILD and folded_words(part) not in _TOTAL_CHILD


# A province sends its communes one template, so the same header comes back file after file: a
# band's columns, kind and fields are worked out once per process for each distinct header text
# (and title kind, title tags, year), and shared read-only until find_band copies the one it keeps.
_BANDS: dict[tuple, Band] = {}
_BANDS_MAX = 20_000


def _mapped_band(sheet: Sheet, view: TopView, top: int, bottom: int, title_kind, title_tags, year, forced) -> Band:
    """The band top..bottom with its columns mapped and scored (its columns and fields shared)."""
    key = cached = None
    if bottom < view.n:
        grid = tuple(tuple(view.texts(r)) for r in range(top, bottom + 1))
        key = (grid, bool(sheet.merged), title_kind, title_tags, year, forced)
        cached = _BANDS.get(key)
    if cached is None:
        cached = Band(top, bottom, _columns(sheet, top, bottom, view.width, view.filled))
        map_columns(cached, title_kind, title_tags, year, forced)
        cached.score = _score(cached)
        if key is not None:
            if len(_BANDS) >= _BANDS_MAX:
                _BANDS.clear()
            _BANDS[key] = cached
    return Band(top, bottom, cached.columns, cached.fields, cached.kind, cached.score, None, cached.table_subject)


def _score(band: Band) -> tuple:
    counts = [f for f in band.fields if f not in F.ROLE_FIELDS]
    return (len(counts) + (1 if "village_name" in band.fields else 0), band.bottom - band.top)


def find_band(
    sheet: Sheet, title_kind_for, year: int | None, forced: str | None = None
) -> Band | None:
    """The best-scoring header band of a sheet, or None when nothing looks like a header."""
    view = top_view(sheet)
    last = view.n
    label_rows = [r for r in range(last) if view.label[r]]
    best: Band | None = None
    for top in label_rows:
        if top >= sheet.first_row + SCAN_ROWS:
            break
        for bottom in range(top, min(top + MAX_BAND, last)):
            if bottom != top and not view.label[bottom]:
                break
            title_kind, title_tags = title_kind_for(top)
            band = _mapped_band(sheet, view, top, bottom, title_kind, title_tags, year, forced)
            if best is None or band.score > best.score:
                best = band
    if best is None or best.score[0] < 2:
        return None
    # the bands come from a cache shared by the files: the one kept gets columns of its own
    best.columns = [Column(c.index, c.label, c.tags, c.own_tags, c.field) for c in best.columns]
    best.fields = dict(best.fields)
    nxt = best.bottom + 1
    if nxt < len(sheet.rows) and is_numbered_row(_row_cells(sheet, nxt, view.width, view.filled)):
        best.numbered_row = nxt
    return best


def header_labels_found(sheet: Sheet) -> list[str]:
    """Text of the likely header rows, to tell a commune what was found when nothing matched."""
    view = top_view(sheet)
    out: list[str] = []
    for r in range(min(view.n, SCAN_ROWS)):
        if view.label[r]:
            out.extend(t for t in (cell_text(v) for v in view.distinct[r]) if t and t not in out)
        if len(out) > 30:
            break
    return out[:30]


def folded(label: str) -> str:
    return fold(label)
