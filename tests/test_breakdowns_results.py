"""Breakdowns of the poor and near-poor (issue 15) in year-end results, at the start and the end of the year: as
the sample generator writes them (samplegen/results_breakdowns.py: grouped columns, the official package's
"Kết quả rà soát" with "Trong đó" columns, '- Trong đó' rows under each village and the total, under the total
only, under a total that comes first) in every format and encoding, read back with the values as generated, each
plant at its cell, lineage at the cells read; and two hand-written tables."""

from __future__ import annotations

import random

import polars as pl
import pytest

from samplegen.data import make_results
from samplegen.breakdowns import FORMATS
from samplegen.results_breakdowns import (FIELDS, PLANTS, RESULT_BREAKDOWN_LAYOUTS, make_results_breakdowns, result_formats,
                                          write_results_breakdowns)
from test_any_table import run_steps
from test_breakdowns import SAYS, UNITS, VILLAGES, run_with_lineage


def _write(tmp_path, n: int, layout: str, fmt: str, encoding: str | None, plant: str | None = None) -> tuple[str, dict]:
    unit = UNITS[n]
    rows = make_results(random.Random(n), VILLAGES)
    path = tmp_path / f"Ket qua ra soat 2026 - {unit.code}.{fmt}"
    truth = write_results_breakdowns(path, layout, unit.name, rows, make_results_breakdowns(random.Random(n), rows), 2026, fmt,
                                     encoding, plant, RESULT_BREAKDOWN_LAYOUTS.index(layout) + n)
    return unit.code, {**truth, "file": path.name, "format": (fmt, encoding), "layout": layout}


def _of(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    return frame.filter(pl.col("commune_code") == code)


@pytest.fixture(scope="module")
def layout_run(tmp_path_factory):
    """One run per layout, made once: a commune per format and encoding (clean) and one per plant, the plants of
    the five layouts going through the formats in turn."""
    made = {}

    def run(layout: str) -> dict:
        if layout not in made:
            folder = tmp_path_factory.mktemp(layout)
            formats = result_formats(layout)
            clean = dict(_write(folder, n, layout, fmt, enc) for n, (fmt, enc) in enumerate(formats))
            li, plants = RESULT_BREAKDOWN_LAYOUTS.index(layout), {}
            for pi, plant in enumerate(PLANTS):
                code, truth = _write(folder, len(FORMATS) + pi, layout, *formats[(li * len(PLANTS) + pi) % len(formats)], plant)
                plants[code] = {**truth, "planted": plant}
            failures, outputs = run_steps(sorted(folder.iterdir()))
            made[layout] = {"clean": clean, "plants": plants, "outputs": outputs,
                            "failures": failures.filter(pl.col("rule") != "outlier")}  # the same villages in every commune
        return made[layout]

    return run


@pytest.mark.parametrize("layout", RESULT_BREAKDOWN_LAYOUTS)
def test_every_results_layout_format_and_encoding_reads_back(layout_run, layout):
    run = layout_run(layout)
    written, outputs = run["clean"], run["outputs"]
    failures = run["failures"].filter(~pl.col("source_file").is_in([t["file"] for t in run["plants"].values()]))
    assert failures.is_empty(), failures.select("source_file", "rule", "cell", "message").rows()
    wrong = []
    for code, truth in written.items():
        commune = _of(outputs["results_communes.parquet"], code).row(0, named=True)
        villages = _of(outputs["results_villages.parquet"], code).sort("source_row")
        got = {
            "status": commune["status"],
            "counts": [commune[f] for f in ("poor_households_start", "poor_households_end", "near_poor_households_end")],
            "commune": {f: commune[f] for f in FIELDS},
            "villages": [{f: r[f] for f in FIELDS} for r in villages.iter_rows(named=True)],
        }
        want = {
            "status": "accepted",
            "counts": [sum(v[k] for v in truth["villages"]) for k in ("poor_start", "poor_end", "near_end")],
            "commune": truth["commune"],
            "villages": truth["breakdowns"] or [dict.fromkeys(FIELDS)] * len(VILLAGES),
        }
        if got != want:
            wrong.append((truth["format"], truth["labels"], {k: (got[k], want[k]) for k in got if got[k] != want[k]}))
    assert not wrong, wrong
    accepted = [*written.values(), *(t for t in run["plants"].values() if t["planted"] != "exceeds")]
    province = outputs["provinces.parquet"].row(0, named=True)
    for f in FIELDS:
        given = [t["commune"][f] for t in accepted if t["commune"][f] is not None]
        assert (province[f], province[f"{f}_communes"]) == (sum(given) if given else None, len(given)), f


@pytest.mark.parametrize("layout", RESULT_BREAKDOWN_LAYOUTS)
def test_each_results_plant_fails_at_its_cell(layout_run, layout):
    run = layout_run(layout)
    assert sorted(t["planted"] for t in run["plants"].values()) == sorted(PLANTS)
    for code, truth in run["plants"].items():
        rule, cell = truth["plant"]
        mine = run["failures"].filter(pl.col("source_file") == truth["file"])
        assert mine.select("rule", "cell", "severity", "source_sheet").rows() == [
            (rule, cell, PLANTS[truth["planted"]][1], truth["sheet"])], (truth["format"], mine.rows())
        assert mine["message"][0].startswith(f"Ô {cell}") and SAYS[rule] in mine["message"][0]
        commune = _of(run["outputs"]["results_communes.parquet"], code).row(0, named=True)
        assert commune["status"] == ("rejected" if truth["planted"] == "exceeds" else "accepted"), truth["format"]
        if truth["planted"] == "unused":  # the row's figure is reported, never counted
            assert commune["poor_households_end"] == sum(v["poor_end"] for v in truth["villages"])


def test_results_lineage_points_at_the_breakdown_cells(tmp_path):
    written = dict(_write(tmp_path, n, layout, "xlsx", None) for n, layout in enumerate(RESULT_BREAKDOWN_LAYOUTS))
    failures, tables, lineage = run_with_lineage(sorted(tmp_path.iterdir()))
    assert failures.filter(pl.col("severity") == "error").is_empty()
    for code, truth in written.items():
        cells = _of(lineage, code).filter(pl.col("field").is_in(FIELDS))
        assert set(cells["source_sheet"]) == {truth["sheet"]}
        if truth["breakdowns"] is None:
            want = [(f, truth["cells"][("total", f)], truth["commune"][f]) for f in FIELDS if truth["commune"][f] is not None]
        else:
            want = [
                (f, truth["cells"][(i, f)], b[f]) for i, b in enumerate(truth["breakdowns"]) for f in FIELDS if b[f] is not None
            ]
        assert sorted(cells.select("field", "cell", "value").rows()) == sorted(want), truth["layout"]


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
    header = [
        [
            "STT",
            "Tên tổ dân phố",
            "Tổng số hộ cuối kỳ",
            "Số hộ nghèo đầu kỳ",
            "Số hộ thoát nghèo",
            "Số hộ nghèo phát sinh mới",
            "Số hộ nghèo cuối kỳ",
            "Số hộ cận nghèo đầu kỳ",
            "Số hộ cận nghèo cuối kỳ",
        ]
    ]
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
    fixed = _results(
        tmp_path / "ket qua 2.xlsx",
        [
            [1, "Tổ 1", 121, 20, 5, 1, 16, 10, 12],
            ["-", "Trong đó: hộ DTTS", None, 15, 4, 1, 12, 8, 9],
            [2, "Tổ 2", 101, 10, 3, 0, 7, 12, 11],
            ["-", "Trong đó: hộ DTTS", None, 9, 2, 0, 7, 10, 10],
            ["", "Tổng cộng", 222, 30, 8, 1, 23, 22, 23],
            ["", "- Trong đó: hộ nghèo có người có công", None, 1, None, None, 1, None, None],
        ],
        header,
    )
    failures, outputs = run_steps([fixed])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    commune = outputs["results_communes.parquet"].row(0, named=True)
    assert (
        commune["poor_ethnic_minority_start"],
        commune["poor_ethnic_minority_end"],
        commune["near_poor_ethnic_minority_end"],
    ) == (24, 19, 19)
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
    assert (commune["poor_households_end"], commune["poor_ethnic_minority_end"], commune["near_poor_ethnic_minority_end"]) == (
        23,
        19,
        19,
    )


def test_a_subset_beside_a_count_takes_its_start_or_end_and_no_other_words(tmp_path):
    """"Hộ nghèo cuối năm | Trong đó: hộ nghèo DTTS": the subset names its group but not the stage, and was
    column_not_used; a subset over the limit was accepted (hostile files judge, Cao Bằng). It is of the count on its left,
    at its start or end; a plan's "Số hộ cận nghèo giảm | Hộ cận nghèo DTTS" stays the near-poor's DTTS, not the
    decrease's (the first version of this reading lost it)."""
    from giamngheo.parse import parse_workbook
    from giamngheo.readers.grid import Limits
    from layouts.grids import Grid, write_book

    results = write_book(tmp_path / "ket qua.xlsx", Grid([
        ["UBND XÃ PHÚ THỊNH"], ["BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ cuối năm", "Hộ nghèo đầu năm", "Số hộ thoát nghèo", "Hộ nghèo phát sinh mới",
         "Hộ nghèo cuối năm", "Trong đó: hộ nghèo DTTS", "Hộ cận nghèo đầu năm", "Hộ cận nghèo cuối năm"],
        [1, "Thôn Na Thành", 120, 5, 2, 1, 4, 3, 6, 6]]))
    (table,) = [t for t in parse_workbook(results, Limits()).tables if t.kind == "results"]
    assert table.columns.get("poor_ethnic_minority_end") == 8
    plan = write_book(tmp_path / "ke hoach.xlsx", Grid([
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm",
         "Hộ nghèo DTTS", "Hộ cận nghèo DTTS"],
        [1, "Thôn Na Thành", 120, 5, 4, 1, 1, 3, 2]]))
    (table,) = parse_workbook(plan, Limits()).tables
    assert (table.columns.get("poor_ethnic_minority"), table.columns.get("near_poor_ethnic_minority")) == (8, 9)
