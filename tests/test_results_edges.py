"""Year-end results reports in layouts a probe of a hand-made province (Cao Bằng, 12-06) found misread: each test fails on
the code before its fix."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import polars as pl
from test_any_table import run_steps
from test_results_variants import _book, _read

from giamngheo.inspect import inspect_file

TITLE = "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM 2026"
HEADER = [["STT", "Tên thôn", "Tổng số hộ cuối năm", "Hộ nghèo", None, None, None, "Hộ cận nghèo", None],
          [None, None, None, "Đầu năm", "Thoát nghèo", "Phát sinh mới", "Cuối năm", "Đầu năm", "Cuối năm"]]
MERGES = ["D4:G4", "H4:I4"]
# name, households at the end, poor start, escaped, new, near-poor start, near-poor end
VILLAGES = [("Thôn Nà Pàn", 120, 8, 3, 1, 6, 5), ("Thôn Bản Chắt", 95, 6, 2, 0, 4, 4)]


def _rows(villages=VILLAGES) -> list[list]:
    return [[i, n, t, s, down, up, s - down + up, q, qe] for i, (n, t, s, down, up, q, qe) in enumerate(villages, 1)]


def _failures(path: Path) -> list[tuple]:
    return [(f["cell"], f["rule"]) for f in inspect_file(path, province="19").failures.to_dicts()]


def test_an_end_count_above_the_households(tmp_path):
    """31 poor at the end of 30 households balanced with the year's movements and was accepted: the plan's rule
    poor_le_total now holds at the end of the year too, at the end count's cell."""
    villages = [("Thôn Nà Pàn", 30, 28, 2, 5, 0, 0), *VILLAGES[1:]]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, HEADER, _rows(villages), merges=MERGES)
    assert _failures(path) == [("G6", "poor_le_total")]


def test_the_assigned_cut_under_a_planned_heading(tmp_path):
    """"Chỉ tiêu giao giảm hộ nghèo / Số hộ" beside "Kết quả thực hiện giảm hộ nghèo / Số hộ": the first was read as the
    year's decrease, the second ignored, every village failed `balance`. The planned figure is not read."""
    header = [["STT", "Tên thôn", "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", "Hộ nghèo cuối năm", "Chỉ tiêu giao giảm hộ nghèo",
               "Kết quả thực hiện giảm hộ nghèo"],
              [None, None, None, None, None, "Số hộ", "Số hộ"]]
    rows = [[1, "Thôn Nà Pàn", 120, 8, 5, 2, 3], [2, "Thôn Bản Chắt", 95, 6, 4, 1, 2]]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, header, rows, merges=["A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:E5"])
    fields, failures = _read(path)
    assert fields["poor_decrease"] == [3, 2] and failures == []


def test_start_rates_without_the_households_at_the_start_are_not_checked(tmp_path):
    """A start rate on the plan's baseline households (the table gives only the households at the end) was checked
    against the end's households: a correct file was warned on almost every village."""
    header = [["STT", "Tên thôn", "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", None, "Hộ nghèo cuối năm", None],
              [None, None, None, "Số hộ", "Tỷ lệ (%)", "Số hộ", "Tỷ lệ (%)"]]
    # 19/101 and 6/92 at the start (the plan's households); the third village's households did not change
    rows = [[1, "Thôn Nà Pàn", 107, 19, 18.81, 15, 14.02], [2, "Thôn Bản Chắt", 95, 6, 6.52, 4, 4.21],
            [3, "Thôn Khuổi Mạ", 200, 10, 5.0, 8, 4.0]]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, header, rows, merges=["D4:E4", "F4:G4", "A4:A5", "B4:B5", "C4:C5"])
    assert _failures(path) == []


def test_a_communes_summary_sheet_is_no_villages(tmp_path):
    """A sheet "Tổng hợp" with the commune's counts as rows ("Tổng số hộ | Số hộ nghèo | Số hộ cận nghèo" down, "Đầu kỳ |
    Cuối kỳ" across) before the villages' sheet: its two counts became two villages, the poor counted twice."""
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, HEADER, _rows(), merges=MERGES)
    wb = openpyxl.load_workbook(path)
    summary = wb.create_sheet("Tong hop", 0)
    for line in [["UBND XÃ PHÚ THỊNH"], ["TỔNG HỢP KẾT QUẢ GIẢM NGHÈO NĂM 2026 TOÀN XÃ"], [], ["Chỉ tiêu", "Đầu kỳ", "Cuối kỳ"],
                 ["Tổng số hộ", 215, 215], ["Số hộ nghèo", 14, 10], ["Số hộ cận nghèo", 10, 9]]:
        summary.append(line)
    wb.save(path)
    ins = inspect_file(path, province="19")
    assert ins.rows["results"]["poor_households_end"].to_list() == [6, 4]
    assert [t.sheet for t in ins.data.tables] == ["Sheet"]


def _results_file(path: Path, title: str, villages, mtime: float) -> Path:
    _book(path, title, HEADER, _rows(villages), merges=MERGES)
    os.utime(path, (mtime, mtime))
    return path


def test_a_half_year_report_neither_replaces_the_year_end_nor_is_judged_as_one(tmp_path):
    """"BÁO CÁO … 6 THÁNG ĐẦU NĂM 2026", newer than the commune's undated year-end report, replaced it (its mid-year
    figures published, the commune 'missed'); sent alone, it was judged against the year's target. A report of part
    of the year is said so (partial_year), gives way to the year-end's, and alone is not assessed."""
    half = [(n, t, s, down - 1 if down else 0, up, q, qe) for n, t, s, down, up, q, qe in VILLAGES]
    year_end = _results_file(tmp_path / "ket_qua_cuoi_nam.xlsx", TITLE, VILLAGES, 1_790_000_000)
    mid = _results_file(tmp_path / "bao_cao_6_thang.xlsx", "BÁO CÁO KẾT QUẢ GIẢM NGHÈO 6 THÁNG ĐẦU NĂM 2026", half,
                        1_790_100_000)
    failures, outputs = run_steps([year_end, mid])
    results = outputs["results_communes.parquet"]
    assert results["source_file"].to_list() == ["ket_qua_cuoi_nam.xlsx"]
    assert results["poor_households_end"].to_list() == [sum(s - d + u for _, _, s, d, u, _, _ in VILLAGES)]
    by_file = failures.filter(pl.col("source_file") == "bao_cao_6_thang.xlsx")["rule"].to_list()
    assert sorted(by_file) == ["partial_year", "superseded_submission"]
    failures, outputs = run_steps([mid])
    assert outputs["results_communes.parquet"]["assessment"].to_list() == ["not_assessed: part of the year only"]
    assert failures.filter(pl.col("rule") == "partial_year")["severity"].to_list() == ["warning"]


def test_a_declared_decrease_that_is_not_its_parts(tmp_path):
    """"Giảm: Tổng số 4 | chuyển cận nghèo 0 | thoát nghèo 2 | giảm khác 0" was taken silently: warned at the total's
    cell (the total is used, as the balance judges it); a total over only some of its parts is not judged."""
    header = [
        [
            "STT",
            "Tên thôn",
            "Tổng số hộ cuối năm",
            "Hộ nghèo đầu năm",
            "Số hộ nghèo giảm trong năm",
            None,
            None,
            None,
            "Hộ nghèo cuối năm",
        ],
        [None, None, None, None, "Tổng số", "Chuyển thành hộ cận nghèo", "Thoát nghèo", "Giảm khác", None],
    ]
    rows = [[1, "Thôn Nà Pàn", 120, 8, 4, 0, 2, 0, 4], [2, "Thôn Bản Chắt", 95, 6, 2, 1, 1, 0, 4]]
    merges = ["E4:H4", "A4:A5", "B4:B5", "C4:C5", "D4:D5", "I4:I5"]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, header, rows, merges=merges)
    assert _failures(path) == [("E6", "movement_matches_parts")]
    only_some = [[r[0], r[1], r[2], r[3], r[4], None, r[6], None, r[8]] for r in rows]  # "Tổng số | trong đó: thoát nghèo"
    header[1][5] = header[1][7] = None
    path = _book(tmp_path / "ket_qua_2.xlsx", TITLE, header, only_some, merges=merges)
    assert _failures(path) == []


def test_households_at_the_end_in_a_report_on_both_groups(tmp_path):
    """"Số hộ cuối kỳ" in a report titled for the poor and the near-poor was read as the near-poor's end (the title's
    last group), their own "Hộ cận nghèo / Cuối kỳ" left unread, every village failing `balance`: it is all households."""
    header = [["TT", "Tên thôn", "Số hộ cuối kỳ", "Hộ nghèo", None, None, None, "Hộ cận nghèo", None],
              [None, None, None, "Đầu kỳ", "Thoát nghèo", "Phát sinh mới", "Cuối kỳ", "Đầu kỳ", "Cuối kỳ"]]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, header, _rows(), merges=[*MERGES, "A4:A5", "B4:B5", "C4:C5"])
    fields, failures = _read(path)
    assert fields["total_households_end"] == [120, 95] and fields["near_poor_households_end"] == [5, 4] and failures == []


def test_messages_write_rates_the_vietnamese_way(tmp_path):
    """A rate stored by a formula (0.1882151, shown "18,82 %") was quoted "18,82151" beside "18,6614"; an outlier's
    percentages kept the English decimal point ("25.68 % … trung vị 4.6 %")."""
    from giamngheo.failures import number_en, number_vi

    assert (number_vi("25.68 %"), number_vi("4.6%"), number_vi("1234.5 %")) == ("25,68 %", "4,6%", "1.234,5 %")
    assert number_en("1234.5 %") == "1,234.5 %"
    header = [["STT", "Tên thôn", "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", "Hộ nghèo cuối năm", None],
              [None, None, None, None, "Số hộ", "Tỷ lệ"]]
    rows = [
        [1, "Thôn Nà Pàn", 231, 45, 43, 0.1882151],
        [2, "Thôn Bản Chắt", 95, 6, 4, 4 / 95],
        [3, "Thôn Khuổi Mạ", 200, 10, 8, 0.04],
    ]
    path = _book(tmp_path / "ket_qua.xlsx", TITLE, header, rows, merges=["E4:F4", "A4:A5", "B4:B5", "C4:C5", "D4:D5"])
    found = inspect_file(path, province="19").failures.filter(pl.col("rule") == "rate_matches_counts")
    assert found["cell"].to_list() == ["F6"]
    assert "tỷ lệ ghi 18,82 nhưng tính từ số hộ được 18,61" in found["message"][0]  # 43 / 231


def test_a_results_title_that_names_only_the_years_end(tmp_path):
    """"KẾT QUẢ RÀ SOÁT … CUỐI NĂM 2026" gave the report no year ("cuối năm" is a plan's baseline elsewhere): a header's
    "năm 2025" became the year, "Số hộ nghèo năm 2025" the end count and "năm 2026" unread (the start's count published
    as the end's, no failure), and "Số hộ nghèo tháng 10/2026" went unread. The review at the end of 2026 is 2026's."""
    header = [
        ["STT", "Tên bản", "Tổng số hộ", "Số hộ nghèo năm 2025", "Số hộ nghèo giảm", "Số hộ nghèo tăng", "Số hộ nghèo năm 2026"]
    ]
    rows = [[1, "Bản Trung Thu", 247, 55, 36, 3, 22], [2, "Bản Hua Ít", 192, 8, 1, 2, 9]]
    fields, failures = _read(_book(tmp_path / "ket_qua.xlsx", TITLE, header, rows))
    assert fields["poor_households_start"] == [55, 8] and fields["poor_households_end"] == [22, 9] and failures == []
    header[0][3], header[0][6] = "Số hộ nghèo đầu năm", "Số hộ nghèo tháng 10/2026"
    fields, failures = _read(_book(tmp_path / "ket_qua_10.xlsx", TITLE, header, rows))
    assert fields["poor_households_end"] == [22, 9] and failures == []


def test_a_csv_whose_header_cells_are_wrapped(tmp_path):
    """An export of a header whose cells hold line breaks ("Số hộ nghèo\\nđầu năm"): each breaks the record over more
    lines of the file, so the header was cut at its first line, the parts' row read as a village, the parts' parent
    not spread over them: 20 false errors on a balanced file."""
    from layouts.grids import write_csv

    header = [
        [
            "STT",
            "Tên bản",
            "Tổng số hộ",
            "Số hộ nghèo\r\nđầu năm",
            "Số hộ nghèo giảm",
            None,
            "Số hộ nghèo tăng",
            None,
            "Số hộ nghèo\r\ncuối năm",
            "Số hộ cận nghèo\r\nđầu năm",
            "Số hộ cận nghèo giảm",
            None,
            "Số hộ cận nghèo\r\ncuối năm",
        ],
        [
            None,
            None,
            None,
            None,
            "Thoát nghèo",
            "Chuyển đi, chết",
            "Tái nghèo",
            "Phát sinh mới",
            None,
            None,
            "Thoát cận nghèo",
            "Chuyển đi, chết",
            None,
        ],
    ]
    rows = [[1, "Bản Trung Thu", 247, 55, 20, 1, 0, 2, 36, 24, 1, 0, 23], [2, "Bản Hua Ít", 192, 8, 1, 0, 1, 0, 8, 19, 6, 1, 12]]
    lines = [["UBND XÃ PHÚ THỊNH"], [TITLE], [], *header, *rows]
    # Excel's "CSV UTF-8" and "Unicode text" (UTF-16, tab-separated)
    for name, options in (("csv", {"bom": True}), ("txt", {"encoding": "utf-16", "delimiter": "\t"})):
        ins = inspect_file(write_csv(tmp_path / f"ket_qua.{name}", lines, **options), province="19")
        assert ins.failures.is_empty(), name
        read = ins.rows["results"]
        assert read["poor_escaped"].to_list() == [20, 1] and read["poor_other_decrease"].to_list() == [1, 0]
        assert read["poor_new"].to_list() == [2, 0] and read["poor_households_end"].to_list() == [36, 8]
        assert read["near_poor_other_decrease"].to_list() == [0, 1] and read["near_poor_households_end"].to_list() == [23, 12]


def test_part_year_words_say_nothing_of_plan_or_results():
    """"6 tháng đầu năm" before "kết quả" in a title made it a plan's (any document word but a results title's did)."""
    from giamngheo.layout.tables import partial_year, title_kind

    line = "BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2026 KẾT QUẢ THỰC HIỆN GIẢM NGHÈO"
    assert title_kind([line])[0] == "results" and partial_year(["UBND XÃ PHÚ THỊNH", line]) == line
    assert partial_year(["KẾT QUẢ RÀ SOÁT HỘ NGHÈO CUỐI NĂM 2026"]) is None


def test_a_groups_start_without_its_end_is_refused(tmp_path):
    """A results table giving the poor at the start and no poor at the end (its end column headed so that it was not
    read) was accepted with the poor's end empty and no balance checked: refused, as a table with no end at all is."""
    header = [["STT", "Tên bản", "Tổng số hộ", "Số hộ nghèo đầu năm", "Số hộ nghèo giảm", "Số hộ nghèo tăng", "Ghi chú",
               "Số hộ cận nghèo đầu năm", "Số hộ cận nghèo cuối năm"]]
    rows = [[1, "Bản Trung Thu", 247, 55, 36, 3, 22, 24, 41], [2, "Bản Hua Ít", 192, 8, 1, 2, 9, 19, 13]]
    failures = inspect_file(_book(tmp_path / "ket_qua.xlsx", TITLE, header, rows), province="19").failures
    assert failures.select("rule", "field").rows() == [("required_columns", "poor_households_end")]


def test_the_summary_says_which_communes_the_end_rate_is_over():
    """"hộ nghèo 4.037 (5,40%)": 4.037 poor of 24 communes, the rate over the 19 that give households at the end (as the
    rule is), read as the rate of those 4.037 (independent probe, Nghệ An). The summary names the communes it is over."""
    from giamngheo.summary import _rate_basis

    p = {"poor_rate_end_pct": 5.4, "poor_rate_end_communes": 19, "communes_with_results": 24}
    assert _rate_basis(p) == " ở 19/24 xã có tổng số hộ cuối năm"
    assert _rate_basis({**p, "poor_rate_end_communes": 24}) == ""


def test_the_province_counts_the_communes_its_end_rate_is_over():
    from schemas.results import RESULTS_BREAKDOWN_FIELDS
    from transforms.results import provincial_results

    communes = pl.LazyFrame({
        **{f: [None, None, None] for f in RESULTS_BREAKDOWN_FIELDS},
        "province_code": ["40"] * 3, "status": ["accepted"] * 3, "meets_assigned_target_actual": [True, None, False],
        "poor_households_start": [10, 8, 6], "poor_households_end": [7, 5, 4], "near_poor_households_start": [1, 1, 1],
        "near_poor_households_end": [1, 1, 1], "total_households_end": [100, None, 80], "start_denominator": [100, 90, 80],
    })
    (row,) = provincial_results(communes).collect().to_dicts()
    assert (row["poor_households_end"], row["communes_with_results"], row["poor_rate_end_communes"]) == (16, 3, 2)
    assert row["poor_rate_end_pct"] == 6.11  # (7 + 4) / (100 + 80)
