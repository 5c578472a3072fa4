"""A whole province of commune files with planted failures, its targets workbook and truth files."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from . import seed_annex
from .data import ensure_unique, make_plan, make_results
from .layouts import (
    FORMULA_LAYOUTS, HIDDEN_LAYOUTS, LAYOUT_EXT, LAYOUTS, ROMAN, write_plan_table,
)
from .names import person_name
from .results import RESULT_LAYOUTS, write_results_table
from .breakdowns import write_breakdown_plans
from .results_breakdowns import write_breakdown_results
from .deprivations import write_deprivation_tables
from .roadmap import write_roadmaps
from .units import Unit, legacy_for, load_units, province_units, unique_legacy_names
from .util import ascii_name, fold, new_tone, old_tone, rate, round_half_up, slug, sub_rng
from .writers import Book, save_book, set_mtime

COMMUNES_DIR = "communes"
RESULTS_DIR = "ket_qua"
SUBFOLDERS = ("tháng 5", "Email 28-5", "Zalo gửi lại")

# plant -> (rule, severity, layouts that can carry it; None = any plan layout)
PLANTS = {
    "non_numeric": ("numeric", "error", None),
    "fractional": ("integer", "error", None),
    "negative": ("non_negative", "error", None),
    "zero_households": ("total_positive", "error", None),
    "poor_gt_total": ("poor_le_total", "error", None),
    "near_gt_total": ("near_poor_le_total", "error", None),
    "poor_plus_near_gt_total": ("poor_plus_near_poor_le_total", "error", None),
    "reduction_gt_poor": ("reduction_le_baseline", "error", None),
    "duplicate_village": ("unique_village", "error", None),
    "formula_no_value": ("formula_without_value", "error", FORMULA_LAYOUTS),
    "missing_poor_column": ("required_columns", "error", None),
    "prose_only": ("table_found", "error", ("seed",)),
    "corrupt": ("readable", "error", ("flat_total_first", "reordered", "second_sheet_3row")),
    "total_row_mismatch": ("total_row_matches_sum", "warning", None),
    "rate_mismatch": (
        "rate_matches_counts",
        "warning",
        ("seed", "flat_total_first", "csv_semicolon", "tcvn3", "second_sheet_3row"),
    ),
    "superseded": ("superseded_submission", "warning", ("seed", "flat_total_first", "second_sheet_3row")),
    "legacy_name": ("legacy_unit_name", "warning", ("flat_total_first", "nfd_text_numbers", "reordered", "csv_semicolon")),
    "hidden_row": ("hidden_content", "warning", HIDDEN_LAYOUTS),
}
NEIGHBOURS = {"19": ("24", "08", "04")}  # Thái Nguyên: Bắc Ninh, Tuyên Quang, Cao Bằng
UNRESOLVED_PLANTS = {"no_unit_name": "commune_resolved", "other_province": "wrong_province"}


def _json_dump(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- file names ---------------------------------------------------------------------


def plan_file_name(rng, unit_name: str, code: str | None, ext: str, year: int, pattern: int | None = None) -> str:
    """One of the ways offices name the file they send."""
    if pattern is None:
        pattern = rng.choices([0, 1, 2, 3], weights=[3, 3, 3, 1])[0]
    if pattern == 0 and code:
        return f"{code}_{slug(unit_name)}{ext}"
    if pattern in (0, 1):
        return f"Bieu giam ngheo {year} - {ascii_name(unit_name)}{ext}"
    if pattern == 2:
        return f"{unit_name} - phân bổ chỉ tiêu{ext}"
    return f"bieu giam ngheo {fold(unit_name)}{ext}"


def _place(rng, name: str) -> str:
    if rng.random() < 0.25:
        return f"{rng.choice(SUBFOLDERS)}/{name}"
    return name


# --- plants ---------------------------------------------------------------------------


def _pick(rng, villages: list[dict], cond) -> int:
    options = [i for i, v in enumerate(villages) if cond(v)]
    return rng.choice(options) if options else rng.randrange(len(villages))


def apply_plant(plant: str, rng, villages: list[dict], opts: dict) -> None:
    """Change the villages / write options so that the file carries the planted failure."""
    if plant == "non_numeric":
        i = _pick(rng, villages, lambda v: v["poor"] > 0)
        villages[i]["poor"] = rng.choice([f"{villages[i]['poor']} hộ", "KXĐ", "chưa rà soát"])
    elif plant == "fractional":
        i = _pick(rng, villages, lambda v: v["poor"] > 1)
        villages[i]["poor"] = villages[i]["poor"] + 0.5
    elif plant == "negative":
        i = _pick(rng, villages, lambda v: v["near"] > 2)
        villages[i]["near"] = -villages[i]["near"]
        villages[i]["nred"] = 0
    elif plant == "zero_households":
        i = _pick(rng, villages, lambda v: True)
        villages[i].update(total=0, poor=0, near=0, pred=0, nred=0)
    elif plant == "poor_gt_total":
        i = _pick(rng, villages, lambda v: v["poor"] >= 3)
        v = villages[i]
        v["total"], v["poor"] = v["poor"], v["total"]  # the two figures typed in each other's cell
        v["near"], v["nred"] = 0, 0
    elif plant == "near_gt_total":
        i = _pick(rng, villages, lambda v: v["near"] >= 3)
        v = villages[i]
        v["total"], v["near"] = v["near"], v["total"]
        v["poor"], v["pred"], v["nred"] = 0, 0, 0
    elif plant == "poor_plus_near_gt_total":
        i = _pick(rng, villages, lambda v: True)
        v = villages[i]
        v["total"] = rng.randint(40, 70)
        v["poor"] = v["total"] // 2 + 3
        v["near"] = v["total"] // 2 + 2
        v["pred"], v["nred"] = min(v["pred"], 3), min(v["nred"], 3)
    elif plant == "reduction_gt_poor":
        i = _pick(rng, villages, lambda v: 0 < v["poor"] < 6)
        villages[i]["pred"] = villages[i]["poor"] + rng.randint(1, 3)
    elif plant == "duplicate_village":
        # typed twice, the second time with the other tone placement when the name has one
        # ("Hoà" / "Hòa"): still the same village once tone placement is normalised
        i = _pick(rng, villages, lambda v: old_tone(v["village"]) != new_tone(v["village"]))
        copy = dict(villages[i])
        name = copy["village"]
        copy["village"] = old_tone(name) if old_tone(name) != name else new_tone(name)
        copy["total"] = max(50, copy["total"] + rng.randint(-40, 40))
        copy["poor"] = min(copy["poor"], copy["total"] // 10)
        copy["pred"] = min(copy["pred"], copy["poor"])
        villages.insert(rng.randrange(i + 1, len(villages) + 1), copy)
    elif plant == "formula_no_value":
        i = _pick(rng, villages, lambda v: v["poor"] > 0)
        opts["formula"] = (i, "total")
    elif plant == "missing_poor_column":
        opts["drop"] = {"poor"}
    elif plant == "total_row_mismatch":
        sums = {f: sum(v[f] for v in villages) for f in ("total", "poor")}
        field = rng.choice(["total", "poor"])
        opts["declared"] = {field: sums[field] + (rng.choice([100, 120, -90]) if field == "total" else rng.choice([2, 3, -2]))}
    elif plant == "rate_mismatch":
        i = _pick(rng, villages, lambda v: v["pred"] > 0)
        opts["rate_errors"] = {i: rng.choice([0.6, 0.8, -0.5, 1.0])}
    elif plant == "hidden_row":
        i = _pick(rng, villages, lambda v: v["poor"] > 0 and 0 < villages.index(v) < len(villages) - 1)
        opts["hidden"] = {i}
    elif plant == "prose_only":
        opts["prose_only"] = True
    # corrupt, superseded, legacy_name: handled by the caller (file level)


def _corrupt(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.55)])


# --- targets workbook ---------------------------------------------------------------------


def write_targets(path: Path, province: str, rows: list[dict], year: int) -> None:
    book = Book(creator="So NN&MT")
    s = book.add("Giao chỉ tiêu")
    s.set(1, 1, f"UBND {province.upper()}", "b")
    s.set(2, 1, f"GIAO CHỈ TIÊU GIẢM TỶ LỆ HỘ NGHÈO NĂM {year} CHO CÁC XÃ, PHƯỜNG", "b")
    s.put_row(4, ["STT", "Đơn vị", "Tổng số hộ", f"Số hộ nghèo 31/12/{year - 1}", "Tỷ lệ hộ nghèo (%)",
                  f"Chỉ tiêu giảm tỷ lệ hộ nghèo năm {year} (điểm %)"], style="b bd c w")
    for i, r in enumerate(rows, 1):
        s.put_row(4 + i, [i, r["name"], r["total"], r["poor"], rate(r["poor"], r["total"], 1), r["assigned_pp"]], style="bd")
        s.styles[(4 + i, 5)] = "bd fmt:0.0"
        s.styles[(4 + i, 6)] = "bd fmt:0.00"
    s.widths[2] = 26
    save_book(book, path, "xlsx")


# --- the province -------------------------------------------------------------------------


def _doc_time(rng, month: int = 5) -> tuple[tuple[int, int], datetime]:
    day = rng.randint(8, 30)
    return (day, month), datetime(2026, month, day, rng.randint(7, 16), rng.randint(0, 59), 0)


def _choose_layout(rng, counts: dict, allowed) -> str:
    allowed = list(allowed)
    low = min(counts[a] for a in allowed)
    return rng.choice(sorted(a for a in allowed if counts[a] == low))


def _section_labels(unit: Unit) -> list[str] | None:
    olds = []
    for lg in legacy_for(unit.code):
        if lg.old_name not in olds:
            olds.append(lg.old_name)
    if len(olds) < 2:
        return None
    return [f"{ROMAN[i]}. {name} (cũ)" for i, name in enumerate(olds[:3])]


def generate_province(out_dir, province_code: str = "19", seed: int = 2026, year: int = 2026, plants: bool = True,
                      results: bool = True, missing: int = 4, real_annex: bool = True, clean: bool = True,
                      roadmaps: int = 0, breakdowns: int = 0, deprivations: int = 0) -> dict:
    """Write a province's commune files, targets workbook, truth.json and results_truth.json.

    Layout of out_dir: communes/ (plan files, some in sub-folders), communes/ket_qua/
    (year-end results), chi_tieu_giao_<year>.xlsx, truth.json, results_truth.json; with `roadmaps`,
    that many accepted communes' 2026-2030 roadmaps in communes/lo_trinh/ and roadmap_truth.json; with
    `breakdowns`, that many accepted communes' plan annexes and as many accepted year-end results rewritten with
    "Trong đó" breakdowns (their truth, in truth.json and results_truth.json, gains `breakdowns`: the commune's figures);
    with `deprivations`, that many accepted communes' deprivation
    tables in communes/thieu_hut/, every layout, format and encoding in turn, and with `plants` the tables after
    the first four each with one planted failure (truth: `deprivations`, with `plant` and `status`).
    Returns the truth (as written to truth.json).
    """
    out = Path(out_dir)
    if clean and (out / COMMUNES_DIR).exists():
        shutil.rmtree(out / COMMUNES_DIR)
    raw = out / COMMUNES_DIR
    raw.mkdir(parents=True, exist_ok=True)
    units = province_units(province_code)
    province_name = units[0].province_name
    province_lower = province_name[0].lower() + province_name[1:]
    rng = sub_rng(seed, "province", province_code)
    real = real_annex and province_code == seed_annex.PROVINCE_CODE
    codes = [u.code for u in units]
    by_code = {u.code: u for u in units}

    # baseline data for every unit (missing ones too: the targets workbook lists them)
    plans: dict[str, tuple[list[dict], float]] = {}
    sections_of: dict[str, list[str] | None] = {u.code: _section_labels(u) for u in units}
    for u in units:
        r = sub_rng(seed, "plan", u.code)
        plans[u.code] = make_plan(r, u.is_ward)
    if real:
        plans[seed_annex.CODE] = (seed_annex.villages(), seed_annex.ASSIGNED_PP)

    # who is missing, who carries which plant, which layout
    candidates = [c for c in codes if not (real and c == seed_annex.CODE)]
    rng.shuffle(candidates)
    missing_codes = sorted(candidates[:missing])
    pool = candidates[missing:]
    plant_of: dict[str, str] = {}
    legacy_choice = None
    unresolved: dict[str, str] = {}
    if plants:
        legacy_options = [lg for lg in unique_legacy_names(province_code) if lg.new_code in pool]
        if legacy_options:
            legacy_choice = rng.choice(legacy_options)
            plant_of[legacy_choice.new_code] = "legacy_name"
            pool.remove(legacy_choice.new_code)
        for plant in PLANTS:
            if plant == "legacy_name":
                continue
            plant_of[pool.pop()] = plant
    counts = {name: 0 for name in LAYOUTS}
    layout_of: dict[str, str] = {}
    if real:
        layout_of[seed_annex.CODE] = "seed"
        counts["seed"] += 1
    for code in sorted(plant_of):
        allowed = PLANTS[plant_of[code]][2] or LAYOUTS
        allowed = [a for a in allowed if a != "xls_sections" or sections_of[code]]
        layout_of[code] = _choose_layout(
            rng, {a: 0 for a in LAYOUTS} if plant_of[code] in ("prose_only", "corrupt") else counts, allowed
        )
        if plant_of[code] not in ("prose_only", "corrupt"):
            counts[layout_of[code]] += 1
    clean_codes = [c for c in codes if c not in missing_codes and c not in layout_of]
    clean_counts = {name: 0 for name in LAYOUTS}
    for code in clean_codes:  # every layout at least twice among communes without plants
        allowed = [a for a in LAYOUTS if a != "xls_sections" or sections_of[code]]
        layout_of[code] = _choose_layout(rng, clean_counts, allowed)
        clean_counts[layout_of[code]] += 1

    truth_communes: dict[str, dict] = {}
    files: dict[str, str] = {}
    superseded: dict[str, str] = {}
    mtimes: dict[str, datetime] = {}
    written_paths: set[str] = set()

    def unique_path(rel: str) -> str:
        base, dot, ext = rel.rpartition(".")
        n = 2
        while rel.casefold() in written_paths:
            rel = f"{base} ({n}).{ext}"
            n += 1
        written_paths.add(rel.casefold())
        return rel

    for code in codes:
        unit = by_code[code]
        if code in missing_codes:
            truth_communes[code] = {"status": "missing"}
            continue
        layout = layout_of[code]
        plant = plant_of.get(code)
        crng = sub_rng(seed, "commune", code)
        villages, assigned = plans[code]
        villages = [dict(v) for v in villages]
        if layout == "xls_sections" and not (real and code == seed_annex.CODE):
            r = sub_rng(seed, "plan-sections", code)
            villages, assigned = make_plan(r, unit.is_ward, sections=sections_of[code])
            plans[code] = (villages, assigned)
            villages = [dict(v) for v in villages]
        if layout == "ascii_offset" and not ensure_unique(villages, key=lambda s: fold(s)):
            r = sub_rng(seed, "plan-ascii", code)
            for _ in range(50):
                villages, assigned = make_plan(r, unit.is_ward)
                if ensure_unique(villages, key=lambda s: fold(s)):
                    break
            plans[code] = (villages, assigned)
            villages = [dict(v) for v in villages]
        doc_date, when = _doc_time(crng)
        opts: dict = {"province": province_lower, "doc_date": doc_date if crng.random() < 0.8 else None,
                      "doc_number": crng.randint(20, 180), "seed": seed, "signer": person_name(crng), "when": when}
        if real and code == seed_annex.CODE:
            opts = dict(seed_annex.write_options())
            opts.update(seed=seed, when=datetime(2026, 5, 27, 10, 12, 0))
            name = "bieu giam ngheo xa phu thinh.xlsx"
        else:
            title_unit = unit.name
            if plant == "legacy_name":
                title_unit = legacy_choice.old_name
                opts["title_name"] = title_unit
            name = plan_file_name(crng, title_unit, None if plant == "legacy_name" else code, LAYOUT_EXT[layout], year)
            if plant:
                apply_plant(plant, crng, villages, opts)
        if real and code == seed_annex.CODE:
            rel = unique_path(name)
        elif plant == "superseded":
            # the first version sits in a folder, dated in May; the corrected one, dated in
            # October and saved later, arrived elsewhere
            old_villages = [dict(v) for v in villages]
            j = crng.randrange(len(old_villages))
            old_villages[j]["total"] += crng.choice([20, 35, -25])
            k = _pick(crng, old_villages, lambda v: v["poor"] > 0)
            old_villages[k]["pred"] = max(0, old_villages[k]["pred"] - 1)
            old_opts = dict(opts, doc_date=(15, 5), when=datetime(2026, 5, 15, 9, 5, 0))
            old_rel = unique_path(f"{SUBFOLDERS[0]}/{name}")
            write_plan_table(raw / old_rel, layout, unit.name, old_villages, year, **old_opts)
            mtimes[old_rel] = datetime(2026, 5, 15, 9, 20, 0)
            superseded[old_rel] = code
            opts.update(doc_date=(20, 10), when=datetime(2026, 10, 20, 14, 0, 0))
            rel = unique_path(name)
        else:
            rel = unique_path(_place(crng, name))
        rows = write_plan_table(raw / rel, layout, unit.name, villages, year, **opts)
        if plant == "corrupt":
            _corrupt(raw / rel)
        mtimes[rel] = opts["when"] + timedelta(minutes=crng.randint(5, 300))
        files[rel] = code
        rule = PLANTS[plant][0] if plant else None
        severity = PLANTS[plant][1] if plant else None
        expect = {"errors": [], "warnings": []}
        if real and code == seed_annex.CODE:
            plant = "real_annex"
            # the province copied the annex's declared total into its targets workbook
            expect["warnings"] += ["total_row_matches_sum", "baseline_matches_targets"]
        elif rule:
            expect["errors" if severity == "error" else "warnings"].append(rule)
        entry = {"status": "rejected" if expect["errors"] else "accepted", "file": rel,
                 "layout": "prose_only" if plant == "prose_only" else layout, "plant": plant,
                 "villages": 0 if plant == "prose_only" else len(villages), "expect": expect, "name": unit.name}
        if not any(r.get("section") for r in rows):
            rows = [{k: v for k, v in r.items() if k != "section"} for r in rows]
        if entry["status"] == "accepted":
            entry["rows"] = rows
            entry.update(_totals(rows))
            entry["assigned_pp"] = assigned
        truth_communes[code] = entry

    # files that name no unit of the province
    if plants:
        # (1) the office of a missing commune forgot every name: title and file name say nothing
        code = missing_codes[0]
        unit = by_code[code]
        crng = sub_rng(seed, "unresolved", code)
        villages, _ = plans[code]
        rel = unique_path(f"PL chi tieu giam ngheo {year} - gui So.xlsx")
        write_plan_table(raw / rel, "flat_total_first", unit.name, villages, year, title_name="", seed=seed,
                         texts={"unit_line": "UBND XÃ ....................."},
                         doc_number=crng.randint(20, 180), when=datetime(2026, 5, 21, 8, 0, 0))
        mtimes[rel] = datetime(2026, 5, 21, 8, 40, 0)
        unresolved[rel] = "commune_resolved"
        # (2) a neighbouring province's commune sent its file here
        other = _other_province_unit(province_code, sub_rng(seed, "other-province"))
        crng = sub_rng(seed, "other", other.code)
        villages, _ = make_plan(crng, other.is_ward)
        rel = unique_path(plan_file_name(crng, other.name, None, ".xlsx", year, pattern=2))
        write_plan_table(raw / rel, "seed", other.name, villages, year, seed=seed, doc_date=(19, 5),
                         doc_number=crng.randint(20, 180), province=other.province_name[0].lower() + other.province_name[1:],
                         when=datetime(2026, 5, 19, 10, 0, 0))
        mtimes[rel] = datetime(2026, 5, 19, 10, 30, 0)
        unresolved[rel] = "wrong_province"

    # year-end results for about half of the communes
    results_truth: dict[str, dict] = {}
    if results:
        eligible = [c for c in codes if truth_communes[c].get("status") == "accepted" and not truth_communes[c].get("plant")]
        chosen = sorted(sub_rng(seed, "results-choice").sample(eligible, min(len(eligible), len(codes) // 2)))
        balance = set(sub_rng(seed, "balance").sample(chosen, 3)) if plants and len(chosen) >= 6 else set()
        layout_for = {code: RESULT_LAYOUTS[n % len(RESULT_LAYOUTS)] for n, code in enumerate(chosen)}
        for n, code in enumerate(sorted(balance)):  # one planted balance error per layout
            layout_for[code] = RESULT_LAYOUTS[n % len(RESULT_LAYOUTS)]
        wards = [c for c in chosen if by_code[c].is_ward and c not in balance]
        if "grouped" in RESULT_LAYOUTS and wards and not any(layout_for[c] == "grouped" for c in wards):
            # the grouped form as a ward fills it in: "Tổ dân phố", "Toàn phường"
            other = next((c for c in chosen if layout_for[c] == "grouped" and c not in balance), None)
            if other:
                layout_for[other], layout_for[wards[0]] = layout_for[wards[0]], "grouped"
        for code in chosen:
            unit = by_code[code]
            layout = layout_for[code]
            rrng = sub_rng(seed, "results", code)
            plan_villages = truth_communes[code]["rows"]
            rows = make_results(rrng, plan_villages)
            opts = {"seed": seed, "signer": person_name(rrng), "when": datetime(2026, 11, rrng.randint(3, 14), 9, 0, 0)}
            if code in balance:
                i = rrng.randrange(len(rows))
                opts["balance_error"] = (i, rrng.choice(["poor", "near"]), rrng.choice([1, 2, -1]))
                if rows[i][opts["balance_error"][1] + "_end"] + opts["balance_error"][2] < 0:
                    opts["balance_error"] = (i, opts["balance_error"][1], 1)
            fname = (f"Ket qua ra soat {year} - {ascii_name(unit.name)}.xlsx" if rrng.random() < 0.8
                     else f"{code}_ket_qua_ra_soat_{year}.xlsx")
            rel = unique_path(f"{RESULTS_DIR}/{fname}")
            write_results_table(raw / rel, layout, unit.name, rows, year, **opts)
            mtimes[rel] = opts["when"] + timedelta(minutes=30)
            entry = {"layout": layout, "file": rel, "planted_balance": code in balance,
                     "status": "rejected" if code in balance else "accepted"}
            if code not in balance:
                plan_total = sum(r["total"] for r in plan_villages)
                p_start = sum(r["poor_start"] for r in rows)
                p_end = sum(r["poor_end"] for r in rows)
                t_end = sum(r["total_end"] for r in rows)
                entry.update(
                    poor_households_start=p_start, poor_households_end=p_end,
                    near_poor_households_start=sum(r["near_start"] for r in rows),
                    near_poor_households_end=sum(r["near_end"] for r in rows),
                    total_households_end=t_end,
                    actual_poor_reduction_pp=round_half_up(rate(p_start, plan_total) - rate(p_end, t_end), 2),
                    assigned_pp=truth_communes[code]["assigned_pp"],
                )
            results_truth[code] = entry

    if roadmaps:  # off by default: the sample province's files stay as they are
        chosen = [c for c in codes if truth_communes[c].get("status") == "accepted" and not truth_communes[c].get("plant")][
            :roadmaps
        ]
        roadmap_truth = write_roadmaps(raw, "lo_trinh", seed, [
            {"code": c, "name": by_code[c].name, "poor": truth_communes[c]["poor_households"],
             "first_year": truth_communes[c]["poor_reduction_target"]} for c in chosen])
        for entry in roadmap_truth.values():
            mtimes[entry["file"]] = datetime(2026, 6, 2, 9, 0, 0)
        _json_dump(out / "roadmap_truth.json", {"communes": roadmap_truth})

    if breakdowns:  # off by default: the sample province's files stay as they are
        # as many accepted year-end results rewritten with breakdowns, the same rows (made again from the same seed)
        chosen = [c for c in sorted(results_truth) if results_truth[c]["status"] == "accepted"
                  and not any(r.get("section") for r in truth_communes[c]["rows"])][:breakdowns]
        written = write_breakdown_results(
            raw,
            seed,
            [
                {
                    "code": c,
                    "name": by_code[c].name,
                    "file": results_truth[c]["file"],
                    "rows": make_results(sub_rng(seed, "results", c), truth_communes[c]["rows"]),
                }
                for c in chosen
            ],
            year,
        )
        for code, t in written.items():
            results_truth[code].update(layout=f"breakdowns_{t['layout']}", breakdowns=t["commune"], breakdown_format=t["format"],
                                       breakdown_encoding=t["encoding"])
        chosen = [c for c in codes if truth_communes[c].get("status") == "accepted" and not truth_communes[c].get("plant")
                  and not any(r.get("section") for r in truth_communes[c]["rows"])][:breakdowns]
        written = write_breakdown_plans(raw, seed, [{"code": c, "name": by_code[c].name, "file": truth_communes[c]["file"],
                                                     "villages": plans[c][0]} for c in chosen], year)
        for code, t in written.items():  # the same villages and counts, rewritten in a breakdown layout
            truth_communes[code].update(layout=f"breakdowns_{t['layout']}", rows=t["rows"], breakdowns=t["commune"],
                                        breakdown_format=t["format"], breakdown_encoding=t["encoding"])

    if deprivations:  # off by default: the sample province's files stay as they are
        chosen = [c for c in codes if truth_communes[c].get("status") == "accepted" and not truth_communes[c].get("plant")][
            :deprivations
        ]
        written = write_deprivation_tables(
            raw,
            [
                {
                    "code": c,
                    "name": by_code[c].name,
                    "folder": "thieu_hut",
                    "villages": [(r["village"], r["poor"], r["near"]) for r in truth_communes[c]["rows"]],
                }
                for c in chosen
            ],
            seed,
            year,
            plants=plants,
        )
        for code, entry in written.items():
            mtimes[entry["file"]] = datetime(2026, 6, 3, 9, 0, 0)
            truth_communes[code]["deprivations"] = entry

    # targets workbook: every unit of the province, in code order
    target_rows = []
    for code in codes:
        villages, assigned = plans[code]
        if real and code == seed_annex.CODE:
            total, poor = seed_annex.TOTAL_ROW["total"], seed_annex.TOTAL_ROW["poor"]
        else:
            total = sum(v["total"] for v in villages)
            poor = sum(v["poor"] for v in villages)
        target_rows.append({"name": by_code[code].name, "total": total, "poor": poor, "assigned_pp": assigned})
    targets_path = out / f"chi_tieu_giao_{year}.xlsx"
    write_targets(targets_path, province_name, target_rows, year)
    set_mtime(targets_path, datetime(2026, 1, 15, 8, 0, 0))

    for rel, when in mtimes.items():
        set_mtime(raw / rel, when)

    accepted = [c for c in codes if truth_communes[c]["status"] == "accepted"]
    province_totals = {
        "communes_expected": len(codes),
        "communes_accepted": len(accepted),
        "communes_rejected": sum(1 for c in codes if truth_communes[c]["status"] == "rejected"),
        "communes_missing": sum(1 for c in codes if truth_communes[c]["status"] == "missing"),
    }
    for key in (
        "total_households",
        "poor_households",
        "near_poor_households",
        "poor_reduction_target",
        "near_poor_reduction_target",
    ):
        province_totals[key] = sum(truth_communes[c][key] for c in accepted)
    truth = {"province_code": province_code, "communes": truth_communes, "files": files, "superseded": superseded,
             "unresolved": unresolved, "province": province_totals}
    _json_dump(out / "truth.json", truth)
    if results:
        _json_dump(out / "results_truth.json", {"communes": results_truth})
    return truth


def _totals(rows: list[dict]) -> dict:
    return {
        "total_households": sum(r["total"] for r in rows),
        "poor_households": sum(r["poor"] for r in rows),
        "near_poor_households": sum(r["near"] for r in rows),
        "poor_reduction_target": sum(r["pred"] for r in rows),
        "near_poor_reduction_target": sum(r["nred"] for r in rows),
    }


def _other_province_unit(province_code: str, rng) -> Unit:
    """A commune of another province whose name is unique nationwide and unknown in this province."""
    units = load_units()
    counts: dict[str, int] = {}
    for u in units:
        counts[fold(u.bare)] = counts.get(fold(u.bare), 0) + 1
    from .units import load_legacy

    legacy_bare = {fold(lg.bare) for lg in load_legacy()}
    options = [u for u in units if u.province_code != province_code and not u.is_ward and counts[fold(u.bare)] == 1
               and fold(u.bare) not in legacy_bare]
    near = [u for u in options if u.province_code in NEIGHBOURS.get(province_code, ())]
    return rng.choice(sorted(near or options, key=lambda u: u.code))


__all__ = ["generate_province", "plan_file_name", "write_targets", "PLANTS", "UNRESOLVED_PLANTS"]
