"""Where each title line of a file is: the cell an auditor opens to see what named the file's commune (a file's
commune_resolved, wrong_province or legacy_unit_name had no cell; independent probes, An Giang and national run)."""

from __future__ import annotations

from ..readers.grid import Sheet
from .header_rows import top_view

SCANNED_ROWS = 40  # the rows a title line may come from (a table's title stands above its header)


def title_cells(sheets: list[Sheet], lines: list[str]) -> list[list | None]:
    """[sheet, row, column] (1-based) of the first cell of the row each line was read from, else None."""
    where: dict[str, list] = {}
    wanted = set(lines)
    for sheet in sheets:
        if not sheet.rows:
            continue
        view = top_view(sheet)
        for r in range(min(view.n, SCANNED_ROWS)):
            if not view.distinct[r]:
                continue
            line = view.line(r)
            if line in wanted and line not in where:
                column = next((c for c, v in enumerate(view.cells[r]) if v is not None), 0)
                where[line] = [sheet.name, r + 1, column + 1]
        if len(where) == len(wanted):
            break
    return [where.get(line) for line in lines]
