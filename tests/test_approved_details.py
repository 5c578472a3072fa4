"""`diff --against approved` says what moved inside a changed report since its approval: the village, indicator and
group of a deprivation table, a roadmap's year and item; where the approval's run is no longer kept, it says so. It had
said the file's SHA-256 alone (season judge, Quảng Ninh)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from giamngheo.approval_commands import approve, diff_against_approved, render_against_approved

CODES = ["00001", "00002"]


def _run(out: Path, run_id: str, deprived: list[int], village_deprived: int, sha: str) -> None:
    """A published run of deprivation tables: two communes, one indicator a commune, one village of 00001."""
    run_dir = out / "runs" / run_id
    run_dir.mkdir(parents=True)
    common = {"run_id": [run_id] * 2, "commune_code": CODES, "commune_name": ["Xã Một", "Xã Hai"]}
    pl.DataFrame({**common, "status": ["accepted"] * 2, "source_file": ["1.xlsx", "2.xlsx"],
                  "poor_deprived_1": deprived}).write_parquet(run_dir / "deprivations_communes.parquet")
    pl.DataFrame({**common, "indicator_id": [1, 1], "indicator": ["Việc làm"] * 2, "group": ["poor"] * 2,
                  "households_deprived": deprived}).write_parquet(run_dir / "deprivations.parquet")
    pl.DataFrame({"run_id": [run_id], "commune_code": ["00001"], "commune_name": ["Xã Một"], "village_name": ["Thôn Đông"],
                  "indicator_id": [1], "indicator": ["Việc làm"], "group": ["poor"],
                  "households_deprived": [village_deprived]}).write_parquet(run_dir / "deprivations_villages.parquet")
    files = [{"path": "1.xlsx", "sha256": sha}, {"path": "2.xlsx", "sha256": "2" * 64}]
    (run_dir / "manifest.json").write_text(json.dumps({"run_id": run_id, "files": files}), encoding="utf-8")
    current = out / "current"
    if current.is_symlink():
        current.unlink()
    current.symlink_to(f"runs/{run_id}")


def test_a_changed_deprivation_table_says_which_village_and_indicator_moved(tmp_path):
    out = tmp_path / "out"
    _run(out, "r1", [7, 3], 4, "a" * 64)
    approve(out, "Lan", ["00001", "00002"], kind="deprivations")
    _run(out, "r2", [8, 3], 5, "b" * 64)  # a village's count corrected: the commune's total moves with it
    (c,) = diff_against_approved(out)["changed"]
    assert c["commune_code"] == "00001"
    [village] = c["details"]["deprivations_villages.parquet"]
    assert (village["village_name"], village["indicator_id"], village["group"]) == ("Thôn Đông", 1, "poor")
    assert village["changes"]["households_deprived"] == {"before": 4, "after": 5, "delta": 1}
    [commune_row] = c["details"]["deprivations.parquet"]
    assert commune_row["changes"]["households_deprived"]["after"] == 8
    text = render_against_approved(diff_against_approved(out))
    assert "Xã Một (00001), Thôn Đông, chỉ số 1 (Việc làm), hộ nghèo" in text and "4 → 5" in text

    shutil.rmtree(out / "runs" / "r1")  # retention removed the approval's run: said, not guessed
    (c,) = diff_against_approved(out)["changed"]
    assert c["details_unavailable"] and "details" not in c
    assert "không còn lưu" in render_against_approved(diff_against_approved(out))
