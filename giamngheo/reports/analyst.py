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

Writing. xlsxwriter in constant_memory mode (rows in order), one Format per
distinct look. The tables (97,000 village rows, 1.6 million cells for the whole
country) are rendered as row XML by polars, their text as shared strings
(`xlsx_fast`): about 1 s where openpyxl took 30 s; title blocks, headers and
totals rows go through xlsxwriter's cell API. `AnalystWorkbook` writes in two
steps, so that a big run can begin the long sheets in its side process before
the ledger exists (`side_process`). What the workbook says (names, labels,
formats, fills, notes) is in `analyst_layout`, its building blocks (title
blocks, tables, cells, widths) in `analyst_cells`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import polars as pl
import xlsxwriter

from giamngheo.reports.analyst_cells import (
    SheetContext, blank_totals_note,
    sheet_columns, commune_fill, equals_expr, kinds_in_season, ledger_line, print_setup, province_values, read_table,
    sorted_by, write_table, write_text, title_block, totals_row, unit_of, write_values, results_totals, HEADER,
)
from giamngheo.reports.analyst_layout import (
    BORDER_COLOR, COMMUNE_COLUMNS, FILL_BELOW_TARGET, FILL_LATE, FILL_MISSING, FILL_REJECTED, FILL_SECTION,
    HIDDEN, KIND_VI, label, LEDGER_COLUMNS, MISSING_COLUMNS, NUMBER_NOTE, PLAN_TOTAL_RATES, PROVINCE_SECTIONS,
    RATE_NOTE, RESULTS_COLUMNS, SHEET_COMMUNES, SHEET_LEDGER, SHEET_MISSING, SHEET_PROVINCE,
    SHEET_RESULTS, SHEET_VILLAGES, VILLAGE_COLUMNS, WORKBOOK_NAME, WORKBOOK_OPTIONS,
)
from giamngheo.reports.approval_html import changes_vi
from giamngheo.approval import COMMUNE_TABLES, ensure_annotated
from giamngheo.kinds import KINDS, Sheet
from giamngheo.reports.ledger import ledger_summary, read_manifest, submissions_table
from giamngheo.reports.xlsx_fast import FastWorksheet, Styles
from giamngheo.vn import vn_int
from transforms.rates import rate_pct

__all__ = [
    "AnalystWorkbook",
    "WORKBOOK_NAME",
    "begin_analyst_workbook",
    "finish_analyst_workbook",
    "label",
    "write_analyst_workbook",
]


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
        self.frames = {
            name: _approval_in_words(
                ensure_annotated(read_table(self.run_dir / f"{name}.parquet"), f"{name}.parquet", self.run_dir)
            )
            for name in ("provinces", "communes", "villages", "results_communes")
        }  # approval: see giamngheo/approval.py
        self.path = self.run_dir / WORKBOOK_NAME
        self.tmp = self.path.with_name(self.path.name + ".tmp")
        self.wb = xlsxwriter.Workbook(str(self.tmp), WORKBOOK_OPTIONS)
        self.st = Styles(self.wb, BORDER_COLOR)
        self.province_ws = self._sheet(SHEET_PROVINCE)  # the first sheet, written last
        self.context: SheetContext | None = None
        self._tables_written = False

    def _sheet(self, name: str) -> FastWorksheet:
        return self.wb.add_worksheet(name, worksheet_class=FastWorksheet)

    def _context(self, ledger: pl.DataFrame | None) -> SheetContext | None:
        if self.context is None and (self.frames["provinces"].height or ledger is not None):
            self.context = SheetContext(self.manifest, self.frames["provinces"], ledger if ledger is not None else pl.DataFrame())
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
            _results_sheet(self._sheet(SHEET_RESULTS), st, context, frames["results_communes"])
        for kind in KINDS:  # the sheets other kinds declare
            for sheet in kind.report_sheets(self.run_dir) if kind.report_sheets else ():
                _kind_sheet(self._sheet(sheet.name), st, context, sheet)
        self._tables_written = True

    def finish(self) -> Path:
        """The sheets that need the ledger, then the workbook closed and moved into place."""
        run_dir = self.run_dir
        ledger = (
            read_table(run_dir / "submissions.parquet")
            if (run_dir / "submissions.parquet").exists()
            else submissions_table(run_dir)
        )
        self.write_tables(ledger)
        context, st = self.context, self.st
        _province_sheet(self.province_ws, st, context, self.frames["provinces"], ledger)
        _missing_sheet(self._sheet(SHEET_MISSING), st, context, ledger)
        _ledger_sheet(self._sheet(SHEET_LEDGER), st, context, _with_approvals(ledger, run_dir))
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


# ---------------------------------------------------------------- sheets


def _province_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, provinces: pl.DataFrame, ledger: pl.DataFrame) -> None:
    """One row per indicator, one column per province (reads well for one province and for the whole country)."""
    has_results = "poor_households_end" in provinces.columns
    title = "BÁO CÁO TỔNG HỢP KẾ HOẠCH VÀ KẾT QUẢ GIẢM NGHÈO" if has_results else "BÁO CÁO TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO"
    header_row = title_block(ws, st, ctx.title(title), ctx.subtitle(), notes=[NUMBER_NOTE, RATE_NOTE])
    values = province_values(provinces, ledger)
    headers = ["Chỉ tiêu", "Đơn vị"] + [f"{n} ({c})" for n, c in zip(provinces["province_name"], provinces["province_code"])]
    for col, text in enumerate(headers):
        write_text(ws, st, header_row, col, text, **HEADER)
    listed = {f for _, fields in PROVINCE_SECTIONS for f in fields}
    # the rest (who the poor are, where communes give it): only what some province has (no block of "0 xã" rows)
    others = [c for c in values.columns if c not in listed and c not in HIDDEN
              and values[c].dtype.is_numeric() and (values[c].fill_null(0) != 0).any()]
    row = header_row + 1
    for section, fields in PROVINCE_SECTIONS + ([("IV. Chỉ tiêu khác", others)] if others else []):
        fields = [f for f in fields if f in values.columns]
        if not fields:
            continue
        write_text(ws, st, row, 0, section, bold=True, fill=FILL_SECTION)
        for col in range(1, len(headers)):
            ws.write_blank(row, col, None, st(fill=FILL_SECTION))
        row += 1
        for field in fields:
            write_text(ws, st, row, 0, label(field))
            write_text(ws, st, row, 1, unit_of(field))
            write_values(ws, st, row, 2, values, field)
            row += 1
    for col, width in enumerate([48, 9] + [max(16, min(40, len(h) + 2)) for h in headers[2:]]):
        ws.set_column(col, col, width)
    ws.freeze_panes(header_row + 1, 2)
    print_setup(ws, header_row)


def _communes_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, communes: pl.DataFrame) -> None:
    legend = [
        (FILL_BELOW_TARGET, "Xã, phường có kế hoạch giảm tỷ lệ hộ nghèo thấp hơn chỉ tiêu tỉnh giao"),
        (FILL_REJECTED, "Xã, phường bị từ chối: báo cáo có lỗi, số liệu không được tổng hợp (xem bao_cao_kiem_tra)"),
    ]
    title = ctx.title("TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO CỦA CÁC XÃ, PHƯỜNG")
    frame = sorted_by(communes, "commune_code")
    columns = sheet_columns(frame, COMMUNE_COLUMNS, ctx)
    accepted = frame.filter(pl.col("status") == "accepted") if "status" in frame.columns else frame
    header_row = title_block(ws, st, title, ctx.subtitle(), notes=blank_totals_note(accepted, columns), legend=legend)
    totals = totals_row(accepted, columns, PLAN_TOTAL_RATES)
    write_table(ws, st, header_row, frame, columns, totals, commune_fill("meets_assigned_target"), frozen=3)


def _villages_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, villages: pl.DataFrame) -> None:
    notes = ["Thôn, tổ dân phố của các xã, phường có báo cáo được chấp nhận; tên ghi đúng như trong tệp của xã."]
    title = ctx.title("TỔNG HỢP KẾ HOẠCH GIẢM NGHÈO THEO THÔN, TỔ DÂN PHỐ")
    header_row = title_block(ws, st, title, ctx.subtitle(), notes=notes)
    frame = sorted_by(villages, "commune_code")
    if {"poor_households", "total_households", "near_poor_households"} <= set(frame.columns):
        frame = frame.with_columns(
            rate_pct(pl.col("poor_households"), pl.col("total_households")).alias("poor_rate_pct"),
            rate_pct(pl.col("near_poor_households"), pl.col("total_households")).alias("near_poor_rate_pct"),
        )
    columns = sheet_columns(frame, VILLAGE_COLUMNS, ctx)
    write_table(ws, st, header_row, frame, columns, totals_row(frame, columns, PLAN_TOTAL_RATES), None, frozen=5)


def _results_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, results: pl.DataFrame) -> None:
    legend = [
        (FILL_BELOW_TARGET, "Xã, phường có tỷ lệ hộ nghèo giảm thực tế thấp hơn chỉ tiêu tỉnh giao"),
        (FILL_REJECTED, "Xã, phường có báo cáo kết quả bị từ chối: số liệu không được tổng hợp"),
    ]
    notes = [
        "Tỷ lệ đầu kỳ tính trên tổng số hộ của kế hoạch khi kế hoạch của xã được chấp nhận, nếu không thì trên tổng số hộ cuối "
        "kỳ."
    ]
    title = ctx.title("KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI")
    header_row = title_block(ws, st, title, ctx.subtitle(), notes=notes, legend=legend)
    frame = sorted_by(results, "commune_code")
    columns = sheet_columns(frame, RESULTS_COLUMNS, ctx)
    totals = results_totals(frame.filter(pl.col("status") == "accepted"), columns)
    write_table(ws, st, header_row, frame, columns, totals, commune_fill("meets_assigned_target_actual"), frozen=3)


def _kind_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, sheet: Sheet) -> None:
    """A kind's own sheet: its title block and its table, with the totals it gives, else those of its integer columns
    (none when it says False)."""
    header_row = title_block(ws, st, ctx.title(sheet.title), ctx.subtitle(), notes=list(sheet.notes))
    columns = sheet_columns(sheet.frame, ["stt"], ctx)
    totals = None if sheet.totals is False else totals_row(sheet.frame, columns, {}) if sheet.totals is None else sheet.totals
    write_table(ws, st, header_row, sheet.frame, columns, totals, None, frozen=3, formats=sheet.formats)


def _missing_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, ledger: pl.DataFrame) -> None:
    kinds = kinds_in_season(ledger)
    # the kinds in their declared order, the plan first (by name, its 4 missing communes sat at row 250 of 437)
    order = {k: n for n, k in enumerate(KIND_VI)}
    missing = ledger.filter((pl.col("status") == "missing") & pl.col("kind").is_in(kinds)).sort(
        pl.col("kind").replace_strict(order, default=len(order)), "province_code", "commune_code"
    )
    listed = "trong biểu giao chỉ tiêu của tỉnh" if ctx.expected_from_targets else "trong danh mục đơn vị hành chính của tỉnh"
    notes = [f"Xã, phường {listed} chưa gửi báo cáo: {', '.join(KIND_VI[k].lower() for k in kinds)}."]
    if missing.is_empty():
        notes.append("Tất cả xã, phường đã nộp báo cáo.")
    else:  # how many of each at a glance: a plan's few missing were lost among 90 rows of roadmaps (reports judge)
        counts = dict(missing.group_by("kind").len().iter_rows())
        notes.append("Số xã, phường chưa nộp: " + "; ".join(f"{KIND_VI[k].lower()} {vn_int(counts.get(k, 0))}" for k in kinds)
                     + " (theo thứ tự đó trong bảng).")
    if ctx.set_aside["unresolved"]:
        notes.append(f"{len(ctx.set_aside['unresolved'])} tệp nhận được chưa xác định được xã, phường (xem trang Nộp bài): "
                     "xã, phường gửi tệp đó có thể có trong danh sách này.")
    title = ctx.title("DANH SÁCH XÃ, PHƯỜNG CHƯA NỘP BÁO CÁO")
    header_row = title_block(ws, st, title, ctx.subtitle(), notes=notes)
    columns = sheet_columns(missing, MISSING_COLUMNS, ctx, extras=False)
    write_table(ws, st, header_row, missing, columns, None, None, frozen=3)


def _ledger_sheet(ws: FastWorksheet, st: Styles, ctx: SheetContext, ledger: pl.DataFrame) -> None:
    kinds = kinds_in_season(ledger)
    shown = ledger.filter(pl.col("kind").is_in(kinds))
    summary = ledger_summary(ledger)
    notes = [ledger_line(k, summary[k]) for k in kinds]
    notes.append("Lần nộp được dùng: thứ tự của tệp đang dùng trong các lần nộp của xã (theo ngày văn bản, rồi thời gian tệp).")
    notes += ctx.set_aside_notes()
    legend = [(FILL_MISSING, "Chưa nộp"), (FILL_REJECTED, "Bị từ chối"), (FILL_LATE, "Nộp sau hạn")]
    title = ctx.title("SỔ THEO DÕI NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG")
    header_row = title_block(ws, st, title, ctx.subtitle(), notes=notes, legend=legend)
    columns = sheet_columns(shown, LEDGER_COLUMNS, ctx, extras=False)

    def fill(frame: pl.DataFrame) -> list[tuple[pl.Expr, str]]:
        return [
            (equals_expr(frame, "status", "missing"), FILL_MISSING),
            (equals_expr(frame, "status", "rejected"), FILL_REJECTED),
            (equals_expr(frame, "on_time", False), FILL_LATE),
        ]

    write_table(ws, st, header_row, shown, columns, None, fill, frozen=3)


def _with_approvals(ledger: pl.DataFrame, run_dir: Path) -> pl.DataFrame:
    """The ledger with each commune's approval of each kind, read from that kind's commune table: the commune sheet
    gives the plan's, and a roadmap or a deprivation table changed since its approval read "Đã phê duyệt" (an
    independent analyst's probe)."""
    parts = []
    for kind, table in COMMUNE_TABLES.items() if not ledger.is_empty() else ():
        path = Path(run_dir) / table
        if not path.exists():
            continue
        frame = _approval_in_words(ensure_annotated(read_table(path), table, Path(run_dir)))
        if "approval" in frame.columns:
            parts.append(frame.select("commune_code", pl.lit(kind).alias("kind"), "approval", "approval_changes"))
    if not parts:
        return ledger
    return ledger.join(pl.concat(parts, how="vertical_relaxed").unique(["commune_code", "kind"]), on=["commune_code", "kind"],
                       how="left", maintain_order="left")


def _approval_in_words(frame: pl.DataFrame) -> pl.DataFrame:
    """What moved since approval as the reader names it ("Số hộ nghèo; nội dung tệp đã nộp"), not as field ids."""
    if "approval_changes" not in frame.columns:
        return frame
    return frame.with_columns(pl.col("approval_changes").map_elements(changes_vi, return_dtype=pl.String))
