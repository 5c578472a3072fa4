"""Breakdowns of the poor and near-poor (issue 15) as the sample generator writes them: every layout (columns
under a merged "Trong đó", columns named for the subset, rows under each village and the total, rows under the
total only) in every format and encoding, read back with the values as generated; each plant at its cell."""

from __future__ import annotations

import random

import polars as pl
import pytest

from samplegen.breakdowns import BREAKDOWN_LAYOUTS, FIELDS, FORMATS, make_breakdowns, write_breakdown_plan
from test_any_table import run_steps

COMMUNE = "Phường Bắc Kạn"  # 01843, Thái Nguyên (19)
VILLAGES = [
    {"village": "Tổ 1", "total": 120, "poor": 20, "near": 10, "pred": 4, "nred": 2},
    {"village": "Tổ 2", "total": 100, "poor": 10, "near": 12, "pred": 2, "nred": 1},
    {"village": "Tổ Phiêng Luông", "total": 95, "poor": 8, "near": 5, "pred": 1, "nred": 1},
]


def _write(tmp_path, layout, fmt, encoding, plant=None, variant=0, seed=7):
    breakdowns = make_breakdowns(random.Random(seed), VILLAGES)
    path = tmp_path / f"ke hoach {layout}.{fmt}"
    return path, write_breakdown_plan(path, layout, COMMUNE, VILLAGES, breakdowns, 2026, fmt, encoding, plant, variant)


@pytest.mark.parametrize("fmt, encoding", FORMATS)
@pytest.mark.parametrize("layout", BREAKDOWN_LAYOUTS)
def test_every_layout_format_and_encoding_reads_back(tmp_path, layout, fmt, encoding):
    variant = BREAKDOWN_LAYOUTS.index(layout) + FORMATS.index((fmt, encoding))
    path, truth = _write(tmp_path, layout, fmt, encoding, variant=variant)
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell", "message").rows()
    assert failures.filter(pl.col("rule").is_in(["row_not_used", "total_row_matches_sum", "plan_feasible"])).is_empty()
    commune = outputs["communes.parquet"].row(0, named=True)
    assert commune["status"] == "accepted" and commune["poor_households"] == sum(v["poor"] for v in VILLAGES)
    assert {f: commune[f] for f in FIELDS} == truth["commune"]
    villages = outputs["villages.parquet"].sort("source_row")
    assert villages["source_row"].to_list() == [r["row"] for r in truth["rows"]]
    if truth["breakdowns"] is None:  # given under the total only: the villages say nothing
        assert villages.select(FIELDS).null_count().row(0) == (3,) * 5
    else:
        assert [{f: r[f] for f in FIELDS} for r in villages.iter_rows(named=True)] == truth["breakdowns"]
    province = outputs["provinces.parquet"].row(0, named=True)
    assert (province["poor_no_labour"], province["poor_no_labour_communes"]) == (truth["commune"]["poor_no_labour"], 1)


@pytest.mark.parametrize("plant", ["exceeds", "infeasible", "unused"])
@pytest.mark.parametrize("layout", BREAKDOWN_LAYOUTS)
def test_each_plant_fails_at_its_cell(tmp_path, layout, plant):
    path, truth = _write(tmp_path, layout, "xlsx", None, plant)
    rule, cell = truth["plant"]
    failures, outputs = run_steps([path])
    found = failures.filter(pl.col("rule") == rule)
    assert found["cell"].to_list() == [cell], failures.select("rule", "cell").rows()
    assert found["message"][0].startswith("Ô ") and "/" not in found["message"][0][:3]
    status = outputs["communes.parquet"]["status"][0]
    assert status == ("rejected" if plant == "exceeds" else "accepted")
    others = failures.filter((pl.col("rule") != rule) & (pl.col("severity") == "error"))
    assert others.is_empty(), others.select("rule", "cell").rows()


@pytest.mark.slow
def test_a_generated_province_with_breakdowns(tmp_path):
    """generate_province(breakdowns=N): N accepted communes' annexes rewritten with breakdowns, the same villages and
    counts; read back as their truth says, the province's other communes giving none."""
    from samplegen.province import generate_province

    truth = generate_province(tmp_path, "19", breakdowns=5, results=False)
    given = {code: e for code, e in truth["communes"].items() if "breakdowns" in e}
    assert len(given) == 5 and {e["layout"] for e in given.values()} >= {f"breakdowns_{x}" for x in BREAKDOWN_LAYOUTS}
    files = sorted(p for p in (tmp_path / "communes").rglob("*") if p.is_file())
    failures, outputs = run_steps(files)
    communes = outputs["communes.parquet"]
    for code, entry in given.items():
        row = communes.filter(pl.col("commune_code") == code).row(0, named=True)
        assert row["status"] == "accepted" and {f: row[f] for f in FIELDS} == entry["breakdowns"], code
        assert row["poor_households"] == entry["poor_households"]
    assert communes.filter(pl.col("poor_merit").is_not_null())["commune_code"].to_list() == sorted(given)
    assert failures.filter(pl.col("rule").is_in(["row_not_used", "breakdown_le_parent", "plan_feasible"])).is_empty()


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
