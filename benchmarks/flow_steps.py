"""Where a run's time and memory go, step by step: the consolidation flow run in this process, each
step timed at its call, the memory of the flow process (RSS) sampled around and during it, and the CPU time
of the flow process and of its children (parsing workers, Prefect's temporary server, the side process) in it.

    python benchmarks/flow_steps.py CORPUS [--out DIR] [--kinds]

CORPUS is a folder of commune files (benchmarks/national.py leaves its national set in
/tmp/giamngheo-bench/national, or /tmp/giamngheo-bench-d/national with --deprivations). --kinds
times each kind's aggregate and trace apart. Prints, per step: seconds, RSS at its start and end, its
peak, the growth from start to peak, and CPU seconds of the flow and of its children. A script that prints figures, not a test.
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
STEPS: list[tuple[str, float, int, int, int, float, float]] = []  # name, seconds, rss before, after, peak, CPU s: flow, children
_peak = [0]


def _sample(stop: threading.Event) -> None:
    me = psutil.Process()
    while not stop.is_set():
        _peak[0] = max(_peak[0], me.memory_info().rss)
        time.sleep(0.01)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _children_cpu(me: psutil.Process) -> dict[int, float]:
    found = {}
    for child in me.children(recursive=True):
        try:
            found[child.pid] = _cpu(child)
        except psutil.Error:
            pass
    return found


def _timer(original, label: str):
    me = psutil.Process()

    def timed(*args, **kwargs):
        before = me.memory_info().rss
        _peak[0] = before
        cpu, children = _cpu(me), _children_cpu(me)
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            after = me.memory_info().rss
            now = _children_cpu(me)  # children that ended during the step are not counted
            used = sum(t - children.get(pid, 0.0) for pid, t in now.items())
            STEPS.append((label, time.perf_counter() - started, before, after, max(_peak[0], after), _cpu(me) - cpu, used))

    return timed


def _instrument(kinds: bool) -> None:
    import flows.consolidate as flow
    from giamngheo import artifacts, kinds as K, pipeline
    from giamngheo.reports import build

    for owner, name in [
        (pipeline, "tabulate"),
        (pipeline, "check_tables"),
        (pipeline, "aggregate"),
        (pipeline, "trace_to"),
        (pipeline, "run_context"),
        (pipeline, "file_level_failures"),
        (flow, "_read_all"),
        (flow, "finish"),
        (artifacts, "write_parquet"),
        (build, "write_reports"),
        (flow, "_begin_analyst_workbook"),
        (flow, "write_reports"),
    ]:
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
    print(
        f"{'step':34} {'seconds':>8} {'RSS before':>11} {'RSS after':>10} {'peak':>8} {'growth':>8} {'CPU flow':>9} "
        f"{'children':>9}"
    )
    for name, seconds, before, after, peak, cpu, children in STEPS:
        print(
            f"{name:34} {seconds:8.2f} {before / MiB:9,.0f} M {after / MiB:8,.0f} M {peak / MiB:6,.0f} M "
            f"{(peak - before) / MiB:+6,.0f} M"
            f" {cpu:8.2f}s {children:8.2f}s"
        )
    print(f"flow in all {total:.2f} s; peak RSS of the flow process {max(s[4] for s in STEPS) / MiB:,.0f} MiB; out: {out}")
    return 0


if __name__ == "__main__":  # parsing workers start by spawn and import this module again: nothing may run then
    sys.exit(main())
