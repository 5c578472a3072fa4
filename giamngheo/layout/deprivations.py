"""Recognise a deprivation table (hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản).

Two orientations: indicators as rows, commune level (deprivations_down.py: dimension rows over indicator rows,
columns of deprived poor and near-poor households and their rates, or a block of indicators per group; group sizes
in a row, a column or a group's own row), and villages as rows under a 2–3 row header, dimension over indicator over
HN / HCN (deprivations_across.py). The cell readers and the table they make: deprivation_cells.py.

Indicators are read by their labels in the catalogue of standards (standards.toml), whichever
standard names them: the kind's checks judge the set against the standard of the run's year.
A village table becomes one table per indicator (fields poor_deprived, near_poor_deprived and
their rates) plus one of group sizes, so that every figure keeps its exact cell. Every row carries
its indicator's key and its label as written. The province's targets workbook may hold a sheet of
indicator targets (coverage in percent): a `targets` table with subject "deprivations".

Worker side: no polars. These tables are claimed before the village-table engine looks at the
sheet: their HN / HCN columns would otherwise read as a plan's or a results report's.
"""

from __future__ import annotations

from ..parsed import ParsedTable
from ..readers.grid import Sheet
from .deprivation_cells import (  # noqa: F401 (ATTRIBUTES: read by kinds/)
    ATTRIBUTES, KIND, MIN_INDICATORS, clean_text, code_column, deprivation_table, indicator_key, target_unit)
from .tables import title_lines
from .vocabulary import load_vocabulary, row_label_tags
from .deprivations_across import across
from .deprivations_down import down
from .personal import HEADER_SCAN, texts_in


def recognise(sheet: Sheet, title: list[str] | None = None) -> list[ParsedTable] | None:
    """The deprivation tables of a sheet (indicators down the rows, else across the columns), or None."""
    if not sheet.rows or not _names_indicators(sheet):
        return None
    tables = down(sheet) or across(sheet)
    return tables or None


def _names_indicators(sheet: Sheet) -> bool:
    """Whether the sheet's text names MIN_INDICATORS indicators at all, as either orientation needs: asked of
    its distinct texts at once (every sheet is asked; most, a plan annex's, name none)."""
    if len(_NAMES_NONE) > 200_000:
        _NAMES_NONE.clear()
    keys = set()
    for text in texts_in(sheet, 0, len(sheet.rows)) - _NAMES_NONE:  # labels, figures as text recur file after file
        key = indicator_key(text)
        if key is None:
            _NAMES_NONE.add(text)
            continue
        keys.add(key)
        if len(keys) >= MIN_INDICATORS:
            return True
    return False


_NAMES_NONE: set[str] = set()  # texts that name no indicator


def indicator_targets(sheet: Sheet) -> list[ParsedTable]:
    """A targets workbook's sheet of indicator targets, however few indicators it names (the tables of communes'
    files name six or more): the indicators down the rows, else across the columns of a table of communes."""
    return (down(sheet, targets_only=True) or _targets_across(sheet)) if sheet.rows else []


def _targets_across(sheet: Sheet) -> list[ParsedTable]:
    """Per-commune targets with the indicators across ("Tên xã | Tỷ lệ hộ có BHYT (%) | Tỷ lệ hộ dùng nước sinh hoạt hợp
    vệ sinh (%)"), a commune a row: the sheet was passed over without a word (targets judge, Thanh Hóa)."""
    header = load_vocabulary().header
    for r, row in enumerate(sheet.rows[:HEADER_SCAN]):
        keys = {j: k for j, v in enumerate(row) if v.__class__ is str and (k := indicator_key(v))}
        name_col = next((j for j, v in enumerate(row) if v.__class__ is str and "role.name" in header.tags(v)), None)
        if not keys or name_col is None:
            continue
        cells = []
        code_col = code_column(sheet, r, r)
        for below in range(r + 1, len(sheet.rows)):
            name = target_unit(sheet, below, name_col, code_col)
            if not name or "row.stop" in row_label_tags(name):
                continue  # ("Toàn tỉnh", a total's words: the province's targets, read as such)
            cells += [(below, "village", name, key, clean_text(row[j]), {"target_coverage_pct": sheet.value(below, j)})
                      for j, key in keys.items()]
        if cells:
            table = deprivation_table(sheet, {"target_coverage_pct": min(keys)}, cells, (r, r), title_lines(sheet, r), name_col,
                                      kind="targets", subject=KIND)
            # each target's own column (1-based): a cell with no number is said there (targets._indicator_targets_said)
            table.rows["target_coverage_pct__col"] = [j + 1 for below in range(len(cells) // len(keys)) for j in keys]
            return [table]
    return []
