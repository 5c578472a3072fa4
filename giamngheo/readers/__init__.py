"""Open any commune file as a Workbook of sheets, or raise UnreadableFile saying why."""

from __future__ import annotations

from pathlib import Path

from .container import sniff_format
from .csvfile import read_csv
from .excel import read_excel
from .grid import Limits, Sheet, UnreadableFile, Workbook
from .markup import HTML, SPREADSHEETML, read_markup

__all__ = ["Limits", "Sheet", "UnreadableFile", "Workbook", "read_workbook"]


def _repair_legacy_text(book: Workbook) -> None:
    """Decode TCVN3 / VNI cell text in place, sheet by sheet (a sheet is typed in one font)."""
    from ..legacy_text import decode_cell, detect_legacy

    for sheet in book.sheets:
        texts = [v for row in sheet.rows for v in row if isinstance(v, str)]
        texts.append(sheet.name)
        encoding = detect_legacy(texts)
        if encoding is None:
            continue
        book.legacy_encoding = encoding
        # an error value (ExcelError) is Excel's own text, in no font
        sheet.rows = [[decode_cell(v, encoding) if v.__class__ is str else v for v in row] for row in sheet.rows]


def read_workbook(path: Path, limits: Limits) -> Workbook:
    """Read a workbook or CSV by its content (not its extension), within `limits`."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableFile("too_large", f"{size} bytes", f"<= {limits.max_file_bytes}")
    with path.open("rb") as fh:
        head = fh.read(8192)
    container = sniff_format(path, head)
    if container == "text":
        book = read_csv(path.read_bytes(), limits)
    elif container in (HTML, SPREADSHEETML):
        book = read_markup(path.read_bytes(), container, limits)
        _repair_legacy_text(book)
    else:
        book = read_excel(path, container, limits)
        _repair_legacy_text(book)
    if not any(any(v is not None for v in row) for sheet in book.sheets for row in sheet.rows):
        raise UnreadableFile("no_sheets", "all sheets are empty")
    return book
