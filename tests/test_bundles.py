"""A commune's bundle: one workbook holding every kind it sends, with an old copy or last year's plan left in beside the
current one (bundles judge, Lào Cai)."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest
from test_any_table import run_steps

HEADER = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"]


def _plan_sheet(ws, year: int, signed: str, poor: int) -> None:
    for row in (["ỦY BAN NHÂN DÂN XÃ BẢO THẮNG"], [f"PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM {year}"],
                [f"Bảo Thắng, ngày {signed}"], HEADER,
                [1, "Thôn Phố Mới", 300, poor, 6, 2], [2, "Thôn Cốc Xa", 250, 4, 5, 1], [None, "Tổng cộng", 550, poor + 4, 11, 3]):
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
