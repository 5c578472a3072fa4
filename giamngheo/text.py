"""Vietnamese text normalisation: NFC, tone placement, accent folding, matching keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_COMBINING_TONES = {
    "\u0300": "grave",  # huyền
    "\u0301": "acute",  # sắc
    "\u0309": "hook",  # hỏi
    "\u0303": "tilde",  # ngã
    "\u0323": "dot",  # nặng
}

# Old-style tone placement puts the mark on the second vowel of an open "oa",
# "oe", "uy" syllable ("hoà", "thuỷ"); the new style on the first ("hòa",
# "thủy"). Keys use one form so that both spellings match.
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0309\u0303\u0323])(?![^\W\d_])")

_WORD_SPLIT = re.compile(r"(?:[^\w%]|_)+")


def nfc(text: str) -> str:
    """Unicode NFC with surrounding whitespace trimmed and inner runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _move_tone(match: re.Match) -> str:
    first, second, tone = match.groups()
    return first + tone + second


def tone_normalised(text: str) -> str:
    """Put tone marks of open oa/oe/uy syllables on the first vowel ("Thuỷ" -> "Thủy")."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_TONE.sub(_move_tone, decomposed))


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """Key for comparing names: NFC, tone placement normalised, case folded. Accents kept."""
    return tone_normalised(nfc(text)).casefold()


def _fold_table() -> dict[int, str | None]:
    """Precomposed Latin letters -> their base letter; combining marks -> nothing (a C-speed translate)."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base
    for cp in range(0x0300, 0x0370):
        table[cp] = None
    return table


_FOLD = _fold_table()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Accent-free lower-case words separated by single spaces ("Tổng số hộ" -> "tong so ho")."""
    stripped = text.translate(_FOLD)
    if not stripped.isascii():  # letters outside the table (rare): the slow, general way
        decomposed = unicodedata.normalize("NFD", stripped)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD_SPLIT.sub(" ", stripped.casefold()).strip(" ")  # the words, one space between


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return fold(text).split()
