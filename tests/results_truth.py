"""Compare results_communes.parquet with a results_truth.json (the shared sample's format)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

FIELDS = ("poor_households_start", "poor_households_end", "near_poor_households_start", "near_poor_households_end",
          "total_households_end", "actual_poor_reduction_pp")


def results_problems(truth_file: Path, out: Path) -> list[str]:
    truth = json.loads(truth_file.read_text(encoding="utf-8"))["communes"]
    communes = pl.read_parquet(out / "results_communes.parquet")
    failures = pl.read_parquet(out / "validation_failures.parquet")
    problems = []
    for code, t in truth.items():
        row = communes.filter(pl.col("commune_code") == code)
        if row.is_empty():
            problems.append(f"{code}: no results row")
            continue
        r = row.to_dicts()[0]
        if r["status"] != t["status"]:
            problems.append(f"{code} status {r['status']} != {t['status']}")
        if t.get("planted_balance"):
            rules = set(failures.filter((pl.col("commune_code") == code) & (pl.col("kind") == "results"))["rule"])
            if "balance" not in rules:
                problems.append(f"{code}: planted balance error not found ({rules})")
        if t["status"] != "accepted":
            continue
        for f in FIELDS:
            if f in t and r[f] != t[f]:
                problems.append(f"{code} {f} {r[f]} != {t[f]}")
        if t.get("assigned_pp") is not None and r["assigned_poor_reduction_pp"] != t["assigned_pp"]:
            problems.append(f"{code} assigned {r['assigned_poor_reduction_pp']} != {t['assigned_pp']}")
    extra = set(communes["commune_code"]) - set(truth)
    if extra:
        problems.append(f"results rows for communes without results: {sorted(extra)}")
    return problems
