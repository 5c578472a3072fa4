"""Roadmaps in layouts a probe of hand-made files found misread (the sample generator writes none of them): a row of
the poor's rate among the targets (read as a support of households: non-integer, the whole roadmap rejected), the
poor's stock at the start of each year among the targets (read as a second reduction: false roadmap_matches_plan and
roadmap_within_baseline), a year's header with an aside ("Năm 2026 (năm kế hoạch)": the year lost). Each fails on the
previous code."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits

YEARS = ["Năm 2026", "Năm 2027", "Năm 2028", "Năm 2029", "Năm 2030"]


def _roadmap(path: Path, extra: list | None = None, years=YEARS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Lộ trình"
    for line in [
        ["UBND XÃ THANH MAI"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "Đơn vị tính", *years],
        ["I", "Mục tiêu giảm nghèo"],
        *([extra] if extra else []),
        [1, "Số hộ nghèo giảm", "Hộ", 22, 20, 15, 12, 10],
        [2, "Số hộ cận nghèo giảm", "Hộ", 6, 5, 5, 4, 3],
        ["II", "Kinh phí thực hiện"],
        [1, "Tổng kinh phí", "Triệu đồng", 900.5, 795, 700, 615, 530],
    ]:
        ws.append(line)
    wb.save(path)
    return path


def _items(path: Path) -> tuple[dict, list[dict]]:
    """{(item, year): value} of the roadmap's tables, and the file's failures."""
    data = parse_workbook(path, Limits())
    found = {}
    for t in data.tables:
        assert t.kind == "roadmap", t.kind
        for item, year, num in zip(t.rows["item"], t.rows["year"], t.rows["value__num"]):
            assert (item, year) not in found, f"{item} {year} twice"
            found[(item, year)] = num
    return found, data.failures


def test_a_rate_row_among_the_targets(tmp_path):
    items, failures = _items(_roadmap(tmp_path / "lo trinh.xlsx", [None, "Tỷ lệ hộ nghèo cuối năm (%)", "%", 2.5, 2.1, 1.8, 1.5, 1.2]))
    assert items[("poor_reduction", "2026")] == 22 and items[("budget_total", "2030")] == 530
    assert not any("ty_le" in item for item, _ in items)


def test_the_poor_at_the_start_of_each_year_among_the_targets(tmp_path):
    items, failures = _items(_roadmap(tmp_path / "lo trinh.xlsx", [None, "Số hộ nghèo đầu năm", "Hộ", 112, 90, 70, 55, 43]))
    assert [k for k in items if k[1] == "2026"] == [("poor_reduction", "2026"), ("near_poor_reduction", "2026"), ("budget_total", "2026")]
    assert items[("poor_reduction", "2026")] == 22
    assert [(f["rule"], f["row"], f["value"]) for f in failures] == [("row_not_used", 6, "Số hộ nghèo đầu năm")]


def test_a_year_with_an_aside(tmp_path):
    years = ["Năm 2026 (năm kế hoạch)", "Năm 2027", "Năm 2028", "Năm 2029", "Năm 2030"]
    items, failures = _items(_roadmap(tmp_path / "lo trinh.xlsx", years=years))
    assert items[("poor_reduction", "2026")] == 22 and sorted({y for _, y in items}) == ["2026", "2027", "2028", "2029", "2030"]
