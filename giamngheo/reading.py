"""Read a batch of files: hash each, take unchanged ones from the cache, parse the rest in workers."""

from __future__ import annotations

import time

from .cache import ParseCache, file_sha256
from .discover import FileEntry
from .parallel import ParseJob, WorkerPool
from .parse import unreadable
from .submissions import FileRecord


def read_files(entries: list[FileEntry], cache: ParseCache, pool: WorkerPool, mode: str = "") -> list[FileRecord]:
    """One FileRecord per entry, in order; `parsed` says whether it was parsed in this run."""
    records: list[FileRecord | None] = [None] * len(entries)
    todo: list[tuple[int, str]] = []
    for i, entry in enumerate(entries):
        started = time.perf_counter()
        try:
            sha = file_sha256(entry.path)
        except OSError as exc:
            data = unreadable("corrupt", f"{type(exc).__name__}: {exc.strerror or exc}", None, time.perf_counter() - started)
            records[i] = FileRecord(entry, "", True, data)
            continue
        cached = cache.get(sha, mode)
        if cached is not None:
            records[i] = FileRecord(entry, sha, False, cached)
        else:
            todo.append((i, sha))
    results = pool.run([ParseJob(str(entries[i].path), mode) for i, _ in todo])
    cache.put_many([(sha, mode, data) for (_, sha), data in zip(todo, results)])
    for (i, sha), data in zip(todo, results):
        records[i] = FileRecord(entries[i], sha, True, data)
    return [r for r in records if r is not None]
