"""Plan annexes in layouts a probe of hand-made files found misread (the sample generator writes none of them):
two dated baselines side by side ("31/12/2024 | 31/12/2025", "đầu năm 2025 | cuối năm 2025"), where the earlier
one was taken and the commune accepted on it; a former commune's column before the villages' names ("Xã (cũ) |
Tên thôn"), whose names became the villages' (the plan rejected, village_named). Each fails on the previous code."""

from __future__ import annotations

import pytest
from layouts.grids import Grid, write_book
from layouts.speed import shared_resolver
from test_layouts import SUMS, VILLAGES, assert_clean, expected, failures, inspect, rows_of, village_rows


@pytest.fixture(autouse=True, scope="module")
def _one_resolver_per_province():
    with shared_resolver():
        yield


@pytest.mark.parametrize("earlier, later", [("31/12/2024", "31/12/2025"), ("đầu năm 2025", "cuối năm 2025"),
                                            ("năm 2024", "năm 2025")])
def test_the_later_of_two_dated_baselines(tmp_path, earlier, later):
    """The plan for 2026 starts from the later figures; the earlier (last year's) stay unread."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ", f"Số hộ nghèo {earlier}", f"Số hộ nghèo {later}", f"Số hộ cận nghèo {later}",
         "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p + 7, p, q, pr, nr]),
        [None, "Tổng cộng", SUMS[0], SUMS[1] + 7 * len(VILLAGES), *SUMS[1:]],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))
    assert ins.data.tables[0].columns["poor_households"] == 5


def test_a_former_commune_column_before_the_villages(tmp_path):
    """After the 2025 mergers an annex may name each village's former commune in a column of its own."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Xã (cũ)", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo",
         "Chỉ tiêu giảm hộ cận nghèo"],
        *[[i, "Xã Sơn Cẩm" if i <= 2 else "Xã Cổ Lũng", n, t, p, q, pr, nr] for i, (n, t, p, q, pr, nr) in enumerate(VILLAGES, 1)],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01", [(5, 2, 6, 2), (7, 2, 8, 2)])))
    assert_clean(ins, expected(5))
    assert [r[0] for r in rows_of(ins)] == [v[0] for v in VILLAGES]


def test_a_section_heading_right_under_a_one_row_header(tmp_path):
    """"I | Khu vực xã Sơn Cẩm (cũ)" with no figures under the header was taken for a second header row: its villages
    lost their section and its subtotal became the table's total (total_row_matches_sum warnings)."""
    first, second = VILLAGES[:2], VILLAGES[2:]
    sub = lambda vs: [sum(v[i] for v in vs) for i in range(1, 6)]  # noqa: E731
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
        ["I", "Khu vực xã Sơn Cẩm (cũ)"],
        *village_rows(first, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Cộng", *sub(first)],
        ["II", "Khu vực xã Cổ Lũng (cũ)"],
        *village_rows(second, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Cộng", *sub(second)],
        [None, "Tổng cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    want = expected(6, first, "I. Khu vực xã Sơn Cẩm (cũ)") + expected(10, second, "II. Khu vực xã Cổ Lũng (cũ)")
    assert_clean(ins, want)


def test_the_villages_sheet_over_a_summary_of_former_communes(tmp_path):
    """A "Tổng hợp" sheet by former commune before the villages' sheet, with the same header: the villages' sheet
    is the annex (the former communes were taken for its villages)."""
    header = ["STT", "Đơn vị", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"]
    title = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], []]
    summary = Grid([*title, header, [1, "Xã Sơn Cẩm (cũ)", *[sum(v[i] for v in VILLAGES[:2]) for i in range(1, 6)]],
                    [2, "Xã Cổ Lũng (cũ)", *[sum(v[i] for v in VILLAGES[2:]) for i in range(1, 6)]]], "Tổng hợp")
    detail = Grid([*title, header, *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])], "Chi tiết")
    ins = inspect(write_book(tmp_path / "bieu.xlsx", [summary, detail]))
    assert_clean(ins, expected(5))
    assert ins.data.tables[0].sheet == "Chi tiết"


def test_a_reduction_column_that_also_names_new_households(tmp_path):
    """"Số hộ nghèo giảm (gồm cả hộ phát sinh mới)": a flow with no group of its own beside the label's group. The
    parser raised KeyError on it (the auditors' own workbook dropped among the communes' files has such a line)."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo giảm (gồm cả hộ phát sinh mới)",
         "Chỉ tiêu giảm hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))
    assert ins.data.tables[0].columns["poor_reduction_target"] == 6


@pytest.mark.parametrize("repeated", [["header", "numbers"], ["numbers"], ["header"]])
def test_the_header_printed_again_after_a_page_break(tmp_path, repeated):
    """The header (and its row of column numbers) repeated down the table, as a printed annex shows it on every page:
    the repeated header became a village named "Tên thôn" (the plan rejected: numeric), the numbers' row "A | B | 1 | 2"
    a total splitting the villages (false total_row_matches_sum warnings)."""
    header = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"]
    numbers = ["A", "B", 1, 2, 3, 4, 5]
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    again = [header if part == "header" else numbers for part in repeated]
    rows = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [], header, numbers,
            *villages[:2], *again, *villages[2:], [None, "Tổng cộng", *SUMS]]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert failures(ins) == []
    want = expected(6)
    assert rows_of(ins) == [*want[:2], *[(*w[:-1], w[-1] + len(again)) for w in want[2:]]]
