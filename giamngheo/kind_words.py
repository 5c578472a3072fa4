"""The words a file's path, a sheet's name or a title uses for each report kind, folded (Kind.file_words), and the
one kind a text names. Apart from the kinds' declarations, which import polars: the parsing processes read these."""

from __future__ import annotations

import re

from .text import fold

KIND_WORDS: dict[str, tuple[str, ...]] = {
    "plan": ("ke hoach", "phan bo", "phu luc", "chi tieu"),
    "results": ("ket qua", "ket qua ra soat", "ket qua giam ngheo", "bao cao ket qua"),
    "roadmap": ("lo trinh", "giai doan 2026 2030"),
    "deprivations": ("thieu hut", "chi so thieu hut", "ngheo da chieu", "dich vu xa hoi co ban"),
    "households": ("danh sach ho", "ds ho", "danh sach ho ngheo", "danh sach ho can ngheo", "dshn", "ds hn", "ds hcn"),
}
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


def kind_named(lines: list[str]) -> str | None:
    """The one report kind the first of `lines` naming any names, else None (none, or two in that line): a roadmap's
    section row "I. Chỉ tiêu giảm nghèo" under its title names the plan's words too."""
    for line in lines:
        text = f" {' '.join(_NOT_A_WORD.sub(' ', fold(line)).split())} "
        found = {kind for kind, words in KIND_WORDS.items() for w in words if f" {w} " in text}
        if found:
            return found.pop() if len(found) == 1 else None
    return None
