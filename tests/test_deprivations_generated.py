"""Deprivation tables as the sample generator writes them (issue 16): every layout (both orientations, 2- and
3-row village headers) x every format and encoding, label variants, group sizes stated or left to the plan,
read back through the real parser with the generated counts at their cells; each plant at its cell and rule."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest
from test_deprivations import plan, steps

from giamngheo.layout.standards import load_standards
from samplegen.deprivations import FORMATS, LABELS, LAYOUTS, ORIENTATIONS, PLANTS, SIZES, orientation_of, write_deprivation_table

COMMUNE = "Phường Bắc Kạn"  # 01843, Thái Nguyên (19); test_deprivations.plan gives its villages' baseline
VILLAGES = [("Tổ 1", 30, 20), ("Tổ 2", 34, 35)]
KEYS = load_standards().for_year(2026).keys  # indicator index -> key
GROUP_RULES = ["deprived_le_group", "poor_deprivations_at_least_three", "near_poor_deprivations_under_three", "indicator_set",
               "group_matches_plan", "rate_matches_counts"]


def _counts(frame: pl.DataFrame, **where) -> dict[str, list[int]]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).sort("indicator_id")
    return {g: rows.filter(pl.col("group") == g)["households_deprived"].to_list() for g in ("poor", "near_poor")}


def _nfc(text):
    return None if text is None else unicodedata.normalize("NFC", text)


def _variant(layout: str, fmt: str, encoding: str | None) -> int:
    return LAYOUTS.index(layout) + FORMATS.index((fmt, encoding))


@pytest.mark.parametrize("fmt, encoding", FORMATS, ids=[f"{f}-{e or 'unicode'}" for f, e in FORMATS])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_format_and_encoding_reads_back(tmp_path, layout, fmt, encoding):
    n = _variant(layout, fmt, encoding)
    labels, sizes = LABELS[n % len(LABELS)], SIZES[n // len(LABELS) % len(SIZES)]
    path = tmp_path / f"thieu hut.{fmt}"
    truth = write_deprivation_table(
        path, layout, COMMUNE, VILLAGES, fmt, encoding, labels=labels, sizes=sizes, total_row=n % 2 == 1
    )
    failures, outputs, lineage = steps([path, plan(tmp_path / "ke hoach.xlsx")])
    assert failures.is_empty(), failures.select("rule", "cell", "value", "expected").rows()
    communes = outputs["deprivations.parquet"]
    assert _counts(communes) == {"poor": truth["poor"], "near_poor": truth["near"]}
    sizes_read = communes.group_by("group").agg(pl.col("households_in_group").unique())
    assert {g: s for g, s in sizes_read.iter_rows()} == {"poor": [64], "near_poor": [55]} and truth["sizes"] == (64, 55)
    assert outputs["deprivations_communes.parquet"].select("status", "indicators", "group_source").row(0) == (
        "accepted",
        12,
        sizes,
    )
    villages = outputs["deprivations_villages.parquet"].with_columns(
        pl.col("village_name").map_elements(_nfc, return_dtype=pl.Utf8)
    )
    if orientation_of(layout) == "villages_down":
        for name, (poor, near) in truth["villages"].items():
            assert _counts(villages, village_name=name) == {"poor": poor, "near_poor": near}, name
    else:
        assert villages.is_empty()
    # every count at the cell it was written to, with its value
    read = {(_nfc(r["village_name"]) or "", r["indicator"], r["field"]): (r["cell"], r["value"])
            for r in lineage.filter(pl.col("kind") == "deprivations").iter_rows(named=True)}
    written = {
        (unit, KEYS[k], f"{g}_deprived"): (
            cell,
            (truth["villages"][unit] if unit else (truth["poor"], truth["near"]))[g != "poor"][k],
        )
        for (unit, k, g), cell in truth["cells"].items()
    }
    assert read == written


@pytest.mark.parametrize("plant, layout", [(p, layout) for p, (_, _, layouts) in PLANTS.items() for layout in layouts])
def test_each_plant_is_reported_at_its_cell(tmp_path, plant, layout):
    rule, severity, _ = PLANTS[plant]
    n = list(PLANTS).index(plant) + LAYOUTS.index(layout)
    fmt, encoding = FORMATS[n % len(FORMATS)]
    sizes = SIZES[n % len(SIZES)]
    path = tmp_path / f"thieu hut.{fmt}"
    truth = write_deprivation_table(
        path, layout, COMMUNE, VILLAGES, fmt, encoding, plant=plant, labels=LABELS[n % len(LABELS)], sizes=sizes
    )
    assert truth["plant"][0] == rule
    failures, outputs, _ = steps([path, plan(tmp_path / "ke hoach.xlsx")])
    assert failures["rule"].to_list() == [rule], failures.select("rule", "cell", "value", "expected").rows()
    found = failures.row(0, named=True)
    assert (found["cell"], found["severity"], found["kind"]) == (truth["plant"][1], severity, "deprivations")
    assert found["message"] and found["source_file"] == path.name
    if plant == "missing_indicator":
        assert "Sử dụng dịch vụ viễn thông" in found["value"]
    elif plant == "foreign_indicator":
        assert "Thu gom, xử lý rác thải sinh hoạt (351/2025/NĐ-CP)" in found["value"]
    status = outputs["deprivations_communes.parquet"]["status"].to_list()
    assert status == ["rejected" if severity == "error" else "accepted"]


def test_plants_need_a_layout_that_carries_them(tmp_path):
    with pytest.raises(ValueError):
        write_deprivation_table(tmp_path / "x.xlsx", "villages_down", COMMUNE, VILLAGES, plant="rate")


def test_generated_counts_obey_the_standard():
    """Every table's counts: each indicator within its group, the poor 3 deprivations a household or more, the near-poor
    2 or fewer, in each village as in the commune."""
    from random import Random

    from samplegen.deprivations import make_deprivations

    rng = Random(7)
    for poor, near in [(0, 0), (1, 1), (3, 40), (250, 180), (1200, 900)]:
        dp, dn = make_deprivations(rng, poor, near)
        assert len(dp) == len(dn) == 12 and max(dp) <= poor and max(dn) <= near
        assert 3 * poor <= sum(dp) <= 4 * poor + 1 and sum(dn) <= 2 * near


def test_villages_named_twice_are_merged_as_the_parser_keys_names(tmp_path):
    """A plan naming a village twice (two sections) gives one row of the table, its counts summed; "Na Tiến" and
    "Nà Tiến" are two villages to the parser (found on the national set: merged, their counts exceeded the plan's)."""
    from samplegen.deprivations import merge_villages

    villages = [("Na Tiến", 16, 6), ("Nà Tiến", 3, 3), ("Thôn 1", 2, 1), ("THÔN 1", 1, 1), ("Hoà Tiến", 1, 0), ("Hòa Tiến", 2, 2)]
    assert merge_villages(villages) == [("Na Tiến", 16, 6), ("Nà Tiến", 3, 3), ("Thôn 1", 3, 2), ("Hoà Tiến", 3, 2)]
    truth = write_deprivation_table(tmp_path / "t.xlsx", "villages_down", COMMUNE, villages[:2], sizes="plan")
    assert sorted(truth["villages"]) == ["Na Tiến", "Nà Tiến"]


@pytest.mark.slow
def test_a_generated_province_with_deprivation_tables(tmp_path):
    """generate_province(deprivations=N): N accepted communes send a deprivation table beside their plan, every layout;
    the first four read back as generated with the plan's group sizes, each of the next carries its plant at its cell."""
    from samplegen.province import generate_province

    truth = generate_province(tmp_path, "19", deprivations=len(LAYOUTS) + len(PLANTS), results=False)
    sent = {code: e["deprivations"] for code, e in truth["communes"].items() if "deprivations" in e}
    assert len(sent) == len(LAYOUTS) + len(PLANTS) and {orientation_of(d["layout"]) for d in sent.values()} == set(ORIENTATIONS)
    assert sorted(d["plant"][0] for d in sent.values() if d["plant"]) == sorted(r for r, _, _ in PLANTS.values())
    files = sorted(p for p in (tmp_path / "communes").rglob("*") if p.is_file())
    failures, outputs, _ = steps(files)
    mine = failures.filter(pl.col("kind") == "deprivations")
    planted = sorted((d["file"].rsplit("/", 1)[-1], *d["plant"]) for d in sent.values() if d["plant"])
    assert sorted(mine.select("source_file", "rule", "cell").rows()) == planted
    status = dict(outputs["deprivations_communes.parquet"].select("commune_code", "status").iter_rows())
    assert status == {code: d["status"] for code, d in sent.items()}
    rows = outputs["deprivations.parquet"]
    for code, d in sent.items():
        if d["status"] == "accepted":
            assert _counts(rows, commune_code=code) == {"poor": d["poor"], "near_poor": d["near_poor"]}, code
    assert set(rows["commune_code"]) == {code for code, d in sent.items() if d["status"] == "accepted"}
