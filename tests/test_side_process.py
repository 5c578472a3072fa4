"""The analyst workbook's side process: jobs run there, their errors come back, and a dead process costs time, not the report."""

from __future__ import annotations

import os
import signal

import pytest

from giamngheo.reports.side_process import SideProcess

pytestmark = pytest.mark.slow  # starts processes


def test_a_job_runs_in_the_side_process_and_its_errors_come_back():
    with SideProcess() as side:
        assert side.run(os.getpid) != os.getpid()
        with pytest.raises(ValueError):
            side.run(int, "không phải số")
        assert side.run(sum, [1, 2, 3]) == 6  # still usable after a job's error


def test_a_dead_side_process_leaves_the_job_to_this_one():
    with SideProcess() as side:
        pid = side.run(os.getpid)
        os.kill(pid, signal.SIGKILL)
        assert side.run(os.getpid) == os.getpid()
        assert side.run(os.getpid) == os.getpid()  # and stays here


def test_a_daemonic_process_runs_the_job_itself(monkeypatch):
    """A daemonic process (a Dask worker) may not start children: no side process, the job runs here."""
    monkeypatch.setattr("multiprocessing.current_process", lambda: type("Daemonic", (), {"daemon": True})())
    with SideProcess() as side:
        assert side.run(os.getpid) == os.getpid()
