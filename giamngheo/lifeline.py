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


def exit_with_parent(interval: float = 1.0) -> None:
    """Leave this process (at once, no clean-up) within `interval` seconds of its parent's end."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:  # adopted by init (or a subreaper): the parent is gone
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
