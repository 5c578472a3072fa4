"""The two sample provinces come out exactly as their truth files say (one flow run each)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from truth import plan_problems


def test_development_province_matches_truth(tuyen_quang_run):
    root, out, _ = tuyen_quang_run
    assert plan_problems(root / "truth.json", out) == []


def test_repository_sample_province_matches_generator_truth(thai_nguyen_run):
    root, out, _ = thai_nguyen_run
    assert plan_problems(root / "truth.json", out) == []


def test_unresolvable_files_are_reported_without_a_commune(thai_nguyen_run):
    root, out, _ = thai_nguyen_run
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    failures = pl.read_parquet(out / "validation_failures.parquet")
    for rel, rule in truth["unresolved"].items():
        mine = failures.filter(pl.col("source_file").str.ends_with(rel))
        assert mine["rule"].to_list() == [rule]
        assert mine["commune_code"].to_list() == [None]
        assert mine["severity"].to_list() == ["error"]


def test_phu_thinh_real_annex(thai_nguyen_run):
    """The real document's own mistake (5,441 declared, 5,053 in its rows) is found at its cells."""
    _, out, _ = thai_nguyen_run
    villages = pl.read_parquet(out / "villages.parquet").filter(pl.col("commune_code") == "05800")
    assert villages.height == 40
    assert villages["total_households"].sum() == 5053
    assert villages["poor_households"].sum() == 127
    assert villages["near_poor_households"].sum() == 118
    assert villages["poor_reduction_target"].sum() == 45
    assert villages["near_poor_reduction_target"].sum() == 45
    commune = pl.read_parquet(out / "communes.parquet").filter(pl.col("commune_code") == "05800").to_dicts()[0]
    assert commune["status"] == "accepted"
    assert commune["planned_poor_reduction_pp"] == 0.89
    assert commune["poor_rate_pct"] == 2.51
    failures = pl.read_parquet(out / "validation_failures.parquet").filter(pl.col("commune_code") == "05800")
    got = sorted((r["rule"], r["cell"] or "", r["value"], r["expected"], r["severity"]) for r in failures.to_dicts())
    assert got == [
        # the province's targets workbook copied the annex's declared total
        ("baseline_matches_targets", "", "5053", "5441", "warning"),
        ("total_row_matches_sum", "C46", "5441", "5053", "warning"),
        ("total_row_matches_sum", "F46", "43", "45", "warning"),
        ("total_row_matches_sum", "H46", "43", "45", "warning"),
    ]


def test_province_figures_recomputed_from_truth_rows(thai_nguyen_run):
    """Province totals and rates equal an independent recomputation from the generator's rows."""
    root, out, _ = thai_nguyen_run
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    accepted = [c for c in truth["communes"].values() if c["status"] == "accepted"]
    total = sum(r["total"] for c in accepted for r in c["rows"])
    poor = sum(r["poor"] for c in accepted for r in c["rows"])
    near = sum(r["near"] for c in accepted for r in c["rows"])
    pred = sum(r["pred"] for c in accepted for r in c["rows"])
    province = pl.read_parquet(out / "provinces.parquet").to_dicts()[0]
    assert (province["total_households"], province["poor_households"], province["near_poor_households"]) == (total, poor, near)
    # half-up to two decimals, computed with integers only
    half_up = lambda n, d: ((2 * n * 10000 + d) // (2 * d)) / 100  # noqa: E731
    assert province["poor_rate_pct"] == half_up(poor, total)
    assert province["near_poor_rate_pct"] == half_up(near, total)
    assert province["planned_poor_reduction_pp"] == half_up(pred, total)
    assigned = {code: c.get("assigned_pp") for code, c in truth["communes"].items()}
    communes = pl.read_parquet(out / "communes.parquet").filter(pl.col("status") == "accepted")
    below = sum(1 for r in communes.to_dicts() if r["planned_poor_reduction_pp"] < assigned[r["commune_code"]] - 1e-9)
    assert province["communes_below_target"] == below
    assert province["communes_meeting_target"] == communes.height - below


def test_development_province_results_match_truth(tuyen_quang_run):
    from results_truth import results_problems

    root, out, _ = tuyen_quang_run
    assert results_problems(root / "results_truth.json", out) == []


def test_repository_sample_results_match_generator_truth(thai_nguyen_run):
    from results_truth import results_problems

    root, out, _ = thai_nguyen_run
    assert results_problems(root / "results_truth.json", out) == []


def test_results_leave_plan_figures_unchanged(tuyen_quang_run, run_flow, tmp_path):
    """The plan outputs are the same with and without the year-end results files."""
    import shutil

    root, out, _ = tuyen_quang_run
    raw = tmp_path / "raw"
    shutil.copytree(root / "raw", raw, ignore=shutil.ignore_patterns("ket_qua"))
    (raw / "cu_00691_phuong_ha_giang_2.xlsx").touch()
    __import__("os").utime(raw / "cu_00691_phuong_ha_giang_2.xlsx", (1_770_000_000, 1_770_000_000))
    plans_only = tmp_path / "out"
    run_flow(raw, plans_only, targets=root / "targets.xlsx", province="08")
    for name in ("villages.parquet", "communes.parquet"):
        a = pl.read_parquet(out / name).drop("run_id")
        b = pl.read_parquet(plans_only / name).drop("run_id")
        assert a.equals(b), name
    plan_cols = pl.read_parquet(plans_only / "provinces.parquet").drop("run_id").columns
    assert pl.read_parquet(out / "provinces.parquet").select(plan_cols).equals(
        pl.read_parquet(plans_only / "provinces.parquet").drop("run_id")
    )
    assert not (plans_only / "results_communes.parquet").exists()


def test_analyst_workbook_written_by_the_side_process_holds_the_run(thai_nguyen_run):
    """The workbook a national run writes in its own process: every commune, the province's totals."""
    from openpyxl import load_workbook

    from giamngheo.reports.analyst import label

    _, out, _ = thai_nguyen_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "bao_cao_tong_hop.xlsx" in manifest["reports"]["written"] and manifest["reports"]["problems"] == []
    communes = pl.read_parquet(out / "communes.parquet")
    province = pl.read_parquet(out / "provinces.parquet").to_dicts()[0]
    wb = load_workbook(out / "bao_cao_tong_hop.xlsx", read_only=True)
    rows = list(wb["Xã, phường"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if label("commune_code") in row)
    at = rows[header].index(label("commune_code"))
    assert {row[at] for row in rows[header + 1 :] if row[at]} == set(communes["commune_code"])
    cells = {row[0]: row[2] for row in wb["Tỉnh"].iter_rows(values_only=True) if row and row[0]}
    assert province["poor_households"] in cells.values() and province["total_households"] in cells.values()


def test_every_feedback_copy_is_named_as_the_contract_says_and_listed_in_the_manifest(thai_nguyen_run):
    """feedback/<commune_code>_<source file stem>.xlsx for every file with open failures and a commune; the manifest
    maps each source to its copy (a name cleaned for the file system, or a second copy of one stem, is found there)."""
    from pathlib import PurePosixPath

    _, out, _ = thai_nguyen_run
    copies = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reports"]["feedback"]
    failures = pl.read_parquet(out / "validation_failures.parquet").filter(
        pl.col("commune_code").is_not_null() & ~pl.col("acknowledged").fill_null(False))
    assert set(copies) == set(failures["source_file"]) and all((out / copy).is_file() for copy in copies.values())
    for source, code in failures.select("source_file", "commune_code").unique().iter_rows():
        if source == "05800_xa_phu_thinh.xlsx" or source.startswith("02071_"):
            assert copies[source] == f"feedback/{code}_{PurePosixPath(source).stem}.xlsx"


def test_a_failure_in_a_kinds_table_names_the_kind(thai_nguyen_run):
    """A formula without its value and a hidden row inside a plan's table had no kind: a filter kind == 'plan' missed
    them, and an error of one kind's table rejected every other kind of the same file."""
    _, out, _ = thai_nguyen_run
    failures = pl.read_parquet(out / "validation_failures.parquet")
    found = dict(
        failures.filter(pl.col("rule").is_in(["formula_without_value", "hidden_content"])).select("cell", "kind").iter_rows()
    )
    assert found == {"E19": "plan", "A24": "plan"}
    # (the title cell that named a file's unit, or failed to, is the whole file's: no kind's table)
    of_the_file = pl.col("rule").is_in(["commune_resolved", "wrong_province", "legacy_unit_name"])
    in_tables = failures.filter(pl.col("row").is_not_null() & pl.col("source_sheet").is_not_null() & ~of_the_file)
    assert in_tables.filter(pl.col("kind").is_null()).height == 0


def test_the_provinces_near_poor_at_the_start_is_published_and_traceable(thai_nguyen_run):
    """provinces.parquet had the near-poor at the end and not at the start: `trace` summed the start's cells with no
    published figure to check them against."""
    _, out, _ = thai_nguyen_run
    communes = pl.read_parquet(out / "results_communes.parquet").filter(pl.col("status") == "accepted")
    province = pl.read_parquet(out / "provinces.parquet").row(0, named=True)
    start = communes["near_poor_households_start"].sum()
    assert province["near_poor_households_start"] == start
    # on the same total as the poor's start rate
    ratio = province["poor_rate_start_pct"] / province["poor_households_start"]
    assert province["near_poor_rate_start_pct"] == pytest.approx(start * ratio, abs=0.01)
    lineage = pl.read_parquet(out / "lineage.parquet").filter(pl.col("field") == "near_poor_households_start")
    assert lineage["value"].sum() == start
