"""Write an Excel binary workbook (.xlsb, BIFF12 records in a zip) byte by byte: no Python library
writes one. Numbers as BrtCellReal (5), text as BrtCellSt (6, inline strings), a BrtRowHdr per row,
the sheet's extent in BrtWsDim ([MS-XLSB] 2.4)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.bin"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.bin"/></Relationships>'
)


def _varint(n: int, limit: int) -> bytes:
    out = b""
    for _ in range(limit):
        byte = n & 0x7F
        n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            break
    return out


def _record(kind: int, data: bytes = b"") -> bytes:
    return _varint(kind, 2) + _varint(len(data), 4) + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _workbook(sheet: str) -> bytes:
    bundle = struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet)  # visible, tab id, relationship, name
    return (_record(0x83) + _record(0x8F) + _record(0x9C, bundle) + _record(0x90) + _record(0x84))


def _sheet(rows: list[list]) -> bytes:
    width = max((len(r) for r in rows), default=1)
    dimension = struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1)  # BrtWsDim: first/last row, column
    out = _record(0x81) + _record(0x94, dimension) + _record(0x91)
    for r, row in enumerate(rows):
        out += _record(0x00, struct.pack("<IIHHBI", r, 0, 300, 0, 0, 0))  # BrtRowHdr (17 bytes), no column spans
        for c, value in enumerate(row):
            cell = struct.pack("<II", c, 0)  # column, style 0
            if value is None:
                continue
            if isinstance(value, (int, float)):
                out += _record(0x05, cell + struct.pack("<d", float(value)))
            else:
                out += _record(0x06, cell + _wide(str(value)))  # BrtCellSt: an inline string
    return out + _record(0x92) + _record(0x82)


def write_xlsb(path: Path, sheet: str, rows: list[list]) -> Path:
    """A one-sheet .xlsb holding `rows` (str / numbers / None)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.bin", _workbook(sheet))
        z.writestr("xl/_rels/workbook.bin.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.bin", _sheet(rows))
    return path
