"""Plan-annex layouts: one named function per way real offices lay out the village table.

Every layout function takes a :class:`PlanSpec` and a random.Random and returns a
:class:`Written` (the workbook model, its format, CSV options, and the truth rows:
village, [section], total, poor, near, pred, nred, row = the 1-based sheet row or
CSV line). :func:`write_plan_table` is the public entry point.

Village values are written as they are given: a planted value such as "5 hộ",
-3 or 12.5 goes into the file as such (as text, a negative or a fractional number).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .encodings import encode_cell
from .names import person_name
from .util import CommuneTitled, ascii_name, fraction, is_number, nfc, rate, round_half_up, sub_rng, vn_number
from .writers import Book, Sheet, a1, save_book

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
RATE_PARTS = {"poor_rate": ("poor", "total"), "near_rate": ("near", "total"),
              "pred_rate": ("pred", "total"), "nred_rate": ("nred", "total")}
COUNTS = ("total", "poor", "near", "pred", "nred")


# --- specification -------------------------------------------------------------


@dataclass
class PlanSpec(CommuneTitled):
    commune: str  # official name with its type: "Xã Phú Linh"
    villages: list[dict]
    year: int = 2026
    province: str | None = None
    title_name: str | None = None  # the unit named in titles; None = commune, "" = none at all
    doc_date: tuple[int, int] | None = None  # (day, month) of the document; None = day left blank
    doc_number: int | None = None
    declared: dict = field(default_factory=dict)  # total-row values that differ from the sums
    rate_errors: dict = field(default_factory=dict)  # village index -> points added to a stated rate
    hidden: set = field(default_factory=set)  # village indices whose rows are hidden
    formula: tuple | None = None  # (village index, field): a formula without cached value
    drop: set = field(default_factory=set)  # fields left out of the table ("poor")
    cells: dict = field(default_factory=dict)  # (village index, field) -> exact cell value
    texts: dict = field(default_factory=dict)  # layout text overrides ("title", "subtitle", "prose", ...)
    signer: str | None = None
    seed: int | str = 0
    prose_only: bool = False  # write the letter / plan text only, no table

    @property
    def unit_type(self) -> str:
        name = self.title or self.commune
        for t in ("Phường", "Đặc khu", "Xã", "Thị trấn"):
            if name.startswith(t + " "):
                return t.lower()
        return "xã"

    @property
    def bare(self) -> str:
        name = self.title
        for t in ("Phường ", "Đặc khu ", "Xã ", "Thị trấn "):
            if name.startswith(t):
                return name[len(t):]
        return name

    @property
    def sections(self) -> list[str]:
        out = []
        for v in self.villages:
            s = v.get("section")
            if s is not None and s not in out:
                out.append(s)
        return out


@dataclass
class Written:
    book: Book
    fmt: str
    rows: list[dict]
    csv: dict = field(default_factory=dict)


@dataclass
class Col:
    field: str  # stt, name, total, poor, near, pred, nred, *_rate, note
    labels: tuple
    width: float = 11.0


@dataclass
class Render:
    numbers: str = "number"  # number | text (Vietnamese text: "5.441", "0,79")
    zero: str = "zero"  # zero | blank | dash | endash ("–") | mixed (blank, some "-")
    rate_zero: str = "zero"  # zero | blank | x
    rate_mode: str = "points"  # points (0.79) | fraction (0.0079 in a 0.00% cell)
    rate_digits: int = 2
    total_rate_digits: int | None = None
    rate_base: dict = field(default_factory=dict)  # rate field -> denominator field
    encoding: str | None = None  # tcvn3 | vni | nfd
    ascii: bool = False  # text typed without diacritics
    int_fmt: str = "#,##0"
    font: str | None = None  # style token for the font
    name_pad: float = 0.0  # share of names written with stray spaces around them


# --- helpers -------------------------------------------------------------------


def _txt(value, render: Render):
    if not isinstance(value, str):
        return value
    if render.ascii:
        value = ascii_name(value)
    return encode_cell(value, render.encoding)


def _style(render: Render, base: str) -> str:
    return f"{base} {render.font}".strip() if render.font else base


def _count_cell(value, render: Render, rng: random.Random, zero: str | None = None):
    if value is None:
        return None
    if isinstance(value, str):
        return value
    mode = zero or render.zero
    if value == 0:
        if mode == "blank":
            return None
        if mode == "dash":
            return "-"
        if mode == "mixed":
            return "-" if rng.random() < 0.12 else None
        if mode == "endash":
            return "–"
        return "0" if render.numbers == "text" else 0
    if render.numbers == "text":
        return vn_number(value)
    return value


def _rate_value(num, den, digits: int, render: Render, delta: float = 0.0):
    if not (is_number(num) and is_number(den)) or den == 0:
        return None
    if render.rate_mode == "fraction":
        value = fraction(num, den)
        return value + delta / 100 if delta else value
    value = rate(num, den, digits)
    return round_half_up(value + delta, digits) if delta else value


def _rate_cell(value, digits: int, render: Render, zero_count: bool):
    if value is None:
        return None
    if zero_count and render.rate_zero == "blank":
        return None
    if zero_count and render.rate_zero == "x":
        return "x"
    if render.numbers == "text":
        if render.rate_mode == "fraction":
            return vn_number(value * 100, digits) + "%"
        return vn_number(value, digits)
    return value


def _rate_fmt(render: Render, digits: int) -> str:
    if render.rate_mode == "fraction":
        return "fmt:0." + "0" * digits + "%"
    return "fmt:0." + "0" * digits if digits else "fmt:0"


def _sums(villages: list[dict]) -> dict:
    out = {}
    for f in COUNTS:
        vals = [v.get(f) for v in villages]
        out[f] = sum(x for x in vals if is_number(x))
    return out


def _filter_cols(cols: list[Col], spec: PlanSpec, render: Render) -> list[Col]:
    out = []
    for col in cols:
        if col.field in spec.drop:
            continue
        if col.field in RATE_PARTS:
            num, den = RATE_PARTS[col.field]
            den = render.rate_base.get(col.field, den)
            if num in spec.drop or den in spec.drop:
                continue
        out.append(col)
    return out


def write_header(sheet: Sheet, cols: list[Col], top: int, left: int, render: Render, style: str = "b bd c w") -> int:
    """Header rows from `top`; equal labels under equal parents merge across, missing
    labels (None) merge down. Returns the first row after the header."""
    depth = len(cols[0].labels)
    st = _style(render, style)
    for level in range(depth):
        c = 0
        while c < len(cols):
            label = cols[c].labels[level]
            if label is None:
                c += 1
                continue
            bottom = level
            while bottom + 1 < depth and cols[c].labels[bottom + 1] is None:
                bottom += 1
            end = c
            if bottom == level and level + 1 < depth:
                while (end + 1 < len(cols) and cols[end + 1].labels[: level + 1] == cols[c].labels[: level + 1]
                       and cols[end + 1].labels[level + 1] is not None):
                    end += 1
            sheet.set(top + level, left + c, _txt(label, render), st)
            for cc in range(c, end + 1):
                for rr in range(level, bottom + 1):
                    sheet.styles.setdefault((top + rr, left + cc), st)
            if end > c or bottom > level:
                sheet.merge(top + level, left + c, top + bottom, left + end, st)
            c = end + 1
    for i, col in enumerate(cols):
        sheet.widths[left + i] = col.width
    return top + depth


def write_body(sheet: Sheet, spec: PlanSpec, rng: random.Random, cols: list[Col], row: int, left: int, render: Render, *,
               total_label: str | None, total_first: bool = False, numbering: list | None = None,
               section_stt: bool = False, notes: dict | None = None, stt_text: bool = False,
               total_style: str = "b bd", cell_style: str = "bd") -> tuple[list[dict], int]:
    """Numbered row (optional), total row (first or last), section rows with subtotals and
    village rows. Returns (truth rows, first free row)."""
    index = {col.field: left + i for i, col in enumerate(cols)}
    if numbering:
        for i, label in enumerate(numbering[: len(cols)]):
            sheet.set(row, left + i, _txt(label, render), _style(render, "i bd c"))
        row += 1
    truth: list[dict] = []
    has_sections = bool(spec.sections)

    def values_row(r: int, values: dict, kind: str, label, stt, village_index: int | None) -> None:
        bold = kind in ("total", "section")
        base = total_style if bold else cell_style
        for col in cols:
            c = index[col.field]
            f = col.field
            if f == "stt":
                value = stt
                if stt_text and is_number(stt):
                    value = str(stt)
                sheet.set(r, c, _txt(value, render), _style(render, base + " c"))
                continue
            if f == "name":
                sheet.set(r, c, _txt(label, render), _style(render, base))
                continue
            if f == "note":
                sheet.set(
                    r, c, _txt((notes or {}).get(village_index), render) if kind == "village" else None, _style(render, base)
                )
                continue
            if village_index is not None and (village_index, f) in spec.cells:
                raw = spec.cells[(village_index, f)]
                fmt_token = ""
                if f in RATE_PARTS and is_number(raw):
                    fmt_token = " " + _rate_fmt(render, render.rate_digits)
                sheet.set(r, c, _txt(raw, render), _style(render, base + fmt_token))
                continue
            if f in COUNTS:
                cell = _count_cell(values.get(f), render, rng)
                if isinstance(cell, str) and kind == "village" and not is_number(values.get(f)):
                    cell = _txt(cell, render)
                sheet.set(r, c, cell, _style(render, base + (f" fmt:{render.int_fmt}" if is_number(cell) else "")))
                continue
            if f in RATE_PARTS:
                num_f, den_f = RATE_PARTS[f]
                den_f = render.rate_base.get(f, den_f)
                digits = render.rate_digits
                if kind == "total" and render.total_rate_digits is not None:
                    digits = render.total_rate_digits
                delta = spec.rate_errors.get(village_index, 0.0) if (kind == "village" and f == "pred_rate") else 0.0
                num, den = values.get(num_f), values.get(den_f)
                if kind == "total" and f in spec.declared:
                    value = spec.declared[f]
                else:
                    value = _rate_value(num, den, digits, render, delta)
                cell = _rate_cell(value, digits, render, zero_count=(num == 0 and not delta))
                sheet.set(r, c, cell, _style(render, base + (" " + _rate_fmt(render, digits) if is_number(cell) else "")))
        if village_index is not None and spec.formula and spec.formula[0] == village_index:
            f = spec.formula[1]
            c = index[f]
            refs = {k: a1(r, index[k]) for k in ("poor", "near", "total") if k in index}
            v = spec.villages[village_index]
            if f == "total" and "poor" in refs and "near" in refs:
                formula = f"{refs['poor']}+{refs['near']}+{v['total'] - v['poor'] - v['near']}"
            elif f == "pred" and "poor" in refs:
                formula = f"ROUND({refs['poor']}*0.3,0)"
            else:
                formula = f"{v[f]}+0"
            sheet.formulas[(r, c)] = formula

    def total_row() -> None:
        nonlocal row
        values = _sums(spec.villages)
        values.update({k: v for k, v in spec.declared.items() if k in COUNTS})
        values_row(row, values, "total", total_label, None, None)
        row += 1

    if total_first and total_label:
        total_row()
    # villages of a section are written together, sections in order of first appearance
    groups = list(dict.fromkeys(v.get("section") for v in spec.villages)) if has_sections else [None]
    for s_i, section in enumerate(groups):
        members = [i for i, v in enumerate(spec.villages) if v.get("section") == section]
        if section is not None:
            values = _sums([spec.villages[i] for i in members])
            values_row(row, values, "section", section, ROMAN[s_i] if section_stt else None, None)
            row += 1
        for n, i in enumerate(members, 1):
            v = spec.villages[i]
            name = v["village"]
            written = name
            if render.name_pad and rng.random() < render.name_pad:
                written = rng.choice([" ", "  "]) + name if rng.random() < 0.5 else name + " "
            values_row(row, v, "village", written, n, i)
            if i in spec.hidden:
                sheet.hidden_rows.add(row)
            truth_name = ascii_name(name) if render.ascii else nfc(name)
            t = {"village": truth_name.strip()}
            t["section"] = section
            for f in COUNTS:
                t[f] = None if f in spec.drop else v.get(f)
            t["row"] = row
            truth.append(t)
            row += 1
    if not total_first and total_label:
        total_row()
    return truth, row


def _ward_words(spec: PlanSpec) -> tuple[str, str]:
    """(type word, village label) for the commune: ("xã", "Tên thôn") or ("phường", "Tổ dân phố")."""
    if spec.ward:
        return "phường", "Tổ dân phố"
    if spec.commune.startswith("Đặc khu"):
        return "đặc khu", "Thôn"
    return "xã", "Tên thôn"


def _unit_upper(spec: PlanSpec) -> str | None:
    return f"UBND {spec.title.upper()}" if spec.title else None


def _date_line(spec: PlanSpec) -> str:
    place = spec.bare or "......"
    if spec.doc_date:
        d, m = spec.doc_date
        return f"{place}, ngày {d} tháng {m} năm {spec.year}"
    return f"{place}, ngày      tháng 5 năm {spec.year}"


def _csv_heading(sheet: Sheet, spec: PlanSpec, cols: list[Col], authority: str, title: str) -> int:
    """A CSV export's lines above its table (the authority when the title names one, the title, the
    date line) and its one header row; the row the body starts at."""
    row = 1
    if spec.title:
        sheet.set(row, 1, authority)
        row += 1
    sheet.set(row, 1, spec.texts.get("title", title))
    row += 1
    if spec.doc_date:
        sheet.set(row, 1, _date_line(spec))
        row += 1
    for i, col in enumerate(cols):
        sheet.set(row, 1 + i, col.labels[0])
    return row + 1


def _date_phrase(spec: PlanSpec) -> str:
    if spec.doc_date:
        d, m = spec.doc_date
        return f"ngày {d:02d}/{m:02d}/{spec.year}"
    return f"ngày    /5/{spec.year}"


def _of_unit(spec: PlanSpec) -> str:
    if not spec.title:
        return "UBND xã"
    t = spec.unit_type
    return f"UBND {t} {spec.bare}"


def _signature(sheet: Sheet, row: int, col: int, spec: PlanSpec, rng: random.Random, render: Render, deputy: bool = True) -> int:
    lines = ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] if deputy else ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    for text in lines:
        sheet.set(row, col, _txt(text, render), _style(render, "b c"))
        row += 1
    row += 3
    sheet.set(row, col, _txt(spec.signer or person_name(rng), render), _style(render, "b c"))
    return row + 1


# --- the prose sheets ------------------------------------------------------------


def plan_prose_lines(spec: PlanSpec) -> list[str]:
    """The plan document a seed-style workbook carries on its first sheet."""
    if "prose" in spec.texts:
        return list(spec.texts["prose"])
    t = spec.unit_type
    unit = f"{t} {spec.bare}" if spec.title else t
    province = spec.province or "tỉnh"
    num = spec.doc_number or ""
    lines = [
        f"ỦY BAN NHÂN DÂN {unit.upper()}" if spec.title else "ỦY BAN NHÂN DÂN",
        f"Số: {num}/KH-UBND" if num else "Số:      /KH-UBND",
        _date_line(spec),
        "KẾ HOẠCH",
        f"Thực hiện công tác giảm nghèo năm {spec.year} trên địa bàn {unit}",
        f"Căn cứ Quyết định số 2612/QĐ-UBND ngày 30/12/{spec.year - 1} của UBND tỉnh về việc giao kế hoạch phát triển "
        f"kinh tế - xã hội {province} năm {spec.year};",
        f"Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo năm {spec.year - 1};",
        f"Ủy ban nhân dân {unit} xây dựng Kế hoạch thực hiện công tác giảm nghèo năm {spec.year} trên địa bàn, như sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Tổ chức triển khai công tác giảm nghèo đồng bộ, hiệu quả, phấn đấu hoàn thành mục tiêu giảm nghèo đa chiều, "
        "hạn chế tái nghèo, góp phần nâng cao đời sống của người dân.",
        "II. CHỈ TIÊU",
        "Phấn đấu giảm tỷ lệ hộ nghèo theo chỉ tiêu được giao (có biểu chi tiết kèm theo)."
        if not spec.prose_only else "Phấn đấu giảm tỷ lệ hộ nghèo theo chỉ tiêu tỉnh giao.",
        "III. NHIỆM VỤ, GIẢI PHÁP",
        "Tuyên truyền, vận động hộ nghèo, hộ cận nghèo chủ động vươn lên thoát nghèo; lồng ghép các nguồn lực hỗ trợ.",
        "Nơi nhận:",
        "- UBND tỉnh (b/c);",
        "- Thường trực Đảng ủy, HĐND xã;",
        "- Lưu: VT.",
    ]
    return lines


def _prose_sheet(book: Book, name: str, lines: list[str], spec: PlanSpec, rng: random.Random, render: Render) -> Sheet:
    sheet = book.add(name)
    row = 1
    for line in lines:
        style = "b c" if line.isupper() or line.startswith(("KẾ HOẠCH", "I.", "II.", "III.")) else ""
        sheet.set(row, 1, _txt(line, render), _style(render, style) or None)
        row += 2 if line.startswith(("Số", "KẾ HOẠCH")) else 1
    sheet.widths[1] = 90
    _signature(sheet, row + 1, 1, spec, rng, render)
    return sheet


# --- layouts -----------------------------------------------------------------------


def layout_seed(spec: PlanSpec, rng: random.Random) -> Written:
    """Phú Thịnh style: plan text on "Kế hoạch", the annex on "Phụ lục" with a 2-row merged
    header, zeros left blank (some "-"), 1-decimal rates, "Tổng" last, signature below."""
    render = Render(zero=spec.texts.get("zero", "mixed"), rate_zero="blank", rate_digits=1, total_rate_digits=2)
    book = Book(creator="UBND")
    _prose_sheet(book, "Kế hoạch", plan_prose_lines(spec), spec, rng, render)
    sheet = book.add("Phụ lục")
    book.active = 1
    type_word, village_label = _ward_words(spec)
    village_label = spec.texts.get("village_label", "Tổ dân phố" if spec.ward else "Tên xóm")
    y = spec.year
    cols = [
        Col("stt", ("STT", None), 5),
        Col("name", (village_label, None), 22),
        Col("total", (f"Thời điểm 31/12/{y - 1}", "Tổng số hộ"), 10),
        Col("poor", (f"Thời điểm 31/12/{y - 1}", "Số hộ nghèo"), 10),
        Col("near", (f"Thời điểm 31/12/{y - 1}", "Số hộ cận nghèo"), 10),
        Col("pred", (f"Chỉ tiêu giao giảm nghèo năm {y}", "Số hộ nghèo giảm"), 10),
        Col("pred_rate", (f"Chỉ tiêu giao giảm nghèo năm {y}", "Tỷ lệ giảm %"), 9),
        Col("nred", (f"Chỉ tiêu giao giảm nghèo năm {y}", "Số hộ cận nghèo giảm"), 10),
        Col("nred_rate", (f"Chỉ tiêu giao giảm nghèo năm {y}", "Tỷ lệ giảm%"), 9),
    ]
    cols = _filter_cols(cols, spec, render)
    n = len(cols)
    title = spec.texts.get("title", f"KẾ HOẠCH PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO VÀ HỘ CẬN NGHÈO NĂM {y}")
    num = spec.doc_number or ""
    if spec.doc_date:
        when = f"ngày {spec.doc_date[0]} tháng {spec.doc_date[1]} năm {y}"
    else:
        when = f"ngày    tháng 5 năm {y}"
    subtitle = spec.texts.get("subtitle", f"(Kèm theo Kế hoạch số {num}/KH-UBND {when} của {_of_unit(spec)})"
                              if spec.title else f"(Kèm theo Kế hoạch số {num}/KH-UBND {when})")
    sheet.set(1, 1, title, "b c sz13")
    sheet.merge(1, 1, 1, n)
    sheet.set(2, 1, subtitle, "i c")
    sheet.merge(2, 1, 2, n)
    row = write_header(sheet, cols, 4, 1, render)
    sheet.heights[5] = 48
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label="Tổng")
    _signature(sheet, row + 1, max(2, n - 3), spec, rng, render)
    return Written(book, "xlsx", truth)


def layout_flat_total_first(spec: PlanSpec, rng: random.Random) -> Written:
    """One header row, the commune total first ("Toàn xã"), rates as Excel percentages,
    a notes column, "Người lập biểu" below."""
    render = Render(rate_mode="fraction", rate_digits=2)
    book = Book(creator="Ke toan")
    sheet = book.add(rng.choice(["Bieu 01", "Biểu 01", "Sheet1", "PL01"]))
    type_word, _ = _ward_words(spec)
    label = "Tên tổ dân phố" if spec.ward else rng.choice(["Tên thôn", "Tên thôn, xóm", "Tên thôn"])
    y = spec.year
    cols = [
        Col("stt", ("TT",), 5), Col("name", (label,), 24), Col("total", ("Tổng số hộ dân",), 10),
        Col("poor", ("Hộ nghèo",), 9), Col("near", ("Hộ cận nghèo",), 9),
        Col("pred", ("Chỉ tiêu giảm hộ nghèo (hộ)",), 12), Col("pred_rate", ("Tỷ lệ giảm hộ nghèo (%)",), 12),
        Col("nred", ("Chỉ tiêu giảm hộ cận nghèo (hộ)",), 12), Col("nred_rate", ("Tỷ lệ giảm hộ cận nghèo (%)",), 12),
        Col("note", ("Ghi chú",), 14),
    ]
    cols = _filter_cols(cols, spec, render)
    unit_line = spec.texts.get("unit_line", _unit_upper(spec))
    if unit_line:
        sheet.set(1, 1, unit_line, "b")
    sheet.set(2, 1, spec.texts.get("title", f"PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO CHO CÁC THÔN NĂM {y}"), "b")
    if spec.doc_date:
        sheet.set(3, len(cols) - 3, _date_line(spec), "i")
    row = write_header(sheet, cols, 4, 1, render)
    notes = {}
    for i, v in enumerate(spec.villages):
        if rng.random() < 0.12:
            notes[i] = rng.choice(["Thôn ĐBKK", "Thôn ĐBKK", "Sáp nhập 2025", "Vùng đồng bào DTTS"])
    truth, row = write_body(
        sheet, spec, rng, cols, row, 1, render, total_label=f"Toàn {type_word}", total_first=True, notes=notes
    )
    sheet.set(row + 1, 2, "Người lập biểu", "b c")
    sheet.set(row + 1, max(3, len(cols) - 2), f"TM. UBND {type_word.upper()}" if spec.title else "TM. UBND", "b c")
    sheet.set(row + 2, max(3, len(cols) - 2), "CHỦ TỊCH", "b c")
    return Written(book, "xlsx", truth)


def layout_csv_semicolon(spec: PlanSpec, rng: random.Random) -> Written:
    """CSV export: UTF-8 with BOM, ";" separated, Vietnamese number text ("6.502", "0,5"), "Cộng" last."""
    render = Render(numbers="text", rate_digits=1)
    book = Book()
    sheet = book.add("csv")
    label = "Tổ dân phố" if spec.ward else rng.choice(["Thôn, xóm", "Thôn", "Tên thôn"])
    cols = [
        Col("stt", ("STT",)), Col("name", (label,)), Col("total", ("Tổng số hộ",)), Col("poor", ("Số hộ nghèo",)),
        Col("near", ("Số hộ cận nghèo",)), Col("pred", ("Số hộ nghèo giảm",)), Col("pred_rate", ("Tỷ lệ giảm (%)",)),
        Col("nred", ("Số hộ cận nghèo giảm",)),
    ]
    cols = _filter_cols(cols, spec, render)
    row = _csv_heading(sheet, spec, cols, f"UBND {spec.title}", f"Chỉ tiêu giảm nghèo năm {spec.year}")
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label="Cộng", stt_text=True)
    return Written(book, "csv", truth, {"delimiter": ";", "encoding": "utf-8-sig"})


def layout_nfd_text_numbers(spec: PlanSpec, rng: random.Random) -> Written:
    """All text in Unicode NFD (sheet name too), every number stored as text, a numbered
    row "A | B | 1 | 2 ..." under the header, "Tổng cộng" last."""
    render = Render(numbers="text", encoding="nfd")
    book = Book()
    sheet = book.add(unicodedata.normalize("NFD", "Biểu 01"))
    label = "Tổ dân phố" if spec.ward else "Thôn"
    cols = [
        Col("stt", ("STT",), 5), Col("name", (label,), 22), Col("total", ("Tổng số hộ",)), Col("poor", ("Số hộ nghèo",)),
        Col("near", ("Số hộ cận nghèo",)), Col("pred", ("Số hộ nghèo giảm",)), Col("nred", ("Số hộ cận nghèo giảm",)),
    ]
    cols = _filter_cols(cols, spec, render)
    if _unit_upper(spec):
        sheet.set(1, 1, _txt(_unit_upper(spec), render), "b")
    sheet.set(
        2,
        1,
        _txt(spec.texts.get("title", f"DANH SÁCH PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {spec.year}"), render),
        "b",
    )
    if spec.doc_date:
        sheet.set(3, 4, _txt(_date_line(spec), render), "i")
    row = write_header(sheet, cols, 4, 1, render)
    numbering = ["A", "B"] + [str(i) for i in range(1, len(cols) - 1)]
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label="Tổng cộng", numbering=numbering, stt_text=True)
    return Written(book, "xlsx", truth)


def layout_tcvn3(spec: PlanSpec, rng: random.Random) -> Written:
    """The whole sheet typed in TCVN3 (.VnTime; upper-case titles in .VnTimeH), abbreviated
    labels (TT, HN, HCN, SL, TL), 2-decimal rates."""
    render = Render(encoding="tcvn3", font="font:.VnTime")
    book = Book(creator="Admin")
    sheet = book.add("Bieu 02")
    _, label = _ward_words(spec)
    label = "Tổ dân phố" if spec.ward else "Tên thôn, xóm"
    y = spec.year
    cols = [
        Col("stt", ("TT", None), 5), Col("name", (label, None), 22), Col("total", ("Tổng số hộ", None), 9),
        Col("poor", ("HN", "SL"), 7), Col("poor_rate", ("HN", "TL (%)"), 7),
        Col("near", ("HCN", "SL"), 7), Col("near_rate", ("HCN", "TL (%)"), 7),
        Col("pred", (f"Giảm HN năm {y}", "SL"), 7), Col("pred_rate", (f"Giảm HN năm {y}", "TL (%)"), 7),
        Col("nred", (f"Giảm HCN năm {y}", "SL"), 7), Col("nred_rate", (f"Giảm HCN năm {y}", "TL (%)"), 7),
    ]
    cols = _filter_cols(cols, spec, render)
    upper = "font:.VnTimeH"
    if _unit_upper(spec):
        sheet.set(1, 1, _txt(_unit_upper(spec), render), f"b {upper}")
    sheet.set(2, 1, _txt(spec.texts.get("title", f"BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {y}"), render), f"b {upper}")
    if spec.doc_date:
        sheet.set(
            3,
            1,
            _txt(f"(Kèm theo Kế hoạch số {spec.doc_number or ''}/KH-UBND {_date_phrase(spec)} của {_of_unit(spec)})", render),
            "i font:.VnTime",
        )
    row = write_header(sheet, cols, 5, 1, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label=rng.choice(["Tổng cộng", "Cộng"]))
    sheet.set(row + 1, 2, _txt("Người lập biểu", render), "b font:.VnTime")
    _signature(sheet, row + 1, max(3, len(cols) - 3), spec, rng, render, deputy=False)
    return Written(book, "xlsx", truth)


def layout_xls_sections(spec: PlanSpec, rng: random.Random) -> Written:
    """Legacy .xls of a commune merged in 2025: a section per former commune ("I. Xã A (cũ)")
    carrying its subtotal, numbering restarting per section, "Tổng cộng" last."""
    render = Render(rate_digits=2)
    book = Book()
    sheet = book.add("Sheet1")
    label = "Tổ dân phố" if spec.ward else "Tên thôn, xóm"
    y = spec.year
    cols = [
        Col("stt", ("STT", None), 5), Col("name", (label, None), 26), Col("total", ("Tổng số hộ", None), 9),
        Col("poor", ("Hộ nghèo", "Số hộ"), 8), Col("poor_rate", ("Hộ nghèo", "Tỷ lệ %"), 8),
        Col("near", ("Hộ cận nghèo", "Số hộ"), 8), Col("near_rate", ("Hộ cận nghèo", "Tỷ lệ %"), 8),
        Col("pred", (f"Chỉ tiêu giảm năm {y}", "Hộ nghèo"), 9), Col("nred", (f"Chỉ tiêu giảm năm {y}", "Hộ cận nghèo"), 9),
    ]
    cols = _filter_cols(cols, spec, render)
    if _unit_upper(spec):
        sheet.set(1, 1, _unit_upper(spec), "b")
    sheet.set(2, 1, spec.texts.get("title", f"BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {y}"), "b")
    sheet.set(3, 1, "(Số liệu tổng hợp theo đơn vị hành chính trước sắp xếp)", "i")
    if spec.doc_date:
        sheet.set(3, len(cols) - 2, _date_line(spec), "i")
    row = write_header(sheet, cols, 5, 1, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label="Tổng cộng")
    sheet.set(row + 1, 2, "Người lập biểu", "b c")
    return Written(book, "xls", truth)


def layout_second_sheet_3row(spec: PlanSpec, rng: random.Random) -> Written:
    """A cover letter on the first sheet, the table on the second under a 3-row header
    (group / subject / measure), upper-case labels with line breaks and stray spaces."""
    render = Render(rate_digits=2, name_pad=0.15, rate_zero="x")
    book = Book()
    type_word, _ = _ward_words(spec)
    unit = f"{spec.unit_type} {spec.bare}" if spec.title else type_word
    letter = [
        f"UBND {unit.upper()}" if spec.title else "ỦY BAN NHÂN DÂN",
        f"Số: {spec.doc_number or ''}/UBND-KT" if spec.doc_number else "Số:      /UBND-KT",
        f"V/v báo cáo phân bổ chỉ tiêu giảm nghèo năm {spec.year}",
        _date_line(spec),
        f"Kính gửi: Sở Nông nghiệp và Môi trường {spec.province or 'tỉnh'}",
        f"Thực hiện chỉ đạo của UBND tỉnh về giao chỉ tiêu giảm nghèo năm {spec.year}, UBND {unit} báo cáo "
        "kết quả phân bổ chỉ tiêu giảm hộ nghèo, hộ cận nghèo cho các thôn, tổ dân phố (chi tiết tại biểu kèm theo).",
        "Trân trọng./.",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
    ]
    _prose_sheet(book, "Công văn", letter, spec, rng, render)
    sheet = book.add("Biểu chi tiết")
    book.active = 1
    y = spec.year
    village_label = "TỔ DÂN\nPHỐ" if spec.ward else rng.choice(["TÊN THÔN,\nXÓM", "TÊN  THÔN"])
    g1, g2 = f"HIỆN TRẠNG ĐẦU NĂM {y}", f"KẾ HOẠCH GIẢM NĂM {y}"
    poor_l, near_l = rng.choice([("HỘ  NGHÈO", "HỘ CẬN\nNGHÈO"), ("HỘ NGHÈO", "HỘ CẬN NGHÈO ")])
    cols = [
        Col("stt", ("STT", None, None), 5), Col("name", (village_label, None, None), 22),
        Col("total", (" TỔNG SỐ\nHỘ ", None, None), 9),
        Col("poor", (g1, poor_l, "SL"), 7), Col("poor_rate", (g1, poor_l, "TL (%)"), 7),
        Col("near", (g1, near_l, "SL"), 7), Col("near_rate", (g1, near_l, "TL (%)"), 7),
        Col("pred", (g2, poor_l, "SL"), 7), Col("pred_rate", (g2, poor_l, "TL (%)"), 7),
        Col("nred", (g2, near_l, "SL"), 7), Col("nred_rate", (g2, near_l, "TL (%)"), 7),
        Col("note", ("GHI CHÚ", None, None), 12),
    ]
    cols = _filter_cols(cols, spec, render)
    if spec.title:
        sheet.set(1, 1, f"UBND {unit.upper()}", "b")
    sheet.set(2, 1, spec.texts.get("title", f"BIỂU TỔNG HỢP PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {y}"), "b c")
    sheet.merge(2, 1, 2, len(cols))
    sheet.set(3, 1, f"(Kèm theo Công văn số {spec.doc_number or '    '}/UBND-KT {_date_phrase(spec)})", "i c")
    sheet.merge(3, 1, 3, len(cols))
    row = write_header(sheet, cols, 5, 1, render)
    total_first = rng.random() < 0.5
    label = f"TOÀN {type_word.upper()}" if total_first else "TỔNG CỘNG"
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label=label, total_first=total_first)
    return Written(book, "xlsx", truth)


def layout_csv_comma_cp1258(spec: PlanSpec, rng: random.Random) -> Written:
    """CSV from an old export tool: comma-separated, every field quoted, Windows-1258, no BOM."""
    render = Render(numbers="text", rate_digits=2)
    book = Book()
    sheet = book.add("csv")
    label = "Tổ dân phố" if spec.ward else "Tên thôn"
    cols = [
        Col("stt", ("STT",)), Col("name", (label,)), Col("total", ("Tổng số hộ",)), Col("poor", ("Số hộ nghèo",)),
        Col("poor_rate", ("Tỷ lệ hộ nghèo (%)",)), Col("near", ("Số hộ cận nghèo",)),
        Col("near_rate", ("Tỷ lệ hộ cận nghèo (%)",)), Col("pred", ("Chỉ tiêu giảm hộ nghèo",)),
        Col("nred", ("Chỉ tiêu giảm hộ cận nghèo",)),
    ]
    cols = _filter_cols(cols, spec, render)
    type_word, _ = _ward_words(spec)
    row = _csv_heading(sheet, spec, cols, f"ỦY BAN NHÂN DÂN {spec.title.upper()}",
                       f"BẢNG PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {spec.year}")
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label=f"Cộng toàn {type_word}", stt_text=True)
    return Written(book, "csv", truth, {"delimiter": ",", "encoding": "cp1258", "quote_all": True})


def layout_ods(spec: PlanSpec, rng: random.Random) -> Written:
    """An OpenDocument spreadsheet (LibreOffice): 2-row header, rates as percentage cells."""
    render = Render(rate_mode="fraction", rate_digits=2, zero="endash")
    book = Book(creator="LibreOffice")
    sheet = book.add("Phụ lục 01")
    type_word, _ = _ward_words(spec)
    label = "Tổ dân phố" if spec.ward else "Thôn"
    y = spec.year
    cols = [
        Col("stt", ("STT", None), 5), Col("name", (label, None), 22), Col("total", ("Số hộ", None), 9),
        Col("poor", (f"Hộ nghèo 31/12/{y - 1}", "Số hộ"), 8), Col("poor_rate", (f"Hộ nghèo 31/12/{y - 1}", "Tỷ lệ"), 8),
        Col("near", (f"Hộ cận nghèo 31/12/{y - 1}", "Số hộ"), 8), Col("near_rate", (f"Hộ cận nghèo 31/12/{y - 1}", "Tỷ lệ"), 8),
        Col("pred", (f"Kế hoạch giảm năm {y}", "Hộ nghèo"), 9), Col("nred", (f"Kế hoạch giảm năm {y}", "Hộ cận nghèo"), 9),
    ]
    cols = _filter_cols(cols, spec, render)
    if _unit_upper(spec):
        sheet.set(1, 1, _unit_upper(spec), "b")
    sheet.set(2, 1, spec.texts.get("title", f"KẾ HOẠCH GIẢM NGHÈO NĂM {y} - PHÂN BỔ CHỈ TIÊU"), "b")
    if spec.doc_date:
        sheet.set(3, 1, _date_line(spec), "i")
    row = write_header(sheet, cols, 4, 1, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label=f"Toàn {type_word}")
    return Written(book, "ods", truth)


def layout_reordered(spec: PlanSpec, rng: random.Random) -> Written:
    """Columns in an unusual order (reductions before baselines, near-poor before poor),
    "Tên xóm" label variants, reduction rate over the number of poor households."""
    render = Render(rate_digits=1, rate_base={"pred_rate": "poor"}, rate_zero="blank")
    book = Book()
    sheet = book.add(rng.choice(["KH 2026", "Phan bo"]))
    label = "Tổ dân phố" if spec.ward else rng.choice(["Tên xóm", "Xóm", "Tên xóm, bản", "Xóm/bản"])
    y = spec.year
    plan_g, base_g = f"Kế hoạch giảm năm {y}", f"Số liệu 31/12/{y - 1}"
    cols = [
        Col("stt", ("STT", None), 5), Col("name", (label, None), 22),
        Col("nred", (plan_g, "Hộ cận nghèo"), 9), Col("pred", (plan_g, "Hộ nghèo"), 9),
        Col("pred_rate", (plan_g, "Tỷ lệ giảm (%)"), 9),
        Col("near", (base_g, "Hộ cận nghèo"), 9), Col("poor", (base_g, "Hộ nghèo"), 9), Col("total", (base_g, "Tổng số hộ"), 9),
    ]
    cols = _filter_cols(cols, spec, render)
    if _unit_upper(spec):
        sheet.set(1, 1, _unit_upper(spec), "b")
    sheet.set(2, 1, spec.texts.get("title", f"CHỈ TIÊU GIẢM NGHÈO NĂM {y} PHÂN BỔ CHO CÁC XÓM"), "b")
    if spec.doc_date:
        sheet.set(3, 1, _date_line(spec), "i")
    row = write_header(sheet, cols, 4, 1, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label="Tổng")
    if rng.random() < 0.5:
        sheet.set(row + 1, 2, "Ghi chú: Tỷ lệ giảm tính trên số hộ nghèo của xóm.", "i")
    return Written(book, "xlsx", truth)


def layout_vni(spec: PlanSpec, rng: random.Random) -> Written:
    """A legacy .xls typed in VNI-Windows (VNI-Times), national motto header, total first."""
    render = Render(encoding="vni", font="font:VNI-Times")
    book = Book()
    sheet = book.add("Sheet1")
    type_word, _ = _ward_words(spec)
    label = "Tổ dân phố" if spec.ward else "Tên thôn"
    y = spec.year
    cols = [
        Col("stt", ("STT",), 5), Col("name", (label,), 22), Col("total", ("Tổng số hộ",), 9), Col("poor", ("Số hộ nghèo",), 9),
        Col("near", ("Số hộ cận nghèo",), 9), Col("pred", ("Chỉ tiêu giảm hộ nghèo",), 10),
        Col("nred", ("Chỉ tiêu giảm hộ cận nghèo",), 10), Col("note", ("Ghi chú",), 10),
    ]
    cols = _filter_cols(cols, spec, render)
    if spec.title:
        sheet.set(1, 1, _txt("ỦY BAN NHÂN DÂN", render), "b font:VNI-Times")
        sheet.set(2, 1, _txt(spec.title.upper(), render), "b font:VNI-Times")
    sheet.set(1, 5, _txt("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", render), "b font:VNI-Times")
    sheet.set(2, 5, _txt("Độc lập - Tự do - Hạnh phúc", render), "b font:VNI-Times")
    if spec.doc_date or spec.title:
        sheet.set(3, 5, _txt(_date_line(spec), render), "i font:VNI-Times")
    sheet.set(
        5,
        1,
        _txt(spec.texts.get("title", f"BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {y}"), render),
        "b font:VNI-Times",
    )
    sheet.set(6, 1, _txt("Đơn vị tính: hộ", render), "i font:VNI-Times")
    row = write_header(sheet, cols, 7, 1, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 1, render, total_label=f"Toàn {type_word}", total_first=True)
    return Written(book, "xls", truth)


def layout_ascii_offset(spec: PlanSpec, rng: random.Random) -> Written:
    """Typed without a Vietnamese keyboard (no diacritics: "Tong so ho"), the table starting
    at column C / row 12, "Don vi" as the village label."""
    render = Render(ascii=True, rate_digits=2)
    book = Book()
    sheet = book.add("Sheet1")
    type_word, _ = _ward_words(spec)
    y = spec.year
    cols = [
        Col("stt", ("STT",), 5), Col("name", ("Don vi",), 22), Col("total", ("Tong so ho",), 9),
        Col("poor", ("So ho ngheo",), 9), Col("poor_rate", ("Ty le ho ngheo (%)",), 9),
        Col("near", ("So ho can ngheo",), 9), Col("near_rate", ("Ty le ho can ngheo (%)",), 9),
        Col("pred", ("Giam ho ngheo",), 9), Col("nred", ("Giam ho can ngheo",), 9),
    ]
    cols = _filter_cols(cols, spec, render)
    if spec.title:
        sheet.set(2, 3, _txt(_unit_upper(spec), render), "b")
    sheet.set(2, 8, "CONG HOA XA HOI CHU NGHIA VIET NAM", "b")
    sheet.set(3, 8, "Doc lap - Tu do - Hanh phuc", "b")
    if spec.doc_date:
        sheet.set(4, 8, _txt(_date_line(spec), render), "i")
    sheet.set(6, 3, _txt(spec.texts.get("title", f"KE HOACH GIAM NGHEO NAM {y}"), render), "b")
    sheet.set(7, 3, "Phan bo chi tieu giam ho ngheo, ho can ngheo cho cac thon, to dan pho", "i")
    sheet.set(9, 3, "Don vi tinh: ho", "i")
    for c in (1, 2):
        sheet.widths[c] = 3
    row = write_header(sheet, cols, 12, 3, render)
    truth, row = write_body(sheet, spec, rng, cols, row, 3, render, total_label="Tong cong")
    sheet.set(row + 1, 4, "Nguoi lap bieu", "b")
    return Written(book, "xlsx", truth)


LAYOUT_FUNCTIONS = {
    "seed": layout_seed,
    "flat_total_first": layout_flat_total_first,
    "csv_semicolon": layout_csv_semicolon,
    "nfd_text_numbers": layout_nfd_text_numbers,
    "tcvn3": layout_tcvn3,
    "xls_sections": layout_xls_sections,
    "second_sheet_3row": layout_second_sheet_3row,
    "csv_comma_cp1258": layout_csv_comma_cp1258,
    "ods": layout_ods,
    "reordered": layout_reordered,
    "vni": layout_vni,
    "ascii_offset": layout_ascii_offset,
}
LAYOUTS = tuple(LAYOUT_FUNCTIONS)
LAYOUT_FORMATS = {"seed": "xlsx", "flat_total_first": "xlsx", "csv_semicolon": "csv", "nfd_text_numbers": "xlsx",
                  "tcvn3": "xlsx", "xls_sections": "xls", "second_sheet_3row": "xlsx", "csv_comma_cp1258": "csv",
                  "ods": "ods", "reordered": "xlsx", "vni": "xls", "ascii_offset": "xlsx"}
LAYOUT_EXT = {name: "." + fmt for name, fmt in LAYOUT_FORMATS.items()}
# layouts that can carry each plant (format features: hidden rows, formulas, stated rates)
RATE_LAYOUTS = ("seed", "flat_total_first", "csv_semicolon", "tcvn3", "xls_sections", "second_sheet_3row",
                "csv_comma_cp1258", "ods", "ascii_offset")
HIDDEN_LAYOUTS = (
    "seed",
    "flat_total_first",
    "nfd_text_numbers",
    "tcvn3",
    "second_sheet_3row",
    "reordered",
    "ascii_offset",
    "ods",
)
FORMULA_LAYOUTS = ("seed", "flat_total_first", "tcvn3", "second_sheet_3row", "reordered", "ascii_offset")


def build_plan_table(layout: str, spec: PlanSpec) -> Written:
    if layout not in LAYOUT_FUNCTIONS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    rng = sub_rng(spec.seed, "layout", layout, spec.commune)
    if spec.prose_only:
        render = Render()
        book = Book()
        _prose_sheet(book, "Kế hoạch", plan_prose_lines(spec), spec, rng, render)
        return Written(book, "xlsx", [])
    return LAYOUT_FUNCTIONS[layout](spec, rng)


def write_plan_table(path, layout: str, commune_name: str, villages: list[dict], year: int = 2026, **opts) -> list[dict]:
    """Write one commune's plan annex in `layout` to `path`; return the truth rows.

    villages: dicts with village, total, poor, near, pred, nred and optionally section.
    opts (all optional): province, title_name, doc_date=(day, month), doc_number, declared,
    rate_errors, hidden, formula=(index, field), drop, cells, texts, signer, seed,
    prose_only, when (datetime stored in the file's metadata and zip entries).
    The file is written in the layout's format (LAYOUT_FORMATS) whatever the suffix of `path`.
    """
    when = opts.pop("when", None)
    spec = PlanSpec(commune=commune_name, villages=[dict(v) for v in villages], year=year, **opts)
    written = build_plan_table(layout, spec)
    if when is not None:
        written.book.created = when
    path = Path(path)
    save_book(written.book, path, written.fmt, **written.csv)
    if spec.formula is not None and written.fmt == "xlsx":
        _resave_formula_with_openpyxl(path, written, spec)
    return written.rows


def _resave_formula_with_openpyxl(path: Path, written: Written, spec: PlanSpec) -> None:
    """Re-save through openpyxl so that the formula cell is exactly what openpyxl writes:
    a <f> element and no cached value (as when a tool fills a template and nobody opens it)."""
    import openpyxl

    from .writers import normalise_zip

    wb = openpyxl.load_workbook(path)
    sheet = written.book.sheets[written.book.active]
    ws = wb[sheet.name]
    for (r, c), formula in sheet.formulas.items():
        ws.cell(row=r, column=c).value = "=" + formula
    wb.properties.creator = written.book.creator
    wb.properties.created = written.book.created
    wb.properties.modified = written.book.created
    wb.save(path)
    normalise_zip(path, written.book.created)
