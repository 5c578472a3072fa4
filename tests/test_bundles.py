"""A commune's bundle: one workbook holding every kind it sends, with an old copy or last year's plan left in beside the
current one (bundles judge, Lào Cai)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_any_table import run_steps

HEADER = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"]


def _plan_sheet(ws, year: int, signed: str, poor: int) -> None:
    for row in (["ỦY BAN NHÂN DÂN XÃ BẢO THẮNG"], [f"PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {year}"],
                [f"Bảo Thắng, ngày {signed}"], HEADER,
                [1, "Thôn Phố Mới", 300, poor, 6, 2], [2, "Thôn Cốc Xa", 250, 4, 5, 1],
                [None, "Tổng cộng", 550, poor + 4, 11, 3]):
        ws.append(row)


@pytest.mark.parametrize("old_name, old_year, old_signed, hidden", [
    ("PL1 KH 2026 (cũ)", 2026, "05 tháng 01 năm 2026", True),  # the old copy, hidden, first
    ("PL1 KH 2026 (cũ)", 2026, "05 tháng 01 năm 2026", False),
    ("KH 2025", 2025, "10 tháng 01 năm 2025", False),  # last year's plan: the commune was rejected, wrong_year
    ("Nháp", 2026, "20 tháng 3 năm 2026", False),  # a draft, even dated later
])
def test_the_current_plan_wins_over_an_old_copy_before_it(tmp_path, old_name, old_year, old_signed, hidden):
    """The first sheet in the workbook had won whatever its date, name or year: the old copy's figures published, the
    current sheet said not used."""
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = old_name
    _plan_sheet(old, old_year, old_signed, poor=9)
    old.sheet_state = "hidden" if hidden else "visible"
    _plan_sheet(wb.create_sheet("PL1 KH 2026"), 2026, "15 tháng 3 năm 2026", poor=7)
    path = tmp_path / "Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx"
    wb.save(path)
    failures, outputs = run_steps([path], province="15")
    villages = outputs["villages.parquet"]
    assert set(villages["source_sheet"]) == {"PL1 KH 2026"} and villages["poor_households"].to_list()[:2] == [7, 4]
    assert outputs["communes.parquet"]["status"].to_list() == ["accepted"]
    unused = failures.filter(pl.col("rule") == "sheet_not_used")
    assert unused.select("source_sheet").to_series().to_list() == [old_name], failures.select("rule", "message").rows()


FIXTURES = Path(__file__).parent / "fixtures" / "bundles"


def test_a_plan_annex_with_the_roadmap_stacked_under_it(tmp_path):
    """The roadmap's recogniser claimed the sheet: the plan above it was never read, the commune said not to have sent
    it, without a failure (4 communes of the judge's corpus)."""
    failures, outputs = run_steps([FIXTURES / "roadmap under plan.xlsx"], province="15")
    communes = outputs["communes.parquet"].row(0, named=True)
    assert (communes["status"], communes["total_households"], communes["poor_households"]) == ("accepted", 1629, 77)
    assert outputs["villages.parquet"].height == 7
    assert outputs["roadmap_communes.parquet"]["status"].to_list() == ["accepted"]
    assert sorted(outputs["roadmap.parquet"].filter(pl.col("item") == "poor_reduction")["value"].to_list()) == [4, 6, 7, 7, 27]
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "message").rows()


def test_a_household_list_stacked_under_the_deprivation_table(tmp_path, monkeypatch):
    """The deprivation table's recogniser claimed the sheet: the list under it was lost, no row and no failure."""
    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    failures, outputs = run_steps([FIXTURES / "list under deprivations.xlsx"], province="15")
    lists = outputs["households_communes.parquet"].row(0, named=True)
    assert (lists["status"], lists["list_poor_households"], lists["list_near_poor_households"]) == ("accepted", 77, 47)
    assert outputs["deprivations_communes.parquet"]["status"].to_list() == ["accepted"]
    assert outputs["communes.parquet"]["status"].to_list() == ["accepted"]
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "message").rows()


def test_a_sheet_of_the_plan_s_breakdowns_beside_the_results_is_not_the_year_s_end(tmp_path):
    """"Trong đó" (counts by group at 31/12/2025) beside the plan and the year-end results: read as a second results
    table, its counts were published as the end of 2026 (poor_ethnic_minority_end 68), without a failure. It is the
    plan's, said not used (the annex gives no breakdowns to read it with)."""
    failures, outputs = run_steps([FIXTURES / "breakdowns sheet beside results.xlsx"], province="15")
    results = outputs["results_communes.parquet"].row(0, named=True)
    assert results["status"] == "accepted" and results["poor_households_end"] == 48
    assert results["poor_ethnic_minority_end"] is None and results["poor_no_labour_end"] is None
    assert set(outputs["results_villages.parquet"]["source_sheet"]) == {"Biểu 2 Kết quả"}
    unused = failures.filter(pl.col("rule") == "sheet_not_used")
    assert unused.select("source_sheet", "cell").rows() == [("Trong đó", "A7")]


def test_the_province_s_blank_template_left_in_gives_no_figures(tmp_path):
    """A hidden "Biểu mẫu tỉnh" (the province's blank annex, its "Trong đó" columns and an empty total row) beside a plan
    without breakdowns: read as another area of the commune, it made the commune's breakdowns 0 where it gave none,
    counted in the province's poor_ethnic_minority_communes."""
    failures, outputs = run_steps([FIXTURES / "blank template hidden.xlsx"], province="15")
    commune = outputs["communes.parquet"].row(0, named=True)
    assert (commune["status"], commune["total_households"]) == ("accepted", 1629)
    assert commune["poor_ethnic_minority"] is None and commune["poor_no_labour"] is None
    assert set(outputs["villages.parquet"]["source_sheet"]) == {"PL1 KH 2026"}
    assert outputs["provinces.parquet"]["poor_ethnic_minority_communes"].to_list() == [0]
    assert failures.filter(pl.col("rule") == "sheet_not_used").is_empty()


def test_a_bundle_s_plan_replaced_by_a_corrected_file_is_said_for_that_kind(tmp_path):
    """The bundle (plan and results, 15/3/2026) and a corrected plan alone (20/4/2026): the corrected plan is used and the
    bundle for its results, but no superseded_submission said that the bundle's plan was set aside."""
    folder = FIXTURES / "corrected plan"
    failures, outputs = run_steps([folder / "Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx",
                                   folder / "bo sung" / "PL1 KH 2026 - Xa Bao Thang (sua lai).xlsx"], province="15")
    assert set(outputs["villages.parquet"]["source_file"]) == {"PL1 KH 2026 - Xa Bao Thang (sua lai).xlsx"}
    assert outputs["results_communes.parquet"]["status"].to_list() == ["accepted"]
    said = failures.filter(pl.col("rule") == "superseded_submission").row(0, named=True)
    assert (said["source_file"], said["source_sheet"], said["kind"]) == (
        "Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx", "PL1 KH 2026", "plan")
    assert said["message"].startswith("Tệp này không được dùng cho kế hoạch: số liệu của xã lấy từ bản nộp ")


def test_a_corrected_list_sent_alone_after_the_bundle_replaces_its_list(tmp_path, monkeypatch):
    """The bundle's plan sheet is dated 15/3/2026, its list (a household twice) is not; the whole list corrected came five
    days later, undated. The plan's date was lent to the bundle's list, which won: the commune could never correct its
    list by sending it alone. The list's own date is unknown, so the files' times decide."""
    import os
    import shutil

    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    folder = FIXTURES / "corrected list"
    bundle = tmp_path / shutil.copy(folder / "Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx", tmp_path)
    corrected = tmp_path / shutil.copy(folder / "DS ho ngheo, can ngheo 2026 - Xa Bao Thang (sua lai).xlsx", tmp_path)
    os.utime(bundle, (1_770_000_000, 1_770_000_000))
    os.utime(corrected, (1_770_000_000 + 5 * 86_400,) * 2)
    failures, outputs = run_steps([bundle, corrected], province="15")
    lists = outputs["households_communes.parquet"].row(0, named=True)
    assert (lists["status"], lists["list_poor_households"], lists["list_near_poor_households"]) == ("accepted", 77, 47)
    assert lists["source_file"] == "DS ho ngheo, can ngheo 2026 - Xa Bao Thang (sua lai).xlsx"
    said = failures.filter(pl.col("rule") == "superseded_submission").select("source_file", "kind").rows()
    assert said == [("Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx", "households")]
    assert set(outputs["villages.parquet"]["source_file"]) == {"Bao cao giam ngheo 2026 - Xa Bao Thang.xlsx"}


def test_inspect_says_each_sheet_s_kind_and_shows_a_list_s_first_rows(monkeypatch):
    """`giamngheo inspect` on a bundle names each table's kind; a list's table was printed whole (a bundle with a list of
    ~1,000 households: 3,000 lines), now its first rows and how many there are."""
    from giamngheo.inspect import PREVIEW_ROWS, inspect_file, render

    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    text = render(inspect_file(FIXTURES / "list under deprivations.xlsx", province="15"))
    assert "table 'Thiếu hụt + DS' kind=deprivations" in text and "table 'Thiếu hụt + DS' kind=households" in text
    assert f"households: 124 rows of households.parquet, the first {PREVIEW_ROWS}" in text
    assert len(text.splitlines()) < 700
