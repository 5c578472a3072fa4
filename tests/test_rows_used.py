"""No row with figures is dropped silently (rule row_not_used), in every kind's recogniser; breakdown rows
("- Trong đó: hộ DTTS") folded into the row they break down, at their own cells."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from fixtures.roadmap.make_bac_kan import write as write_bac_kan
from giamngheo.layout.header_rows import looks_numeric
from giamngheo.layout.rows import classify_rows
from giamngheo.layout.tables import find_tables
from giamngheo.parse import parse_workbook
from giamngheo.readers import read_workbook
from giamngheo.readers.grid import Limits
from test_any_table import run_steps
from test_deprivations import rows_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [p for d in (ROOT / "tests/fixtures/tuyen-quang-2026/raw", ROOT / "data/raw/thai-nguyen-2026/communes") if d.is_dir()
           for p in sorted(d.iterdir()) if p.is_file()]
TITLE = "ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"  # 01843, Thái Nguyên (19)
HEADER = ["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"]


def _plan(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PL"
    ws.append([TITLE])
    ws.append(["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_sample_files_use_or_report_every_row_with_figures():
    """Over the sample provinces' files: each sheet row inside a table that holds a number in a column the
    table reads is a village, total, subtotal or section, a breakdown folded into one, a persons' row, or
    reported as not used."""
    assert len(SAMPLES) > 100
    checked = 0
    for path in SAMPLES:
        try:
            book = read_workbook(path, Limits())
        except Exception:  # noqa: BLE001 - the unreadable samples are tested elsewhere
            continue
        for table in find_tables(book):
            figure_cols = [
                c for f, c in table.band.fields.items() if f not in ("village_name", "stt", "note", "breakdown", "unit_code")
            ]
            accounted = {r.row for r in table.rows} | {s for r in table.rows for s in r.sources.values()}
            accounted |= {r for r, _ in table.unused}
            if not accounted:
                continue
            sheet = table.sheet
            for r in range(table.band.first_data_row, max(accounted)):  # 0-based rows inside the table
                values = [sheet.value(r, c) for c in figure_cols]
                if any(v is not None and looks_numeric(v) for v in values) and (r + 1) not in accounted:
                    persons = classify_rows(sheet, table.band).persons
                    assert r + 1 in persons, f"{path.name} {sheet.name} row {r + 1} dropped silently: {values}"
            checked += 1
    assert checked > 100


def test_a_row_of_an_unknown_subset_is_reported_at_its_cell(tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 4],
        ["-", "Trong đó: hộ DTTS", None, 15, 8, None],
        [2, "Tổ 2", 100, 10, 12, 2],
        ["", "Chia ra: hộ bảo trợ xã hội", None, 3, None, None],
        ["", "Tổng cộng", 220, 30, 22, 6],
        ["", "Trong đó: hộ nghèo DTTS không có khả năng lao động", None, 2, None, None],  # two subsets at once
    ])
    failures, outputs = run_steps([path])
    unused = failures.filter(pl.col("rule") == "row_not_used").sort("row")
    assert unused.select("cell", "severity").rows() == [("B7", "warning"), ("B9", "warning")]
    assert "Chia ra: hộ bảo trợ xã hội" in unused["message"][0] and "không được tính" in unused["message"][0]
    villages = outputs["villages.parquet"].sort("source_row")
    # the subset row is no village, and its figures are the first village's breakdown
    assert villages.select("village_name", "poor_households", "poor_ethnic_minority", "near_poor_ethnic_minority").rows() == [
        ("Tổ 1", 20, 15, 8), ("Tổ 2", 10, None, None)]
    assert outputs["communes.parquet"].select("status", "poor_ethnic_minority").row(0) == ("accepted", 15)


def test_a_line_about_some_households_is_no_village(tmp_path):
    """"Hộ mới phát sinh | | 3 | 2" under a village, no households of its own: read as a village, its blank total and
    3 poor of 0 households rejected the commune (independent probe, Sơn La). It is row_not_used; a village stays one."""
    path = _plan(tmp_path / "plan.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 4],
        [None, "Hộ mới phát sinh", None, 3, 2, None],
        [2, "Tổ 2", 100, 10, 12, 2],
        [None, "- Số hộ thuộc diện bảo trợ xã hội", None, 1, None, None],
        [3, "Tổ Hộ Độ", 90, 5, 6, 1],  # a place named "Hộ …" with its number and households: a village
        [None, "Tổng cộng", 310, 35, 28, 7],
    ])
    failures, outputs = run_steps([path])
    assert failures.select("rule", "cell").sort("cell").rows() == [("row_not_used", "B5"), ("row_not_used", "B7")]
    assert outputs["villages.parquet"]["village_name"].to_list() == ["Tổ 1", "Tổ 2", "Tổ Hộ Độ"]
    assert outputs["communes.parquet"].select("status", "poor_households").row(0) == ("accepted", 35)


@pytest.mark.parametrize("total_first", [False, True])
def test_a_note_with_figures_at_the_table_s_end_is_reported(tmp_path, total_first):
    """"Ghi chú: hộ nghèo thuộc diện bảo trợ xã hội | | 6 | 1" as the table's last row, after the total or after the last
    village: its figures went without a word (independent probe, Sơn La). A note of words alone ends the table quietly."""
    rows = [[1, "Tổ 1", 120, 20, 10, 4], [2, "Tổ 2", 100, 10, 12, 2]]
    total = [None, "Tổng cộng", 220, 30, 22, 6]
    rows = [total, *rows] if total_first else [*rows, total]
    path = _plan(tmp_path / "plan.xlsx", [*rows, [None, "Ghi chú: hộ nghèo thuộc diện bảo trợ xã hội", None, 6, 1, None],
                                          [None, "Ghi chú: cột 5 = cột 3 + cột 4"], [None, "Người lập biểu"]])
    failures, outputs = run_steps([path])
    assert failures.select("rule", "cell").rows() == [("row_not_used", "B7")]
    assert outputs["communes.parquet"].select("status", "poor_households").row(0) == ("accepted", 30)


def test_breakdown_cells_are_checked_where_they_are_written(tmp_path):
    """numeric and breakdown_le_parent name the "Trong đó" row's cell, not the village's."""
    path = _plan(tmp_path / "plan.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 4],
        ["-", "Trong đó: hộ DTTS", None, 25, "tám", None],
        [2, "Tổ 2", 100, 10, 12, 2],
        ["", "Tổng cộng", 220, 30, 22, 6],
    ])
    failures, outputs = run_steps([path])
    errors = failures.filter(pl.col("severity") == "error").sort("cell")
    assert errors.select("cell", "field", "rule").rows() == [
        ("D5", "poor_ethnic_minority", "breakdown_le_parent"), ("E5", "near_poor_ethnic_minority", "numeric")]
    assert "25 hộ, nhiều hơn số hộ nghèo (20)" in errors["message"][0]
    assert outputs["communes.parquet"]["status"].to_list() == ["rejected"]


def test_plan_feasible_on_villages_and_on_a_total_whose_villages_give_none(tmp_path):
    villages = _plan(tmp_path / "villages.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 16],
        ["-", "Hộ nghèo không có khả năng lao động", None, 5, None, None],
        [2, "Tổ 2", 100, 10, 12, 2],
        ["-", "Hộ nghèo không có khả năng lao động", None, 1, None, None],
        ["", "Tổng cộng", 220, 30, 22, 18],
    ])
    failures, _ = run_steps([villages])
    found = failures.filter(pl.col("rule") == "plan_feasible")
    assert found.select("cell", "severity").rows() == [("F4", "warning")]
    assert "kế hoạch giảm 16 hộ nghèo" in found["message"][0] and "15 = 20 − 5" in found["message"][0]
    total = _plan(tmp_path / "total.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 12],
        [2, "Tổ 2", 100, 10, 12, 6],
        ["", "Tổng cộng", 220, 30, 22, 18],
        ["", "- Hộ nghèo không có khả năng lao động", None, 21, None, None],
    ])
    failures, outputs = run_steps([total])
    assert failures.filter(pl.col("rule") == "plan_feasible")["cell"].to_list() == ["F6"]
    commune = outputs["communes.parquet"].row(0, named=True)
    assert (commune["poor_no_labour"], commune["poor_reduction_target"], commune["status"]) == (21, 18, "accepted")


def test_roadmap_rows_among_the_years_are_reported(tmp_path):
    path = write_bac_kan(tmp_path / "lo trinh.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.insert_rows(8)  # between 2027 and 2028
    for c, v in enumerate(["Ghi chú bổ sung", 3, 1, 1], start=1):
        ws.cell(8, c, v)
    wb.save(path)
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("rule") == "row_not_used").select("cell", "severity").rows() == [("A8", "warning")]
    assert sorted(outputs["roadmap.parquet"]["year"].unique().to_list()) == [2026, 2027, 2028, 2029, 2030]


def test_deprivation_rows_naming_no_indicator_are_reported(tmp_path):
    path = rows_table(tmp_path / "thieu hut.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    last_indicator = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == 12)
    ws.insert_rows(last_indicator)  # among the indicators, before the last one
    for c, v in enumerate([None, "Hộ không có thành viên đi làm ăn xa", 7, None, 2], start=1):
        ws.cell(last_indicator, c, v)
    ws.insert_rows(last_indicator)  # and a row of figures with no label at all
    ws.cell(last_indicator, 3, 9)
    wb.save(path)
    parsed = parse_workbook(path, Limits())
    found = [(f["cell"], f["value"]) for f in parsed.failures if f["rule"] == "row_not_used"]
    assert found == [(f"A{last_indicator}", None), (f"A{last_indicator + 1}", "Hộ không có thành viên đi làm ăn xa")]
    assert sum(1 for t in parsed.tables for k in t.rows["kind"] if k == "indicator") == 12


@pytest.mark.parametrize("label", ["- Trong đó: hộ DTTS", "+ Hộ đồng bào dân tộc thiểu số", "Trong đó DTTS"])
def test_breakdown_row_label_variants(tmp_path, label):
    path = _plan(
        tmp_path / "plan.xlsx", [[1, "Tổ 1", 120, 20, 10, 4], ["", label, None, 15, 8, None], ["", "Tổng cộng", 120, 20, 10, 4]]
    )
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("rule") == "row_not_used").is_empty()
    assert outputs["villages.parquet"].select("poor_ethnic_minority", "near_poor_ethnic_minority").row(0) == (15, 8)


def test_a_total_under_hộ_nghèo_beside_its_breakdown_is_the_poor(tmp_path):
    """"Hộ nghèo / Tổng số | Trong đó: DTTS": the "Tổng số" under "Hộ nghèo" counts the poor, not all households."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"])
    ws.append(["STT", "Tên tổ dân phố", "Tổng số hộ", "Hộ nghèo", None, "Hộ cận nghèo", None, "Chỉ tiêu giảm hộ nghèo"])
    ws.append([None, None, None, "Tổng số", "Trong đó: DTTS", "Tổng số", "Trong đó: DTTS", None])
    for rng in ("D3:E3", "F3:G3", "A3:A4", "B3:B4", "C3:C4", "H3:H4"):
        ws.merge_cells(rng)
    ws.append([1, "Tổ 1", 121, 16, 12, 12, 9, 3])
    ws.append([2, "Tổ 2", 101, 7, 7, 11, 10, 1])
    ws.append(["", "Tổng cộng", 222, 23, 19, 23, 19, 4])
    wb.save(tmp_path / "plan.xlsx")
    failures, outputs = run_steps([tmp_path / "plan.xlsx"])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    commune = outputs["communes.parquet"].row(0, named=True)
    assert (commune["total_households"], commune["poor_households"], commune["poor_ethnic_minority"]) == (222, 23, 19)
    assert (commune["near_poor_households"], commune["near_poor_ethnic_minority"]) == (23, 19)


def test_a_numbered_breakdown_row_is_no_village(tmp_path):
    """Rows numbered like villages: "2 | Hộ DTTS" is a breakdown of the village above, "3 | Bản Dân Tộc" a village."""
    path = _plan(tmp_path / "plan.xlsx", [
        [1, "Tổ 1", 120, 20, 10, 4],
        [2, "Hộ DTTS", None, 15, 8, None],
        [3, "Bản Dân Tộc", 100, 10, 12, 2],
        ["", "Tổng cộng", 220, 30, 22, 6],
    ])
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    assert outputs["villages.parquet"].sort("source_row").select("village_name", "poor_ethnic_minority").rows() == [
        ("Tổ 1", 15), ("Bản Dân Tộc", None)]


def test_household_list_rows_of_nobody_are_reported_without_a_label(tmp_path, monkeypatch):
    """A list row with figures but no head, code or ID: reported at its row, no cell of it quoted."""
    import random

    from samplegen.households import make_households, write_household_list

    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    path = tmp_path / "danh sach.xlsx"
    write_household_list(path, "Phường Bắc Kạn", make_households(random.Random(1), [("Tổ 1", 3, 2)]))
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = next(r for r in range(1, 20) if any(isinstance(c.value, str) and "nhân khẩu" in c.value.lower() for c in ws[r]))
    members = next(c.column for c in ws[header] if isinstance(c.value, str) and "nhân khẩu" in c.value.lower())
    ws.insert_rows(header + 3)  # after the first household (the row under the header numbers the indicators)
    ws.cell(header + 3, members, 5)
    wb.save(path)
    parsed = parse_workbook(path, Limits())
    found = [(f["row"], f["value"], f["kind"]) for f in parsed.failures if f["rule"] == "row_not_used"]
    assert found == [(header + 3, None, "households")]
    assert sum(len(t.rows["row"]) for t in parsed.tables if t.kind == "households") == 5
