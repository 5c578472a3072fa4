"""Whose a deprivation figure is. An indicator target, as a province's workbook says it: "Toàn tỉnh" or the province's
name (every commune's), a commune by its code alone, a name the run cannot place (said at its cell). A village table's
villages, summed for their commune against the commune's group. Deprivations judge, Điện Biên: the province-wide rows
were dropped without a word, a target by code alone was applied to every commune, and a village the plan lacks made a
commune's rate 141 %."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest
from test_deprivations import _targets, rows_table, steps


def _indicator_sheet(path, header: list, rows: list) -> None:
    wb = openpyxl.load_workbook(path)
    del wb["Chỉ số"]
    ind = wb.create_sheet("Chỉ số")
    ind.append(["CHỈ TIÊU GIẢM THIẾU HỤT CÁC DỊCH VỤ XÃ HỘI CƠ BẢN NĂM 2026"])
    ind.append(header)
    for row in rows:
        ind.append(row)
    wb.save(path)


def _targets_of(outputs: dict) -> tuple[dict, dict]:
    """({indicator: the province's target}, {indicator: the commune's target}) where set."""
    provinces = outputs["deprivations_provinces.parquet"].filter(pl.col("group") == "poor")
    coverage = outputs["deprivations_coverage.parquet"]
    return ({i: t for i, t in zip(provinces["indicator_id"], provinces["target_coverage_pct"]) if t is not None},
            {i: t for i, t in zip(coverage["indicator_id"], coverage["target_coverage_pct"]) if t is not None})


@pytest.mark.parametrize("unit", ["Toàn tỉnh", "Tỉnh Thái Nguyên", "Cả tỉnh"])
def test_the_province_s_row_is_every_commune_s_target(tmp_path, unit):
    path = _targets(tmp_path / "chi tieu.xlsx")
    _indicator_sheet(path, ["STT", "Đơn vị", "Chỉ số", "Chỉ tiêu (%)"],
                     [[1, unit, "Nguồn nước sinh hoạt", 85], [2, unit, "Bảo hiểm y tế", 100]])
    failures, outputs, _ = steps([rows_table(tmp_path / "thieu hut.xlsx")], targets=path)
    assert _targets_of(outputs) == ({4: 100.0, 9: 85.0}, {4: 100.0, 9: 85.0})
    assert failures.filter(pl.col("rule") == "commune_resolved").is_empty()


def test_the_province_s_row_with_the_indicators_across(tmp_path):
    path = _targets(tmp_path / "chi tieu.xlsx")
    _indicator_sheet(path, ["STT", "Tên đơn vị", "Tỷ lệ hộ có BHYT (%)", "Tỷ lệ hộ dùng nước sinh hoạt hợp vệ sinh (%)"],
                     [[None, "Toàn tỉnh", 100, 85]])
    _, outputs, _ = steps([rows_table(tmp_path / "thieu hut.xlsx")], targets=path)
    assert _targets_of(outputs) == ({4: 100.0, 9: 85.0}, {4: 100.0, 9: 85.0})


@pytest.mark.parametrize("code", ["01843", 1843])
def test_a_commune_s_target_by_its_code_alone_is_its_own(tmp_path, code):
    """01843 is Phường Bắc Kạn, the commune of the table; 05800 another: its target is no one else's."""
    path = _targets(tmp_path / "chi tieu.xlsx")
    _indicator_sheet(path, ["STT", "Mã xã", "Chỉ số", "Chỉ tiêu (%)"],
                     [[1, code, "Nhà tiêu hợp vệ sinh", 50], [2, "05800", "Bảo hiểm y tế", 90]])
    _, outputs, _ = steps([rows_table(tmp_path / "thieu hut.xlsx")], targets=path)
    assert _targets_of(outputs) == ({}, {10: 50.0})


def test_a_target_s_unit_the_run_cannot_place_is_said_at_its_cell(tmp_path):
    path = _targets(tmp_path / "chi tieu.xlsx")
    _indicator_sheet(path, ["STT", "Tên xã, phường", "Chỉ số", "Chỉ tiêu (%)"], [[1, "Xã Không Có Thật", "Bảo hiểm y tế", 90]])
    failures, outputs, _ = steps([rows_table(tmp_path / "thieu hut.xlsx")], targets=path)
    assert _targets_of(outputs) == ({}, {})
    said = failures.filter(pl.col("rule") == "commune_resolved")
    assert said.select("source_sheet", "cell", "value").rows() == [("Chỉ số", "B3", "Xã Không Có Thật")]


def _villages_without_sizes(path, villages: list[tuple[str, int]]):
    """Villages as rows, indicator over HN | HCN, no group sizes: the plan's are used."""
    from test_deprivations import SHORT, TITLE

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THIẾU HỤT CÁC CHỈ SỐ NĂM 2026"])
    ws.append([])
    ws.append(["STT", "Tên tổ dân phố", *[x for label in SHORT for x in (label, None)]])
    ws.append([None, None, *["HN", "HCN"] * len(SHORT)])
    for c in range(3, 3 + 2 * len(SHORT), 2):
        ws.merge_cells(start_row=4, start_column=c, end_row=4, end_column=c + 1)
    for i, (name, poor) in enumerate(villages, start=1):
        ws.append([i, name, *[poor, 0] * len(SHORT)])
    wb.save(path)
    return path


def test_villages_summed_beyond_the_commune_s_group_are_an_error(tmp_path):
    """A village the plan lacks (Tổ 9) counted its deprived households in the commune, its poor not: 114 of 64, a rate of
    178 %, accepted with a warning (deprivations judge, Điện Biên). deprived_le_group for the villages together, at their
    indicator, the table rejected; the plan's villages alone within their group stay accepted."""
    from test_deprivations import plan

    table = _villages_without_sizes(tmp_path / "thieu hut.xlsx", [("Tổ 1", 30), ("Tổ 2", 34), ("Tổ 9", 50)])
    failures, outputs, _ = steps([plan(tmp_path / "ke hoach.xlsx"), table])
    over = failures.filter(pl.col("rule") == "deprived_le_group")
    assert over.height == 12 and set(over["value"]) == {"114"} and set(over["expected"]) == {"64"}
    assert over["message"][0].startswith("Các thôn cộng lại, chỉ số “") and "114 hộ thiếu hụt" in over["message"][0]
    assert outputs["deprivations_communes.parquet"]["status"].to_list() == ["rejected"]
    table = _villages_without_sizes(tmp_path / "thieu hut 2.xlsx", [("Tổ 1", 30), ("Tổ 2", 34)])
    failures, outputs, _ = steps([plan(tmp_path / "ke hoach.xlsx"), table])
    assert failures.filter(pl.col("rule") == "deprived_le_group").is_empty()
    assert outputs["deprivations_communes.parquet"]["status"].to_list() == ["accepted"]
