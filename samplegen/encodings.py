"""Encoders for the text forms real offices produce: TCVN3 (.VnTime), VNI-Windows, NFD, Windows-1258.

The legacy encoders are the inverse of the decoding tables in giamngheo/legacy_tables.py:
a workbook typed in a legacy font stores, for every byte, the Windows-1252 character
of that byte ("Tổng số hộ" typed in TCVN3 is stored as "Tæng sè hé").
"""

from __future__ import annotations

import unicodedata

from giamngheo.legacy_tables import TCVN3_TABLE, VNI_TABLE

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _cp1252_char(value: int) -> str:
    try:
        return bytes([value]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(value)


_TCVN3_REVERSE: dict[str, str] = {}
for _byte, _text in sorted(TCVN3_TABLE.items()):
    if unicodedata.combining(_text):
        continue  # the stand-alone tone marks: text is encoded precomposed
    _TCVN3_REVERSE.setdefault(_text, _cp1252_char(_byte))

_VNI_REVERSE: dict[str, str] = {}
for _seq, _text in VNI_TABLE.items():
    _VNI_REVERSE.setdefault(_text, _seq)


def _fallback(ch: str) -> str:
    """A character outside the legacy table: kept when Windows-1252 has it, else '?'."""
    try:
        ch.encode("cp1252")
        return ch
    except UnicodeEncodeError:
        return "?"


def tcvn3(text: str) -> str:
    """Unicode -> what a cell typed in TCVN3 (ABC, .VnTime/.VnTimeH) stores.

    TCVN3 has capitals only for Ă Â Ê Ô Ơ Ư Đ; every other toned capital is typed with
    the lower-case code, which the upper-case font .VnTimeH shows as a capital. ASCII
    letters keep their case, so an upper-case title reads "UBND X· PHó THÞNH".
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _TCVN3_REVERSE:
            out.append(_TCVN3_REVERSE[ch])
        elif ch.lower() in _TCVN3_REVERSE:
            out.append(_TCVN3_REVERSE[ch.lower()])
        else:
            out.append(_fallback(ch))
    return "".join(out)


def vni(text: str) -> str:
    """Unicode -> what a cell typed in VNI-Windows stores ("Tổng số hộ" -> "Toång soá hoä")."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _VNI_REVERSE:
            out.append(_VNI_REVERSE[ch])
        elif ch in "íìÍÌ":
            out.append(ch)
        else:
            out.append(_fallback(ch))
    return "".join(out)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 the way Vietnamese Windows writes it: precomposed where the code page
    has the letter, else base letter + combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in parts if c in _TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
            try:
                out += base.encode("cp1258") + tone.encode("cp1258")
            except UnicodeEncodeError:
                out += b"?"
    return bytes(out)


ENCODERS = {"tcvn3": tcvn3, "vni": vni, "nfd": nfd}


def encode_cell(value, encoding: str | None):
    """Apply a text encoder to a string cell; numbers and None pass through."""
    if encoding is None or not isinstance(value, str):
        return value
    return ENCODERS[encoding](value)
