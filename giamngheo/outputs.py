"""The output folder: one run at a time, each run written aside and published in one atomic step.

A run writes everything to `.staging/<run_id>/` and renames it to `runs/<run_id>/`
(complete or absent). Each top-level name (`villages.parquet`, `feedback/`, ...) is a
symbolic link to `current/<name>`, and `current` is a link to `runs/<run_id>`: publishing
is one rename of a new `current` over the old one, so a reader sees every top-level
file of one run or of the next, never a mix. A journal records the publishing; if a run
dies during it, the next run (or any command that opens the folder) finishes it first.
Where the file system has no symbolic links (FAT, some network shares) the files are
replaced one by one instead, each atomically, under the same journal.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from .kinds import KINDS
from .secret import ensure_secret

LOCK_NAME = ".giamngheo.lock"
JOURNAL_NAME = ".publishing.json"
STAGING = ".staging"
RUNS = "runs"
CURRENT = "current"
# Top-level outputs a run may publish: every declared kind's tables, then the run's own files; any
# other run's leftovers among these are removed. Never journal.jsonl (approvals outlive runs).
PUBLISHED = (
    *dict.fromkeys(output.name for kind in KINDS for output in kind.outputs),
    "validation_failures.parquet",
    "submissions.parquet",
    "failure_history.parquet",
    "lineage.parquet",
    "manifest.json",
    "diff.json",
    "bao_cao_tong_hop.xlsx",
    "bao_cao_kiem_tra.html",
    "bao_cao_kiem_tra.xlsx",
    "feedback",
)


def fault_point(name: str) -> None:
    """Fault injection for the crash tests: GIAMNGHEO_FAULT=<name> kills this process here (SIGKILL)."""
    if os.environ.get("GIAMNGHEO_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


def new_run_id() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z-{os.getpid() % 100000:05d}"


_HELD: dict[Path, int] = {}  # locks this process holds (the CLI takes it before the flow starts)


@contextlib.contextmanager
def run_lock(out: Path, wait_seconds: float = 0.0):
    """Hold the folder's lock (flock: released by the kernel if the holder dies, so never stale).

    Re-entrant within a process: the command line takes the lock before starting the flow,
    so a refused run is a plain message, and the flow's own `run_lock` then finds it held.
    """
    out.mkdir(parents=True, exist_ok=True)
    key = out.resolve()
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    path = out / LOCK_NAME
    fh = open(path, "a+", encoding="utf-8")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise OutputBusy(f"another run is using {out} ({holder})") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid={os.getpid()} host={socket.gethostname()} since={datetime.now(timezone.utc).isoformat()}")
        fh.flush()
        _HELD[key] = 1
        try:
            yield
        finally:
            _HELD.pop(key, None)
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def unwritable(out: Path) -> Path | None:
    """The first part of --out a run must write that cannot be written (a read-only `runs/`, `.staging/` or lock file,
    say an auditor's copy of permissions): said before the run, not as a traceback after it (the whole flow ran, then
    failed at the last rename; operations probe, Lâm Đồng). None when every part can be."""
    for folder in (out / RUNS, out / STAGING):
        if folder.is_dir():
            probe = folder / f".giamngheo-write-test-{os.getpid()}"
            try:
                probe.write_text("ok")
                probe.unlink()
            except OSError:
                return folder
    lock = out / LOCK_NAME
    if lock.exists():
        try:
            open(lock, "a").close()
        except OSError:
            return lock
    return None


def staging_dir(out: Path, run_id: str) -> Path:
    path = out / STAGING / run_id
    path.mkdir(parents=True, exist_ok=False)
    return path


def _fsync_tree(path: Path) -> None:
    for p in sorted(path.rglob("*")) + [path]:
        with contextlib.suppress(OSError):
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _link_or_copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst, copy_function=_link_file)
    else:
        _link_file(src, dst)


def _link_file(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _remove(path: Path) -> None:
    if not _real_dir(path):
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _replace(new: Path, target: Path) -> None:
    """Rename `new` over `target`. Rename cannot replace a folder, nor put a folder over a file
    or link: then `target` is moved aside first and removed after."""
    if _real_dir(target) or (_real_dir(new) and os.path.lexists(target)):
        old = target.with_name(f".old-{target.name}")
        _remove(old)
        os.replace(target, old)
        os.replace(new, target)
        _remove(old)
    else:
        os.replace(new, target)


def link_atomically(link: Path, target: str) -> None:
    """Make `link` a symbolic link to `target` in one rename."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    tmp = link.with_name(f".new-{link.name}")
    _remove(tmp)
    os.symlink(target, tmp)
    _replace(tmp, link)


def _symlinks_work(out: Path) -> bool:
    probe = out / f".new-symlink-probe-{os.getpid()}"
    try:
        _remove(probe)
        os.symlink(RUNS, probe)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def adopt_copied_run(out: Path) -> None:
    """Before the first switch of a folder published by copying: point `current` at the run its files are from."""
    try:
        run_id = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    if isinstance(run_id, str) and (out / RUNS / run_id / "manifest.json").is_file():
        link_atomically(out / CURRENT, f"{RUNS}/{run_id}")


def _publish(out: Path, run_id: str) -> None:
    run_dir = out / RUNS / run_id
    names = [n for n in PUBLISHED if (run_dir / n).exists()]
    if not _symlinks_work(out):
        _publish_by_copying(out, run_id, names)
        return
    if not (out / CURRENT).is_symlink():
        adopt_copied_run(out)
    for name in names:  # links into `current`: they still show the previous run
        link_atomically(out / name, f"{CURRENT}/{name}")
        fault_point(f"published:{name}")
    link_atomically(out / CURRENT, f"{RUNS}/{run_id}")  # the switch
    fault_point("switched")
    for name in PUBLISHED:
        if name not in names:
            _remove(out / name)


def _publish_by_copying(out: Path, run_id: str, names: list[str]) -> None:
    run_dir = out / RUNS / run_id
    _remove(out / CURRENT)
    for name in names:
        tmp = out / f".new-{name}"
        _remove(tmp)
        _link_or_copy(run_dir / name, tmp)
        _replace(tmp, out / name)
        fault_point(f"published:{name}")
    for name in PUBLISHED:
        if name not in names:
            _remove(out / name)


def recover(out: Path) -> str | None:
    """Finish publishing a run that died while publishing; drop dead staging and half-made names; put the
    province's key where the parsing processes find it (giamngheo/secret.py)."""
    journal = out / JOURNAL_NAME
    finished = None
    if journal.exists():
        try:
            run_id = json.loads(journal.read_text(encoding="utf-8"))["run_id"]
        except (ValueError, KeyError, TypeError, OSError):
            run_id = None
        if isinstance(run_id, str) and (out / RUNS / run_id).is_dir():
            _publish(out, run_id)
            finished = run_id
        journal.unlink(missing_ok=True)
    shutil.rmtree(out / STAGING, ignore_errors=True)
    for leftover in [*out.glob(".new-*"), *out.glob(".old-*"), out / (JOURNAL_NAME + ".tmp")]:
        _remove(leftover)
    ensure_secret(out)
    return finished


def commit(out: Path, run_id: str) -> Path:
    """Make the staged run permanent under runs/<run_id>/ and publish it at the top of `out`."""
    staged = out / STAGING / run_id
    _fsync_tree(staged)
    fault_point("staged")
    run_dir = out / RUNS / run_id
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, run_dir)
    fault_point("run_saved")
    journal = out / JOURNAL_NAME
    tmp = out / (JOURNAL_NAME + ".tmp")
    tmp.write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    os.replace(tmp, journal)
    fault_point("journal_written")
    _publish(out, run_id)
    journal.unlink(missing_ok=True)
    return run_dir


def previous_table(out: Path, name: str) -> pl.LazyFrame | None:
    """Table `name` of the last completed run, or None (no run yet, or that run did not write it)."""
    runs = previous_runs(out)
    path = out / RUNS / runs[-1] / name if runs else None
    return pl.scan_parquet(path) if path is not None and path.exists() else None


def previous_runs(out: Path) -> list[str]:
    """Completed runs, oldest first."""
    runs = out / RUNS
    if not runs.is_dir():
        return []
    return sorted(p.name for p in runs.iterdir() if p.is_dir() and (p / "manifest.json").exists())


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def out_of_space(exc: BaseException, out: Path) -> bool:
    """Whether a run died of a full disk under `out`: an OSError of no space anywhere in the exception's chain, or a
    writer's own words for it ("Invalid thrift: transport error" from a Parquet footer cut short) with next to nothing
    left free. A full disk ended the run in ~170 lines of traceback, exit 1 (operations judge, Lạng Sơn)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE or "No space left on device" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    try:
        return shutil.disk_usage(out).free < 16 * 1024 * 1024
    except OSError:
        return False


def drop_staging(out: Path) -> None:
    """The dead run's staged outputs, removed at once (the next run's recover would): on a full disk they hold the space
    the next run needs. Only while the run's lock is held."""
    shutil.rmtree(out / STAGING, ignore_errors=True)

