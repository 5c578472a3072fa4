"""python -m samplegen {province,national,table,layouts} ..."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from . import DEFAULT_SEED, LAYOUT_EXT, LAYOUTS, generate_national, generate_province, make_plan, write_plan_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplegen",
                                     description="Write realistic commune poverty-reduction files with their expected answers.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("province", help="one province: commune files with planted failures, targets, truth.json")
    p.add_argument("--out", required=True, type=Path, help="output folder (communes/ is replaced)")
    p.add_argument("--province", default="19", help="2-digit province code (default 19, Thái Nguyên)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--year", type=int, default=2026)
    p.add_argument("--missing", type=int, default=4, help="communes that send nothing (default 4)")
    p.add_argument("--no-plants", action="store_true", help="no planted failures")
    p.add_argument("--no-results", action="store_true", help="no year-end results workbooks")
    p.add_argument("--roadmaps", type=int, default=0, help="communes that also send a 2026-2030 roadmap (default 0)")
    p.add_argument(
        "--breakdowns",
        type=int,
        default=0,
        help="communes whose plan annex, and as many whose year-end results, say who the poor are, 'Trong đó' (default 0)",
    )
    p.add_argument("--deprivations", type=int, default=0,
                   help="communes that also send a deprivation table, every layout, format and encoding in turn; "
                        "with plants, those after the first four carry one planted failure each (default 0)")

    n = sub.add_parser("national", help="all provinces, clean files, for benchmarks")
    n.add_argument("--out", required=True, type=Path, help="output folder (replaced)")
    n.add_argument("--seed", type=int, default=1)
    n.add_argument("--communes", type=int, default=3321, help="number of communes (default all 3,321)")
    n.add_argument("--results", action="store_true", help="also write year-end results for about half")
    n.add_argument("--layouts", default=None, help="comma-separated plan layouts to use (default all)")
    n.add_argument("--breakdowns", type=float, default=0.0,
                   help="share of the plan annexes written with 'Trong đó' breakdowns instead, 0-1 (default 0)")

    t = sub.add_parser("table", help="one plan table in one layout (prints the truth rows as JSON)")
    t.add_argument("--layout", required=True, choices=LAYOUTS)
    t.add_argument("--out", required=True, type=Path, help="file to write")
    t.add_argument("--commune", default="Xã Phú Linh")
    t.add_argument("--seed", type=int, default=DEFAULT_SEED)

    sub.add_parser("layouts", help="list the plan layouts and their file formats")

    args = parser.parse_args(argv)
    if args.command == "layouts":
        for name in LAYOUTS:
            print(f"{name}\t{LAYOUT_EXT[name]}")
        return 0
    if args.command == "province":
        started = time.perf_counter()
        truth = generate_province(args.out, args.province, args.seed, args.year, plants=not args.no_plants,
                                  results=not args.no_results, missing=args.missing, roadmaps=args.roadmaps,
                                  breakdowns=args.breakdowns, deprivations=args.deprivations)
        print(json.dumps({"out": str(args.out), "seconds": round(time.perf_counter() - started, 2), **truth["province"]},
                         ensure_ascii=False))
        return 0
    if args.command == "national":
        layouts = args.layouts.split(",") if args.layouts else None
        summary = generate_national(args.out, args.seed, args.communes, results=args.results, layouts=layouts,
                                    breakdowns=args.breakdowns)
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    if args.command == "table":
        villages, _ = make_plan(random.Random(args.seed), args.commune.startswith("Phường"))
        rows = write_plan_table(args.out, args.layout, args.commune, villages, seed=args.seed)
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
