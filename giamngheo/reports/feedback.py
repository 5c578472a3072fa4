"""Feedback workbooks: each commune's own file sent back with its failing cells marked in Vietnamese.

For every source file that has failures and a commune, `feedback/<commune_code>_<stem>.xlsx`:

- .xlsx / .xlsm: a copy of the commune's workbook opened with openpyxl (macros dropped,
  saved as .xlsx), each failing cell filled (red-ish for an error, amber for a warning)
  and carrying one comment with all its messages;
- .csv, .xls, .ods and any workbook openpyxl cannot open: the values the project's
  readers see (python-calamine; the CSV reader for text) written at the same addresses,
  then marked the same way, so every A1 reference in the messages stays right;
- unreadable files (rule `readable`) and sources that cannot be marked: the list alone.

Every workbook opens on a first sheet "Danh sách lỗi" listing all the file's failures,
each row linked to its cell. A source is read once and never written. Text we write
cannot run as a formula (see `safe_cells`); the commune's own formulas stay as they are.
The source is opened in `feedback_source`, its cells marked and the list written in `feedback_marks`.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

import polars as pl
from openpyxl import Workbook

from ..readers import Limits
from ..safe_errors import described
from .feedback_marks import add_failure_list, failure_places, mark_cells
from .feedback_source import TooLargeToCopy, found_source, source_book

FEEDBACK_DIR = "feedback"
MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 240  # most file systems allow 255 bytes; Vietnamese letters take 2-3 each
_NAME_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


@dataclass
class FeedbackReport:
    """What `write_feedback_report` did: workbooks written, (source_file, problem) pairs of copies not written, and
    (source_file, note) pairs of copies written otherwise than as a copy (a rendition of the values)."""

    written: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # source file -> its copy, "feedback/<name>" (the manifest's)


def write_feedback(run_dir: Path, raw_dir: Path) -> list[Path]:
    """Write a feedback workbook per source file with failures and a commune; the paths written."""
    return write_feedback_report(run_dir, raw_dir).written


def write_feedback_report(run_dir: Path, raw_dir: Path) -> FeedbackReport:
    """As `write_feedback`, also saying which sources could not be marked up, or not written, and why."""
    run_dir, raw_dir = Path(run_dir), Path(raw_dir)
    out_dir = run_dir / FEEDBACK_DIR
    if out_dir.resolve().is_relative_to(raw_dir.resolve()):
        raise ValueError(f"refusing to write feedback inside the raw folder: {out_dir}")
    failures = pl.read_parquet(run_dir / "validation_failures.parquet")
    if "acknowledged" in failures.columns:  # a warning the province acknowledged asks nothing more of the commune
        failures = failures.filter(~pl.col("acknowledged").fill_null(False).cast(pl.Boolean, strict=False).fill_null(False))
    manifest = _manifest(run_dir)
    limits = _limits(manifest)
    hashes = {f.get("path"): f.get("sha256") for f in manifest.get("files") or [] if isinstance(f, dict)}
    report = FeedbackReport()
    taken: set[str] = set()
    for source_file, commune_code, rows in _failures_by_file(failures):
        name = _unique_name(feedback_name(commune_code, source_file), taken)
        try:
            book, notes, problems = feedback_book(source_file, rows, raw_dir, limits, hashes.get(source_file))
            out_dir.mkdir(parents=True, exist_ok=True)
            report.written.append(_save(book, out_dir / name))
            report.copies[source_file] = f"{FEEDBACK_DIR}/{name}"
            report.notes.extend((source_file, note) for note in notes)
            report.problems.extend((source_file, problem) for problem in problems)
        except Exception as exc:  # one weird source must not cost the other communes their feedback
            report.problems.append((source_file, f"not written: {described(exc)}"))
    return report


def feedback_name(commune_code: str, source_file: str) -> str:
    """`<commune_code>_<source stem>.xlsx` as the contract names it (the code again when the stem begins with it:
    "05800_05800_xa_phu_thinh.xlsx", so that a program can make the name from the two), cleaned to be safe on any file
    system (<= 120 characters); the manifest maps each source to its copy (`reports.feedback`)."""
    # A backslash is a separator too: names made on Windows arrive as "thang 5\\bieu.xlsx".
    stem = _clean_name(Path(str(source_file).replace("\\", "/")).stem).lstrip("-. ") or "tep"
    code = _clean_name(str(commune_code or ""))
    return _fit_name(f"{code}_{stem}" if code else stem)


# ---- which files, under which names


def _failures_by_file(failures: pl.DataFrame) -> Iterator[tuple[str, str, list[dict]]]:
    """(source_file, commune_code, its failures) for each file with at least one failure naming a commune."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for row in failures.iter_rows(named=True):
        if row.get("source_file") and row.get("kind") != "targets":  # the province's own workbook: no commune's to send back
            by_file[row["source_file"]].append(row)
    for source_file in sorted(by_file):
        rows = by_file[source_file]
        if all(r.get("rule") == "companion_document" for r in rows):
            # a scan or a cover letter beside the commune's spreadsheet asks nothing of the commune; a copy of it could not
            # be marked up, and every run warned "không tạo được … feedback" (intake folder judge, Nghệ An)
            continue
        codes = Counter(r["commune_code"] for r in rows if r.get("commune_code"))
        if codes:
            yield source_file, codes.most_common(1)[0][0], rows


def _clean_name(text: str) -> str:
    """NFC text without control/format characters (bidi overrides too) or characters file systems refuse."""
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category.startswith("C"):
            continue
        kept.append(" " if category.startswith("Z") else ch)
    return " ".join(_NAME_FORBIDDEN.sub("_", "".join(kept)).split())


def _fit_name(base: str, suffix: str = "") -> str:
    ext = suffix + ".xlsx"
    base = base.lstrip("-. ") or "phan_hoi"
    base = base[: MAX_NAME_CHARS - len(ext)]
    while len((base + ext).encode("utf-8")) > MAX_NAME_BYTES:
        base = base[:-1]
    base = base.rstrip(". ") or "phan_hoi"  # Windows drops a trailing dot or space
    if base.split(".")[0].upper() in _WINDOWS_DEVICES:
        base = "_" + base
    return base + ext


def _unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, ... when two sources give one name (compared as case-insensitive systems do)."""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = _fit_name(name[: -len(".xlsx")], f" ({n})")
    taken.add(candidate.casefold())
    return candidate


def _manifest(run_dir: Path) -> dict:
    try:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _limits(manifest: dict) -> Limits:
    """The run's limits on one input file, so a source refused by the run is refused here too."""
    given = (manifest.get("parameters") or {}).get("limits") or {}
    known = {f.name for f in fields(Limits)}
    try:
        return Limits(**{k: v for k, v in given.items() if k in known and v is not None})
    except TypeError:
        return Limits()


# ---- one feedback workbook


def feedback_book(source_file: str, rows: list[dict], raw_dir: Path, limits: Limits, sha256: str | None):
    """The marked-up workbook for one source (or the list alone), notes on how it was made otherwise than as a copy (a
    rendition of the values; the list alone of a source too large to copy, by design), and problems: what could not be
    done (a source changed, gone or outside the raw folder: the list alone)."""
    notes: list[str] = []
    problems: list[str] = []
    book = None
    if not any(r.get("rule") == "readable" for r in rows):
        try:
            book, titles, notes = source_book(found_source(raw_dir, source_file, sha256), limits, sha256)
            places = failure_places(book, titles, rows)
            mark_cells(places, rows)
        except TooLargeToCopy as exc:
            notes.append(f"list only: {described(exc)}")
            book = None
        except Exception as exc:  # a source we cannot mark still gets its list of failures
            problems.append(f"list only: {described(exc)}")
            book = None
    if book is None:
        book = Workbook()
        book.remove(book.active)
        places = [None] * len(rows)
    add_failure_list(book, rows, places)
    return book, notes, problems


def _save(book, dest: Path) -> Path:
    """Save through a temporary file so a crash never leaves half a workbook under the final name.

    Owner-only (0600): a copy holds what the commune sent, and a household list (or a file no reader
    recognised as one) holds personal data (Decree 13/2023/NĐ-CP)."""
    buffer = io.BytesIO()
    book.save(buffer)
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(buffer.getvalue())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
