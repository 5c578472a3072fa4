"""giamngheo: consolidate commune poverty-reduction reports into provincial figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

__version__ = "0.1.0"

_PARSER_SOURCES = ("parse.py", "text.py", "legacy_text.py", "legacy_tables.py", "readers", "layout")


def _parser_version() -> str:
    """A digest of the parsing code and vocabulary: any change to them invalidates cached parses."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for name in _PARSER_SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and f.suffix in (".py", ".toml"):
                digest.update(f.relative_to(root).as_posix().encode())
                digest.update(f.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


PARSER_VERSION = _parser_version()
