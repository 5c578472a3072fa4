"""A household list's header band, read in the parsing process (giamngheo/layout/households.py reads the rows): the row
naming the head of household and enough other list fields, the rows under it (column numbers, sub-labels, the
indicators' numbers under "Chỉ số thiếu hụt"), and which column holds each field. Worker side: no polars."""

from __future__ import annotations

import re
from functools import lru_cache

from ..parsed import cell_json
from ..readers.grid import Sheet
from ..text import fold
from . import household_cells as C
from .household_cells import text_of as _text
from .personal import HEADER_SCAN, first_filled, header_texts, names_any
from .deprivation_cells import indicator_key
from .fields import label_years
from .standards import load_standards
from .vocabulary import load_vocabulary

INDICATORS = 12
# the field a label names when it names several ("Phân loại hộ (nghèo / cận nghèo)"): first listed wins
PRIORITY = (
    "relation",
    "group",
    "planned_exit_year",
    "deprivations",
    "no_labour",
    "merit",
    "minority_mark",
    "household_code",
    "id_number",
    "head_name",
    "birth",
    "phone",
    "notes",
    "members",
    "ethnicity",
    "near_poor_mark",
    "poor_mark",
    "village",
    "stt",
)
# what names a household on its row, the first a list has: the head's name, else the household's code or ID number
# ("Mã hộ | Thôn | Số khẩu | Phân loại": a list without names, which the contract allows, was refused whole)
IDENTITY = ("head_name", "household_code", "id_number")
# besides that, a list's header names at least this many of these
EVIDENCE = {"household_code", "id_number", "birth", "members", "group", "ethnicity", "minority_mark", "deprivations", "no_labour",
            "merit", "planned_exit_year", "phone", "poor_mark", "near_poor_mark"}
MIN_EVIDENCE = 2
_NUMBERING = re.compile(r"^\(?[A-Za-z0-9]{1,2}\)?$")  # a column-numbering row: "(1)", "A", "12"
NUMBERED = re.compile(r"^\s*([IVX]{1,4}|\d{1,2}|[a-z])\s*[.)/:-]\s*", re.IGNORECASE)


def _shown(sheet: Sheet, r: int, c: int) -> str:
    return sheet.shown(r, c, _text)


@lru_cache(maxsize=50_000)
def _fields_of(label: str) -> tuple[str, ...]:
    """The household fields a header label names, most specific first."""
    if not label or len(label) > 150:
        return ()
    words = load_vocabulary().households
    tags = {t[3:] for t in words.tags(label)}
    if not tags and (alone := load_vocabulary().household_words.exact(label) & {"word.group_column", "word.head_name_column"}):
        # "Diện", "Hộ gia đình" alone: the words open "Diện tích", "Hộ gia đình có người có công", no field's phrase
        return ("group",) if "word.group_column" in alone else ("head_name",)
    if "head_name" in tags and "hh.head_name" not in words.leading(_ABOUT.sub("", fold(label))):
        # the head's name is the label's first words ("Họ và tên chủ hộ"): "Hộ nghèo có chủ hộ là nữ" (a plan's breakdown),
        # "Ghi chú (ghi rõ họ tên chủ hộ)" name no one (a plan annex with such a column was read as a list, and lost)
        tags.discard("head_name")
    return tuple(f for f in PRIORITY if f in tags)


_ABOUT = re.compile(r"^thong tin (?:ve )?")  # "Thông tin chủ hộ" over "Họ và tên | Năm sinh | Số CCCD": the head's
_HEADER_FIELDS = ("relation", *IDENTITY)  # the first fields that decide a header row
_NOT_HEADER: set[str] = set()  # texts whose first field is neither
@lru_cache(maxsize=50_000)
def _first_field(label: str) -> str:
    """The field a label names first ("" none): every sheet's first rows are asked."""
    return next(iter(_fields_of(label)), "")


def _word(text: str) -> frozenset[str]:
    return load_vocabulary().household_words.leading(text)


@lru_cache(maxsize=4096)
def group_of(text: str) -> str | None:
    """poor / near_poor from a cell or a section row's text ("Hộ cận nghèo", "HCN", "II. HỘ NGHÈO")."""
    words = _word(NUMBERED.sub("", text))
    if "word.list" in words:  # "Danh sách hộ cận nghèo"
        folded = fold(NUMBERED.sub("", text)).replace("danh sach", "", 1)
        words = _word(folded)
    return "near_poor" if "word.near_poor" in words else "poor" if "word.poor" in words else None


def group_code(text: str) -> str | None:
    """poor / near_poor from a classification column's code ("N", "CN"): that column only, a lone letter is no
    section's nor title's group."""
    words = load_vocabulary().household_words.exact(text) if text else frozenset()
    return "near_poor" if "word.code_near_poor" in words else "poor" if "word.code_poor" in words else None


def list_header(sheet: Sheet) -> tuple[int, dict[str, int], int] | None:
    """The header row naming what identifies a household (IDENTITY: the head's name, else its code or ID number) and
    enough other list fields, its fields, and the identifying column. A title naming a list of households ("DANH SÁCH
    HỘ NGHÈO") makes one field besides enough."""
    if not names_any(header_texts(sheet), _NOT_HEADER, lambda text: _first_field(text) in _HEADER_FIELDS):
        return None  # no cell of those rows names the head of household (or a person's relation): most sheets
    start = first_filled(sheet)
    for r in range(start, min(len(sheet.rows), start + HEADER_SCAN)):
        row = sheet.rows[r]
        found: dict[str, int] = {}
        for j, v in enumerate(row):
            if v.__class__ is str and v and (f := _first_field(v)):
                found.setdefault(f, j)
        anchor = next((f for f in IDENTITY if f in found), None)
        if anchor and anchor != "head_name" and "head_name" in _fields_of(row[found[anchor]]):
            return None  # "Họ và tên chủ hộ (Số CCCD)": a name and an ID in one column, a row each: refused whole
        if anchor:
            # fields merged over two header rows may sit in the row below ("Chỉ số thiếu hụt" over 1…12), when that
            # row is a header's, not the first household's (a note "CCCD 0019…" there names no column)
            name_col = found[anchor]
            if not C.filled(sheet.value(r + 1, name_col)) or band_bottom(sheet, r, name_col) > r:
                for j in range(sheet.width):
                    for f in _fields_of(_shown(sheet, r + 1, j))[:1]:
                        found.setdefault(f, j)
            evidence = len(EVIDENCE & set(found) - {anchor})
            if evidence >= MIN_EVIDENCE or (evidence and _titled_list(sheet, start, r)):
                return r, found, name_col
    return None


def _titled_list(sheet: Sheet, start: int, top: int) -> bool:
    """A title line above the header names a list of households: "Danh sách hộ nghèo ..."."""
    words = load_vocabulary().household_words
    for r in range(start, top):
        for v in sheet.rows[r]:
            if isinstance(v, str) and "word.list" in words.leading(v) and group_of(v):
                return True
    return False


def band_bottom(sheet: Sheet, top: int, name_col: int) -> int:
    """The last header row: rows under the top one while the head's-name column is merged from above,
    empty, a column number ("(2)"), or a label under a group's ("Thông tin chủ hộ" over "Họ và tên")."""
    bottom = top
    for r in range(top + 1, min(top + 4, len(sheet.rows))):
        own = _text(sheet.value(r, name_col))
        merged = any(r1 < r <= r2 and c1 <= name_col <= c2 for r1, c1, r2, c2 in sheet.merged)
        if merged or (own and (numbering_row(sheet, r, name_col) or _label_row(sheet, r, name_col))) or (
                not own and not group_of(" ".join(_text(v) for v in sheet.rows[r])) and _deprivation_numbers(sheet, r)):
            bottom = r
        else:
            break
    return bottom


def _label_row(sheet: Sheet, r: int, name_col: int) -> bool:
    """A sub-header row: its identifying cell names a household's identity ("Họ và tên") and no cell holds a number."""
    if not set(IDENTITY) & set(_fields_of(_text(sheet.value(r, name_col)))[:1]):
        return False
    return not any(v is not None and cell_json(v)[0] is not None for v in sheet.rows[r])


def numbering_row(sheet: Sheet, r: int, name_col: int) -> bool:
    """A row numbering the columns ("(1) (2) (3)…", "A B 1 2…"), not a household: its head's-name cell
    is a number or a letter too."""
    if not _NUMBERING.match(_text(sheet.value(r, name_col)) or "x"):
        return False
    texts = [t for t in (_text(v) for v in sheet.rows[r]) if t]
    return len(texts) >= 3 and sum(bool(_NUMBERING.match(t)) for t in texts) >= 0.8 * len(texts)


def _deprivation_numbers(sheet: Sheet, r: int) -> dict[int, int]:
    """Column -> indicator number of a sub-header row of numbers 1…12 or indicator names."""
    found = {}
    for j, v in enumerate(sheet.rows[r] if r < len(sheet.rows) else ()):
        num, text = cell_json(v)
        if num is not None and num.is_integer() and 1 <= num <= INDICATORS:
            found[j] = int(num)
        elif text and text.strip().isdigit():
            if 1 <= int(text) <= INDICATORS:
                found[j] = int(text)
        elif text:
            bare = NUMBERED.sub("", text)
            n = int(text.split(".")[0]) if re.match(r"^\d{1,2}\s*[.)]", text) else _indicator_number(bare)
            if n and 1 <= n <= INDICATORS:
                found[j] = n
    return found


@lru_cache(maxsize=4096)
def _indicator_number(label: str) -> int | None:
    key = indicator_key(label)  # a name ("Nguồn nước sinh hoạt", "BHYT") or a number ("Chỉ số 4", "CS4": "#4")
    if key is None:
        return None
    if key.startswith("#"):
        return int(key[1:])
    return load_standards().numbers.get(key)


def _named_indicators(sheet: Sheet, r: int) -> dict[int, int]:
    """Column -> indicator number of a header row whose labels name three or more indicators, by name or number
    ("Nguồn nước sinh hoạt", "CS4", "Chỉ số 4"), no "Chỉ số thiếu hụt" over them: a lone "Việc làm" is no set of marks."""
    found = {}
    for j, v in enumerate(sheet.rows[r]):
        text = _text(v)
        if text and not text.strip().isdigit() and (n := _indicator_number(NUMBERED.sub("", text))) and 1 <= n <= INDICATORS:
            found[j] = n
    return found if len(set(found.values())) >= 3 else {}


def list_columns(sheet: Sheet, top: int, bottom: int, name_col: int) -> tuple[dict[str, int], dict[int, int], dict[int, str]]:
    """field -> column, column -> indicator number of the deprivation columns, and column -> year of the columns of
    marks naming the year a household is to leave poverty ("Dự kiến thoát nghèo năm 2026": x)."""
    columns: dict[str, int] = {}
    deprivation: dict[int, int] = {}
    exit_years: dict[int, str] = {}
    numbers = {}
    for r in range(top + 1, bottom + 1):
        own = sheet.rows[r][name_col] if name_col is not None and name_col < len(sheet.rows[r]) else None
        if C.filled(own) and numbering_row(sheet, r, name_col):
            continue  # the columns' own numbers ("1 2 … 7 8"), no indicators': "Chỉ số thiếu hụt" under "7" was indicator 7
        numbers.update(_deprivation_numbers(sheet, r))
    named = _named_indicators(sheet, top)
    under = False  # right of a "Chỉ số thiếu hụt" label whose merge a .csv or .ods lost
    for j in range(sheet.width):
        shown = list(dict.fromkeys(t for t in (_shown(sheet, r, j) for r in range(top, bottom + 1)) if t))
        label = " ".join(shown)
        # the lowest label that names a field wins ("Thông tin chủ hộ" over "Năm sinh" is the birth), else all joined
        fields = next((f for f in (_fields_of(t) for t in reversed(shown)) if f), ()) if len(shown) > 1 else ()
        fields = fields or _fields_of(label)
        field = fields[0] if fields else None
        if field == "phone" and (j in numbers or j in named):  # "DT nhà ở BQ": diện tích, indicator 8, not điện thoại ("ĐT"):
            # its marks were lost and the list rejected (layouts judge, Điện Biên)
            field = "deprivations" if "deprivations" in _fields_of(" ".join(shown[:-1])) else None
        # right of it, a column numbered 1…12 or named for its indicator ("Dinh dưỡng", "Chỉ số 4") is one of its marks
        if field == "deprivations" or (under and j in numbers and (field is None or not label.strip(" 0123456789"))):
            if j in numbers:
                deprivation[j] = numbers[j]
                under = True
                continue
            columns.setdefault("deprivations", j)
            continue
        under = False
        if field is None and j in named and j not in numbers:  # "CS4", "Nước sinh hoạt": the indicator's own column
            deprivation[j] = named[j]
            continue
        if field == "planned_exit_year" and len(years := set(label_years(label))) == 1:
            exit_years[j] = str(years.pop())
        if field and field not in columns:
            columns[field] = j
    if deprivation:
        columns["deprivations"] = min(deprivation)  # failures about the deprivations point at the first
    return columns, deprivation, exit_years
