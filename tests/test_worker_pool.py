"""A batch goes to the parsing processes in chunks: results come back in file order, and a file that
hangs costs its own time limit while every other file of the batch is still read."""

from __future__ import annotations

import pytest

from giamngheo import parallel
from giamngheo.cache import decode
from giamngheo.parallel import ParseJob, WorkerPool
from giamngheo.readers.grid import Limits

pytestmark = pytest.mark.slow  # starts processes


def _files(tmp_path, n: int) -> list[ParseJob]:
    jobs = []
    for i in range(n):
        path = tmp_path / f"{i:05d}_xa_{i}.csv"
        path.write_text(f"STT,Tên thôn,Tổng số hộ,Số hộ nghèo\n1,Thôn {i},{100 + i},{i}\n", encoding="utf-8")
        jobs.append(ParseJob(str(path), ""))
    return jobs


def _comparable(raw: bytes) -> dict:
    return {k: v for k, v in decode(raw).items() if k != "seconds"}


def test_chunks_come_back_in_file_order(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_FILES", 3)  # 10 files: four chunks over two processes
    jobs = _files(tmp_path, 10)
    pool = WorkerPool(2, Limits())
    try:
        got = pool.run(jobs)
    finally:
        pool.close()
    expected = parallel.parse_batch(jobs, Limits())
    assert [_comparable(r) for r in got] == [_comparable(r) for r in expected]


@pytest.mark.timeout(120)
def test_a_hanging_file_in_a_middle_chunk_times_out_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_FILES", 2)  # chunks still waiting when the pool is stopped are cancelled
    jobs = _files(tmp_path, 10)
    hanging = jobs[4]  # the third chunk's first file
    monkeypatch.setenv("GIAMNGHEO_FAULT", f"hang:{hanging.path.rsplit('/', 1)[-1]}")  # the spawned workers inherit it
    pool = WorkerPool(1, Limits(file_timeout_seconds=1))  # one process: the chunks after the hang still wait
    try:
        got = [decode(r) for r in pool.run(jobs)]
    finally:
        pool.close()
    monkeypatch.delenv("GIAMNGHEO_FAULT")
    expected = [decode(r) for r in parallel.parse_batch(jobs, Limits())]
    timed_out = [i for i, data in enumerate(got) if any(f.get("detail") == "timeout" for f in data.get("failures", ()))]
    assert timed_out == [4]
    assert [{k: v for k, v in d.items() if k != "seconds"} for i, d in enumerate(got) if i != 4] == [
        {k: v for k, v in d.items() if k != "seconds"} for i, d in enumerate(expected) if i != 4
    ]


def test_a_reader_panic_is_the_files_failure_not_the_runs():
    """A truncated .xls makes calamine panic: pyo3's PanicException is a BaseException, not an Exception, so it went
    past the per-file handling, could not be pickled back from the worker, and failed the whole run (probe)."""
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "broken" / "02155_truncated_reader_panics.xls"
    failure = parallel.parse_one(ParseJob(str(path), ""), Limits()).failures[0]
    assert (failure["rule"], failure["detail"]) == ("readable", "corrupt")
    pool = WorkerPool(1, Limits())
    try:
        (got,) = [decode(r) for r in pool.run([ParseJob(str(path), "")])]
    finally:
        pool.close()
    assert [(f["rule"], f["detail"]) for f in got["failures"]] == [("readable", "corrupt")]
