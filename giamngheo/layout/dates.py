"""The date a document was signed, from its title lines ("…, ngày 20 tháng 5 năm 2026")."""

from __future__ import annotations

import re

from ..text import fold
from .vocabulary import load_vocabulary

_DOC_DATE = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2}) nam (20\d\d)\b")
_DOC_DATE_NUM = re.compile(r"\bngay (\d{1,2}) (\d{1,2}) (20\d\d)\b")


def document_date(lines: list[str]) -> list[int] | None:
    """The signing date in a title ('..., ngày 20 tháng 5 năm 2026'), not a date it cites; else the date of the
    document an annex is attached to ('(Kèm theo Kế hoạch số 15/KH-UBND ngày 20/5/2026)'): a corrected annex is
    attached to a later plan, and often no other line of the annex's sheet is dated."""
    attached = None
    for line in lines:
        folded = fold(line)
        leading = load_vocabulary().documents.leading(folded)
        if "doc.citations" in leading:
            if attached is None and "doc.attached" in leading:
                attached = _date_in(folded)
            continue
        if found := _date_in(folded):
            return found
    return attached


# the words before a date that make it the figures' cut-off, not the signing ("Số liệu rà soát đến ngày 10/12/2026",
# "tính đến ngày 31/12/2026", "thời điểm ngày …": independent probe, Nghệ An). Not "từ", "sau": a signing line
# begins with its place, and places end so ("Cẩm Tú, ngày 17 tháng 5 năm 2026")
_PERIOD_BEFORE = re.compile(r"\b(?:den|thoi diem)\s*$")


def _date_in(folded: str) -> list[int] | None:
    for pattern in (_DOC_DATE, _DOC_DATE_NUM):
        for m in pattern.finditer(folded):
            if _PERIOD_BEFORE.search(folded[: m.start()]):
                continue
            d, mth, y = (int(x) for x in m.groups())
            if 1 <= d <= 31 and 1 <= mth <= 12:
                return [y, mth, d]
    return None
