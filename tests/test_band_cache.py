"""Header bands are worked out once per distinct header text and shared between files: what one
file's table does with its band never reaches the next file's."""

from __future__ import annotations

from giamngheo.layout import header
from giamngheo.layout.header import find_band
from giamngheo.layout.tables import title_kind
from giamngheo.readers.grid import Sheet

HEADER = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm số hộ nghèo"]


def _sheet(commune: str) -> Sheet:
    rows = [
        [f"KẾ HOẠCH GIẢM NGHÈO NĂM 2026 - {commune}"],
        [],
        HEADER,
        [1, "Thôn Nà Phặc", 120, 10, 8, 2],
        [2, "Thôn Bản Chang", 95, 7, 5, 1],
    ]
    return Sheet(name="Phụ lục", rows=rows)


def _band(sheet: Sheet):
    return find_band(sheet, lambda top: title_kind([str(sheet.rows[0][0]), sheet.name]), 2026)


def test_a_second_file_with_the_same_header_gets_the_same_band_unchanged_by_the_first():
    header._BANDS.clear()
    first = _band(_sheet("Xã Nà Phặc"))
    fields = dict(first.fields)
    assert fields["village_name"] == 1 and fields["total_households"] == 2
    assert len(header._BANDS) >= 1  # the header is now known to this process
    first.fields["total_households"] = 99  # what a caller may do with its band (tables.py renames fields)
    first.columns[2].field = "renamed"
    first.kind = "results"
    second = _band(_sheet("Xã Bản Chang"))
    assert second.fields == fields
    assert second.columns[2].field == "total_households"
    assert second.kind != "results"
    assert second.columns is not first.columns


def test_the_cache_gives_what_working_it_out_again_gives():
    header._BANDS.clear()
    sheet = _sheet("Xã Nà Phặc")
    cold = _band(sheet)
    warm = _band(_sheet("Xã Nà Phặc"))
    assert (warm.top, warm.bottom, warm.kind, warm.fields, warm.score, warm.numbered_row) == (
        cold.top, cold.bottom, cold.kind, cold.fields, cold.score, cold.numbered_row
    )
    assert [(c.index, c.label, c.tags, c.field) for c in warm.columns] == [
        (c.index, c.label, c.tags, c.field) for c in cold.columns
    ]
