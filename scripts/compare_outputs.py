"""Compare the outputs of two runs (two --out folders): every Parquet table and the manifest's files.

    python scripts/compare_outputs.py OUT_BEFORE OUT_AFTER [--new-columns]

Tables are compared as sets of rows, without the columns that differ by nature from run to run
(run_id, history of failures against earlier runs, file times), after sorting on every column; the manifest by
each file's path, sha256, commune, kind, layout and status. Prints one line per table and exits 1
on any difference. With --new-columns, columns only the later run has (an extension of the contract)
are listed and the tables compared on the columns both have.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

VOLATILE = {"run_id", "received_at", "history", "first_seen_run", "last_seen_run", "seconds", "parsed"}
MANIFEST_KEYS = ("path", "sha256", "commune_code", "kind", "layout", "status", "superseded_by")


def _table(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    frame = frame.select([c for c in frame.columns if c not in VOLATILE])
    return frame.sort(frame.columns, nulls_last=True)


def compare(before: Path, after: Path, new_columns: bool = False) -> list[str]:
    """One line per table; lines starting with 'DIFF' are differences."""
    lines = []
    names = sorted({p.name for p in before.glob("*.parquet")} | {p.name for p in after.glob("*.parquet")})
    for name in names:
        a, b = before / name, after / name
        if not (a.exists() and b.exists()):
            lines.append(f"DIFF {name}: only in {'before' if a.exists() else 'after'}")
            continue
        x, y = _table(a), _table(b)
        added = [c for c in y.columns if c not in x.columns]
        if new_columns and added and set(x.columns) <= set(y.columns):
            y = y.select(x.columns).sort(x.columns, nulls_last=True)
            name = f"{name} (+{len(added)} new columns: {', '.join(added)})"
        if x.columns != y.columns:
            lines.append(f"DIFF {name}: columns {x.columns} != {y.columns}")
        elif x.schema != y.schema:
            lines.append(f"DIFF {name}: types {dict(x.schema)} != {dict(y.schema)}")
        elif not x.equals(y, null_equal=True):
            lines.append(
                f"DIFF {name}: {x.height} vs {y.height} rows, {x.join(y, on=x.columns, how='anti', nulls_equal=True).height} "
                f"rows only before"
            )
        else:
            lines.append(f"same {name}: {x.height} rows x {x.width} columns")
    files = [
        sorted(
            json.dumps({k: f.get(k) for k in MANIFEST_KEYS}, sort_keys=True)
            for f in json.loads((d / "manifest.json").read_text())["files"]
        )
        for d in (before, after)
    ]
    lines.append(f"{'same' if files[0] == files[1] else 'DIFF'} manifest.json files: {len(files[0])} vs {len(files[1])}")
    return lines


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    report = compare(Path(args[0]), Path(args[1]), "--new-columns" in sys.argv)
    print("\n".join(report))
    sys.exit(1 if any(line.startswith("DIFF") for line in report) else 0)
