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


def test_a_killed_runs_temporary_server_is_stopped_by_the_next_run(tmp_path):
    """kill -9 of a run orphans Prefect's temporary API server (a uvicorn process of its own); the next run stops it.
    Only an ephemeral Prefect server whose parent is init is touched (a fake /proc over real sleeping processes)."""
    from giamngheo.lifeline import reap_orphaned_servers

    server = b"python\0-m\0uvicorn\0--factory\0prefect.server.api.server:create_app\0"
    cases = {"orphan": (1, server, b"PREFECT__SERVER_EPHEMERAL=1"), "parented": (4242, server, b"PREFECT__SERVER_EPHEMERAL=1"),
             "real server": (1, server, b"PREFECT_API_URL=x"), "other": (1, b"sleep\x0060\0", b"PREFECT__SERVER_EPHEMERAL=1")}
    procs = {}
    for name, (ppid, cmdline, environ) in cases.items():
        p = subprocess.Popen(["sleep", "60"])
        procs[name] = p
        d = tmp_path / str(p.pid)
        d.mkdir()
        (d / "status").write_text(f"Name:\tpython\nState:\tS\nPid:\t{p.pid}\nPPid:\t{ppid}\nUid:\t0\n")
        (d / "cmdline").write_bytes(cmdline)
        (d / "environ").write_bytes(b"HOME=/root\0" + environ + b"\0")
    try:
        assert reap_orphaned_servers(str(tmp_path)) == [procs["orphan"].pid]
        assert procs["orphan"].wait(timeout=5) == -15
        assert all(procs[n].poll() is None for n in ("parented", "real server", "other"))
    finally:
        for p in procs.values():
            p.kill()
            p.wait()
