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
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        [
            "STT",
            "Xã (cũ)",
            "Tên thôn",
            "Tổng số hộ",
            "Số hộ nghèo",
            "Số hộ cận nghèo",
            "Chỉ tiêu giảm hộ nghèo",
            "Chỉ tiêu giảm hộ cận nghèo",
        ],
        *[
            [i, "Xã Sơn Cẩm" if i <= 2 else "Xã Cổ Lũng", n, t, p, q, pr, nr]
            for i, (n, t, p, q, pr, nr) in enumerate(VILLAGES, 1)
        ],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01", [(5, 2, 6, 2), (7, 2, 8, 2)])))
    # each village's former commune is its section (merged down its villages: the value on the first row only)
    assert_clean(ins, [(w[0], "Xã Sơn Cẩm" if i < 2 else "Xã Cổ Lũng", *w[2:]) for i, w in enumerate(expected(5))])


def test_villages_named_alike_in_two_former_communes(tmp_path):
    """"Thôn 1", "Thôn 2" in each former commune ("Xã (cũ)" merged down its villages): the commune was rejected with
    unique_village errors, the former commune not being the villages' section."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        ["STT", "Xã (cũ)", "Tên thôn", *PLAN_HEADER[2:]],
        *[
            [
                i,
                ("Xã Phú Cường (cũ)" if i == 1 else "Xã Bản Ngoại (cũ)" if i == 3 else None),
                f"Thôn {1 + (i - 1) % 2}",
                t,
                p,
                q,
                pr,
                nr,
            ]
            for i, (_, t, p, q, pr, nr) in enumerate(VILLAGES, 1)
        ],
        [None, "Tổng cộng", None, *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01", [(5, 2, 6, 2), (7, 2, 8, 2), (9, 2, 9, 3)])))
    assert failures(ins) == []
    assert ins.villages.select("village_name", "section").rows() == [
        ("Thôn 1", "Xã Phú Cường (cũ)"),
        ("Thôn 2", "Xã Phú Cường (cũ)"),
        ("Thôn 1", "Xã Bản Ngoại (cũ)"),
        ("Thôn 2", "Xã Bản Ngoại (cũ)"),
    ]


def test_a_section_heading_right_under_a_one_row_header(tmp_path):
    """"I | Khu vực xã Sơn Cẩm (cũ)" with no figures under the header was taken for a second header row: its villages
    lost their section and its subtotal became the table's total (total_row_matches_sum warnings)."""
    first, second = VILLAGES[:2], VILLAGES[2:]
    sub = lambda vs: [sum(v[i] for v in vs) for i in range(1, 6)]  # noqa: E731
    rows = [
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        [
            "STT",
            "Tên thôn",
            "Tổng số hộ",
            "Số hộ nghèo",
            "Số hộ cận nghèo",
            "Chỉ tiêu giảm hộ nghèo",
            "Chỉ tiêu giảm hộ cận nghèo",
        ],
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
    header = [
        "STT",
        "Đơn vị",
        "Tổng số hộ",
        "Số hộ nghèo",
        "Số hộ cận nghèo",
        "Chỉ tiêu giảm hộ nghèo",
        "Chỉ tiêu giảm hộ cận nghèo",
    ]
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
    header = [
        "STT",
        "Tên thôn",
        "Tổng số hộ",
        "Số hộ nghèo",
        "Số hộ cận nghèo",
        "Chỉ tiêu giảm hộ nghèo",
        "Chỉ tiêu giảm hộ cận nghèo",
    ]
    numbers = ["A", "B", 1, 2, 3, 4, 5]
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    again = [header if part == "header" else numbers for part in repeated]
    rows = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [], header, numbers,
            *villages[:2], *again, *villages[2:], [None, "Tổng cộng", *SUMS]]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert failures(ins) == []
    want = expected(6)
    assert rows_of(ins) == [*want[:2], *[(*w[:-1], w[-1] + len(again)) for w in want[2:]]]


def test_a_two_row_header_printed_again(tmp_path):
    """The second header row repeated has its labels under the merged group only ("Hộ nghèo | Hộ cận nghèo")."""
    top = ["STT", "Tên thôn", "Tổng số hộ", "Thời điểm 31/12/2025", None, "Chỉ tiêu giảm năm 2026", None]
    sub = [None, None, None, "Hộ nghèo", "Hộ cận nghèo", "Hộ nghèo", "Hộ cận nghèo"]
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    rows = [
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        top,
        sub,
        *villages[:3],
        top,
        sub,
        *villages[3:],
    ]
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 4, 5), (4, 6, 4, 7), (9, 1, 10, 1), (9, 2, 10, 2), (9, 3, 10, 3),
              (9, 4, 9, 5), (9, 6, 9, 7)]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01", merges)))
    assert failures(ins) == []
    want = expected(6)
    assert rows_of(ins) == [*want[:3], (*want[3][:-1], 11)]


@pytest.mark.parametrize(
    "lines", [["Cộng trang 1", "Trang 1 mang sang"], ["Cộng chuyển sang trang sau", "Trang trước chuyển sang"], ["Cộng trang 1"]]
)
def test_a_printed_pages_subtotal_and_carry(tmp_path, lines):
    """"Cộng trang 1" / "Trang 1 mang sang" between the pages: the carry became a village (the first page counted
    twice, accepted with total_row_matches_sum warnings only), the page's subtotal a total checked against the table."""
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    page = [sum(v[i] for v in VILLAGES[:2]) for i in range(1, 6)]
    rows = [
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        [
            "STT",
            "Tên thôn",
            "Tổng số hộ",
            "Số hộ nghèo",
            "Số hộ cận nghèo",
            "Chỉ tiêu giảm hộ nghèo",
            "Chỉ tiêu giảm hộ cận nghèo",
        ],
        *villages[:2],
        *[[None, line, *page] for line in lines],
        *villages[2:],
        [None, "Tổng cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert failures(ins) == []
    want = expected(5)
    assert rows_of(ins) == [*want[:2], *[(*w[:-1], w[-1] + len(lines)) for w in want[2:]]]


AREAS = {"Phú Cường": VILLAGES[:2], "Bản Ngoại": VILLAGES[2:]}  # the former communes of Xã Phú Thịnh
PLAN_HEADER = [
    "STT",
    "Tên thôn",
    "Tổng số hộ",
    "Số hộ nghèo",
    "Số hộ cận nghèo",
    "Chỉ tiêu giảm hộ nghèo",
    "Chỉ tiêu giảm hộ cận nghèo",
]


def _area_sheet(area: str, villages) -> Grid:
    rows = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [f"Khu vực xã {area} (cũ)"], PLAN_HEADER,
            *village_rows(villages, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
            [None, "Cộng", *[sum(v[i] for v in villages) for i in range(1, 6)]]]
    return Grid(rows, area)


def _summary_sheet() -> Grid:
    rows = [["UBND XÃ PHÚ THỊNH"], ["TỔNG HỢP PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], PLAN_HEADER,
            *[[i, f"Xã {a} (cũ)", *[sum(v[k] for v in vs) for k in range(1, 6)]] for i, (a, vs) in enumerate(AREAS.items(), 1)],
            [None, "Toàn xã", *SUMS]]
    return Grid(rows, "Tổng hợp")


@pytest.mark.parametrize("summary", ["none", "first", "last"])
def test_a_sheet_per_former_commune(tmp_path, summary):
    """After the 2025 mergers, an annex may give each former commune's villages on a sheet of its own (with a summary
    sheet by former commune before or after them): only the first sheet was read (half the villages lost, accepted
    with no failure), or the summary's former communes became the villages."""
    sheets = [_area_sheet(a, vs) for a, vs in AREAS.items()]
    sheets = [_summary_sheet(), *sheets] if summary == "first" else [*sheets, _summary_sheet()] if summary == "last" else sheets
    ins = inspect(write_book(tmp_path / "bieu.xlsx", sheets))
    assert failures(ins) == []
    sections = [f"Khu vực xã {a} (cũ)" for a, vs in AREAS.items() for _ in vs]
    assert rows_of(ins) == [(w[0], s, *w[2:-1], 5 + i % 2) for i, (w, s) in enumerate(zip(expected(5), sections))]


def test_two_copies_of_a_sheet_count_once_and_last_years_sheet_is_no_area(tmp_path):
    last_year = _area_sheet("Phú Cường", VILLAGES)
    last_year.rows[1], last_year.rows[2] = ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2025"], ["Năm 2025"]
    sheets = [_area_sheet("Phú Cường", VILLAGES), _area_sheet("Phú Cường", VILLAGES), last_year]
    sheets[1].name, last_year.name = "Bản sao", "2025"
    ins = inspect(write_book(tmp_path / "bieu.xlsx", sheets))
    assert [r[0] for r in rows_of(ins)] == [v[0] for v in VILLAGES]


def test_a_split_by_area_with_its_total_last(tmp_path):
    """"Số hộ nghèo / Thành thị | Nông thôn | Tổng số": the urban part was read as the poor households (accepted)."""
    top = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", None, None, "Số hộ cận nghèo", None, None, "Chỉ tiêu giảm", None]
    sub = [None, None, None, "Thành thị", "Nông thôn", "Tổng số", "Thành thị", "Nông thôn", "Tổng số", "Hộ nghèo", "Hộ cận nghèo"]
    rows = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [], top, sub,
            *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, 1 if p else 0, p - (1 if p else 0), p, 0, q, q, pr, nr])]
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 4, 6), (4, 7, 4, 9), (4, 10, 4, 11)]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu", merges)))
    assert_clean(ins, expected(6))


def test_goal_counts_and_last_years_results_are_no_cut(tmp_path):
    """"Phấn đấu đến 31/12/2026 / Hộ nghèo" (the count the plan aims to leave) and "Kết quả thực hiện năm 2025 / Số hộ
    thoát nghèo" were read as the planned cut, before the real "Số hộ giảm" columns (accepted, no warning)."""
    top = [
        "STT",
        "Tên thôn",
        "Kết quả thực hiện năm 2025",
        "Thực hiện đến 31/12/2025",
        None,
        None,
        "Phấn đấu đến 31/12/2026",
        None,
        "Số hộ giảm",
        None,
    ]
    sub = [
        None,
        None,
        "Số hộ thoát nghèo",
        "Tổng số hộ",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Hộ nghèo",
        "Hộ cận nghèo",
    ]
    rows = [["UBND XÃ PHÚ THỊNH"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [], top, sub,
            *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, 3, t, p, q, p - pr, q - nr, pr, nr])]
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 4, 4, 6), (4, 7, 4, 8), (4, 9, 4, 10)]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu", merges)))
    assert_clean(ins, expected(6))


def test_a_long_name_wrapped_onto_the_next_row(tmp_path):
    """"Thôn Nà Thành (sáp nhập" / "thôn Nà Chè cũ)" on the row below: the second line was a section heading, and the
    villages after it were filed under it."""
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    villages[0][1] = "Thôn Nà Thành (sáp nhập"
    rows = [["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [], PLAN_HEADER,
            villages[0], [None, "thôn Nà Chè cũ)"], *villages[1:]]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    want = expected(5)
    assert failures(ins) == []
    assert rows_of(ins) == [("Thôn Nà Thành (sáp nhập thôn Nà Chè cũ)", *want[0][1:]), *[(*w[:-1], w[-1] + 1) for w in want[1:]]]
