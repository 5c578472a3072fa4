"""Compare a run's outputs with a truth.json (the shared sample's format, also the generator's)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

PLAN_FIELDS = (
    "total_households",
    "poor_households",
    "near_poor_households",
    "poor_reduction_target",
    "near_poor_reduction_target",
)


def plan_problems(truth_file: Path, out: Path) -> list[str]:
    """Every difference between the plan outputs in `out` and the truth: empty when all agree."""
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    villages = pl.read_parquet(out / "villages.parquet")
    communes = pl.read_parquet(out / "communes.parquet")
    province = pl.read_parquet(out / "provinces.parquet").to_dicts()[0]
    failures = pl.read_parquet(out / "validation_failures.parquet")
    problems = []
    for key, want in truth["province"].items():
        if province.get(key) != want:
            problems.append(f"province {key}: {province.get(key)} != {want}")
    for code, t in truth["communes"].items():
        row = communes.filter(pl.col("commune_code") == code)
        status = row["status"][0] if len(row) else "missing"
        if status != t["status"]:
            problems.append(f"{code} status {status} != {t['status']}")
            continue
        mine = failures.filter((pl.col("commune_code") == code) & (pl.col("kind").is_null() | (pl.col("kind") != "results")))
        errors = sorted(set(mine.filter(pl.col("severity") == "error")["rule"]))
        warnings = sorted(set(mine.filter((pl.col("severity") == "warning") & (pl.col("rule") != "outlier"))["rule"]))
        expect = t.get("expect", {"errors": [], "warnings": []})
        if errors != sorted(expect["errors"]) or warnings != sorted(expect["warnings"]):
            problems.append(f"{code} failures {errors}/{warnings} != {expect['errors']}/{expect['warnings']}")
        if t["status"] != "accepted":
            continue
        got = villages.filter(pl.col("commune_code") == code).sort("source_row")
        got_rows = [
            (r["village_name"], r["total_households"], r["poor_households"], r["near_poor_households"],
             r["poor_reduction_target"] or 0, r["near_poor_reduction_target"] or 0, r["source_row"])
            for r in got.to_dicts()
        ]
        want_rows = sorted(
            ((r["village"], r["total"], r["poor"], r["near"], r["pred"], r["nred"], r["row"]) for r in t["rows"]),
            key=lambda x: x[-1],
        )
        if got_rows != want_rows:
            problems.append(f"{code} village rows differ: {sorted(set(got_rows) ^ set(want_rows))[:4]}")
        if "section" in (t["rows"][0] if t["rows"] else {}):
            sections = sorted((r["row"], r.get("section")) for r in t["rows"])
            if sorted(zip(got["source_row"], got["section"])) != sections:
                problems.append(f"{code} sections differ")
        for f in PLAN_FIELDS:
            if row[f][0] != t[f]:
                problems.append(f"{code} {f} {row[f][0]} != {t[f]}")
        if t.get("assigned_pp") is not None and abs((row["assigned_poor_reduction_pp"][0] or -1) - t["assigned_pp"]) > 1e-9:
            problems.append(f"{code} assigned {row['assigned_poor_reduction_pp'][0]} != {t['assigned_pp']}")
    return problems
