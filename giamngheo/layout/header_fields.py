"""What a header band's columns stand for: the band and its columns (labels, tags), the band's kind (plan, results,
summary) and subject, and the field each column gives (the first column wins a field, save where a later one takes over)."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.columns import SPLITS

from . import fields as F
from .vocabulary import folded_words


@dataclass
class Column:
    index: int  # 0-based
    label: str  # the column's header text, parent first ("Thời điểm 31/12/2025 / Tổng số hộ")
    tags: frozenset[str]
    own_tags: frozenset[str]
    field: str | None = None


@dataclass
class Band:
    top: int  # 0-based, inclusive
    bottom: int
    columns: list[Column]
    fields: dict[str, int] = field(default_factory=dict)  # field -> 0-based column
    kind: str = F.SUMMARY
    score: tuple = ()
    numbered_row: int | None = None
    table_subject: str | None = None

    @property
    def first_data_row(self) -> int:
        return (self.numbered_row if self.numbered_row is not None else self.bottom) + 1

    def labels(self) -> list[str]:
        return [c.label for c in self.columns if c.label]


_OF_THE_YEAR = frozenset({"actual.result", "aspect.start", "aspect.end", *F.FLOWS})


def _planned_only(col: Column) -> bool:
    """A results report's column of the plan's figure, not the year's: its own label planned ("Chỉ tiêu giao giảm hộ
    nghèo năm 2026"), or under a planned heading with no word of the year's own, movement or date ("Chỉ tiêu giao giảm
    hộ nghèo / Số hộ" beside "Kết quả thực hiện giảm hộ nghèo / Số hộ")."""
    if "planned.target" in col.own_tags and not col.own_tags & F.ESCAPES:
        return True
    return (
        "planned.target" in col.tags and not col.tags & _OF_THE_YEAR and not col.own_tags & {"group.decrease", "group.increase"}
    )


def _decide_kind(columns: list[Column], title_kind: str | None, forced: str | None) -> str:
    if forced:
        return forced
    movements = any(c.tags & F.RESULTS_ONLY_FLOWS for c in columns)
    start = any("aspect.start" in c.tags for c in columns)
    end = any("aspect.end" in c.tags and "aspect.reduction" not in c.tags for c in columns)
    reduction = any(F.subject(c.tags) in ("poor", "near") and "aspect.reduction" in c.tags for c in columns)
    # "Chỉ tiêu năm 2026 / Số hộ thoát nghèo" beside "Kết quả rà soát năm 2025": the plan's cut and baseline, not a
    # year's escapes and end (unless the title says results)
    reduction = reduction or title_kind != F.RESULTS and any(
        c.tags & F.ESCAPES and "planned.target" in c.tags and "group.decrease" not in c.tags for c in columns)
    # a plan states a baseline ("đầu năm", "cuối năm 2025") and planned cuts; results state movements
    # or both ends of the period
    # a plan cuts, it never adds: decreases beside increases under a results title ("Giảm | Tăng") are movements
    increase = any("group.increase" in c.tags for c in columns)
    if (movements or (start and end) or (increase and title_kind == F.RESULTS)) and not (reduction and title_kind == F.PLAN):
        return F.RESULTS
    if reduction:
        return F.PLAN
    if start or end:
        return F.RESULTS
    return F.SUMMARY


def _table_subject(columns: list[Column], title_tags: frozenset[str]) -> str | None:
    subjects = [F.subject(c.own_tags) for c in columns if c.own_tags & {"aspect.start", "aspect.end"}]
    subjects = [s for s in subjects if s in ("poor", "near")]
    if subjects:
        # the commonest; of two as common, the leftmost (a set's order changes with the interpreter's hash seed)
        return max(dict.fromkeys(subjects), key=subjects.count)
    # a title naming one group ("DIỄN BIẾN HỘ NGHÈO"); one naming both ("… HỘ NGHÈO, HỘ CẬN NGHÈO") is no one group's, and
    # its "Số hộ cuối kỳ" is all households (was read as the near-poor's, their own end column left unread)
    both = {"subject.poor", "subject.near"} <= title_tags
    return F.subject(title_tags) if F.subject(title_tags) in ("poor", "near") and not both else None


def map_columns(band: Band, title_kind: str | None, title_tags: frozenset[str], year: int | None, forced: str | None) -> None:
    """Decide the band's kind and give each column its field (first column wins a field)."""
    cols = band.columns
    band.kind = _decide_kind(cols, title_kind, forced)
    band.table_subject = _table_subject(cols, title_tags)
    band.fields = {}
    last_count: str | None = None
    by_index = {col.index: col for col in cols}
    subject_here = band.table_subject
    for col in cols:
        if not col.label:
            continue
        subject_here = _block_subject(col, band.kind, subject_here)
        fld = F.role_field(col.tags)
        # in the targets workbook a column in points ("Chỉ tiêu giảm (điểm %)" under "Hộ nghèo") is a rate's cut
        points = band.kind == F.TARGETS and "unit.points" in col.tags
        if fld is None and ("measure.rate" in col.tags or points):
            if band.kind == F.TARGETS:
                fld = F.targets_rate_field(col.tags, col.label, year)
            elif F.subject(col.own_tags) or col.own_tags & {"aspect.start", "aspect.end"}:
                fld = F.rate_field(
                    F.count_field(col.tags - {"measure.rate"}, band.kind, subject_here, F.label_years(col.label), year),
                    band.kind,
                )
            else:
                fld = F.rate_field(last_count, band.kind)
        elif fld is None:
            fld = F.count_field(col.tags, band.kind, subject_here, F.label_years(col.label), year)
            if band.kind == F.RESULTS and _planned_only(col):
                fld = None  # the plan's figure beside the year's ("Chỉ tiêu giao giảm hộ nghèo năm 2026"): not read
            if fld is not None:
                last_count = fld
        held = by_index.get(band.fields.get(fld, -1)) if fld is not None else None
        if fld is not None and (held is None or _takes_over(held, col, fld, year, band.kind)):
            if held is not None:
                held.field = None
            for split in SPLITS.get(fld, ()):  # "Chết | Chuyển đi | Cộng": the total is the movement, not a third part
                if split in band.fields:
                    by_index[band.fields.pop(split)].field = None
            col.field = fld
            band.fields[fld] = col.index
        elif band.kind == F.RESULTS and (spare := next((s for s in SPLITS.get(fld, ()) if s not in band.fields), None)):
            col.field = spare  # one movement over several columns ("Giảm khác / Chết | Chuyển đi"): added up
            band.fields[spare] = col.index
    if band.kind == F.TARGETS:
        _generic_target(band, year)


# the targets a province's row may give: a cut in points, households to lift, a rate to reach (giamngheo.targets reads
# them; a cell's words may move it from one to another there)
TARGET_FIELDS = ("assigned_poor_reduction_pp", "assigned_poor_reduction_households", "poor_rate_target")


def _generic_target(band: Band, year: int | None) -> None:
    """In the targets workbook, a sheet with no other target column: its column of targets that names no group nor unit
    ("Chỉ tiêu giao năm 2026") is the poor's, read cell by cell (giamngheo.targets: "giảm 0,35%" or 0,35 the cut in
    points, "giảm 12 hộ" households to lift, "còn 3,20%" the rate to reach). Not read, every commune was left without a
    target (three judges: Phú Thọ, …)."""
    if any(f in band.fields for f in TARGET_FIELDS):
        return
    for col in band.columns:
        years = F.label_years(col.label)
        if (
            col.field is None and col.label and col.tags & {"planned.target", "aspect.reduction"}
            and F.subject(col.tags) in (None, "poor") and not col.tags & {"measure.persons", "aspect.start", "aspect.end"}
            and not (year and years and max(years) < year)  # last year's targets
        ):
            col.field = TARGET_FIELDS[0]
            band.fields[col.field] = col.index
            return


def _block_subject(col: Column, kind: str, current: str | None) -> str | None:
    """The group a results column without a subject of its own belongs to: that of the block it stands in, begun by
    a count at the start of the year ("Hộ nghèo đầu năm | Giảm trong năm / Cộng … | Hộ cận nghèo đầu năm | Giảm /
    Cộng | … | Tăng / Phát sinh mới"), else the table's. The near-poor block's "Cộng" and "Phát sinh mới" were read
    as the poor's, and not at all (their fields taken)."""
    if kind != F.RESULTS or "aspect.start" not in col.tags:
        return current
    own = F.subject(col.own_tags)
    if "aspect.start" not in col.own_tags:
        # the count under its group ("Số hộ cận nghèo đầu năm / Số hộ | Tỷ lệ (%)"): the group's. Its "Giảm khác" and
        # "Phát sinh mới" were read as no one's, every row's balance an error (layouts judge, Thanh Hóa)
        if own not in (None, "total") or "measure.rate" in col.own_tags:
            return current
        own = F.subject(col.tags)
    return own if own in ("poor", "near") else current


def _takes_over(held: Column, col: Column, fld: str, year: int | None, kind: str) -> bool:
    """Whether a later column takes a field from the one holding it (else the first column wins): the villages'
    names over a former commune's ("Xã (cũ) | Tên thôn"), a figure of a later date before the document's year
    over an earlier one ("Số hộ nghèo 31/12/2024 | 31/12/2025", "đầu năm 2025 | cuối năm 2025" in a plan for 2026:
    the baseline is the later); in the province's targets, the year's column over last year's."""
    if fld == "village_name":
        return "unit.commune" in held.tags and "unit.commune" not in col.tags
    if _split_then_total(held, col):
        return True
    before, after = F.label_years(held.label), F.label_years(col.label)
    if kind == F.TARGETS and before and after:  # the province's targets: the year's own over last year's
        return max(before) < max(after) and (year is None or max(after) <= year)
    if not (before and after) or (year is not None and max(after) >= year):
        return False
    # "đầu năm 2025" then "cuối năm 2025": the end of the same year is the later figure
    later_in_year = "aspect.start" in held.tags and "aspect.end" in col.tags and "aspect.end" not in held.tags
    return max(before) < max(after) or (max(before) == max(after) and later_in_year)


_TOTAL_CHILD = frozenset(
    tuple(t.split()) for t in ("tong", "tong so", "cong", "tong cong", "chung", "ca", "toan xa", "toan phuong")
)


def _split_then_total(held: Column, col: Column) -> bool:
    """Under one group a split before its total ("Số hộ nghèo / Thành thị | Nông thôn | Tổng số"): the total is the
    group's figure, not its first part."""
    if " / " not in held.label or " / " not in col.label:
        return False
    (group, part), (group2, whole) = held.label.rsplit(" / ", 1), col.label.rsplit(" / ", 1)
    return group == group2 and folded_words(whole) in _TOTAL_CHILD and folded_words(part) not in _TOTAL_CHILD
