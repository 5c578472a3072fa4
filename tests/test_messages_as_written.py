"""Counts typed as text with the Vietnamese thousands dot ("1.572", domain.md: numbers stored as text): a message wrote
the text as a decimal, "số hộ nghèo (1,572) lớn hơn tổng số hộ (1.552)" (one and a half households to a Vietnamese eye),
and quoted a cell it could not read as "1,552" where the cell holds "1.552" (auditors judge, Hà Nội). The number read is
written the Vietnamese way; text that is no number is quoted as written."""

from __future__ import annotations

import openpyxl
import polars as pl
from test_any_table import run_steps

TITLE = "ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"


def _plan(path, total: str, poor: str, poor2: str = "30"):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ([TITLE], ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
                ["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"],
                [1, "Tổ 1", total, poor, "12", "5"], [2, "Tổ 2", "1.204", poor2, "10", "4"]):
        ws.append(row)
    wb.save(path)
    return path


def _said(failures: pl.DataFrame, rule: str) -> tuple:
    return failures.filter(pl.col("rule") == rule).select("cell", "value", "message").row(0)


def test_a_count_typed_with_the_thousands_dot_is_written_as_the_number_read(tmp_path):
    failures, _ = run_steps([_plan(tmp_path / "ke hoach.xlsx", "1.552", "1.572")])
    cell, value, message = _said(failures, "poor_le_total")
    assert cell == "D4" and "số hộ nghèo (1.572) lớn hơn tổng số hộ (1.552)" in message, message


def test_text_that_is_no_number_is_quoted_as_written(tmp_path):
    """"2.5" beside it makes the dot a decimal mark: "1.552" reads two ways, and is quoted as the cell holds it."""
    failures, _ = run_steps([_plan(tmp_path / "ke hoach.xlsx", "1.552", "3", poor2="2.5")])
    cell, value, message = _said(failures, "numeric")
    assert cell == "C4" and value == "1.552" and "“1.552”" in message, message
