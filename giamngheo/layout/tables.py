"""Find the tables of a workbook: which sheet, which kind, which columns, which rows."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from ..readers.grid import Sheet, Workbook
from ..text import fold
from . import fields as F
from .dates import document_date
from .header import find_band
from .header_fields import Band
from .header_rows import cell_text, distinct_cells, merged_values, top_view
from .rows import VILLAGE, TableRow, classify_rows
from .vocabulary import folded_words, load_vocabulary

_YEAR_WORD = re.compile(r"\bnam (20\d\d)\b")
_BASELINE = re.compile(r"\b31 12 (20\d\d)\b")
_YEAR_END = re.compile(r"\bcuoi nam (20\d\d)\b")
_RESULTS_TITLE = re.compile(r"\b(ket qua|dien bien)\b")
_OTHER_YEARS = re.compile(
    r"\b(?:ngay \d{1,2} )?thang \d{1,2} nam 20\d\d\b"  # a date
    r"|(?<!thang )\b(?:cuoi|dau|het|tu|den|truoc|sau) nam 20\d\d\b"  # a year's end or bound, not the year reported
    # (but "6 tháng đầu năm 2026": the half year reported)
    r"|\bgiai doan(?: nam)? 20\d\d(?: 20\d\d)?\b"  # a period
)


@dataclass
class Table:
    sheet: Sheet
    sheet_index: int
    kind: str  # plan / summary / results / targets (summary is settled to plan or results later)
    band: Band
    name_col: int | None
    rows: list[TableRow]
    title: list[str]  # the lines above the header
    row_fields: dict[str, int]  # breakdown field -> 0-based column, read from "Trong đó" rows
    unused: list[tuple[int, str | None]]  # rows with figures that are none of the table's rows: (sheet row, label)
    # tables of the same kind on other sheets, with other figures, left for this one (a draft beside its final version)
    passed_over: list[Table] = field(default_factory=list)

    @property
    def subject(self) -> str | None:
        return self.band.table_subject


def title_lines(sheet: Sheet, top: int, single: bool = False) -> list[str]:
    """Text of the rows above the header band (a merged title counted once).

    With `single`, only rows of one or two cells: the lines of a prose sheet, not a table.
    """
    view = top_view(sheet)
    if top <= view.n:
        return view.title_lines(top, single)
    filled = merged_values(sheet, top)
    width = min(sheet.width, 200)
    lines = []
    for r in range(top):
        parts = [" ".join(t.split()) for t in (cell_text(v) for v in distinct_cells(sheet, r, width, filled)) if t]
        if parts and (not single or len(parts) <= 2):
            lines.append(" ".join(parts))
    return lines


_NO_KIND = frozenset({"doc.partial_year"})  # title words that say nothing of plan or results ("6 tháng đầu năm")


def title_kind(lines: list[str]) -> tuple[str | None, frozenset[str]]:
    """plan / results from the title words (first to appear wins), and the title's header tags."""
    text = " ".join(lines)
    folded = fold(text[:2000])
    vocab = load_vocabulary()
    first: dict[str, int] = {}
    words = folded.split()
    starts = vocab.documents.starts
    for i in range(len(words)):
        if words[i] not in starts:
            continue
        for n in range(min(vocab.documents.longest, len(words) - i), 0, -1):
            tags = vocab.documents.phrases.get(tuple(words[i : i + n]))
            if tags:
                for t in tags - _NO_KIND:
                    first.setdefault(t, i)
                break
    kind = None
    if first:
        tag = min(first, key=first.get)
        kind = F.RESULTS if tag == "doc.results_titles" else F.PLAN
    return kind, vocab.header.tags(text[:500])


def partial_year(lines: list[str]) -> str | None:
    """The title line that makes a report one of part of the year ("… 6 THÁNG ĐẦU NĂM 2026", "Quý III"), or None."""
    index = load_vocabulary().documents
    return next((line for line in lines if "doc.partial_year" in index.tags(line)), None)


def report_year_text(folded_line: str) -> str:
    """A folded title line with what names other years taken out: a citation line ("Căn cứ…",
    "Thực hiện…", "Theo…") whole, dates ("ngày 15 tháng 12 năm 2025"), periods ("giai đoạn
    2022 - 2025") and the year's ends ("cuối năm 2025", a baseline, not the year reported on)."""
    if "doc.citations" in load_vocabulary().documents.leading(folded_line):
        return ""
    return _OTHER_YEARS.sub(" ", folded_line)


def _results_year(folded_line: str) -> int | None:
    """The year of a results title that names it only as the year's end ("KẾT QUẢ RÀ SOÁT … CUỐI NĂM 2026": the review
    at the end of 2026 is 2026's). Its "cuối năm" is taken out as a baseline's everywhere else, and the report had no
    year: its "Số hộ nghèo tháng 10/2026" went unread, and a header's "năm 2025" became the year."""
    if not _RESULTS_TITLE.search(folded_line) or _YEAR_WORD.search(report_year_text(folded_line)):
        return None
    m = _YEAR_END.search(folded_line)
    return int(m.group(1)) if m else None


def document_year(lines: list[str]) -> int | None:
    """The year a document is for: 'năm 2026' in its title (not a date, citation or period), else the year whose
    end a results title names, else the baseline year + 1."""
    folded = " ".join(report_year_text(fold(line)) for line in lines)[:3000]
    m = _YEAR_WORD.search(folded)
    if m:
        return int(m.group(1))
    ends = [y for y in (_results_year(fold(line)) for line in lines[:30]) if y]
    if ends:
        return ends[0]
    m = _BASELINE.search(folded)
    return int(m.group(1)) + 1 if m else None


def sheet_year_of(sheet: Sheet) -> int | None:
    """document_year() of the sheet's top 30 lines and its name, reading lines only until 'năm 20xx'.

    The title states the year in its first lines; the rest of the 30 rows are usually figures.
    The answer is the same: the folded text of lines joined by spaces is the folded lines
    joined by spaces, and "năm 2026" spans at most two lines; text past the 3,000 characters
    document_year() reads sends the sheet to document_year().
    """
    lines = itertools.chain(top_view(sheet).lines_above(min(len(sheet.rows), 30)), [sheet.name])  # made when needed
    length, folded_lines, seen = -1, [], []
    for line in lines:
        seen.append(line)
        length += len(line) + 1
        if length > 3000:
            return document_year(seen + list(lines))
        folded = report_year_text(fold(line))
        if not folded.strip():
            continue
        m = _YEAR_WORD.search(f"{folded_lines[-1]} {folded}" if folded_lines else folded)
        if m:
            return int(m.group(1))
        if results_year := _results_year(fold(line)):
            return results_year
        folded_lines.append(folded)
    m = _BASELINE.search(" ".join(folded_lines))
    return int(m.group(1)) + 1 if m else None


def below(sheet: Sheet, top: int) -> Sheet:
    """The sheet from row `top` (0-based) on, the rows above it emptied (rows keep their numbers): a second table's."""
    return replace(sheet, rows=[[] for _ in range(top)] + sheet.rows[top:], merged=[m for m in sheet.merged if m[0] >= top],
                   formulas_without_value=[f for f in sheet.formulas_without_value if f[0] > top], first_row=top)


def find_tables(book: Workbook, forced_kind: str | None = None, year: int | None = None,
                skip: frozenset[str] = frozenset()) -> list[Table]:
    """Every recognisable table, at most one per (kind, subject), best header score first; sheets named
    in `skip` (claimed by a recogniser of another kind) are not looked at."""
    found: list[tuple[tuple, Table]] = []
    for idx, sheet in enumerate(book.sheets):
        if not sheet.rows or sheet.name in skip:
            continue

        def kind_for(top: int, _sheet=sheet, _cache={}) -> tuple[str | None, frozenset[str]]:
            if top not in _cache:
                _cache[top] = title_kind(title_lines(_sheet, top) + [_sheet.name])
            return _cache[top]

        sheet_year = year or sheet_year_of(sheet)
        band = find_band(sheet, kind_for, sheet_year, forced_kind)
        view, title = sheet, title_lines(sheet, band.top) if band else []
        if band is not None and _of_deprivations(title + [sheet.name], band):
            band = None
        while band is not None:
            rows = classify_rows(view, band)
            table = Table(view, idx, band.kind, band, rows.name_col, rows.rows, title, rows.row_fields, rows.unused)
            # equal headers: the table of more rows (a commune's villages over a summary of its former communes), else the
            # first; a commune's summary with its counts as rows has no villages
            if not _of_count_labels(table):
                found.append(((band.score, len(table.rows), -idx), table))
            if rows.next_header is None or len(found) > 8:
                break
            # another table under this one ("II. DIỄN BIẾN HỘ CẬN NGHÈO" under the poor's): read from the rows after it
            view = below(sheet, rows.rows[-1].row if rows.rows else rows.next_header)
            band = find_band(
                view, lambda top, _v=view, _t=title: title_kind(_t + title_lines(_v, top) + [_v.name]), sheet_year, forced_kind
            )
            title = title + (title_lines(view, band.top) if band else [])
    found.sort(key=lambda x: x[0], reverse=True)
    by_key: dict[tuple[str, str | None], list[Table]] = {}
    for _, table in found:
        by_key.setdefault((table.kind, table.subject if table.kind == F.RESULTS else None), []).append(table)
    tables = sorted((t for (kind, _), same in by_key.items()
                     for t in (_each_sheet(same) if kind == F.TARGETS else areas(same, year))),
                    key=lambda t: (t.sheet_index, t.band.top))
    return _settle_summaries(tables)


def _each_sheet(same: list[Table]) -> list[Table]:
    """A targets workbook's tables, the best of each sheet, copies once: a sheet per former province, or last year's
    beside this year's, each read (the first by size was read alone, the others dropped without a word; targets judge,
    Phú Thọ). Which of them a run uses is the targets' reader's to say (giamngheo.targets)."""
    kept: list[Table] = []
    for t in same:  # best first
        if not any(k.sheet_index == t.sheet_index or _copy(t, k) for k in kept):
            kept.append(t)
    return kept


_DEPRIVED = re.compile(r"\bthieu hut\b")


def _of_deprivations(lines: list[str], band) -> bool:
    """A table titled for deprivations ("… THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN") that plans no reduction: a
    deprivation table its recogniser could not read, never a plan annex (its indicators were read as the poor, and a
    later date made it supersede the commune's real plan)."""
    return not (F.REDUCTIONS & band.fields.keys()) and any(
        _DEPRIVED.search(fold(line)) for line in lines)


_COUNT_SUBJECTS = frozenset({"subject.poor", "subject.near", "subject.total", "weak.total"})


def _of_count_labels(table: Table) -> bool:
    """A commune's summary with its counts as rows ("Số hộ nghèo | Số hộ cận nghèo" down, "Đầu kỳ | Cuối kỳ" across,
    "Tổng số hộ" its first row): every row read as a village is named as a count is. Its two counts became two
    villages of a results report, the commune accepted with its poor counted twice (probe, 12-06)."""
    # (rows naming households are no villages: "Số hộ nghèo | 14 | 10" is then an unused row of no table)
    names = [r.name for r in table.rows if r.kind == VILLAGE and r.name] + [label for _, label in table.unused if label]
    tags = load_vocabulary().header.tags
    return bool(names) and all(tags(n) & _COUNT_SUBJECTS for n in names)


def areas(same: list[Table], year: int | None = None) -> list[Table]:
    """The tables of one kind a file gives, best first: the best one, or every area's when the file gives a sheet
    per former commune ("Khu vực xã Trung Hội (cũ)" over its villages, a sheet each) — the areas' villages are the
    commune's, each area their section. A summary by former commune beside them gives way; a copy of a sheet counts
    once; tables that are neither (a draft and its final version) leave the best one."""
    filled = [t for t in same if not _blank(t)]
    same = filled if filled else same  # a blank form beside the commune's table (the province's template) is none
    if len(same) < 2 or len({t.sheet_index for t in same}) < len(same):
        return _best(same, year)
    parts = [t for t in same if not _by_former_commune(t)] or same[:1]
    distinct: list[Table] = []
    for t in parts:
        if not any(_copy(t, d) for d in distinct):
            distinct.append(t)
    labels = _area_labels(distinct)
    names = [{r.name for r in t.rows if r.kind == VILLAGE} for t in distinct]
    disjoint = all(not (a & b) for i, a in enumerate(names) for b in names[i + 1:])
    if len(distinct) < 2 or not (labels or disjoint):
        return _best(same, year)
    for t, label in zip(distinct, labels or [None] * len(distinct)):
        for r in t.rows:
            if r.section is None and label:
                r.section = label
    return distinct


def _best(same: list[Table], year: int | None = None) -> list[Table]:
    """The best table alone, with the tables on other sheets whose figures say otherwise (reported: rule sheet_not_used).
    The current one before the best header: a table of the run's `year` (else the latest) before one whose title names
    another, a sheet shown before a hidden one, one whose sheet name does not mark it old ("PL1 KH 2026 (cũ)", "bản cũ",
    "nháp") before one that does, and where every one is dated, the latest. The first sheet in the workbook had won:
    an old copy left before the current plan, or last year's plan, read as the commune's (bundles judge, Lào Cai)."""
    years = {id(t): document_year(t.title + [t.sheet.name]) for t in same}
    current = year or max((y for y in years.values() if y), default=None)
    dates = {id(t): document_date(t.title) for t in same}
    dated = all(dates.values())

    def staleness(t: Table) -> tuple:
        own = years[id(t)]
        return (own is not None and current is not None and own != current, t.sheet.hidden,
                bool(_OLD_SHEET.search(fold(t.sheet.name))), [-x for x in dates[id(t)]] if dated else [])

    same = sorted(same, key=staleness)  # stable: the best header first among equals
    best = same[0]
    best.passed_over = [
        t for t in same[1:] if t.sheet_index != best.sheet_index and not _by_former_commune(t) and not _agrees(t, best)
    ]
    return [best]


def _blank(table: Table) -> bool:
    """A table without a figure: a blank form ("Biểu mẫu tỉnh", hidden beside the plan, its empty total row read as
    the commune's breakdowns, 0 where the commune gave none; bundles judge, Lào Cai)."""
    return not any(v is not None and str(v).strip() not in ("", "-") for r in table.rows for v in r.values.values())


# a sheet name marking an old version or a draft ("PL1 KH 2026 (cũ)", "Bản cũ", "Nháp", "Dự thảo")
_OLD_SHEET = re.compile(r"\b(?:ban cu|cu|old|nhap|du thao|ban sao|copy)\b")


def _agrees(a: Table, b: Table) -> bool:
    """The same villages with the same figures wherever both tables give one (a copy, or a shorter summary of it)."""
    def figures(t: Table) -> dict:
        return {r.name: r.values for r in t.rows if r.kind == VILLAGE}

    fa, fb = figures(a), figures(b)
    return fa.keys() == fb.keys() and all(
        _figure(v) == _figure(fb[name][f]) for name, values in fa.items() for f, v in values.items() if f in fb[name])


def _figure(value: object) -> object:
    """A cell as a figure: 4, 4.0 and "4" alike."""
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        return str(value).strip()


def _gives_way(summary: Table, annex: Table) -> bool:
    """A counts-only table on another sheet than the annex is no second plan: it gives nothing the annex does not, or it
    cannot stand as a plan (no households to count a rate on: a sheet of "trong đó" counts, a commune's items as rows)."""
    fields, full = summary.band.fields.keys(), annex.band.fields.keys()
    return fields <= full or ("total_households" in full and "total_households" not in fields)


def _by_former_commune(table: Table) -> bool:
    """A summary whose rows are former communes ("Xã Định Biên (cũ)"), not villages."""
    named = [folded_words(r.name) for r in table.rows if r.kind == VILLAGE and r.name]
    units = sum(1 for w in named if w[:1] in (("xa",), ("phuong",)) or w[:2] == ("thi", "tran") or w[-1:] == ("cu",))
    return bool(named) and units * 5 >= len(named) * 3


def _copy(a: Table, b: Table) -> bool:
    return [(r.kind, r.name, tuple(sorted(r.values.items(), key=str))) for r in a.rows] == [
        (r.kind, r.name, tuple(sorted(r.values.items(), key=str))) for r in b.rows]


def _area_labels(tables: list[Table]) -> list[str] | None:
    """Each table's own line above its header, one the others do not share ("Khu vực xã Phú Tiến (cũ)"); None
    unless every table has one and they all differ."""
    common = set.intersection(*(set(t.title) for t in tables))
    labels = [next((line for line in reversed(t.title) if line not in common), None) for t in tables]
    if not all(labels) or len(set(labels)) < len(labels) or not all(_AREA.search(fold(label)) for label in labels):
        return None  # a line that names no area ("NĂM 2025" over last year's copy) makes no areas
    return labels


# an area of the commune: a former commune ("(cũ)", "Khu vực xã …"), a cluster or zone of villages; never a year
_AREA = re.compile(r"^(?!.*\b20\d\d\b).*(?:\bcu\b|\bkhu vuc\b|^(?:xa|phuong|thi tran|cum|vung|khu)\b)")


def _settle_summaries(tables: list[Table]) -> list[Table]:
    """A counts-only table is a year-end 'kết quả rà soát' beside results or under a results title; beside a plan
    annex on another sheet it is no second plan (`_gives_way`: the annex's summary, "Tổng hợp", or a sheet of "trong
    đó" counts): left out, and reported (sheet_not_used) unless it only repeats the annex's figures."""
    has_results = any(t.kind == F.RESULTS for t in tables)
    annexes = [t for t in tables if t.kind == F.PLAN]
    kept = []
    for t in tables:
        kept.append(t)
        if t.kind != F.SUMMARY:
            continue
        kind, _ = title_kind(t.title + [t.sheet.name])
        # counts as at the last year's end ("Số liệu tại thời điểm 31/12/2025": a sheet of the plan's breakdowns) are the
        # plan's, results beside them or not: read as results, they were published as the year's end (bundles judge)
        baseline = kind != F.RESULTS and any(_BASELINE.search(fold(line)) for line in t.title)
        t.kind = F.RESULTS if (has_results or kind == F.RESULTS) and not baseline else F.PLAN
        annex = next((a for a in annexes if a.sheet_index != t.sheet_index and _gives_way(t, a)), None)
        if t.kind == F.PLAN and annex is not None:
            kept.pop()
            if not (t.band.fields.keys() <= annex.band.fields.keys() and _agrees(t, annex)):  # other figures, or more
                annex.passed_over.append(t)
            continue
        if t.kind == F.RESULTS:
            t.band.kind = F.RESULTS
            t.band.fields = {_AS_END.get(f, f): c for f, c in t.band.fields.items()}
            for col in t.band.columns:
                col.field = _AS_END.get(col.field, col.field)
            for row in t.rows:
                row.values = {_AS_END.get(f, f): v for f, v in row.values.items()}
                row.sources = {_AS_END.get(f, f): r for f, r in row.sources.items()}
            t.row_fields = {_AS_END.get(f, f): c for f, c in t.row_fields.items()}
    return kept


_AS_END = {
    "total_households": "total_households_end",
    "poor_households": "poor_households_end",
    "near_poor_households": "near_poor_households_end",
    "poor_rate": "poor_rate_end",
    "near_poor_rate": "near_poor_rate_end",
    **{b: f"{b}_end" for b in F.BREAKDOWNS},
}
