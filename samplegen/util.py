"""Small helpers shared by the sample generator: rounding, Vietnamese number text, seeds, names."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from numbers import Real


def sub_rng(seed: int | str, *parts: object) -> random.Random:
    """A random.Random seeded from `seed` and `parts` (stable across runs and platforms)."""
    text = "\x1f".join(str(p) for p in (seed, *parts))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big"))


def is_number(value: object) -> bool:
    kind = type(value)
    return kind is int or kind is float or (kind is not bool and isinstance(value, Real))


def round_half_up(value, digits: int = 2) -> float:
    """Excel ROUND semantics (half away from zero) on the exact value; returns a float."""
    if isinstance(value, Fraction):
        dec = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        dec = Decimal(str(value))
    quant = Decimal(1).scaleb(-digits)
    return float(dec.quantize(quant, rounding=ROUND_HALF_UP))


def rate(part, whole, digits: int = 2) -> float | None:
    """part / whole * 100 rounded half-up, or None when it cannot be computed."""
    if not (is_number(part) and is_number(whole)) or whole == 0:
        return None
    exact = (
        Fraction(part) * 100 / Fraction(whole)
        if isinstance(part, int) and isinstance(whole, int)
        else Fraction(str(part)) * 100 / Fraction(str(whole))
    )
    return round_half_up(exact, digits)


def fraction(part, whole) -> float | None:
    """part / whole as a plain float (what an Excel percentage cell stores)."""
    if not (is_number(part) and is_number(whole)) or whole == 0:
        return None
    return part / whole


def vn_int(value: int) -> str:
    """5441 -> '5.441' (Vietnamese thousands separator)."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def vn_number(value, decimals: int | None = None) -> str:
    """A number as Vietnamese text: '5.441', '0,79', '12,5'."""
    if isinstance(value, int) and decimals is None:
        return vn_int(value)
    if decimals is None:
        text = repr(float(value))
        if text.endswith(".0"):
            return vn_int(int(float(value)))
        whole, _, frac = text.partition(".")
        return vn_int(int(whole)) + "," + frac if not whole.startswith("-") else "-" + vn_int(int(whole[1:])) + "," + frac
    text = f"{float(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    neg = whole.startswith("-")
    whole_text = vn_int(int(whole.lstrip("-")))
    return ("-" if neg else "") + whole_text + ("," + frac if decimals else "")


# --- names -------------------------------------------------------------------

_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([\u0300\u0301\u0309\u0303\u0323])(?![^\W\d_])")
_NEW_TONE = re.compile(r"(?<![qQ])([oOuU])([\u0300\u0301\u0309\u0303\u0323])([aAeEyY])(?![^\W\d_])")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_key(text: str) -> str:
    """Uniqueness key of a village name: NFC, tone placement normalised, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", " ".join(text.split()))
    moved = _OLD_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved).casefold()


def old_tone(text: str) -> str:
    """'Hòa' -> 'Hoà', 'Thủy' -> 'Thuỷ' (the pre-1980s tone placement many offices still type)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _NEW_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed))


def new_tone(text: str) -> str:
    """'Hoà' -> 'Hòa', 'Thuỷ' -> 'Thủy'."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed))


def fold(text: str) -> str:
    """Accent-free lower-case words ('Xã Phú Thịnh' -> 'xa phu thinh')."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(w for w in re.split(r"[^\w]+|_", stripped.casefold()) if w)


def ascii_name(text: str) -> str:
    """'Xã Phú Thịnh' -> 'Xa Phu Thinh' (case kept, accents stripped)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str) -> str:
    """'Xã Phú Thịnh' -> 'xa_phu_thinh'."""
    return "_".join(fold(text).split())


def upper_vi(text: str) -> str:
    return nfc(text).upper()


class CommuneTitled:
    """What a spec with a `commune` and a `title_name` (None: the commune's own) says of its unit."""

    commune: str
    title_name: str | None

    @property
    def title(self) -> str:
        return self.commune if self.title_name is None else self.title_name

    @property
    def ward(self) -> bool:
        return self.commune.startswith("Phường")
