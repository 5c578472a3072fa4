"""What a reader hands to the layout detector: sheets as grids of cell values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LEGACY_FONT = re.compile(r"^\s*(?:\.vn|vni[ -]|vn[a-z])", re.IGNORECASE)  # ".VnTime", ".VnTimeH", "VNI-Times", "VnArial"

Cell = Any  # None | str | float | int | bool | date | datetime | ExcelError


class ExcelError(str):
    """A cell holding one of Excel's error values ("#REF!", "#DIV/0!"), as its text. As a figure it is reported at
    its cell (transforms.numbers: excel_error); as a label, a name or a title it reads as empty (layout.header_rows.cell_text),
    as calamine gave it before."""

    __slots__ = ()


@dataclass(frozen=True)
class Limits:
    """Bounds on what a single input file may cost; every one is a run parameter."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 2_000
    max_rows: int = 20_000
    max_columns: int = 500
    max_cell_chars: int = 32_767
    file_timeout_seconds: float = 60.0
    worker_memory_bytes: int = 2 * 1024 * 1024 * 1024


@dataclass
class Sheet:
    """One worksheet: values by 0-based (row, column); numbers in failures are 1-based."""

    name: str
    rows: list[list[Cell]]
    hidden: bool = False
    hidden_rows: frozenset[int] = frozenset()  # 1-based
    hidden_columns: frozenset[int] = frozenset()  # 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2
    # merged ranges over cells that keep values, which only the range's first cell shows: not read as merges, and their
    # cells a table reads are reported (hidden_content); 0-based like `merged`
    merged_over_values: list[tuple[int, int, int, int]] = field(default_factory=list)
    # 0-based (row, column) of each text cell -> whether its font is a legacy one (.VnTime, VNI-Times), where the reader
    # knows the cells' fonts (an XML Spreadsheet's styles); empty when it does not or no cell is in such a font
    legacy_font_cells: dict[tuple[int, int], bool] = field(default_factory=dict)
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)  # 1-based row, col
    first_row: int = 0  # 0-based: a view of the sheet below another table (the rows above it emptied, numbers kept)
    continued_rows: frozenset[int] = frozenset()  # 0-based: a CSV record's further lines (empty; its cells are above)

    def value(self, row: int, col: int) -> Cell:
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= col < len(cells):
                return cells[col]
        return None

    def shown(self, row: int, col: int, text) -> str:
        """The text shown at (row, col) as `text` reads a cell: its own, else that of the merged range covering it."""
        own = text(self.value(row, col))
        if own:
            return own
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return text(self.value(r1, c1))
        return ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    format: str  # xlsx, xlsm, xlsb, xls, ods, csv, html, xml (Excel 2003 XML Spreadsheet)
    sheets: list[Sheet]
    encoding: str | None = None  # text files: the encoding that was detected
    legacy_encoding: str | None = None  # tcvn3 / vni when cell text had to be decoded


class UnreadableFile(Exception):
    """The file cannot be used at all; `reason` is a stable sub-code of the `readable` rule."""

    def __init__(self, reason: str, detail: str = "", expected: str | None = None):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.expected = expected


def column_letter(col: int) -> str:
    """1-based column number to its letters (1 -> A, 28 -> AB)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def a1(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row}"
