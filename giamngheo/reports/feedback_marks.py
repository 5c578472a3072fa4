"""What a feedback workbook says: each failing cell filled by its worst severity and given one comment with all its
messages, and a first sheet listing every failure of the file, each linked to its cell, that the workbook opens on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from schemas.rules import RULE_BY_ID

from ..failures import value_vi
from ..path_names import place_of
from .feedback_source import safe_sheet_title
from .safe_cells import write_text, xml_text

LIST_SHEET = "Danh sách lỗi"
AUTHOR = "giamngheo"
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
LIST_COLUMNS = (
    ("Trang tính", 24),
    ("Ô", 10),
    ("Quy tắc", 40),
    ("Mức độ", 11),
    ("Giá trị", 30),
    ("Giá trị mong đợi", 30),
    ("Thông báo", 100),
)
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_LINK_FONT = Font(color="0563C1", underline="single")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class _Place:
    """Where a failure points in the feedback workbook; `mark` is False for a row-only link."""

    sheet: Any  # openpyxl Worksheet
    coordinate: str
    mark: bool


# ---- marking the cells


def failure_places(book, titles: dict, rows: list[dict]) -> list[_Place | None]:
    """For each failure, the cell it points to in `book`, or None (file-level, sheet unknown)."""
    return [_place(book, titles, r) for r in rows]


def _place(book, titles: dict, failure: dict) -> _Place | None:
    sheet = _sheet_of(book, titles, failure.get("source_sheet"))
    if sheet is None:
        return None
    row, column, mark = failure.get("row"), failure.get("column"), True
    if failure.get("cell"):
        try:
            letters, row = coordinate_from_string(str(failure["cell"]).replace("$", "").upper())
            column = column_index_from_string(letters)
        except ValueError:
            return None
    elif row and not column:
        column, mark = 1, False  # a row-level failure: link to the row, mark nothing
    if not row or not column or not (1 <= row <= _MAX_ROW and 1 <= column <= _MAX_COLUMN):
        return None
    cell = sheet.cell(row, column)
    if isinstance(cell, MergedCell):  # only the top-left cell of a merged range holds a value, a fill, a comment
        for merged in sheet.merged_cells.ranges:
            if cell.coordinate in merged:
                cell = sheet.cell(merged.min_row, merged.min_col)
                break
    return _Place(sheet, cell.coordinate, mark)


def _sheet_of(book, titles: dict, source_sheet: str | None):
    if source_sheet is None:  # CSV failures name no sheet; a one-sheet book leaves no doubt
        sheets = book.worksheets
        return sheets[0] if len(sheets) == 1 else None
    title = titles.get(source_sheet)
    if title is None and (place := place_of(source_sheet)) and place <= len(titles):  # a sheet named after a listed person,
        title = list(titles.values())[place - 1]  # published by its place (path_names)
    return book[title] if title in book.sheetnames else None


def mark_cells(places: list[_Place | None], rows: list[dict]) -> None:
    """Fill each failing cell by its worst severity and give it one comment with all its messages."""
    by_cell: dict[tuple[int, str], list[dict]] = defaultdict(list)
    sheets = {}
    for place, failure in zip(places, rows):
        if place is not None and place.mark:
            key = (id(place.sheet), place.coordinate)
            by_cell[key].append(failure)
            sheets[key] = place.sheet
    for key, failures in by_cell.items():
        sheet = sheets[key]
        cell = sheet[key[1]]
        worst = "error" if any(f.get("severity") != "warning" for f in failures) else "warning"
        cell.fill = FILLS[worst]
        text = "\n".join(f"[{SEVERITY_VI.get(f.get('severity'), f.get('severity'))}] {_message(f)}" for f in failures)
        if cell.comment is not None and cell.comment.text:
            text = f"{text}\n\n{xml_text(cell.comment.text)}"
        lines = sum(1 + len(line) // 45 for line in text.splitlines())
        cell.comment = Comment(text, AUTHOR, height=min(40 + 15 * lines, 400), width=320)
        # A link into a hidden sheet or row shows nothing. Columns stay as they are: openpyxl keeps
        # column ranges (<col min max>) and splitting one would write overlapping ranges.
        sheet.sheet_state = "visible"
        sheet.row_dimensions[cell.row].hidden = False


def _message(failure: dict) -> str:
    return xml_text(failure.get("message") or failure.get("message_en") or failure.get("rule") or "")


# ---- the list of failures


def add_failure_list(book, rows: list[dict], places: list[_Place | None]) -> None:
    """A first sheet listing every failure of the file, each linked to its cell; the workbook opens on it."""
    ws = book.create_sheet(safe_sheet_title(LIST_SHEET, book.sheetnames), 0)
    for c, (label, width) in enumerate(LIST_COLUMNS, start=1):
        cell = write_text(ws.cell(1, c), label)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = width
    sheet_order = {title: i for i, title in enumerate(book.sheetnames)}
    ordered = sorted(
        zip(rows, places),
        key=lambda rp: (
            rp[1] is not None,
            sheet_order.get(rp[1].sheet.title, 0) if rp[1] else 0,
            rp[0].get("row") or 0,
            rp[0].get("column") or 0,
        ),
    )
    for r, (failure, place) in enumerate(ordered, start=2):
        severity = failure.get("severity")
        values = (
            failure.get("source_sheet") or (place.sheet.title if place else ""),
            failure.get("cell") or (f"dòng {failure['row']}" if failure.get("row") else ""),
            _rule_label(failure.get("rule")),
            SEVERITY_VI.get(severity, severity),
            value_vi(failure.get("rule"), failure.get("value")),
            value_vi(failure.get("rule"), failure.get("expected")),
            _message(failure),
        )
        for c, value in enumerate(values, start=1):
            write_text(ws.cell(r, c), value).alignment = _WRAP
        if severity in FILLS:
            ws.cell(r, 4).fill = FILLS[severity]
        if place is not None:
            link = ws.cell(r, 2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=internal_location(place.sheet.title, place.coordinate))
            link.font = _LINK_FONT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LIST_COLUMNS))}{max(ws.max_row, 1)}"
    _open_on_first_sheet(book)


def _rule_label(rule_id: str | None) -> str:
    rule = RULE_BY_ID.get(rule_id or "")
    return f"{rule_id} — {rule.title_vi}" if rule else (rule_id or "")


def internal_location(sheet_title: str, coordinate: str) -> str:
    """A hyperlink location inside the workbook: 'Sheet name'!C5, quotes in the name doubled."""
    return "'" + sheet_title.replace("'", "''") + "'!" + coordinate


def _open_on_first_sheet(book) -> None:
    # Two selected tabs would group the sheets in Excel, and an edit would go to both.
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    for chart in book.chartsheets:
        for view in getattr(getattr(chart, "sheetViews", None), "sheetView", None) or []:
            view.tabSelected = False
    book.active = 0
    book.worksheets[0].sheet_view.tabSelected = True
    for view in book.views or []:
        view.firstSheet = 0

