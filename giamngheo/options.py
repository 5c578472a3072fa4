"""Parameters of one consolidation run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .readers.grid import Limits


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass
class RunOptions:
    raw: Path
    out: Path
    targets: Path | None = None
    province: str | None = None
    year: int | None = None
    workers: int = field(default_factory=default_workers)
    batch_size: int = 100
    use_cache: bool = True
    wait_seconds: float = 0.0
    deadline: str | None = None  # submission deadline (YYYY-MM-DD) for the ledger's timeliness
    limits: Limits = field(default_factory=Limits)
    progress: bool = False

    def as_manifest(self) -> dict:
        return {
            "raw": str(self.raw),
            "out": str(self.out),
            "targets": str(self.targets) if self.targets else None,
            "province": self.province,
            "year": self.year,
            "workers": self.workers,
            "batch_size": self.batch_size,
            "use_cache": self.use_cache,
            "deadline": self.deadline,
            "limits": self.limits.__dict__,
        }
