"""The breakdowns in the reports: who the poor are per commune, and the plans relying on households without
labour capacity (an analyst sheet and an HTML section), from a finished run folder; nothing without breakdowns."""

from __future__ import annotations

import polars as pl

from giamngheo.kinds import KIND_BY_NAME
from giamngheo.kinds.breakdowns_report import breakdown_section, breakdown_sheets

BREAKDOWNS = ["poor_ethnic_minority", "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit"]


def _communes(tmp_path, rows: list[dict]):
    base = {"commune_name": None, "status": "accepted", "poor_households": None, "near_poor_households": None,
            "poor_reduction_target": None, **{f: None for f in BREAKDOWNS}}
    frame = pl.DataFrame([{**base, **r} for r in rows], schema_overrides={f: pl.Int64 for f in (*BREAKDOWNS, "poor_households",
                                                                                                  "near_poor_households", "poor_reduction_target")})
    frame.write_parquet(tmp_path / "communes.parquet")
    return tmp_path


def test_sheet_and_section_show_shares_and_plans_beyond_the_poor_able_to_work(tmp_path):
    run = _communes(tmp_path, [
        # the real ward of the issue: 21 of its 38 poor households cannot work, its plan lifts 15 (17 can: feasible)
        {"commune_code": "01843", "commune_name": "Phường Bắc Kạn", "poor_households": 38, "near_poor_households": 40,
         "poor_no_labour": 21, "poor_reduction_target": 15, "poor_ethnic_minority": 19},
        {"commune_code": "05800", "commune_name": "Xã Phú Thịnh", "poor_households": 30, "near_poor_households": 20,
         "poor_no_labour": 21, "poor_reduction_target": 12, "poor_ethnic_minority": 24, "near_poor_ethnic_minority": 5},
        {"commune_code": "05803", "commune_name": "Xã Không Báo", "poor_households": 10, "poor_reduction_target": 2},  # gives none
        {"commune_code": "05806", "commune_name": "Xã Bị Loại", "status": "rejected", "poor_ethnic_minority": 3},
    ])
    sheets = breakdown_sheets(run)
    assert [s.name for s in sheets] == ["Cơ cấu hộ nghèo", "KH vượt hộ có khả năng LĐ"] and all(len(s.name) <= 31 for s in sheets)
    table = sheets[0].frame
    assert table["Mã xã"].to_list() == ["01843", "05800"]  # accepted communes that give a breakdown
    assert table["Tỷ lệ DTTS/hộ nghèo (%)"].to_list() == [50.0, 80.0]
    assert table["Tỷ lệ DTTS/hộ cận nghèo (%)"].to_list() == [None, 25.0]
    assert table["Hộ nghèo có khả năng LĐ"].to_list() == [17, 9]
    assert table["Kế hoạch"].to_list() == ["", "Vượt số hộ có khả năng LĐ"]
    assert "hộ DTTS chiếm 63,24 % (2 xã)" in sheets[0].notes[1]  # 43 of 68
    relying = sheets[1].frame
    assert relying.select("Mã xã", "Kế hoạch giảm", "Có khả năng LĐ", "Vượt (hộ)").rows() == [("05800", 12, 9, 3)]
    html = breakdown_section(run)
    assert 'id="co-cau-ho-ngheo"' in html and "Xã Phú Thịnh" in html and "80,00%" in html and "50,00%" in html
    assert "<td>Xã Phú Thịnh</td><td>30</td><td>21</td><td>9</td><td>12</td><td>3</td>" in html
    assert "Xã Bị Loại" not in html and "Xã Không Báo" not in html


def test_no_breakdowns_no_sheet_nor_section(tmp_path):
    run = _communes(tmp_path, [{"commune_code": "05803", "poor_households": 10, "poor_reduction_target": 2}])
    assert breakdown_sheets(run) == [] and breakdown_section(run) == ""
    assert breakdown_sheets(tmp_path / "nothing here") == []


def test_the_plan_kind_declares_them():
    plan = KIND_BY_NAME["plan"]
    assert plan.report_sheets is breakdown_sheets and plan.report_section is breakdown_section
