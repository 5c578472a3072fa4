"""A read task in a process without the run's pool (a Dask worker) parses in one pool of its own, kept across runs."""

from __future__ import annotations

from giamngheo import parallel
from giamngheo.readers.grid import Limits
import pytest

pytestmark = pytest.mark.slow  # starts processes


def test_later_runs_reuse_the_pool_and_new_limits_replace_it(monkeypatch):
    monkeypatch.setattr(parallel, "_LOCAL", None)
    first = parallel.pool_for("run-1", Limits())
    first.warm()  # a parsing process is running
    try:
        assert parallel.pool_for("run-2", Limits()) is first  # the next run on the same worker: no new process
        other = parallel.pool_for("run-3", Limits(file_timeout_seconds=3))
        assert other is not first and other.limits.file_timeout_seconds == 3
        assert first._pool is None  # the old pool was closed, not left behind
    finally:
        first.close()
        parallel._LOCAL.close()


def test_the_runs_own_pool_comes_first(monkeypatch):
    monkeypatch.setattr(parallel, "_LOCAL", None)
    registered = parallel.WorkerPool(2, Limits())
    parallel.register_pool("run-9", registered)
    try:
        assert parallel.pool_for("run-9", Limits()) is registered
        assert parallel._LOCAL is None
    finally:
        parallel.release_pool("run-9")
