"""Write tiny test workbooks from plain grids, in every format communes send.

A grid is a list of rows, row 1 first; a row is a list of cell values (None = empty).
Numbers stay numbers, text stays text. Each writer uses the library an office tool
would: openpyxl (.xlsx), xlwt (.xls), odfpy (.ods), the csv module (.csv). None of
them goes through the project's own sample generator, so the reader is tested
against files it did not write itself.

    Grid(rows, name="Phụ lục", merges=[(r1, c1, r2, c2)], hidden_rows={6}, formats={"E": "0.00%"})

Merges and rows are 1-based, inclusive. `formats` maps a column letter to a number
format for every numeric cell of that column (below `format_from`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from samplegen.writers import col_letter


@dataclass
class Grid:
    rows: list[list]
    name: str = "Sheet1"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    formats: dict[str, str] = field(default_factory=dict)
    format_from: int = 1
    hidden: bool = False


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _covered(grid: Grid) -> set[tuple[int, int]]:
    """Cells inside a merge other than its top-left anchor."""
    out = set()
    for r1, c1, r2, c2 in grid.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    out.add((r, c))
    return out


# --- xlsx (openpyxl) --------------------------------------------------------------------


def write_xlsx(path: Path, sheets: list[Grid], active: int = 0) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for grid in sheets:
        ws = wb.create_sheet(grid.name)
        covered = _covered(grid)
        for r, row in enumerate(grid.rows, 1):
            for c, value in enumerate(row, 1):
                if value is None or (r, c) in covered:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and "\n" in value:
                    cell.alignment = Alignment(wrap_text=True)
                letter = col_letter(c)
                if _is_number(value) and letter in grid.formats and r >= grid.format_from:
                    cell.number_format = grid.formats[letter]
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for r in grid.hidden_rows:
            ws.row_dimensions[r].hidden = True
        if grid.hidden:
            ws.sheet_state = "hidden"
    wb.active = active
    wb.save(path)
    return path


# --- xls (xlwt, BIFF8) ------------------------------------------------------------------


def write_xls(path: Path, sheets: list[Grid], active: int = 0) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, object] = {}

    def style(fmt: str | None):
        key = fmt or "General"
        if key not in styles:
            styles[key] = xlwt.easyxf("align: wrap on", num_format_str=key)
        return styles[key]

    for grid in sheets:
        ws = wb.add_sheet(grid.name, cell_overwrite_ok=True)
        if grid.hidden:
            ws.visibility = 1
        covered = _covered(grid)
        anchors = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in grid.merges}
        for r, row in enumerate(grid.rows, 1):
            for c, value in enumerate(row, 1):
                if (r, c) in covered:
                    continue
                letter = col_letter(c)
                fmt = grid.formats.get(letter) if _is_number(value) and r >= grid.format_from else None
                if (r, c) in anchors:
                    r2, c2 = anchors[(r, c)]
                    ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, "" if value is None else value, style(fmt))
                elif value is not None:
                    ws.write(r - 1, c - 1, value, style(fmt))
        for r in grid.hidden_rows:
            ws.row(r - 1).hidden = True
    wb.active_sheet = active
    wb.save(str(path))
    return path


# --- ods (odfpy) ------------------------------------------------------------------------


def write_ods(path: Path, sheets: list[Grid]) -> Path:
    from odf.number import NumberStyle, Number, PercentageStyle, Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    cell_styles: dict[str, object] = {}

    def cell_style(fmt: str):
        if fmt not in cell_styles:
            name = f"N{len(cell_styles) + 1}"
            decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
            if fmt.endswith("%"):
                data = PercentageStyle(name=name)
                data.addElement(Number(decimalplaces=decimals, minintegerdigits=1))
                data.addElement(NumberText(text="%"))
            else:
                data = NumberStyle(name=name)
                data.addElement(Number(decimalplaces=decimals, minintegerdigits=1, grouping="," in fmt))
            doc.automaticstyles.addElement(data)
            st = Style(name=f"ce{len(cell_styles) + 1}", family="table-cell", datastylename=name)
            doc.automaticstyles.addElement(st)
            cell_styles[fmt] = st
        return cell_styles[fmt]

    hidden_table = None
    for grid in sheets:
        attrs = {}
        if grid.hidden:  # a hidden sheet: its table style says display="false"
            if hidden_table is None:
                hidden_table = Style(name="ta_hidden", family="table")
                hidden_table.addElement(TableProperties(display=False))
                doc.automaticstyles.addElement(hidden_table)
            attrs["stylename"] = hidden_table
        table = Table(name=grid.name, **attrs)
        width = max((len(r) for r in grid.rows), default=1)
        table.addElement(TableColumn(numbercolumnsrepeated=width))
        covered = _covered(grid)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in grid.merges}
        for r, row in enumerate(grid.rows, 1):
            tr = TableRow(visibility="collapse") if r in grid.hidden_rows else TableRow()
            for c in range(1, width + 1):
                value = row[c - 1] if c - 1 < len(row) else None
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    attrs["numberrowsspanned"], attrs["numbercolumnsspanned"] = spans[(r, c)]
                fmt = grid.formats.get(col_letter(c)) if r >= grid.format_from else None
                if value is None:
                    cell = TableCell(**attrs)
                elif _is_number(value):
                    if fmt:
                        attrs["stylename"] = cell_style(fmt)
                    kind = "percentage" if fmt and fmt.endswith("%") else "float"
                    cell = TableCell(valuetype=kind, value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    for line in str(value).split("\n"):
                        cell.addElement(P(text=line))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


# --- csv --------------------------------------------------------------------------------


def csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "utf-8", bom: bool = False,
              quote_all: bool = False) -> bytes:
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n", quoting=quoting)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    text = buf.getvalue()
    if encoding == "cp1258":
        from samplegen.encodings import cp1258_bytes

        data = cp1258_bytes(text)
    else:
        data = text.encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def write_csv(path: Path, rows: list[list], **options) -> Path:
    Path(path).write_bytes(csv_bytes(rows, **options))
    return path


WRITERS = {"xlsx": write_xlsx, "xls": write_xls, "ods": write_ods}


def write_book(path: Path, sheets: list[Grid] | Grid) -> Path:
    """Write `sheets` in the format of `path`'s suffix (.xlsx, .xls, .ods)."""
    if isinstance(sheets, Grid):
        sheets = [sheets]
    return WRITERS[Path(path).suffix.lstrip(".")](Path(path), sheets)
