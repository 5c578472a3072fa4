"""Property tests: whatever plan the sample generator writes, in any of its layouts, the reader
gives back exactly the rows written (`inspect_file`, no Prefect).

Deterministic (derandomize=True) and small: every layout gets a couple of random plans.
"""

from __future__ import annotations

import random
import tempfile
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from giamngheo.inspect import inspect_file
from samplegen import LAYOUT_EXT, LAYOUTS, make_plan, write_plan_table
from samplegen.util import ascii_name, name_key, round_half_up
from transforms.aggregate import commune_totals
from layouts.speed import shared_resolver

PROVINCE = "19"
# real units of Thái Nguyên: (official name, code, ward?)
COMMUNES = [
    ("Xã Phú Thịnh", "05800", False),
    ("Xã Điềm Thụy", "05941", False),
    ("Xã Nà Phặc", "01936", False),
    ("Phường Sông Công", "05518", True),
    ("Phường Bắc Kạn", "01843", True),
]
SECTIONS = {False: ["I. Xã Phú Thịnh (cũ)", "II. Xã Phú Lạc (cũ)", "III. Xã Yên Lãng (cũ)"],
            True: ["I. Phường Thắng Lợi (cũ)", "II. Phường Cải Đan (cũ)"]}
COUNTS = {"total": "total_households", "poor": "poor_households", "near": "near_poor_households",
          "pred": "poor_reduction_target", "nred": "near_poor_reduction_target"}
# no shrinking: a failing example is reported as drawn, and a failure costs no more time than a pass
SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def _one_resolver_per_province():
    with shared_resolver():
        yield


@st.composite
def plans(draw):
    """(commune, code, villages) as the generator makes them: 3-20 villages, maybe in sections."""
    commune, code, ward = draw(st.sampled_from(COMMUNES))
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(3, 20))
    parts = draw(st.sampled_from([0, 0, 2, 3])) if n >= 9 else 0
    sections = SECTIONS[ward][:parts] or None
    villages, _ = make_plan(random.Random(seed), ward, n_range=(n, n), sections=sections)
    return commune, code, villages, seed


def write(layout: str, commune: str, villages: list[dict], seed: int, folder: Path) -> tuple[Path, list[dict]]:
    path = folder / f"bieu_giam_ngheo{LAYOUT_EXT[layout]}"
    truth = write_plan_table(path, layout, commune, villages, province="Thái Nguyên", seed=seed)
    return path, truth


def expected_rows(layout: str, truth: list[dict]) -> list[tuple]:
    out = []
    for t in truth:
        section = t.get("section")
        if section is not None and layout == "ascii_offset":
            section = ascii_name(section)  # the layout types every text without diacritics
        out.append((t["village"], section, *[t[k] for k in COUNTS], t["row"]))
    return out


def got_rows(villages: pl.DataFrame) -> list[tuple]:
    return [(r["village_name"], r["section"], *[r[f] for f in COUNTS.values()], r["row"]) for r in villages.to_dicts()]


def distinct_in_file(layout: str, villages: list[dict]) -> bool:
    """Names the generator keeps distinct ("Nà Thành", "Na Thành") collide once typed without accents."""
    if layout != "ascii_offset":
        return True
    keys = [(v.get("section"), name_key(ascii_name(v["village"]))) for v in villages]
    return len(keys) == len(set(keys))


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=3, **SETTINGS)
@given(plan=plans())
def test_reader_returns_exactly_the_rows_written(layout, plan):
    commune, code, villages, seed = plan
    assume(distinct_in_file(layout, villages))  # an example of colliding names is drawn again, not passed unchecked
    with tempfile.TemporaryDirectory() as tmp:
        path, truth = write(layout, commune, villages, seed, Path(tmp))
        ins = inspect_file(path, province=PROVINCE)
    assert got_rows(ins.villages) == expected_rows(layout, truth)
    # commune totals are the sums of the villages, rates recomputed from the sums
    frame = ins.villages.with_columns(pl.lit(code).alias("commune_code"))
    totals = commune_totals(frame.lazy()).collect().to_dicts()[0]
    assert totals["villages"] == len(truth)
    for key, field in COUNTS.items():
        assert totals[field] == sum(t[key] for t in truth)
    total, poor = int(totals["total_households"]), int(totals["poor_households"])
    assert totals["poor_rate_pct"] == round_half_up(Fraction(poor * 100, total), 2)
    # and the declared total row of the file, read like a village row, agrees with them
    (table,) = [t for t in ins.data.tables if t.kind == "plan"]
    kinds = table.rows["kind"]
    assert kinds.count("total") == 1
    i = kinds.index("total")
    declared = table.rows["total_households__num"][i]
    if declared is not None:  # stored as a number; text layouts are checked through their failures
        assert declared == total
    # a correct file of a real commune: resolved, no error, and no warning either
    assert ins.failures.is_empty(), ins.failures.select("cell", "rule", "value", "expected", "message").to_dicts()
    assert ins.commune is not None and code in ins.commune


@settings(max_examples=6, **SETTINGS)
@given(layout=st.sampled_from(LAYOUTS), plan=plans())
def test_reading_is_deterministic_and_normalising_twice_equals_once(layout, plan):
    commune, code, villages, seed = plan
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = write(layout, commune, villages, seed, Path(tmp))
        first = inspect_file(path, province=PROVINCE)
        second = inspect_file(path, province=PROVINCE)
    assert first.villages.equals(second.villages)
    assert first.failures.equals(second.failures)
    assert first.commune == second.commune
    # names come out NFC and trimmed, and their matching keys are keys: normalising again changes nothing
    from giamngheo.text import match_key, nfc

    names = first.villages["village_name"].to_list()
    assert [nfc(n) for n in names] == names
    assert [match_key(match_key(n)) for n in names] == [match_key(n) for n in names]
