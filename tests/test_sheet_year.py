"""The year of a sheet, read from as few of its top lines as needed, is document_year()'s answer."""

from __future__ import annotations

import pytest

from giamngheo.layout.tables import document_year, sheet_year_of, title_lines
from giamngheo.readers.grid import Sheet

FIGURES = [[i, f"Thôn {i}", 200 + i, 5, 3] for i in range(1, 40)]


@pytest.mark.parametrize(
    "top, expected",
    [
        ([["UBND XÃ PHÚ THỊNH"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"]], 2026),
        ([["KẾ HOẠCH GIẢM NGHÈO NĂM"], ["2027", None, "(kèm theo Quyết định số 12)"]], 2027),  # across a line break
        ([["BIỂU TỔNG HỢP"], ["Số liệu 31/12/2025"]], 2026),  # the baseline year + 1
        ([["BIỂU TỔNG HỢP"], ["Thôn, bản"]], None),
        ([["x" * 2995], ["năm 2028"]], None),  # past the 3,000 characters read
    ],
)
def test_sheet_year(top, expected):
    sheet = Sheet(name="Phụ lục", rows=[*top, ["STT", "Thôn", "Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo"], *FIGURES])
    assert sheet_year_of(sheet) == expected
    assert document_year(title_lines(sheet, 30) + [sheet.name]) == expected


def test_year_in_the_sheet_name():
    sheet = Sheet(name="KH năm 2029", rows=[["BIỂU TỔNG HỢP"], *FIGURES])
    assert sheet_year_of(sheet) == 2029
