"""Open any commune file as a Workbook of sheets, or raise UnreadableFile saying why."""

from __future__ import annotations

import re
from pathlib import Path

from .container import sniff_format
from .csvfile import read_csv
from .excel import read_excel
from .grid import LEGACY_FONT, Limits, Sheet, UnreadableFile, Workbook
from .markup import HTML, SPREADSHEETML, read_markup

__all__ = ["Limits", "Sheet", "UnreadableFile", "Workbook", "read_workbook"]



def _xlsx_fonts(path: Path, sheet_name: str) -> dict[tuple[int, int], bool]:
    """(row, column), 0-based -> whether the text cell's font is a legacy one, on an .xlsx sheet whose text cells use
    such a font at all (else empty: a file written without fonts says nothing by them). Read from the package's XML
    (styles, the sheet's cells' style indices): openpyxl took 26 ms a sheet, a national set's legacy sheets 2 s."""
    found = _sheet_xml(path, sheet_name)
    if found is None:
        return {}
    styles, sheet = found
    fonts_xml = re.search(r"<fonts\b.*?</fonts>", styles, re.S)
    legacy_fonts = [bool(LEGACY_FONT.match(m.group(1))) if m else False
                    for m in (re.search(r'<name val="([^"]*)"', f) for f in re.findall(r"<font\b.*?</font>|<font\b[^>]*/>",
                                                                                fonts_xml.group(0) if fonts_xml else "", re.S))]
    xf_fonts = [int(m.group(1)) if (m := re.search(r'fontId="(\d+)"', xf)) else 0 for xf in _cell_xfs(styles)]
    cells = {}
    for ref, attrs in re.findall(r'<c r="([A-Z]+\d+)"([^>]*)>', sheet):
        kind = re.search(r'\bt="([^"]*)"', attrs)
        if not kind or kind.group(1) not in ("s", "inlineStr", "str"):
            continue
        style = re.search(r'\bs="(\d+)"', attrs)
        xf = int(style.group(1)) if style else 0
        font = xf_fonts[xf] if xf < len(xf_fonts) else 0
        cells[_cell_of(ref)] = font < len(legacy_fonts) and legacy_fonts[font]
    return cells if any(cells.values()) else {}


_PERCENT_BUILTIN = {9, 10}  # 0% and 0.00%


def xlsx_percent_cells(path: Path, sheet_name: str | None) -> set[tuple[int, int]]:
    """(row, column), 1-based, of an .xlsx sheet's number cells shown as a percentage (number format "0.00%"): the
    province's targets typed as Excel percentages, 0.0119 shown as 1,19 %. Empty for another format or sheet."""
    if sheet_name is None or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()
    found = _sheet_xml(path, sheet_name)
    if found is None:
        return set()
    styles, sheet = found
    custom = {int(i) for i, code in re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles)
              if "%" in code.replace("\\%", "")}
    formats = (re.search(r'numFmtId="(\d+)"', xf) for xf in _cell_xfs(styles))
    percent_xf = [bool(m) and int(m.group(1)) in _PERCENT_BUILTIN | custom for m in formats]
    cells = set()
    for ref, attrs in re.findall(r'<c r="([A-Z]+\d+)"([^>]*)>', sheet):
        style = re.search(r'\bs="(\d+)"', attrs)
        kind = re.search(r'\bt="([^"]*)"', attrs)
        if style is None or (kind and kind.group(1) != "n"):
            continue
        xf = int(style.group(1))
        if xf < len(percent_xf) and percent_xf[xf]:
            r, c = _cell_of(ref)
            cells.add((r + 1, c + 1))
    return cells


def _sheet_xml(path: Path, sheet_name: str) -> tuple[str, str] | None:
    """(styles.xml, the sheet's XML) of an .xlsx package, None when it has no such sheet or cannot be read."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet_name)
            if part is None:
                return None
            return book.read("xl/styles.xml").decode("utf-8", "replace"), book.read(part).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


def _cell_xfs(styles: str) -> list[str]:
    """The cell formats (<xf> of <cellXfs>) of styles.xml, by index: what a cell's `s` attribute points at."""
    xfs_xml = re.search(r"<cellXfs\b.*?</cellXfs>", styles, re.S)
    return re.findall(r"<xf\b[^>]*>", xfs_xml.group(0) if xfs_xml else "")


def _cell_of(ref: str) -> tuple[int, int]:
    """(row, column), 0-based, of an A1 reference."""
    letters = ref.rstrip("0123456789")
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, column - 1


def _sheet_part(book, sheet_name: str) -> str | None:
    """The package part of a sheet by its name (workbook.xml's r:id, through its relationships)."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    from html import unescape

    rid = next((m.group(2) for m in re.finditer(r'<sheet\b[^>]*name="([^"]*)"[^>]*r:id="([^"]*)"', workbook)
                if unescape(m.group(1)) == sheet_name), None)
    target = next((m.group(2) for m in re.finditer(r'<Relationship\b[^>]*Id="([^"]*)"[^>]*Target="([^"]*)"', rels)
                   if m.group(1) == rid), None) if rid else None
    if target is None:  # attributes in another order
        target = next((m.group(1) for m in re.finditer(r'<Relationship\b[^>]*Target="([^"]*)"[^>]*Id="([^"]*)"', rels)
                       if m.group(2) == rid), None) if rid else None
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _cell_fonts(book: Workbook, path: Path | None, sheet: Sheet, xls: dict) -> dict[tuple[int, int], bool]:
    """Each text cell's font, legacy or not, where the file says it: an .xlsx's styles, a BIFF8 .xls's XF records
    (`xls`: the workbook's, read once), an XML Spreadsheet's or an HTML page's styles (the reader's)."""
    if sheet.legacy_font_cells:  # the reader knew them (an XML Spreadsheet's or an HTML page's styles)
        return sheet.legacy_font_cells
    if path is None:
        return {}
    if book.format in ("xlsx", "xlsm"):
        return _xlsx_fonts(path, sheet.name)
    if book.format == "xls":
        if "sheets" not in xls:
            from .xls_inspect import xls_text_fonts

            xls["sheets"] = xls_text_fonts(path, LEGACY_FONT.match)
        return xls["sheets"].get(sheet.name, {})
    return {}


def _repair_legacy_text(book: Workbook, path: Path | None = None) -> None:
    """Decode TCVN3 / VNI cell text in place, sheet by sheet. A sheet is mostly typed in one font, but not every cell:
    a name retyped in Unicode on an old template stays as it is, a name pasted in a legacy font on a Unicode sheet is
    decoded on its own (legacy_text.decode_on_legacy_sheet, legacy_cell_encoding). An .xlsx cell's own font settles a
    text that reads as Vietnamese both ways: "An Phó" in .VnTime is "An Phú" (it was kept: independent probe)."""
    from ..legacy_text import decode_cell, decode_on_legacy_sheet, detect_legacy, legacy_cell_encoding

    xls: dict = {}
    for sheet in book.sheets:
        texts = [v for row in sheet.rows for v in row if isinstance(v, str)]
        texts.append(sheet.name)
        encoding = detect_legacy(texts)
        # an error value (ExcelError) is Excel's own text, in no font: only str cells are decoded
        if encoding is not None:
            book.legacy_encoding = encoding
            fonts = _cell_fonts(book, path, sheet, xls)

            def decoded(v: str, r: int, c: int) -> str:
                legacy = fonts.get((r, c))
                if legacy is None:
                    return decode_on_legacy_sheet(v, encoding)
                return decode_cell(v, encoding) if legacy else v

            sheet.rows = [[decoded(v, r, c) if v.__class__ is str else v for c, v in enumerate(row)]
                          for r, row in enumerate(sheet.rows)]
            continue
        pasted = {t: e for t in set(texts[:-1]) if not t.isascii() and (e := legacy_cell_encoding(t)) is not None}
        if pasted:
            book.legacy_encoding = book.legacy_encoding or next(iter(pasted.values()))
            sheet.rows = [
                [decode_cell(v, pasted[v]) if v.__class__ is str and v in pasted else v for v in row] for row in sheet.rows
            ]


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
        if book.legacy_encoding is None and book.encoding in ("utf-8", "utf-8-sig", "utf-16"):
            # a sheet typed in .VnTime or VNI-Times saved by Excel as "CSV UTF-8" or "Unicode Text": Unicode characters
            # that are TCVN3 / VNI codes ("Tæng sè hé"), as in a workbook (independent probe, Khánh Hòa)
            _repair_legacy_text(book)
    elif container in (HTML, SPREADSHEETML):
        book = read_markup(path.read_bytes(), container, limits)
        _repair_legacy_text(book)
    else:
        book = read_excel(path, container, limits)
        _repair_legacy_text(book, path)
    if not any(any(v is not None for v in row) for sheet in book.sheets for row in sheet.rows):
        raise UnreadableFile("no_sheets", "all sheets are empty")
    return book
