"""Deprivation tables with the villages as rows: a 2–3 row header, dimension over indicator over HN / HCN (and rates),
the villages' poor and near-poor households in columns before or after the indicators. One table per indicator
(fields poor_deprived, near_poor_deprived and their rates) plus one of group sizes, so that every figure keeps its cell."""

from __future__ import annotations

import re

from ..parsed import ParsedTable
from ..readers.grid import Sheet
from .deprivation_cells import (
    MIN_INDICATORS,
    TableRows,
    clean_text,
    columns_table,
    indicator_key,
    is_entry,
    is_figure,
    merge_end,
    numbering_of,
    shown_text,
    subject_of,
)
from .header_rows import is_numbered_row
from .rows import section_row
from .table_row import SECTION_PREFIX
from .standards import dimension_of
from .tables import title_lines
from .vocabulary import load_vocabulary, row_label_tags

_YEAR = re.compile(r"(?:năm\s*)?20\d\d", re.IGNORECASE)  # a row named for a year: a roadmap's, not a village
INDICATOR_ROWS = 20  # a sheet's first rows, where a header naming the indicators across is looked for


def _indicator_row(sheet: Sheet) -> tuple[int, dict[int, str]] | None:
    """The header row that names at least MIN_INDICATORS indicators, and their first columns."""
    for r in range(min(len(sheet.rows), INDICATOR_ROWS)):
        found = {}
        for j, v in enumerate(sheet.rows[r]):
            if not isinstance(v, str):
                continue
            key = indicator_key(v)
            if key and key not in found.values():
                found[j] = key
        if len(set(found.values())) >= MIN_INDICATORS:
            return r, found
    return None


def across(sheet: Sheet) -> list[ParsedTable]:
    found = _indicator_row(sheet)
    if found is None:
        return []
    h, keys = found
    starts = sorted(keys)
    spans = {}
    for i, j in enumerate(starts):
        end = merge_end(sheet, h, j)
        if end == j:
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            end = nxt - 1 if nxt is not None else j + (spans[starts[i - 1]][1] - starts[i - 1] if i else 0)
        spans[j] = (j, min(end, sheet.width - 1))
    bottom = h
    while bottom + 1 < len(sheet.rows) and bottom < h + 2 and not any(
        is_figure(sheet.value(bottom + 1, j)) for j in range(starts[0], sheet.width)
    ) and any(clean_text(sheet.value(bottom + 1, j)) for j in range(starts[0], sheet.width)):
        bottom += 1
    top = h
    while top > 0 and top > h - 2 and any(dimension_of(numbering_of(clean_text(v))[1]) for v in sheet.rows[top - 1][starts[0]:]):
        top -= 1
    first = starts[0]

    def header_text(j: int, rows) -> str:
        return " ".join(dict.fromkeys(t for t in (shown_text(sheet, r, j) for r in rows) if t))

    name_col, sizes = None, {}
    after = max(hi for _, hi in spans.values()) + 1  # the group sizes may follow the indicators
    for j in (*range(first), *range(after, sheet.width)):
        label = header_text(j, range(top, bottom + 1))
        tags = load_vocabulary().header.tags(label)
        subject, rate = subject_of(label)
        if "role.name" in tags and name_col is None and subject is None and j < first:
            name_col = j
        elif subject and not rate:
            sizes.setdefault(f"{subject}_households", j)
    if name_col is None:
        name_col = next(
            (j for j in range(first) if "role.stt" not in load_vocabulary().header.tags(header_text(j, range(top, bottom + 1)))),
            None,
        )
    if name_col is None:
        return []
    rows, unused = [], []
    labels = {j: load_vocabulary().header.tags(header_text(j, range(top, bottom + 1))) for j in range(name_col)}
    stt_col = next((j for j, tags in labels.items() if "role.stt" in tags), 0 if name_col else None)
    for r in range(bottom + 1, len(sheet.rows)):
        name = clean_text(sheet.value(r, name_col))
        tags = row_label_tags(name) if name else frozenset()
        if "row.stop" in tags:
            break
        if "row.ignore" in tags or (len(name) <= 3 and is_numbered_row(sheet.rows[r])):  # a "Trong đó" subset; "B | 1 | 2 …"
            continue
        figures = any(is_entry(v) for v in sheet.rows[r][first:])
        stt = clean_text(sheet.value(r, stt_col)) if stt_col is not None else None
        if not name and stt and SECTION_PREFIX.match(stt):
            name, stt = stt, None  # a section's heading typed in the numbering column ("I. Xã Mường Chà (cũ)"): said as
            # a row not used, "dòng “”" at its empty name's cell (deprivations judge, Điện Biên)
        if not figures or not name:
            if figures:
                unused.append([r + 1, None])  # figures with no village named: reported
            continue
        # a section's subtotal ("I | Khu vực xã Bình An (cũ)") is no village: counted as one, it doubled a ward's figures
        # (independent probe, Hà Tĩnh)
        # (a "section", not a "subtotal": the villages are not grouped by section here, and its figures were compared
        # with the whole commune's as a total's)
        rows.append((r, "total" if "row.total" in tags else "section" if section_row(stt, name) else "village", name))
    if not rows or sum(_YEAR.fullmatch(name) is not None for _, _, name in rows) * 2 > len(rows):
        return []  # years down the rows: a roadmap whose support items name indicators ("Cấp thẻ BHYT")
    title = title_lines(sheet, top)
    tables = []
    villages = TableRows(*zip(*rows))
    none = [None] * len(rows)
    if sizes:
        tables.append(columns_table(sheet, sizes, villages, none, none, {f: villages.values(sheet, j) for f, j in sizes.items()},
                                     (top, bottom), title, name_col))
    for j in starts:
        columns: dict[str, int] = {}
        lo, hi = spans[j]
        last = None
        for k in range(lo, hi + 1):
            subject, rate = subject_of(header_text(k, range(h + 1, bottom + 1)))
            if subject is None and lo == hi:
                subject, rate = subject_of(" ".join(title) + " " + header_text(k, range(top, h + 1)))
            if subject is None and rate and last:  # "HN | Tỷ lệ | HCN | Tỷ lệ": a rate beside its count
                subject = last
            last = subject
            if subject:
                columns.setdefault(f"{subject}_deprived_rate" if rate else f"{subject}_deprived", k)
        if not columns:
            continue
        label = clean_text(sheet.value(h, j))
        tables.append(columns_table(sheet, columns, villages, [keys[j]] * len(rows), [label] * len(rows),
                                     {f: villages.values(sheet, k) for f, k in columns.items()}, (top, bottom), title, name_col))
    if tables:
        tables[0].unused = unused
    return tables if any(t.rows["indicator"][0] for t in tables) else []
