"""Breakdowns of the poor and near-poor (issue 15) in plan annexes as the sample generator writes them: every
layout (columns under a merged "Trong đó" in three or two header rows, columns named for the subset, rows under
each village and the total, rows under the total only) in every format, encoding and label variant, read back
with the values as generated; each plant at its cell; lineage to the cell a breakdown was read from; province
sums over the communes that give a field; a commune without breakdowns as before, the new columns null.

Each test writes one file per commune (different communes of Thái Nguyên) and reads them in one run."""

from __future__ import annotations

import random

import openpyxl
import polars as pl
import pytest

from giamngheo import pipeline
from giamngheo.failures import finish
from giamngheo.trace import trace
from samplegen.breakdowns import (BREAKDOWN_LAYOUTS, ETHNIC, FIELDS, FORMATS, MERIT, NO_LABOUR, PLANTS, UNUSED_LABEL,
                                  make_breakdowns, write_breakdown_plan)
from samplegen.layouts import LAYOUT_FORMATS, LAYOUTS, write_plan_table
from samplegen.units import load_units
from test_any_table import run_steps

UNITS = sorted((u for u in load_units() if u.province_code == "19"), key=lambda u: u.code)[:16]
VILLAGES = [  # the first one small: zeros, written "-" or left blank, fill most of its row
    {"village": "Tổ dân phố 5", "total": 223, "poor": 1, "near": 2, "pred": 0, "nred": 0},
    {"village": "Tổ 1", "total": 1120, "poor": 96, "near": 40, "pred": 12, "nred": 5},
    {"village": "Tổ 2", "total": 100, "poor": 10, "near": 12, "pred": 2, "nred": 1},
    {"village": "Tổ Phiêng Luông", "total": 95, "poor": 8, "near": 5, "pred": 1, "nred": 1},
]
POOR, TOTAL = sum(v["poor"] for v in VILLAGES), sum(v["total"] for v in VILLAGES)
COUNTS = {"total_households": "total", "poor_households": "poor", "near_poor_households": "near", "poor_reduction_target": "pred",
          "near_poor_reduction_target": "nred"}
# the Vietnamese words each planted rule's message must say
SAYS = {
    "breakdown_le_parent": "nhiều hơn số hộ nghèo",
    "plan_feasible": "có khả năng lao động",
    "row_not_used": "không được tính",
}


def _write(tmp_path, n: int, layout: str, fmt: str, encoding: str | None, plant: str | None = None) -> tuple[str, dict]:
    unit = UNITS[n]
    path = tmp_path / f"{unit.code}_ke_hoach_giam_ngheo.{fmt}"
    variant = BREAKDOWN_LAYOUTS.index(layout) + n  # over the formats of a layout: every label variant, both row styles
    breakdowns = make_breakdowns(random.Random(n), VILLAGES)
    breakdowns[0] = dict.fromkeys(FIELDS, 0)  # a row of zeros under a one-row header: no header row for all its dashes
    truth = write_breakdown_plan(path, layout, unit.name, VILLAGES, breakdowns, 2026, fmt, encoding, plant, variant)
    return unit.code, {**truth, "file": path.name, "format": (fmt, encoding), "layout": layout}


def _run(paths):
    """run_steps, less the outlier warnings: every commune here has the same villages, so any spread stands out."""
    failures, outputs = run_steps(paths)
    return failures.filter(pl.col("rule") != "outlier"), outputs


def _rows(outputs: dict, table: str, code: str) -> pl.DataFrame:
    return outputs[table].filter(pl.col("commune_code") == code)


@pytest.fixture(scope="module")
def layout_run(tmp_path_factory):
    """One run per layout, made once: a commune per format and encoding (clean), one whose annex gives no breakdown,
    and one per plant, the plants of the five layouts going through all the formats and encodings in turn."""
    made = {}

    def run(layout: str) -> dict:
        if layout not in made:
            folder = tmp_path_factory.mktemp(layout)
            clean = dict(_write(folder, n, layout, fmt, enc) for n, (fmt, enc) in enumerate(FORMATS))
            plain = UNITS[len(FORMATS)]
            write_plan_table(folder / f"{plain.code}_ke_hoach.xlsx", "seed", plain.name, VILLAGES)
            li, plants = BREAKDOWN_LAYOUTS.index(layout), {}
            for pi, plant in enumerate(PLANTS):
                code, truth = _write(
                    folder, len(FORMATS) + 1 + pi, layout, *FORMATS[(li * len(PLANTS) + pi) % len(FORMATS)], plant
                )
                plants[code] = {**truth, "planted": plant}
            failures, outputs = _run(sorted(folder.iterdir()))
            made[layout] = {"clean": clean, "plain": plain.code, "plants": plants, "failures": failures, "outputs": outputs}
        return made[layout]

    return run


@pytest.mark.parametrize("layout", BREAKDOWN_LAYOUTS)
def test_every_format_encoding_and_label_reads_back(layout_run, layout):
    run = layout_run(layout)
    written, outputs = run["clean"], run["outputs"]
    failures = run["failures"].filter(~pl.col("source_file").is_in([t["file"] for t in run["plants"].values()]))
    assert failures.is_empty(), failures.select("source_file", "rule", "cell", "message").rows()
    wrong = []
    for code, truth in written.items():
        commune = _rows(outputs, "communes.parquet", code).row(0, named=True)
        villages = _rows(outputs, "villages.parquet", code).sort("source_row")
        got = {
            "status": commune["status"],
            "counts": {f: commune[f] for f in COUNTS},
            "commune": {f: commune[f] for f in FIELDS},
            "rows": villages["source_row"].to_list(),
            "sections": villages["section"].to_list(),
            "villages": [{f: r[f] for f in FIELDS} for r in villages.iter_rows(named=True)],
        }
        want = {
            "status": "accepted",
            "counts": {f: sum(v[k] for v in VILLAGES) for f, k in COUNTS.items()},
            "commune": truth["commune"],
            "rows": [r["row"] for r in truth["rows"]],
            "sections": [None] * len(VILLAGES),
            # given under the total only: the villages say nothing
            "villages": truth["breakdowns"] or [dict.fromkeys(FIELDS)] * len(VILLAGES),
        }
        if got != want:
            wrong.append((truth["format"], truth["labels"], {k: (got[k], want[k]) for k in got if got[k] != want[k]}))
    assert not wrong, wrong
    # the commune without breakdowns: its figures as ever, the new columns null
    other = _rows(outputs, "communes.parquet", run["plain"]).row(0, named=True)
    assert other["poor_households"] == POOR and all(other[f] is None for f in FIELDS)
    # the province: each field summed over the accepted communes that give it, and how many do
    accepted = [*written.values(), *(t for t in run["plants"].values() if t["planted"] != "exceeds")]
    province = outputs["provinces.parquet"].row(0, named=True)
    for f in FIELDS:
        given = [t["commune"][f] for t in accepted if t["commune"][f] is not None]
        assert (province[f], province[f"{f}_communes"]) == (sum(given), len(given)), f
    # the formats of a layout carry every label variant
    used = [t["labels"] for t in written.values()]
    assert {u[0] for u in used} == set(ETHNIC) and {u[1] for u in used} == set(NO_LABOUR) and {u[2] for u in used} == set(MERIT)


@pytest.mark.parametrize("layout", BREAKDOWN_LAYOUTS)
def test_each_plant_fails_at_its_cell_with_its_rule_and_a_vietnamese_message(layout_run, layout):
    run = layout_run(layout)
    failures, outputs = run["failures"], run["outputs"]
    assert sorted(t["planted"] for t in run["plants"].values()) == sorted(PLANTS)
    for code, truth in run["plants"].items():
        rule, cell = truth["plant"]
        assert rule == PLANTS[truth["planted"]][0]
        mine = failures.filter(pl.col("source_file") == truth["file"])
        assert mine.select("rule", "cell", "severity").rows() == [(rule, cell, PLANTS[truth["planted"]][1])], (
            truth["format"],
            mine.rows(),
        )
        message = mine["message"][0]
        assert message.startswith(f"Ô {cell}") and SAYS[rule] in message, message
        commune = _rows(outputs, "communes.parquet", code).row(0, named=True)
        assert commune["status"] == ("rejected" if truth["planted"] == "exceeds" else "accepted"), truth["format"]
        if truth["planted"] == "unused":  # the row's figure is reported, never counted
            assert UNUSED_LABEL in message and commune["poor_households"] == POOR


def run_with_lineage(paths):
    """run_steps's steps, also keeping the lineage (the cells behind every figure) that `giamngheo trace` reads."""
    import test_any_table as T

    records = []
    for path in paths:
        st_ = path.stat()
        records.append(T.FileRecord(T.FileEntry(path.name, path, st_.st_size, st_.st_mtime), path.name, True,
                                    T.parse_workbook(path, T.Limits())))
    T.resolve_files(records, T.Resolver(T.load_reference(), "19"))
    T.choose_submissions(records, "19")
    frames = pipeline.tabulate(records)
    checked = pipeline.check_tables(frames)
    file_failures = pipeline.file_level_failures(records, [], None, None, 2026)
    context = pipeline.run_context(records, frames, checked, file_failures, None, ["19"], T.load_reference(), "prop", 2026)
    consolidated = pipeline.aggregate(context)
    lineage, findings = pipeline.trace(context, consolidated)
    failures = finish(
        pl.concat([file_failures, findings, checked.failures, consolidated.failures], how="diagonal_relaxed"), "prop"
    )
    return failures.filter(pl.col("rule") != "outlier"), consolidated.tables, lineage


def test_lineage_and_trace_of_breakdowns_point_at_the_cells_they_were_read_from(tmp_path):
    written = dict(_write(tmp_path, n, layout, *FORMATS[(3 * n) % len(FORMATS)]) for n, layout in enumerate(BREAKDOWN_LAYOUTS))
    failures, tables, lineage = run_with_lineage(sorted(tmp_path.iterdir()))
    assert failures.is_empty(), failures.select("rule", "cell").rows()
    for code, truth in written.items():
        cells = lineage.filter((pl.col("commune_code") == code) & pl.col("field").is_in(FIELDS))
        got = sorted(cells.select("field", "cell", "value").rows())
        if truth["breakdowns"] is None:  # under the total only: the total's "Trong đó" rows
            want = [(f, truth["cells"][("total", f)], truth["commune"][f]) for f in FIELDS if truth["commune"][f] is not None]
        else:  # a village's own cell: its "Trong đó" row below it, or its column
            want = [
                (f, truth["cells"][(i, f)], b[f]) for i, b in enumerate(truth["breakdowns"]) for f in FIELDS if b[f] is not None
            ]
        assert got == sorted(want), (truth["layout"], truth["format"])
        if truth["layout"].startswith("rows"):  # never the village's (or total's) own row
            assert not set(cells["source_row"]) & {r["row"] for r in truth["rows"]}
    out = tmp_path / "out"
    out.mkdir()
    lineage.write_parquet(out / "lineage.parquet")
    for name in ("communes.parquet", "provinces.parquet"):
        tables[name].write_parquet(out / name)
    for code, truth in written.items():
        t = trace(out, code, "poor_no_labour")
        assert t.total == t.reported == truth["commune"]["poor_no_labour"] and t.matches
        assert sorted(t.cells["cell"]) == sorted(c for (_, f), c in truth["cells"].items() if f == "poor_no_labour"
                                                 and (truth["breakdowns"] is None) == (_ == "total"))
    province = trace(out, "19", "poor_ethnic_minority")
    assert province.total == province.reported == sum(t["commune"]["poor_ethnic_minority"] for t in written.values())


def test_plan_annexes_without_breakdowns_read_as_before_with_the_new_columns_null(tmp_path):
    """Every plan layout of the generator, none giving a breakdown: the counts as written, the five fields null in
    villages, communes and the province (given by no commune), no breakdown rule raised."""
    for n, layout in enumerate(LAYOUTS):
        unit = UNITS[n]
        write_plan_table(tmp_path / f"{unit.code}_ke_hoach.{LAYOUT_FORMATS[layout]}", layout, unit.name, VILLAGES, seed=n)
    failures, outputs = _run(sorted(tmp_path.iterdir()))
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("source_file", "rule", "cell").rows()
    assert failures.filter(pl.col("rule").is_in(["breakdown_le_parent", "plan_feasible", "row_not_used"])).is_empty()
    communes = outputs["communes.parquet"]
    assert communes.height == len(LAYOUTS) and set(communes["status"]) == {"accepted"}
    assert set(communes["poor_households"]) == {POOR} and set(communes["total_households"]) == {TOTAL}
    for table in ("villages.parquet", "communes.parquet", "provinces.parquet"):
        frame = outputs[table]
        assert frame.select(FIELDS).null_count().row(0) == (frame.height,) * len(FIELDS), table
    province = outputs["provinces.parquet"].row(0, named=True)
    assert [province[f"{f}_communes"] for f in FIELDS] == [0] * len(FIELDS)


def _villages_of_annex(tmp_path, rows: list[list]):
    """villages.parquet of a Bắc Kạn annex of `rows` under its title (header first), read with no failure, by sheet row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"], ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], *rows):
        ws.append(r)
    wb.save(tmp_path / "ke hoach.xlsx")
    failures, outputs = run_steps([tmp_path / "ke hoach.xlsx"])
    assert failures.is_empty(), failures.select("rule", "cell").rows()
    return outputs["villages.parquet"].sort("source_row")


def test_a_blank_trong_do_row_is_no_section(tmp_path):
    """A "Trong đó" row left blank (no such household in the village) names no section of the villages below it;
    a numbered heading naming ethnic minorities still does."""
    villages = _villages_of_annex(tmp_path, [
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo năm 2026"],
        [1, "Thôn Nà Mò", 100, 10, 5, 2], [None, "- Trong đó: hộ DTTS", None, 7, 3], [None, "- Hộ không có KNLĐ"],
        [None, "Không có sức lao động"], [None, "- Hộ có người có công"],
        [2, "Thôn Bản Chang", 80, 6, 4, 1], [None, "- Hộ không có KNLĐ", None, 1],
        ["II", "Vùng đồng bào DTTS"], [3, "Thôn Khuổi Ha", 50, 4, 2, 1],
        [None, "Tổng cộng", 230, 20, 11, 4]])
    # the blank row is 0 where the table gives its subset on another row, as a blank in a breakdown's column (was null;
    # independent probe, Sơn La); a subset no row gives (merit), and a village with no row of a subset, give none
    assert villages.select("village_name", "section", "poor_ethnic_minority", "poor_no_labour", "poor_merit").rows() == [
        ("Thôn Nà Mò", None, 7, 0, None), ("Thôn Bản Chang", None, None, 1, None),
        ("Thôn Khuổi Ha", "II. Vùng đồng bào DTTS", None, None, None)]


@pytest.mark.slow
def test_a_generated_province_with_breakdowns(tmp_path):
    """generate_province(breakdowns=N): N accepted communes' plan annexes and N accepted year-end results rewritten
    with breakdowns, the same villages and counts; read back as their truth says, the other communes giving none."""
    import json

    from samplegen.province import generate_province

    truth = generate_province(tmp_path, "19", breakdowns=len(BREAKDOWN_LAYOUTS))
    given = {code: e for code, e in truth["communes"].items() if "breakdowns" in e}
    assert len(given) == len(BREAKDOWN_LAYOUTS) and {e["layout"] for e in given.values()} == {
        f"breakdowns_{x}" for x in BREAKDOWN_LAYOUTS
    }
    results = {
        c: e for c, e in json.loads((tmp_path / "results_truth.json").read_text())["communes"].items() if "breakdowns" in e
    }
    assert len(results) == len(BREAKDOWN_LAYOUTS)
    files = sorted(p for p in (tmp_path / "communes").rglob("*") if p.is_file())
    failures, outputs = run_steps(files)
    communes = outputs["communes.parquet"]
    for code, entry in given.items():
        row = communes.filter(pl.col("commune_code") == code).row(0, named=True)
        assert row["status"] == "accepted" and {f: row[f] for f in FIELDS} == entry["breakdowns"], code
        assert row["poor_households"] == entry["poor_households"]
    assert communes.filter(pl.any_horizontal(pl.col(FIELDS).is_not_null()))["commune_code"].to_list() == sorted(given)
    ends = outputs["results_communes.parquet"]
    for code, entry in results.items():
        row = ends.filter(pl.col("commune_code") == code).row(0, named=True)
        assert row["status"] == "accepted", code
        assert {f: row[f] for f in entry["breakdowns"]} == entry["breakdowns"], (code, entry["layout"])
        assert (row["poor_households_start"], row["poor_households_end"]) == (
            entry["poor_households_start"],
            entry["poor_households_end"],
        )
    new_rules = ["row_not_used", "breakdown_le_parent", "plan_feasible"]
    assert failures.filter(pl.col("rule").is_in(new_rules)).is_empty(), failures.filter(pl.col("rule").is_in(new_rules)).rows()


def test_a_village_of_dashes_under_a_one_row_header_is_a_village(tmp_path):
    """A small village whose zeros are dashes ("1 | Tổ 1 | 223 | 1 | - | - | - | 2 | - | …", a third of its cells
    numbers) right under a one-row header is data, not a second header row (it was: the village lost, its cells
    read as column labels)."""
    path = tmp_path / "ke hoach.csv"
    path.write_text(
        "\n".join(
            [
                "UBND PHƯỜNG BẮC KẠN",
                "PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026",
                "STT;Tổ dân phố;Tổng số hộ;Số hộ nghèo;Hộ nghèo DTTS;Hộ nghèo không có KNLĐ;Hộ nghèo có người có công;Số hộ cận "
                "nghèo;"
                "Hộ cận nghèo DTTS;Hộ cận nghèo không có KNLĐ;Chỉ tiêu giảm hộ nghèo;Chỉ tiêu giảm hộ cận nghèo",
                "1;Tổ 1;223;1;-;-;-;2;-;-;-;-",
                "2;Tổ 2;211;6;4;1;-;3;3;-;2;1",
                ";Tổng cộng;434;7;4;1;-;5;3;-;2;1",
            ]
        ),
        encoding="utf-8-sig",
    )
    failures, outputs = run_steps([path])
    assert failures.filter(pl.col("rule") != "outlier").is_empty(), failures.select("rule", "cell").rows()
    villages = outputs["villages.parquet"].sort("source_row")
    assert villages.select("village_name", "poor_households", "poor_ethnic_minority", "near_poor_ethnic_minority").rows() == [
        ("Tổ 1", 1, 0, 0), ("Tổ 2", 6, 4, 3)]


@pytest.mark.parametrize("label, subset", [
    ("Hộ nghèo có công cụ sản xuất", "other"),  # tools, not merit ("có công" inside "có công cụ")
    ("Hộ nghèo thân nhân liệt sĩ", "merit"), ("Hộ nghèo có thương binh, bệnh binh", "merit"),
    ("Hộ có người có công", "merit"), ("Trong đó: hộ DTTS", "ethnic_minority"),
])
def test_merit_columns_by_what_they_say(label, subset):
    from giamngheo.layout import fields as F
    from giamngheo.layout.vocabulary import load_vocabulary

    assert F.subsets(load_vocabulary().header.tags(label)) == {subset}


def test_knld_alone_beside_the_count_is_the_households_without_labour_capacity(tmp_path):
    """"Hộ nghèo | Trong đó: DTTS | KNLĐ | Người có công", the README's own example: "KNLĐ" alone was ignored without a word,
    and a probe's commune lost its 23 poor and 10 near-poor households without labour capacity (12-06)."""
    villages = _villages_of_annex(tmp_path, [
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", "Trong đó: DTTS", "KNLĐ", "Người có công", "Hộ cận nghèo",
         "Trong đó: DTTS", "KNLĐ", "Chỉ tiêu giảm hộ nghèo năm 2026"],
        [1, "Thôn Nà Mò", 100, 10, 5, 2, 1, 6, 3, 1, 2], [2, "Thôn Bản Chang", 80, 6, 4, 3, 0, 4, 2, 0, 1]])
    assert villages.select("poor_ethnic_minority", "poor_no_labour", "poor_merit", "near_poor_no_labour").rows() == [
        (5, 2, 1, 1), (4, 3, 0, 0)]


def _annex_with_merges(tmp_path, rows: list[list], merges: list[str]):
    """villages.parquet (by sheet row) and the failures of a Bắc Kạn annex: two title rows, then `rows` (the header
    first), with `merges`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"], ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], *rows):
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(tmp_path / "ke hoach.xlsx")
    failures, outputs = run_steps([tmp_path / "ke hoach.xlsx"])
    return outputs["villages.parquet"].sort("source_row"), failures


SPLIT_HEAD = ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", None, None, "Hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo năm 2026"]
SPLIT_MERGES = ["A3:A5", "B3:B5", "C3:C5", "D3:F3", "D4:D5", "E4:F4", "G3:G5", "H3:H5"]


@pytest.mark.parametrize("parent, children, field, want", [
    ("KNLĐ", ("Có", "Không"), "poor_no_labour", [6, 4]),  # the capacity itself: "Không" is the households without it
    ("Khả năng lao động", ("Có", "Không"), "poor_no_labour", [6, 4]),
    ("Người có công", ("Có", "Không"), "poor_merit", [24, 16]),
    ("Dân tộc", ("Kinh", "Thiểu số"), "poor_ethnic_minority", [6, 4]),
])
def test_a_subset_split_by_a_word_alone(tmp_path, parent, children, field, want):
    """"KNLĐ" over "Có | Không": each child took its parent's subset and the first was read, the households able to work
    as poor_no_labour (24 for 6, and a false plan_feasible); "Dân tộc" over "Kinh | Thiểu số" read the Kinh households
    as the ethnic minority (independent probe, Điện Biên). The word says which column is the subset."""
    rows = [SPLIT_HEAD, [None, None, None, "Tổng số", parent, None], [None, None, None, None, *children],
            [1, "Thôn Nà Mò", 100, 30, 24, 6, 10, 2], [2, "Thôn Bản Chang", 80, 20, 16, 4, 8, 1]]
    villages, failures = _annex_with_merges(tmp_path, rows, SPLIT_MERGES)
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    assert villages["poor_households"].to_list() == [30, 20] and villages[field].to_list() == want
    assert failures.filter(pl.col("rule") == "plan_feasible").is_empty()


def test_the_poor_by_ethnic_group_are_no_minority_count(tmp_path):
    """"Chia theo dân tộc" over "Kinh | Thái | Mông | Khác": the Kinh column was the ethnic minority (or the row of group
    names a village with no name, the commune rejected). No column is the minorities' whole: the figure is not given."""
    head = ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", None, None, None, None, "Hộ cận nghèo", "Số hộ nghèo giảm"]
    rows = [head, [None, None, None, "Tổng số", "Chia theo dân tộc", None, None, None],
            [None, None, None, None, "Kinh", "Thái", "Mông", "Khác"],
            [1, "Thôn Nà Pen", 120, 30, 3, 10, 15, 2, 10, 5], [2, "Thôn Huổi Lếch", 90, 20, 2, 8, 9, 1, 8, 4]]
    merges = ["A3:A5", "B3:B5", "C3:C5", "D3:H3", "D4:D5", "E4:H4", "I3:I5", "J3:J5"]
    villages, failures = _annex_with_merges(tmp_path, rows, merges)
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell").rows()
    assert villages["village_name"].to_list() == ["Thôn Nà Pen", "Thôn Huổi Lếch"]
    assert villages["poor_ethnic_minority"].to_list() == [None, None]


@pytest.mark.parametrize("label", ["Hộ nghèo không có khả năng lao động (thuộc đối tượng BTXH)",
                                   "Hộ nghèo thuộc đối tượng bảo trợ xã hội (không có khả năng lao động)",
                                   "Hộ nghèo không còn sức lao động"])
def test_no_labour_said_with_social_protection_or_otherwise(tmp_path, label):
    """Each was ignored without a word (no labour and BTXH named together read as two subsets; "không còn sức lao
    động" unknown): poor_no_labour null, the plan's feasibility unchecked (independent probe, Điện Biên)."""
    villages = _villages_of_annex(tmp_path, [
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", label, "Hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo năm 2026"],
        [1, "Thôn Nà Mò", 100, 10, 2, 6, 2], [2, "Thôn Bản Chang", 80, 6, 3, 4, 1]])
    assert villages["poor_no_labour"].to_list() == [2, 3]


def test_of_which_past_the_counts_rate(tmp_path):
    """"Hộ nghèo / Số hộ | Tỷ lệ (%) | Trong đó: DTTS": the breakdown is of the count before the rate (was not read)."""
    villages, failures = _annex_with_merges(tmp_path, [
        ["STT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", None, "Trong đó: DTTS", "Hộ cận nghèo", None, "Trong đó: DTTS",
         "Chỉ tiêu giảm hộ nghèo năm 2026"],
        [None, None, None, "Số hộ", "Tỷ lệ (%)", None, "Số hộ", "Tỷ lệ (%)"],
        [1, "Thôn Nà Mò", 100, 10, 10.0, 7, 6, 6.0, 2, 2], [2, "Thôn Bản Chang", 80, 8, 10.0, 5, 4, 5.0, 1, 1]],
        ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:H3", "I3:I4", "J3:J4"])
    assert failures.is_empty(), failures.select("rule", "cell").rows()
    assert villages.select("poor_ethnic_minority", "near_poor_ethnic_minority").rows() == [(7, 2), (5, 1)]


def test_a_trong_do_row_whose_figure_is_under_the_other_group_is_reported(tmp_path):
    """"- Hộ nghèo DTTS" with its 7 typed under "Số hộ cận nghèo": the poor's cell was read (blank), the 7 went nowhere,
    no failure (independent probe, Điện Biên). The row is reported with its cell; the well-formed rows are read."""
    villages, failures = _annex_with_merges(tmp_path, [
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo năm 2026"],
        [1, "Thôn Nà Mò", 100, 10, 6, 2], [None, "- Hộ nghèo DTTS", None, 7, None, None],
        [None, "- Hộ cận nghèo DTTS", None, None, 3, None],
        [2, "Thôn Huổi Lếch", 80, 8, 4, 1], [None, "- Hộ nghèo DTTS", None, None, 7, None]], [])
    assert villages.select("poor_ethnic_minority", "near_poor_ethnic_minority").rows() == [(7, 3), (None, None)]
    assert failures.select("rule", "cell").rows() == [("row_not_used", "B8")]
