"""Parse files in worker processes (spawn), one batch per job; a crash or hang stays with its file.

Each worker posts on a shared board which file of which batch it is reading and since
when, so a file that hangs is found after its own time limit, not the batch's.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .cache import encode
from .lifeline import exit_with_parent
from .parse import parse_workbook, unreadable
from .parsed import ParseResult, packed
from .readers.grid import Limits
from .safe_errors import described


@dataclass(frozen=True)
class ParseJob:
    path: str
    mode: str  # "" for commune files, "targets" for the province's targets workbook


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not available on every platform
        pass


# Files per job sent to a worker. A national run's read tasks hold ~400 files each (few tasks:
# each costs Prefect's server CPU); sent whole, the last two batches left one core idle for up to
# 0.4 s while the other finished. Chunks of 24 files cost one message each way (~0.2 ms).
CHUNK_FILES = 24

# In a worker process: the shared board and this worker's slot on it.
_BOARD = None
_SLOT = 0
_FIELDS = 3  # per slot: batch id, index of the file in the batch, monotonic start time (0: idle)


def _worker_init(memory_limit: int, board=None, counter=None, parent: int | None = None) -> None:
    global _BOARD, _SLOT
    exit_with_parent(parent)
    _limit_memory(memory_limit)
    if board is not None and counter is not None:
        with counter.get_lock():
            _SLOT = counter.value % (len(board) // _FIELDS)
            counter.value += 1
        _BOARD = board


def _post(batch_id: int, index: int, started: float) -> None:
    if _BOARD is not None:
        base = _SLOT * _FIELDS
        _BOARD[base : base + _FIELDS] = [float(batch_id), float(index), started]


def parse_one(job: ParseJob, limits: Limits) -> ParseResult:
    """Parse a file; any exception becomes a `readable` failure of that file."""
    if os.environ.get("GIAMNGHEO_FAULT") == f"hang:{Path(job.path).name}":  # fault injection: the time-out tests
        time.sleep(3600)
    try:
        return parse_workbook(Path(job.path), limits, forced_kind=job.mode or None)
    except MemoryError:
        return unreadable("memory", "", None)
    except RecursionError:
        return unreadable("crashed", "RecursionError", None)
    except Exception as exc:  # a reader bug must not take the batch down; its message may quote a cell: not kept
        return unreadable("crashed", described(exc), None)
    except BaseException as exc:
        # a Rust reader's panic (pyo3's PanicException is no Exception: a truncated .xls took the whole run down)
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return unreadable("corrupt", "thư viện đọc tệp dừng giữa chừng", None)


def _warm() -> None:
    """Nothing: submitting it starts a worker process, which imports this module and the parser."""


def parse_batch(jobs: list[ParseJob], limits: Limits, batch_id: int = 0) -> list[bytes]:
    """Each file's parse result, encoded here: JSON bytes cross the process boundary (and go into
    the cache) several times faster than pickled dicts are rebuilt in the flow process; its tables'
    repeated columns once (parsed.packed)."""
    out = []
    for i, job in enumerate(jobs):
        _post(batch_id, i, time.monotonic())
        out.append(encode(packed(parse_one(job, limits))))
    _post(0, 0, 0.0)
    return out


class WorkerPool:
    """A lazily started process pool shared by the run's batch tasks."""

    def __init__(self, workers: int, limits: Limits, in_process: bool = False):
        self.workers = max(1, workers)
        self.limits = limits
        self.in_process = in_process  # parse here (a daemonic Dask worker may not start processes)
        self._pool: ProcessPoolExecutor | None = None
        self._board = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                ctx = mp.get_context("spawn")
                self._board = ctx.Array("d", self.workers * _FIELDS, lock=False)
                self._started = ctx.Value("q", 0)  # workers through their initializer (each takes a slot of the board)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=ctx,
                    initializer=_worker_init,
                    initargs=(self.limits.worker_memory_bytes, self._board, self._started, os.getpid()),
                )
            return self._pool

    def warm(self) -> None:
        """Start the worker processes now (they import the parser while the files are listed)."""
        if not self.in_process:
            pool = self._get()
            for _ in range(self.workers):
                pool.submit(_warm)

    def _hung(self, batch_id: int) -> int | None:
        """Index of the file of this batch that a worker has been reading for too long."""
        board, now = self._board, time.monotonic()
        for base in range(0, len(board) if board is not None else 0, _FIELDS):
            batch, index, started = board[base : base + _FIELDS]
            if int(batch) == batch_id and started and now - started > self.limits.file_timeout_seconds:
                return int(index)
        return None

    def _reset(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                _kill(broken)
                self._pool = None

    def run(self, jobs: list[ParseJob]) -> list[bytes]:
        """Encoded results in job order. The batch goes to the workers in chunks of CHUNK_FILES, so
        the workers share out the run's batches file group by file group and finish together. A file
        that hangs is reported as timed out and the rest of its chunk read again; after a crash the
        chunk is retried file by file."""
        if not jobs:
            return []
        if self.in_process:
            return parse_batch(jobs, self.limits)
        pool = self._get()
        chunks = [jobs[i : i + CHUNK_FILES] for i in range(0, len(jobs), CHUNK_FILES)]
        submitted = []
        for chunk in chunks:
            batch_id = next(self._ids)
            submitted.append((chunk, batch_id, pool.submit(parse_batch, chunk, self.limits, batch_id)))
        return [raw for chunk, batch_id, future in submitted for raw in self._collect(pool, chunk, batch_id, future)]

    def _collect(self, pool: ProcessPoolExecutor, jobs: list[ParseJob], batch_id: int, future) -> list[bytes]:
        """One chunk's results, watching the board for a file that hangs."""
        deadline = time.monotonic() + self.limits.file_timeout_seconds * len(jobs) + 30  # if the board says nothing
        try:
            while True:
                try:
                    return future.result(timeout=0.25)
                except FutureTimeout:
                    hung = self._hung(batch_id)
                    if hung is not None:
                        self._reset(pool)
                        limit = f"{self.limits.file_timeout_seconds:.0f} s"
                        timed_out = encode(unreadable("timeout", f"> {limit}", limit, self.limits.file_timeout_seconds))
                        return self.run(jobs[:hung]) + [timed_out] + self.run(jobs[hung + 1 :])
                    if time.monotonic() > deadline:
                        break
        except CancelledError:  # the pool was stopped (another chunk hung) before this chunk started
            return self.run(jobs)  # usually the stop marks waiting chunks broken instead: read alone below
        except BrokenProcessPool:
            pass
        self._reset(pool)
        return [self._run_alone(job) for job in jobs]

    def _run_alone(self, job: ParseJob) -> bytes:
        pool = self._get()
        started = time.perf_counter()
        try:
            return pool.submit(parse_batch, [job], self.limits).result(timeout=self.limits.file_timeout_seconds)[0]
        except BrokenProcessPool:
            self._reset(pool)
            return encode(unreadable("crashed", "the reading process died", None, time.perf_counter() - started))
        except FutureTimeout:
            self._reset(pool)
            limit = f"{self.limits.file_timeout_seconds:.0f} s"
            return encode(unreadable("timeout", f"> {limit}", limit, time.perf_counter() - started))

    def close(self, wait: bool = True) -> None:
        """Stop the workers; without `wait` they finish exiting while the run goes on (0.2 s). Workers still
        starting are let start first (a run served from the cache is over in less than their start-up): stopped
        half-way, each printed a traceback (SemLock FileNotFoundError) on the run's stderr."""
        with self._lock:
            if self._pool is not None:
                _wait_started(self._pool, self._started)
                self._pool.shutdown(wait=wait, cancel_futures=True)
                self._pool = None


def _wait_started(pool: ProcessPoolExecutor, counter, timeout: float = 10.0) -> None:
    """Wait until every process of `pool` is through its initializer (bounded)."""
    deadline = time.monotonic() + timeout
    while counter.value < len(getattr(pool, "_processes", None) or {}) and time.monotonic() < deadline:
        time.sleep(0.02)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose worker hangs or died: terminate its processes, do not wait for them."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.terminate()
        except Exception:
            pass
    pool.shutdown(wait=False, cancel_futures=True)


# The run's pool, registered by the flow in its own process. A task running elsewhere (a Dask
# worker) finds none and uses a one-process pool of its own, which still keeps a crashing or
# hanging file away from the worker; that pool serves the process's later runs too (one a run
# would leave an idle process behind on a long-lived cluster after every run).
_POOLS: dict[str, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()
_LOCAL: WorkerPool | None = None


def register_pool(token: str, pool: WorkerPool) -> None:
    with _POOLS_LOCK:
        _POOLS[token] = pool


def release_pool(token: str) -> None:
    with _POOLS_LOCK:
        pool = _POOLS.pop(token, None)
    if pool is not None:
        pool.close(wait=False)


def pool_for(token: str, limits: Limits) -> WorkerPool:
    global _LOCAL
    with _POOLS_LOCK:
        if token in _POOLS:
            return _POOLS[token]
        if _LOCAL is None or _LOCAL.limits != limits:
            if _LOCAL is not None:
                _LOCAL.close(wait=False)
            _LOCAL = WorkerPool(1, limits, in_process=mp.current_process().daemon)
        return _LOCAL
