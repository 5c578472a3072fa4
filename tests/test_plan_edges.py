"""Annexes and reports in layouts a probe of a hand-made province (Lạng Sơn, 12-06) found misread: each test fails on
the code before its fix."""

from __future__ import annotations

import pytest
from layouts.grids import Grid, write_book
from layouts.speed import shared_resolver
from test_layouts import SUMS, VILLAGES, assert_clean, expected, failures, inspect, rows_of, village_rows

TITLE = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], []]


@pytest.fixture(autouse=True, scope="module")
def _one_resolver_per_province():
    with shared_resolver():
        yield


@pytest.mark.parametrize("total", ["TS hộ", "TS hộ dân", "TS HỘ"])
def test_total_households_abbreviated(tmp_path, total):
    """"TS hộ" is how many annexes abbreviate "Tổng số hộ": the column was ignored and the commune rejected
    (required_columns)."""
    rows = [
        *TITLE,
        ["STT", "Tên thôn", total, "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))
    assert ins.data.tables[0].columns["total_households"] == 3


def test_a_formulas_float_noise_is_the_number_excel_shows(tmp_path):
    """"=C5*7%" on 100 households shows 7 and stores 7.000000000000001: taken as 7 (Excel's 15 digits), where the
    commune was rejected for a fraction of a household. A fraction Excel shows is still one."""
    rows = [
        *TITLE,
        [
            "STT",
            "Tên thôn",
            "Tổng số hộ",
            "Số hộ nghèo",
            "Số hộ cận nghèo",
            "Chỉ tiêu giảm hộ nghèo",
            "Chỉ tiêu giảm hộ cận nghèo",
        ],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
    ]
    rows[4][3] = 9 - 1e-13  # D5: 8.9999999999999, a fraction as Excel shows it
    rows[5][3] = 12 * (1 + 2**-50)  # D6: 12.000000000000002
    rows[4][5] = 2 + 2**-51  # F5: 2.0000000000000004, as a formula stores it
    assert rows[5][3] != 12 and rows[4][5] != 2
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert [(f["cell"], f["rule"]) for f in failures(ins)] == [("D5", "integer")]
    assert ins.villages["poor_households"][1] == 12 and ins.villages["poor_reduction_target"][0] == 2


@pytest.mark.parametrize("label", ["Tỷ lệ (%)", "Tỉ lệ", "Tỷ lệ hộ nghèo (%)"])
def test_a_row_of_rates_under_the_total(tmp_path, label):
    """The rates of the total as one more row ("Tỷ lệ (%)": 4,94 | 3,53 under the counts) were read as a village: seven
    errors and four false warnings on the total row, the commune rejected. The row is passed over (rates are
    recomputed from the counts)."""
    rates = [f"{100 * s / SUMS[0]:.2f}".replace(".", ",") for s in SUMS[1:]]
    rows = [
        *TITLE,
        [
            "STT",
            "Tên thôn",
            "Tổng số hộ",
            "Số hộ nghèo",
            "Số hộ cận nghèo",
            "Chỉ tiêu giảm hộ nghèo",
            "Chỉ tiêu giảm hộ cận nghèo",
        ],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
        [None, label, None, *rates],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))


def test_a_plan_whose_baseline_is_last_years_review_and_whose_cut_is_an_escape(tmp_path):
    """"Kết quả rà soát năm 2025 / Tổng số hộ | Số hộ nghèo | …" beside "Chỉ tiêu năm 2026 / Số hộ thoát nghèo": the
    plan was read as a year-end report, its 2025 baseline published as the 2026 end of year, the plan counted as not
    sent, and nothing reported. It is the plan: the baseline, and the planned escapes as its cuts."""
    rows = [
        *TITLE,
        ["STT", "Tên thôn", "Kết quả rà soát năm 2025", None, None, "Chỉ tiêu năm 2026", None],
        [None, None, "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ thoát nghèo", "Số hộ thoát cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
    ]
    grid = Grid(rows, "Biểu 01", merges=[(4, 3, 4, 5), (4, 6, 4, 7), (4, 1, 5, 1), (4, 2, 5, 2)])
    ins = inspect(write_book(tmp_path / "bieu.xlsx", grid))
    assert [t.kind for t in ins.data.tables] == ["plan"]
    assert_clean(ins, expected(6))


def test_a_year_end_report_beside_the_plans_target(tmp_path):
    """A results report giving the assigned cut beside the year's movements ("Chỉ tiêu giao giảm hộ nghèo năm 2026 |
    Kết quả thực hiện / Số hộ thoát nghèo | … | Số hộ nghèo cuối năm"): the target column was read as the end count,
    the real end column ignored, and every village failed `balance`. The target is not read."""
    villages = [("Thôn Nà Pàn", 6, 2, 3, 1), ("Thôn Bản Chắt", 3, 1, 1, 0), ("Thôn Khuổi Mạ", 12, 3, 4, 2)]
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BÁO CÁO KẾT QUẢ THỰC HIỆN GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Số hộ nghèo đầu năm", "Chỉ tiêu giao giảm hộ nghèo năm 2026", "Kết quả thực hiện năm 2026", None,
         "Số hộ nghèo cuối năm"],
        [None, None, None, None, "Số hộ thoát nghèo", "Hộ nghèo phát sinh mới", None],
        *[[i, n, start, target, down, up, start - down + up] for i, (n, start, target, down, up) in enumerate(villages, 1)],
    ]
    grid = Grid(rows, "Biểu 01", merges=[(4, 5, 4, 6), (4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 5, 4), (4, 7, 5, 7)])
    ins = inspect(write_book(tmp_path / "ket_qua.xlsx", grid))
    table = ins.data.tables[0]
    assert table.kind == "results" and table.columns["poor_households_end"] == 7 and "poor_escaped" in table.columns
    assert failures(ins) == []
    assert ins.rows["results"]["poor_households_end"].to_list() == [start - down + up for _, start, _, down, up in villages]


def test_a_csv_header_cell_wrapped_onto_two_lines(tmp_path):
    """A CSV export of a three-row header whose second row has a cell with a line break ("Tổng số hộ\\n(hộ)"): the
    record's second line is an empty row of the sheet (rows are numbered by line), which ended the header, and the
    third header row ("SL | TL (%)") was read as a village: the commune rejected."""
    from layouts.grids import write_csv

    rows = [
        *TITLE,
        ["STT", "Tên thôn", "Năm 2025", None, None, None, "Kế hoạch 2026", None],
        [None, None, "Tổng số hộ\r\n(hộ)", "Hộ nghèo", None, "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm"],
        [None, None, None, "SL", "TL (%)", None, None, None],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, f"{100 * p / t:.2f}".replace(".", ","), q, pr, nr]),
    ]
    ins = inspect(write_csv(tmp_path / "05800_phu_thinh.csv", rows, bom=True))
    assert failures(ins) == []
    assert rows_of(ins) == expected(8)  # lines: the wrapped cell's record takes lines 5 and 6


def test_a_csv_third_header_row_with_one_label(tmp_path):
    """A CSV export of "Hộ nghèo" over "Số hộ | Trong đó", "Trong đó" over "Hộ có người có công": its merges lost, the
    third header row holds one label, too few for a row of labels, and it was read as a village with no name (the
    commune rejected; independent probe, Sơn La). It labels the column below: the breakdown is read."""
    from layouts.grids import write_csv

    rows = [
        *TITLE,
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", None, "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm"],
        [None, None, None, "Số hộ", "Trong đó", None, None, None],
        [None, None, None, None, "Hộ có người có công", None, None, None],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, min(p, 1), q, pr, nr]),
    ]
    ins = inspect(write_csv(tmp_path / "05800_phu_thinh.csv", rows, bom=True))
    assert failures(ins) == []
    assert rows_of(ins) == expected(7)
    assert ins.villages["poor_merit"].to_list() == [1, 1, 1, 0]


def test_figures_under_trong_do_that_name_no_breakdown_are_reported(tmp_path):
    """"Hộ nghèo / Trong đó" over two columns whose own labels are missing: their figures are not read, and were
    dropped without a word (independent probe, Sơn La). Each such column is now a warning at its lowest label: "Trong đó",
    the same cell whether or not the sheet keeps its merges."""
    rows = [
        *TITLE,
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", None, None, "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm"],
        [None, None, None, "Số hộ", "Trong đó", None, None, None, None],
        [None] * 9,
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, p, 0, q, pr, nr]),
    ]
    merges = [(4, 1, 6, 1), (4, 2, 6, 2), (4, 3, 6, 3), (4, 4, 4, 6), (5, 4, 6, 4), (5, 5, 5, 6), (4, 7, 6, 7), (4, 8, 6, 8),
              (4, 9, 6, 9)]  # A4:A6 … "Hộ nghèo" D4:F4, "Số hộ" D5:D6, "Trong đó" E5:F5
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01", merges=merges)))
    got = [(f["cell"], f["rule"], f["severity"]) for f in failures(ins)]
    assert got == [("E5", "column_not_used", "warning"), ("F5", "column_not_used", "warning")]
    assert "Trong đó" in failures(ins)[0]["message"] and rows_of(ins) == expected(7)
