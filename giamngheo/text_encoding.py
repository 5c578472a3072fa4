"""The encoding of a text file (a CSV, an HTML or XML export) told from its bytes, and the file decoded.

Byte-order marks first, then strict UTF-8 and BOM-less UTF-16; otherwise the most
Vietnamese looking of cp1258, TCVN3 and VNI bytes (legacy_text's word scores).
"""

from __future__ import annotations

import unicodedata

from giamngheo.legacy_decode import TCVN3, VNI, bytes_as_cp1252, decode_legacy
from giamngheo.legacy_text import clearly_unicode, scored_tokens, word_score

TEXT_ENCODINGS = ("utf-8-sig", "utf-8", "utf-16", "cp1258", "tcvn3", "vni")


def _plausibility(text: str) -> int:
    """Higher is more Vietnamese: +1 per common word, 0 per other syllable,
    -1 per other non-ASCII word, -2 per replacement or control character."""
    score = sum(word_score(token) - 1 for token in scored_tokens(text))
    bad = sum(
        1 for ch in text if ch == "\ufffd" or 0x80 <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch not in "\t\r\n")
    )
    return score - 2 * bad


def _decode_legacy_file(data: bytes, encoding: str) -> str:
    return "".join(decode_legacy(line, encoding) for line in bytes_as_cp1252(data).splitlines(keepends=True))


def looks_utf16(data: bytes) -> str | None:
    """utf-16-le / utf-16-be for BOM-less UTF-16 of mostly Latin text, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    if odd_nuls >= 0.4 * half and even_nuls <= 0.05 * half:
        return "utf-16-le"
    if even_nuls >= 0.4 * half and odd_nuls <= 0.05 * half:
        return "utf-16-be"
    return None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_text_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file (CSV) to NFC text; returns (text, encoding name).

    BOMs first (utf-8-sig, utf-16), then strict UTF-8, then the most Vietnamese
    looking of cp1258, TCVN3 bytes and VNI bytes. Never raises.
    """
    data = bytes(data or b"")
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace")), "utf-16"
    try:
        return _nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = looks_utf16(data)
    if utf16:
        return _nfc(data.decode(utf16, errors="replace")), "utf-16"
    cp1258 = _nfc(data.decode("cp1258", errors="replace"))
    if clearly_unicode([cp1258]):
        return cp1258, "cp1258"
    candidates = [(cp1258, "cp1258")]
    for encoding in (TCVN3, VNI):
        try:
            candidates.append((_decode_legacy_file(data, encoding), encoding))
        except Exception:  # pragma: no cover - defensive: never raise on input bytes
            continue
    scores = [_plausibility(text) for text, _name in candidates]
    # max() keeps the first of equals: ties go to cp1258, the only real code page.
    best = max(range(len(candidates)), key=scores.__getitem__)
    return candidates[best]
