"""Child processes that leave when their parent does.

A process pool's worker waits on a queue whose writing end it holds itself (spawn
hands it both ends), so when its parent dies without closing the pool (a crash, a
SIGKILL, a Dask worker stopped) it never sees the end of its input and sleeps on
forever. Parsing workers and the report side process start this watch instead.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(parent: int | None = None, interval: float = 1.0) -> None:
    """Leave this process (at once, no clean-up) within `interval` seconds of its parent's end.

    `parent`: the creating process's id, passed from it. Asked of the process itself only once it has started
    (a spawned worker imports for a second or two first), a parent killed meanwhile was already replaced by init,
    and the worker never left."""
    parent = parent or os.getppid()
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:  # adopted by init (or a subreaper): the parent is gone
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def reap_orphaned_servers(proc: str = "/proc") -> list[int]:
    """Stop the temporary Prefect API servers left by runs that were killed (kill -9, a power cut): a run's
    temporary server is a child process of its own that outlives it, adopted by init, serving no one. Only
    such servers are touched: Prefect's ephemeral server (PREFECT__SERVER_EPHEMERAL=1 in its environment) whose
    parent is init. Linux only (/proc); elsewhere nothing is done. Returns the ids stopped."""
    import signal
    from pathlib import Path

    stopped = []
    for entry in Path(proc).glob("[0-9]*"):
        try:
            status = (entry / "status").read_text()
            if "\nPPid:\t1\n" not in status:
                continue
            cmdline = (entry / "cmdline").read_bytes()
            if b"prefect.server.api.server:create_app" not in cmdline or b"uvicorn" not in cmdline:
                continue
            if b"PREFECT__SERVER_EPHEMERAL=1" not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            os.kill(int(entry.name), signal.SIGTERM)
            stopped.append(int(entry.name))
        except (OSError, ValueError):  # gone meanwhile, another user's, no /proc
            continue
    return stopped
