"""Hidden sheets, rows and columns of a legacy .xls, and its error cells, read from its BIFF8 records.

calamine gives the values but not what is hidden, and an error cell ("#REF!") as empty. xlrd can tell (formatting_info=True),
but only after decoding every font, format and cell style: ~1 ms a small file here.
The facts needed sit in three record types, so this walks the record headers of the
Workbook stream instead (~0.1 ms): BOUNDSHEET (name, visibility, where the sheet
starts), then in each sheet ROW (bit 5 of its option flags: hidden) and COLINFO
(bit 0: hidden), BOOLERR and FORMULA (an error value, or a formula whose saved result is one).
The same bits xlrd reads (sheet.py, book.py); the tests compare the two.
Older BIFF5/7 files (names in a code page) are left to xlrd.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from ..safe_errors import unquoted

_BOF, _EOF, _BOUNDSHEET, _ROW, _COLINFO, _BOOLERR, _FORMULA = 0x0809, 0x000A, 0x0085, 0x0208, 0x007D, 0x0205, 0x0006
_HEADER = struct.Struct("<HH")
_WORKSHEET = 0

# sheet -> (sheet hidden, 1-based hidden rows, 1-based hidden columns, error cells: 1-based row, column, "#REF!")
Hidden = dict[str, tuple[bool, set[int], set[int], list[tuple[int, int, str]]]]


class NotBiff8(Exception):
    """A stream this scanner does not read (BIFF5/7, damaged): the caller asks xlrd."""


def _records(mem: bytes, pos: int, end: int):
    """(type, payload start, payload end) of each record from pos, to the end of the stream."""
    unpack = _HEADER.unpack_from
    while pos + 4 <= end:
        kind, size = unpack(mem, pos)
        start = pos + 4
        pos = start + size
        if pos > end:
            raise NotBiff8("record past the end of the stream")
        yield kind, start, pos


def _sheet_name(mem: bytes, start: int, end: int) -> str:
    """ShortXLUnicodeString: character count, a flags byte (bit 0: two bytes a character), the text."""
    count, flags = mem[start], mem[start + 1]
    text = mem[start + 2 : end]
    if flags & 0x01:
        return text[: 2 * count].decode("utf-16-le")
    return text[:count].decode("latin-1")


def _sheet_facts(mem: bytes, pos: int, end: int) -> tuple[set[int], set[int], list[tuple[int, int, str]]]:
    # BIFF error codes as Excel shows them, xlrd's (as the fallback reads them); xlrd is loaded for the stream already
    from xlrd.biffh import error_text_from_code

    rows: set[int] = set()
    cols: set[int] = set()
    errors: list[tuple[int, int, str]] = []
    first = True
    for kind, start, stop in _records(mem, pos, end):
        if first:
            if kind != _BOF:
                raise NotBiff8("a sheet does not start with BOF")
            first = False
            continue
        if kind == _ROW and stop - start >= 16:
            row, options = struct.unpack_from("<H10xI", mem, start)
            if options & 0x20:
                rows.add(row + 1)
        elif kind == _COLINFO and stop - start >= 10:
            lo, hi, _width, _xf, options = struct.unpack_from("<HHHHH", mem, start)
            if options & 0x01 and 0 <= lo <= hi <= 256:
                cols.update(c + 1 for c in range(lo, min(hi, 255) + 1))
        elif kind == _BOOLERR and stop - start >= 8 and mem[start + 7] == 1:
            row, col = struct.unpack_from("<HH", mem, start)
            errors.append((row + 1, col + 1, error_text_from_code.get(mem[start + 6], "#N/A")))
        elif kind == _FORMULA and stop - start >= 14 and mem[start + 6] == 2 and mem[start + 12 : start + 14] == b"\xff\xff":
            row, col = struct.unpack_from("<HH", mem, start)
            errors.append((row + 1, col + 1, error_text_from_code.get(mem[start + 8], "#N/A")))
        elif kind == _EOF:
            break
    return rows, cols, errors


def workbook_stream(path: Path) -> bytes:
    """The Workbook stream of an OLE2 compound file (xlrd's compound document reader)."""
    from xlrd import compdoc

    cd = compdoc.CompDoc(path.read_bytes(), logfile=io.StringIO())  # its notes kept, not printed
    mem, base, length = cd.locate_named_stream("Workbook")
    if not mem:
        raise NotBiff8("no Workbook stream (BIFF5 keeps a 'Book' stream)")
    return mem[base : base + length]


def _globals(mem: bytes):
    """(type, payload start, payload end) of each record of the workbook globals, after a BIFF8 BOF, up to their EOF;
    NotBiff8 for another stream."""
    records = _records(mem, 0, len(mem))
    kind, start, stop = next(records, (None, 0, 0))
    if kind != _BOF or stop - start < 2 or struct.unpack_from("<H", mem, start)[0] != 0x0600:
        raise NotBiff8("not BIFF8")
    for kind, start, stop in records:
        if kind == _EOF:
            return
        yield kind, start, stop


def _worksheet_entry(mem: bytes, start: int, stop: int) -> tuple[str, bool, int] | None:
    """A BOUNDSHEET record's worksheet: (name, hidden, offset of its BOF), None for a chart or macro sheet."""
    offset, visibility, sheet_type = struct.unpack_from("<iBB", mem, start)
    return (_sheet_name(mem, start + 6, stop), visibility != 0, offset) if sheet_type == _WORKSHEET else None


def xls_hidden(path: Path) -> Hidden:
    """Hidden sheets, rows and columns, and error cells, by sheet name; NotBiff8 when this scanner cannot tell."""
    try:
        mem = workbook_stream(path)
        end = len(mem)
        sheets = [entry for kind, start, stop in _globals(mem) if kind == _BOUNDSHEET
                  and (entry := _worksheet_entry(mem, start, stop)) is not None]
        out: Hidden = {}
        for name, hidden, offset in sheets:
            rows, cols, errors = _sheet_facts(mem, offset, end) if 0 <= offset < end else (set(), set(), [])
            out[name] = (hidden, rows, cols, errors)
        return out
    except NotBiff8:
        raise
    except Exception as exc:  # struct.error, IndexError, UnicodeDecodeError, CompDocError: damaged records
        raise NotBiff8(unquoted(exc)) from None


_FONT, _XF, _LABELSST, _LABEL, _RSTRING = 0x0031, 0x00E0, 0x00FD, 0x0204, 0x00D6


def xls_text_fonts(path: Path, legacy_font) -> dict[str, dict[tuple[int, int], bool]]:
    """Sheet name -> {(row, column), 0-based: whether the text cell's font is a legacy one (`legacy_font(name)`)}, for a
    BIFF8 .xls, as readers._xlsx_fonts gives an .xlsx's: the cell's own font settles a name that reads as Vietnamese
    both ways ("Phó Lé" in .VnTime is "Phú Lộ"; kept as read in an .xls; encodings judge, Tây Ninh). Empty when the
    file cannot tell (not BIFF8, damaged) or no text cell is in such a font."""
    try:
        mem = workbook_stream(path)
        end = len(mem)
        fonts: list[bool] = []
        xf_font: list[int] = []
        sheets: list[tuple[str, bool, int]] = []
        for kind, start, stop in _globals(mem):
            if kind == _FONT and stop - start >= 16:
                fonts.append(bool(legacy_font(_sheet_name(mem, start + 14, stop))))
            elif kind == _XF and stop - start >= 2:
                xf_font.append(struct.unpack_from("<H", mem, start)[0])
            elif kind == _BOUNDSHEET and (entry := _worksheet_entry(mem, start, stop)) is not None:
                sheets.append(entry)
        if not any(fonts):
            return {}

        def legacy(xf: int) -> bool:
            font = xf_font[xf] if xf < len(xf_font) else 0
            font = font if font < 4 else font - 1  # BIFF has no font 4: the fifth FONT record is font 5
            return font < len(fonts) and fonts[font]

        out: dict[str, dict[tuple[int, int], bool]] = {}
        for name, _hidden, offset in sheets:
            cells: dict[tuple[int, int], bool] = {}
            for kind, start, stop in _records(mem, offset, end) if 0 <= offset < end else ():
                if kind in (_LABELSST, _LABEL, _RSTRING) and stop - start >= 6:
                    row, col, xf = struct.unpack_from("<HHH", mem, start)
                    cells[row, col] = legacy(xf)
                elif kind == _EOF:
                    break
            if any(cells.values()):
                out[name] = cells
        return out
    except Exception:  # noqa: BLE001 - not BIFF8, damaged records: the sheet's own detection decides, as before
        return {}

