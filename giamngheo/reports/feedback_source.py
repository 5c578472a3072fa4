"""The commune's source opened for its feedback workbook: the .xlsx / .xlsm itself (openpyxl), else a rendition of
the values the project's readers see, each at its own address. A source is read once and never written; one too large
to copy, changed since the run or outside the raw folder is refused (the feedback is then its list of failures)."""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
import warnings
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import get_column_letter

from ..readers import Limits, UnreadableFile, read_workbook
from ..readers.container import SafeZip, sniff_format, zip_kind
from .safe_cells import write_text

# A source is copied and marked up to this size on disk (a commune's file is tens of kilobytes; a list of a thousand
# households, a few hundred): a 31 MB CSV within every limit of the run took the flow process to 3.2 GB and 95 s in
# openpyxl, and two of them 5.4 GB. A larger source's feedback is its list of failures alone, and says why.
MAX_COPY_BYTES = 2 * 1024 * 1024
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class SourceChanged(Exception):
    """The source's bytes differ from the run's manifest: its cells may no longer match the failures."""


class TooLargeToCopy(ValueError):
    """A source too large to copy and mark (MAX_COPY_BYTES): its feedback is the list of its failures."""


class UnsafeSource(ValueError):
    """A source path that leaves the raw folder."""


def source_path(raw_dir: Path, source_file: str) -> Path:
    """The source under `raw_dir`; a path leaving it ("../", absolute, a link) is refused."""
    raw = raw_dir.resolve()
    path = raw / source_file
    if path.is_symlink() or not path.resolve().is_relative_to(raw):
        raise UnsafeSource("the source path leaves the raw folder")
    return path


def found_source(raw_dir: Path, source_file: str, sha256: str | None) -> Path:
    """source_path, or where a household list's file named after a listed person was published starred, the file of
    that shape under `raw_dir` with that SHA-256 (path_names)."""
    path = source_path(raw_dir, source_file)
    if path.exists() or "*" not in source_file or not sha256:
        return path
    from ..cache import file_sha256  # (the reports' side process imports little)
    from ..path_names import unmasked

    return next((source_path(raw_dir, p.relative_to(raw_dir).as_posix()) for p in unmasked(raw_dir, source_file)
                 if file_sha256(p) == sha256), path)


def source_book(path: Path, limits: Limits, sha256: str | None):
    """(openpyxl workbook, {source sheet name: title in it}, notes): a copy, else a rendition of the values."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableFile("too_large", f"{size} bytes", f"<= {limits.max_file_bytes}")
    if size > MAX_COPY_BYTES:
        raise TooLargeToCopy(f"{size:,} bytes; copies are made of files up to {MAX_COPY_BYTES:,}")
    data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise SourceChanged("the file changed since the run")
    notes = []
    if _is_ooxml_workbook(path, data, limits):
        try:
            with warnings.catch_warnings():  # openpyxl warns about parts it drops (data validation extensions...)
                warnings.simplefilter("ignore")
                book = load_workbook(io.BytesIO(data), keep_vba=False)
            book.template = False
            return book, {ws.title: ws.title for ws in book.worksheets}, notes
        except Exception as exc:
            notes.append(f"openpyxl could not open it ({type(exc).__name__}); values rebuilt")
    book, titles = _rendition(read_workbook(path, limits), path.stem)
    return book, titles, notes


def _is_ooxml_workbook(path: Path, data: bytes, limits: Limits) -> bool:
    """True for an .xlsx/.xlsm by content, after the run's zip checks (bombs, DTDs) pass."""
    if sniff_format(path, data[:8192]) != "zip":
        return False
    szip = SafeZip(io.BytesIO(data), limits)
    try:
        if zip_kind(szip) not in ("xlsx", "xlsm"):
            return False
        szip.check_all_xml()
        return True
    finally:
        szip.close()


def _rendition(source, default_title: str):
    """A new workbook holding the source's values at their own addresses (sheet "" of a CSV named after the file)."""
    book = Workbook()
    book.remove(book.active)
    titles = {}
    for sheet in source.sheets:
        ws = book.create_sheet(safe_sheet_title(sheet.name or default_title, book.sheetnames))
        titles[sheet.name] = ws.title
        widths: dict[int, int] = {}
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                _write_value(ws.cell(r, c), value)
                widths[c] = max(widths.get(c, 0), len(str(value)))
        for r1, c1, r2, c2 in sheet.merged:
            if (r1, c1) != (r2, c2):
                try:
                    ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
                except ValueError:
                    pass
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    return book, titles


def _write_value(cell, value) -> None:
    """Numbers, booleans and dates as they are; everything else as inert text."""
    if isinstance(value, float) and not math.isfinite(value):
        write_text(cell, str(value))
    elif isinstance(value, (bool, int, float)):
        cell.value = value
    elif isinstance(value, str):
        write_text(cell, value)
    else:
        try:
            cell.value = value  # date, datetime, time, timedelta
        except (TypeError, ValueError):
            write_text(cell, str(value))


def safe_sheet_title(name: str, taken: list[str]) -> str:
    """A title Excel accepts (<= 31 characters, none of []:*?/\\, not quoted), unique case-insensitively."""
    clean = "".join(ch for ch in str(name) if not unicodedata.category(ch).startswith("C"))
    base = _SHEET_FORBIDDEN.sub("_", clean).strip().strip("'")[:31].strip() or "Sheet"
    used = {t.casefold() for t in taken}
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        title = f"{base[: 31 - len(f' ({n})')]} ({n})"
    return title

