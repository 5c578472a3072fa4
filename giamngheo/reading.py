"""Read a batch of files: hash each, take unchanged ones from the cache, parse the rest in workers."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from .cache import ParseCache, decode, encode, file_sha256
from .discover import FileEntry
from .parallel import ParseJob, WorkerPool, pool_for
from .parse import unreadable, unreadable_io
from .parsed import ParseResult
from .pipeline import compact
from .readers.grid import Limits
from .path_names import masked_path
from .secret import key_id, keyer
from .submissions import FileRecord


@dataclass(frozen=True)
class ReadContext:
    """What a read task needs, as plain picklable values (tasks may run in other processes: Dask)."""

    cache_path: Path | None
    limits: Limits
    run_token: str  # finds the run's worker pool in this process, or starts a local one


def read_batch(entries: list[FileEntry], ctx: ReadContext, mode: str = "") -> list[FileRecord]:
    """Read a batch with the run's cache and worker pool (local ones when run elsewhere)."""
    cache = ParseCache(ctx.cache_path)
    try:
        return read_files(entries, cache, pool_for(ctx.run_token, ctx.limits), mode)
    finally:
        cache.close()


# Reasons a file could not be read that depend on the machine and the moment, not only on the
# file's bytes: such results are never cached, the next run tries again.
TRANSIENT = ("timeout", "crashed", "memory", "io_error", "unreadable_dir", "changed")


def _says_more_about_the_machine(data: ParseResult) -> bool:
    return data.is_readable_failure(TRANSIENT)


def read_files(entries: list[FileEntry], cache: ParseCache, pool: WorkerPool, mode: str = "") -> list[FileRecord]:
    """One FileRecord per entry, in order; `parsed` says whether it was parsed in this run."""
    records: list[FileRecord | None] = [None] * len(entries)
    todo: list[tuple[int, str]] = []
    slot = f"{mode}|{key_id()}"  # a household list's pseudonyms are made under the key: another key parses again
    pending = _Compacting()
    stamps: dict[int, tuple] = {}  # the file's size and times as hashed: a file parsed later must be the one hashed
    for i, entry in enumerate(entries):
        started = time.perf_counter()
        try:
            stamps[i] = _stamp(entry.path)
            sha = file_sha256(entry.path)
        except OSError as exc:
            data = unreadable_io(exc, time.perf_counter() - started)
            records[i] = FileRecord(entry, "", True, data)
            continue
        cached = cache.get(sha, slot)
        if cached is not None:
            records[i] = _record(entry, sha, False, pending.add(cached))
        else:
            todo.append((i, sha))
    encoded = pool.run([ParseJob(str(entries[i].path), mode) for i, _ in todo])
    stored = []
    for (i, sha), raw in zip(todo, encoded):
        if not _unchanged(entries[i].path, stamps[i]):
            # edited or copied over between its hashing and its parsing: the figures read are of no known content (they
            # were published, and cached, under the earlier content's SHA-256); reported, not cached, read next run
            raw = encode(unreadable("changed", "", None))
        data = pending.add(ParseResult.from_dict(decode(raw)))
        if not _says_more_about_the_machine(data):
            stored.append((sha, slot, raw))
        records[i] = _record(entries[i], sha, True, data)
    cache.put_many(stored)
    pending.flush()
    return [r for r in records if r is not None]


def _record(entry: FileEntry, sha: str, parsed: bool, data: ParseResult) -> FileRecord:
    """The file's record, its path as published: a household list's file named after a listed person starred there
    (path_names)."""
    if data.name_refs:
        masked = masked_path(entry.rel, data.name_refs, keyer())
        if masked != entry.rel:
            entry = replace(entry, rel=masked)
    return FileRecord(entry, sha, parsed, data)


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _unchanged(path: Path, stamp: tuple) -> bool:
    try:
        return _stamp(path) == stamp
    except OSError:  # gone since: the parsing process said so (io_error), or read it whole before
        return True


class _Compacting:
    """Parse results whose tables' rows are made frames every few files (pipeline.compact): read tasks run side
    by side, and a whole batch's lists as Python objects in each of them was a rerun's memory peak."""

    EVERY = 32

    def __init__(self) -> None:
        self.results: list[ParseResult] = []

    def add(self, data: ParseResult) -> ParseResult:
        self.results.append(data)
        if len(self.results) >= self.EVERY:
            self.flush()
        return data

    def flush(self) -> None:
        compact(self.results)
        self.results = []
