"""What both orientations of a deprivation table share: the cell readers (text shown, figures, numbering, the group a
column's label names), the catalogue's indicator for a label, and the ParsedTable made of a table's rows and columns.

Worker side: no polars.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ..parsed import ParsedTable, cell_columns, cell_json
from ..readers.grid import Sheet
from ..text import fold, match_key, nfc
from .standards import indicator_of
from .vocabulary import load_vocabulary

KIND = "deprivations"
ATTRIBUTES = ("indicator", "indicator_label")
MIN_INDICATORS = 6  # distinct indicators a table names: fewer is some other table that mentions one
_ROMAN = re.compile(r"^\s*([IVX]{1,4})\s*[.)/:-]?\s+(?=\S)")
_ARABIC = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)\s*[.)/:-]?\s*(?=\D)")  # "4.", "5.1." (a dimension's items)
_FIGURE_TEXT = re.compile(r"[-–—x0-9.,% ]+")  # a figure typed as text ("1.234", "12 %")
_LETTER = re.compile(r"^\s*(?:[a-zđ]\)|[-–+•*])\s*")


def clean_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def target_unit(sheet: Sheet, r: int, name_col: int | None, code_col: int | None) -> str:
    """Whose an indicator target is on row r of a targets sheet: its unit's name, led by its code where a code column
    gives one ("03313 Xã Mường Lạn"; 3313, a code that lost its zero; the resolver reads five digits first). A code alone
    was passed over and the target taken as the province's, every commune judged against it (deprivations judge)."""
    name = clean_text(sheet.value(r, name_col)) if name_col is not None else ""
    code = sheet.value(r, code_col) if code_col is not None else None
    digits = clean_text(code).split(".")[0] if code.__class__ in (int, float, str) else ""
    if digits.isdigit() and len(digits) <= 5:
        return f"{digits.zfill(5)} {name}".strip()
    return name


def code_column(sheet: Sheet, top: int, bottom: int) -> int | None:
    """The column of unit codes under a header ("Mã xã", "Mã đơn vị"), if one."""
    header = load_vocabulary().header
    return next((j for j in range(sheet.width)
                 if "role.code" in header.tags(" ".join(shown_text(sheet, r, j) for r in range(top, bottom + 1)))), None)


def shown_text(sheet: Sheet, r: int, c: int) -> str:
    """The text shown at (r, c), its merge's when empty, cleaned (clean_text)."""
    return sheet.shown(r, c, clean_text)


def merge_end(sheet: Sheet, r: int, c: int) -> int:
    """The last column of the merged range starting at (r, c), else c."""
    return next((c2 for r1, c1, r2, c2 in sheet.merged if r1 == r and c1 == c), c)


def is_figure(value) -> bool:
    cls = value.__class__
    if cls is float:  # a count as most cells of a table hold it (a reader's numbers), answered without a call
        return math.isfinite(value)
    if cls is int:
        return True
    if value is None:
        return False
    num, text = cell_json(value)
    return num is not None or (text is not None and bool(_FIGURE_TEXT.fullmatch(text)) and any(ch.isdigit() for ch in text))


def is_entry(value) -> bool:
    """A figure, or a mark the domain reads as zero ("-", "x"): a village row of such marks is a village with none
    deprived, not a row to pass over (deprivations judge, Điện Biên: a near-poor row of "x" lost its village)."""
    return is_figure(value) or (isinstance(value, str) and value.strip().casefold() in load_vocabulary().zero_markers)


def numbering_of(label: str) -> tuple[str | None, str]:
    """('roman' | 'arabic' | None, the label without its numbering)."""
    m = _ROMAN.match(label)
    if m:
        return "roman", label[m.end():]
    m = _ARABIC.match(label)
    if m:
        return "arabic", label[m.end():]
    return None, _LETTER.sub("", label)


def subject_of(label: str) -> tuple[str | None, bool]:
    """(poor / near_poor / None, is a rate) of a column's label."""
    tags = load_vocabulary().header.tags(label)
    poor, near = "subject.poor" in tags, "subject.near" in tags
    subject = "near_poor" if near and not poor else "poor" if poor and not near else None
    return subject, "measure.rate" in tags


def deprivation_table(sheet: Sheet, columns: dict[str, int], cells: list[tuple], header: tuple[int, int], title: list[str],
           name_column: int | None, kind: str = KIND, subject: str | None = None) -> ParsedTable:
    """One table: each cell tuple (row, row kind, name, indicator, indicator label, {field: value})."""
    at, row_kinds, names, keys, labels, values = zip(*cells) if cells else ((),) * 6
    figures = {f: [v.get(f) for v in values] for f in columns}
    return columns_table(
        sheet, columns, TableRows(at, row_kinds, names), keys, labels, figures, header, title, name_column, kind, subject
    )


class TableRows:
    """The rows of a table as columns: 0-based sheet rows, row kinds, names and their keys (made once, shared by
    the tables of one sheet: a village table's indicators are a dozen tables over the same rows)."""

    def __init__(self, at, row_kinds, names):
        self.at, self.kinds, self.names = list(at), list(row_kinds), list(names)
        self.rows = [r + 1 for r in self.at]
        self.keys = [match_key(n) if n else None for n in self.names]

    def values(self, sheet: Sheet, j: int) -> list:
        """The cells of column j (0-based) in these rows."""
        grid = sheet.rows
        return [grid[r][j] if j < len(grid[r]) else None for r in self.at]


def columns_table(sheet: Sheet, columns: dict[str, int], rows_of: TableRows, keys, labels, figures: dict[str, list],
                   header: tuple[int, int], title: list[str], name_column: int | None, kind: str = KIND,
                   subject: str | None = None) -> ParsedTable:
    """One table from its columns: the rows, each row's indicator and label, each field's cells."""
    n = len(rows_of.at)
    rows: dict[str, list] = {"row": list(rows_of.rows), "kind": list(rows_of.kinds), "name": list(rows_of.names),
                             "name_key": list(rows_of.keys), "section": [None] * n, "section_index": [0] * n,
                             "indicator": list(keys), "indicator_label": list(labels)}
    for f in columns:
        rows[f + "__num"], rows[f + "__text"] = cell_columns(figures[f])
    return ParsedTable(sheet=sheet.name, kind=kind, subject=subject, columns={f: c + 1 for f, c in columns.items()}, rows=rows,
                       header_rows=[header[0] + 1, header[1] + 1], name_column=None if name_column is None else name_column + 1,
                       labels={str(c + 1): f for f, c in columns.items()}, title=list(title))


@lru_cache(maxsize=100_000)
def indicator_key(value: str) -> str | None:
    """The indicator a cell's text names, or None: asked of every text cell of every sheet's first
    columns and rows (village names, labels), which repeat from file to file, so answered once each."""
    label = clean_text(value)
    if not label or len(label) >= 120:
        return None
    if is_figure(label):
        return None
    bare = numbering_of(label)[1]
    if _SUPPORT.match(fold(bare)):
        return None  # a roadmap's support ("Hỗ trợ việc làm", "Cấp thẻ BHYT"), not households deprived of it
    key = indicator_of(bare)
    if key is None and (by_number := _BY_NUMBER.fullmatch(fold(label))):
        return f"#{int(by_number.group(1))}"  # "Chỉ số 4", "CS4": the standard of the run's year names it (figures)
    return key


_SUPPORT = re.compile(r"(?:ho tro|cap|xay|sua chua|dao tao|day nghe|cho vay|trang bi|lap dat|tang)\b")
_BY_NUMBER = re.compile(r"(?:chi so|cs)\s*[.:]?\s*(\d{1,2})")
