"""The analysts' workbook (bao_cao_tong_hop.xlsx): a run's figures laid out for people, in Vietnamese.

Sheets: "Tỉnh" (province figures, one column per province), "Xã, phường",
"Thôn, tổ dân phố", "Kết quả cuối năm" (when the run has year-end results),
"Chưa nộp" and "Nộp bài" (the submission ledger).

Number formats. Cells hold real numbers, so sums, filters and pivot tables
work. Counts use '#,##0' and rates '0.00': an .xlsx stores format codes in one
locale-independent notation ("," groups, "." is the decimal mark) and Excel or
LibreOffice shows them with the separators of the reader's regional settings,
so on a Vietnamese machine 505840 reads "505.840" and 3.46 reads "3,46".
Forcing dots with literal characters (a format like '#"."###') would only work
for counts: rates would still follow the reader's locale, and an English
machine would then show "505.840" next to "3.46" in one row, the ambiguity we
must avoid. A locale tag in the format ('[$-42A]#,##0') changes Excel's
month names, not its separators. Writing the numbers as text would break every
sum. So the workbook follows the reader's locale and says so in a note on the
"Tỉnh" sheet (checked: LibreOffice in vi_VN renders 505.840 and 3,46); counts
written inside notes, which are text, use Vietnamese grouping.

Text copied from commune files (village and file names) is written as string
cells only (`write_string`, or in-line string cells of the fast tables; the
workbook never converts strings to formulas, numbers or links), so it can never
run as a formula; a formula-like text also gets Excel's quote-prefix flag, as
`safe_cells.write_text` does. "_x..._" sequences in file names are escaped by
`xlsx_fast` so that no spreadsheet program decodes them.

Writing. xlsxwriter in constant_memory mode (rows in order, in-line strings),
one Format per distinct look. The tables (97,000 village rows, 1.6 million cells
for the whole country) are rendered as row XML by polars (`xlsx_fast`): about
3 s where openpyxl took 30 s; title blocks, headers and totals rows go through
xlsxwriter's cell API.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import xlsxwriter

from giamngheo.reports.ledger import ledger_summary, read_manifest, submissions_table
from giamngheo.reports.safe_cells import is_formula_like, xml_text
from giamngheo.reports.xlsx_fast import Column, FastWorksheet, Styles, excel_serial, row_fills, xml_rows
from giamngheo.summary import vn_int, vn_pct
from schemas.columns import COLUMNS
from transforms.rates import pp_difference, rate_pct

WORKBOOK_NAME = "bao_cao_tong_hop.xlsx"
SHEET_PROVINCE, SHEET_COMMUNES, SHEET_VILLAGES = "Tỉnh", "Xã, phường", "Thôn, tổ dân phố"
SHEET_RESULTS, SHEET_MISSING, SHEET_LEDGER = "Kết quả cuối năm", "Chưa nộp", "Nộp bài"

COUNT_FORMAT, RATE_FORMAT, PLAIN_FORMAT, TIME_FORMAT = "#,##0", "0.00", "0", "dd/mm/yyyy hh:mm"
VIETNAM = timezone(timedelta(hours=7))

# Solid fills (RGB) and the thin grey border of every table cell.
FILL_BELOW_TARGET = "FFC7CE"  # light red
FILL_REJECTED = "D9D9D9"  # grey
FILL_MISSING = "FFF2CC"  # light yellow
FILL_LATE = "FCE4D6"  # light orange
FILL_HEADER, FILL_TOTAL, FILL_SECTION = "DDEBF7", "F2F2F2", "EDEDED"
BORDER_COLOR = "A6A6A6"
# Strings stay strings: no formula, number or hyperlink conversion; rows are streamed in order.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "constant_memory": True}

# Labels of the columns schemas/columns.py does not describe.
LABELS = {
    "stt": "STT",
    "run_id": "Lần chạy",
    "year": "Năm",
    "province_code": "Mã tỉnh",
    "province_name": "Tỉnh, thành phố",
    "commune_code": "Mã xã",
    "commune_name": "Tên xã, phường",
    "status": "Tình trạng báo cáo",
    "villages": "Số thôn, tổ",
    "source_file": "Tệp nguồn",
    "source_sheet": "Trang tính",
    "source_row": "Dòng",
    "communes_expected": "Số xã, phường phải báo cáo",
    "communes_accepted": "Số xã, phường được chấp nhận",
    "communes_rejected": "Số xã, phường bị từ chối",
    "communes_missing": "Số xã, phường chưa nộp",
    "communes_meeting_target": "Số xã đạt chỉ tiêu giao (kế hoạch)",
    "communes_below_target": "Số xã dưới chỉ tiêu giao (kế hoạch)",
    "communes_with_results": "Số xã có kết quả cuối năm được chấp nhận",
    "communes_met_target_actual": "Số xã đạt chỉ tiêu giao (thực tế)",
    "communes_missed_target_actual": "Số xã không đạt chỉ tiêu giao (thực tế)",
    "near_poor_rate_start_pct": "Tỷ lệ hộ cận nghèo đầu kỳ (%)",
    "near_poor_rate_end_pct": "Tỷ lệ hộ cận nghèo cuối kỳ (%)",
    "meets_own_plan_actual": "Đạt kế hoạch của xã (thực tế)",
    "assessment": "Đánh giá",
    "kind": "Loại báo cáo",
    "received": "Đã nộp",
    "files_received": "Số tệp đã nhận",
    "version_in_use": "Lần nộp được dùng",
    "file_in_use": "Tệp được dùng",
    "received_at": "Thời điểm nhận (giờ Việt Nam)",
    "superseded_files": "Tệp bị thay thế (nộp trước)",
    "on_time": "Đúng hạn",
    "completeness_plan_pct": "Tỷ lệ xã đã nộp kế hoạch (%)",
    "timeliness_plan_pct": "Tỷ lệ nộp kế hoạch đúng hạn (%)",
    "completeness_results_pct": "Tỷ lệ xã đã nộp kết quả cuối năm (%)",
    "timeliness_results_pct": "Tỷ lệ nộp kết quả đúng hạn (%)",
}
UNITS = {"%": "%", "điểm %": "điểm %", "hộ": "hộ"}
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Bị từ chối", "missing": "Chưa nộp"}
KIND_VI = {"plan": "Kế hoạch", "results": "Kết quả cuối năm"}
ASSESSMENT_VI = {
    "met": "Đạt",
    "missed": "Không đạt",
    "not_assessed: results rejected": "Chưa đánh giá: kết quả bị từ chối",
    "not_assessed: no assigned target": "Chưa đánh giá: không có chỉ tiêu giao",
    "not_assessed: no total households at the end": "Chưa đánh giá: thiếu tổng số hộ cuối kỳ",
    "not_assessed: start or end count missing": "Chưa đánh giá: thiếu số hộ đầu kỳ hoặc cuối kỳ",
}
TRANSLATED = {"status": STATUS_VI, "kind": KIND_VI, "assessment": ASSESSMENT_VI}
BOOL_TEXT = {
    "meets_assigned_target": ("Đạt", "Không đạt"),
    "meets_assigned_target_actual": ("Đạt", "Không đạt"),
    "meets_own_plan_actual": ("Đạt", "Không đạt"),
    "on_time": ("Đúng hạn", "Nộp muộn"),
}
PLAIN_INTEGERS = {"stt", "source_row", "version_in_use", "year"}
HIDDEN = {"run_id", "year", "province_code", "province_name"}

COMMUNE_COLUMNS = """
    stt commune_code commune_name status villages total_households poor_households poor_rate_pct near_poor_households
    near_poor_rate_pct poor_reduction_target near_poor_reduction_target planned_poor_reduction_pp
    assigned_poor_reduction_pp meets_assigned_target source_file
""".split()
VILLAGE_COLUMNS = """
    stt commune_code commune_name section village_name total_households poor_households poor_rate_pct near_poor_households
    near_poor_rate_pct poor_reduction_target near_poor_reduction_target source_file source_sheet source_row
""".split()
RESULTS_COLUMNS = """
    stt commune_code commune_name status villages total_households_end poor_households_start poor_households_end
    poor_decrease poor_increase poor_rate_start_pct poor_rate_end_pct actual_poor_reduction_pp assigned_poor_reduction_pp
    planned_poor_reduction_pp meets_assigned_target_actual meets_own_plan_actual assessment near_poor_households_start
    near_poor_households_end near_poor_decrease near_poor_increase near_poor_rate_start_pct near_poor_rate_end_pct
    source_file
""".split()
LEDGER_COLUMNS = """
    stt commune_code commune_name kind status received files_received version_in_use file_in_use received_at on_time
    superseded_files
""".split()
MISSING_COLUMNS = ["stt", "commune_code", "commune_name", "kind"]
PROVINCE_SECTIONS = [
    ("I. Tình hình nộp báo cáo", """
        communes_expected communes_accepted communes_rejected communes_missing completeness_plan_pct timeliness_plan_pct
        completeness_results_pct timeliness_results_pct
    """.split()),
    ("II. Kế hoạch giảm nghèo", """
        total_households poor_households poor_rate_pct near_poor_households near_poor_rate_pct poor_reduction_target
        near_poor_reduction_target planned_poor_reduction_pp communes_meeting_target communes_below_target
    """.split()),
    ("III. Kết quả rà soát cuối năm", """
        communes_with_results total_households_end poor_households_start poor_households_end near_poor_households_end
        poor_rate_start_pct poor_rate_end_pct actual_poor_reduction_pp communes_met_target_actual
        communes_missed_target_actual
    """.split()),
]
# Rates of a totals row, recomputed from the summed counts: rate -> (numerator, denominator).
PLAN_RATES = {
    "poor_rate_pct": ("poor_households", "total_households"),
    "near_poor_rate_pct": ("near_poor_households", "total_households"),
    "planned_poor_reduction_pp": ("poor_reduction_target", "total_households"),
}
RESULTS_RATES = {
    "poor_rate_start_pct": ("poor_households_start", "start_denominator"),
    "near_poor_rate_start_pct": ("near_poor_households_start", "start_denominator"),
    "poor_rate_end_pct": ("poor_households_end", "total_households_end"),
    "near_poor_rate_end_pct": ("near_poor_households_end", "total_households_end"),
}
NUMBER_NOTE = (
    "Các ô số liệu là số (cộng, lọc, sắp xếp được). Dấu phân cách hàng nghìn và dấu thập phân hiển thị theo cài đặt "
    "vùng của máy: với cài đặt Tiếng Việt là 505.840 hộ và 3,46%."
)
RATE_NOTE = (
    "Tỷ lệ (%) và điểm % được tính lại từ tổng số hộ, làm tròn 2 chữ số thập phân (như hàm ROUND của Excel), không lấy bình quân."
)


def label(field: str) -> str:
    """Vietnamese column header of a field."""
    if field in LABELS:
        return LABELS[field]
    info = COLUMNS.get(field)
    return info.vi if info else field


def write_analyst_workbook(run_dir: Path) -> Path:
    """Write run_dir/bao_cao_tong_hop.xlsx: province, commune and village figures, results and the ledger."""
    book = AnalystWorkbook(run_dir, read_manifest(run_dir))
    book.write_tables()
    return book.finish()


class AnalystWorkbook:
    """bao_cao_tong_hop.xlsx in two steps, so that a run can start it before it has finished:
    `write_tables()` once the figures are staged (provinces, communes, villages, results: the
    long part), `finish()` once the manifest and the submission ledger are (the province sheet,
    the missing communes, the ledger; then the file is closed and put in place).

    `manifest` gives the title block (run id, year, date); with no province in the run, the
    ledger names the place, so the title block waits for it.
    """

    def __init__(self, run_dir: Path, manifest: dict):
        self.run_dir = Path(run_dir)
        self.manifest = manifest
        self.frames = {name: _read(self.run_dir / f"{name}.parquet") for name in ("provinces", "communes", "villages", "results_communes")}
        self.path = self.run_dir / WORKBOOK_NAME
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self.wb = xlsxwriter.Workbook(str(self.tmp), WORKBOOK_OPTIONS)
        self.st = Styles(self.wb, BORDER_COLOR)
        self.province_ws = self._sheet(SHEET_PROVINCE)  # the first sheet, written last
        self.context: _Context | None = None
        self._tables_written = False

    def _sheet(self, name: str) -> FastWorksheet:
        return self.wb.add_worksheet(name, worksheet_class=FastWorksheet)

    def _context(self, ledger: pl.DataFrame | None) -> _Context | None:
        if self.context is None and (self.frames["provinces"].height or ledger is not None):
            self.context = _Context(self.manifest, self.frames["provinces"], ledger if ledger is not None else pl.DataFrame())
            self.wb.set_properties({"title": self.context.title("BÁO CÁO TỔNG HỢP GIẢM NGHÈO"), "author": "giamngheo"})
        return self.context

    def write_tables(self, ledger: pl.DataFrame | None = None) -> None:
        """The commune, village and results sheets (left to finish() while the title block waits for the ledger)."""
        context = self._context(ledger)
        if context is None or self._tables_written:
            return
        frames, st = self.frames, self.st
        _communes_sheet(self._sheet(SHEET_COMMUNES), st, context, frames["communes"])
        _villages_sheet(self._sheet(SHEET_VILLAGES), st, context, frames["villages"])
        if not frames["results_communes"].is_empty():
            _results_sheet(self._sheet(SHEET_RESULTS), st, context, frames["results_communes"], frames["communes"])
        self._tables_written = True

    def finish(self) -> Path:
        """The sheets that need the ledger, then the workbook closed and moved into place."""
        run_dir = self.run_dir
        ledger = _read(run_dir / "submissions.parquet") if (run_dir / "submissions.parquet").exists() else submissions_table(run_dir)
        self.write_tables(ledger)
        context, st = self.context, self.st
        _province_sheet(self.province_ws, st, context, self.frames["provinces"], ledger)
        _missing_sheet(self._sheet(SHEET_MISSING), st, context, ledger)
        _ledger_sheet(self._sheet(SHEET_LEDGER), st, context, ledger)
        self.wb.close()
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        """Drop an unfinished workbook and the row files its sheets have written so far."""
        for ws in self.wb.worksheets():
            with contextlib.suppress(Exception):
                ws._opt_close()
                if ws.row_data_filename:
                    os.unlink(ws.row_data_filename)


# Workbooks begun in this process (the report side process) and not finished yet, by run folder.
_BEGUN: dict[str, AnalystWorkbook] = {}


def begin_analyst_workbook(run_dir: Path, manifest: dict) -> None:
    """Write the long sheets of run_dir's workbook now; finish_analyst_workbook() completes it."""
    for stale in _BEGUN.values():  # a run that never finished (it failed after this step)
        stale.discard()
    _BEGUN.clear()
    book = AnalystWorkbook(run_dir, manifest)
    _BEGUN[str(run_dir)] = book
    try:
        book.write_tables()
    except Exception:
        del _BEGUN[str(run_dir)]
        book.discard()
        raise


def finish_analyst_workbook(run_dir: Path) -> Path:
    """The workbook begun here for run_dir, finished; written whole when none was begun (or in
    another process that has gone)."""
    book = _BEGUN.pop(str(run_dir), None)
    if book is None:
        return write_analyst_workbook(run_dir)
    try:
        return book.finish()
    except Exception:
        book.discard()
        raise


class _Context:
    """What every sheet's title block says: year, province(s), run id, date."""

    def __init__(self, manifest: dict, provinces: pl.DataFrame, ledger: pl.DataFrame):
        self.run_id = manifest.get("run_id") or ""
        self.year = manifest.get("year") or (provinces["year"][0] if "year" in provinces.columns and provinces.height else "")
        finished = manifest.get("finished_at") or manifest.get("started_at")
        moment = datetime.fromisoformat(finished).astimezone(VIETNAM) if finished else datetime.now(VIETNAM)
        self.date = moment.strftime("%d/%m/%Y")
        names = provinces["province_name"].to_list() if "province_name" in provinces.columns else []
        codes = provinces["province_code"].to_list() if "province_code" in provinces.columns else []
        if len(names) == 1:
            self.place = f"{names[0]} (mã {codes[0]})"
        elif names:
            self.place = f"{len(names)} tỉnh, thành phố"
        else:
            self.place = ", ".join(sorted(set(ledger["province_code"].to_list()))) if ledger.height else ""
        self.many_provinces = len(names) > 1

    def title(self, what: str) -> str:
        return f"{what} NĂM {self.year}".strip()

    def subtitle(self) -> str:
        return f"{self.place} — lần chạy {self.run_id} — lập ngày {self.date}"


# ---------------------------------------------------------------- sheets


def _province_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, provinces: pl.DataFrame, ledger: pl.DataFrame) -> None:
    """One row per indicator, one column per province (reads well for one province and for the whole country)."""
    has_results = "poor_households_end" in provinces.columns
    title = "BÁO CÁO TỔNG HỢP KẾ HOẠCH VÀ KẾT QUẢ GIẢM NGHÈO" if has_results else "BÁO CÁO TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO"
    header_row = _title_block(ws, st, ctx.title(title), ctx.subtitle(), notes=[NUMBER_NOTE, RATE_NOTE])
    values = _province_values(provinces, ledger)
    headers = ["Chỉ tiêu", "Đơn vị"] + [f"{n} ({c})" for n, c in zip(provinces["province_name"], provinces["province_code"])]
    for col, text in enumerate(headers):
        _text(ws, st, header_row, col, text, **HEADER)
    listed = {f for _, fields in PROVINCE_SECTIONS for f in fields}
    others = [c for c in values.columns if c not in listed and c not in HIDDEN]
    row = header_row + 1
    for section, fields in PROVINCE_SECTIONS + ([("IV. Chỉ tiêu khác", others)] if others else []):
        fields = [f for f in fields if f in values.columns]
        if not fields:
            continue
        _text(ws, st, row, 0, section, bold=True, fill=FILL_SECTION)
        for col in range(1, len(headers)):
            ws.write_blank(row, col, None, st(fill=FILL_SECTION))
        row += 1
        for field in fields:
            _text(ws, st, row, 0, label(field))
            _text(ws, st, row, 1, _unit(field))
            _values(ws, st, row, 2, values, field)
            row += 1
    for col, width in enumerate([48, 9] + [max(16, min(40, len(h) + 2)) for h in headers[2:]]):
        ws.set_column(col, col, width)
    ws.freeze_panes(header_row + 1, 2)
    _print_setup(ws, header_row)


def _communes_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, communes: pl.DataFrame) -> None:
    legend = [
        (FILL_BELOW_TARGET, "Xã, phường có kế hoạch giảm tỷ lệ hộ nghèo thấp hơn chỉ tiêu tỉnh giao"),
        (FILL_REJECTED, "Xã, phường bị từ chối: báo cáo có lỗi, số liệu không được tổng hợp (xem bao_cao_kiem_tra)"),
    ]
    title = ctx.title("TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO CỦA CÁC XÃ, PHƯỜNG")
    header_row = _title_block(ws, st, title, ctx.subtitle(), legend=legend)
    frame = _sorted(communes, "commune_code")
    columns = _columns(frame, COMMUNE_COLUMNS, ctx)
    accepted = frame.filter(pl.col("status") == "accepted") if "status" in frame.columns else frame
    totals = _totals(accepted, columns, PLAN_RATES)
    _table(ws, st, header_row, frame, columns, totals, _commune_fill("meets_assigned_target"), frozen=3)


def _villages_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, villages: pl.DataFrame) -> None:
    notes = ["Thôn, tổ dân phố của các xã, phường có báo cáo được chấp nhận; tên ghi đúng như trong tệp của xã."]
    title = ctx.title("TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO THEO THÔN, TỔ DÂN PHỐ")
    header_row = _title_block(ws, st, title, ctx.subtitle(), notes=notes)
    frame = _sorted(villages, "commune_code")
    if {"poor_households", "total_households", "near_poor_households"} <= set(frame.columns):
        frame = frame.with_columns(
            rate_pct(pl.col("poor_households"), pl.col("total_households")).alias("poor_rate_pct"),
            rate_pct(pl.col("near_poor_households"), pl.col("total_households")).alias("near_poor_rate_pct"),
        )
    columns = _columns(frame, VILLAGE_COLUMNS, ctx)
    _table(ws, st, header_row, frame, columns, _totals(frame, columns, PLAN_RATES), None, frozen=5)


def _results_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, results: pl.DataFrame, communes: pl.DataFrame) -> None:
    legend = [
        (FILL_BELOW_TARGET, "Xã, phường có tỷ lệ hộ nghèo giảm thực tế thấp hơn chỉ tiêu tỉnh giao"),
        (FILL_REJECTED, "Xã, phường có báo cáo kết quả bị từ chối: số liệu không được tổng hợp"),
    ]
    notes = [
        "Tỷ lệ đầu kỳ tính trên tổng số hộ của kế hoạch khi kế hoạch của xã được chấp nhận, nếu không thì trên tổng số hộ cuối kỳ."
    ]
    title = ctx.title("KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI")
    header_row = _title_block(ws, st, title, ctx.subtitle(), notes=notes, legend=legend)
    frame = _sorted(results, "commune_code")
    columns = _columns(frame, RESULTS_COLUMNS, ctx)
    accepted = _with_start_denominator(frame.filter(pl.col("status") == "accepted"), communes)
    totals = _totals(accepted, columns, RESULTS_RATES)
    if totals is not None and {"poor_rate_start_pct", "poor_rate_end_pct", "actual_poor_reduction_pp"} <= set(columns):
        start, end = totals.get("poor_rate_start_pct"), totals.get("poor_rate_end_pct")
        totals["actual_poor_reduction_pp"] = (
            pl.select(pp_difference(pl.lit(start), pl.lit(end))).item() if start is not None and end is not None else None
        )
    _table(ws, st, header_row, frame, columns, totals, _commune_fill("meets_assigned_target_actual"), frozen=3)


def _missing_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, ledger: pl.DataFrame) -> None:
    kinds = _kinds_in_season(ledger)
    missing = ledger.filter((pl.col("status") == "missing") & pl.col("kind").is_in(kinds)).sort(
        "kind", "province_code", "commune_code"
    )
    notes = [
        f"Xã, phường trong danh mục đơn vị hành chính của tỉnh chưa gửi báo cáo: {', '.join(KIND_VI[k].lower() for k in kinds)}."
    ]
    if missing.is_empty():
        notes.append("Tất cả xã, phường đã nộp báo cáo.")
    title = ctx.title("DANH SÁCH XÃ, PHƯỜNG CHƯA NỘP BÁO CÁO")
    header_row = _title_block(ws, st, title, ctx.subtitle(), notes=notes)
    columns = _columns(missing, MISSING_COLUMNS, ctx, extras=False)
    _table(ws, st, header_row, missing, columns, None, None, frozen=3)


def _ledger_sheet(ws: FastWorksheet, st: Styles, ctx: _Context, ledger: pl.DataFrame) -> None:
    kinds = _kinds_in_season(ledger)
    shown = ledger.filter(pl.col("kind").is_in(kinds))
    summary = ledger_summary(ledger)
    notes = [_ledger_line(k, summary[k]) for k in kinds]
    notes.append("Lần nộp được dùng: thứ tự của tệp đang dùng trong các lần nộp của xã (theo ngày văn bản, rồi thời gian tệp).")
    legend = [(FILL_MISSING, "Chưa nộp"), (FILL_REJECTED, "Bị từ chối"), (FILL_LATE, "Nộp sau hạn")]
    title = ctx.title("SỔ THEO DÕI NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG")
    header_row = _title_block(ws, st, title, ctx.subtitle(), notes=notes, legend=legend)
    columns = _columns(shown, LEDGER_COLUMNS, ctx, extras=False)

    def fill(frame: pl.DataFrame) -> list[tuple[pl.Expr, str]]:
        return [
            (_is(frame, "status", "missing"), FILL_MISSING),
            (_is(frame, "status", "rejected"), FILL_REJECTED),
            (_is(frame, "on_time", False), FILL_LATE),
        ]

    _table(ws, st, header_row, shown, columns, None, fill, frozen=3)


# ---------------------------------------------------------------- building blocks

HEADER = {"bold": True, "fill": FILL_HEADER, "header": True}


def _title_block(ws: FastWorksheet, st: Styles, title: str, subtitle: str, notes=(), legend=()) -> int:
    """Title, subtitle, notes and colour legend above a table; returns the header row (0-based)."""
    _text(ws, st, 0, 0, title, box=False, bold=True, size=14)
    _text(ws, st, 1, 0, subtitle, box=False, italic=True)
    row = 2
    for note in notes:
        _text(ws, st, row, 0, note, box=False, size=9)
        row += 1
    for fill, text in legend:
        ws.write_blank(row, 0, None, st(fill=fill))
        _text(ws, st, row, 1, text, box=False, size=9)
        row += 1
    return row + 1


def _table(ws: FastWorksheet, st: Styles, header_row: int, frame: pl.DataFrame, columns: list[str], totals, fill, frozen: int):
    """Header, one row per record, an optional totals row; autofilter, frozen panes, widths, print setup."""
    ws.set_row(header_row, 48)
    for col, field in enumerate(columns):
        _text(ws, st, header_row, col, label(field), **HEADER)
    fills, codes = row_fills(frame, fill(frame) if fill else [])
    cells = []
    for field in columns:
        values, text, number_format = _column(frame, field)
        style, blank = st.xf(fills, codes, num=number_format), st.xf(fills, codes)
        quote = st.xf(fills, codes, quote=True) if text else None
        cells.append(Column(values, text, style, blank, quote))
    last_data_row = header_row + frame.height
    if frame.height:
        ws.write_xml_rows(header_row + 1, last_data_row, len(columns) - 1, xml_rows(cells, header_row + 1, ws.str_table))
    if totals is not None and frame.height:
        row, total = last_data_row + 1, {"bold": True, "fill": FILL_TOTAL}
        name_col = columns.index("commune_name") if "commune_name" in columns else 1
        for col, field in enumerate(columns):
            if col == name_col:
                _text(ws, st, row, col, "Tổng cộng", **total)
            else:
                _values(ws, st, row, col, pl.DataFrame({field: [totals.get(field)]}), field, **total)
    ws.autofilter(header_row, 0, max(last_data_row, header_row + 1), len(columns) - 1)
    ws.freeze_panes(header_row + 1, frozen)
    for col, field in enumerate(columns):
        ws.set_column(col, col, _width(frame, field))
    _print_setup(ws, header_row)


def _column(frame: pl.DataFrame, field: str) -> tuple[pl.Series, bool, str | None]:
    """A field as a person should read it: (values, whether they are text, number format); numbers stay numbers,
    codes and names text, dates Excel serial days in Vietnam time, yes/no and codes translated."""
    if field == "stt" and field not in frame.columns:
        return pl.int_range(1, frame.height + 1, eager=True), False, PLAIN_FORMAT
    if field not in frame.columns:
        return pl.Series(field, [None] * frame.height, dtype=pl.String), True, None
    column, dtype = pl.col(field), frame.schema[field]
    if field in TRANSLATED:
        values, text, number_format = column.cast(pl.String).replace(TRANSLATED[field]), True, None
    elif dtype == pl.Boolean:
        yes, no = BOOL_TEXT.get(field, ("Có", "Không"))
        values, text, number_format = pl.when(column).then(pl.lit(yes)).when(~column).then(pl.lit(no)), True, None
    elif dtype.is_integer():
        values, text, number_format = column, False, PLAIN_FORMAT if field in PLAIN_INTEGERS else COUNT_FORMAT
    elif dtype.is_float():
        values, text, number_format = pl.when(column.is_finite()).then(column), False, RATE_FORMAT
    elif isinstance(dtype, pl.Datetime):  # Vietnam time (UTC when naive)
        values, text, number_format = excel_serial(column, dtype, utc_offset_hours=7), False, TIME_FORMAT
    elif isinstance(dtype, pl.List):
        joined = column.list.eval(pl.element().cast(pl.String)).list.join("; ")
        values, text, number_format = pl.when(joined != "").then(joined), True, None
    else:
        values, text, number_format = column.cast(pl.String), True, None
    return frame.select(values.alias(field)).to_series(), text, number_format


def _values(ws: FastWorksheet, st: Styles, row: int, first_col: int, frame: pl.DataFrame, field: str, **style) -> None:
    """A field's values across one row through xlsxwriter's cell API (province columns, a totals cell)."""
    values, text, number_format = _column(frame, field)
    for col, value in enumerate(values.to_list(), start=first_col):
        if value is None:
            ws.write_blank(row, col, None, st(**style))
        elif text:
            _text(ws, st, row, col, value, **style)
        else:
            ws.write_number(row, col, value, st(num=number_format, **style))


def _text(ws: FastWorksheet, st: Styles, row: int, col: int, value, **style) -> None:
    """A string cell (never a formula); formula-like text gets the quote prefix, as safe_cells.write_text does."""
    if value is None:
        ws.write_blank(row, col, None, st(**style))
        return
    text = xml_text(value)
    ws.write_string(row, col, text, st(quote=is_formula_like(text), **style))


def _is(frame: pl.DataFrame, field: str, value) -> pl.Expr:
    """Rows whose field equals value (False where the field is empty or missing)."""
    return pl.col(field).eq_missing(value) if field in frame.columns else pl.lit(False)


def _commune_fill(meets_field: str):
    def fill(frame: pl.DataFrame) -> list[tuple[pl.Expr, str]]:
        return [(_is(frame, "status", "rejected"), FILL_REJECTED), (_is(frame, meets_field, False), FILL_BELOW_TARGET)]

    return fill


def _columns(frame: pl.DataFrame, preferred: list[str], ctx: _Context, extras: bool = True) -> list[str]:
    """The preferred columns the frame has (stt always), then any other column it carries."""
    present = set(frame.columns) | {"stt"}
    columns = [c for c in preferred if c in present]
    if ctx.many_provinces and "province_name" in frame.columns:
        columns.insert(1, "province_name")
    if extras:
        columns += [c for c in frame.columns if c not in columns and c not in HIDDEN and c != "start_denominator"]
    return columns


def _totals(frame: pl.DataFrame, columns: list[str], rates: dict[str, tuple[str, str]]) -> dict | None:
    """Sums of the integer columns, rates recomputed from the sums (never an average of rates)."""
    if frame.is_empty():
        return None
    sums = [
        c
        for c in set(columns) | {d for _, d in rates.values()}
        if c in frame.columns and frame.schema[c].is_integer() and c not in PLAIN_INTEGERS
    ]
    totals = {c: frame[c].sum() if frame[c].null_count() < frame.height else None for c in sums}
    for rate, (numerator, denominator) in rates.items():
        if rate in columns and totals.get(numerator) is not None and totals.get(denominator) is not None:
            totals[rate] = pl.select(rate_pct(pl.lit(totals[numerator]), pl.lit(totals[denominator]))).item()
    return {k: v for k, v in totals.items() if k in columns}


def _with_start_denominator(results: pl.DataFrame, communes: pl.DataFrame) -> pl.DataFrame:
    """The households a start rate is taken on: the accepted plan's total, else the total at the end."""
    plans = pl.DataFrame(schema={"commune_code": pl.String, "_plan_total": pl.Int64})
    if {"commune_code", "status", "total_households"} <= set(communes.columns):
        plans = communes.filter(pl.col("status") == "accepted").select(
            "commune_code", pl.col("total_households").alias("_plan_total")
        )
    return (
        results.join(plans, on="commune_code", how="left")
        .with_columns(pl.coalesce("_plan_total", "total_households_end").alias("start_denominator"))
        .drop("_plan_total")
    )


def _province_values(provinces: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """provinces.parquet with the ledger's completeness and timeliness per province."""
    if "province_code" not in provinces.columns or not ledger.height:
        return provinces
    extra = []
    for code in provinces["province_code"].to_list():
        rows = ledger.filter(pl.col("province_code") == code)
        summary = ledger_summary(rows) if rows.height else {}
        record = {"province_code": code}
        for kind in _kinds_in_season(ledger):
            record[f"completeness_{kind}_pct"] = (summary.get(kind) or {}).get("completeness_pct")
            record[f"timeliness_{kind}_pct"] = (summary.get(kind) or {}).get("timeliness_pct")
        extra.append(record)
    frame = pl.DataFrame(extra, infer_schema_length=None).with_columns(pl.exclude("province_code").cast(pl.Float64))
    frame = frame.select([c for c in frame.columns if c == "province_code" or frame[c].null_count() < frame.height])
    return provinces.join(frame, on="province_code", how="left") if frame.width > 1 else provinces


def _kinds_in_season(ledger: pl.DataFrame) -> list[str]:
    """Report kinds somebody sent in this run (the plan when nobody sent anything)."""
    sent = set(ledger.filter(pl.col("received"))["kind"].to_list()) if ledger.height else set()
    return [k for k in ("plan", "results") if k in sent] or ["plan"]


def _ledger_line(kind: str, s: dict) -> str:
    line = (
        f"{KIND_VI[kind]}: đã nộp {vn_int(s['received'])}/{vn_int(s['expected'])} xã, phường ({vn_pct(s['completeness_pct'])}%), "
        f"chấp nhận {vn_int(s['accepted'])}, bị từ chối {vn_int(s['rejected'])}, chưa nộp {vn_int(s['missing'])}"
    )
    if s["timeliness_pct"] is not None:
        line += f"; đúng hạn {vn_int(s['on_time'])}/{vn_int(s['on_time'] + s['late'])} ({vn_pct(s['timeliness_pct'])}%)"
    return line + "."


def _unit(field: str) -> str:
    if field.startswith("communes_"):
        return "xã"
    if field.endswith("_pct") and field.startswith(("completeness", "timeliness")):
        return "%"
    info = COLUMNS.get(field)
    return UNITS.get(info.unit, info.unit) if info else ""


def _width(frame: pl.DataFrame, field: str) -> float:
    """Column width from the longest value (numbers with their separators) and the header's longest word."""
    header = label(field)
    longest = 4
    if field in frame.columns and frame.height:
        series = frame[field]
        if field in TRANSLATED:
            longest = max((len(TRANSLATED[field].get(v, v)) for v in series.drop_nulls().unique().to_list()), default=4)
        elif series.dtype == pl.Boolean:
            longest = max(len(t) for t in BOOL_TEXT.get(field, ("Có", "Không")))
        elif series.dtype == pl.String:
            longest = series.str.len_chars().max() or 0
        elif series.dtype.is_integer():
            biggest = max(abs(series.max() or 0), abs(series.min() or 0))
            longest = len(f"{biggest:,}")
        elif series.dtype.is_float():
            longest = 8
        elif series.dtype == pl.Datetime or isinstance(series.dtype, pl.Datetime):
            longest = 16
        elif isinstance(series.dtype, pl.List):
            longest = min(60, max((sum(len(x) + 2 for x in v) for v in series.to_list() if v), default=4))
        else:
            longest = 10
    elif field == "stt":
        longest = len(str(frame.height))
    words = max((len(w) for w in header.split()), default=4)
    return float(max(6, min(50, max(longest, words, min(len(header), 14)) + 2)))


def _print_setup(ws: FastWorksheet, header_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)


def _sorted(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    keys = [c for c in ("province_code", column) if c in frame.columns]
    return frame.sort(keys, maintain_order=True) if keys else frame


def _read(path: Path) -> pl.DataFrame:
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()
