"""What a run folder keeps, and the pruning of old runs (`giamngheo prune --out DIR --keep N`).

Each run stays under --out/runs/<run_id>/ until pruned; the top of --out shows the latest run. Pruning
deletes whole run folders, oldest first, never the newest N, never the run the top of --out shows,
and never what lives beside the runs: journal.jsonl (approvals), the key (.secret.key), the parse
cache (.cache/, cleared with `giamngheo cache clear`) and the top-level outputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .outputs import CURRENT, RUNS, previous_runs, run_lock


def _shown(out: Path) -> str | None:
    """The run the top of --out shows (its `current` link), if any."""
    link = out / CURRENT
    if link.is_symlink():
        return Path(os.readlink(link)).name
    return None


def prune_runs(out: Path, keep: int, wait_seconds: float = 0.0) -> list[str]:
    """Delete the runs under --out/runs/ but the newest `keep` (at least one); return the deleted run ids."""
    if keep < 1:
        raise ValueError("--keep must be at least 1: the latest run is what --out shows")
    out = Path(out)
    with run_lock(out, wait_seconds):  # never while a run is publishing
        runs = previous_runs(out)
        shown = _shown(out)
        doomed = [r for r in runs[:-keep] if r != shown]
        for run_id in doomed:
            shutil.rmtree(out / RUNS / run_id)
    return doomed
