"""Exceptions described without their messages: a message may quote a cell, and a cell may be personal data
(a name, an ID number), so what reaches a failure, the manifest or a log is the type and where it was raised."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|`[^`]*`|\u201c[^\u201d]*\u201d""")


def described(exc: BaseException) -> str:
    """'ValueError at households.py:212 (parse.py:188)': the type, the innermost frame and the one above it; the
    message only of the exceptions giamngheo raises itself (their text is ours, never a cell's)."""
    if type(exc).__module__.startswith("giamngheo"):  # our own exceptions say what we wrote: "changed since the run"
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    frames = traceback.extract_tb(exc.__traceback__)[-2:]
    where = [f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)]
    if not where:
        return type(exc).__name__
    return f"{type(exc).__name__} at {where[0]}" + (f" ({where[1]})" if len(where) > 1 else "")


def trace_of(exc: BaseException, limit: int = 6) -> str:
    """The frames an exception went through (file, line, function), innermost last; no message, no source line."""
    return "\n".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(exc.__traceback__)[-limit:])


def unquoted(exc: BaseException, limit: int = 160) -> str:
    """A library's message about a damaged file ('zip: Bad CRC-32 for file ...') without what it quotes
    (a quoted part may be a cell's text: an XML parser quotes the entity or text it choked on):
    "ValueError: invalid literal for int() with base 10: …"."""
    text = _QUOTED.sub("…", " ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text[:limit]}" if text else type(exc).__name__
