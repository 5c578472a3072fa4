"""What calamine does not tell: sheet extent, hidden rows and columns, formulas with no saved value, error cells.

The sheet XML is scanned with regular expressions over bytes, never handed to an
XML parser, so no entity can be expanded here (and DTDs were refused upstream).
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from dataclasses import dataclass, field

from .container import SafeZip
from .grid import Limits, UnreadableFile, column_letter, column_number

_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
# Cells and formulas are cut out with one linear pass over their tags: a lazy ".*?</c>" would
# rescan to the end of the sheet from every unclosed tag (quadratic on a hostile sheet).
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>|</(?:\w+:)?c>")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f\b[^>]*?(/?)>|</(?:\w+:)?f>")
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>[^<]+</(?:\w+:)?v>")
_TRUE = (b"1", b"true")
_HOLDS = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")  # a value, an inline string or a formula
_CELL_REF = re.compile(rb'\br="([A-Z]{1,6}\d{1,15})"')  # a cell's A1 reference, past Excel's own bounds too
_SPLIT_REF = re.compile(rb"([A-Z]{1,6})(\d{1,15})")
_ERROR_TYPE = re.compile(rb'\bt\s*=\s*"e"')  # a cell of type error
_TAG = re.compile(rb"<[^>]*>")


def _cells(data: bytes):
    """(attributes, content) of every non-empty cell, in one pass; an unclosed cell is dropped."""
    opened = None
    for m in _CELL_TAG.finditer(data):
        if m.group(1) is None:  # </c>
            if opened is not None:
                yield opened[0], data[opened[1] : m.start()]
            opened = None
        elif m.group(2):  # <c .../>
            opened = None
        else:
            opened = (m.group(1), m.end())


def _formula_text(inner: bytes) -> str:
    """The text of a cell's first formula ('' for a shared or empty one)."""
    start = None
    for m in _FORMULA_TAG.finditer(inner):
        if m.group(1) is None:  # </f>
            if start is not None:
                return html.unescape(inner[start : m.start()].decode("utf-8", "replace"))
            return ""
        if m.group(1):  # <f .../>
            return ""
        start = m.end()
    return ""


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1]: v for k, v in _ATTR.findall(raw)}


@functools.lru_cache(maxsize=8)
def _long_reference(max_rows: int, max_columns: int) -> re.Pattern:
    """A reference that may pass max_rows or the last allowed column: more row digits than max_rows has, or
    as many with a first digit as high; more column letters than the last column's, or as many from its
    first letter on. None in a sheet means every row and column is within the limits."""
    digits, letters = str(max_rows), column_letter(max_columns)
    # a literal prefix lets the search skip ahead (3x faster); it finds row references too (a superset
    # of the cells'), and a false alarm (column SA of 500 allowed, up to SF) only costs the full count.
    # Not more than that: a sheet of 30 columns reaches AD, and counting its cells doubled a file's reading
    alarms = [
        rb"[A-Z]{%d,6}\d{1,15}" % (len(letters) + 1),
        rb"[%s-Z][A-Z]{%d}\d{1,15}" % (letters[0].encode(), len(letters) - 1),
        rb"[A-Z]{0,6}\d{%d,15}" % (len(digits) + 1),
        rb"[A-Z]{0,6}[%s-9]\d{%d}" % (digits[0].encode(), len(digits) - 1),
    ]
    return re.compile(rb'r="(?:' + b"|".join(alarms) + rb')"')


@dataclass
class SheetFacts:
    name: str
    state: str = "visible"
    max_row: int = 0  # measured only when a reference might pass the limits (0: within them)
    max_col: int = 0
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # cells holding an error value: row, column, "#REF!"


def sheet_parts(szip: SafeZip) -> list[tuple[str, str, str]]:
    """(name, state, part path) for each sheet in workbook order."""
    workbook = szip.read("xl/workbook.xml") if "xl/workbook.xml" in szip.names else b""
    rels_raw = szip.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in szip.names else b""
    targets = {}
    for tag in _REL_TAG.findall(rels_raw):
        a = _attrs(tag)
        target = a.get(b"Target", b"").decode("utf-8", "replace")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[a.get(b"Id", b"")] = target
    out = []
    for tag in _SHEET_TAG.findall(workbook):
        a = _attrs(tag)
        name = html.unescape(a.get(b"name", b"").decode("utf-8", "replace"))
        state = a.get(b"state", b"visible").decode("ascii", "replace")
        out.append((name, state, targets.get(a.get(b"id", b""), "")))
    return out


def inspect_sheet(name: str, state: str, data: bytes, limits: Limits) -> SheetFacts:
    facts = SheetFacts(name=name, state=state)
    # The extent of the content, measured only when some reference is long enough to pass a limit
    # (one search over the bytes). Only cells that hold something count: a whole column formatted,
    # a styled row at 1,048,576 or a declared <dimension> is no content, and Excel opens such a
    # sheet at once; the limits are for sheets that really hold that much.
    if _long_reference(limits.max_rows, limits.max_columns).search(data):
        refs = {m.group(1) for attrs, inner in _cells(data) if _HOLDS.search(inner) for m in [_CELL_REF.search(attrs)] if m}
        rows = [int(r) for _, r in (_SPLIT_REF.match(ref).groups() for ref in refs)]
        facts.max_row = max(rows, default=0)
        facts.max_col = max((column_number(c.decode()) for c, _ in (_SPLIT_REF.match(ref).groups() for ref in refs)), default=0)
    if b"hidden" in data:  # most sheets hide nothing: no need to look at every row's attributes
        for row_attrs in _ROW_TAG.findall(data):
            if b"hidden" not in row_attrs:
                continue
            a = _attrs(row_attrs)
            if a.get(b"hidden") in _TRUE:
                facts.hidden_rows.add(int(a.get(b"r", b"0") or 0))
        for col_attrs in _COL_TAG.findall(data):
            a = _attrs(col_attrs)
            if a.get(b"hidden") in _TRUE:
                lo, hi = int(a.get(b"min", b"1")), int(a.get(b"max", b"1"))
                facts.hidden_cols.update(range(lo, min(hi, limits.max_columns) + 1))
    if facts.max_row > limits.max_rows:
        raise UnreadableFile("too_many_rows", f"{name}: {facts.max_row}", f"<= {limits.max_rows}")
    if facts.max_col > limits.max_columns:
        raise UnreadableFile("too_many_columns", f"{name}: {facts.max_col}", f"<= {limits.max_columns}")
    if _ERROR_TYPE.search(data):
        facts.errors = _error_cells(data)
    if b"<f" in data or b":f" in data:
        for attrs, inner in _cells(data):
            if b"<f" not in inner and b":f" not in inner:
                continue
            if _VALUE.search(inner):
                continue
            ref = _attrs(attrs).get(b"r", b"")
            m = re.match(rb"([A-Z]+)(\d+)", ref)
            if not m:
                continue
            text = _formula_text(inner)
            facts.formulas_without_value.append(
                (int(m.group(2)), column_number(m.group(1).decode()), "=" + text if text else "=")
            )
    return facts


def _error_cells(data: bytes) -> list[tuple[int, int, str]]:
    """(row, column, error text) of every cell of type "e": calamine gives such a cell as empty, so a "#REF!"
    read as no households; its text stands in the grid instead (the number reader calls it an Excel error)."""
    out = []
    for attrs, inner in _cells(data):
        a = _attrs(attrs)
        if a.get(b"t") != b"e":
            continue
        m = _SPLIT_REF.fullmatch(a.get(b"r", b""))
        value = _VALUE.search(inner)
        if m and value:
            text = _TAG.sub(b"", value.group(0)).decode("utf-8", "replace").strip()
            out.append((int(m.group(2)), column_number(m.group(1).decode()), html.unescape(text) or "#N/A"))
    return out


def inspect_xlsx(szip: SafeZip, limits: Limits) -> list[SheetFacts]:
    """Facts for every worksheet, in workbook order."""
    facts = []
    for name, state, part in sheet_parts(szip):
        data = szip.read(part) if part in szip.names else b""
        facts.append(inspect_sheet(name, state, data, limits))
    return facts
