"""A national benchmark corpus: every province, clean files (no planted failures)."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime
from pathlib import Path

from .data import ensure_unique, make_plan, make_results
from .layouts import LAYOUT_EXT, LAYOUTS, ROMAN, write_plan_table
from .province import plan_file_name
from .results import RESULT_LAYOUTS, write_results_table
from .units import legacy_for, load_units
from .util import ascii_name, fold, slug, sub_rng
from .writers import set_mtime


def _bare_name_counts() -> dict[str, int]:
    """How many units share each accent-folded bare name ("Phú Tân" is in three provinces)."""
    counts: dict[str, int] = {}
    for u in load_units():
        counts[fold(u.bare)] = counts.get(fold(u.bare), 0) + 1
    return counts


def _with_breakdowns(path: Path, commune: str, villages: list[dict], seed: int, code: str, n: int) -> dict:
    """Write a plan annex again with breakdowns (in the format its name says); returns what its truth gains."""
    from .breakdowns import BREAKDOWN_LAYOUTS, FORMATS, make_breakdowns, write_breakdown_plan

    layout = BREAKDOWN_LAYOUTS[n % len(BREAKDOWN_LAYOUTS)]
    fmt = path.suffix.lstrip(".")
    encodings = [e for f, e in FORMATS if f == fmt] or [None]
    written = write_breakdown_plan(
        path,
        layout,
        commune,
        villages,
        make_breakdowns(sub_rng(seed, "nat-breakdowns-values", code), villages),
        2026,
        fmt,
        encodings[n % len(encodings)],
        variant=n,
    )
    return {"layout": f"breakdowns_{layout}", "breakdowns": written["commune"]}


def generate_national(out_dir, seed: int = 1, n_communes: int = 3321, results: bool = False, layouts=None,
                      missing_per_province: int = 2, clean: bool = True, breakdowns: float = 0.0) -> dict:
    """Write plan files for `n_communes` units spread over all 34 provinces into
    out_dir/<province code>_<province slug>/ (and results under .../ket_qua/ when asked).

    No failures are planted: every file names its unit (a unit whose accent-folded name exists
    in several provinces gets its 5-digit code in the file name) and every figure is consistent.
    Writes out_dir/truth.json (per commune totals, per province totals) and returns a summary.
    With `breakdowns` (a share, off by default), about that share of the plan annexes (but those with sections) are
    written with "Trong đó" breakdowns instead, the same villages, a breakdown layout and encoding each in turn
    (their truth gains `breakdowns`, the commune's figures).
    """
    started = time.perf_counter()
    out = Path(out_dir)
    if clean and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    layouts = tuple(layouts or LAYOUTS)
    for name in layouts:
        if name not in LAYOUT_EXT:
            raise ValueError(f"unknown layout {name!r}")
    units = sorted(load_units(), key=lambda u: u.code)
    if n_communes < len(units):
        # an even spread that keeps every province: round-robin over provinces
        by_prov: dict[str, list] = {}
        for u in units:
            by_prov.setdefault(u.province_code, []).append(u)
        picked, i = [], 0
        rng = sub_rng(seed, "national-pick")
        for lst in by_prov.values():
            rng.shuffle(lst)
        while len(picked) < n_communes:
            for lst in by_prov.values():
                if i < len(lst) and len(picked) < n_communes:
                    picked.append(lst[i])
            i += 1
        units = sorted(picked, key=lambda u: u.code)
    name_counts = _bare_name_counts()
    rng = sub_rng(seed, "national")
    missing: set[str] = set()
    by_prov_codes: dict[str, list[str]] = {}
    for u in units:
        by_prov_codes.setdefault(u.province_code, []).append(u.code)
    for prov, codes in sorted(by_prov_codes.items()):
        if len(codes) > 5 * missing_per_province:
            missing.update(rng.sample(codes, missing_per_province))
    communes: dict[str, dict] = {}
    provinces: dict[str, dict] = {}
    n_files = rows_total = n_results = n_breakdowns = 0
    used: set[str] = set()
    for n, u in enumerate(units):
        prov_dir = f"{u.province_code}_{slug(u.province_name)}"
        p = provinces.setdefault(u.province_code, {"province_name": u.province_name, "communes_expected": 0,
                                                   "communes_accepted": 0, "communes_missing": 0, "total_households": 0,
                                                   "poor_households": 0, "near_poor_households": 0,
                                                   "poor_reduction_target": 0, "near_poor_reduction_target": 0})
        p["communes_expected"] += 1
        if u.code in missing:
            communes[u.code] = {"status": "missing", "province_code": u.province_code}
            p["communes_missing"] += 1
            continue
        crng = sub_rng(seed, "nat", u.code)
        layout = layouts[(n + crng.randrange(len(layouts))) % len(layouts)]
        sections = None
        if layout == "xls_sections":
            olds = list(dict.fromkeys(lg.old_name for lg in legacy_for(u.code)))
            sections = [f"{ROMAN[i]}. {name} (cũ)" for i, name in enumerate(olds[:3])] if len(olds) >= 2 else \
                ["I. Khu vực I", "II. Khu vực II"]
        villages, assigned = make_plan(crng, u.is_ward, (10, 50), sections=sections)
        if layout == "ascii_offset":
            for _ in range(50):
                if ensure_unique(villages, key=fold):
                    break
                villages, assigned = make_plan(crng, u.is_ward, (10, 50))
            else:
                layout = "flat_total_first"
        ext = LAYOUT_EXT[layout]
        code_in_name = name_counts[fold(u.bare)] > 1
        name = plan_file_name(crng, u.name, u.code, ext, 2026, pattern=0 if code_in_name else None)
        rel = f"{prov_dir}/{name}"
        if rel.casefold() in used:
            rel = f"{prov_dir}/{u.code}_{slug(u.name)}{ext}"
        used.add(rel.casefold())
        when = datetime(2026, 5, crng.randint(8, 30), crng.randint(7, 16), crng.randint(0, 59))
        rows = write_plan_table(out / rel, layout, u.name, villages, 2026, seed=seed, doc_date=(when.day, 5),
                                doc_number=crng.randint(20, 180), when=when,
                                province=u.province_name[0].lower() + u.province_name[1:])
        set_mtime(out / rel, when)
        n_files += 1
        rows_total += len(rows)
        totals = {"total_households": sum(r["total"] for r in rows), "poor_households": sum(r["poor"] for r in rows),
                  "near_poor_households": sum(r["near"] for r in rows),
                  "poor_reduction_target": sum(r["pred"] for r in rows),
                  "near_poor_reduction_target": sum(r["nred"] for r in rows)}
        communes[u.code] = {"status": "accepted", "province_code": u.province_code, "file": rel, "layout": layout,
                            "villages": len(rows), "name": u.name, **totals, "assigned_pp": assigned,
                            "village_counts": [[r["village"], r["poor"], r["near"]] for r in rows]}
        if breakdowns and not sections and sub_rng(seed, "nat-breakdowns", u.code).random() < breakdowns:
            communes[u.code].update(_with_breakdowns(out / rel, u.name, villages, seed, u.code, n_breakdowns))
            set_mtime(out / rel, when)
            n_breakdowns += 1
        p["communes_accepted"] += 1
        for k, v in totals.items():
            p[k] += v
        if results and crng.random() < 0.5:
            res_rows = make_results(crng, rows)
            res_layout = RESULT_LAYOUTS[n % len(RESULT_LAYOUTS)]
            res_rel = f"{prov_dir}/ket_qua/{u.code}_ket_qua_{slug(u.name)}.xlsx" if code_in_name else \
                f"{prov_dir}/ket_qua/Ket qua ra soat 2026 - {ascii_name(u.name)}.xlsx"
            write_results_table(out / res_rel, res_layout, u.name, res_rows, 2026, seed=seed,
                                when=datetime(2026, 11, 10, 9, 0, 0))
            n_files += 1
            n_results += 1
            communes[u.code]["results"] = {"file": res_rel, "layout": res_layout,
                                           "poor_households_end": sum(r["poor_end"] for r in res_rows),
                                           "near_poor_households_end": sum(r["near_end"] for r in res_rows),
                                           "total_households_end": sum(r["total_end"] for r in res_rows)}
    seconds = time.perf_counter() - started
    summary = {"seed": seed, "files": n_files, "plan_files": n_files - n_results, "results_files": n_results,
               "village_rows": rows_total, "communes": len(units), "communes_missing": len(missing),
               "provinces": len(provinces), "seconds": round(seconds, 2)}
    if breakdowns:
        summary["breakdown_files"] = n_breakdowns
    (out / "truth.json").write_text(json.dumps({"summary": {k: v for k, v in summary.items() if k != "seconds"},
                                                "provinces": provinces, "communes": communes},
                                               ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary
