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
