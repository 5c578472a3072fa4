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
