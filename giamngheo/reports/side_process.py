"""A report written in a process of its own while the flow writes the others.

Once the files are read, a run is one process's work (validation, aggregation, the
reports) and the second core idles. The analyst workbook is the longest report
(about 1 s nationally). For big runs the flow starts `SideProcess` once its figures
are staged and traced: the process imports the report modules and writes the
workbook's long sheets (communes, villages, results) while the flow writes its
failures, lineage, manifest and ledger, then finishes the workbook beside the flow's
other reports. It is started that late on purpose: beside the flow's lineage step
(the flow's memory peak) all the run's processes came to 0.99 GiB.

It pays from about 500 files: the process takes ~0.5 s to start and import, which a
province's run (a few hundred files) spends on validation and reports altogether.

Anything wrong with the side process (none could be started, it died) costs time, not
the report: the job then runs in the calling process, as before.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..lifeline import exit_with_parent


WORTH_IT_FILES = 500


class SideProcess:
    """One spawned process for report jobs; `run(fn, *args)` returns fn(*args) from there."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if mp.current_process().daemon:  # a daemonic process (a Dask worker) may not start one
            return
        try:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=exit_with_parent,
                                             initargs=(os.getpid(),))
        except (OSError, RuntimeError, ValueError):
            self._pool = None

    def run(self, fn, *args):
        """fn(*args) in the side process; here when there is none or it died (its exceptions are fn's)."""
        pool = self._pool
        if pool is not None:
            try:
                return pool.submit(fn, *args).result()
            except BrokenProcessPool:
                self._pool = None
        return fn(*args)

    def start(self, fn, *args) -> bool:
        """fn(*args) begun in the side process without waiting for it (False: there is none).
        Jobs run one after the other, so a later run() comes after it; its errors stay there."""
        pool = self._pool
        if pool is None:
            return False
        try:
            pool.submit(fn, *args)
        except RuntimeError:  # a broken pool (BrokenProcessPool is one) or one shut down
            self._pool = None
            return False
        return True

    def close(self) -> None:
        """Stop the process without waiting for it to exit."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> SideProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
