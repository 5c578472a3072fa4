"""Where parsing one commune file spends its time: milliseconds a file per phase, one process.

    python benchmarks/parse_phases.py [--corpus DIR] [--every 3]

Parses every --every'th file of the national corpus (benchmarks/national.py writes it to
/tmp/giamngheo-bench/national; generated here with seed 1 when missing) once, in a process
whose caches are cold for those files, as a parsing worker meets them in a real run. Each
phase is timed where it is called; phases nest (read_workbook holds read_excel, which holds
check_all_xml ...), so the lines do not add up. A script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # samplegen/ lives beside the package, not in it

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
TIMES: dict[str, float] = defaultdict(float)


def _timer(original, label: str):
    """`original`, its time added to TIMES[label]."""
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - started

    return timed


def _timed(owner, name: str) -> None:
    label = f"{owner.__name__} (top rows)" if name == "__init__" else name
    setattr(owner, name, _timer(getattr(owner, name), label))


def _timed_claims(recognisers) -> None:
    """Each claiming recogniser (households, deprivations, roadmap) timed on its own: they see every sheet."""
    recognisers.CLAIMS = tuple(_timer(r, f"claim: {r.__module__.rsplit('.', 1)[-1]}") for r in recognisers.CLAIMS)


def _instrument() -> None:
    import giamngheo.layout.header_rows as header_rows
    import giamngheo.layout.recognisers as recognisers
    import giamngheo.layout.tables as tables
    import giamngheo.parse as parse
    import giamngheo.readers as readers
    import giamngheo.readers.excel as excel
    import giamngheo.sheet_parts as sheet_parts

    for owner, name in [
        (parse, "read_workbook"), (readers, "read_excel"), (readers, "read_csv"), (readers, "_repair_legacy_text"),
        (excel, "_open_calamine"), (excel, "_calamine_rows"), (excel, "inspect_xlsx"), (excel, "xls_hidden_facts"),
        (excel, "ole_kind"), (excel.SafeZip, "check_all_xml"), (parse, "claimed_tables"), (sheet_parts, "find_tables"),
        (parse, "other_tables"), (tables, "sheet_year_of"), (tables, "find_band"), (tables, "classify_rows"),
        (header_rows.TopView, "__init__"), (parse, "_serialise_rows"),
    ]:
        _timed(owner, name)
    _timed_claims(recognisers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "giamngheo-bench" / "national")
    ap.add_argument("--every", type=int, default=3)
    args = ap.parse_args()
    if not args.corpus.exists():
        from samplegen.national import generate_national

        generate_national(args.corpus, seed=1, n_communes=3321, missing_per_province=0)
    files = sorted(p for p in args.corpus.rglob("*") if p.suffix.lower() in SPREADSHEETS)
    _instrument()
    from giamngheo.parse import parse_workbook
    from giamngheo.readers.grid import Limits

    limits = Limits()
    for f in [f for i, f in enumerate(files) if i % args.every][::40]:  # imports and set-up, on files not measured
        parse_workbook(f, limits)
    TIMES.clear()
    measured = files[:: args.every]
    started = time.perf_counter()
    for f in measured:
        parse_workbook(f, limits)
    total = time.perf_counter() - started
    print(f"{len(measured)} files, parse_workbook {total / len(measured) * 1000:.3f} ms a file (one process, cold caches)")
    for name, seconds in sorted(TIMES.items(), key=lambda item: -item[1]):
        print(f"   {name:<22} {seconds / len(measured) * 1000:.3f} ms a file")


if __name__ == "__main__":
    main()
