"""What the analysts' workbook says and how it looks: sheet names, column labels and lists,
number formats, fills and the notes under the titles (the sheets are built in analyst.py)."""

from __future__ import annotations

from datetime import timedelta, timezone

from schemas.columns import COLUMNS
from schemas.results import ASSESSMENTS
from ..kinds import KIND_BY_NAME, KINDS

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

# Labels the workbook gives otherwise than the column dictionary (schemas/columns.py): its row number, and the plan's
# communes meeting their target (the dictionary's wording is the deprivation indicators' coverage target).
LABELS = {
    "stt": "STT",
    "communes_meeting_target": "Số xã đạt chỉ tiêu giao (kế hoạch)",
}
UNITS = {"%": "%", "điểm %": "điểm %", "hộ": "hộ"}
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Bị từ chối", "missing": "Chưa nộp"}
KIND_VI = {k.name: k.heading_vi for k in KINDS}
ASSESSMENT_VI = {code: vi for code, (vi, _) in ASSESSMENTS.items()}
APPROVAL_VI = {
    "approved": "Đã phê duyệt",
    "changed_since_approval": "Đã thay đổi từ khi phê duyệt",
    "not_approved": "Chưa phê duyệt",
}
TRANSLATED = {"status": STATUS_VI, "kind": KIND_VI, "assessment": ASSESSMENT_VI, "approval": APPROVAL_VI}
BOOL_TEXT = {
    "meets_assigned_target": ("Đạt", "Không đạt"),
    "meets_assigned_target_actual": ("Đạt", "Không đạt"),
    "meets_own_plan_actual": ("Đạt", "Không đạt"),
    "on_time": ("Đúng hạn", "Nộp muộn"),
}
PLAIN_INTEGERS = {"stt", "source_row", "version_in_use", "year"}
HIDDEN = {"run_id", "year", "province_code", "province_name"}

COMMUNE_COLUMNS = """
    stt commune_code commune_name status approval villages total_households poor_households poor_rate_pct near_poor_households
    near_poor_rate_pct poor_reduction_target near_poor_reduction_target planned_poor_reduction_pp
    assigned_poor_reduction_pp meets_assigned_target source_file approved_at approved_by approval_changes
""".split()
VILLAGE_COLUMNS = """
    stt commune_code commune_name section village_name total_households poor_households poor_rate_pct near_poor_households
    near_poor_rate_pct poor_reduction_target near_poor_reduction_target source_file source_sheet source_row
""".split()
RESULTS_COLUMNS = """
    stt commune_code commune_name status approval villages total_households_end poor_households_start poor_households_end
    poor_decrease poor_increase start_denominator poor_rate_start_pct poor_rate_end_pct actual_poor_reduction_pp
    assigned_poor_reduction_pp planned_poor_reduction_pp meets_assigned_target_actual meets_own_plan_actual assessment
    near_poor_households_start near_poor_households_end near_poor_decrease near_poor_increase near_poor_rate_start_pct
    near_poor_rate_end_pct
    source_file approved_at approved_by approval_changes
""".split()
LEDGER_COLUMNS = """
    stt commune_code commune_name kind status approval approval_changes received files_received version_in_use file_in_use
    received_at on_time superseded_files
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
        communes_with_results total_households_end poor_households_start poor_households_end near_poor_households_start
        near_poor_households_end poor_rate_start_pct poor_rate_end_pct near_poor_rate_start_pct near_poor_rate_end_pct
        actual_poor_reduction_pp communes_met_target_actual communes_missed_target_actual
    """.split()),
]
# Rates of a totals row, recomputed from the summed counts: rate -> (numerator, denominator), as the kinds declare
# their published rates (Kind.traced_rates).
PLAN_TOTAL_RATES = KIND_BY_NAME["plan"].traced_rates
RESULTS_TOTAL_RATES = KIND_BY_NAME["results"].traced_rates
NUMBER_NOTE = (
    "Các ô số liệu là số (cộng, lọc, sắp xếp được). Dấu phân cách hàng nghìn và dấu thập phân hiển thị theo cài đặt "
    "vùng của máy: với cài đặt Tiếng Việt, chẳng hạn 12.345 hộ và 1,25% (số minh hoạ, không phải số liệu của tỉnh)."
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
