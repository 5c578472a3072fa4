"""The validation report as a workbook an auditor can sort and filter: bao_cao_kiem_tra.xlsx.

Two sheets: "Tổng hợp" (failure counts by severity, rule and commune, with the province
figures on top) and "Lỗi" (every failure, one row each, frozen header, autofilter,
errors shaded).

Formula injection: file names, sheet names, cell values and messages come from commune
files, so any of them may read "=HYPERLINK(...)" or "@SUM(...)". Every text cell goes
through `safe_text`, and `_put_text` types the cell as a string. The choice made:

- A text that a spreadsheet could take for a formula (starting with = + - @, a tab or
  a carriage return, also after leading spaces, or with the full-width ＝ ＋ － ＠) gets a
  visible leading apostrophe, the OWASP advice. Visible on purpose: it survives copying
  to CSV or another program, and someone who edits the cell and presses Enter gets text
  back, not a formula. A zero-width prefix was rejected: invisible, so an auditor who
  filters for "=F19+H19+55" silently finds nothing, and some tools strip it.
- A text that is only a number ("-10", "+5", "-1.234,5") is left as it is: it cannot
  run, and the auditor should see the value the commune typed.
- The cell is also forced to data_type "s": openpyxl would otherwise write a string
  starting with "=" as a formula (<f>). Excel's quote-prefix flag is not set: with the
  visible apostrophe it would show twice in the formula bar, and it adds nothing.
- Control characters an .xlsx cannot hold are dropped, and text is cut at Excel's
  32 767-character cell limit.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from schemas.columns import label_vi

from ..failures import value_vi
from .run_data import SEVERITY_VI, UNRESOLVED, RunData, failure_counts, load_run, rule_title, status_texts

REPORT_NAME = "bao_cao_kiem_tra.xlsx"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*(?:[eE][+-]?\d+)?%?")
EXCEL_CELL_CHARS = 32_767
HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
ERROR_FILL = PatternFill("solid", fgColor="FBE3E0")
WARNING_FILL = PatternFill("solid", fgColor="FDF0D5")
BOLD, WHITE_BOLD, RED_BOLD = Font(bold=True), Font(bold=True, color="FFFFFF"), Font(bold=True, color="9B2C20")

FAILURE_SHEET_COLUMNS = (  # (header, failures column or computed key, width)
    ("Mã xã", "commune_code", 9), ("Xã/phường", "commune_name", 22), ("Tệp", "source_file", 38),
    ("Trang tính", "source_sheet", 14), ("Ô", "cell", 7), ("Dòng", "row", 7), ("Cột", "column", 6),
    ("Trường số liệu", "_field_vi", 20), ("Mã quy tắc", "rule", 20), ("Quy tắc", "_rule_title", 30),
    ("Mức độ", "_severity", 10), ("Giá trị", "value", 24), ("Cần là", "expected", 20),
    ("Nội dung", "message", 70), ("Message (English)", "message_en", 60),
    ("Đã giải trình bởi", "acknowledged_by", 18), ("Lý do giải trình", "acknowledged_reason", 40),  # acknowledged warnings
)
SEVERITY_COLUMN = 1 + [key for _, key, _ in FAILURE_SHEET_COLUMNS].index("_severity")


def safe_text(value) -> str:
    """Text that no spreadsheet will run as a formula: formula-like text gets a leading apostrophe."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))[: EXCEL_CELL_CHARS - 1]
    if PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_START) or text.lstrip(" \n").startswith(FORMULA_START):
        return "'" + text
    return text


def _put_text(cell, value) -> None:
    """Write untrusted text into a cell as a string, never as a formula."""
    if value is None:
        return
    cell.value = safe_text(value)
    cell.data_type = "s"  # openpyxl guesses "f" for a leading "="; the apostrophe already prevents it, this makes it certain


def _put(cell, value) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    else:
        _put_text(cell, value)


def _header_row(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _block(ws, row: int, title: str, headers: list[str], rows: list[list]) -> int:
    """A titled table on the summary sheet; returns the next free row."""
    ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
    _header_row(ws, row + 1, headers)
    for i, values in enumerate(rows, start=row + 2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col)
            _put(cell, value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = "0.00" if isinstance(value, float) else "#,##0"  # shown with the reader's separators
    return row + 2 + len(rows) + 1


PLAN_FIGURES = (
    ("Xã/phường chấp nhận", "communes_accepted"), ("Xã/phường bị từ chối", "communes_rejected"),
    ("Xã/phường chưa nộp", "communes_missing"), ("Tổng số hộ", "total_households"), ("Số hộ nghèo", "poor_households"),
    ("Tỷ lệ hộ nghèo (%)", "poor_rate_pct"), ("Số hộ cận nghèo", "near_poor_households"),
    ("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate_pct"), ("Kế hoạch giảm hộ nghèo (hộ)", "poor_reduction_target"),
    ("Kế hoạch giảm tỷ lệ hộ nghèo (điểm %)", "planned_poor_reduction_pp"), ("Xã đạt chỉ tiêu giao", "communes_meeting_target"),
    ("Xã dưới chỉ tiêu giao", "communes_below_target"),
)
RESULT_FIGURES = (
    ("Tỷ lệ hộ nghèo đầu kỳ (%)", "poor_rate_start_pct"), ("Tỷ lệ hộ nghèo cuối kỳ (%)", "poor_rate_end_pct"),
    ("Giảm thực tế (điểm %)", "actual_poor_reduction_pp"), ("Xã đạt chỉ tiêu (thực tế)", "communes_met_target_actual"),
    ("Xã không đạt chỉ tiêu (thực tế)", "communes_missed_target_actual"),
)


def _province_lines(run: RunData) -> list[list]:
    lines = []
    for p in run.provinces.iter_rows(named=True):
        figures = PLAN_FIGURES + (RESULT_FIGURES if p.get("poor_households_end") is not None else ())
        lines += [[p.get("province_name"), label, p.get(key)] for label, key in figures]
    return lines


def _summary_sheet(ws, run: RunData, counts: dict[str, pl.DataFrame]) -> None:
    ws.title = "Tổng hợp"
    run_id = run.manifest.get("run_id", run.run_dir.name)
    _put_text(ws.cell(row=1, column=1), f"Báo cáo kiểm tra số liệu giảm nghèo — lần chạy {run_id}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    status = status_texts(run)
    sev = SEVERITY_VI.get
    row = _block(ws, 3, "Số liệu toàn tỉnh", ["Tỉnh", "Chỉ tiêu", "Giá trị"], _province_lines(run))
    row = _block(ws, row, "Theo mức độ", ["Mức độ", "Số lỗi", "Số xã"],
                 [[sev(r["severity"], r["severity"]), r["failures"], r["communes"]]
                  for r in counts["severity"].iter_rows(named=True)])
    row = _block(ws, row, "Theo quy tắc", ["Mã quy tắc", "Quy tắc", "Mức độ", "Số lỗi", "Số xã"],
                 [[r["rule"], rule_title(r["rule"]), sev(r["severity"], r["severity"]), r["failures"], r["communes"]]
                  for r in counts["rule"].iter_rows(named=True)])
    _block(ws, row, "Theo xã/phường", ["Mã xã", "Xã/phường", "Tình trạng", "Lỗi", "Cảnh báo"],
           [[r["commune_code"], r["commune_name"] or UNRESOLVED, status.get(r["commune_code"], ""),
             r["errors"], r["warnings"]] for r in counts["commune"].iter_rows(named=True)])
    for col, width in zip("ABCDE", (16, 40, 16, 10, 10)):
        ws.column_dimensions[col].width = width


def _failures_sheet(ws, failures: pl.DataFrame) -> None:
    _header_row(ws, 1, [h for h, _, _ in FAILURE_SHEET_COLUMNS])
    rows = failures.sort(pl.col("severity") != "error", pl.col("commune_code").fill_null(""), "source_file", "source_sheet",
                         "row", "column", nulls_last=False).to_dicts()
    for i, r in enumerate(rows, start=2):
        r["_rule_title"], r["_severity"] = rule_title(r["rule"]), SEVERITY_VI.get(r["severity"], r["severity"])
        r["_field_vi"] = label_vi(r["field"]) or None
        r["value"], r["expected"] = value_vi(r["rule"], r["value"]), value_vi(r["rule"], r["expected"])
        error = r["severity"] == "error"
        for col, (_, key, _) in enumerate(FAILURE_SHEET_COLUMNS, start=1):
            cell = ws.cell(row=i, column=col)
            _put(cell, r.get(key))
            if error:  # the whole row, so an error stands out even when the sheet is sorted by another column
                cell.fill = ERROR_FILL
        severity = ws.cell(row=i, column=SEVERITY_COLUMN)
        severity.font = RED_BOLD if error else BOLD
        if not error:
            severity.fill = WARNING_FILL
    for col, (_, _, width) in enumerate(FAILURE_SHEET_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FAILURE_SHEET_COLUMNS))}{max(len(rows) + 1, 2)}"


def write_report_workbook(run_dir: Path) -> Path:
    """Write run_dir/bao_cao_kiem_tra.xlsx: the summary sheet and every failure, formula-safe."""
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    wb = Workbook()
    _summary_sheet(wb.active, run, failure_counts(run.failures))
    _failures_sheet(wb.create_sheet("Lỗi"), run.failures)
    path = run_dir / REPORT_NAME
    tmp = run_dir / (REPORT_NAME + ".tmp")
    wb.save(tmp)
    tmp.replace(path)  # a reader never opens half a workbook
    return path
