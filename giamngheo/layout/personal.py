"""Where a list of people begins on a sheet: a header naming a personal column ("Họ và tên chủ hộ",
"Số CCCD", "Ngày sinh", "Số điện thoại"). From that row on, the sheet is a household list's (read by
the household recogniser, else refused whole: rule personal_list), never a village table's: its
names would become villages. A plan annex may carry its list below ("Danh sách hộ dự kiến thoát
nghèo" under the villages' total): the rows above the list stay the annex's.

Header labels are text we name in failures; no cell of a row under them ever is. Worker side: no polars.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..readers.grid import Sheet
from ..text import fold
from .vocabulary import load_vocabulary

PERSONAL_FIELDS = frozenset({"head_name", "id_number", "birth", "phone"})
PERSONAL_TAGS = frozenset(f"hh.{f}" for f in PERSONAL_FIELDS)
HEADER_SCAN = 30  # rows from a sheet's first filled row searched for a header
MIN_LABELS = 3


def _label(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_NOT_PERSONAL: set[str] = set()  # texts that name no personal column, as header_texts gives them


@lru_cache(maxsize=200_000)
def _names_personal(text: str) -> bool:
    """Whether the text, as a header label, names a personal column: asked of every text cell of every
    sheet's first rows, which repeat from file to file, so answered once each."""
    label = text.strip()
    if not 0 < len(label) <= 150:
        return False
    vocabulary = load_vocabulary()
    return bool(PERSONAL_TAGS & vocabulary.households.leading(label)) or (
        "word.head_name_column" in vocabulary.household_words.exact(label))


def _personal_labels(row: list) -> list[str] | None:
    """The row's labels when it reads as a list's header: three labels or more, one naming a personal
    column (the cell starts with it)."""
    # a personal label is text (a number never starts one): most rows have none, and are passed over at once
    if not any(v.__class__ is str and _names_personal(v) for v in row):
        return None
    labels = [t for t in (_label(v) for v in row) if t and len(t) <= 150]
    return labels if len(labels) >= MIN_LABELS else None


def personal_header(sheet: Sheet) -> tuple[int, list[str]] | None:
    """(0-based row, its labels) of a list's header among a sheet's first rows: one naming a personal column, or, under
    a title naming a list of households ("DANH SÁCH HỘ NGHÈO …"), one naming two fields of a household ("Mã số hộ |
    Người đại diện | Loại hộ | Nhân khẩu"). Such a list whose head's column the vocabulary did not know was read as a
    plan annex: its rows taken into the header, heads' names and household codes quoted in the failures, the reports
    and the cache, the commune's plan replaced (independent probe, Lào Cai)."""
    texts = header_texts(sheet)
    start = first_filled(sheet)
    if names_any(texts, _NOT_PERSONAL, _names_personal):
        for r in range(start, min(len(sheet.rows), start + HEADER_SCAN)):
            labels = _personal_labels(sheet.rows[r])
            if labels:
                return r, labels
        return None
    # ("danh" first: the sheet's every text folded cost 1 ms a file of a national set)
    if not any(_LIST_TITLE.search(f" {fold(t)} ") for t in texts if "danh" in t.lower()):
        return None
    for r in range(start, min(len(sheet.rows), start + HEADER_SCAN)):
        labels = [t for t in (_label(v) for v in sheet.rows[r]) if t and len(t) <= 150]
        if len(labels) >= MIN_LABELS and sum(bool(_household_field(t)) for t in labels) >= 2:
            return r, labels
    return None


# a title naming a list of households, not a plan's "danh sách phân bổ chỉ tiêu"
_LIST_TITLE = re.compile(r" danh sach (?:cac )?ho (?:ngheo|can ngheo|gia dinh)")


@lru_cache(maxsize=20_000)
def _household_field(label: str) -> bool:
    """Whether a header label names a field of a household list other than its number ("Mã hộ", "Nhân khẩu")."""
    return bool({t for t in load_vocabulary().households.leading(label) if t != "hh.stt"})


def _could_be_header(row: list) -> bool:
    """Cheap test first (a sheet's rows of figures are most rows): three text cells or more, none a
    number nor text starting with a digit (a CSV's numbers, a village's "1" / "120")."""
    texts = 0
    for v in row:
        if v is None:
            continue
        if v.__class__ is not str or v[:1].isdigit():
            return False
        if v.strip():
            texts += 1
    return texts >= MIN_LABELS


def personal_below(sheet: Sheet, start: int) -> tuple[int, list[str]] | None:
    """(0-based row, its labels) of the first list header at or after row `start` (a table's rows: a
    list below a plan annex's villages)."""
    rows = sheet.rows
    for r in range(start, len(rows)):
        row = rows[r]
        if row and _could_be_header(row):
            labels = _personal_labels(row)
            if labels:
                return r, labels
    return None


def first_filled(sheet: Sheet) -> int:
    for r, row in enumerate(sheet.rows):
        if any(v is not None and v != "" for v in row):
            return r
    return 0


def texts_in(sheet: Sheet, start: int, stop: int) -> frozenset[str]:
    """The distinct text cells of rows start..stop-1, made once a sheet and span: every sheet is asked by the
    claiming recognisers (a list's header, a deprivation table's indicators) whether it names their labels at
    all, and most name none (claiming over 3,121 plan annexes, profiled: 0.97 -> 0.57 s)."""
    cached = sheet.__dict__.setdefault("_texts_in", {})
    key = (start, stop)
    if key not in cached:
        cached[key] = frozenset(v for v in values_in(sheet, start, stop) if v.__class__ is str)
    return cached[key]


def values_in(sheet: Sheet, start: int = 0, stop: int | None = None) -> frozenset:
    """The distinct cell values of rows start..stop-1 (the whole sheet by default), made once a sheet and span."""
    cached = sheet.__dict__.setdefault("_values_in", {})
    key = (start, len(sheet.rows) if stop is None else stop)
    if key not in cached:
        values: set = set()
        for row in sheet.rows[key[0]:key[1]]:
            values.update(row)  # at C speed: a sheet's numbers and blanks repeat
        cached[key] = frozenset(values)
    return cached[key]


def names_any(texts: frozenset[str], passed_over: set[str], names) -> bool:
    """Whether `names` holds for one of `texts`; those it does not hold for are kept in `passed_over` (a
    header's labels recur file after file: asked once each in a process)."""
    if len(passed_over) > 200_000:
        passed_over.clear()
    for text in texts - passed_over:
        if names(text):
            return True
        passed_over.add(text)
    return False


def header_texts(sheet: Sheet) -> frozenset[str]:
    """The text cells of the rows a list's header is looked for in (HEADER_SCAN from the first filled row)."""
    start = first_filled(sheet)
    return texts_in(sheet, start, start + HEADER_SCAN)


def list_start(sheet: Sheet, header: int) -> int:
    """The first row of a list whose header is row `header`: the title lines and blank rows directly above
    it, up to a row of three cells or more (a table's: the total of a plan annex above the list)."""
    r = header
    while r > 0 and sum(v is not None and v != "" for v in sheet.rows[r - 1]) < MIN_LABELS:
        r -= 1
    return r


def has_table_above(sheet: Sheet, top: int) -> bool:
    """Whether the rows above `top` could hold a table of their own (three rows of three cells or more),
    not only a list's title lines."""
    filled = 0
    for row in sheet.rows[:top]:
        if sum(v is not None and v != "" for v in row) >= MIN_LABELS:
            filled += 1
            if filled >= 3:
                return True
    return False


def above(sheet: Sheet, top: int) -> Sheet:
    """The sheet cut before row `top` (0-based): what a village table may be read from."""
    return replace(sheet, rows=sheet.rows[:top], merged=[m for m in sheet.merged if m[0] < top],
                   formulas_without_value=[f for f in sheet.formulas_without_value if f[0] <= top])


def from_row(sheet: Sheet, top: int) -> Sheet:
    """The sheet from row `top` on, the rows above it emptied (rows keep their numbers): a list's part."""
    return replace(sheet, rows=[[] for _ in range(top)] + sheet.rows[top:], merged=[m for m in sheet.merged if m[2] >= top],
                   formulas_without_value=[f for f in sheet.formulas_without_value if f[0] > top])


_TITLE_WORDS = re.compile(
    r"\b(?:ubnd|uy ban|danh sach|ke hoach|bao cao|bieu|phu luc|cong hoa|xa|phuong|dac khu|thi tran|nam 20\d\d)\b"
)


def title_like(line: str) -> bool:
    """A line that reads as a title or heading, not a person's name: it names a document or a unit."""
    return bool(_TITLE_WORDS.search(fold(line[:300])))
