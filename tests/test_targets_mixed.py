"""The province's targets workbook where its cells, not its headers, say what a target is: one column of targets mixing
a cut, households to lift and a rate to reach row by row; a rate to reach beside counts alone; a commune it leaves out.
Three judges found the mixed column (the last, Phú Thọ: 0 of 45 communes given a target)."""

from __future__ import annotations

import polars as pl
from test_targets_variants import _read, _write

from giamngheo.failures import finish
from transforms.outliers import communes_without_target

HEADER = ["STT", "Tên xã, phường", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)"]


def _targets(found) -> dict:
    return {c: (pp, hh) for c, pp, hh in found.frame.select(
        "commune_code", "assigned_poor_reduction_pp", "assigned_poor_reduction_households").iter_rows()}


def test_one_generic_column_read_cell_by_cell(tmp_path):
    """"Chỉ tiêu giao năm 2026": "giảm 0,35%" a cut in points, "giảm 12 hộ" households to lift, "tỷ lệ hộ nghèo còn
    1,50%" the rate to reach (the cut from the rate beside it), a bare number a cut; each traced to its own cell."""
    rows = [[1, "Phường Bắc Kạn", 2725, 16, 0.59, "giảm 0,35%"], [2, "Xã Phú Thịnh", 6635, 137, 2.06, "giảm 12 hộ"],
            [3, "Xã Cao Minh", 4926, 365, 7.41, "tỷ lệ hộ nghèo còn 1,50%"], [4, "Xã Vĩnh Thông", 4517, 70, 1.55, 0.3]]
    found = _read(_write(tmp_path / "chi tieu.xlsx", [[*HEADER, "Chỉ tiêu giao năm 2026"]], rows))
    assert _targets(found) == {"01843": (0.35, None), "05800": (None, 12.0), "01879": (5.91, None), "01981": (0.3, None)}
    assert found.failures == []
    cells = found.cells()
    assert sorted(cells.select("commune_code", "field", "cell").iter_rows()) == [
        ("01843", "assigned_poor_reduction_pp", "F5"),
        ("01879", "assigned_rate_before", "E7"), ("01879", "assigned_rate_to_reach", "F7"),
        ("01981", "assigned_poor_reduction_pp", "F8"),
        ("05800", "assigned_poor_reduction_households", "F6")]


def test_a_cell_of_no_households_in_a_column_of_words_is_no_target_of_none(tmp_path):
    """"giảm 14 hộ" above "chưa giao" and "tỷ lệ hộ nghèo còn 13,32%": both were targets of 0 households (a blank cell
    types as 0), the first commune "meeting" a target it was never given (targets judge, Huế). Not given, and the rate
    to reach, with the rate beside it, the cut."""
    rows = [[1, "Phường Bắc Kạn", 2725, 16, 0.59, "giảm 14 hộ"], [2, "Xã Phú Thịnh", 6635, 137, 2.06, "chưa giao"],
            [3, "Xã Cao Minh", 4926, 365, 7.41, "tỷ lệ hộ nghèo còn 1,50%"]]
    found = _read(_write(tmp_path / "chi tieu.xlsx", [[*HEADER, "Chỉ tiêu giao năm 2026"]], rows))
    assert _targets(found) == {"01843": (None, 14.0), "05800": (None, None), "01879": (5.91, None)}
    assert [(f["rule"], f["cell"]) for f in found.failures] == [("target_numeric", "F6")]


def test_a_generic_column_of_last_year_or_beside_a_named_target_is_not_read(tmp_path):
    """The generic column is read only where the sheet names no target column of its own, and not as last year's."""
    named = _read(_write(tmp_path / "a.xlsx", [[*HEADER, "Chỉ tiêu giảm tỷ lệ hộ nghèo (điểm %)", "Chỉ tiêu giao năm 2026"]],
                         [[1, "Phường Bắc Kạn", 2725, 16, 0.59, 0.2, 0.35]]))
    assert _targets(named) == {"01843": (0.2, None)}
    last_year = _read(_write(tmp_path / "b.xlsx", [[*HEADER, "Chỉ tiêu giao năm 2025"]],
                             [[1, "Phường Bắc Kạn", 2725, 16, 0.59, 0.35]]))
    assert _targets(last_year) == {"01843": (None, None)}


def test_a_rate_to_reach_written_with_its_percent_stays_a_rate_to_reach(tmp_path):
    """In a column of rates to reach, "6,50%" is one (its "%" names no cut): it was read as a cut of 6.5 points."""
    found = _read(_write(tmp_path / "chi tieu.xlsx", [[*HEADER, "Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)"]],
                         [[1, "Phường Bắc Kạn", 2725, 16, 0.59, "0,30"], [2, "Xã Cao Minh", 4926, 365, 7.41, "6,50%"],
                          [3, "Xã Phú Thịnh", 6635, 137, 2.06, "giảm xuống 1,70 %"]]))
    assert _targets(found) == {"01843": (0.29, None), "01879": (0.91, None), "05800": (0.36, None)}


def test_a_rate_to_reach_beside_the_counts_alone(tmp_path):
    """No rate for the year before, its counts given: the cut is from the rate they make, half-up to 2 decimals as the
    province's sheet shows it (16 of 2,725 is 0.59 %: to 0.30, 0.29 points)."""
    found = _read(_write(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", "Số hộ nghèo đầu năm 2026",
                                                        "Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)"]],
                         [[1, "Phường Bắc Kạn", 2725, 16, 0.3], [2, "Xã Phú Thịnh", 6635, 137, 1.7]]))
    assert _targets(found) == {"01843": (0.29, None), "05800": (0.36, None)}
    assert sorted(found.cells().select("commune_code", "field", "value").iter_rows()) == [
        ("01843", "assigned_rate_to_reach", 0.3), ("05800", "assigned_rate_to_reach", 1.7)]


def test_a_commune_the_workbook_leaves_out_is_told():
    """A commune that sent its plan, absent from the province's workbook, was judged against no target without a word
    (targets judge, Phú Thọ): commune_in_targets, the workbook's warning, for the workbook's province only."""
    communes = pl.DataFrame({"status": ["accepted", "accepted", "rejected", "accepted"],
                             "commune_code": ["01843", "05800", "01879", "00004"], "province_code": ["19", "19", "19", "01"],
                             "commune_name": ["Phường Bắc Kạn", "Xã Phú Thịnh", "Xã Cao Minh", "Phường Ba Đình"]})
    targets = pl.DataFrame({"commune_code": ["01843"]})
    found = finish(communes_without_target(communes.lazy(), targets.lazy(), "chi_tieu.xlsx", ["19"]).collect(), "r")
    assert found.select("source_file", "commune_code", "rule", "severity", "kind").rows() == [
        ("chi_tieu.xlsx", "05800", "commune_in_targets", "warning", "targets")]
    assert found["message"][0].startswith("Xã Phú Thịnh (05800) đã gửi kế hoạch nhưng không có dòng nào trong biểu giao")


def test_a_rate_to_reach_alone_is_cut_from_the_commune_s_own_rate(tmp_path):
    """"Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)" with no rate nor count to start from: every commune was left without a
    target (targets judge, Phú Thọ). The cut is from the commune's own rate (its plan's); an Excel percentage (0.0538)
    where below a twentieth of that rate."""
    from transforms.aggregate import target_attainment

    found = _read(_write(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)"]],
                         [[1, "Phường Bắc Kạn", 0.3], [2, "Xã Phú Thịnh", 0.0141]]))
    assert found.failures == [] and _targets(found) == {"01843": (None, None), "05800": (None, None)}
    communes = pl.DataFrame({"commune_code": ["01843", "05800"], "total_households": [2725, 5441],
                             "poor_rate_pct": [0.59, 1.71], "planned_poor_reduction_pp": [0.3, 0.2]})
    judged = target_attainment(communes.lazy(), found.frame.lazy()).collect().sort("commune_code")
    assert judged.select("commune_code", "assigned_poor_reduction_pp", "meets_assigned_target").rows() == [
        ("01843", 0.29, True), ("05800", 0.3, False)]
    assert sorted(found.cells().select("commune_code", "field", "cell").iter_rows()) == [
        ("01843", "assigned_rate_to_reach", "C5"), ("05800", "assigned_rate_to_reach", "C6")]
