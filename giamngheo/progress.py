"""A progress bar for long runs: on a terminal only, quiet in CI and when output is redirected."""

from __future__ import annotations

import os
import sys


def progress_wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """Files read of total; a no-op unless enabled."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total > 0
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("Đọc tệp"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("read", total=self.total)
        return self

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
