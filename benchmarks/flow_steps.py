"""Where a run's time and memory go, step by step: the consolidation flow run in this process, each
step timed at its call and the memory of the flow process (RSS) sampled around and during it.

    python benchmarks/flow_steps.py CORPUS [--out DIR] [--kinds]

CORPUS is a folder of commune files (benchmarks/national.py leaves its national set in
/tmp/giamngheo-bench/national, or /tmp/giamngheo-bench-d/national with --deprivations). --kinds
times each kind's aggregate and trace apart. Prints, per step: seconds, RSS at its start and end, its
peak, and the growth from start to peak. A script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
MiB = 1024 * 1024
STEPS: list[tuple[str, float, int, int, int]] = []  # name, seconds, rss before, rss after, peak
_peak = [0]


def _sample(stop: threading.Event) -> None:
    me = psutil.Process()
    while not stop.is_set():
        _peak[0] = max(_peak[0], me.memory_info().rss)
        time.sleep(0.01)


def _timer(original, label: str):
    me = psutil.Process()

    def timed(*args, **kwargs):
        before = me.memory_info().rss
        _peak[0] = before
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            after = me.memory_info().rss
            STEPS.append((label, time.perf_counter() - started, before, after, max(_peak[0], after)))

    return timed


def _instrument(kinds: bool) -> None:
    import flows.consolidate as flow
    from giamngheo import artifacts, kinds as K, pipeline
    from giamngheo.reports import build

    for owner, name in [(pipeline, "tabulate"), (pipeline, "check_tables"), (pipeline, "aggregate"), (pipeline, "trace_to"),
                        (pipeline, "run_context"), (pipeline, "file_level_failures"), (flow, "_read_all"), (flow, "finish"),
                        (artifacts, "write_parquet"), (build, "write_reports"), (flow, "_begin_analyst_workbook"), (flow, "write_reports")]:
        setattr(owner, name, _timer(getattr(owner, name), name))
    if kinds:
        for i, kind in enumerate(K.KINDS):
            object.__setattr__(kind, "aggregate", _timer(kind.aggregate, f"  aggregate {kind.name}"))
            object.__setattr__(kind, "trace", _timer(kind.trace, f"  trace {kind.name}"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--kinds", action="store_true", help="each kind's aggregate and trace apart")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="giamngheo-prefect-")
    os.environ.setdefault("PREFECT_HOME", home)
    out = args.out or Path(tempfile.mkdtemp(prefix="giamngheo-steps-"))
    _instrument(args.kinds)
    from flows.consolidate import consolidate

    stop = threading.Event()
    threading.Thread(target=_sample, args=(stop,), daemon=True).start()
    started = time.perf_counter()
    consolidate(raw=str(args.corpus), out=str(out), use_cache=False)
    total = time.perf_counter() - started
    stop.set()
    print(f"{'step':34} {'seconds':>8} {'RSS before':>11} {'RSS after':>10} {'peak':>8} {'growth':>8}")
    for name, seconds, before, after, peak in STEPS:
        print(f"{name:34} {seconds:8.2f} {before / MiB:9,.0f} M {after / MiB:8,.0f} M {peak / MiB:6,.0f} M {(peak - before) / MiB:+6,.0f} M")
    print(f"flow in all {total:.2f} s; peak RSS of the flow process {max(s[4] for s in STEPS) / MiB:,.0f} MiB; out: {out}")
    return 0


if __name__ == "__main__":  # parsing workers start by spawn and import this module again: nothing may run then
    sys.exit(main())
