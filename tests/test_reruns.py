"""Reruns after a correction: only the changed file is parsed, the fixed failure is marked fixed."""

from __future__ import annotations

import json
import shutil

import openpyxl
import polars as pl

from conftest import THAI_NGUYEN

FIXED_FILE = "05851_xa_quan_chu.xlsx"  # planted: D13 holds 3.5 households (rule integer)


def test_rerun_parses_only_the_corrected_file_and_marks_the_fix(run_flow, tmp_path):
    raw = tmp_path / "communes"
    shutil.copytree(THAI_NGUYEN / "communes", raw)
    out = tmp_path / "out"
    targets = THAI_NGUYEN / "chi_tieu_giao_2026.xlsx"
    run_flow(raw, out, targets=targets, province="19")
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(f["parsed"] for f in first["files"])
    before = pl.read_parquet(out / "validation_failures.parquet")
    assert set(before["history"]) == {"new"}

    # nothing changed: nothing parsed, every failure persists
    run_flow(raw, out, targets=targets, province="19")
    again = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in again["files"] if f["parsed"]] == []
    h = pl.read_parquet(out / "failure_history.parquet")
    assert h.filter(pl.col("history") != "persisting").select("source_file", "rule", "cell", "history").to_dicts() == []

    # the commune sends a corrected file: 3 households instead of 3.5 (and its total row, D5, to match)
    book = openpyxl.load_workbook(raw / FIXED_FILE)
    sheet = next(ws for ws in book.worksheets if ws["D13"].value == 3.5)
    sheet["D13"] = 3
    sheet["D5"] = sheet["D5"].value - 0.5
    book.save(raw / FIXED_FILE)
    run_flow(raw, out, targets=targets, province="19")
    third = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in third["files"] if f["parsed"]] == [FIXED_FILE]

    history = pl.read_parquet(out / "failure_history.parquet")
    fixed = history.filter(pl.col("history") == "fixed")
    assert fixed.select("rule", "cell", "commune_code").to_dicts() == [{"rule": "integer", "cell": "D13", "commune_code": "05851"}]
    current = pl.read_parquet(out / "validation_failures.parquet")
    assert current.filter(pl.col("history") != "persisting").select("source_file", "rule", "cell", "value", "expected").to_dicts() == []
    assert current.height == before.height - 1
    communes = pl.read_parquet(out / "communes.parquet")
    assert communes.filter(pl.col("commune_code") == "05851")["status"].to_list() == ["accepted"]
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert len(runs) == 3 and runs[-1] == third["run_id"]
