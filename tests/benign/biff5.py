"""Write a legacy Excel 5.0/95 workbook (BIFF5) byte by byte: no Python library writes one.

The records are BIFF5's own (BOF version 0x0500, BOUNDSHEET with a byte-string name, LABEL with
8-bit text in the file's code page, NUMBER), in a "Book" stream (BIFF8 names it "Workbook") of an
OLE2 compound file made by xlwt's writer, the stream renamed.
"""

from __future__ import annotations

import io
import struct
import unicodedata
from pathlib import Path

from xlwt.CompoundDoc import XlsDoc

CODEPAGE = 1258  # Vietnamese (Windows): tones as combining marks after the letter


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHH", 0x0500, kind, 0x0DBB, 0x07CC))


_VOWEL_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn: cp1258 has them precomposed (â, ă, ơ, ...)


def _text(value: str) -> bytes:
    """cp1258 as Windows writes Vietnamese: vowel marks precomposed, tone marks combining after."""
    out: list[str] = []
    base = -1  # the letter the marks that follow belong to (NFD may put a dot below before the hat)
    for ch in unicodedata.normalize("NFD", value):
        if ch in _VOWEL_MARKS and base >= 0:
            out[base] = unicodedata.normalize("NFC", out[base] + ch)
        else:
            if not unicodedata.combining(ch):
                base = len(out)
            out.append(ch)
    return "".join(out).encode("cp1258")


def _cells(rows: list[list]) -> bytes:
    out = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)):
                out += _record(0x0203, struct.pack("<HHHd", r, c, 0x0F, float(value)))
            else:
                text = _text(str(value))
                out += _record(0x0204, struct.pack("<HHHH", r, c, 0x0F, len(text)) + text)
    return out


def _formats() -> bytes:
    """One font and the 16 style XFs plus one cell XF a reader expects (BIFF5 XF: 16 bytes)."""
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + bytes([5]) + b"Arial")
    style = struct.pack("<HHHHHHHH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0)
    cell = struct.pack("<HHHHHHHH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0)
    return font * 5 + b"".join(_record(0x00E0, style) for _ in range(15)) + _record(0x00E0, cell)


def biff5_book(sheets: dict[str, list[list]]) -> bytes:
    """The "Book" stream: workbook globals (code page, fonts, XFs, sheet list), then each sheet."""
    names = list(sheets)
    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", CODEPAGE)) + _formats()
    bound_len = sum(4 + 7 + len(_text(n)) for n in names)  # header, position, state, type, length, name
    offset = len(head) + bound_len + 4  # + EOF
    bounds, bodies = b"", b""
    for name in names:
        rows = sheets[name]
        width = max((len(r) for r in rows), default=0)
        body = (
            _bof(0x0010) + _record(0x0200, struct.pack("<HHHHH", 0, len(rows), 0, width, 0)) + _cells(rows) + _record(0x000A, b"")
        )
        label = _text(name)
        bounds += _record(0x0085, struct.pack("<IBB", offset + len(bodies), 0, 0) + bytes([len(label)]) + label)
        bodies += body
    stream = head + bounds + _record(0x000A, b"") + bodies
    return stream + b"\x00" * max(0, 4096 - len(stream))  # streams under 4 KiB would belong in the mini stream


def write_biff5(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel 5.0/95 .xls with the given sheets (rows of str / numbers / None)."""
    buffer = io.BytesIO()
    XlsDoc().save(buffer, biff5_book(sheets))
    data = buffer.getvalue()
    old = "Workbook\x00".encode("utf-16-le")
    new = "Book\x00".encode("utf-16-le")
    at = data.index(old)
    entry = new.ljust(64, b"\x00") + struct.pack("<H", len(new))
    data = data[:at] + entry + data[at + 66:]
    path.write_bytes(data)
    return path
