"""Breakdowns of the poor and near-poor (issue 15) in year-end results: '- Trong đó' rows and grouped columns of
the results forms, at the start and the end of the year."""

from __future__ import annotations

import polars as pl

from test_any_table import run_steps


def _results(path, rows, header):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"])
    ws.append(["BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"])
    for h in header:
        ws.append(h)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_results_breakdowns_from_rows_at_start_and_end(tmp_path):
    header = [["STT", "Tên tổ dân phố", "Tổng số hộ cuối kỳ", "Số hộ nghèo đầu kỳ", "Số hộ thoát nghèo", "Số hộ nghèo phát sinh mới",
               "Số hộ nghèo cuối kỳ", "Số hộ cận nghèo đầu kỳ", "Số hộ cận nghèo cuối kỳ"]]
    path = _results(tmp_path / "ket qua.xlsx", [
        [1, "Tổ 1", 121, 20, 5, 1, 16, 10, 12],
        ["-", "Trong đó: hộ DTTS", None, 15, 4, 1, 12, 8, 9],
        [2, "Tổ 2", 101, 10, 3, 0, 7, 12, 11],
        ["-", "Trong đó: hộ DTTS", None, 9, 2, 0, 12, 10, 10],  # 12 of the 7 poor at the end: breakdown_le_parent
        ["", "Tổng cộng", 222, 30, 8, 1, 23, 22, 23],
    ], header)
    failures, outputs = run_steps([path])
    errors = failures.filter(pl.col("severity") == "error")
    assert errors.select("rule", "cell", "field").rows() == [("breakdown_le_parent", "G7", "poor_ethnic_minority_end")]
    assert outputs["results_communes.parquet"]["status"].to_list() == ["rejected"]
    fixed = _results(tmp_path / "ket qua 2.xlsx", [
        [1, "Tổ 1", 121, 20, 5, 1, 16, 10, 12], ["-", "Trong đó: hộ DTTS", None, 15, 4, 1, 12, 8, 9],
        [2, "Tổ 2", 101, 10, 3, 0, 7, 12, 11], ["-", "Trong đó: hộ DTTS", None, 9, 2, 0, 7, 10, 10],
        ["", "Tổng cộng", 222, 30, 8, 1, 23, 22, 23], ["", "- Trong đó: hộ nghèo có người có công", None, 1, None, None, 1, None, None],
    ], header)
    failures, outputs = run_steps([fixed])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    commune = outputs["results_communes.parquet"].row(0, named=True)
    assert (commune["poor_ethnic_minority_start"], commune["poor_ethnic_minority_end"], commune["near_poor_ethnic_minority_end"]) == (24, 19, 19)
    assert (commune["poor_merit_start"], commune["poor_merit_end"]) == (1, 1)  # from the total's row: no village gives it
    villages = outputs["results_villages.parquet"].sort("source_row")
    assert villages["poor_ethnic_minority_end"].to_list() == [12, 7]
    province = outputs["provinces.parquet"].row(0, named=True)
    assert (province["poor_ethnic_minority_end"], province["poor_ethnic_minority_end_communes"]) == (19, 1)


def test_results_summary_with_grouped_breakdown_columns(tmp_path):
    """A year-end 'kết quả rà soát' of counts only: "Hộ nghèo / Tổng số | Trong đó: DTTS" are the end counts."""
    header = [["STT", "Tên tổ dân phố", "Tổng số hộ", "Hộ nghèo", None, "Hộ cận nghèo", None],
              [None, None, None, "Tổng số", "Trong đó: DTTS", "Tổng số", "Trong đó: DTTS"]]
    path = _results(tmp_path / "ket qua ra soat.csv.xlsx", [[1, "Tổ 1", 121, 16, 12, 12, 9], [2, "Tổ 2", 101, 7, 7, 11, 10],
                                                             ["", "Tổng cộng", 222, 23, 19, 23, 19]], header)
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    commune = outputs["results_communes.parquet"].row(0, named=True)
    assert (commune["poor_households_end"], commune["poor_ethnic_minority_end"], commune["near_poor_ethnic_minority_end"]) == (23, 19, 19)
