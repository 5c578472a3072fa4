"""The column dictionary: Vietnamese source label, English name and unit of every canonical field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnInfo:
    vi: str
    en: str
    unit: str


HH, PCT, PP, TEXT = "hộ", "%", "điểm %", ""

# a roadmap's canonical items, in the contract's order: a failure at a roadmap's cell names its item
ROADMAP_ITEMS = {
    "poor_reduction": ("Số hộ nghèo giảm", "poor households lifted"),
    "near_poor_reduction": ("Số hộ cận nghèo giảm", "near-poor households lifted"),
    "support_housing": ("Hỗ trợ nhà ở", "housing support"),
    "support_housing_new": ("Nhà ở xây mới", "new houses"),
    "support_housing_repair": ("Nhà ở sửa chữa", "houses repaired"),
    "support_latrine": ("Nhà tiêu hợp vệ sinh", "hygienic latrines"),
    "support_information_device": ("Thiết bị tiếp cận thông tin", "information devices"),
    "support_vocational_training": ("Đào tạo nghề", "vocational training"),
    "support_employment": ("Việc làm", "employment support"),
    "support_production": ("Hỗ trợ sản xuất", "production support"),
    "support_internet": ("Hỗ trợ internet", "internet support"),
    "support_social_care": ("Bảo trợ xã hội", "social care"),
    "budget_total": ("Tổng kinh phí (triệu đồng)", "total budget (million đồng)"),
    "budget_central": ("Ngân sách trung ương", "central budget"),
    "budget_province": ("Ngân sách tỉnh", "provincial budget"),
    "budget_commune": ("Ngân sách xã", "commune budget"),
    "budget_integrated": ("Vốn lồng ghép", "integrated funds"),
    "budget_social": ("Huy động xã hội", "funds raised from society"),
    "budget_policy_bank_loan": ("Vốn vay NHCSXH", "Social Policy Bank loans"),
    "budget_local": ("Ngân sách địa phương", "local budget"),
    "support_credit": ("Vay vốn tín dụng ưu đãi", "preferential credit"),
    "support_health_insurance": ("Bảo hiểm y tế", "health insurance"),
}

COLUMNS: dict[str, ColumnInfo] = {
    # the run, the unit, the source
    "run_id": ColumnInfo("Lần chạy", "run", TEXT),
    "province_code": ColumnInfo("Mã tỉnh", "province code", TEXT),
    "province_name": ColumnInfo("Tỉnh, thành phố", "province", TEXT),
    "commune_code": ColumnInfo("Mã xã", "commune code", TEXT),
    "commune_name": ColumnInfo("Tên xã, phường", "commune", TEXT),
    "status": ColumnInfo("Tình trạng báo cáo", "report status", TEXT),
    "villages": ColumnInfo("Số thôn, tổ", "villages", TEXT),
    "source_file": ColumnInfo("Tệp nguồn", "source file", TEXT),
    "source_sheet": ColumnInfo("Trang tính", "source sheet", TEXT),
    "source_row": ColumnInfo("Dòng", "source row", TEXT),
    "assessment": ColumnInfo("Đánh giá", "assessment", TEXT),
    # communes counted in a province
    "communes": ColumnInfo("Số xã, phường", "communes", TEXT),
    "communes_expected": ColumnInfo("Số xã, phường phải báo cáo", "communes expected", TEXT),
    "communes_accepted": ColumnInfo("Số xã, phường được chấp nhận", "communes accepted", TEXT),
    "communes_rejected": ColumnInfo("Số xã, phường bị từ chối", "communes rejected", TEXT),
    "communes_missing": ColumnInfo("Số xã, phường chưa nộp", "communes missing", TEXT),
    "communes_below_target": ColumnInfo("Số xã dưới chỉ tiêu giao (kế hoạch)", "communes planning below the target", TEXT),
    "communes_with_results": ColumnInfo("Số xã có kết quả cuối năm được chấp nhận", "communes with accepted results", TEXT),
    "poor_rate_end_communes": ColumnInfo(
        "Số xã có cả hộ nghèo và tổng số hộ cuối năm (tỷ lệ cuối năm tính trên các xã này)",
        "communes giving the poor and all households at the end (the end rate is over them)", TEXT
    ),
    "communes_met_target_actual": ColumnInfo("Số xã đạt chỉ tiêu giao (thực tế)", "communes that met the target", TEXT),
    "communes_missed_target_actual": ColumnInfo(
        "Số xã không đạt chỉ tiêu giao (thực tế)", "communes that missed the target", TEXT
    ),
    # approval and the submission ledger
    "approval": ColumnInfo("Phê duyệt số liệu", "approval", TEXT),
    "approved_at": ColumnInfo("Thời điểm phê duyệt (giờ Việt Nam)", "approved at", TEXT),
    "approved_by": ColumnInfo("Người phê duyệt", "approved by", TEXT),
    "approval_changes": ColumnInfo("Số liệu đã thay đổi từ khi phê duyệt", "figures changed since the approval", TEXT),
    "kind": ColumnInfo("Loại báo cáo", "report kind", TEXT),
    "received": ColumnInfo("Đã nộp", "received", TEXT),
    "files_received": ColumnInfo("Số tệp đã nhận", "files received", TEXT),
    "version_in_use": ColumnInfo("Lần nộp được dùng", "version in use", TEXT),
    "file_in_use": ColumnInfo("Tệp được dùng", "file in use", TEXT),
    "received_at": ColumnInfo("Thời điểm nhận (giờ Việt Nam)", "received at", TEXT),
    "superseded_files": ColumnInfo("Tệp bị thay thế (nộp trước)", "superseded files", TEXT),
    "on_time": ColumnInfo("Đúng hạn", "on time", TEXT),
    "completeness_plan_pct": ColumnInfo("Tỷ lệ xã đã nộp kế hoạch (%)", "communes that sent a plan", PCT),
    "timeliness_plan_pct": ColumnInfo("Tỷ lệ nộp kế hoạch đúng hạn (%)", "plans sent on time", PCT),
    "completeness_results_pct": ColumnInfo("Tỷ lệ xã đã nộp kết quả cuối năm (%)", "communes that sent results", PCT),
    "timeliness_results_pct": ColumnInfo("Tỷ lệ nộp kết quả đúng hạn (%)", "results sent on time", PCT),
    "completeness_roadmap_pct": ColumnInfo("Tỷ lệ xã đã nộp lộ trình 2026–2030 (%)", "communes that sent a roadmap", PCT),
    "timeliness_roadmap_pct": ColumnInfo("Tỷ lệ nộp lộ trình đúng hạn (%)", "roadmaps sent on time", PCT),
    "completeness_deprivations_pct": ColumnInfo("Tỷ lệ xã đã nộp bảng thiếu hụt (%)", "communes that sent a deprivation table",
                                                PCT),
    "timeliness_deprivations_pct": ColumnInfo("Tỷ lệ nộp bảng thiếu hụt đúng hạn (%)", "deprivation tables sent on time", PCT),
    "completeness_households_pct": ColumnInfo("Tỷ lệ xã đã nộp danh sách hộ (%)", "communes that sent a household list", PCT),
    "timeliness_households_pct": ColumnInfo("Tỷ lệ nộp danh sách hộ đúng hạn (%)", "household lists sent on time", PCT),
    "village_name": ColumnInfo("Tên thôn, tổ dân phố", "village name", TEXT),
    "section": ColumnInfo("Khu vực / xã cũ", "section", TEXT),
    "total_households": ColumnInfo("Tổng số hộ", "total households", HH),
    "poor_households": ColumnInfo("Số hộ nghèo", "poor households", HH),
    "near_poor_households": ColumnInfo("Số hộ cận nghèo", "near-poor households", HH),
    "poor_reduction_target": ColumnInfo("Số hộ nghèo giảm (kế hoạch)", "planned poor reduction", HH),
    "near_poor_reduction_target": ColumnInfo("Số hộ cận nghèo giảm (kế hoạch)", "planned near-poor reduction", HH),
    "poor_rate": ColumnInfo("Tỷ lệ hộ nghèo", "poor rate", PCT),
    "near_poor_rate": ColumnInfo("Tỷ lệ hộ cận nghèo", "near-poor rate", PCT),
    "poor_reduction_rate": ColumnInfo("Tỷ lệ giảm hộ nghèo", "planned poor reduction rate", PP),
    "near_poor_reduction_rate": ColumnInfo("Tỷ lệ giảm hộ cận nghèo", "planned near-poor reduction rate", PP),
    "poor_rate_pct": ColumnInfo("Tỷ lệ hộ nghèo (%)", "poor rate", PCT),
    "near_poor_rate_pct": ColumnInfo("Tỷ lệ hộ cận nghèo (%)", "near-poor rate", PCT),
    "planned_poor_reduction_pp": ColumnInfo("Kế hoạch giảm tỷ lệ hộ nghèo (điểm %)", "planned poor-rate cut", PP),
    "assigned_poor_reduction_pp": ColumnInfo("Chỉ tiêu tỉnh giao (điểm %)", "assigned poor-rate cut", PP),
    "meets_assigned_target": ColumnInfo("Đạt chỉ tiêu giao", "meets the assigned target", TEXT),
    # year-end results
    "total_households_end": ColumnInfo("Tổng số hộ cuối kỳ", "total households at the end", HH),
    "start_denominator": ColumnInfo(
        "Tổng số hộ tính tỷ lệ đầu kỳ",
        "households the start rates are taken on: the accepted plan's total, else the total at the end",
        HH,
    ),
    "total_households_start": ColumnInfo("Tổng số hộ đầu kỳ", "total households at the start", HH),
    "poor_households_start": ColumnInfo("Số hộ nghèo đầu kỳ", "poor households at the start", HH),
    "poor_households_end": ColumnInfo("Số hộ nghèo cuối kỳ", "poor households at the end", HH),
    "near_poor_households_start": ColumnInfo("Số hộ cận nghèo đầu kỳ", "near-poor households at the start", HH),
    "near_poor_households_end": ColumnInfo("Số hộ cận nghèo cuối kỳ", "near-poor households at the end", HH),
    "poor_decrease": ColumnInfo("Số hộ nghèo giảm trong kỳ", "poor households decrease", HH),
    "poor_increase": ColumnInfo("Số hộ nghèo tăng trong kỳ", "poor households increase", HH),
    "near_poor_decrease": ColumnInfo("Số hộ cận nghèo giảm trong kỳ", "near-poor households decrease", HH),
    "near_poor_increase": ColumnInfo("Số hộ cận nghèo tăng trong kỳ", "near-poor households increase", HH),
    "poor_to_near_poor": ColumnInfo("Hộ nghèo trở thành hộ cận nghèo", "poor who became near-poor", HH),
    "poor_escaped": ColumnInfo("Hộ thoát nghèo", "poor who escaped poverty", HH),
    "poor_other_decrease": ColumnInfo("Hộ nghèo giảm khác", "other decreases of poor", HH),
    "poor_from_near_poor": ColumnInfo("Hộ nghèo từ hộ cận nghèo", "near-poor who became poor", HH),
    "poor_fell_back": ColumnInfo("Hộ tái nghèo", "fell back into poverty", HH),
    "poor_new": ColumnInfo("Hộ nghèo phát sinh mới", "newly poor", HH),
    "poor_other_increase": ColumnInfo("Hộ nghèo tăng khác", "other increases of poor", HH),
    "near_poor_to_poor": ColumnInfo("Hộ cận nghèo trở thành hộ nghèo", "near-poor who became poor", HH),
    "near_poor_escaped": ColumnInfo("Hộ thoát cận nghèo", "near-poor who rose above the line", HH),
    "near_poor_other_decrease": ColumnInfo("Hộ cận nghèo giảm khác", "other decreases of near-poor", HH),
    "near_poor_from_poor": ColumnInfo("Hộ cận nghèo từ hộ nghèo", "poor who became near-poor", HH),
    "near_poor_fell_back": ColumnInfo("Hộ tái cận nghèo", "fell back into near-poverty", HH),
    "near_poor_new": ColumnInfo("Hộ cận nghèo phát sinh mới", "newly near-poor", HH),
    "near_poor_other_increase": ColumnInfo("Hộ cận nghèo tăng khác", "other increases of near-poor", HH),
    "poor_rate_start": ColumnInfo("Tỷ lệ hộ nghèo đầu kỳ", "poor rate at the start", PCT),
    "poor_rate_end": ColumnInfo("Tỷ lệ hộ nghèo cuối kỳ", "poor rate at the end", PCT),
    "near_poor_rate_start": ColumnInfo("Tỷ lệ hộ cận nghèo đầu kỳ", "near-poor rate at the start", PCT),
    "near_poor_rate_end": ColumnInfo("Tỷ lệ hộ cận nghèo cuối kỳ", "near-poor rate at the end", PCT),
    "poor_rate_start_pct": ColumnInfo("Tỷ lệ hộ nghèo đầu kỳ (%)", "poor rate at the start", PCT),
    "poor_rate_end_pct": ColumnInfo("Tỷ lệ hộ nghèo cuối kỳ (%)", "poor rate at the end", PCT),
    "near_poor_rate_start_pct": ColumnInfo("Tỷ lệ hộ cận nghèo đầu kỳ (%)", "near-poor rate at the start", PCT),
    "near_poor_rate_end_pct": ColumnInfo("Tỷ lệ hộ cận nghèo cuối kỳ (%)", "near-poor rate at the end", PCT),
    "actual_poor_reduction_pp": ColumnInfo("Tỷ lệ hộ nghèo giảm thực tế (điểm %)", "actual poor-rate cut", PP),
    "meets_assigned_target_actual": ColumnInfo("Đạt chỉ tiêu giao (thực tế)", "met the assigned target", TEXT),
    "meets_own_plan_actual": ColumnInfo("Đạt kế hoạch của xã (thực tế)", "met the commune's own plan", TEXT),
    "year": ColumnInfo("Năm", "year", TEXT),
    "standard": ColumnInfo("Chuẩn nghèo áp dụng", "poverty standard applied", TEXT),
    "indicators": ColumnInfo("Số chỉ số thiếu hụt có số liệu", "indicators given", TEXT),
    "group_source": ColumnInfo("Nguồn số hộ của nhóm", "where the group sizes come from", TEXT),
    "annex_poor_households": ColumnInfo("Số hộ nghèo theo phụ lục kế hoạch", "poor households in the plan's annex", HH),
    "annex_near_poor_households": ColumnInfo(
        "Số hộ cận nghèo theo phụ lục kế hoạch", "near-poor households in the plan's annex", HH
    ),
    "matches_annex": ColumnInfo("Khớp với phụ lục kế hoạch", "matches the plan's annex", TEXT),
    "years": ColumnInfo("Số năm của lộ trình", "years of the roadmap", TEXT),
    "poor_reduction": ColumnInfo("Số hộ nghèo giảm", "poor households lifted", HH),
    "budget_total": ColumnInfo("Tổng kinh phí (triệu đồng)", "total budget (million đồng)", TEXT),
    # breakdowns of the poor and near-poor ("Trong đó"); results add _start / _end, provinces _communes
    "poor_ethnic_minority": ColumnInfo("Hộ nghèo DTTS", "poor ethnic-minority households", HH),
    "near_poor_ethnic_minority": ColumnInfo("Hộ cận nghèo DTTS", "near-poor ethnic-minority households", HH),
    "poor_no_labour": ColumnInfo("Hộ nghèo không có khả năng lao động", "poor households without labour capacity", HH),
    "near_poor_no_labour": ColumnInfo(
        "Hộ cận nghèo không có khả năng lao động", "near-poor households without labour capacity", HH
    ),
    "poor_merit": ColumnInfo("Hộ nghèo có người có công", "poor households with a person of merit", HH),
    # roadmap
    "value": ColumnInfo("Giá trị", "value", ""),
    "item": ColumnInfo("Nội dung", "item", TEXT),
    "item_label": ColumnInfo("Nội dung (như trong tệp)", "item as written", TEXT),
    "item_kind": ColumnInfo("Loại", "kind of item", TEXT),
    "unit": ColumnInfo("Đơn vị tính", "unit", TEXT),
    # deprivation indicators
    # household lists (the personal fields are named, for a failure's cell, never shown)
    "members": ColumnInfo("Số nhân khẩu", "members", "người"),
    "household_code": ColumnInfo("Mã hộ", "household code", TEXT),
    "id_number": ColumnInfo("Số CCCD/CMND", "ID number", TEXT),
    "group": ColumnInfo("Phân loại hộ", "household group", TEXT),
    "head_name": ColumnInfo("Họ và tên chủ hộ", "head of household's name", TEXT),
    "birth": ColumnInfo("Năm sinh", "year or date of birth", TEXT),
    "phone": ColumnInfo("Số điện thoại", "phone number", TEXT),
    "village": ColumnInfo("Thôn, tổ dân phố", "village", TEXT),
    "ethnicity": ColumnInfo("Dân tộc", "ethnicity", TEXT),
    "minority_mark": ColumnInfo("Hộ DTTS (đánh dấu)", "ethnic-minority mark", TEXT),
    "poor_mark": ColumnInfo("Hộ nghèo (đánh dấu)", "poor mark", TEXT),
    "near_poor_mark": ColumnInfo("Hộ cận nghèo (đánh dấu)", "near-poor mark", TEXT),
    "notes": ColumnInfo("Ghi chú", "notes", TEXT),
    "household_key": ColumnInfo("Mã bí danh của hộ", "household pseudonym (keyed hash)", TEXT),
    "ethnic_minority": ColumnInfo("Hộ dân tộc thiểu số", "ethnic-minority household", TEXT),
    "no_labour": ColumnInfo("Hộ không có khả năng lao động", "household without labour capacity", TEXT),
    "merit": ColumnInfo("Hộ có người có công", "household with a person of merit", TEXT),
    "planned_exit_year": ColumnInfo("Năm dự kiến thoát nghèo", "planned exit year", TEXT),
    "deprivations": ColumnInfo("Chỉ số thiếu hụt", "deprivations", TEXT),
    "list_poor_households": ColumnInfo("Hộ nghèo theo danh sách", "poor households in the list", HH),
    "list_near_poor_households": ColumnInfo("Hộ cận nghèo theo danh sách", "near-poor households in the list", HH),
    "poor_deprived": ColumnInfo("Số hộ nghèo thiếu hụt", "poor households deprived", HH),
    "near_poor_deprived": ColumnInfo("Số hộ cận nghèo thiếu hụt", "near-poor households deprived", HH),
    "poor_deprived_rate": ColumnInfo("Tỷ lệ hộ nghèo thiếu hụt", "rate of poor households deprived", PCT),
    "near_poor_deprived_rate": ColumnInfo("Tỷ lệ hộ cận nghèo thiếu hụt", "rate of near-poor households deprived", PCT),
    "dimension_id": ColumnInfo("Mã chiều thiếu hụt", "dimension number", TEXT),
    "dimension": ColumnInfo("Chiều thiếu hụt", "dimension", TEXT),
    "indicator_id": ColumnInfo("Mã chỉ số thiếu hụt", "indicator number", TEXT),
    "gap_pp": ColumnInfo("Còn thiếu so với chỉ tiêu (điểm %)", "target minus coverage", PP),
    "meets_target": ColumnInfo("Đạt chỉ tiêu", "meets the target", TEXT),
    "indicator": ColumnInfo("Chỉ số thiếu hụt", "indicator", TEXT),
    "indicator_label": ColumnInfo("Chỉ số (như trong tệp)", "indicator as written", TEXT),
    "households_deprived": ColumnInfo("Số hộ thiếu hụt", "households deprived", HH),
    "households_in_group": ColumnInfo("Số hộ của nhóm", "households in the group", HH),
    "deprivation_rate_pct": ColumnInfo("Tỷ lệ thiếu hụt (%)", "deprivation rate", PCT),
    "coverage_pct": ColumnInfo("Tỷ lệ đáp ứng (%)", "coverage", PCT),
    "target_coverage_pct": ColumnInfo("Chỉ tiêu đáp ứng (%)", "target coverage", PCT),
    "communes_meeting_target": ColumnInfo("Số xã đạt chỉ tiêu", "communes meeting the target", TEXT),
    "communes_without_group": ColumnInfo("Số xã không rõ số hộ của nhóm (không tính)", "communes without the group's size "
                                         "(left out)", TEXT),
}

for _item, (_vi, _en) in ROADMAP_ITEMS.items():  # the roadmap_communes columns among them keep their own
    COLUMNS.setdefault(_item, ColumnInfo(_vi, _en, HH if _item.endswith("_reduction") else TEXT))

# breakdowns of the poor and near-poor ("Trong đó"): subset -> the count it is part of
BREAKDOWN_OF = {
    "poor_ethnic_minority": "poor_households",
    "near_poor_ethnic_minority": "near_poor_households",
    "poor_no_labour": "poor_households",
    "near_poor_no_labour": "near_poor_households",
    "poor_merit": "poor_households",
}
BREAKDOWNS = tuple(BREAKDOWN_OF)
for _b in BREAKDOWNS:
    _info = COLUMNS[_b]
    COLUMNS[f"{_b}_start"] = ColumnInfo(f"{_info.vi} đầu kỳ", f"{_info.en} at the start", HH)
    COLUMNS[f"{_b}_end"] = ColumnInfo(f"{_info.vi} cuối kỳ", f"{_info.en} at the end", HH)
    for _suffix, _vi, _en in (("", "", ""), ("_start", " đầu kỳ", " at the start"), ("_end", " cuối kỳ", " at the end")):
        COLUMNS[f"{_b}{_suffix}_communes"] = ColumnInfo(
            f"Số xã có số liệu {_info.vi[0].lower()}{_info.vi[1:]}{_vi}", f"communes giving {_info.en}{_en}", TEXT
        )

# An "other" movement a form splits over columns ("Giảm khác / Chết | Chuyển đi"): the columns after the first, each a
# field of its own while the cells are read and checked (its own cell, its own lineage), added to the movement in the
# published villages (transforms.results.results_village_rows)
SPLITS = {
    f: (f"{f}_2", f"{f}_3")
    for f in ("poor_other_decrease", "poor_other_increase", "near_poor_other_decrease", "near_poor_other_increase")
}
SPLIT_FIELDS = frozenset(s for splits in SPLITS.values() for s in splits)
for _f, _splits in SPLITS.items():
    for _n, _split in enumerate(_splits, 2):
        COLUMNS[_split] = ColumnInfo(f"{COLUMNS[_f].vi} (cột thứ {_n})", f"{COLUMNS[_f].en} (column {_n})", HH)


def label_vi(field: str | None) -> str:
    if not field:
        return ""
    info = COLUMNS.get(field)
    return info.vi if info else field


def label_en(field: str | None) -> str:
    if not field:
        return ""
    info = COLUMNS.get(field)
    return info.en if info else field.replace("_", " ")
for _n in range(1, 13):  # a household list's deprivation marks, by indicator number
    COLUMNS[f"deprivation_{_n}"] = ColumnInfo(f"Thiếu hụt chỉ số {_n}", f"deprived on indicator {_n}", TEXT)
