"""giamngheo: consolidate commune poverty-reduction reports into provincial figures."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__version__ = "0.1.0"

# polars allocates with jemalloc, which keeps freed pages for reuse (10 s by default); a national
# run frees a few hundred MB between its steps. Kept that long, all the run's processes peak at
# 1.2 GiB; handed back at once (0 ms), at 0.85 GiB, but every step then faults its pages in again:
# the national run's steps after reading took 2.7 s instead of 2.2 s. Handed back after 100 ms:
# 0.91-0.94 GiB and 2.2 s (measured, 3,321 files). jemalloc reads this when polars loads, so
# giamngheo is imported first (the console script, and `flows/__init__.py` for
# `python -m flows.consolidate`).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")

# relative to this package; the formula marker is shared with the transforms
_PARSER_SOURCES = ("parse.py", "parsed.py", "sheet_findings.py", "sheet_parts.py", "failure_row.py", "kind_words.py", "text.py",
                   "text_encoding.py", "legacy_text.py", "legacy_decode.py", "legacy_tables.py", "safe_errors.py", "secret.py",
                   "vn.py", "path_names.py", "readers", "layout", "../transforms/markers.py", "../schemas/columns.py")


def _parser_version() -> str:
    """A digest of the parsing code and vocabulary: any change to them invalidates cached parses."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for name in _PARSER_SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".toml"):
                digest.update(Path(os.path.relpath(f, root)).as_posix().encode())
                digest.update(f.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


PARSER_VERSION = _parser_version()
