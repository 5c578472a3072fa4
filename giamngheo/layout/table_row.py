"""A row of a village table as classified (giamngheo.layout.rows), and the kinds of row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VILLAGE, TOTAL, SUBTOTAL, SECTION = "village", "total", "subtotal", "section"
ROMAN = re.compile(r"^(?=[IVXL])(X{0,3}|L)?(IX|IV|V?I{0,3})$")  # a section's number ("II")
SECTION_PREFIX = re.compile(r"^\s*((?=[IVXL])(?:X{0,3}|L)?(?:IX|IV|V?I{0,3}))\s*[.\-:)/]\s*(\S.*)$")  # "II. Khu vực …"


def is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


@dataclass
class TableRow:
    row: int  # 1-based sheet row (CSV line)
    kind: str
    name: str | None
    section: str | None
    section_index: int  # 0 when the table has no sections
    values: dict[str, object] = field(default_factory=dict)  # field -> raw cell value
    # breakdown field -> the sheet row its value was read from, when not this row (a "Trong đó" row below)
    sources: dict[str, int] = field(default_factory=dict)
