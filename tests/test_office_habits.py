"""Office habits a layouts judge (Thanh Hóa) found misread: a results table's count split into "Số hộ | Tỷ lệ (%)" under
its group, and a section's heading typed in the numbering column."""

from __future__ import annotations

import pytest
from layouts.grids import Grid, write_book

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_near_poor_results_table_with_its_counts_split_under_their_group(tmp_path, fmt):
    """"Số hộ cận nghèo đầu năm / Số hộ | Tỷ lệ (%)": its "Giảm khác" and "Phát sinh mới" were read as no one's, every
    row's balance an error and the commune's results rejected."""
    lines = [
        ["UBND XÃ HỢP TIẾN"], ["BÁO CÁO KẾT QUẢ GIẢM NGHÈO NĂM 2026"], ["Diễn biến hộ cận nghèo"], [],
        ["STT", "Thôn", "Tổng số hộ cuối năm", "Số hộ cận nghèo đầu năm", None, "Giảm trong năm", None, None,
         "Tăng trong năm", None, None, "Số hộ cận nghèo cuối năm", None],
        [None, None, None, "Số hộ", "Tỷ lệ (%)", "Thoát cận nghèo", "Chuyển thành hộ nghèo", "Giảm khác", "Phát sinh mới",
         "Tái cận nghèo", "Từ hộ nghèo", "Số hộ", "Tỷ lệ (%)"],
        [1, "Thôn 1", 300, 10, 3.33, 2, 0, 1, 2, 0, 1, 10, 3.33],
    ]
    merges = [(5, c, 6, c) for c in (1, 2, 3)] + [(5, 4, 5, 5), (5, 6, 5, 8), (5, 9, 5, 11), (5, 12, 5, 13)]
    data = parse_workbook(write_book(tmp_path / f"ket qua.{fmt}", Grid(lines, "KQ", merges=merges)), Limits())
    (table,) = data.tables
    assert table.columns["near_poor_other_decrease"] == 8 and table.columns["near_poor_new"] == 9
    assert not [f for f in data.failures if f["rule"] == "column_not_used"]


@pytest.mark.parametrize("merged", [True, False])
def test_a_section_heading_in_the_numbering_column(tmp_path, merged):
    """"I. Khu vực Xã Hợp Lý (cũ)" in column A, merged over the name's or not: its villages had no section and each
    "Cộng" was checked against the whole commune (10 false warnings in one file)."""
    lines = [
        ["UBND XÃ HỢP TIẾN"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo"],
        ["TỔNG CỘNG", None, 1160, 18, 31],
        ["I. Khu vực Xã Hợp Lý (cũ)"], [1, "Thôn 1", 300, 6, 10], [2, "Cộng Hòa", 250, 3, 5], [None, "Cộng", 550, 9, 15],
        ["II. Khu vực Xã Hợp Tiến (cũ)"], [3, "Thôn Đông", 410, 8, 12], [4, "Thôn Tây", 200, 1, 4], [None, "Cộng", 610, 9, 16],
    ]
    merges = [(5, 1, 5, 2), (6, 1, 6, 2), (10, 1, 10, 2)] if merged else []
    (table,) = parse_workbook(write_book(tmp_path / "ke hoach.xlsx", Grid(lines, merges=merges)), Limits()).tables
    rows = list(zip(table.rows["kind"], table.rows["name"], table.rows["section"]))
    assert [r for r in rows if r[0] == "village"] == [
        ("village", "Thôn 1", "I. Khu vực Xã Hợp Lý (cũ)"), ("village", "Cộng Hòa", "I. Khu vực Xã Hợp Lý (cũ)"),
        ("village", "Thôn Đông", "II. Khu vực Xã Hợp Tiến (cũ)"), ("village", "Thôn Tây", "II. Khu vực Xã Hợp Tiến (cũ)")]
    assert [k for k, _, _ in rows].count("subtotal") == 2


@pytest.mark.parametrize("label,key", [("Chất lượng NƠ", "housing_quality"), ("Diện tích NƠ", "housing_area"),
                                       ("CL NƠ", "housing_quality")])
def test_housing_abbreviated_no(label, key):
    """"NƠ" for nhà ở: "Chất lượng NƠ" was no indicator, the table rejected (indicator_set; deprivations judge)."""
    from giamngheo.layout.deprivation_cells import indicator_key

    assert indicator_key(label) == key


def test_a_deprivation_table_s_section_heading_in_the_numbering_column(tmp_path):
    """"I. Xã Mường Chà (cũ)" in column A over its subtotal, in a table of villages: said as a row not used, quoting
    "dòng “”" at the empty name's cell (deprivations judge, Điện Biên). A section; its villages read."""
    lines = [["UBND XÃ MƯỜNG CHÀ"], ["TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ NĂM 2026"], [],
             ["STT", "Thôn, bản", "Số hộ nghèo", "Số hộ cận nghèo", "Việc làm", None, "Bảo hiểm y tế", None,
              "Nguồn nước sinh hoạt", None, "Nhà tiêu hợp vệ sinh", None, "Dinh dưỡng", None, "Dịch vụ viễn thông", None],
             [None, None, None, None, *["HN", "HCN"] * 6],
             [None, "Tổng cộng", 18, 29, *[6, 2] * 6],
             ["I. Xã Mường Chà (cũ)", None, 6, 11, *[2, 1] * 6], [1, "Bản Huổi Lếch", 6, 11, *[2, 1] * 6],
             ["II. Xã Sa Lông (cũ)", None, 12, 18, *[4, 1] * 6], [1, "Bản Co Cang", 12, 18, *[4, 1] * 6]]
    merges = [(4, c, 4, c + 1) for c in range(5, 17, 2)] + [(7, 1, 7, 2), (9, 1, 9, 2)]
    data = parse_workbook(write_book(tmp_path / "thieu hut.xlsx", Grid(lines, merges=merges)), Limits())
    assert data.tables and all(t.kind == "deprivations" for t in data.tables)
    assert not [f for f in data.failures if f["rule"] == "row_not_used"] and not [t.unused for t in data.tables if t.unused]
    names = {(k, n) for t in data.tables for k, n in zip(t.rows["kind"], t.rows["name"])}
    assert ("village", "Bản Huổi Lếch") in names and ("section", "I. Xã Mường Chà (cũ)") in names
