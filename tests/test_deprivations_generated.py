"""Deprivation tables as the sample generator writes them (issue 16): both orientations, full and abbreviated
labels, every format and encoding, read back with the generated counts; each plant at its rule."""

from __future__ import annotations

import polars as pl
import pytest

from samplegen.deprivations import FORMATS, ORIENTATIONS, PLANTS, write_deprivation_table
from test_deprivations import steps

COMMUNE = "Phường Bắc Kạn"  # 01843, Thái Nguyên (19)
VILLAGES = [("Tổ 1", 30, 20), ("Tổ 2", 34, 35)]


def _counts(outputs: dict) -> dict[str, list[int]]:
    rows = outputs["deprivations.parquet"].sort("indicator_id")
    return {g: rows.filter(pl.col("group") == g)["households_deprived"].to_list() for g in ("poor", "near_poor")}


@pytest.mark.parametrize("fmt, encoding", FORMATS)
@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_every_orientation_format_and_encoding_reads_back(tmp_path, orientation, fmt, encoding):
    short = FORMATS.index((fmt, encoding)) % 2 == 1
    path = tmp_path / f"thieu hut.{fmt}"
    truth = write_deprivation_table(path, orientation, COMMUNE, VILLAGES, fmt, encoding, short=short)
    failures, outputs, _ = steps([path])
    assert failures.filter(pl.col("severity") == "error").is_empty(), failures.select("rule", "cell", "message").rows()
    assert _counts(outputs) == {"poor": truth["poor"], "near_poor": truth["near"]}
    sizes = outputs["deprivations.parquet"].group_by("group").agg(pl.col("households_in_group").first())
    assert dict(sizes.iter_rows()) == {"poor": 64, "near_poor": 55}


@pytest.mark.parametrize("plant", list(PLANTS))
def test_each_plant_fails_with_its_rule(tmp_path, plant):
    path = tmp_path / "thieu hut.xlsx"
    orientation = "indicators_down"
    truth = write_deprivation_table(path, orientation, COMMUNE, VILLAGES, "xlsx", None, plant=plant)
    rule, cell = truth["plant"]
    failures, outputs, _ = steps([path, _plan(tmp_path)] if plant == "group" else [path])
    found = failures.filter(pl.col("rule") == rule)
    assert not found.is_empty(), failures.select("rule", "cell").rows()
    if cell:
        assert found["cell"].to_list() == [cell]
    assert found["severity"][0] == PLANTS[plant][1] and found["message"][0]


def _plan(tmp_path):
    """The commune's plan with the villages' baseline (group sizes 64 poor, 55 near-poor)."""
    from test_deprivations import plan

    return plan(tmp_path / "ke hoach.xlsx")


@pytest.mark.slow
def test_a_generated_province_with_deprivation_tables(tmp_path):
    """generate_province(deprivations=N): N accepted communes send a deprivation table beside their plan; every
    table reads back as generated, its group sizes the plan's (no group_matches_plan), the other communes none."""
    from samplegen.province import generate_province

    truth = generate_province(tmp_path, "19", deprivations=6, results=False)
    sent = {code: e["deprivations"] for code, e in truth["communes"].items() if "deprivations" in e}
    assert len(sent) == 6 and {d["orientation"] for d in sent.values()} == set(ORIENTATIONS)
    files = sorted(p for p in (tmp_path / "communes").rglob("*") if p.is_file())
    failures, outputs, _ = steps(files)
    assert failures.filter(pl.col("rule").is_in(["group_matches_plan", "deprived_le_group", "indicator_set",
                                                  "poor_deprivations_at_least_three", "near_poor_deprivations_under_three"])).is_empty()
    rows = outputs["deprivations.parquet"]
    assert sorted(rows["commune_code"].unique()) == sorted(sent)
    for code, d in sent.items():
        mine = rows.filter(pl.col("commune_code") == code).sort("indicator_id")
        assert mine.filter(pl.col("group") == "poor")["households_deprived"].to_list() == d["poor"], code
        assert mine.filter(pl.col("group") == "near_poor")["households_deprived"].to_list() == d["near_poor"], code
