"""The province's targets workbook in layouts a probe found misread: a target typed with its unit ("0,31 điểm %", every
target lost, silently), with its sign ("-0,31": every commune met it), last year's column before this year's (last
year's targets taken), a target that is no number ("chưa giao": dropped without a word), a "Toàn tỉnh" row (a
commune that could not be resolved). Each fails on the previous code."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from layouts.grids import Grid, write_book

from giamngheo.failures import finish
from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits, column_letter
from giamngheo.reference import load_reference
from giamngheo.resolve import Resolver
from giamngheo.targets import targets_from_parse
from giamngheo.trace import render, trace

COMMUNES = [("Phường Bắc Kạn", 0.3), ("Xã Phú Thịnh", 0.79), ("Xã Cao Minh", 0.31)]


def _targets(path: Path, column: str = "Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2026 (điểm %)", value=lambda v: v, before=None,
             total_first: bool = False, whole: str = "Toàn tỉnh") -> dict:
    header = ["STT", "Tên xã, phường", "Tổng số hộ", *([before[0]] if before else []), column]
    rows = [[None, whole, 15000, *([None] if before else []), 0.47]] if total_first else []
    rows += [
        [i, name, 5000, *([before[1]] if before else []), value(target)] for i, (name, target) in enumerate(COMMUNES, start=1)
    ]
    found = _read(_write(path, [header], rows))
    return {
        "targets": dict(found.frame.select("commune_code", "assigned_poor_reduction_pp").iter_rows()),
        "failures": found.failures,
    }


def _write(path: Path, header: list, rows: list, formats: dict | None = None, hidden_rows=()) -> Path:
    """A targets sheet of `header` lines over `rows`; `formats` gives a column (1-based) its Excel number format."""
    lines = [["UBND TỈNH THÁI NGUYÊN"], ["GIAO CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [], *header, *rows]
    return write_book(path, Grid(lines, "Giao chỉ tiêu", hidden_rows=set(hidden_rows), format_from=4 + len(header),
                                 formats={column_letter(c): fmt for c, fmt in (formats or {}).items()}))


def _read(path: Path):
    return targets_from_parse(parse_workbook(path, Limits(), forced_kind="targets"), Resolver(load_reference(), "19"), path)


def _values(found: dict) -> list:
    return sorted(v for v in found["targets"].values() if v is not None)


@pytest.mark.parametrize("written", [lambda v: f"{v:.2f} điểm %".replace(".", ","), lambda v: f"{v:.2f}%".replace(".", ","),
                                     lambda v: -v, lambda v: f"-{v:.2f}".replace(".", ","),
                                     # the cut in words (independent probe, An Giang: 8 communes left without a target)
                                     lambda v: f"giảm {v:.2f} điểm %".replace(".", ","),
                                     lambda v: f"Phấn đấu giảm tối thiểu {v:.2f}".replace(".", ",")])
def test_a_target_with_its_unit_or_its_sign(tmp_path, written):
    found = _targets(tmp_path / "chi tieu.xlsx", value=written)
    assert _values(found) == [0.3, 0.31, 0.79] and found["failures"] == []


def test_this_years_column_over_last_years(tmp_path):
    found = _targets(tmp_path / "chi tieu.xlsx", before=("Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2025 (điểm %)", 1.5))
    assert _values(found) == [0.3, 0.31, 0.79]


def test_a_target_that_is_no_number_is_reported(tmp_path):
    found = _targets(tmp_path / "chi tieu.xlsx", value=lambda v: "chưa giao" if v == 0.79 else v)
    assert _values(found) == [0.3, 0.31]
    assert [(f["rule"], f["cell"], f["value"]) for f in found["failures"]] == [("target_numeric", "D6", "chưa giao")]


@pytest.mark.parametrize("whole", ["Toàn tỉnh", "Toàn thành phố", "TỔNG CỘNG TOÀN THÀNH PHỐ"])
def test_the_provinces_total_row_is_no_commune(tmp_path, whole):
    """A centrally-run city's "Toàn thành phố" was a commune not found, an error (targets judge, Huế)."""
    found = _targets(tmp_path / "chi tieu.xlsx", total_first=True, whole=whole)
    assert _values(found) == [0.3, 0.31, 0.79] and found["failures"] == []


# ---- how the province names its communes, how it writes its cuts (each fails on the code before 2026-12-06)

def _sheet(path: Path, header: list, rows: list, formats: dict | None = None, hidden_rows=()) -> dict:
    frame, failures = (found := _read(_write(path, header, rows, formats, hidden_rows))).frame, found.failures
    return {"targets": dict(frame.select("commune_code", "assigned_poor_reduction_pp").iter_rows()),
            "households": dict(frame.select("commune_code", "assigned_poor_reduction_households").iter_rows()),
            "failures": [(f["rule"], f["cell"], f["value"], f["expected"]) for f in failures]}


TARGET = "Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2026 (điểm %)"


def test_communes_named_by_code_alone_a_number_that_lost_its_zero_included(tmp_path):
    # with codes only, every target was null and nothing was reported
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Mã xã", "Tổng số hộ", TARGET]],
                   [[1, 1843, 2884, 0.3], [2, "05800", 5441, 0.79], [3, "01879", 7028, 0.31]])
    assert found["targets"] == {"01843": 0.3, "05800": 0.79, "01879": 0.31} and found["failures"] == []


def test_communes_by_code_alone_and_their_target_alone(tmp_path):
    """"STT | Mã xã | Chỉ tiêu …", no name, no count: no table was found, every target null (targets judge, Thanh Hóa)."""
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Mã xã", TARGET]], [[1, 1843, 0.15], [2, 5800, 0.79]])
    assert found["targets"] == {"01843": 0.15, "05800": 0.79} and found["failures"] == []


def test_names_that_differ_only_by_accents_are_two_communes(tmp_path):
    # "Văn Lang" (02143) and "Văn Lăng" (05665) of the same province were both called ambiguous and left out
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", TARGET]],
                   [[1, "Văn Lang", 5319, 0.85], [2, "Văn Lăng", 8998, 0.49]])
    assert found["targets"] == {"02143": 0.85, "05665": 0.49} and found["failures"] == []


def test_a_former_communes_name_is_mapped_and_reported(tmp_path):
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", TARGET]],
                   [[1, "Phường Sông Cầu", 2884, 0.15], [2, "Xã Công Bằng", 7028, 0.31]])
    assert found["targets"] == {"01843": 0.15, "01879": 0.31}
    assert [(rule, cell, value) for rule, cell, value, _ in found["failures"]] == [
        ("legacy_unit_name", "B5", "Phường Sông Cầu"), ("legacy_unit_name", "B6", "Xã Công Bằng")]
    # each row's finding is its commune's (was: no commune, though resolved; independent probe, An Giang)
    said = _read(_write(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", TARGET]],
                        [[1, "Phường Sông Cầu", 2884, 0.15], [2, "Xã Công Bằng", 7028, 0.31], [3, "Xã Công Bằng", 1, 0.2]]))
    assert [(f["rule"], f.get("commune_code")) for f in said.failures] == [
        ("legacy_unit_name", "01843"), ("legacy_unit_name", "01879"), ("legacy_unit_name", "01879"),
        ("target_listed_once", "01879")]


@pytest.mark.parametrize("with_rates", [False, True])
def test_targets_typed_as_excel_percentages_are_points(tmp_path, with_rates):
    # 0.31 % is the number 0.0031: every commune met a target a hundred times too small
    header = ["STT", "Tên xã, phường", "Tổng số hộ", "Số hộ nghèo", *(["Tỷ lệ hộ nghèo (%)"] if with_rates else []), TARGET]
    rows = [[1, "Phường Bắc Kạn", 2884, 35, *([35 / 2884] if with_rates else []), 0.0015],
            [2, "Xã Phú Thịnh", 5441, 127, *([127 / 5441] if with_rates else []), 0.0079],
            [3, "Xã Cao Minh", 7028, 183, *([183 / 7028] if with_rates else []), 0.0006 if with_rates else 0.0031]]
    found = _sheet(tmp_path / "chi tieu.xlsx", [header], rows, formats={len(header): "0.00%", 5: "0.00%"})
    assert found["targets"] == {"01843": 0.15, "05800": 0.79, "01879": 0.06 if with_rates else 0.31}


@pytest.mark.parametrize("shown", [True, False])
def test_excel_percentages_with_a_mountain_communes_five_points(tmp_path, shown):
    """A 5-point cut (0.05) among 1 % ones turned the rule "every target below 0.05" off: 0.0119 read as 0.01 points,
    every commune "meeting" its target (independent probe, Thanh Hóa). The cells' percentage format settles it; without
    one, most targets below 0.05 and none of 0.2 are Excel percentages."""
    header = ["STT", "Tên xã, phường", "Tổng số hộ", "Tỷ lệ hộ nghèo (%)", TARGET]
    rows = [[1, "Phường Bắc Kạn", 2884, 6.83, 0.0119], [2, "Xã Phú Thịnh", 5441, 1.71, 0.003],
            [3, "Xã Cao Minh", 7028, 23.56, 0.05 if shown else 0.1]]
    found = _sheet(tmp_path / "chi tieu.xlsx", [header], rows, formats={5: "0.00%"} if shown else None)
    assert found["targets"] == {"01843": 1.19, "05800": 0.3, "01879": 5.0 if shown else 10.0}


def test_another_provinces_unit_named_whole_is_never_the_runs_namesake(tmp_path):
    """"Phường Trần Phú" (Hà Tĩnh's 18100) in Thái Nguyên's workbook: taken for Xã Trần Phú (02176) by its name of
    another type, its target recorded without a word (targets judge, Thanh Hóa). It is reported; the others are read."""
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", TARGET]],
                   [[1, "Phường Bắc Kạn", 2884, 0.15], [2, "Phường Trần Phú", 3000, 0.4], [3, "Xã Trần Phú", 3100, 0.5]])
    assert found["targets"] == {"01843": 0.15, "02176": 0.5}
    assert [(rule, cell, value) for rule, cell, value, _ in found["failures"]] == [
        ("target_unit_in_province", "B6", "Phường Trần Phú")]
    # a row of the province's workbook, said as such (was "the commune of this file"), the other province's unit named
    # (it was "Không xác định được xã/phường", an error, though the unit was found; targets judge, Huế)
    said = finish(pl.DataFrame([f for f in _read(tmp_path / "chi tieu.xlsx").failures]), "r")["message"][0]
    assert said.startswith("Ô B6: Phường Trần Phú là đơn vị của tỉnh khác") and "18100" in said, said


def test_a_workbook_that_gives_no_target_says_so(tmp_path):
    """A targets column the reader does not know ("Chỉ tiêu năm 2026 (%)"), or every cell blank: the run's summary said
    "0 meeting, 0 below" as of a province that set no target, without a word (targets judge, Thanh Hóa)."""
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", TARGET]],
                   [[1, "Phường Bắc Kạn", 2884, None], [2, "Xã Phú Thịnh", 5441, None]])
    assert found["targets"] == {"01843": None, "05800": None}
    assert found["failures"] == [("targets_read", None, "chi tieu.xlsx", None)]


@pytest.mark.parametrize("label", ["Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)", "Tỷ lệ hộ nghèo phấn đấu đến cuối năm 2026 (%)"])
def test_a_rate_to_reach_by_the_years_end_gives_the_cut_from_last_years(tmp_path, label):
    """The target as the rate to reach: read as the cut (5.64 points for a rate of 6.83 to bring to 5.64), or dropped
    without a word (targets judge, Thanh Hóa). The cut is the difference from the rate the year starts from."""
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tỷ lệ hộ nghèo cuối năm 2025 (%)", label]],
                   [[1, "Phường Bắc Kạn", 6.83, 5.64], [2, "Xã Phú Thịnh", 1.71, 1.41]])
    assert found["targets"] == {"01843": 1.19, "05800": 0.3} and found["failures"] == []


def test_a_cut_from_the_rate_to_reach_is_traced_to_both_rates(tmp_path):
    """A cut derived from the rate to reach had no lineage cell (trace found none): it is the two rates' cells, the
    year's start minus the rate to reach, each as points (Excel percentages times 100); a commune whose own cut cell is
    given keeps that cell alone."""
    header = [["STT", "Tên xã, phường", "Tỷ lệ hộ nghèo cuối năm 2025", "Tỷ lệ hộ nghèo phấn đấu cuối năm 2026", TARGET]]
    path = _write(tmp_path / "chi tieu.xlsx", header, [[1, "Phường Bắc Kạn", 0.0683, 0.0564, None],
                                                      [2, "Xã Phú Thịnh", 0.0171, None, 0.003]])
    found = _read(path)
    assert dict(found.frame.select("commune_code", "assigned_poor_reduction_pp").iter_rows()) == {"01843": 1.19, "05800": 0.3}
    cells = found.cells().with_columns(pl.lit("19").alias("province_code"), pl.lit("targets").alias("kind"),
                                       pl.lit("t" * 64).alias("sha256"))
    assert sorted(cells.select("commune_code", "field", "cell", "value").iter_rows()) == [
        ("01843", "assigned_rate_before", "C5", 6.83), ("01843", "assigned_rate_to_reach", "D5", 5.64),
        ("05800", "assigned_poor_reduction_pp", "E6", 0.3)]
    cells.write_parquet(tmp_path / "lineage.parquet")
    pl.DataFrame({"commune_code": ["01843", "05800"], "assigned_poor_reduction_pp": [1.19, 0.3]}).write_parquet(
        tmp_path / "communes.parquet")
    t = trace(tmp_path, "01843", "assigned_poor_reduction_pp")
    assert (t.total, t.matches, t.numerator.total, t.denominator.total) == (1.19, True, 6.83, 5.64)
    assert "assigned_rate_before − assigned_rate_to_reach" in render(t) and "C5 | 6,83" in render(t)
    assert trace(tmp_path, "05800", "assigned_poor_reduction_pp").cells["cell"].to_list() == ["E6"]


def test_targets_typed_as_text_from_the_first_row_on(tmp_path):
    """"giảm 50 hộ" in every row, or "chưa giao" in the first: the rows were taken for header rows (numbered, their
    figures text), the workbook gave no commune or lost its first (targets judge, Thanh Hóa)."""
    header = [["STT", "Tên xã, phường", "Chỉ tiêu giảm số hộ nghèo năm 2026"]]
    found = _sheet(tmp_path / "chi tieu.xlsx", header, [[1, "Phường Bắc Kạn", "giảm 50 hộ"], [2, "Xã Phú Thịnh", "11 hộ"],
                                                        [3, "Xã Cao Minh", "khoảng 9"]])
    assert found["households"] == {"01843": 50.0, "05800": 11.0, "01879": None}
    assert [(rule, cell) for rule, cell, *_ in found["failures"]] == [("target_numeric", "C7")]
    found = _sheet(tmp_path / "chi tieu 2.xlsx", [["STT", "Tên xã, phường", TARGET]],
                   [[1, "Phường Bắc Kạn", "chưa giao"], [2, "Xã Phú Thịnh", 0.79]])
    assert found["targets"] == {"01843": None, "05800": 0.79}
    assert [(rule, cell, value) for rule, cell, value, _ in found["failures"]] == [("target_numeric", "C5", "chưa giao")]


def test_small_targets_in_points_stay_points(tmp_path):
    # a province of small cuts, its rates in percent: nothing to convert
    found = _sheet(
        tmp_path / "chi tieu.xlsx",
        [["STT", "Tên xã, phường", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)", TARGET]],
        [[1, "Phường Bắc Kạn", 2884, 35, 1.21, 0.06], [2, "Xã Phú Thịnh", 5441, 127, 2.33, 0.08]],
    )
    assert found["targets"] == {"01843": 0.06, "05800": 0.08}


def test_a_commune_listed_twice_keeps_its_first_row_and_is_reported(tmp_path):
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", TARGET]],
                   [[1, "Xã Phú Thịnh", 5441, 0.79], [2, "Phường Bắc Kạn", 2884, 0.3], [3, "Phú Thịnh", 5441, 1.2]])
    assert found["targets"] == {"05800": 0.79, "01843": 0.3}
    assert found["failures"] == [("target_listed_once", "B7", "Phú Thịnh", "5")]


def test_a_cut_in_households_is_kept_for_the_communes_own_total(tmp_path):
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", "Chỉ tiêu số hộ nghèo giảm năm 2026 (hộ)"]],
                   [[1, "Phường Bắc Kạn", 2884, 7], [2, "Xã Phú Thịnh", 5441, 43]])
    assert found["targets"] == {"01843": None, "05800": None}
    assert found["households"] == {"01843": 7.0, "05800": 43.0}


def test_points_under_a_poor_households_group(tmp_path):
    # "Hộ nghèo" over "Chỉ tiêu giảm năm 2026 (điểm %)": the cut was read as households to lift, its points lost
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", "Hộ nghèo", None],
                                                [None, None, None, "Số hộ 31/12/2025", "Chỉ tiêu giảm năm 2026 (điểm %)"]],
                   [[1, "Phường Bắc Kạn", 2884, 35, 0.15], [2, "Xã Phú Thịnh", 5441, 127, 0.79]])
    assert found["targets"] == {"01843": 0.15, "05800": 0.79}
    assert found["households"] == {"01843": None, "05800": None}


def test_the_workbooks_own_findings_are_reported(tmp_path):
    # a hidden row among the targets was read without a word
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Đơn vị", "Tổng số hộ", TARGET]],
                   [[1, "Phường Bắc Kạn", 2884, 0.15], [2, "Xã Phú Thịnh", 5441, 0.79]], hidden_rows=[6])
    assert found["targets"] == {"01843": 0.15, "05800": 0.79}
    assert [(rule, value) for rule, _, value, _ in found["failures"]] == [("hidden_content", "6")]


def test_a_code_and_a_name_that_name_two_communes_are_reported(tmp_path):
    # a row copied down with its code left unchanged: the code's commune got the other's target without a word
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Mã xã", "Tên xã, phường", "Tổng số hộ", TARGET]],
                   [[1, "01843", "Phường Bắc Kạn", 2884, 0.3], [2, "05800", "Xã Cao Minh", 7028, 0.31]])
    assert found["targets"] == {"01843": 0.3, "05800": 0.31}
    ((rule, cell, value, expected),) = found["failures"]
    assert (rule, cell) == ("code_matches_name", "C6") and "01879" in value and "05800" in expected


def test_another_provinces_workbook_is_refused_whole(tmp_path):
    """--province 19 with Tuyên Quang's (08) targets: every row was commune_resolved, and a name both provinces have
    ("Phú Lương") gave Thái Nguyên's commune Tuyên Quang's target. The workbook is reported once, none of it used."""
    units = [u for u in load_reference().units if u.province_code == "08"][:5] + [
        next(u for u in load_reference().units if u.province_code == "08" and u.commune_name.endswith("Phú Lương"))]
    found = _sheet(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", TARGET]],
                   [[i, u.commune_name, 3000, 0.5] for i, u in enumerate(units, start=1)])
    assert found["targets"] == {}
    ((rule, _, _, expected),) = found["failures"]
    assert rule == "wrong_province" and "Tuyên Quang (08)" in expected and "(19)" in expected


def test_a_workbook_of_targets_alone_gives_no_baseline_to_compare(tmp_path):
    """No "Tổng số hộ" or "Số hộ nghèo" column: its baseline is unknown, not 0. Before, every accepted commune was told
    twice that "biểu giao chỉ tiêu của tỉnh ghi 0" (baseline_matches_targets; 50 warnings in a probe's province)."""
    rows = [[i, name, target] for i, (name, target) in enumerate(COMMUNES, start=1)]
    found = _read(_write(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Chỉ tiêu giảm tỷ lệ hộ nghèo (điểm %)"]], rows))
    assert found.frame["assigned_poor_reduction_pp"].sort().to_list() == [0.3, 0.31, 0.79]
    assert found.frame["targets_total_households"].null_count() == found.frame["targets_poor_households"].null_count() == 3
    given = _read(_write(tmp_path / "co so ho.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ", "Chỉ tiêu giảm (điểm %)"]],
                         [[1, "Xã Phú Thịnh", 5441, 0.79]]))
    assert given.frame["targets_total_households"].to_list() == [5441.0]
    assert given.frame["targets_poor_households"].to_list() == [None]


def test_a_blank_baseline_cell_gives_no_baseline_and_a_given_one_its_cell(tmp_path):
    """A commune whose "Số hộ nghèo" the province left blank has no baseline there, not 0: Xã Tây Sơn's correct plan was
    told "biểu giao chỉ tiêu của tỉnh ghi 0" (independent probe, Gia Lai, 12-06). A baseline the workbook gives is
    compared at its cell, which the warning names: the auditor finds the province's figure."""
    from giamngheo.failures import finish
    from transforms.outliers import baseline_mismatches

    header = [["STT", "Tên xã, phường", "Tổng số hộ", "Số hộ nghèo", "Chỉ tiêu giảm (điểm %)"]]
    found = _read(
        _write(tmp_path / "chi tieu.xlsx", header, [[1, "Xã Phú Thịnh", 5441, None, 0.79], [2, "Xã Kha Sơn", 4000, 120, 0.3]])
    )
    frame = found.frame.sort("targets_row")
    assert frame["targets_poor_households"].to_list() == [None, 120.0]
    assert frame["targets_poor_households_cell"].to_list() == ["Giao chỉ tiêu!D5", "Giao chỉ tiêu!D6"]
    communes = frame.select("commune_code", pl.lit("accepted").alias("status"), pl.lit("f.xlsx").alias("source_file"),
                            pl.col("targets_total_households").cast(pl.Int64).alias("total_households"),
                            pl.Series("poor_households", [150, 130]))
    got = baseline_mismatches(communes.lazy(), frame.lazy()).collect()
    assert got.select("field", "value", "expected").rows() == [("poor_households", "130", "120")]
    message = finish(got, "r1").to_dicts()[0]["message"]
    assert message.endswith("biểu giao chỉ tiêu của tỉnh ghi 120 (ô Giao chỉ tiêu!D6).")


def test_a_former_districts_subtotal_in_the_code_column_is_no_commune(tmp_path):
    """Communes grouped under their former districts, each group closed by "Cộng Huyện An Phú" typed in the code
    column, the name's empty: each subtotal was a commune_resolved error, 22 false errors in a run (independent probe,
    An Giang)."""
    header = [["STT", "Mã ĐVHC", "Tên đơn vị hành chính", "Tổng số hộ", "Mức giảm tỷ lệ hộ nghèo (điểm %)"]]
    rows = [[None, "Huyện Ngân Sơn (cũ)", None, None, None],
            [1, "01843", "Phường Bắc Kạn", 5000, 0.3], [2, "05800", "Xã Phú Thịnh", 5441, 0.79],
            [None, "Cộng Huyện Ngân Sơn", None, 10441, None], [3, None, "Xã Cao Minh", 3000, 0.31]]
    found = _read(_write(tmp_path / "chi tieu.xlsx", header, rows))
    assert sorted(found.frame["assigned_poor_reduction_pp"].to_list()) == [0.3, 0.31, 0.79] and found.failures == []


def test_a_commune_that_sent_its_plan_is_expected_though_the_workbook_names_it_unreadably():
    """The workbook named Phú Quốc by its former city's name (commune_resolved), its plan came: 36 accepted and 4
    rejected of 39 expected, '0 chưa nộp (trên 39)' beside '40/40' in the ledger (independent probe, An Giang)."""
    from giamngheo.figures import expected_communes

    ref = load_reference()
    targets = pl.DataFrame({"commune_code": ["01843", "05800"]})
    got = expected_communes(ref, ["19"], targets, ["01843", "05800", "01849"])
    assert got.rows() == [("19", 3)]
    assert expected_communes(ref, ["19"], targets).rows() == [("19", 2)]
    assert expected_communes(ref, ["19"], pl.DataFrame(schema={"commune_code": pl.Utf8}), ["01843"]).rows() == [("19", 92)]


def test_a_cut_beyond_the_communes_poor_rate_is_flagged():
    """16.4 points assigned to a commune of 1.71 % poor (a share of the poor read as points), without a word."""
    from transforms.outliers import targets_beyond_rates

    communes = pl.DataFrame({"status": ["accepted", "accepted", "rejected"], "commune_code": ["01843", "05800", "01879"],
                             "source_file": ["a.xlsx", "b.xlsx", "c.xlsx"], "assigned_poor_reduction_pp": [16.4, 0.3, 9.0],
                             "poor_rate_pct": [1.71, 1.71, 2.0]})
    found = targets_beyond_rates(communes.lazy()).collect()
    assert found.select("commune_code", "rule", "value", "expected").rows() == [
        ("01843", "target_within_rate", "16.4", "1.71")]
    # at the province's cell of the cut, the targets workbook's: it was said of the commune's plan file, with no sheet nor
    # cell (targets judge, Phú Thọ)
    cells = pl.DataFrame({"commune_code": ["01843", "01843"], "field": ["assigned_rate_to_reach", "assigned_poor_reduction_pp"],
                          "source_file": ["chi_tieu.xlsx"] * 2, "source_sheet": ["Giao"] * 2, "cell": ["F5", "G5"],
                          "source_row": [5, 5], "column": [6, 7]})
    found = finish(targets_beyond_rates(communes.lazy(), cells.lazy()).collect(), "r")
    assert found.select("source_file", "source_sheet", "cell", "kind").rows() == [("chi_tieu.xlsx", "Giao", "G5", "targets")]
    assert found["message"][0].startswith("Ô G5")


def test_with_no_commune_s_document_the_year_is_the_targets_workbook_s(tmp_path):
    """An empty --raw (a share that failed to mount) with the targets workbook "GIAO CHỈ TIÊU … NĂM 2026", no --year: the
    run was 2027 (next year, in December) and published over the 2026 result (operations probe, Lâm Đồng)."""
    from giamngheo.submissions import run_year

    workbook = Path(__file__).resolve().parents[1] / "tests/fixtures/tuyen-quang-2026/targets.xlsx"
    found = targets_from_parse(parse_workbook(workbook, Limits(), forced_kind="targets"), Resolver(load_reference(), None))
    assert found.year == 2026
    assert run_year([], None, found.year) == 2026 and run_year([], 2025, found.year) == 2025


def _year_sheet(name: str, year: int, rows: list[tuple[str, float]]) -> Grid:
    return Grid([["UBND TỈNH THÁI NGUYÊN"], [f"GIAO CHỈ TIÊU GIẢM NGHÈO NĂM {year}"], [],
                 ["STT", "Tên xã, phường", "Tổng số hộ", f"Chỉ tiêu giảm tỷ lệ hộ nghèo năm {year} (điểm %)"],
                 *[[i, n, 5000, t] for i, (n, t) in enumerate(rows, start=1)]], name)


def test_last_year_s_sheet_first_gives_way_to_this_year_s(tmp_path):
    """Sheet "Năm 2025" before "Năm 2026": last year's cuts were used, every commune "below" its target, the lineage at
    'Năm 2025', without a word (targets judge, Phú Thọ). The run's year, else the latest; the other sheet is said."""
    path = write_book(tmp_path / "chi tieu.xlsx", [_year_sheet("Năm 2025", 2025, [(n, 0.9) for n, _ in COMMUNES]),
                                                  _year_sheet("Năm 2026", 2026, COMMUNES)])
    data = parse_workbook(path, Limits(), forced_kind="targets")
    for year in (None, 2026):
        found = targets_from_parse(data, Resolver(load_reference(), "19"), path, year)
        assert sorted(found.frame["assigned_poor_reduction_pp"]) == [0.3, 0.31, 0.79] and found.year == 2026
        assert set(found.cells()["source_sheet"]) == {"Năm 2026"}
        assert [(f["rule"], f["sheet"], f["detail"]) for f in found.failures] == [
            ("targets_sheet_used", "Năm 2025", "other_year")]
    found = targets_from_parse(data, Resolver(load_reference(), "19"), path, 2025)  # a rerun of last year: its sheet
    assert sorted(found.frame["assigned_poor_reduction_pp"]) == [0.9, 0.9, 0.9]


def test_a_unit_of_another_province_is_said_as_such(tmp_path):
    """"Phường Ba Đình" (Hà Nội) in Thái Nguyên's workbook was `commune_resolved`, an error worded "could not determine",
    though the unit was found (targets judge, Huế): a warning naming its province; a name of no unit stays an error."""
    rows = [[i, name, 5000, t] for i, (name, t) in enumerate(COMMUNES, start=1)]
    rows += [[9, "Phường Ba Đình", 5000, 0.4], [10, "Xã Không Có Thật", 5000, 0.4]]
    found = _read(_write(tmp_path / "chi tieu.xlsx", [["STT", "Tên xã, phường", "Tổng số hộ",
                                                        "Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2026 (điểm %)"]], rows))
    assert sorted(found.frame["assigned_poor_reduction_pp"]) == [0.3, 0.31, 0.79]
    said = {f["rule"]: f for f in found.failures}
    assert set(said) == {"target_unit_in_province", "commune_resolved"}
    other = said["target_unit_in_province"]
    assert other["value"] == "Phường Ba Đình" and "Hà Nội" in other["expected"]
    assert said["commune_resolved"]["value"] == "Xã Không Có Thật"
    messages = finish(pl.DataFrame([{**said["target_unit_in_province"], "source_file": "chi tieu.xlsx"}]), "r")
    assert messages["severity"].to_list() == ["warning"] and "là đơn vị của tỉnh khác" in messages["message"][0]


def test_last_year_s_workbook_alone_is_used_and_said(tmp_path):
    """A workbook whose title, sheet and header all say 2025 judged the 2026 plans without a word (targets judge,
    Huế): its targets are used, and the run says the workbook is of another year (targets_year, a warning)."""
    from giamngheo.pipeline import file_level_failures

    path = write_book(tmp_path / "chi tieu 2025.xlsx", [_year_sheet("Năm 2025", 2025, COMMUNES)])
    found = targets_from_parse(parse_workbook(path, Limits(), forced_kind="targets"), Resolver(load_reference(), "19"), path)
    assert found.year == 2025 and sorted(found.frame["assigned_poor_reduction_pp"]) == [0.3, 0.31, 0.79]
    said = finish(file_level_failures([], [], found, path, 2026), "r").filter(pl.col("rule") == "targets_year")
    assert said.select("source_file", "source_sheet", "severity").rows() == [("chi tieu 2025.xlsx", "Năm 2025", "warning")]
    assert "là của năm 2025, không phải năm 2026" in said["message"][0]
    assert finish(file_level_failures([], [], found, path, 2025), "r").filter(pl.col("rule") == "targets_year").is_empty()


def test_a_sheet_per_former_province_is_read_whole(tmp_path):
    """"KV Hòa Bình cũ" and "KV Phú Thọ cũ", a sheet each: only the larger was read, the other's communes left without a
    target and not counted as expected, without a word (targets judge, Phú Thọ). Each sheet's rows, each traced to its
    sheet; a sheet of former districts beside them is no targets' sheet."""
    districts = Grid([["TỔNG HỢP THEO HUYỆN (CŨ)"], [], ["STT", "Huyện", "Tổng số hộ", "Chỉ tiêu giảm tỷ lệ hộ nghèo (điểm %)"],
                      [1, "Huyện Chợ Đồn (cũ)", 9000, 0.5], [2, "Thành phố Bắc Kạn (cũ)", 8000, 0.4],
                      [3, "Huyện Phú Bình (cũ)", 7000, 0.3]], "Theo huyện")
    path = write_book(tmp_path / "chi tieu.xlsx", [districts, _year_sheet("KV Bắc Kạn cũ", 2026, COMMUNES[:1]),
                                                  _year_sheet("KV Thái Nguyên cũ", 2026, COMMUNES[1:])])
    found = targets_from_parse(parse_workbook(path, Limits(), forced_kind="targets"), Resolver(load_reference(), "19"), path)
    assert sorted(found.frame.select("commune_code", "targets_sheet").rows()) == [
        ("01843", "KV Bắc Kạn cũ"), ("01879", "KV Thái Nguyên cũ"), ("05800", "KV Thái Nguyên cũ")]
    assert dict(found.cells().select("commune_code", "source_sheet").iter_rows()) == {
        "01843": "KV Bắc Kạn cũ", "01879": "KV Thái Nguyên cũ", "05800": "KV Thái Nguyên cũ"}
    assert not [f for f in found.failures if f["rule"] == "commune_resolved"]
    assert [(f["rule"], f["sheet"], f["detail"]) for f in found.failures] == [
        ("targets_sheet_used", "Theo huyện", "not_communes")]
    said = finish(pl.DataFrame([{**f, "source_sheet": f["sheet"]} for f in found.failures]).drop("sheet"), "r")["message"][0]
    assert said == ("Trang tính “Theo huyện” của biểu giao chỉ tiêu không được dùng (các dòng phần lớn không phải xã, "
                    "phường): chỉ tiêu lấy từ trang “KV Bắc Kạn cũ”.")
    # a commune on two sheets keeps its first row; the second is said at its name's cell, as one listed twice on a sheet
    path = write_book(tmp_path / "hai lan.xlsx", [_year_sheet("KV Bắc Kạn cũ", 2026, COMMUNES[:2]),
                                                 _year_sheet("KV Thái Nguyên cũ", 2026, COMMUNES[1:])])
    found = targets_from_parse(parse_workbook(path, Limits(), forced_kind="targets"), Resolver(load_reference(), "19"), path)
    assert [(f["rule"], f["sheet"], f["cell"], f["value"], f["expected"]) for f in found.failures] == [
        ("target_listed_once", "KV Thái Nguyên cũ", "B5", "Xã Phú Thịnh", "6")]


def test_a_rate_to_reach_in_words_a_formula_a_group_row_and_a_subset_row(tmp_path):
    """Four of a targets judge's cases (Phú Thọ): "còn 0,30%" as the rate to reach was lost without a word; a formula
    without its value was said twice, once as "“\\x00=ROUND(…)”"; "1 | Huyện Yên Lạc (cũ)" was a commune_resolved error;
    "- Trong đó: vùng đồng bào DTTS | … | 0,8" under a commune went nowhere, without a word."""
    lines = [["UBND TỈNH THÁI NGUYÊN"], ["GIAO CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
             ["STT", "Tên xã, phường", "Tổng số hộ", "Tỷ lệ hộ nghèo (%)", "Chỉ tiêu tỷ lệ hộ nghèo cuối năm 2026 (%)"],
             [1, "Huyện Chợ Đồn (cũ)"],
             [2, "Phường Bắc Kạn", 5000, 0.59, "còn 0,30%"],
             [None, "- Trong đó: vùng đồng bào DTTS", 1200, 7.92, 7.1],
             [3, "Xã Phú Thịnh", 5000, 2.06, "=ROUND(D9*0.8,2)"],
             [4, "Xã Cao Minh", 5000, 3.0, "chưa giao"]]
    found = _read(write_book(tmp_path / "chi tieu.xlsx", Grid(lines, "Giao chỉ tiêu")))
    assert dict(found.frame.select("commune_code", "assigned_poor_reduction_pp").iter_rows()) == {
        "01843": 0.29, "05800": None, "01879": None}
    said = sorted((f["rule"], f["cell"], f["value"]) for f in found.failures)
    assert said == [("formula_without_value", "E8", "=ROUND(D9*0.8,2)"), ("row_not_used", "B7", "- Trong đó: vùng đồng bào DTTS"),
                    ("target_numeric", "E9", "chưa giao")], said
    assert all("\x00" not in str(f.get("value")) for f in found.failures)
