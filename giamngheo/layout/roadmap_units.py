"""A roadmap's units of money: million VND unless a unit cell, a label's "(đồng)" or the title's "Đơn vị tính: hộ;
đồng" says otherwise (the figures are turned into million VND by transforms.roadmap.roadmap_items)."""

from __future__ import annotations

import re

from ..text import fold
from .vocabulary import load_vocabulary

ASIDE = re.compile(r"\([^()]*\)")  # a bracketed aside: "(đồng)", "(năm kế hoạch)"
_MONEY = {
    "word.vnd": "vnd",
    "word.thousand_vnd": "thousand_vnd",
    "word.billion_vnd": "billion_vnd",
    "word.million_vnd": "million_vnd",
}
_UNIT_LINE = re.compile(r"\b(?:don vi tinh|dvt)\b(.*)")


def money_unit(text: str) -> str | None:
    """The unit of money a unit's text names ("Đồng", "triệu đồng", "nghìn đồng"), or None."""
    tags = load_vocabulary().roadmap_words.tags(text) if text else frozenset()
    return next((unit for tag, unit in _MONEY.items() if tag in tags), None)


def states_money(label: str) -> bool:
    """Whether a label names its unit of money ("(triệu đồng)", "nghìn đồng"), not only money's words ("vốn")."""
    folded = fold(label)
    return bool(money_unit(" ".join(ASIDE.findall(label)))) or any(
        f" {w} " in f" {folded} " for w in ("trieu dong", "tr dong", "trd", "nghin dong", "ty dong"))


def title_money(title: list[str]) -> str | None:
    """The unit of money the title's "Đơn vị tính: hộ; đồng" states."""
    for line in title:
        m = _UNIT_LINE.search(fold(line))
        if m and (unit := money_unit(m.group(1))):
            return unit
    return None


def budget_unit(item: tuple[str, str, str], label: str, stated: str | None, in_title: str | None) -> tuple[str, str, str]:
    """A budget item's unit: its unit cell's, else its label's "(đồng)", else the title's, else million VND."""
    if item[1] != "budget":
        return item
    in_label = next((u for aside in ASIDE.findall(label) if (u := money_unit(aside.strip("()")))), None)
    return item[0], item[1], stated or in_label or in_title or "million_vnd"


_PERSONS = frozenset({"nguoi", "lao dong", "nguoi lao dong", "luot nguoi", "luot", "hoc vien"})


def in_persons(label: str, unit_cell: str = "") -> bool:
    """Whether a support row counts persons, not households: its unit cell ("Người", "Lao động") or its label's bracketed
    unit ("Đào tạo nghề (người)") says so. Stored as households, it was summed with the households of others
    (reports judge, Hưng Yên)."""
    said = [fold(unit_cell)] if unit_cell and unit_cell.strip() else [fold(a.strip("()")) for a in ASIDE.findall(label)]
    return any(" ".join(s.split()) in _PERSONS for s in said)
