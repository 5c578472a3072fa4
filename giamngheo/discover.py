"""Find the files a province received under --raw, without following links out of it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Files that are never a commune's report: system litter and the project's own notes.
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
_IGNORED_SUFFIXES = {".md", ".json", ".ini", ".db", ".tmp", ".lnk", ".log", ".parquet", ".sqlite"}


@dataclass(frozen=True)
class FileEntry:
    rel: str  # path relative to --raw, posix separators, as on disk
    path: Path
    size: int
    mtime: float


@dataclass(frozen=True)
class Skipped:
    rel: str
    reason: str  # symlink / ignored / unreadable_dir / not_a_file (a FIFO, a socket, a device) / partial_download / trash


# a system's recycle bin or trash on a shared drive (Windows, Linux desktops, macOS): files deleted, never a report.
# Read, a deleted edited copy replaced the commune's live plan (a later file time) and a deleted draft made a commune
# that sent nothing accepted (intake folder judge, Nghệ An)
_TRASH = {"$recycle.bin", "recycler", "recycled", ".trash", ".trashes", ".recycle", "#recycle", "@recycle"}


def _trash(folder: str) -> bool:
    name = folder.lower()
    return name in _TRASH or name.startswith(".trash-")


# a browser's name for a download not finished (Chrome, Firefox, Edge, Safari): never a whole file, reported
_PARTIAL_DOWNLOADS = {".crdownload", ".part", ".partial", ".download"}

# what a hidden name may still be: a commune's report, read (".05455_phuong_quyet_thang.xlsx" was passed over)
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".htm", ".html", ".xml", ".mht", ".mhtml", ".xlsb"}


def _litter(name: str) -> bool:
    """An office program's lock or temporary file ("~$bieu.xlsx", ".~lock.bieu.xlsx#", "._bieu.xlsx" of a Mac), or a
    hidden file that is no spreadsheet."""
    if name.startswith(("~$", ".~lock", "._")) or name.endswith("#"):
        return True
    return name.startswith(".") and Path(name).suffix not in _SPREADSHEET_SUFFIXES


def _display(rel: str) -> str:
    """A relative path as text; undecodable bytes in a name shown as escapes, never lost."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def discover_files(raw: Path) -> tuple[list[FileEntry], list[Skipped]]:
    """Regular files under `raw` at any depth, sorted; symbolic links are reported, never followed."""
    entries: list[FileEntry] = []
    skipped: list[Skipped] = []
    stack = [(raw, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError:
            skipped.append(Skipped(_display(prefix.rstrip("/")) or ".", "unreadable_dir"))
            continue
        for child in children:
            rel = prefix + child.name
            if child.is_symlink():
                skipped.append(Skipped(_display(rel), "symlink"))
                continue
            try:
                st = child.stat(follow_symlinks=False)
            except OSError:
                skipped.append(Skipped(_display(rel), "unreadable_dir"))
                continue
            if stat.S_ISDIR(st.st_mode) and _trash(child.name):
                skipped.append(Skipped(_display(rel), "trash"))
            elif stat.S_ISDIR(st.st_mode):
                stack.append((Path(child.path), rel + "/"))
            elif stat.S_ISREG(st.st_mode):
                name = child.name.lower()
                if _litter(name) or name in _IGNORED_NAMES or Path(name).suffix in _IGNORED_SUFFIXES:
                    skipped.append(Skipped(_display(rel), "ignored"))
                    continue
                if Path(name).suffix in _PARTIAL_DOWNLOADS:
                    skipped.append(Skipped(_display(rel), "partial_download"))
                    continue
                entries.append(FileEntry(_display(rel), Path(child.path), st.st_size, st.st_mtime))
            else:  # a named pipe, a socket, a device: never opened (reading a FIFO would wait for ever), reported
                skipped.append(Skipped(_display(rel), "not_a_file"))
    entries.sort(key=lambda e: e.rel)
    skipped.sort(key=lambda s: s.rel)
    return entries, skipped
