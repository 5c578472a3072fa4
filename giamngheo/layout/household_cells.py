"""The cells of a household list read one by one, in the parsing process (giamngheo/layout/households.py):
marks, ethnicity, deprivation numbers, years, ID digits, members, masks. The values of a list's marks and
groups repeat row after row ("x", "Hộ nghèo", "Tày"): each is read once per process. No polars here."""

from __future__ import annotations

import re
from functools import lru_cache

from ..parsed import cell_json
from ..readers.grid import ExcelError
from ..text import fold, nfc
from .vocabulary import load_vocabulary, row_label_tags

INDICATORS = 12
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_MEMO_LIMIT = 4096


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def filled(value) -> bool:
    """Whether a cell shows anything (what text_of makes non-empty), without making its text."""
    return value is not None and (value.__class__ is not str or bool(value.strip()))


def _memo(fn):
    """A cell reader remembered per value and type (1, 1.0 and True are different cells)."""
    seen: dict = {}

    def read(value, *args):
        key = (value.__class__, value, *args)
        try:
            return seen[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: read, not remembered
            return fn(value, *args)
        if len(seen) > _MEMO_LIMIT:
            seen.clear()
        seen[key] = found = fn(value, *args)
        return found

    read.__doc__ = fn.__doc__
    return read


@lru_cache(maxsize=8192)
def _may_tag(word: str) -> bool:
    """Whether a row label's first word may begin a row phrase (most names' first words begin none)."""
    folded = fold(word).split()
    return not folded or folded[0] in load_vocabulary().rows.starts


def row_tags(text: str) -> frozenset[str]:
    """row_label_tags of a label, passing over at once a label whose first word begins no row phrase."""
    head = text.split(None, 1)
    if head and not _may_tag(head[0]):
        return frozenset()
    return row_label_tags(text)


@_memo
def mark(value) -> str | None:
    """'1' for a mark (x, 1, có), '0' for an empty cell or a no."""
    text = text_of(value)
    if not text:
        return "0"
    words = load_vocabulary().household_words.exact(text)
    if "word.no" in words:
        return "0"
    return "1" if "word.yes" in words or text.strip() in ("✓", "✔", "+") else "0"


@_memo
def ethnic(value, mark_column: bool) -> str | None:
    """'1' an ethnic minority, '0' Kinh (or no mark), None not given."""
    text = text_of(value)
    if not text:
        return "0" if mark_column else None
    words = load_vocabulary().household_words.exact(text)
    if "word.majority" in words or "word.no" in words:
        return "0"
    if mark_column or "word.yes" in words:
        return mark(value)
    return "1"  # a name other than Kinh: Tày, Nùng, Dao, Mông, …


def deprivation_list(value) -> str | None:
    """'1,4,10' from a cell listing indicator numbers ("1, 4, 10", "1;4", 4.0); '' when empty."""
    num, text = cell_json(value)
    if num is not None:
        return str(int(num)) if num.is_integer() and 1 <= num <= INDICATORS else ""
    found = {int(t) for t in re.findall(r"\d+", text or "") if 1 <= int(t) <= INDICATORS}
    if not found and text:  # the indicators named ("BHYT; Nhà tiêu HVS; Nguồn nước sinh hoạt"): their numbers
        found = {n for part in re.split(r"[;,\n+]", text) if (n := _indicator_number(part.strip()))}
    return ",".join(map(str, sorted(found)))


@lru_cache(maxsize=4096)
def _indicator_number(label: str) -> int | None:
    from .standards import indicator_of, load_standards  # the catalogue of standards: ids by key

    key = indicator_of(label) if label else None
    return load_standards().numbers.get(key) if key else None


def year(value) -> str | None:
    num, text = cell_json(value)
    if num is not None:
        return str(int(num)) if num.is_integer() and 1900 <= num <= 2100 else None
    m = _YEAR.search(text or "")
    if m is None and (grouped := re.fullmatch(r"\s*(\d)[.,\s](\d{3})\s*", text or "")):  # "2.030": a CSV's thousands mark
        m = _YEAR.search(grouped.group(1) + grouped.group(2))
    return m.group(1) if m else None


def digits(value) -> tuple[str, bool]:
    """An ID number's digits, and whether the cell held digits alone. A number cell lost its leading
    zeros (Excel): 10-11 digits are read as 12, 7-8 as 9."""
    num, text = cell_json(value)
    if num is not None:
        digits = str(int(num)) if num.is_integer() and num >= 0 else ""
        width = 12 if len(digits) in (10, 11) else 9 if len(digits) in (7, 8) else len(digits)
        return digits.zfill(width), bool(digits)
    raw = re.sub(r"[\s.\-']", "", text or "")
    return re.sub(r"\D", "", raw), raw.isdigit()


def mask(text: str) -> str:
    """'001099888821' -> '0010******21': never more than the first four and the last two."""
    if len(text) <= 6:
        return "*" * max(0, len(text) - 2) + text[-2:] if len(text) > 2 else "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]


MAX_MEMBERS = 99
_DIGIT_RUN = re.compile(r"\d{3,}")
_LETTER = re.compile(r"[^\W\d_]")


_MEMBERS_UNIT = re.compile(r"\s*(\d{1,2})\s*(?:nhân khẩu|khẩu|người|nk)\.?\s*")


def members_cell(value) -> tuple[float | None, str | None]:
    """A members cell as (number, text) for the typed rows and their failures: a count, or text that reads
    as one ("4", "4,0"); anything else (a name or an ID number typed in the wrong column) masked: letters
    starred, runs of digits masked as ID numbers are."""
    if isinstance(value, ExcelError):  # "#REF!" is Excel's, nobody's: quoted as it is (it was "#***!")
        return None, str(value)
    num, text = cell_json(value)
    if num is not None and abs(num) > MAX_MEMBERS:
        return None, mask(str(int(num)) if num.is_integer() else str(num))
    if text and (counted := _MEMBERS_UNIT.fullmatch(text.casefold())):  # "4 khẩu", "5 người"
        return float(counted.group(1)), None
    if text and not re.fullmatch(r"\s*\d{1,2}(?:[.,]0*)?\s*", text):
        return None, masked_text(text)
    return num, text


def masked_text(text: str) -> str:
    """A cell's text for a failure, when it may be anyone's: letters starred, runs of digits masked as ID numbers are."""
    return _LETTER.sub("*", _DIGIT_RUN.sub(lambda m: mask(m.group()), text))[:40]
