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

    @classmethod
    def from_parameters(cls, raw, out, targets=None, province=None, year=None, workers=None, batch_size=100,
                        use_cache=True, wait_seconds=0.0, deadline=None, limits=None, progress=False) -> "RunOptions":
        """Options from plain (JSON-friendly) flow parameters."""
        return cls(
            raw=Path(raw).resolve(),
            out=Path(out).resolve(),
            targets=Path(targets).resolve() if targets else None,
            province=str(province).zfill(2) if province else None,
            year=int(year) if year else None,
            workers=int(workers) if workers else default_workers(),
            batch_size=max(1, int(batch_size)),
            use_cache=bool(use_cache),
            wait_seconds=float(wait_seconds),
            deadline=deadline,
            limits=Limits(**limits) if limits else Limits(),
            progress=bool(progress),
        )

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
