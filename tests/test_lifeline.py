"""Worker processes leave when their parent dies instead of sleeping on as orphans."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import psutil
import pytest

pytestmark = pytest.mark.slow  # starts processes

PARENT = textwrap.dedent(
    """
    import multiprocessing as mp
    import sys
    import time
    from concurrent.futures import ProcessPoolExecutor

    from giamngheo.lifeline import exit_with_parent


    def child_pid():
        import os
        return os.getpid()


    if __name__ == "__main__":
        watched = sys.argv[1] == "watched"
        pool = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"), initializer=exit_with_parent if watched else None)
        print(pool.submit(child_pid).result(), flush=True)
        time.sleep(120)
    """
)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _gone_after_parent_killed(tmp_path, mode: str) -> bool:
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _gone(pid):
        time.sleep(0.1)
    gone = _gone(pid)
    if not gone:
        psutil.Process(pid).kill()
    return gone


def test_a_pool_worker_leaves_when_its_parent_is_killed(tmp_path):
    assert _gone_after_parent_killed(tmp_path, "watched")


def test_without_the_watch_the_worker_would_stay(tmp_path):
    """The case the watch is for: a plain pool worker outlives a killed parent."""
    assert not _gone_after_parent_killed(tmp_path, "plain")


EARLY = textwrap.dedent(
    """
    import multiprocessing as mp
    import os
    import sys
    import time
    from concurrent.futures import ProcessPoolExecutor

    from giamngheo.lifeline import exit_with_parent


    def nothing():
        return None


    if __name__ == "__main__":
        pool = ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=exit_with_parent, initargs=(os.getpid(),))
        for _ in range(2):
            pool.submit(nothing)
        print(" ".join(str(p.pid) for p in mp.active_children()), flush=True)
        time.sleep(120)
    """
)


def test_a_worker_still_starting_when_its_parent_is_killed_leaves_too(tmp_path):
    """A run killed in its first seconds: its workers were still importing, and asked for their parent only once
    started, they got init and slept on forever (seen after kill -9 at 8 and 11 s of a run)."""
    script = tmp_path / "early.py"
    script.write_text(EARLY, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in parent.stdout.readline().split()]
    parent.kill()  # the workers are still importing
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_gone(p) for p in pids):
        time.sleep(0.1)
    left = [p for p in pids if not _gone(p)]
    for p in left:
        psutil.Process(p).kill()
    assert pids and not left
