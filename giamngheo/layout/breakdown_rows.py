"""Breakdown rows ("- Trong đó: hộ DTTS") under a village, a total or a subtotal: the subsets they name, the counts they
give the row above, blank ones, and blank cells of theirs as 0 where the table gives their subset."""

from __future__ import annotations

import re
from functools import lru_cache

from ..text import fold
from . import fields as F
from .header_rows import DASHES
from .table_row import ROMAN, SECTION_PREFIX, SUBTOTAL, TOTAL, VILLAGE, TableRow, is_blank
from .vocabulary import folded_words, load_vocabulary

_BULLET = re.compile(r"^\s*[-+*•–—]")


@lru_cache(maxsize=65536)
def breakdown_subsets(label: str) -> frozenset[str]:
    """The subsets a row's label names ("- Trong đó: hộ DTTS" -> ethnic_minority), see fields.subsets."""
    return F.subsets(load_vocabulary().header.tags(label))


@lru_cache(maxsize=65536)
def counts_households(label: str) -> bool:
    """A label that speaks of households ("Hộ DTTS", "Số hộ nghèo không có khả năng lao động"): a numbered
    row so labelled is a breakdown, where "Bản Dân Tộc" under the number 7 is a village."""
    return "ho" in folded_words(label) or bool(
        load_vocabulary().header.tags(label) & {"measure.count", "subject.poor", "subject.near", "subject.total", "weak.total"})


def blank_breakdown(label: str, stt: str | None) -> bool:
    """A "Trong đó" row left blank, its subset having no households ("- Hộ không có KNLĐ" with empty cells):
    nothing to read, and no section heading either (else it would name the villages below it). A label
    naming a subset reads as such a row when it is bulleted, speaks of households or is a negation
    ("Không có KNLĐ"); a numbered heading ("II. Vùng đồng bào DTTS") stays a section."""
    if not breakdown_subsets(label) or SECTION_PREFIX.match(label) or (stt and ROMAN.match(stt.strip().rstrip("."))):
        return False
    return (
        bool(_BULLET.match(label) or (stt and _BULLET.match(stt)))
        or counts_households(label)
        or fold(label).startswith("khong ")
    )


def has_figure(value) -> bool:
    """A cell holding a figure other than none: not blank, a dash nor 0."""
    if value is None or value == 0:
        return False
    return not isinstance(value, str) or value.strip() not in ("", "0", *DASHES)


def attach_breakdown(out: list[TableRow], r: int, label: str, subsets: frozenset[str], values: dict, figures: dict,
                      row_fields: dict[str, int]) -> bool:
    """Give the row above (village, total or subtotal) the subset counts of a "Trong đó" row: the row's
    value under each stock count the label allows ("Hộ nghèo không có khả năng lao động": the poor
    only). False when the row cannot be used: no row above, a subset we keep no field for, or two."""
    parent = next((x for x in reversed(out) if x.kind in (VILLAGE, TOTAL, SUBTOTAL)), None)
    if parent is None or len(subsets) != 1 or "other" in subsets:
        return False
    subset = next(iter(subsets))
    who = F.subject(load_vocabulary().header.tags(label))
    if who in ("poor", "near") and any(
        has_figure(values.get(stock)) for stock in figures if F.breakdown_field(stock, subset) and not stock.startswith(
            F.SUBJECT_PREFIX[who] + "_households")):
        return False  # "- Hộ nghèo DTTS" with its figure under the near-poor: which is meant the commune says (was dropped)
    used = False
    for stock, col in figures.items():
        target = F.breakdown_field(stock, subset)
        if (
            target is None
            or target in figures
            or (who in ("poor", "near") and not stock.startswith(F.SUBJECT_PREFIX[who] + "_households"))
        ):
            continue
        used = True
        if target in parent.values:  # a second row of the same subset: the first one counts
            continue
        parent.values[target] = values[stock]
        parent.sources[target] = r + 1
        row_fields.setdefault(target, col)
    return used


def zero_blank_breakdowns(rows: list[TableRow]) -> None:
    """A blank cell of a "Trong đó" row, or such a row left blank, is 0 where the table gives that subset on another
    row, as a blank in a breakdown's column ("-" and "x" were 0, a blank null; independent probe, Sơn La); a subset the
    table never gives ("Trong đó: hộ DTTS" filled under the poor alone: the near-poor's) stays null."""
    given = {f for x in rows for f in x.sources if not is_blank(x.values.get(f))}
    for x in rows:
        for f in x.sources:
            if f in given and is_blank(x.values.get(f)):
                x.values[f] = 0
