"""Classify the rows under a header: villages, totals, subtotals, sections; stop at notes and signatures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..readers.grid import Sheet
from ..text import fold, nfc
from . import fields as F
from .breakdown_rows import (attach_breakdown, blank_breakdown, breakdown_subsets, counts_households, has_figure,
                             zero_blank_breakdowns)
from .header_fields import Band
from .header_rows import cell_text, is_numbered_row, looks_numeric
from .table_row import ROMAN, SECTION, SECTION_PREFIX, SUBTOTAL, TOTAL, VILLAGE, TableRow, is_blank
from .vocabulary import folded_words, load_vocabulary, row_label_tags

_LETTER_SECTION = re.compile(r"^[A-H]$")
_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b")
_INT = re.compile(r"^\d+(\.0)?$")
_BULLET = re.compile(r"^\s*[-+*•–—]")
MAX_BLANK_RUN = 8


@dataclass
class Rows:
    """The rows of a table as classified: the table's rows, the name column, the breakdown fields read
    from rows under a village or total (field -> 0-based column they sit in), and the rows with figures
    that are none of these (sheet row, label): reported, never dropped silently."""

    rows: list[TableRow]
    name_col: int | None
    row_fields: dict[str, int] = field(default_factory=dict)
    unused: list[tuple[int, str | None]] = field(default_factory=list)
    persons: list[int] = field(default_factory=list)  # a village's persons' row ("Khẩu" under "Hộ"): known, not counted
    next_header: int | None = None  # 0-based row where another table's header begins under this one (its rows end there)


def section_row(stt: str | None, name: str | None) -> bool:
    """A row that opens a section, not a village, by its numbering or its name: "I" or "A" in the STT column, "I. Khu
    vực …" in the name's, or a former commune ("Xã Bình An (cũ)", "Khu vực Bình An (cũ)")."""
    number = (stt or "").strip().rstrip(".")
    # accents kept: "Xà Phìn" is a village; "(cũ)" bracketed: "Khau Cũ" is a village's name
    written = " ".join(nfc(name or "").lower().split())
    return bool(
        (number and (ROMAN.match(number) or _LETTER_SECTION.match(number)))
        or (name and SECTION_PREFIX.match(name))
        or written.startswith(("xã ", "phường ", "thị trấn "))
        or re.search(r"\(\s*cũ\s*\)", written)
    )


def _section_label(stt: str | None, name: str | None) -> str:
    if stt and name and not name.startswith(stt):
        return f"{stt}. {name}"
    return name or stt or ""


def _numeric_stt(stt: str | None) -> bool:
    return bool(stt and _INT.match(stt.strip().rstrip(".")))


def _mostly_text(sample: list[list], c: int) -> bool:
    texts = [r[c] for r in sample if c < len(r) and isinstance(r[c], str) and not _INT.match(r[c].strip())]
    filled = [r[c] for r in sample if c < len(r) and not is_blank(r[c])]
    return bool(filled) and len(texts) >= 0.6 * len(filled)


def _name_column(sheet: Sheet, band: Band) -> int | None:
    """The village-name column: tagged in the header (unless it holds numbers, as a mislabelled
    STT column does), else the leftmost mostly-text column."""
    sample = sheet.rows[band.first_data_row : band.first_data_row + 40]
    tagged = band.fields.get("village_name")
    if tagged is not None and (
        _mostly_text(sample, tagged) or not any(tagged < len(r) and not is_blank(r[tagged]) for r in sample)
    ):
        return tagged
    figure_cols = [c for f, c in band.fields.items() if f not in F.ROLE_FIELDS]
    if not figure_cols:
        return tagged
    stt = band.fields.get("stt")
    for c in range(min(figure_cols)):
        if c not in (stt, tagged) and _mostly_text(sample, c):
            return c
    return tagged


def _table_goes_on(sheet: Sheet, r: int, figure_cols) -> bool:
    """Whether the next non-blank row after a note row (0-based r) still carries figures.

    Signature blocks and notes below a table hold no figures; a second table below
    starts with header text. A note inside the table is followed by more villages.
    """
    cols = list(figure_cols)
    for nxt in range(r + 1, min(r + 3, len(sheet.rows))):
        cells = sheet.rows[nxt]
        if _blank_row(cells):
            continue
        first_text = _first_text(cells)
        if first_text and _ends_table(first_text):
            return False
        return sum(looks_numeric(sheet.value(nxt, c)) for c in cols) * 2 >= len(cols) > 0
    return False


_DIGITS = re.compile(r"\d+")


def _page_line(label: str) -> bool:
    """A printed page's own line (vocabulary `rows.page`); asked of labels holding the unaccented "trang" or "sang"."""
    low = label.lower()
    return ("trang" in low or "sang" in low) and "row.page" in row_label_tags(_DIGITS.sub("0", label))


def _continues(previous: str | None, text: str) -> bool:
    """A row of text only that goes on with the village name above: an opened bracket closed, or a lower-case start."""
    return bool(previous) and (previous.count("(") > previous.count(")") or text.lstrip()[:1].islower())


def _short_name(cells: list, name_col: int | None) -> bool:
    """No village's name in the name column (a row of column numbers has "B" or "2" there): asked first, at C speed."""
    v = cells[name_col] if name_col is not None and name_col < len(cells) else None
    return v is not None and (v.__class__ is not str or len(v.strip()) <= 3)


def _text_figure(cells: list, cols: list[int]) -> bool:
    """Words in a figure's column (a header row's label), not a number, a dash or nothing: asked first."""
    width = len(cells)
    for c in cols:
        v = cells[c] if c < width else None
        if v.__class__ is str and len(v) > 3 and not looks_numeric(v):
            return True
    return False


def _header_row(cells: list) -> bool:
    """A row of header labels: three texts or more that are no figures, each naming a column, and no figures."""
    words = [v for v in cells if v.__class__ is str and v.strip() and not looks_numeric(v)]
    if len(words) < 3:
        return False
    if any(v is not None and not isinstance(v, str) and not (isinstance(v, (int, float)) and 2000 <= v <= 2100) for v in cells):
        return False
    header = load_vocabulary().header
    return sum(1 for v in words if header.tags(v)) >= 3


def _band_texts(sheet: Sheet, band: Band) -> set[tuple[int, tuple[str, ...]]]:
    """(column, folded words) of the band's header rows: what a header repeated down the table shows again."""
    return {(c, folded_words(v)) for r in range(band.top, band.bottom + 1)
            for c, v in enumerate(sheet.rows[r] if r < len(sheet.rows) else []) if v.__class__ is str and v.strip()}


def _repeats_band(cells: list, texts: set[tuple[int, tuple[str, ...]]]) -> bool:
    """Every label of the row is the band's, in its column (another table's header differs in one at least: "Số hộ
    cận nghèo đầu năm" under the poor's "Số hộ nghèo đầu năm")."""
    words = [(c, folded_words(v)) for c, v in enumerate(cells) if v.__class__ is str and v.strip()]
    return len(words) >= 2 and all(w in texts for w in words)


def _blank_row(cells: list) -> bool:
    for v in cells:
        if v is not None and (not isinstance(v, str) or v.strip()):
            return False
    return True


def _first_text(cells: list) -> str:
    return next((v for v in cells if isinstance(v, str) and v.strip()), "")


@lru_cache(maxsize=65536)
def _ends_table(text: str) -> bool:
    """A note, a signature or a date line ("Phú Thịnh, ngày 10 tháng 1 năm 2026")."""
    text = nfc(text)
    return "row.stop" in row_label_tags(text) or bool(_DATE_LINE.search(fold(text[:120])))


def _counted(cells: list, cols: list[int]) -> bool:
    """A number other than 0 in a figure's column of the row."""
    width = len(cells)
    return any(c < width and has_figure(cells[c]) and looks_numeric(cells[c]) for c in cols)


_HOUSEHOLDS_LINE = ("hộ ", "số hộ ")


def _households_line(label: str | None, stt: str | None, values: dict) -> bool:
    """An unnumbered row naming households, not a place ("Hộ mới phát sinh", "Số hộ thuộc diện bảo trợ"), with no
    households of its own in the total's column: a line about some households, no village."""
    if not label or _numeric_stt(stt):
        return False
    written = " ".join(nfc(label).lower().lstrip("-+*•–— ").split())
    totals = [v for f, v in values.items() if f.startswith("total_households")]
    return written.startswith(_HOUSEHOLDS_LINE) and all(is_blank(v) for v in totals)


def classify_rows(sheet: Sheet, band: Band) -> Rows:
    """The table's rows in order, the name column used (None when there is none), breakdown rows
    folded into the row they break down, and the rows with figures left unused."""
    name_col = _name_column(sheet, band)
    stt_col = band.fields.get("stt")
    breakdown_col = band.fields.get("breakdown")
    figures = {f: c for f, c in band.fields.items() if f not in F.ROLE_FIELDS}
    out: list[TableRow] = []
    row_fields: dict[str, int] = {}
    unused: list[tuple[int, str | None]] = []
    persons: list[int] = []
    section, section_index, blank_run = None, 0, 0
    band_texts, next_header = None, None
    # a former commune's column before the villages' names ("Xã (cũ) | Tên thôn", merged down its villages): each
    # village's area, its section where the table has none (villages named alike in two former communes are two)
    former_col = next(
        (c.index for c in band.columns if c.field is None and c.index != name_col and {"unit.commune", "role.name"} <= c.tags),
        None,
    )
    area = None
    figure_cols = sorted(figures.values())
    for r in range(band.first_data_row, len(sheet.rows)):
        cells = sheet.rows[r]
        if _blank_row(cells):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN and out:
                break
            continue
        blank_run = 0
        if out and _short_name(cells, name_col) and is_numbered_row(cells):
            continue  # the column numbers repeated under a page break ("A | B | 1 | 2 | 3")
        if out and _text_figure(cells, figure_cols) and _header_row(cells):
            if _repeats_band(cells, band_texts if band_texts is not None else (band_texts := _band_texts(sheet, band))):
                continue  # the header printed again on the next page: the villages go on below it
            while out and out[-1].kind == SECTION and not out[-1].values:  # "II. DIỄN BIẾN HỘ CẬN NGHÈO": the next table's
                out.pop()
            next_header = r  # another table's header: this one ends here
            break
        first_text = _first_text(cells)
        if first_text and _ends_table(first_text):
            if out and _table_goes_on(sheet, r, figures.values()):
                # a note among the villages ("Ghi chú: số liệu tạm tính"): the villages go on below
                if any(not is_blank(cells[c]) for c in figures.values() if c < len(cells)):
                    unused.append((r + 1, first_text))
                continue
            if out and _counted(cells, figure_cols):
                # the table's last row, a note with figures ("Ghi chú: hộ nghèo thuộc diện bảo trợ xã hội | 6 | 1"): said
                # (it was dropped without a word; independent probe, Sơn La)
                unused.append((r + 1, first_text))
            break
        name = cell_text(sheet.value(r, name_col)) if name_col is not None else None
        stt = cell_text(sheet.value(r, stt_col)) if stt_col is not None else None
        if name is None and stt and SECTION_PREFIX.match(stt):
            # a section's heading typed in the numbering column ("I. Khu vực Xã Hợp Lý (cũ)", merged over the name's or
            # not): its villages had no section, each "Cộng" checked against the whole commune (layouts judge, Thanh Hóa)
            name, stt = stt, None
        width = len(cells)
        values = {f: cells[c] if c < width else None for f, c in figures.items()}
        has_numbers = any(not is_blank(v) for v in values.values())
        if breakdown_col is not None:
            if "row.persons" in load_vocabulary().rows.exact(cell_text(sheet.value(r, breakdown_col)) or ""):
                persons.append(r + 1)
                continue  # the persons' row of a village counted both ways
        label = name or (stt if stt and not _numeric_stt(stt) else None)
        label_tags = row_label_tags(label) if label else frozenset()
        if label and _page_line(label):
            continue  # a printed page's subtotal or carry ("Cộng trang 1", "Trang 1 mang sang"): the villages are counted
        if "row.rate" in label_tags and not _numeric_stt(stt):
            continue  # the rates of the counts above ("Tỷ lệ (%)" under the total): recomputed from the counts
        if (
            has_numbers
            and label
            and (subsets := breakdown_subsets(label))
            and (not _numeric_stt(stt) or counts_households(label))
        ):
            # (a province's targets keep no subsets: "- Trong đó: vùng DTTS | 1200 | 95" went nowhere, without a word)
            if band.kind == F.TARGETS or not attach_breakdown(out, r, label, subsets, values, figures, row_fields):
                unused.append((r + 1, label))
            continue
        if not has_numbers and label and out and blank_breakdown(label, stt):
            attach_breakdown(out, r, label, breakdown_subsets(label), values, figures, row_fields)  # its subset: none
            continue
        if "row.ignore" in label_tags:
            if has_numbers:
                unused.append((r + 1, label))
            continue
        if name and not has_numbers and not stt and out and out[-1].kind == VILLAGE and _continues(out[-1].name, name):
            out[-1].name = f"{out[-1].name} {name}"  # a long name wrapped onto the next row ("(sáp nhập" / "thôn Nà Chè cũ)")
            continue
        section_match = SECTION_PREFIX.match(name) if name else None
        if "row.total" in label_tags and (fold(label) in _TOTAL_EXACT() or not _numeric_stt(stt)):
            out.append(TableRow(r + 1, TOTAL, name or stt, section, section_index, values))
        elif (stt and (ROMAN.match(stt.strip().rstrip(".")) or _LETTER_SECTION.match(stt.strip()))) or section_match or (
            name and not has_numbers and not _numeric_stt(stt)
        ):
            section_index += 1
            section = _section_label(stt.strip().rstrip(".") if stt else None, name)
            kind = SUBTOTAL if has_numbers else SECTION
            out.append(TableRow(r + 1, kind, name, section, section_index, values))
        elif name is None and not has_numbers:
            continue
        elif out and _households_line(label, stt, values):
            unused.append((r + 1, label))  # "Hộ mới phát sinh | | 3 | 2" under a village: no village (probe, Sơn La)
        else:
            if former_col is not None and (section is None or section == area):
                cell = sheet.value(r, former_col)
                text = (
                    cell_text(cell) if cell.__class__ is str and not looks_numeric(cell) else None
                )  # "Xã" over the STT: no area
                if text and text != area:  # the next former commune's villages: a section of its own
                    area = section = text
                    section_index += 1
            out.append(TableRow(r + 1, VILLAGE, name, section, section_index, values))
    while out and out[-1].kind == SECTION:
        out.pop()  # a heading with nothing under it in this table: the next table's ("II. HỘ CẬN NGHÈO" over it), its title
    _settle_totals(out)
    zero_blank_breakdowns(out)
    return Rows(out, name_col, row_fields, unused, persons, next_header)


def _settle_totals(rows: list[TableRow]) -> None:
    """Decide which declared totals are a section's subtotal and which the grand total.

    A total before any section is the grand total. Inside the sections, a total
    followed by another total belongs to its section; the last one is the grand
    total unless it reads like a plain "Cộng" closing the last of sections that
    all have their own subtotal. A trailing unnamed row of figures after the
    named villages, with no labelled total anywhere, is read as an unlabelled total.
    """
    if (rows and rows[-1].kind == VILLAGE and rows[-1].name is None and not any(r.kind == TOTAL for r in rows)
            and any(r.name for r in rows)):  # where no row is named (communes by code alone), no row is an unnamed total
        rows[-1].kind = TOTAL
    totals = [i for i, r in enumerate(rows) if r.kind == TOTAL and r.section_index > 0]
    for n, i in enumerate(totals):
        r = rows[i]
        if n < len(totals) - 1:
            r.kind = SUBTOTAL
            continue
        own_section_done = any(x.kind == SUBTOTAL and x.section_index == r.section_index for x in rows[:i])
        if own_section_done or load_vocabulary().grand_total.tags(r.name or ""):
            continue
        sections = {x.section_index for x in rows if x.section_index}
        with_subtotal = {x.section_index for x in rows if x.kind == SUBTOTAL}
        if len(sections) > 1 and sections - {r.section_index} <= with_subtotal:
            r.kind = SUBTOTAL


_TOTAL_EXACT_CACHE: set[str] = set()


def _TOTAL_EXACT() -> set[str]:
    if not _TOTAL_EXACT_CACHE:
        from .vocabulary import load_vocabulary

        vocab = load_vocabulary()
        _TOTAL_EXACT_CACHE.update(" ".join(k) for k, tags in vocab.rows.phrases.items() if "row.total" in tags)
    return _TOTAL_EXACT_CACHE
