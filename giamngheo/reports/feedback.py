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
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterator

import polars as pl
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from schemas.rules import RULE_BY_ID

from ..readers import Limits, UnreadableFile, read_workbook
from ..readers.container import SafeZip, sniff_format, zip_kind
from ..safe_errors import described
from .safe_cells import write_text, xml_text

FEEDBACK_DIR = "feedback"
LIST_SHEET = "Danh sách lỗi"
AUTHOR = "giamngheo"
FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
LIST_COLUMNS = (
    ("Trang tính", 24),
    ("Ô", 10),
    ("Quy tắc", 40),
    ("Mức độ", 11),
    ("Giá trị", 30),
    ("Giá trị mong đợi", 30),
    ("Thông báo", 100),
)
# A source is copied and marked up to this size on disk (a commune's file is tens of kilobytes; a list of a thousand
# households, a few hundred): a 31 MB CSV within every limit of the run took the flow process to 3.2 GB and 95 s in
# openpyxl, and two of them 5.4 GB. A larger source's feedback is its list of failures alone, and says why.
MAX_COPY_BYTES = 2 * 1024 * 1024
MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 240  # most file systems allow 255 bytes; Vietnamese letters take 2-3 each
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_NAME_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_LINK_FONT = Font(color="0563C1", underline="single")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class FeedbackReport:
    """What `write_feedback_report` did: workbooks written, and (source_file, problem) pairs."""

    written: list[Path] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # source file -> its copy, "feedback/<name>" (the manifest's)


@dataclass(frozen=True)
class _Place:
    """Where a failure points in the feedback workbook; `mark` is False for a row-only link."""

    sheet: Any  # openpyxl Worksheet
    coordinate: str
    mark: bool


class SourceChanged(Exception):
    """The source's bytes differ from the run's manifest: its cells may no longer match the failures."""


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
            book, notes = feedback_book(source_file, rows, raw_dir, limits, hashes.get(source_file))
            out_dir.mkdir(parents=True, exist_ok=True)
            report.written.append(_save(book, out_dir / name))
            report.copies[source_file] = f"{FEEDBACK_DIR}/{name}"
            report.problems.extend((source_file, note) for note in notes)
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
        if row.get("source_file"):
            by_file[row["source_file"]].append(row)
    for source_file in sorted(by_file):
        rows = by_file[source_file]
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
    """The marked-up workbook for one source (or the list alone) and notes on what could not be done."""
    notes: list[str] = []
    book = None
    if not any(r.get("rule") == "readable" for r in rows):
        try:
            book, titles, notes = _source_book(_source_path(raw_dir, source_file), limits, sha256)
            places = _places(book, titles, rows)
            _mark_cells(places, rows)
        except Exception as exc:  # a source we cannot mark still gets its list of failures
            notes.append(f"list only: {described(exc)}")
            book = None
    if book is None:
        book = Workbook()
        book.remove(book.active)
        places = [None] * len(rows)
    _add_failure_list(book, rows, places)
    return book, notes


class TooLargeToCopy(ValueError):
    """A source too large to copy and mark (MAX_COPY_BYTES): its feedback is the list of its failures."""


class UnsafeSource(ValueError):
    """A source path that leaves the raw folder."""


def _source_path(raw_dir: Path, source_file: str) -> Path:
    """The source under `raw_dir`; a path leaving it ("../", absolute, a link) is refused."""
    raw = raw_dir.resolve()
    path = raw / source_file
    if path.is_symlink() or not path.resolve().is_relative_to(raw):
        raise UnsafeSource("the source path leaves the raw folder")
    return path


def _source_book(path: Path, limits: Limits, sha256: str | None):
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
        ws = book.create_sheet(_sheet_title(sheet.name or default_title, book.sheetnames))
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


def _sheet_title(name: str, taken: list[str]) -> str:
    """A title Excel accepts (<= 31 characters, none of []:*?/\\, not quoted), unique case-insensitively."""
    clean = "".join(ch for ch in str(name) if not unicodedata.category(ch).startswith("C"))
    base = _SHEET_FORBIDDEN.sub("_", clean).strip().strip("'")[:31].strip() or "Sheet"
    used = {t.casefold() for t in taken}
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        title = f"{base[: 31 - len(f' ({n})')]} ({n})"
    return title


# ---- marking the cells


def _places(book, titles: dict, rows: list[dict]) -> list[_Place | None]:
    """For each failure, the cell it points to in `book`, or None (file-level, sheet unknown)."""
    return [_place(book, titles, r) for r in rows]


def _place(book, titles: dict, failure: dict) -> _Place | None:
    sheet = _sheet_of(book, titles, failure.get("source_sheet"))
    if sheet is None:
        return None
    row, column, mark = failure.get("row"), failure.get("column"), True
    if failure.get("cell"):
        try:
            letters, row = coordinate_from_string(str(failure["cell"]).replace("$", "").upper())
            column = column_index_from_string(letters)
        except ValueError:
            return None
    elif row and not column:
        column, mark = 1, False  # a row-level failure: link to the row, mark nothing
    if not row or not column or not (1 <= row <= _MAX_ROW and 1 <= column <= _MAX_COLUMN):
        return None
    cell = sheet.cell(row, column)
    if isinstance(cell, MergedCell):  # only the top-left cell of a merged range holds a value, a fill, a comment
        for merged in sheet.merged_cells.ranges:
            if cell.coordinate in merged:
                cell = sheet.cell(merged.min_row, merged.min_col)
                break
    return _Place(sheet, cell.coordinate, mark)


def _sheet_of(book, titles: dict, source_sheet: str | None):
    if source_sheet is None:  # CSV failures name no sheet; a one-sheet book leaves no doubt
        sheets = book.worksheets
        return sheets[0] if len(sheets) == 1 else None
    title = titles.get(source_sheet)
    return book[title] if title in book.sheetnames else None


def _mark_cells(places: list[_Place | None], rows: list[dict]) -> None:
    """Fill each failing cell by its worst severity and give it one comment with all its messages."""
    by_cell: dict[tuple[int, str], list[dict]] = defaultdict(list)
    sheets = {}
    for place, failure in zip(places, rows):
        if place is not None and place.mark:
            key = (id(place.sheet), place.coordinate)
            by_cell[key].append(failure)
            sheets[key] = place.sheet
    for key, failures in by_cell.items():
        sheet = sheets[key]
        cell = sheet[key[1]]
        worst = "error" if any(f.get("severity") != "warning" for f in failures) else "warning"
        cell.fill = FILLS[worst]
        text = "\n".join(f"[{SEVERITY_VI.get(f.get('severity'), f.get('severity'))}] {_message(f)}" for f in failures)
        if cell.comment is not None and cell.comment.text:
            text = f"{text}\n\n{xml_text(cell.comment.text)}"
        lines = sum(1 + len(line) // 45 for line in text.splitlines())
        cell.comment = Comment(text, AUTHOR, height=min(40 + 15 * lines, 400), width=320)
        # A link into a hidden sheet or row shows nothing. Columns stay as they are: openpyxl keeps
        # column ranges (<col min max>) and splitting one would write overlapping ranges.
        sheet.sheet_state = "visible"
        sheet.row_dimensions[cell.row].hidden = False


def _message(failure: dict) -> str:
    return xml_text(failure.get("message") or failure.get("message_en") or failure.get("rule") or "")


# ---- the list of failures


def _add_failure_list(book, rows: list[dict], places: list[_Place | None]) -> None:
    """A first sheet listing every failure of the file, each linked to its cell; the workbook opens on it."""
    ws = book.create_sheet(_sheet_title(LIST_SHEET, book.sheetnames), 0)
    for c, (label, width) in enumerate(LIST_COLUMNS, start=1):
        cell = write_text(ws.cell(1, c), label)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = width
    sheet_order = {title: i for i, title in enumerate(book.sheetnames)}
    ordered = sorted(
        zip(rows, places),
        key=lambda rp: (
            rp[1] is not None,
            sheet_order.get(rp[1].sheet.title, 0) if rp[1] else 0,
            rp[0].get("row") or 0,
            rp[0].get("column") or 0,
        ),
    )
    for r, (failure, place) in enumerate(ordered, start=2):
        severity = failure.get("severity")
        values = (
            failure.get("source_sheet") or (place.sheet.title if place else ""),
            failure.get("cell") or (f"dòng {failure['row']}" if failure.get("row") else ""),
            _rule_label(failure.get("rule")),
            SEVERITY_VI.get(severity, severity),
            failure.get("value"),
            failure.get("expected"),
            _message(failure),
        )
        for c, value in enumerate(values, start=1):
            write_text(ws.cell(r, c), value).alignment = _WRAP
        if severity in FILLS:
            ws.cell(r, 4).fill = FILLS[severity]
        if place is not None:
            link = ws.cell(r, 2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=internal_location(place.sheet.title, place.coordinate))
            link.font = _LINK_FONT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LIST_COLUMNS))}{max(ws.max_row, 1)}"
    _open_on_first_sheet(book)


def _rule_label(rule_id: str | None) -> str:
    rule = RULE_BY_ID.get(rule_id or "")
    return f"{rule_id} — {rule.title_vi}" if rule else (rule_id or "")


def internal_location(sheet_title: str, coordinate: str) -> str:
    """A hyperlink location inside the workbook: 'Sheet name'!C5, quotes in the name doubled."""
    return "'" + sheet_title.replace("'", "''") + "'!" + coordinate


def _open_on_first_sheet(book) -> None:
    # Two selected tabs would group the sheets in Excel, and an edit would go to both.
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    for chart in book.chartsheets:
        for view in getattr(getattr(chart, "sheetViews", None), "sheetView", None) or []:
            view.tabSelected = False
    book.active = 0
    book.worksheets[0].sheet_view.tabSelected = True
    for view in book.views or []:
        view.firstSheet = 0


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
