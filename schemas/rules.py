"""The rule catalogue: every check's stable id, severity, level and messages, declared once.

docs/rules.md is generated from this module (`giamngheo rules --markdown`), and a
test keeps the two in step. Ids are never renamed; new ones may be added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

ERROR, WARNING = "error", "warning"
# ESS-style levels: where the inconsistency lives.
STRUCTURE = "structure"  # the file and the shape of its table
WITHIN = "within_table"  # values of one row or one table
ACROSS = "across_tables"  # between tables, files or reports of a commune
TARGETS = "against_targets"  # against the province's own figures


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    level: str
    title_vi: str
    title_en: str
    message_vi: str  # str.format with: value, expected, field_vi, field_en, cell, sheet, detail
    message_en: str
    # For checks on a typed row: how the failure's value / expected text is read back from the
    # row, as functions of (row, field) -> polars expression, where `row` is a RowView (it
    # answers null for a column the table's kind does not have). Without them the value is the
    # cell as written and nothing is expected.
    value: Callable[[Any, str], Any] | None = None
    expected: Callable[[Any, str], Any] | None = None
    detail: Callable[[Any, str], Any] | None = None
    points_at: str | None = None  # the field a whole-row check is reported at (its cell)
    numbers: bool = True  # value / expected shown as numbers with Vietnamese marks ("5.441"); not years


# A planned reduction is judged against the count it reduces.
BASELINE_OF = {"poor_reduction_target": "poor_households", "near_poor_reduction_target": "near_poor_households"}

RULES: tuple[Rule, ...] = (
    # ---- errors: the commune is rejected
    Rule("readable", ERROR, STRUCTURE, "Đọc được tệp", "File can be read",
         "Không đọc được tệp: {detail_vi}.", "The file cannot be read: {detail_en}."),
    Rule("table_found", ERROR, STRUCTURE, "Có bảng số liệu", "A data table is present",
         "Không tìm thấy bảng số liệu nào (phân bổ chỉ tiêu, kết quả rà soát, thiếu hụt các chỉ số, lộ trình, danh sách hộ); các tiêu đề tìm thấy: {value}.",
         "No table of any kind was found (plan, results, deprivations, roadmap, household list); header labels seen: {value}."),
    Rule("required_columns", ERROR, STRUCTURE, "Đủ các cột bắt buộc", "Required columns present",
         "Bảng thiếu cột bắt buộc: {expected_vi}; các cột tìm thấy: {value}.",
         "The table lacks required columns: {expected}; columns found: {value}."),
    Rule("commune_resolved", ERROR, STRUCTURE, "Xác định được xã", "Commune identified",
         "Không xác định được xã/phường {cell} ({value}); các khả năng: {expected}.",
         "The commune {cell} could not be identified ({value}); candidates: {expected}."),
    Rule("wrong_province", ERROR, STRUCTURE, "Đúng tỉnh", "Commune of this province",
         "Tệp thuộc đơn vị của tỉnh khác{cell}: {expected}.",
         "The file belongs to a unit of another province{cell}: {expected}."),
    Rule("wrong_year", ERROR, STRUCTURE, "Đúng năm báo cáo", "Report of the run's year",
         "{cell}Tài liệu là của năm {value}, không phải năm {expected} đang tổng hợp.",
         "{cell}The document is for {value}, not for {expected}, the year being consolidated.", numbers=False),
    Rule("village_named", ERROR, WITHIN, "Có tên thôn", "Village named",
         "Ô {cell}: dòng có số liệu nhưng không có tên thôn, tổ dân phố.",
         "Cell {cell}: a row with figures but no village name."),
    Rule("numeric", ERROR, WITHIN, "Giá trị là số", "Value is a number",
         "Ô {cell} ({field_vi}): giá trị \u201c{value}\u201d không phải là số{detail_vi}.",
         "Cell {cell} ({field_en}): \u201c{value}\u201d is not a number{detail_en}.",
         detail=lambda row, f: row.status(f), numbers=False),  # the text as written, never rewritten ("1.552")
    Rule("integer", ERROR, WITHIN, "Số hộ là số nguyên", "Household counts are whole numbers",
         "Ô {cell} ({field_vi}): số hộ phải là số nguyên, không phải {value}.",
         "Cell {cell} ({field_en}): a household count must be a whole number, not {value}.",
         expected=lambda row, f: row.lit("số nguyên")),
    Rule("non_negative", ERROR, WITHIN, "Không âm", "Not negative",
         "Ô {cell} ({field_vi}): số liệu không được âm ({value}).",
         "Cell {cell} ({field_en}): the figure cannot be negative ({value}).",
         expected=lambda row, f: row.lit(">= 0")),
    Rule("total_positive", ERROR, WITHIN, "Thôn có hộ dân", "Village has households",
         "Ô {cell}: thôn không có tổng số hộ hoặc tổng số hộ bằng 0.",
         "Cell {cell}: the village has no or zero total households.",
         value=lambda row, f: row.raw("total_households", default=""), expected=lambda row, f: row.lit("> 0"),
         points_at="total_households"),
    Rule("formula_without_value", ERROR, WITHIN, "Công thức có giá trị", "Formula has a saved value",
         "Ô {cell} ({field_vi}) chứa công thức {value} nhưng không có giá trị đã tính; hãy mở tệp bằng Excel, lưu lại rồi gửi.",
         "Cell {cell} ({field_en}) holds the formula {value} with no saved value; open and save the file in Excel."),
    Rule("formula_not_used", WARNING, WITHIN, "Công thức ở ô chỉ để đối chiếu có giá trị", "Formula in a checked-only cell has a value",
         "Ô {cell} ({field_vi}) chứa công thức {value} nhưng không có giá trị đã tính; ô này chỉ để đối chiếu (tỷ lệ được tính "
         "lại từ số hộ, dòng cộng từ các dòng) nên không đối chiếu được. Nên mở tệp bằng Excel, lưu lại rồi gửi.",
         "Cell {cell} ({field_en}) holds the formula {value} with no saved value; the cell is only checked (rates are "
         "recomputed from the counts, totals from the rows), so it cannot be. Open and save the file in Excel."),
    Rule("poor_le_total", ERROR, WITHIN, "Hộ nghèo không vượt tổng số hộ", "Poor households within total",
         "Ô {cell}: số hộ nghèo ({value}) lớn hơn tổng số hộ ({expected}).",
         "Cell {cell}: poor households ({value}) exceed total households ({expected}).",
         expected=lambda row, f: row.whole("total_households"), points_at="poor_households"),
    Rule("near_poor_le_total", ERROR, WITHIN, "Hộ cận nghèo không vượt tổng số hộ", "Near-poor households within total",
         "Ô {cell}: số hộ cận nghèo ({value}) lớn hơn tổng số hộ ({expected}).",
         "Cell {cell}: near-poor households ({value}) exceed total households ({expected}).",
         expected=lambda row, f: row.whole("total_households"), points_at="near_poor_households"),
    Rule("poor_plus_near_poor_le_total", ERROR, WITHIN, "Nghèo + cận nghèo không vượt tổng số hộ",
         "Poor plus near-poor within total",
         "Ô {cell}: hộ nghèo cộng hộ cận nghèo ({detail_vi} = {value}) lớn hơn tổng số hộ ({expected}).",
         "Cell {cell}: poor plus near-poor households ({detail_en} = {value}) exceed total households ({expected}).",
         value=lambda row, f: row.whole_sum("poor_households", "near_poor_households"),
         expected=lambda row, f: row.whole("total_households"), points_at="near_poor_households",
         # the parts the sum is of: the cell holds one of them (auditor's trace judge, Cần Thơ)
         detail=lambda row, f: row.whole("poor_households").fill_null("0") + " + "
         + row.whole("near_poor_households").fill_null("0")),
    Rule("reduction_le_baseline", ERROR, WITHIN, "Chỉ tiêu giảm không vượt số hiện có", "Planned reduction within baseline",
         "Ô {cell} ({field_vi}): chỉ tiêu giảm {value} hộ lớn hơn số hộ hiện có ({expected}).",
         "Cell {cell} ({field_en}): a planned reduction of {value} exceeds the baseline count ({expected}).",
         expected=lambda row, f: row.whole(BASELINE_OF.get(f, ""))),
    Rule("unique_village", ERROR, WITHIN, "Tên thôn không trùng", "Village names unique",
         "Ô {cell}: thôn \u201c{value}\u201d xuất hiện nhiều lần trong cùng {detail_vi} (dòng {expected}).",
         "Cell {cell}: village \u201c{value}\u201d appears more than once in the same {detail_en} (rows {expected})."),
    Rule("checkable", ERROR, STRUCTURE, "Kiểm tra được bảng", "Table can be checked",
         "Bảng trên trang tính {sheet} không kiểm tra được ({value}); bảng bị từ chối, xin gửi tệp cho nhóm kỹ thuật.",
         "The table on sheet {sheet} could not be checked ({value}); it is rejected, please send the file to the maintainers."),
    Rule("balance", ERROR, WITHIN, "Cân đối diễn biến", "Movements balance",
         "Ô {cell} ({field_vi}): cuối kỳ ghi {value} nhưng đầu kỳ − giảm + tăng = {expected}.",
         "Cell {cell} ({field_en}): the end count is {value} but start − decreases + increases = {expected}."),
    Rule("decrease_le_start", ERROR, WITHIN, "Số hộ giảm không vượt số hộ đầu kỳ", "Decreases within the start count",
         "Ô {cell} ({field_vi}): {value} hộ ra khỏi nhóm trong năm, nhiều hơn số hộ đầu kỳ ({expected}).",
         "Cell {cell} ({field_en}): {value} households left the group in the year, more than it held at the start ({expected})."),
    Rule("movement_matches_parts", WARNING, WITHIN, "Tổng số hộ giảm, tăng bằng tổng các phần", "A movement is the sum of its parts",
         "Ô {cell} ({field_vi}): tổng ghi {value} nhưng cộng các cột thành phần được {expected}; số tổng được dùng.",
         "Cell {cell} ({field_en}): the total says {value} but its parts add up to {expected}; the total is used."),
    Rule("deprived_le_group", ERROR, WITHIN, "Hộ thiếu hụt không vượt số hộ của nhóm", "Deprived households within their group",
         "{cell} ({field_vi}): {value} hộ thiếu hụt, nhiều hơn số hộ của nhóm ({expected}).",
         "{cell} ({field_en}): {value} deprived households, more than the households of the group ({expected})."),
    Rule("poor_deprivations_at_least_three", ERROR, WITHIN, "Hộ nghèo thiếu hụt từ 3 chỉ số", "Poor households lack three or more",
         "{cell}: hộ nghèo có tổng cộng {value} lượt thiếu hụt, ít hơn mức tối thiểu {expected} lượt (3 lượt cho mỗi hộ "
         "nghèo); mỗi hộ nghèo thiếu hụt ít nhất 3 chỉ số.",
         "{cell}: the poor households' deprivations add up to {value}, fewer than the least {expected} (3 for each poor "
         "household); each poor household lacks at least three indicators."),
    Rule("near_poor_deprivations_under_three", ERROR, WITHIN, "Hộ cận nghèo thiếu hụt dưới 3 chỉ số",
         "Near-poor households lack fewer than three",
         "{cell}: hộ cận nghèo có tổng cộng {value} lượt thiếu hụt, nhiều hơn mức tối đa {expected} lượt (2 lượt cho mỗi "
         "hộ cận nghèo); mỗi hộ cận nghèo thiếu hụt dưới 3 chỉ số.",
         "{cell}: the near-poor households' deprivations add up to {value}, more than the most {expected} (2 for each "
         "near-poor household); each near-poor household lacks fewer than three indicators."),
    Rule("indicator_set", ERROR, STRUCTURE, "Đủ các chỉ số của chuẩn nghèo", "The standard's indicators",
         "Bảng thiếu hụt trên trang tính {sheet} không khớp các chỉ số của chuẩn nghèo {expected}: {value}.",
         "The deprivation table on sheet {sheet} does not give the indicators of the standard {expected}: {value}.", numbers=False),
    Rule("breakdown_le_parent", ERROR, WITHIN, "Số hộ \u201ctrong đó\u201d không vượt số hộ của nhóm", "A breakdown within its count",
         "Ô {cell} ({field_vi}): {value} hộ, nhiều hơn {detail_vi} ({expected}) mà số này là một phần.",
         "Cell {cell} ({field_en}): {value} households, more than the {detail_en} ({expected}) it is part of."),
    # household lists (danh sách hộ): a value of a personal field is never shown, only masked ("0010******21")
    Rule("personal_list", ERROR, STRUCTURE, "Danh sách có dữ liệu cá nhân đọc được", "A list of people can be read",
         "Trang tính {sheet} là danh sách có dữ liệu cá nhân (họ tên, số CCCD, ngày sinh, điện thoại) nhưng không đọc được: "
         "danh sách hộ nghèo, hộ cận nghèo cần cột họ tên chủ hộ và ít nhất hai trong các cột mã hộ, số CCCD/CMND, năm sinh, "
         "số nhân khẩu, phân loại hộ, dân tộc, chỉ số thiếu hụt. Các cột tìm thấy: {value}. Không dữ liệu nào của trang này "
         "được đọc.",
         "Sheet {sheet} is a list with personal data (names, ID numbers, birth dates, phones) that cannot be read: a list of "
         "poor and near-poor households needs the head of household's name and two of household code, ID number, birth "
         "year, members, group, ethnicity, deprivations. Columns found: {value}. Nothing on this sheet was read.", numbers=False),
    Rule("household_unique", ERROR, WITHIN, "Mỗi hộ một dòng", "Each household once",
         "Ô {cell} ({field_vi}): {value} đã có ở dòng {expected} ({detail_vi}) của danh sách cùng xã.",
         "Cell {cell} ({field_en}): {value} is already on row {expected} ({detail_en}) of the same commune's list.", numbers=False),
    Rule("members_positive", ERROR, WITHIN, "Hộ có số nhân khẩu", "Household has members",
         "Ô {cell} ({field_vi}): số nhân khẩu phải là số nguyên dương, không phải \u201c{value}\u201d{detail_vi}.",
         "Cell {cell} ({field_en}): the members must be a whole number above zero, not \u201c{value}\u201d{detail_en}.",
         value=lambda row, f: row.raw("members", default=""), expected=lambda row, f: row.lit("> 0"),
         detail=lambda row, f: row.status("members")),
    Rule("poor_has_three_deprivations", ERROR, WITHIN, "Hộ nghèo thiếu hụt từ 3 chỉ số", "A poor household lacks three or more",
         "Ô {cell}: hộ nghèo chỉ thiếu hụt {value} chỉ số ({detail_vi}); hộ nghèo thiếu hụt từ 3 chỉ số trở lên.",
         "Cell {cell}: a poor household marked deprived in {value} indicators ({detail_en}); a poor household lacks three or more."),
    Rule("near_poor_under_three", ERROR, WITHIN, "Hộ cận nghèo thiếu hụt dưới 3 chỉ số", "A near-poor household lacks fewer than three",
         "Ô {cell}: hộ cận nghèo thiếu hụt {value} chỉ số ({detail_vi}); hộ cận nghèo thiếu hụt dưới 3 chỉ số.",
         "Cell {cell}: a near-poor household marked deprived in {value} indicators ({detail_en}); a near-poor household lacks fewer "
         "than three."),
    # ---- warnings: kept and flagged
    Rule("group_size_known", WARNING, ACROSS, "Biết số hộ của nhóm", "Group size known",
         "Ô {cell}: bảng thiếu hụt không ghi số {detail_vi}, và kế hoạch của đơn vị không được chấp nhận (hoặc chưa nộp) trong "
         "lần tổng hợp này: không tính được tỷ lệ thiếu hụt của nhóm; số hộ thiếu hụt của nhóm không cộng vào tỷ lệ của tỉnh.",
         "Cell {cell}: the deprivation table does not state the {detail_en}, and the unit has no accepted plan in this run: "
         "the group's deprivation rates cannot be computed; its deprived households stay out of the province's rate."),
    Rule("village_in_plan", WARNING, ACROSS, "Thôn có trong kế hoạch", "Village in the plan",
         "Ô {cell}: thôn \u201c{value}\u201d của {detail_vi} không có trong kế hoạch của xã được dùng (tên viết khác?): không so "
         "được với kế hoạch, và nếu bảng không ghi số hộ của thôn thì tỷ lệ của thôn không tính được.",
         "Cell {cell}: village \u201c{value}\u201d of the {detail_en} is not in the commune's plan in use (spelt otherwise?): "
         "nothing to compare it with, and unless the table states its households, its rates cannot be computed."),
    Rule("group_matches_plan", WARNING, ACROSS, "Số hộ của nhóm khớp kế hoạch", "Group size matches the plan",
         "Ô {cell} ({field_vi}): bảng thiếu hụt ghi {value} hộ nhưng kế hoạch ghi {expected}; số của bảng được dùng.",
         "Cell {cell} ({field_en}): the deprivation table states {value} households, the plan {expected}; the table's is used."),
    Rule("total_row_matches_sum", WARNING, WITHIN, "Dòng tổng khớp tổng các dòng", "Declared total matches its rows",
         "Ô {cell} ({field_vi}): dòng tổng ghi {value} nhưng cộng các dòng được {expected}; số liệu các dòng được dùng.",
         "Cell {cell} ({field_en}): the declared total is {value} but its rows sum to {expected}; the rows are used."),
    Rule("plan_feasible", WARNING, WITHIN, "Kế hoạch trong số hộ nghèo có khả năng lao động",
         "Plan within the poor households able to work",
         "Ô {cell}: kế hoạch giảm {value} hộ nghèo, nhiều hơn số hộ nghèo có khả năng lao động ({expected} = {detail_vi}: "
         "hộ nghèo trừ hộ nghèo không có khả năng lao động).",
         "Cell {cell}: the plan lifts {value} poor households, more than the poor households able to work ({expected} = "
         "{detail_en}: the poor less those without labour capacity)."),
    Rule("column_not_used", WARNING, STRUCTURE, "Cột có số liệu được dùng", "Columns with figures are used",
         "Ô {cell}: cột \u201c{value}\u201d có số liệu nhưng không nhận ra là số liệu \u201ctrong đó\u201d hay số hộ giảm, tăng nào "
         "(hoặc cột khác đã mang số liệu đó); số liệu của cột không được tính.",
         "Cell {cell}: the column \u201c{value}\u201d carries figures but names no known breakdown or movement (or another column "
         "carries it); its figures are not counted.",
         numbers=False),
    Rule("row_not_used", WARNING, STRUCTURE, "Dòng có số liệu được dùng", "Rows with figures are used",
         "Ô {cell}: dòng \u201c{value}\u201d có số liệu nhưng không phải thôn, dòng tổng, khu vực hay dòng \u201ctrong đó\u201d "
         "đã biết; số liệu của dòng không được tính.",
         "Cell {cell}: the row \u201c{value}\u201d carries figures but is neither a village, a total, a section nor a known "
         "breakdown row; its figures are not counted.", numbers=False),
    Rule("rate_matches_counts", WARNING, WITHIN, "Tỷ lệ khớp số hộ", "Stated rate matches the counts",
         "Ô {cell} ({field_vi}): tỷ lệ ghi {value} nhưng tính từ số hộ được {expected}; tỷ lệ tính lại được dùng.",
         "Cell {cell} ({field_en}): the stated rate is {value} but the counts give {expected}; the recomputed rate is used."),
    Rule("roadmap_within_baseline", WARNING, ACROSS, "Lộ trình trong số hộ nghèo hiện có", "Roadmap within the baseline",
         "Lộ trình giảm tổng cộng {value} hộ nghèo trong giai đoạn, nhiều hơn số hộ nghèo hiện có theo kế hoạch ({expected}).",
         "The roadmap lifts {value} poor households over the period, more than the plan's baseline of {expected}."),
    Rule("roadmap_matches_plan", WARNING, ACROSS, "Lộ trình khớp kế hoạch năm", "Roadmap matches the year's plan",
         "Ô {cell}: lộ trình ghi giảm {value} hộ nghèo năm {detail_vi} nhưng kế hoạch năm ghi {expected}.",
         "Cell {cell}: the roadmap plans {value} poor households out of poverty in {detail_en}, the year's plan {expected}."),
    Rule("budget_sources_sum", WARNING, WITHIN, "Các nguồn vốn cộng đúng tổng", "Budget sources add up",
         "Ô {cell}: tổng kinh phí năm {detail_vi} ghi {value} triệu đồng nhưng các nguồn cộng lại được {expected}.",
         "Cell {cell}: the budget of {detail_en} is {value} million VND but its sources add up to {expected}."),
    Rule("roadmap_years", WARNING, WITHIN, "Đủ các năm của giai đoạn", "Every year of the period",
         "Lộ trình {detail_vi}: {value}; giai đoạn {expected}.",
         "The roadmap {detail_en}: {value}; the period is {expected}.", numbers=False),
    Rule("id_number_format", WARNING, WITHIN, "Số CCCD/CMND đúng độ dài", "ID number of 12 or 9 digits",
         "Ô {cell} ({field_vi}): số {value} không phải 12 chữ số (CCCD) hay 9 chữ số (CMND).",
         "Cell {cell} ({field_en}): {value} is neither 12 digits (CCCD) nor 9 (CMND).", numbers=False),
    Rule("list_village_named", WARNING, WITHIN, "Ô thôn của danh sách ghi tên thôn", "A list's village cell names a village",
         "Ô {cell} ({field_vi}): ô ghi họ tên một người, không phải tên thôn, tổ (không chép lại ở đây): hộ ở dòng này không "
         "được tính vào thôn nào khi so với phụ lục kế hoạch.",
         "Cell {cell} ({field_en}): the cell holds a person's name, not a village's (not copied here): the household on this "
         "row counts in no village against the plan annex.", numbers=False),
    Rule("household_group", WARNING, WITHIN, "Hộ ghi rõ là hộ nghèo hay hộ cận nghèo", "Household marked poor or near-poor",
         "Ô {cell} ({field_vi}): hộ không được ghi là hộ nghèo hay hộ cận nghèo (ví dụ \u201cHộ mới thoát nghèo\u201d, hoặc ô để "
         "trống); hộ này không được tính vào danh sách.",
         "Cell {cell} ({field_en}): the household is marked neither poor nor near-poor (say \u201cnewly out of poverty\u201d, or "
         "left blank); it is not counted in the list.", numbers=False),
    Rule("list_matches_annex", WARNING, ACROSS, "Danh sách hộ khớp phụ lục kế hoạch", "Household list matches the annex",
         "{detail_vi} ({field_vi}): danh sách hộ có {value} hộ nhưng phụ lục kế hoạch ghi {expected}.",
         "{detail_en} ({field_en}): the household list has {value} households, the plan annex {expected}."),
    Rule("list_matches_deprivations", WARNING, ACROSS, "Danh sách hộ khớp bảng thiếu hụt", "Household list matches the deprivation table",
         "Chỉ số {detail_vi}: danh sách hộ đánh dấu {value} hộ thiếu hụt nhưng bảng thiếu hụt của xã ghi {expected}.",
         "Indicator {detail_en}: the household list marks {value} households deprived, the commune's deprivation table {expected}."),
    Rule("partial_year", WARNING, STRUCTURE, "Báo cáo cả năm", "A whole year's report",
         "Trang tính \u201c{sheet}\u201d là báo cáo một phần của năm (\u201c{value}\u201d), chưa phải kết quả cuối năm: số liệu "
         "được dùng cho đến khi xã gửi báo cáo cuối năm, và không thay báo cáo cuối năm xã đã gửi.",
         "Sheet \u201c{sheet}\u201d reports part of the year (\u201c{value}\u201d), not its end: its figures stand until the "
         "commune sends its year-end report, and never replace one it sent."),
    Rule("sheet_not_used", WARNING, STRUCTURE, "Một biểu mỗi loại trong tệp", "One table of each kind in a file",
         "Trang tính \u201c{sheet}\u201d cũng có {value} của xã nhưng không đọc cùng trang \u201c{expected}\u201d được (số liệu "
         "khác, hoặc có cột trang đó không có); trang \u201c{expected}\u201d được dùng, số liệu trang này không được tính. "
         "Đề nghị xã xác nhận bản đúng, hoặc gộp vào một biểu.",
         "Sheet \u201c{sheet}\u201d also holds the commune's {value} but cannot be read with sheet \u201c{expected}\u201d "
         "(other figures, or columns that sheet lacks); \u201c{expected}\u201d is used, this sheet's figures are not counted. "
         "Ask the commune which is right, or to put them in one table.", numbers=False),
    Rule("companion_document", WARNING, ACROSS, "Tài liệu kèm theo", "Companion document",
         "Tệp {value} không phải bảng tính ({detail_vi}), không đọc; số liệu của xã lấy từ bảng tính {expected} gửi cùng.",
         "{value} is no spreadsheet ({detail_en}) and is not read; the commune's figures come from the spreadsheet "
         "{expected} sent with it."),
    Rule("superseded_submission", WARNING, ACROSS, "Bản nộp thay thế", "Superseded submission",
         "Tệp này không được dùng{detail_vi}: số liệu của xã lấy từ bản nộp {expected} (bản có ngày văn bản, hoặc ngày sửa tệp, sau nhất; "
         "một tệp không đọc được, không có bảng, thiếu cột bắt buộc hay một biểu kế hoạch không có chỉ tiêu giảm nghèo không "
         "thay được bản đầy đủ).",
         "This file is not used{detail_en}: the commune's figures come from {expected} (the submission with the latest document date, or "
         "file time; a file that cannot be read, has no table, lacks a required column, or a plan without its reductions "
         "never replaces a whole one)."),
    Rule("legacy_unit_name", WARNING, STRUCTURE, "Tên đơn vị cũ", "Pre-2025 unit name",
         "Tệp dùng tên đơn vị cũ ({value}){cell}, đã quy đổi sang {expected}.",
         "The file uses a pre-2025 unit name ({value}){cell}, mapped to {expected}."),
    Rule("sheet_not_read", WARNING, STRUCTURE, "Đọc được mọi trang có số liệu", "Every sheet with figures read",
         "Trang tính \u201c{sheet}\u201d có số liệu nhưng không đọc được bảng nào trong đó; số liệu trang này không được tính. "
         "Các tiêu đề tìm thấy: {value}.",
         "Sheet \u201c{sheet}\u201d holds figures but no table could be read from it; they are not counted. Header labels seen: "
         "{value}."),
    Rule("text_readable", WARNING, STRUCTURE, "Chữ đọc được", "Text readable",
         "Ô {cell}: “{value}” có ký tự không đọc được (�): tệp có byte không thuộc bảng mã của nó; tên được dùng như đọc "
         "được, đề nghị gửi lại tệp (lưu bằng mã UTF-8).",
         "Cell {cell}: “{value}” holds a character that could not be read (�): the file has a byte of no character of its "
         "encoding; the name is used as read; ask for the file again (saved as UTF-8)."),
    Rule("hidden_content", WARNING, STRUCTURE, "Nội dung bị ẩn", "Hidden content",
         "Nội dung bị ẩn: {detail_vi} {value}; nội dung này vẫn được đọc như phần còn lại.",
         "Hidden content: {detail_en} {value}; it is read like the rest."),
    Rule("outlier", WARNING, TARGETS, "Giá trị bất thường", "Outlier",
         "{field_vi} = {value} cao hơn nhiều so với các đơn vị cùng tỉnh (trung vị {expected}); đề nghị kiểm tra lại.",
         "{field_en} = {value} is far above its peers in the province (median {expected}); please check."),
    Rule("baseline_matches_targets", WARNING, TARGETS, "Số liệu gốc khớp số của tỉnh", "Baseline matches the province's figure",
         "{field_vi} của xã là {value} nhưng biểu giao chỉ tiêu của tỉnh ghi {expected}{detail_vi}.",
         "The commune's {field_en} is {value} but the province's targets workbook says {expected}{detail_en}."),
    Rule("target_within_rate", WARNING, TARGETS, "Chỉ tiêu giao không vượt tỷ lệ hộ nghèo", "Assigned cut within the poor rate",
         "{cell}Tỉnh giao xã giảm {value} điểm %, nhiều hơn tỷ lệ hộ nghèo của xã ({expected} %): kiểm tra cột chỉ tiêu của biểu "
         "giao (có thể là tỷ lệ trên số hộ nghèo, không phải điểm %).",
         "{cell}The province assigns a cut of {value} points, more than the commune's poor rate ({expected} %): check the targets "
         "column (it may be a share of the poor households, not points)."),
    Rule("target_numeric", WARNING, TARGETS, "Chỉ tiêu giao là số", "Assigned target is a number",
         "Ô {cell} của biểu giao chỉ tiêu ({field_vi}): giá trị \u201c{value}\u201d không phải là số; xã không được so với "
         "chỉ tiêu giao.",
         "Cell {cell} of the targets workbook ({field_en}): \u201c{value}\u201d is not a number; the commune is not judged "
         "against an assigned target.", numbers=False),
    Rule("targets_sheet_used", WARNING, TARGETS, "Trang chỉ tiêu giao được dùng", "Targets sheet used",
         "Trang tính \u201c{sheet}\u201d của biểu giao chỉ tiêu không được dùng ({detail_vi}): chỉ tiêu lấy từ trang "
         "\u201c{expected}\u201d.",
         "Sheet \u201c{sheet}\u201d of the targets workbook is not used ({detail_en}): the targets are taken from sheet "
         "\u201c{expected}\u201d.", numbers=False),
    Rule("target_unit_in_province", WARNING, TARGETS, "Đơn vị của tỉnh được giao", "A unit of the province",
         "Ô {cell}: {value} là đơn vị của tỉnh khác ({expected}), không phải của tỉnh đang tổng hợp: dòng chỉ tiêu này "
         "không được dùng.",
         "Cell {cell}: {value} is a unit of another province ({expected}), not of the province consolidated: this "
         "target row is not used.", numbers=False),
    Rule("targets_year", WARNING, TARGETS, "Chỉ tiêu giao của năm tổng hợp", "Targets of the year consolidated",
         "Tệp chỉ tiêu giao {value} là của năm {detail_vi}, không phải năm {expected} đang tổng hợp: chỉ tiêu của nó vẫn "
         "được dùng để so; đề nghị tỉnh gửi biểu giao chỉ tiêu năm {expected}.",
         "The targets workbook {value} is for {detail_en}, not {expected}, the year being consolidated: its targets are "
         "still used; ask the province for its {expected} workbook.", numbers=False),
    Rule("targets_read", WARNING, TARGETS, "Đọc được chỉ tiêu giao", "Targets read",
         "Tệp chỉ tiêu giao {value} không cho xã nào chỉ tiêu giảm nghèo đọc được (không nhận ra cột chỉ tiêu, hoặc mọi ô "
         "đều trống hay không phải số): các xã không được so với chỉ tiêu giao.",
         "The targets workbook {value} gives no commune a reduction target that can be read (no target column recognised, "
         "or every cell blank or no number): no commune is judged against an assigned target.", numbers=False),
    Rule("commune_in_targets", WARNING, TARGETS, "Xã có trong biểu giao chỉ tiêu", "Commune listed in the targets workbook",
         "{value} đã gửi kế hoạch nhưng không có dòng nào trong biểu giao chỉ tiêu của tỉnh: xã không được so với chỉ tiêu "
         "giao. Kiểm tra biểu giao chỉ tiêu (xã bị sót, hoặc ghi dưới tên khác).",
         "{value} sent its plan but has no row in the province's targets workbook: it is not judged against an assigned "
         "target. Check the targets workbook (the commune left out, or written under another name).", numbers=False),
    Rule("target_listed_once", WARNING, TARGETS, "Mỗi xã một dòng chỉ tiêu", "Each commune's target once",
         "Ô {cell}: {value} đã có chỉ tiêu ở dòng {expected} của biểu giao chỉ tiêu; chỉ tiêu ở dòng {expected} được dùng, "
         "dòng này không được tính.",
         "Cell {cell}: {value} already has a target on row {expected} of the targets workbook; row {expected}'s is used, this "
         "row is not counted.", numbers=False),
    Rule("code_matches_name", WARNING, TARGETS, "Mã và tên đơn vị khớp nhau", "Unit code and name agree",
         "Ô {cell}: mã đơn vị là của {expected} nhưng tên ghi bên cạnh là {value}; chỉ tiêu được tính cho đơn vị theo mã. "
         "Đề nghị kiểm tra lại dòng này của biểu giao chỉ tiêu.",
         "Cell {cell}: the unit code is {expected}'s but the name beside it is {value}; the target is counted for the unit of "
         "the code. Check this row of the targets workbook.", numbers=False),
    Rule("start_matches_plan", WARNING, ACROSS, "Đầu kỳ khớp kế hoạch", "Start of period matches the plan",
         "Ô {cell} ({field_vi}): đầu kỳ ghi {value} nhưng kế hoạch ghi {expected}.",
         "Cell {cell} ({field_en}): the start-of-period count is {value} but the plan says {expected}."),
    Rule("village_in_both_reports", WARNING, ACROSS, "Thôn có trong cả kế hoạch và kết quả", "Village in both plan and results",
         "Thôn \u201c{value}\u201d có trong {detail_vi} nhưng không có trong báo cáo còn lại.",
         "Village \u201c{value}\u201d is in the {detail_en} but not in the other report."),
    Rule("flow_moves_match", WARNING, ACROSS, "Chuyển nghèo ↔ cận nghèo khớp nhau", "Poor/near-poor moves agree",
         "{field_vi}: {value} ở biểu hộ nghèo nhưng {expected} ở biểu hộ cận nghèo.",
         "{field_en}: {value} on the poor-households sheet but {expected} on the near-poor sheet."),
    Rule("not_followed", WARNING, STRUCTURE, "Liên kết không được theo", "Link not followed",
         "Liên kết tượng trưng không được đọc vì lý do an toàn: {value}.",
         "A symbolic link was not followed, for safety: {value}."),
)

RULE_BY_ID = {r.id: r for r in RULES}
# The field each dataframe-level rule points at when its check does not name one.
RULE_FIELDS = {r.id: r.points_at for r in RULES if r.points_at}

# Sub-reasons of `readable`, as (Vietnamese, English) explanations.
READABLE_REASONS = {
    "empty": ("tệp rỗng", "the file is empty"),
    "not_spreadsheet": ("không phải bảng tính ({value})", "not a spreadsheet ({value})"),
    "archive": ("tệp nén {value}, không phải bảng tính: hãy giải nén rồi đặt các bảng tính bên trong vào thư mục nhận",
                "a {value} archive, not a spreadsheet: extract it and put the spreadsheets inside into the intake folder"),
    "corrupt": ("tệp bị hỏng, không đọc được; hãy mở lại bằng Excel, lưu rồi gửi lại (chi tiết kỹ thuật: {value})",
                "the file is damaged and cannot be read; open it in Excel, save and send it again (technical detail: {value})"),
    "encrypted": ("tệp có mật khẩu", "the file is password-protected"),
    "xml_entities": ("tệp chứa khai báo XML nguy hiểm (DTD/entity) và bị từ chối",
                     "the file holds XML DTD/entity declarations and was refused"),
    "zip_bomb": ("tệp giải nén quá lớn ({value}; giới hạn {expected})",
                 "the file expands too much ({value}; limit {expected})"),
    "too_large": ("tệp quá lớn ({value}; giới hạn {expected})", "the file is too large ({value}; limit {expected})"),
    "too_many_rows": ("trang tính quá nhiều dòng ({value}; giới hạn {expected})",
                      "a sheet has too many rows ({value}; limit {expected})"),
    "too_many_columns": ("trang tính quá nhiều cột ({value}; giới hạn {expected})",
                         "a sheet has too many columns ({value}; limit {expected})"),
    "cell_too_long": ("một ô có nội dung quá dài ({value}; giới hạn {expected})",
                      "a cell holds too much text ({value}; limit {expected})"),
    "no_sheets": ("tệp không có trang tính nào có dữ liệu", "the file has no sheet with data"),
    "timeout": ("đọc tệp quá thời gian cho phép ({value})", "reading took too long ({value})"),
    "crashed": ("trình đọc bị lỗi khi mở tệp; hãy mở lại bằng Excel, lưu rồi gửi lại (chi tiết kỹ thuật: {value})",
                "the reader crashed on this file; open it in Excel, save and send it again (technical detail: {value})"),
    "memory": ("đọc tệp vượt giới hạn bộ nhớ", "reading exceeded the memory limit"),
    "unreadable_dir": ("không mở được thư mục hay tệp này (không có quyền đọc?)", "this folder or file cannot be opened (no read permission?)"),
    "changed": ("tệp thay đổi trong lúc đang đọc (đang được sửa hay chép đè?); số liệu của nó không được dùng lần này, lần chạy sau sẽ đọc lại",
                "the file changed while it was being read (being edited or copied over?); its figures are not used this time, the next run reads it again"),
    "io_error": ("không đọc được tệp trên đĩa ({value}): tệp bị xoá, di chuyển hay ổ đĩa lỗi trong lúc chạy; lần chạy sau sẽ đọc lại",
                 "the file could not be read from disk ({value}): removed, moved or a disk error during the run; the next run tries again"),
    "truncated": ("tệp bị cắt cụt: dòng cuối (dòng {value} cột) thiếu cột và không kết thúc; tệp chưa chép hay tải về xong? Hãy gửi lại",
                  "the file is cut short: its last line (line {value} columns) lacks columns and does not end; not fully copied or "
                  "downloaded? Please send it again"),
    "zero_tail": ("sau byte thứ {value} tệp chỉ còn byte 0 (NUL), như khi chép hay tải về chưa xong; hãy gửi lại tệp",
                  "after byte {value} the file holds nothing but zero (NUL) bytes, as when a copy or download did not finish; "
                  "please send it again"),
    "partial_download": ("tệp đang tải về dở (tên tệp của trình duyệt khi chưa tải xong), không được đọc",
                         "a download not finished (a browser's name for a file still downloading), not read"),
    "not_a_file": ("không phải tệp thông thường (ống dẫn, socket hay thiết bị), không được đọc",
                   "not a regular file (a pipe, a socket or a device), not read"),
}

# Sub-details of `numeric`.
NUMERIC_DETAILS = {
    "invalid": ("", ""),
    "ambiguous": (" rõ ràng (dấu phẩy và dấu chấm có thể hiểu hai cách)", " unambiguously (the separators read two ways)"),
    "too_large": (" hợp lý (quá lớn: không xã nào có số hộ hay kinh phí đến thế)",
                  " that can be (too large: no commune has that many households, nor such a budget)"),
    "excel_error": (": Excel báo lỗi công thức ở ô này (tham chiếu hỏng, chia cho 0…); hãy sửa công thức, lưu lại rồi gửi",
                    ": Excel shows a formula error in this cell (a broken reference, a division by zero…); fix the formula, save and send again"),
}


def rule(rule_id: str) -> Rule:
    return RULE_BY_ID[rule_id]


def severity(rule_id: str) -> str:
    return RULE_BY_ID[rule_id].severity
