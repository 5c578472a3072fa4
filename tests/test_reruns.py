"""Reruns after a correction: only the changed file is parsed, the fixed failure is marked fixed."""

from __future__ import annotations

import hashlib
import json
import os
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
    # the targets workbook is an input too: which version of it the run used
    listed = first["targets"].pop("communes")  # the communes the workbook lists: the ledger expects them
    assert first["targets"] == {
        "path": str(targets),
        "size": targets.stat().st_size,
        "sha256": hashlib.sha256(targets.read_bytes()).hexdigest(),
    }
    assert len(listed) == 92 and listed == sorted(listed)
    before = pl.read_parquet(out / "validation_failures.parquet")
    assert set(before["history"]) == {"new"}

    # nothing changed but one file's time (copied again, touched): nothing parsed, every failure persists, and that file's
    # content first came when the first run saw it (the ledger judged it late by its new time; independent probe)
    touched = sorted(raw.glob("*.xlsx"))[0]
    os.utime(touched, (2_000_000_000, 2_000_000_000))
    run_flow(raw, out, targets=targets, province="19")
    again = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in again["files"] if f["parsed"]] == []
    was = next(f for f in first["files"] if f["path"] == touched.name)
    now = next(f for f in again["files"] if f["path"] == touched.name)
    assert now["modified"] > was["modified"] and now["first_seen"] == was["first_seen"] == was["modified"]
    h = pl.read_parquet(out / "failure_history.parquet")
    assert h.filter(pl.col("history") != "persisting").select("source_file", "rule", "cell", "history").to_dicts() == []
    # row for row as the first run's (a join left them in any order: a comparison of two runs saw changes that were not)
    unchanged = pl.read_parquet(out / "validation_failures.parquet")
    assert unchanged.drop("run_id", "history").equals(before.drop("run_id", "history"))
    assert h.schema == pl.read_parquet(out / "runs" / first["run_id"] / "failure_history.parquet").schema

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
    assert fixed.select("rule", "cell", "commune_code").to_dicts() == [
        {"rule": "integer", "cell": "D13", "commune_code": "05851"}
    ]
    current = pl.read_parquet(out / "validation_failures.parquet")
    assert (
        current.filter(pl.col("history") != "persisting").select("source_file", "rule", "cell", "value", "expected").to_dicts()
        == []
    )
    assert current.height == before.height - 1
    communes = pl.read_parquet(out / "communes.parquet")
    assert communes.filter(pl.col("commune_code") == "05851")["status"].to_list() == ["accepted"]
    runs = sorted(p.name for p in (out / "runs").iterdir())
    assert len(runs) == 3 and runs[-1] == third["run_id"]


def test_diff_reports_exactly_a_planted_change(run_flow, tmp_path):
    """One village's poor count raised by one: the diff shows it at village, commune and province level."""
    raw = tmp_path / "communes"
    shutil.copytree(THAI_NGUYEN / "communes", raw)
    out = tmp_path / "out"
    targets = THAI_NGUYEN / "chi_tieu_giao_2026.xlsx"
    run_flow(raw, out, targets=targets, province="19")
    path = raw / "bieu giam ngheo xa phu thinh.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Phụ lục"]
    assert (sheet["B6"].value, sheet["D6"].value, sheet["D46"].value) == ("Ba Giăng", 3, 127)
    sheet["D6"], sheet["D46"] = 4, 128  # the commune corrects a village and its total row
    book.save(path)
    run_flow(raw, out, targets=targets, province="19")
    d = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    plan = d["plan"]
    assert plan["communes_status"] == []
    (village,) = plan["villages"]["changed"]
    assert village["commune_code"] == "05800" and village["village_name"] == "Ba Giăng"
    assert village["changes"]["poor_households"] == {"before": 3, "after": 4, "delta": 1}
    (commune,) = plan["communes"]
    assert commune["commune_code"] == "05800"
    assert commune["changes"]["poor_households"] == {"before": 127, "after": 128, "delta": 1}
    (province,) = plan["provinces"]
    assert province["changes"]["poor_households"]["delta"] == 1
    assert [f["rule"] for f in d["failures"]["appeared"]] == ["baseline_matches_targets"]  # targets still say 127
    assert d["failures"]["fixed"] == []
    assert [f["path"] for f in d["files"]["changed"]] == ["bieu giam ngheo xa phu thinh.xlsx"]
