"""Recognise a household list (danh sách hộ nghèo, hộ cận nghèo): one row per household.

The group comes from a column ("Phân loại": Hộ nghèo / Hộ cận nghèo, or a mark column each), from
section rows ("I. HỘ NGHÈO" / "II. HỘ CẬN NGHÈO"), or from the sheet (its name or title: a sheet
each). Deprivations are a column each (x / 1) under a "Chỉ số thiếu hụt" header over 1…12 (or the
indicators' names), or one column of numbers ("1, 4, 10"). Ethnicity is a name (Kinh is not an
ethnic minority) or a mark.

Personal data stays here. Names, ID numbers, birth dates, phones, household codes and notes (the
fields `personal = true` in vocabulary.toml) are read only to make keyed digests and checks in
this process (giamngheo/secret.py): the table sent back carries `household_ref` (HMAC of the
household code, else the ID number, else the head's name + village + birth year), `code_ref` /
`id_ref` (for household_unique), masked ID and code ("0010******21") and the ID's format verdict,
never a personal value. Worker side: no polars.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..parsed import ParsedTable, cell_json
from ..readers.grid import Sheet
from ..secret import keyer
from ..text import fold, match_key
from . import household_cells as C
from .household_cells import ethnic as _ethnic  # noqa: F401 - tests read _ethnic here
from .household_cells import mask, members_cell
from .household_cells import text_of as _text
from .personal import HEADER_SCAN, first_filled, header_texts, names_any, title_like
from .deprivation_cells import indicator_key
from .standards import load_standards
from .tables import title_lines
from .vocabulary import load_vocabulary

KIND = "households"
COUNTS = ("members",)
ATTRIBUTES = (
    "group", "household_ref", "key_source", "code_ref", "id_ref", "code_masked", "id_masked", "id_format",
    "ethnic_minority", "no_labour", "merit", "deprivations", "planned_exit_year",
)
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
# besides the head's name, a list's header names at least this many of these
EVIDENCE = {"household_code", "id_number", "birth", "members", "group", "ethnicity", "minority_mark", "deprivations", "no_labour",
            "merit", "planned_exit_year", "phone", "poor_mark", "near_poor_mark"}
MIN_EVIDENCE = 2
_NUMBERING = re.compile(r"^\(?[A-Za-z0-9]{1,2}\)?$")  # a column-numbering row: "(1)", "A", "12"
_ROMAN = re.compile(r"^\s*([IVX]{1,4}|\d{1,2}|[a-z])\s*[.)/:-]\s*", re.IGNORECASE)
_VILLAGE_WORDS = tuple(w.split() for w in load_vocabulary().village_types)  # [villages] types: ["thôn"], ["tổ", "dân", "phố"]


def _village_named(key: str) -> bool:
    """Whether a matching key starts with a village's type word ("thôn nà rì", "khu phố 3")."""
    words = key.split()
    return any(words[: len(w)] == w for w in _VILLAGE_WORDS)


_PUNCTUATION = re.compile(r"[^\w]+")


def _sheet_village(name: str, title: list[str]) -> str | None:
    """The village a sheet of a list is of, a sheet each: its name when it says so ("Thôn Nà Rì"), or when its title does
    ("DANH SÁCH HỘ NGHÈO THÔN ĐẠI QUY" over the sheet "Đại Quy"); its households had no village, none compared."""
    key = match_key(name)
    if not key or _village_named(key):
        return name.strip() or None
    said = [f" {' '.join(w)} {key} " for w in _VILLAGE_WORDS]
    # "Thôn: Cốc Ngần", "THÔN - CỐC NGẦN": the punctuation between the word and the name is no part of either
    lines = [" " + " ".join(_PUNCTUATION.sub(" ", match_key(line)).split()) + " " for line in title]
    return name.strip() if any(v in line for line in lines for v in said) else None


def _shown(sheet: Sheet, r: int, c: int) -> str:
    """The text shown at (r, c): its own, else that of the merged range covering it."""
    own = _text(sheet.value(r, c))
    if own:
        return own
    for r1, c1, r2, c2 in sheet.merged:
        if r1 <= r <= r2 and c1 <= c <= c2:
            return _text(sheet.value(r1, c1))
    return ""


@lru_cache(maxsize=50_000)
def _fields_of(label: str) -> tuple[str, ...]:
    """The household fields a header label names, most specific first."""
    if not label or len(label) > 150:
        return ()
    words = load_vocabulary().households
    tags = {t[3:] for t in words.tags(label)}
    if "head_name" in tags and "hh.head_name" not in words.leading(_ABOUT.sub("", fold(label))):
        # the head's name is the label's first words ("Họ và tên chủ hộ"): "Hộ nghèo có chủ hộ là nữ" (a plan's breakdown),
        # "Ghi chú (ghi rõ họ tên chủ hộ)" name no one (a plan annex with such a column was read as a list, and lost)
        tags.discard("head_name")
    return tuple(f for f in PRIORITY if f in tags)


_ABOUT = re.compile(r"^thong tin (?:ve )?")  # "Thông tin chủ hộ" over "Họ và tên | Năm sinh | Số CCCD": the head's
_HEADER_FIELDS = ("head_name", "relation")  # the first fields that decide a header row
_NOT_HEADER: set[str] = set()  # texts whose first field is neither
@lru_cache(maxsize=50_000)
def _first_field(label: str) -> str:
    """The field a label names first ("" none): every sheet's first rows are asked."""
    return next(iter(_fields_of(label)), "")


def _word(text: str) -> frozenset[str]:
    return load_vocabulary().household_words.leading(text)


@lru_cache(maxsize=4096)
def _group_of(text: str) -> str | None:
    """poor / near_poor from a cell or a section row's text ("Hộ cận nghèo", "HCN", "II. HỘ NGHÈO")."""
    words = _word(_ROMAN.sub("", text))
    if "word.list" in words:  # "Danh sách hộ cận nghèo"
        folded = fold(_ROMAN.sub("", text)).replace("danh sach", "", 1)
        words = _word(folded)
    return "near_poor" if "word.near_poor" in words else "poor" if "word.poor" in words else None


def _sheet_group(sheet: Sheet, title: list[str]) -> str | None:
    """The group a sheet's name or title gives all its rows (a sheet each), when it names one alone."""
    for text in (sheet.name, " ".join(title)):
        folded = f" {fold(text)} "
        near = " can ngheo " in folded or " hcn " in folded
        poor = " ngheo " in folded.replace(" can ngheo ", " ") or " hn " in folded
        if near != poor:
            return "near_poor" if near else "poor"
    return None


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The header row naming the head of household and enough other list fields, and its fields. A title
    naming a list of households ("DANH SÁCH HỘ NGHÈO") makes one field besides the head's name enough."""
    if not names_any(header_texts(sheet), _NOT_HEADER, lambda text: _first_field(text) in _HEADER_FIELDS):
        return None  # no cell of those rows names the head of household (or a person's relation): most sheets
    start = first_filled(sheet)
    for r in range(start, min(len(sheet.rows), start + HEADER_SCAN)):
        row = sheet.rows[r]
        found: dict[str, int] = {}
        for j, v in enumerate(row):
            if v.__class__ is str and v and (f := _first_field(v)):
                found.setdefault(f, j)
        if "relation" in found:  # a row per person ("Quan hệ với chủ hộ"): not a list of households
            return None
        if "head_name" in found:
            # fields merged over two header rows may sit in the row below ("Chỉ số thiếu hụt" over 1…12), when that
            # row is a header's, not the first household's (a note "CCCD 0019…" there names no column)
            name_col = found["head_name"]
            if not C.filled(sheet.value(r + 1, name_col)) or _band_bottom(sheet, r, name_col) > r:
                for j in range(sheet.width):
                    for f in _fields_of(_shown(sheet, r + 1, j))[:1]:
                        found.setdefault(f, j)
            evidence = len(EVIDENCE & set(found))
            if evidence >= MIN_EVIDENCE or (evidence and _titled_list(sheet, start, r)):
                return r, found
    return None


def _titled_list(sheet: Sheet, start: int, top: int) -> bool:
    """A title line above the header names a list of households: "Danh sách hộ nghèo ..."."""
    words = load_vocabulary().household_words
    for r in range(start, top):
        for v in sheet.rows[r]:
            if isinstance(v, str) and "word.list" in words.leading(v) and _group_of(v):
                return True
    return False


def _band_bottom(sheet: Sheet, top: int, name_col: int) -> int:
    """The last header row: rows under the top one while the head's-name column is merged from above,
    empty, a column number ("(2)"), or a label under a group's ("Thông tin chủ hộ" over "Họ và tên")."""
    bottom = top
    for r in range(top + 1, min(top + 4, len(sheet.rows))):
        own = _text(sheet.value(r, name_col))
        merged = any(r1 < r <= r2 and c1 <= name_col <= c2 for r1, c1, r2, c2 in sheet.merged)
        if merged or (own and (_numbering_row(sheet, r, name_col) or _label_row(sheet, r, name_col))) or (
                not own and not _group_of(" ".join(_text(v) for v in sheet.rows[r])) and _deprivation_numbers(sheet, r)):
            bottom = r
        else:
            break
    return bottom


def _label_row(sheet: Sheet, r: int, name_col: int) -> bool:
    """A sub-header row: its head's-name cell names the head ("Họ và tên") and no cell holds a number."""
    if "head_name" not in _fields_of(_text(sheet.value(r, name_col)))[:1]:
        return False
    return not any(v is not None and cell_json(v)[0] is not None for v in sheet.rows[r])


def _numbering_row(sheet: Sheet, r: int, name_col: int) -> bool:
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
            bare = _ROMAN.sub("", text)
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
    for standard in load_standards().standards:
        for ind in standard.indicators:
            if ind.key == key:
                return ind.id
    return None


def _named_indicators(sheet: Sheet, r: int) -> dict[int, int]:
    """Column -> indicator number of a header row whose labels name three or more indicators, by name or number
    ("Nguồn nước sinh hoạt", "CS4", "Chỉ số 4"), no "Chỉ số thiếu hụt" over them: a lone "Việc làm" is no set of marks."""
    found = {}
    for j, v in enumerate(sheet.rows[r]):
        text = _text(v)
        if text and not text.strip().isdigit() and (n := _indicator_number(_ROMAN.sub("", text))) and 1 <= n <= INDICATORS:
            found[j] = n
    return found if len(set(found.values())) >= 3 else {}


def _columns(sheet: Sheet, top: int, bottom: int) -> tuple[dict[str, int], dict[int, int]]:
    """field -> column, and column -> indicator number of the deprivation columns."""
    columns: dict[str, int] = {}
    deprivation: dict[int, int] = {}
    numbers = {}
    for r in range(top + 1, bottom + 1):
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
        if field == "deprivations" or (under and not label.strip(" 0123456789") and j in numbers):
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
        if field and field not in columns:
            columns[field] = j
    if deprivation:
        columns["deprivations"] = min(deprivation)  # failures about the deprivations point at the first
    return columns, deprivation


def _household(sheet: Sheet, r: int, cols: dict[str, int], deprivation: dict[int, int], group: str | None, village: str | None,
               keyed) -> dict:
    """One household row, personal values turned into keyed digests (`keyed`: giamngheo.secret.keyer()) and masks here."""
    row = sheet.rows[r]
    width = len(row)

    def get(f: str):
        return row[cols[f]] if f in cols and cols[f] < width else None

    code = re.sub(r"\s+", "", _text(get("household_code"))).upper() if "household_code" in cols else ""
    digits, digits_only = C.digits(get("id_number")) if "id_number" in cols else ("", False)
    id_text = _text(get("id_number"))
    if code:
        identifier, source = f"code:{code}", "household_code"
    elif digits:
        identifier, source = f"id:{digits}", "id_number"
    else:
        birth = C.year(get("birth")) or ""
        identifier, source = f"name:{fold(_text(get('head_name')))}|{match_key(village or '')}|{birth}", "head_name"
    if "group" in cols:
        group = _group_of(_text(get("group"))) or group
    elif "poor_mark" in cols or "near_poor_mark" in cols:
        poor = "poor_mark" in cols and C.mark(get("poor_mark")) == "1"
        near = "near_poor_mark" in cols and C.mark(get("near_poor_mark")) == "1"
        group = "near_poor" if near and not poor else "poor" if poor and not near else group
    if deprivation:
        mark = C.mark
        marks = sorted({n for j, n in deprivation.items() if mark(row[j] if j < width else None) == "1"})
        deprived = ",".join(map(str, marks))
    else:
        deprived = C.deprivation_list(get("deprivations")) if "deprivations" in cols else None
    ethnic = None
    if "minority_mark" in cols:
        ethnic = C.ethnic(get("minority_mark"), True)
    elif "ethnicity" in cols:
        ethnic = C.ethnic(get("ethnicity"), False)
    return {
        "group": group,
        "household_ref": keyed(identifier),
        "key_source": source,
        "code_ref": keyed(f"code:{code}") if code else None,
        "id_ref": keyed(f"id:{digits}") if digits else None,
        "code_masked": mask(code) if code else None,
        "id_masked": mask(digits if digits_only else re.sub(r"\s+", "", id_text)) if id_text else None,
        "id_format": None if not id_text else "ok" if digits_only and len(digits) in (9, 12) else "bad",
        "ethnic_minority": ethnic,
        "no_labour": C.mark(get("no_labour")) if "no_labour" in cols else None,
        "merit": C.mark(get("merit")) if "merit" in cols else None,
        "deprivations": deprived,
        "planned_exit_year": C.year(get("planned_exit_year")) if "planned_exit_year" in cols else None,
        "members": get("members"),
    }


def recognise(sheet: Sheet, title: list[str] | None = None) -> list[ParsedTable] | None:
    """The household list on a sheet, or None."""
    if not sheet.rows:
        return None
    found = _header(sheet)
    if found is None:
        return None
    top, _ = found
    name_col = found[1]["head_name"]
    bottom = _band_bottom(sheet, top, name_col)
    cols, deprivation = _columns(sheet, top, bottom)
    if "head_name" not in cols:
        return None
    above = title_lines(sheet, top)
    title = [line for line in above if title_like(line)]  # never a lone name above the header
    group = _sheet_group(sheet, title) if "group" not in cols else None
    alone = group  # the one group the sheet or its title names, while every household is of it: the list's subject
    # any line above may say "Thôn: Cốc Ngần" of the sheet "Cốc Ngần" (the sheet's name is kept, never the line's text)
    village = None if "village" in cols else _sheet_village(sheet.name, above)
    keys = ("row", "kind", "name", "name_key", "section", "section_index", *ATTRIBUTES, "members__num", "members__text")
    rows: dict[str, list] = {k: [] for k in keys}
    identity = [cols[f] for f in ("head_name", "household_code", "id_number") if f in cols]
    figures = [cols[f] for f in ("members", "id_number", "birth", "phone") if f in cols]
    personal = [cols[f] for f in ("id_number", "birth", "phone") if f in cols]
    section_index, unused = 0, []
    keyed = keyer(short=True)  # 72-bit digests: within a commune, two households never share one
    filled = C.filled
    for r in range(bottom + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        count, lead_cells = 0, []  # the row's filled cells, and its first two (a household's: its number and head)
        for v in cells:
            if v is not None and (v.__class__ is not str or v.strip()):
                count += 1
                if count <= 2:
                    lead_cells.append(v)
        if not count:
            continue
        first = _text(lead_cells[0])
        lead = " ".join([first, *(_text(v) for v in lead_cells[1:])])
        if "row.stop" in C.row_tags(first) or "row.stop" in C.row_tags(lead):
            break
        width = len(cells)
        has_identity = any(j < width and filled(cells[j]) for j in identity)
        has_figures = any(j < width and filled(cells[j]) for j in figures)
        if not has_figures and count <= 3:  # a section row: a group, else a village
            texts = [t for t in (_text(v) for v in cells) if t]
            named = _group_of(lead) or _group_of(texts[-1])
            if named:
                group, section_index = named, section_index + 1
                continue
            # accents matter: "Bản Nà" is a village, "Bàn Văn Lợi" a person
            if "village" not in cols and _village_named(match_key(_ROMAN.sub("", texts[-1]))):
                village = _ROMAN.sub("", texts[-1])
                continue
        if not has_identity or _numbering_row(sheet, r, name_col):
            if has_figures and not has_identity:
                unused.append([r + 1, None])  # figures of nobody named: reported, with no label (a list's cells are personal)
            continue
        if ("row.total" in C.row_tags(_text(sheet.value(r, name_col))) or "row.total" in C.row_tags(first)) and not any(
                j < width and filled(cells[j]) for j in personal):
            # a total, its label in the name column or leading the row ("Cộng Xóm 1: 11 hộ" in the code column); never a
            # household whose head is a Tổng (a surname), with a birth year or an ID number
            continue
        own_village = _text(sheet.value(r, cols["village"])) if "village" in cols else village
        household = _household(sheet, r, cols, deprivation, group, own_village or None, keyed)
        num, text = members_cell(household.pop("members"))
        for k, v in (
            ("row", r + 1),
            ("kind", "household"),
            ("name", own_village or None),
            ("name_key", match_key(own_village) if own_village else None),
            ("section", None),
            ("section_index", section_index),
            ("members__num", num),
            ("members__text", text),
            *household.items(),
        ):
            rows[k].append(v)
    # a list with no household yet is still a list (never read as some other table)
    columns = {f: c + 1 for f, c in cols.items() if f not in ("stt",)}
    subject = alone if alone and set(rows["group"]) <= {alone} else None  # "DANH SÁCH HỘ NGHÈO": of the poor alone
    return [
        ParsedTable(
            sheet=sheet.name,
            kind=KIND,
            columns=columns,
            rows=rows,
            header_rows=[top + 1, bottom + 1],
            subject=subject,
            name_column=cols["village"] + 1 if "village" in cols else None,
            labels={str(c): f for f, c in columns.items()},
            title=title,
            unused=unused,
        )
    ]
