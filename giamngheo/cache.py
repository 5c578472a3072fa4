"""Parsed files cached by content: SHA-256 of the bytes and the parser version, in one SQLite file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path

import orjson

from . import PARSER_VERSION

from .parsed import ParseResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS parsed (
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL,
    mode TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (sha256, parser_version, mode)
)
"""


def encode(data, indent: bool = False) -> bytes:
    """JSON bytes: the parse results workers send back and the cache keeps, and (indented) the
    run's manifest. orjson is ~6x faster than json both ways; json writes what orjson refuses,
    such as an integer past 64 bits."""
    option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(data, default=str, option=option)
    except (TypeError, orjson.JSONEncodeError):
        plain = dataclasses.asdict(data) if dataclasses.is_dataclass(data) else data
        return json.dumps(plain, ensure_ascii=False, default=str, indent=2 if indent else None).encode()


def decode(raw: bytes | str) -> dict:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:  # NaN or Infinity, which json writes and orjson does not read
        return json.loads(raw)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class ParseCache:
    """Thread-safe get/put of parse results; entries of other parser versions are dropped on open."""

    BUSY_SECONDS = 30.0  # how long a connection waits for another's lock (the run's read tasks open it side by side)

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._db = None
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # a cache that cannot be made: the run reads every file (it is only a saving)
        if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return  # a read-only cache (an auditor's permissions): read without it; writing to it failed the run
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=self.BUSY_SECONDS)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.execute("DELETE FROM parsed WHERE parser_version != ?", (PARSER_VERSION,))
            self._db.commit()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            # held by another connection (a read task opening it at the same moment): busy, not damaged. Deleting
            # the file under that connection's mapped WAL index crashed the process (SIGBUS): this batch reads and
            # parses without the cache instead
            self._db.close()
            self._db = None
        except sqlite3.DatabaseError:  # a damaged cache is rebuilt, never trusted
            self._db = None
            path.unlink(missing_ok=True)
            self.__init__(path)

    def get(self, sha256: str, mode: str) -> ParseResult | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM parsed WHERE sha256 = ? AND parser_version = ? AND mode = ?",
                (sha256, PARSER_VERSION, mode),
            ).fetchone()
        return ParseResult.from_dict(decode(row[0])) if row else None

    def put_many(self, items: list[tuple[str, str, bytes]]) -> None:
        """Store (sha256, mode, encoded parse result) items in one transaction."""
        if self._db is None or not items:
            return
        rows = [(sha, PARSER_VERSION, mode, data) for sha, mode, data in items]
        with self._lock:
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO parsed (sha256, parser_version, mode, data) VALUES (?, ?, ?, ?)", rows
                )
                self._db.commit()
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc) and "disk" not in str(exc):
                    raise
                # made read-only or full under the run: the results stay this run's, the next run parses them again
                self._db.close()
                self._db = None

    def clear(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            n = self._db.execute("DELETE FROM parsed").rowcount
            self._db.commit()
            self._db.execute("VACUUM")
        return n

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
