"""A household list is matched with its annex village by village under the same name key as everywhere:
"Hoà Tiến" in the list and "Hòa Tiến" in the annex are one village (old and new tone placement)."""

from __future__ import annotations

import random

import openpyxl
import polars as pl

from samplegen.households import make_households, write_household_list
from test_any_table import run_steps


def test_old_and_new_tone_placement_are_one_village(tmp_path, monkeypatch):
    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"], ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
                ["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"],
                [1, "Tổ Hòa Tiến", 120, 3, 2, 1], [2, "Tổ Thủy Khê", 100, 2, 1, 1], ["", "Tổng cộng", 220, 5, 3, 2]):
        ws.append(row)
    wb.save(tmp_path / "ke hoach.xlsx")
    households = make_households(random.Random(3), [("Tổ Hoà Tiến", 3, 2), ("Tổ Thuỷ Khê", 2, 1)])
    write_household_list(tmp_path / "danh sach.xlsx", "Phường Bắc Kạn", households)
    failures, outputs = run_steps([tmp_path / "ke hoach.xlsx", tmp_path / "danh sach.xlsx"])
    assert failures.filter(pl.col("rule") == "list_matches_annex").is_empty(), failures.select("rule", "message").rows()
    assert outputs["households_communes.parquet"]["status"].to_list() == ["accepted"]
