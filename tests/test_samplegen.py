"""The sample generator (samplegen): determinism, readability, truth = cells.

Files are read back with python-calamine, openpyxl, xlrd, odfpy and the csv module
directly, never with the project's own reader.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import xlrd
from python_calamine import CalamineWorkbook

from samplegen import (
    DEFAULT_SEED, LAYOUT_EXT, LAYOUT_FORMATS, LAYOUTS, PLANTS, RESULT_LAYOUTS, generate_national, generate_province,
    make_plan, make_results, write_plan_table, write_results_table,
)
from samplegen.encodings import tcvn3, vni

REPO = Path(__file__).resolve().parents[1]
CHECKED_IN = REPO / "data" / "raw" / "thai-nguyen-2026"
REQUIRED_LAYOUTS = {"seed", "flat_total_first", "csv_semicolon", "nfd_text_numbers", "tcvn3", "xls_sections",
                    "second_sheet_3row", "csv_comma_cp1258", "ods", "reordered", "vni"}
PLAN_RULES = {"numeric", "integer", "non_negative", "total_positive", "poor_le_total", "near_poor_le_total",
              "poor_plus_near_poor_le_total", "reduction_le_baseline", "unique_village", "formula_without_value",
              "required_columns", "table_found", "readable", "total_row_matches_sum", "rate_matches_counts",
              "superseded_submission", "legacy_unit_name", "hidden_content"}
SAMPLE_KEYS = {"status", "file", "layout", "plant", "villages", "expect", "name"}
ACCEPTED_KEYS = SAMPLE_KEYS | {"rows", "total_households", "poor_households", "near_poor_households",
                               "poor_reduction_target", "near_poor_reduction_target", "assigned_pp"}
FIELDS = ("total", "poor", "near", "pred", "nred")


# --- reading files back, independently of the project's reader -------------------------------


def read_grids(path: Path) -> list[tuple[str, list[list]]]:
    """Every sheet as a list of rows (1-based row r is grid[r - 1]); a CSV is one sheet."""
    fmt = sniff(path)
    if fmt == "csv":
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
            delimiter = ";"
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1258")
            delimiter = ";" if text.count(";") > text.count(",") else ","
        text = unicodedata.normalize("NFC", text)
        return [("csv", [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)])]
    wb = CalamineWorkbook.from_path(str(path))
    return [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]


def sniff(path: Path) -> str:
    head = path.read_bytes()[:8]
    if head.startswith(b"PK"):
        with __import__("zipfile").ZipFile(path) as zf:
            return "ods" if "mimetype" in zf.namelist() else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def number(cell):
    """A cell as a number: numbers stay, Vietnamese number text is parsed, blank and "-" are 0."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell).strip()
    if text in ("", "-", "–", "x"):
        return 0.0
    try:
        return float(text.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def cell_name(cell, layout: str) -> str:
    """What the name cell should equal once legacy / NFD text is turned back into Unicode NFC."""
    return unicodedata.normalize("NFC", str(cell)).strip()


def expected_name(name: str, layout: str) -> str:
    if layout == "tcvn3":
        return tcvn3(name)
    if layout == "vni":
        return vni(name)
    return name


def check_rows(path: Path, layout: str, rows: list[dict]) -> None:
    """Each truth row sits at its recorded row: the name is there and its figures are among the cells."""
    grids = read_grids(path)
    first = rows[0]
    sheets = [(n, g) for n, g in grids if len(g) >= first["row"] and any(
        cell_name(c, layout) == expected_name(first["village"], layout) for c in g[first["row"] - 1])]
    assert sheets, f"{path.name}: first village {first['village']!r} not found at row {first['row']}"
    _, grid = sheets[0]
    for r in rows:
        cells = grid[r["row"] - 1]
        names = [cell_name(c, layout) for c in cells if isinstance(c, str)]
        assert expected_name(r["village"], layout) in names, (path.name, r, cells)
        nums = Counter(x for x in (number(c) for c in cells if not (isinstance(c, str) and number(c) is None)) if x)
        want = Counter(float(r[f]) for f in FIELDS if r[f])
        assert not (want - nums), (path.name, r, cells)


# --- layouts -------------------------------------------------------------------------------


def sample_villages(seed: int = 7, sections=None, ward=False):
    villages, _ = make_plan(random.Random(seed), ward, (12, 18), sections=sections)
    return villages


SECTIONS = ["I. Xã Phú Cường (cũ)", "II. Xã Bản Ngoại (cũ)"]


def test_layouts_listed():
    assert REQUIRED_LAYOUTS <= set(LAYOUTS)
    assert len(LAYOUTS) >= 8
    assert set(LAYOUT_EXT) == set(LAYOUTS)
    assert set(RESULT_LAYOUTS) >= {"official", "simple"} and len(RESULT_LAYOUTS) >= 3


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_opens_and_rows_match(tmp_path, layout):
    sections = SECTIONS if layout == "xls_sections" else None
    villages = sample_villages(sections=sections)
    path = tmp_path / f"x{LAYOUT_EXT[layout]}"
    rows = write_plan_table(path, layout, "Xã Phú Thịnh", villages, 2026, doc_date=(15, 5), doc_number=12)
    assert len(rows) == len(villages)
    assert all(set(r) >= {"village", "total", "poor", "near", "pred", "nred", "row"} for r in rows)
    assert len({r["row"] for r in rows}) == len(rows)
    fmt = LAYOUT_FORMATS[layout]
    assert sniff(path) == fmt
    if fmt == "xlsx":
        openpyxl.load_workbook(path)
    elif fmt == "xls":
        xlrd.open_workbook(str(path))
    elif fmt == "ods":
        from odf.opendocument import load

        load(str(path))
    check_rows(path, layout, rows)
    if sections:
        assert [r["section"] for r in rows] == [v["section"] for v in villages]
        grid = read_grids(path)[0][1]
        for label in SECTIONS:
            assert any(label in row for row in grid)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_deterministic(tmp_path, layout):
    villages = sample_villages(seed=3, sections=SECTIONS if layout == "xls_sections" else None)
    paths = []
    for n in (1, 2):
        path = tmp_path / str(n) / f"x{LAYOUT_EXT[layout]}"
        path.parent.mkdir()
        write_plan_table(path, layout, "Phường Sông Công", villages, 2026, seed=5)
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_ward_and_plants_in_one_table(tmp_path):
    villages = sample_villages(seed=11, ward=True)
    path = tmp_path / "p.xlsx"
    total = sum(v["total"] for v in villages)
    rows = write_plan_table(path, "flat_total_first", "Phường Sông Công", villages, 2026, hidden={2},
                            formula=(4, "total"), declared={"total": total + 100})
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert ws.row_dimensions[rows[2]["row"]].hidden
    formula_cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert [c.row for c in formula_cells] == [rows[4]["row"]]
    cached = openpyxl.load_workbook(path, data_only=True).active
    assert cached.cell(formula_cells[0].row, formula_cells[0].column).value is None  # no cached value
    grid = read_grids(path)[0][1]
    total_row = next(row for row in grid if "Toàn phường" in row)
    assert total + 100 in [number(c) for c in total_row]


def test_text_encodings():
    assert tcvn3("Tổng số hộ") == "Tæng sè hé"
    assert vni("Tổng số hộ") == "Toång soá hoä"
    assert tcvn3("UBND XÃ PHÚ THỊNH") == "UBND X· PHó THÞNH"  # .VnTimeH: lower-case codes


def test_results_layouts_balance(tmp_path):
    villages = sample_villages(seed=4)
    rows = make_results(random.Random(4), villages)
    for r, v in zip(rows, villages):
        assert r["poor_start"] == v["poor"] and r["near_start"] == v["near"]
    for layout in RESULT_LAYOUTS:
        path = tmp_path / f"{layout}.xlsx"
        truth = write_results_table(path, layout, "Xã Phú Thịnh", rows, 2026)
        assert len(truth) == len(rows)
        grids = read_grids(path)
        for t in truth:
            assert t["poor_end"] == t["poor_start"] - t["poor_decrease"] + t["poor_increase"]
            assert t["near_end"] == t["near_start"] - t["near_decrease"] + t["near_increase"]
            found = [g for _, g in grids if len(g) >= t["row"] and t["village"] in g[t["row"] - 1]]
            assert found, (layout, t)
            cells = [number(c) for c in found[0][t["row"] - 1] if not isinstance(c, str) or number(c) is not None]
            assert float(t["poor_start"]) in cells and float(t["poor_end"]) in cells


# --- the province ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("thai-nguyen-2026")
    truth = generate_province(out, "19", DEFAULT_SEED)
    return out, truth


def test_province_truth_structure(province):
    out, truth = province
    assert set(truth) >= {"province_code", "communes", "files", "superseded", "province", "unresolved"}
    communes = truth["communes"]
    assert len(communes) == 92
    statuses = Counter(c["status"] for c in communes.values())
    assert statuses["missing"] == 4
    for code, c in communes.items():
        if c["status"] == "missing":
            assert c == {"status": "missing"}
        elif c["status"] == "accepted":
            assert set(c) == ACCEPTED_KEYS, code
        else:
            assert set(c) == SAMPLE_KEYS, code
        if c["status"] != "missing":
            assert (out / "communes" / c["file"]).is_file(), c["file"]
            assert truth["files"][c["file"]] == code
    for rel in list(truth["files"]) + list(truth["superseded"]) + list(truth["unresolved"]):
        assert (out / "communes" / rel).is_file(), rel
    assert (out / "chi_tieu_giao_2026.xlsx").is_file()
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth


def test_province_totals_are_sums(province):
    _, truth = province
    communes = truth["communes"]
    accepted = [c for c in communes.values() if c["status"] == "accepted"]
    for c in accepted:
        assert c["villages"] == len(c["rows"])
        assert c["total_households"] == sum(r["total"] for r in c["rows"])
        assert c["poor_households"] == sum(r["poor"] for r in c["rows"])
        assert c["near_poor_households"] == sum(r["near"] for r in c["rows"])
        assert c["poor_reduction_target"] == sum(r["pred"] for r in c["rows"])
        assert c["near_poor_reduction_target"] == sum(r["nred"] for r in c["rows"])
    p = truth["province"]
    assert p["communes_expected"] == 92
    assert p["communes_accepted"] == len(accepted)
    assert p["communes_accepted"] + p["communes_rejected"] + p["communes_missing"] == 92
    for key in (
        "total_households",
        "poor_households",
        "near_poor_households",
        "poor_reduction_target",
        "near_poor_reduction_target",
    ):
        assert p[key] == sum(c[key] for c in accepted)


def test_province_plants(province):
    _, truth = province
    seen: Counter = Counter()
    for code, c in truth["communes"].items():
        if c["status"] == "missing":
            continue
        rules = c["expect"]["errors"] + c["expect"]["warnings"]
        assert (c["status"] == "rejected") == bool(c["expect"]["errors"])
        if c["plant"] and c["plant"] != "real_annex":
            assert rules == [PLANTS[c["plant"]][0]], (code, c["plant"], rules)
        seen.update(rules)
    seen.update(truth["unresolved"].values())
    for rule in PLAN_RULES:
        assert seen[rule] >= 1, rule
    assert set(truth["unresolved"].values()) == {"commune_resolved", "wrong_province"}
    assert seen["total_row_matches_sum"] == 2  # the planted one and the real Phú Thịnh annex


def test_phu_thinh_real_annex(province):
    out, truth = province
    c = truth["communes"]["05800"]
    assert c["layout"] == "seed" and c["status"] == "accepted"
    assert c["expect"] == {"errors": [], "warnings": ["total_row_matches_sum", "baseline_matches_targets"]}
    assert c["villages"] == 40
    assert (c["total_households"], c["poor_households"], c["near_poor_households"]) == (5053, 127, 118)
    assert (c["poor_reduction_target"], c["near_poor_reduction_target"]) == (45, 45)
    grids = dict(read_grids(out / "communes" / c["file"]))
    annex = grids["Phụ lục"]
    total_row = next(row for row in annex if "Tổng" in row)
    assert [number(x) for x in total_row[2:]] == [5441, 127, 118, 43, 0.79, 43, 0.79]
    assert annex[5][:2] == [1.0, "Ba Giăng"] and c["rows"][0]["row"] == 6
    assert annex[18][8] == "-"  # Phú Hạ: the "-" of the document


def test_province_layouts_and_cells(province):
    out, truth = province
    used = Counter(c["layout"] for c in truth["communes"].values() if c["status"] == "accepted" and not c["plant"])
    for layout in LAYOUTS:
        assert used[layout] >= 2, (layout, used)
    for c in truth["communes"].values():
        if c["status"] == "accepted":
            check_rows(out / "communes" / c["file"], c["layout"], c["rows"])


def test_superseded_is_older(province):
    out, truth = province
    assert len(truth["superseded"]) == 1
    (old_rel, code), = truth["superseded"].items()
    new_rel = truth["communes"][code]["file"]
    assert os.stat(out / "communes" / old_rel).st_mtime < os.stat(out / "communes" / new_rel).st_mtime
    assert "superseded_submission" in truth["communes"][code]["expect"]["warnings"]
    texts = [str(c) for _, g in read_grids(out / "communes" / new_rel) for row in g for c in row]
    assert any("ngày 20 tháng 10 năm 2026" in t for t in texts)


def test_results_truth(province):
    out, truth = province
    results = json.loads((out / "results_truth.json").read_text(encoding="utf-8"))["communes"]
    accepted_plans = sum(1 for c in truth["communes"].values() if c["status"] == "accepted")
    assert len(results) >= accepted_plans // 2
    assert set(Counter(r["layout"] for r in results.values())) == set(RESULT_LAYOUTS)
    planted = [r for r in results.values() if r["planted_balance"]]
    assert 2 <= len(planted) <= 3 and all(r["status"] == "rejected" for r in planted)
    for code, r in results.items():
        assert (out / "communes" / r["file"]).is_file()
        if r["status"] == "accepted":
            assert r["poor_households_start"] == truth["communes"][code]["poor_households"]
            assert r["near_poor_households_start"] == truth["communes"][code]["near_poor_households"]


def test_checked_in_sample_is_what_the_generator_writes(province):
    """data/raw/thai-nguyen-2026 is exactly `python -m samplegen province` output."""
    out, truth = province
    if not CHECKED_IN.exists():
        pytest.skip("sample province not generated")
    assert json.loads((CHECKED_IN / "truth.json").read_text(encoding="utf-8")) == truth
    assert json.loads((CHECKED_IN / "results_truth.json").read_text(encoding="utf-8")) == json.loads(
        (out / "results_truth.json").read_text(encoding="utf-8"))
    generated = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    checked = sorted(p.relative_to(CHECKED_IN).as_posix() for p in CHECKED_IN.rglob("*") if p.is_file() and p.name != "README.md")
    assert generated == checked
    for rel in generated:
        assert file_content(out / rel) == file_content(CHECKED_IN / rel), rel


def file_content(path: Path):
    """Bytes, or for zip containers (.xlsx, .ods) the entries, their data and timestamps: the
    deflate stream itself may differ between zlib builds. (Upgrading openpyxl or xlwt may
    change their output: regenerate the sample then.)"""
    import zipfile

    data = path.read_bytes()
    if not data.startswith(b"PK"):
        return data
    try:
        with zipfile.ZipFile(path) as zf:
            return [(i.filename, i.date_time, zf.read(i.filename)) for i in zf.infolist()]
    except zipfile.BadZipFile:  # the planted truncated workbook: unreadable either way
        return "truncated zip"


# --- national corpus ------------------------------------------------------------------------


def test_national_small(tmp_path):
    summary = generate_national(tmp_path / "nat", seed=3, n_communes=150, results=True)
    assert summary["provinces"] == 34
    assert summary["communes"] == 150
    truth = json.loads((tmp_path / "nat" / "truth.json").read_text(encoding="utf-8"))
    files = [p for p in (tmp_path / "nat").rglob("*") if p.is_file() and p.name != "truth.json"]
    assert len(files) == summary["files"]
    accepted = [c for c in truth["communes"].values() if c["status"] == "accepted"]
    assert sum(c["villages"] for c in accepted) == summary["village_rows"]
    assert all(10 <= c["villages"] <= 50 for c in accepted)
    again = generate_national(tmp_path / "nat2", seed=3, n_communes=150, results=True)
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in summary.items() if k != "seconds"}
    assert json.loads((tmp_path / "nat2" / "truth.json").read_text(encoding="utf-8")) == truth
