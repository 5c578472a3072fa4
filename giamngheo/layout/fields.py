"""From a column's header tags to its canonical field, for each kind of table."""

from __future__ import annotations

import re

from schemas.columns import BREAKDOWN_OF

from ..text import fold

# Kinds of table a sheet can hold.
PLAN = "plan"  # kế hoạch / phân bổ chỉ tiêu: baseline counts and planned reductions
SUMMARY = "summary"  # counts only; a plan without targets, or the year-end "kết quả rà soát"
RESULTS = "results"  # year-end movements: start, decreases, increases, end ("diễn biến")
TARGETS = "targets"  # the province's assignment of targets to communes

SUBJECT_PREFIX = {"poor": "poor", "near": "near_poor"}

# flow tag -> (subject it implies, movement). A label naming two movements is the first's: "Thoát nghèo lên cận
# nghèo" / "thành hộ cận nghèo" names where the household went (to_near), so "thoát nghèo" (escaped) comes later
FLOWS = {
    "flow.to_near": ("poor", "to_near_poor"),
    "flow.to_poor": ("near", "to_poor"),
    "flow.from_near": ("poor", "from_near_poor"),
    "flow.from_poor": ("near", "from_poor"),
    "flow.fell_back": ("poor", "fell_back"),
    "flow.fell_back_near": ("near", "fell_back"),
    "flow.escaped": ("poor", "escaped"),
    "flow.escaped_near": ("near", "escaped"),
    "flow.new": (None, "new"),
    "flow.other_decrease": (None, "other_decrease"),
    "flow.other_increase": (None, "other_increase"),
    "flow.other": (None, "other"),  # "Khác" under a decrease or an increase: its other movements
}
ESCAPES = frozenset({"flow.escaped", "flow.escaped_near"})  # the movements a plan also names, as its cut
RESULTS_ONLY_FLOWS = frozenset(FLOWS) - ESCAPES

# What makes a village table a plan: the reductions it plans (a table of counts alone may be a list's summary, a
# deprivation table's: sheet_parts._lists_summary, tables._of_deprivations)
REDUCTIONS = frozenset({"poor_reduction_target", "near_poor_reduction_target"})

# Rate columns: the count they are a rate of -> the rate field.
RATE_OF = {
    "poor_households": "poor_rate",
    "near_poor_households": "near_poor_rate",
    "poor_reduction_target": "poor_reduction_rate",
    "near_poor_reduction_target": "near_poor_reduction_rate",
    "poor_households_start": "poor_rate_start",
    "poor_households_end": "poor_rate_end",
    "near_poor_households_start": "near_poor_rate_start",
    "near_poor_households_end": "near_poor_rate_end",
}

ROLE_FIELDS = ("village_name", "stt", "note", "breakdown", "unit_code")

# Breakdowns of the poor and near-poor ("Trong đó: hộ DTTS"): a header or row tag -> the subset it
# names. A count column or row naming one holds that subset of its stock count, never the stock.
SUBSETS = {"sub.ethnic": "ethnic_minority", "sub.no_labour": "no_labour", "sub.merit": "merit"}
# subset field -> the stock count it is a part of (the contract's five; merit households only for the poor)
BREAKDOWNS = BREAKDOWN_OF  # subset field -> the stock count it is a part of (merit households: the poor only)


def subsets(tags: frozenset[str]) -> frozenset[str]:
    """The subsets a label names: "ethnic_minority", "no_labour", "merit", or "other" (a subset with no
    field of ours: "hộ bảo trợ xã hội", "hộ có khả năng lao động")."""
    return frozenset(SUBSETS.get(t, "other") for t in tags if t.startswith("sub."))


# A subset split by a word alone under the label naming it: "KNLĐ" over "Có | Không", "Người có công" over "Có | Không",
# "Dân tộc" over "Kinh | Thiểu số" (or "Kinh | Thái | Mông | Khác"). Each child inherited its parent's subset, the first
# was read: the households able to work as poor_no_labour, the Kinh as the ethnic minority (independent probe, Điện Biên).
_YES, _NO = frozenset({"co", "x", "co x"}), frozenset({"khong", "ko", "k"})
_MAJORITY = frozenset({"kinh", "dan toc kinh", "ho kinh", "nguoi kinh", "ho dan toc kinh"})
_MINORITY = frozenset({"thieu so", "dtts", "dan toc thieu so", "ho dtts", "ho dan toc thieu so", "dan toc khac"})
_NEGATION = re.compile(r"\b(?:khong|ko|mat)\b")


def split_subsets(children: list[tuple[str, str]], parent: str, parent_tags: frozenset[str]) -> list[frozenset[str] | None]:
    """The subset tag each child column states by its word alone, under a parent label naming a subset (`children`: each
    child's folded label and its own subset tag or ""); None where the child's own tags stand. Under the labour capacity
    itself ("KNLĐ", "Khả năng lao động": no negation) "Không" is the households without it; under any other subset "Có"
    is the subset. Under "Dân tộc" with a Kinh column, only a column naming the minorities ("Thiểu số", "DTTS") is
    theirs: "Thái | Mông | Khác" each a part of it, no field of ours."""
    named = subsets(parent_tags) - {"other"}
    if len(named) != 1:
        return [None] * len(children)
    (subset,) = named
    other, tag = frozenset({"sub.other"}), frozenset({next(t for t, s in SUBSETS.items() if s == subset)})
    labels = [label for label, _ in children]
    if any(label in _YES for label in labels) and any(label in _NO for label in labels):
        capacity = subset == "no_labour" and not _NEGATION.search(parent)
        mine, others = (_NO, _YES) if capacity else (_YES, _NO)
        return [tag if label in mine else other if label in others else None for label in labels]
    if subset == "ethnic_minority" and any(label in _MAJORITY for label in labels):
        # the minorities' column is theirs; one naming a subset of its own keeps it; the Kinh and each group are others
        return [tag if label in _MINORITY else None if own and own != "ethnic_minority" else other for label, own in children]
    return [None] * len(children)


def breakdown_field(stock: str | None, subset: str) -> str | None:
    """The subset field of a stock count: (poor_households, ethnic_minority) -> poor_ethnic_minority,
    (near_poor_households_end, no_labour) -> near_poor_no_labour_end; None when we have no such field."""
    if stock is None:
        return None
    for end in ("", "_start", "_end"):
        if stock.endswith(f"_households{end}"):
            field = f"{stock[: -len(f'_households{end}')]}_{subset}"
            return f"{field}{end}" if field in BREAKDOWNS else None
    return None
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def subject(tags: frozenset[str]) -> str | None:
    if "subject.near" in tags:
        return "near"
    if "subject.poor" in tags:
        return "poor"
    if "subject.total" in tags or "weak.total" in tags:
        return "total"
    return None


def category(tag: str) -> str:
    return tag.split(".", 1)[0]


def merge_tags(own: frozenset[str], parents: list[frozenset[str]]) -> frozenset[str]:
    """A column's own tags, completed by its parents' tags of categories it does not state."""
    tags = set(own)
    for parent in reversed(parents):  # nearest parent first
        have = {category(t) for t in tags}
        tags |= {t for t in parent if category(t) not in have}
    return frozenset(tags)


_STAGES = frozenset({"aspect.start", "aspect.end"})


def parts_of_the_count_before(columns: list[frozenset[str]]) -> list[frozenset[str]]:
    """Each column's tags, a subset that names no count of its own ("Hộ nghèo | Trong đó: DTTS | Không có KNLĐ | Hộ cận
    nghèo | Trong đó: DTTS") completed by the count on its left, past the count's rate: "trong đó" ("of which") is of the
    count before it.
    Those columns were ignored, and the commonest breakdown layout lost without a word. Under a group's own words
    ("Hộ nghèo" over "Đầu năm | Trong đó: DTTS | … | Cuối năm | Trong đó: DTTS") a subset of the count's group takes the
    count's other words too, its start or end: they were ignored (contract judge, Hà Tĩnh)."""
    out, stock = [], None
    for tags in columns:
        named = subsets(tags)
        if named and subject(tags) is None and stock is not None:
            tags = merge_tags(tags, [stock])
        elif named and stock is not None and subject(tags) == subject(stock) and not tags & _STAGES:
            tags = tags | (stock & _STAGES)  # (its start or end alone: "Số hộ cận nghèo giảm | Hộ cận nghèo DTTS" is no
            # breakdown of the decrease)
        elif subject(tags) is not None and not named and "measure.rate" not in tags:
            stock = tags  # a count, not its rate beside it ("Hộ nghèo / Số hộ | Tỷ lệ (%) | Trong đó: DTTS")
        out.append(tags)
    return out


def label_years(label: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(label)]


def role_field(tags: frozenset[str]) -> str | None:
    """village_name / stt / note / breakdown / unit_code, or None for a figure column."""
    if "role.stt" in tags and not subject(tags):
        return "stt"
    if "role.note" in tags:
        return "note"
    if "role.breakdown" in tags and not subject(tags):
        return "breakdown"
    if "role.code" in tags and not subject(tags) and "measure.rate" not in tags:
        return "unit_code"
    figure = subject(tags) or any(t.startswith(("flow.", "measure.rate")) for t in tags)
    if "role.name" in tags and not figure:
        return "village_name"
    return None


_POOR_TO_NEAR = frozenset({"flow.to_near", "flow.from_poor"})
_NEAR_TO_POOR = frozenset({"flow.to_poor", "flow.from_near"})
# (block, which way the households went) -> the movement's field, and whether it is the block's decrease
_CROSSINGS = {
    ("poor", _POOR_TO_NEAR): ("poor_to_near_poor", True), ("poor", _NEAR_TO_POOR): ("poor_from_near_poor", False),
    ("near", _NEAR_TO_POOR): ("near_poor_to_poor", True), ("near", _POOR_TO_NEAR): ("near_poor_from_poor", False),
}


def _crossing(tags: frozenset[str], flows: list[str], block: str | None) -> str | None:
    """A movement between the poor and the near-poor, by the block it stands in: "Hộ cận nghèo trở thành hộ nghèo" is
    the poor's increase in the poor's block, the near-poor's decrease in theirs (the official form words both blocks
    so; read as the near-poor's under the poor's, not read at all under the near-poor's: 14 false balance errors
    rejected a correct file, independent probe, Hà Tĩnh), "Số hộ nghèo chuyển sang hộ cận nghèo" and "HN giảm / Sang
    HCN" the poor's decrease whatever group the words name first (Quảng Trị). A "giảm" or "tăng" over it must agree."""
    down, up = "group.decrease" in tags, "group.increase" in tags
    crossing = frozenset(flows) & (_POOR_TO_NEAR | _NEAR_TO_POOR)
    way = next((w for w in (_POOR_TO_NEAR, _NEAR_TO_POOR) if crossing and crossing <= w), None)
    found = _CROSSINGS.get((block, way)) if way else None
    if found is None or (down or up) and (down and up or down != found[1]):
        return None
    return found[0]


def count_field(tags: frozenset[str], kind: str, table_subject: str | None, years: list[int], year: int | None) -> str | None:
    """The count field a column holds in a table of `kind`, or None."""
    if "measure.persons" in tags and "measure.count" not in tags:
        return None
    named = subsets(tags)
    if {t for t in tags if t.startswith("sub.")} == {"sub.no_labour", "sub.social"}:
        named = frozenset({"no_labour"})  # "không có khả năng lao động (thuộc đối tượng BTXH)": the one group, said twice
    if named:  # a subset of a count ("Hộ nghèo / Trong đó / Hộ DTTS"): its breakdown field, never the count
        stock = _count_field(tags, kind, table_subject, years, year)
        return breakdown_field(stock, next(iter(named))) if len(named) == 1 else None
    return _count_field(tags, kind, table_subject, years, year)


def _count_field(tags: frozenset[str], kind: str, table_subject: str | None, years: list[int], year: int | None) -> str | None:
    if "group.increase" in tags and "group.decrease" in tags and not any(t in tags for t in FLOWS):
        return None  # a net change ("Tăng (+), giảm (-) hộ nghèo"): no decrease, no increase, no cut of ours
    subj = subject(tags)
    flows = [t for t in FLOWS if t in tags]
    if kind == TARGETS:
        if subj in ("poor", "near") and "aspect.reduction" in tags:
            return f"assigned_{SUBJECT_PREFIX[subj]}_reduction_households"
        return _stock_field(subj)
    if kind == RESULTS:
        if crossing := _crossing(tags, flows, table_subject):
            return crossing
        if flows:
            implied, movement = FLOWS[flows[0]]
            if movement == "other":  # "Giảm / Khác", "Tăng / Khác"
                movement = "other_decrease" if "group.decrease" in tags else "other_increase" if "group.increase" in tags else ""
                if not movement:
                    return None
            who = implied or (subj if subj in ("poor", "near") else table_subject)
            return f"{SUBJECT_PREFIX[who]}_{movement}" if who in SUBJECT_PREFIX else None
        who = subj if subj in ("poor", "near", "total") else None
        dated = "aspect.start" in tags or "aspect.end" in tags
        moved = "group.decrease" in tags or "group.increase" in tags
        if who is None or (who == "total" and "subject.total" not in tags and dated and table_subject in ("poor", "near")):
            # "Đầu kỳ / Số hộ" in a report on the poor ("Diễn biến hộ nghèo"): the table's households, not all; "Giảm
            # trong năm / Cộng" there: the table's (or its block's: header_fields._block_subject) decrease
            who = table_subject if dated or (moved and who is None) else None
        if who is None:
            return None
        stock = _stock_field(who)
        if "aspect.start" in tags or (year and years and max(years) < year and "aspect.end" not in tags):
            return f"{stock}_start"
        if "aspect.end" in tags or (year and years and max(years) >= year):
            return f"{stock}_end"
        if who in SUBJECT_PREFIX and "group.decrease" in tags:
            return f"{SUBJECT_PREFIX[who]}_decrease"
        if who in SUBJECT_PREFIX and "group.increase" in tags:
            return f"{SUBJECT_PREFIX[who]}_increase"
        return f"{stock}_end" if who == "total" else None
    # plan or summary
    if subj in ("poor", "near"):
        if "aspect.reduction" in tags or flows in (["flow.escaped"], ["flow.escaped_near"]):
            if year and years and max(years) < year:
                return None  # last year's cut or result ("Kết quả thực hiện năm 2025 / Số hộ thoát nghèo"): not the plan's
            # the flow's own group ("thoát nghèo"), where it names one ("mới phát sinh" does not: the label's stands)
            subj = (FLOWS[flows[0]][0] if flows else None) or subj
            return f"{SUBJECT_PREFIX[subj]}_reduction_target"
        if "aspect.end" in tags and "aspect.baseline" not in tags and not (year and years and max(years) < year):
            return None  # an expected end count in a plan, not its baseline ("cuối năm 2025" is one)
        return _stock_field(subj)
    if flows in (["flow.escaped"], ["flow.escaped_near"]):
        if year and years and max(years) < year:
            return None  # last year's result, not the plan's cut
        return f"{SUBJECT_PREFIX[FLOWS[flows[0]][0]]}_reduction_target"
    if subj == "total":
        return "total_households"
    return None


def _stock_field(subj: str | None) -> str | None:
    if subj == "total":
        return "total_households"
    if subj in SUBJECT_PREFIX:
        return f"{SUBJECT_PREFIX[subj]}_households"
    return None


def rate_field(count: str | None, kind: str) -> str | None:
    """The rate field for a rate column whose numerator is `count`."""
    if count is None:
        return None
    if kind == TARGETS and count.startswith("assigned_") and count.endswith("_households"):
        return count.replace("_households", "_pp")
    if kind == RESULTS and count == "total_households_end":
        return None
    return RATE_OF.get(count)


_A_CUT = re.compile(r"\b(?:giam|ha)\b")  # "giảm", "hạ": a cut's words


def targets_rate_field(tags: frozenset[str], label: str = "", year: int | None = None) -> str | None:
    """In the targets workbook: the assigned reduction in points, the baseline rate, or the rate to reach by the end of
    the year ("Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)", "… phấn đấu đến cuối năm 2026": no cut's word; read as the
    cut, 5.64 points for a rate of 6.83 to bring to 5.64; independent probe, Thanh Hóa)."""
    subj = subject(tags)
    if subj not in ("poor", "near"):
        return None
    prefix = SUBJECT_PREFIX[subj]
    if "aspect.end" in tags and "unit.points" not in tags and not _A_CUT.search(fold(label)):
        years = label_years(label)
        aimed = "planned.target" in tags or " phan dau " in f" {fold(label)} " or bool(year and years and max(years) >= year)
        return f"{prefix}_rate_target" if aimed else f"{prefix}_rate"
    if "aspect.reduction" in tags or "unit.points" in tags:
        return f"assigned_{prefix}_reduction_pp"
    return f"{prefix}_rate"


