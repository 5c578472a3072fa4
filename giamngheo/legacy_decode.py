"""Decoding text typed in a legacy Vietnamese 8-bit font (TCVN3, VNI-Windows), cell by cell.

Text typed with a legacy font and stored in a workbook reads back as the
Windows-1252 interpretation of the legacy bytes ("Tổng số hộ" typed in TCVN3
reads "Tæng sè hé", in VNI "Toång soá hoä"). This module holds the encodings'
names, the cp1252 view of bytes, the conversion maps made from the byte tables
(legacy_tables) and :func:`decode_legacy`, which decodes one cell. Whether a
text is legacy at all is legacy_text's question.
"""

from __future__ import annotations

import re
import unicodedata

from giamngheo.legacy_tables import TCVN3_TABLE, VNI_TABLE

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

_ALIASES = {
    "tcvn3": TCVN3, "tcvn": TCVN3, "abc": TCVN3, "vn3": TCVN3, "tcvn5712": TCVN3,
    "vni": VNI, "vni-windows": VNI, "vniwin": VNI, "vni-win": VNI,
}

# --- the cp1252 view of bytes ------------------------------------------------


def _cp1252_char(value: int) -> str:
    try:
        return bytes([value]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D come through as C1 controls
        return chr(value)


_BYTE_CHARS = [_cp1252_char(value) for value in range(256)]
_LATIN1_TO_CP1252 = {value: _BYTE_CHARS[value] for value in range(0x80, 0xA0)}
# Every character that legacy bytes can turn into, as Excel stores them.
LEGACY_CHARS = frozenset(_BYTE_CHARS) | frozenset(map(chr, range(0x80, 0xA0)))


def bytes_as_cp1252(data: bytes) -> str:
    """Bytes as Excel / a cp1252 reader shows them (undefined bytes as U+0080-U+009F)."""
    return data.decode("latin-1").translate(_LATIN1_TO_CP1252)


# --- tables ------------------------------------------------------------------

_TCVN3_TRANS = {value: text for value, text in TCVN3_TABLE.items()}
# The fuller TCVN 5712 table (VN1, what `iconv -t TCVN5712-1` writes) puts toned capitals on bytes VN3 fonts leave
# unused; those whose Windows character is no Vietnamese letter are read as VN1's ("Äp" is "Ấp": every "Ấp" of a
# southern list stayed "Äp", its households in no village of the annex; southern names judge, Vĩnh Long). The others
# (Á, Ã, Í, Ù, Ú, à …) are good Vietnamese in Unicode text, and stay as they are.
VN1_CAPITALS = {"Ä": "Ấ", "Å": "Ề", "¯": "Ằ", "º": "Ẳ", "¿": "Ẵ", "Û": "Ồ", "ð": "Ỗ", "ÿ": "Ố", "Š": "É", "Œ": "Ệ",
                "Ž": "Ỉ", "š": "Ỡ", "œ": "Ợ", "ž": "Ủ", "Ÿ": "Ũ", "ƒ": "Á"}
_TCVN3_TRANS.update({ord(shown): letter for shown, letter in VN1_CAPITALS.items()})


def _vni_map() -> dict[str, str]:
    mapping = dict(VNI_TABLE)
    # Base letter and diacritic byte typed in different cases ("Aù"): the base decides.
    for seq, text in VNI_TABLE.items():
        if len(seq) == 2:
            base, mark = seq
            other = mark.lower() if mark.isupper() else mark.upper()
            if other != mark and base + other not in mapping:
                mapping[base + other] = text
    return mapping


_VNI_MAP = _vni_map()
_VNI_RE = re.compile("|".join(re.escape(seq) for seq in sorted(_VNI_MAP, key=len, reverse=True)))

# TCVN3 has capitals only for Ă Â Ê Ô Ơ Ư Đ; every toned letter is lower-case.
_TCVN3_NO_CAPITAL = frozenset(
    text for text in TCVN3_TABLE.values() if text.islower() and text not in "ăâêôơưđ"
)
_LEGACY_LETTERS = frozenset(chr(value) for value in TCVN3_TABLE) | frozenset(VN1_CAPITALS) | frozenset(
    ch for seq in _VNI_MAP for ch in seq if not ch.isascii()
)


def _normalise_encoding(encoding: str) -> str:
    name = _ALIASES.get(str(encoding).strip().lower().replace("_", "-"))
    if name is None:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected 'tcvn3' or 'vni'")
    return name


def _map_word(word: str, encoding: str) -> str:
    if encoding == TCVN3:
        return word.translate(_TCVN3_TRANS)
    return _VNI_RE.sub(lambda match: _VNI_MAP[match.group()], word)


# --- decoding one cell -------------------------------------------------------

_SEGMENT_SPLIT = re.compile(r"([\r\n\t;,|]+)")
_SPACE_SPLIT = re.compile(r"(\s+)")


def is_legacy_candidate(text: str) -> bool:
    """False when the text holds a letter or mark that no legacy byte can produce (ư, ạ, ...)."""
    return all(ch in LEGACY_CHARS or unicodedata.category(ch)[0] not in "LM" for ch in text)


def _case_kind(raw: str) -> str:
    """'lower' (has lower-case ASCII letters), 'upper' (2+ ASCII letters, all upper),
    'ambiguous' (0-1 ASCII letters, none lower) or 'none' (no letters at all)."""
    ascii_letters = [ch for ch in raw if ch.isascii() and ch.isalpha()]
    if any(ch.islower() for ch in ascii_letters):
        return "lower"
    if len(ascii_letters) >= 2:
        return "upper"
    return "ambiguous" if any(ch.isalpha() or ch in _LEGACY_LETTERS for ch in raw) else "none"


def _first_alpha(text: str) -> int:
    return next((i for i, ch in enumerate(text) if ch.isalpha()), -1)


def decode_segment(segment: str, encoding: str) -> str:
    """Decode a run of words that belong together (a cell, or a field of one)."""
    pieces = _SPACE_SPLIT.split(segment)
    words = [(i, piece) for i, piece in enumerate(pieces) if piece and not piece.isspace()]
    kinds = {i: _case_kind(raw) for i, raw in words}
    decoded = {i: _map_word(raw, encoding) for i, raw in words}
    present = set(kinds.values())
    # .VnTimeH titles: lower-case codes shown in capitals. "X·" alone is ambiguous
    # ("Hé" is title-case "Hộ"), so a one-letter word follows the rest of the cell.
    upper_context = "upper" in present and "lower" not in present
    for i, _raw in words:
        if kinds[i] == "upper" or (upper_context and kinds[i] == "ambiguous"):
            decoded[i] = decoded[i].upper()
    if encoding == TCVN3 and not upper_context:
        _capitalise_title_words(words, decoded)
    for i, text in decoded.items():
        pieces[i] = text
    return "".join(pieces)


def _capitalise_title_words(words: list[tuple[int, str]], decoded: dict[int, str]) -> None:
    """TCVN3 cannot write "Ữ" or "Ấ": in a Title Case cell ("Bản Khuổi ữ") a word that
    starts with such a letter is capitalised too."""
    candidates, others = [], []
    for i, _raw in words:
        pos = _first_alpha(decoded[i])
        if pos < 0:
            continue
        (candidates if decoded[i][pos] in _TCVN3_NO_CAPITAL else others).append((i, pos))
    if not candidates or not others:
        return
    if all(decoded[i][pos].isupper() for i, pos in others):
        for i, pos in candidates:
            text = decoded[i]
            decoded[i] = text[:pos] + text[pos].upper() + text[pos + 1 :]


def decode_legacy(text: str, encoding: str) -> str:
    """Decode one cell typed in a legacy font ("tcvn3" or "vni"); the result is NFC.

    Text holding letters that legacy bytes cannot produce (ư, ạ, ế ...) is
    already Unicode and comes back NFC-normalised but otherwise unchanged.
    """
    encoding = _normalise_encoding(encoding)
    if not isinstance(text, str) or not text or text.isascii():
        return text
    if not is_legacy_candidate(text):
        return unicodedata.normalize("NFC", text)
    parts = _SEGMENT_SPLIT.split(text)
    out = [part if i % 2 else decode_segment(part, encoding) for i, part in enumerate(parts)]
    return unicodedata.normalize("NFC", "".join(out))
