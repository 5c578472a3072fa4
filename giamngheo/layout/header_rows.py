"""The top rows of a sheet read as header text: merged cells filled in, each row told a row of labels or of figures,
the numbered row under a header ("A | B | 1 | 2") found, a cell read as header text or as a number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cached_property, lru_cache

from ..readers.grid import ExcelError, Sheet
from ..text import nfc

SCAN_ROWS = 30  # the header band starts within the first rows of a sheet
MAX_BAND = 4
# a column's number, and its formula ("5=4/1*100", "2=1/a": a group's size named by a letter)
_NUMBERED = re.compile(r"^\(?\s*(?:[a-z]{1,2}|\d{1,2}(?:\s*=\s*[a-z\d+\-*/:()%.,\s]+)?|\d{1,2}\s*[a-z]?)\s*\)?$", re.I)


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
DASHES = frozenset({"-", "–", "—", "_", "..", "…"})


_SECTION_MARK = re.compile(r"(?:[IVX]{1,4}|[A-Z])[.)]?")


def _is_label_row(cells: list[object]) -> bool:
    """A header row: at least two distinct cells, mostly text (numbers only as years; a dash is a figure: a small
    village's row "1 | Tổ 1 | 223 | 1 | - | - | - | 2 | - | …" is no header)."""
    values = [v for v in cells if v is not None and v != ""]
    if len(values) < 2:
        return False
    if len(values) == 2 and values[0].__class__ is str and _SECTION_MARK.fullmatch(values[0].strip()):
        return False  # "I | Khu vực xã Thượng Ân (cũ)": a section's heading under a one-row header, no header row
    first = values[0]
    if first.__class__ in (int, float) and 0 < first < 1000 and first == int(first):  # (infinity, NaN: no number of a row)
        # a row numbered by a number, its figures typed as text ("1 | Xã Bá Thước | giảm 50 hộ", "1 | Xã Bá Thước | −1,19"):
        # a data row; taken for header rows, the province's targets were read from none (targets judge, Thanh Hóa)
        return False
    limit, numeric = len(values) // 3, 0
    for v in values:
        cls = v.__class__
        if cls is float or cls is int:
            if 2000 <= v <= 2100:
                continue
        elif (not looks_numeric(v) or isinstance(v, (int, float)) and 2000 <= v <= 2100) and not (
            cls is str and v.strip() in DASHES
        ):
            continue
        numeric += 1
        if numeric > limit:  # a row of figures: decided after its first few cells
            return False
    return True


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
