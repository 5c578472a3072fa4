"""Deterministic generator of realistic commune workbooks, with the expected answers.

Library API
-----------
- generate_province(out_dir, province_code, seed, year=2026, plants=True, results=True, missing=4) -> truth dict
- generate_national(out_dir, seed, n_communes=3321, results=False, layouts=None) -> summary dict
- write_plan_table(path, layout, commune_name, villages, year=2026, **opts) -> truth rows
- write_results_table(path, layout, commune_name, rows, year=2026, **opts) -> truth rows
- LAYOUTS (plan layouts), RESULT_LAYOUTS, LAYOUT_EXT / LAYOUT_FORMATS, make_plan, make_results

Command line: python -m samplegen --help
"""

from __future__ import annotations

from .data import make_plan, make_results
from .layouts import LAYOUT_EXT, LAYOUT_FORMATS, LAYOUT_FUNCTIONS, LAYOUTS, PlanSpec, write_plan_table
from .national import generate_national
from .province import PLANTS, generate_province
from .results import RESULT_LAYOUTS, write_results_table

DEFAULT_SEED = 2026
SAMPLE_PROVINCE = "19"  # Thái Nguyên, checked in under data/raw/thai-nguyen-2026

__all__ = [
    "DEFAULT_SEED", "LAYOUTS", "LAYOUT_EXT", "LAYOUT_FORMATS", "LAYOUT_FUNCTIONS", "PLANTS", "PlanSpec",
    "RESULT_LAYOUTS", "SAMPLE_PROVINCE", "generate_national", "generate_province", "make_plan", "make_results",
    "write_plan_table", "write_results_table",
]
