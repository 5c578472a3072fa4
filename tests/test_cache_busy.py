"""A parse cache held by another connection is busy, not damaged: it is never deleted from under it."""

from __future__ import annotations

import sqlite3

from giamngheo.cache import ParseCache


def test_a_locked_cache_is_left_alone_and_its_entries_kept(tmp_path, monkeypatch):
    path = tmp_path / "parsed.sqlite"
    first = ParseCache(path)
    first.put_many([("a" * 64, "", b'{"parser_version": "x"}')])
    holder = sqlite3.connect(str(path))
    holder.execute("BEGIN EXCLUSIVE")  # another read task in the middle of writing
    monkeypatch.setattr(ParseCache, "BUSY_SECONDS", 0.05)
    busy = ParseCache(path)  # opening while it is held: no cache for this batch, the file untouched
    assert busy.get("a" * 64, "") is None
    busy.put_many([("b" * 64, "", b"{}")])  # a no-op without a connection
    holder.rollback()
    holder.close()
    assert path.exists()
    again = ParseCache(path)
    assert again._db.execute("SELECT sha256 FROM parsed").fetchall() == [("a" * 64,)]  # the entry from before, and only it
    for cache in (first, busy, again):
        cache.close()


def test_the_parser_version_covers_every_module_the_parsing_imports():
    """A cached parse is kept while the parser's version stands: the version is a digest of the parsing code, and
    sheet_findings.py, where a sheet's findings moved, was not in it (a change there would have served stale results)."""
    import subprocess
    import sys
    from pathlib import Path

    import giamngheo

    root = Path(giamngheo.__file__).parent
    listed = [(root / name).resolve() for name in giamngheo._PARSER_SOURCES]
    script = ("import sys, giamngheo.parse; print('\\n'.join(m.__file__ for m in list(sys.modules.values()) "
              "if m.__name__.split('.')[0] in ('giamngheo', 'transforms', 'schemas') and getattr(m, '__file__', None)))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            cwd=root.parent).stdout.split()
    uncovered = [f for f in loaded if Path(f).name != "__init__.py"
                 and not any(Path(f).resolve() == p or p in Path(f).resolve().parents for p in listed)]
    assert not uncovered, uncovered
