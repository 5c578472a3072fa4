"""A household list's listed names kept out of the names the run publishes for its file and sheets.

A commune may name a list's file or sheet after a household ("Bế Văn Lượt Xuyểng.xlsx", a sheet "Bế Văn Lượt"):
the name then reached every table's `source_file` / `source_sheet`, the manifest, the reports and the parse cache
(hostile files judge, Cao Bằng). The parsing process knows the listed names (layout/list_names.py): it names a
sheet that names one by its place ("[trang 2]") and sends the names only as keyed digests (`name_refs`); the run
stars, letter for letter, each run of words of a file's path whose digest is among them. The feedback copy finds
the file again by the starred path's shape and its SHA-256, its sheet by its place.
"""

from __future__ import annotations

import re
from pathlib import Path

from .text import fold

_LETTER = r"(?:[^\W_]|[\u0300-\u036f])"  # a letter, or a combining accent of one written decomposed (NFD)
_WORDS = re.compile(rf"({_LETTER}+)")
_SHEET_PLACE = re.compile(r"^\[trang (\d+)\]$")
LONGEST = 6  # words of a name


def name_refs(names, keyed) -> list[str]:
    """The keyed digests of listed names (folded, words single-spaced)."""
    return sorted({keyed("name:" + " ".join(n.split())) for n in names})


def masked_path(rel: str, refs, keyed) -> str:
    """`rel` with every run of three to six words that is a listed name (its digest in `refs`) starred letter for letter."""
    if not refs:
        return rel
    refs = frozenset(refs)
    parts = _WORDS.split(rel)
    at = [i for i in range(1, len(parts), 2)]  # the words (odd places of the split)
    folded = [" ".join(fold(parts[i]).split()) for i in at]
    hidden: set[int] = set()
    for n in range(3, LONGEST + 1):
        for s in range(len(at) - n + 1):
            if keyed("name:" + " ".join(folded[s:s + n])) in refs:
                hidden.update(at[s:s + n])
    return "".join("*" * len(p) if i in hidden else p for i, p in enumerate(parts))


def sheet_place(index: int) -> str:
    """What a sheet naming a listed person is called in every output: its place in the workbook (1-based)."""
    return f"[trang {index}]"


def place_of(sheet: str | None) -> int | None:
    """The 1-based place a sheet_place names, else None."""
    found = _SHEET_PLACE.match(sheet or "")
    return int(found.group(1)) if found else None


def unmasked(raw_dir: Path, rel: str) -> list[Path]:
    """The files under `raw_dir` a starred path may be (each star one letter), for the caller to tell by SHA-256."""
    if "*" not in rel:
        return []
    pattern = re.compile("".join(_LETTER if ch == "*" else re.escape(ch) for ch in rel) + r"\Z")
    return sorted(p for p in raw_dir.rglob("*") if p.is_file() and pattern.match(p.relative_to(raw_dir).as_posix()))
