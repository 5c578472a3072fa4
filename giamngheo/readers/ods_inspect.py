"""Hidden rows, columns and sheets of an OpenDocument spreadsheet, and its error cells, read from content.xml by regex.

Like xlsx_inspect, no XML parser is involved (DTDs were refused upstream), and
repeated rows/columns are counted, not expanded: the extent of what holds a value is
known before calamine expands anything (a 2 KB file can repeat a filled row a million
times; LibreOffice itself repeats *empty* rows and cells to the sheet's end).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_TAG = re.compile(
    rb"<(/?)(table:table-row|table:table-column|table:table|style:style|style:table-properties)(?=[\s/>])([^>]*?)(/?)>"
)
_ATTR = re.compile(rb'([\w:-]+)\s*=\s*"([^"]*)"')
_HIDDEN = (b"collapse", b"filter")
_ROW_END = b"</table:table-row>"
# how many columns a cell is repeated across; the cell's tag is found from it (a value type, or content inside)
_REPEATS = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d{1,9})"')
_CELL = b"<table:table-cell"


@dataclass
class OdsSheetFacts:
    name: str
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    max_row: int = 0  # rows up to the last one that may hold a value (an empty repeated row is not counted)


def _holds_a_value(content: bytes, start: int) -> bool:
    """Whether the row that starts at `start` has a cell with a value or text."""
    end = content.find(_ROW_END, start)
    body = content[start : end if end >= 0 else len(content)]
    return b"office:value-type" in body or b"<text:p" in body


def widest_repeated_value(content: bytes) -> int:
    """The most columns one `<table:table-cell>` holding a value is repeated across (0 when none is): a cell's
    tag, from its start to its first ">", with a repeat count; the tag's first count counts. Found from the
    counts, their tags read only for counts wider than the widest so far (a regex over every cell's tag was
    1 ms an .ods: LibreOffice repeats an empty cell to the sheet's end on every row)."""
    widest, consumed = 0, 0
    for m in _REPEATS.finditer(content):
        if m.start() < consumed:
            continue  # a later count in a tag already read
        tag = _first_cell_tag(content, max(content.rfind(b">", 0, m.start()) + 1, consumed), m.start())
        if tag < 0:
            continue
        end = content.find(b">", m.end())
        if end < 0:
            break  # no tag closes after this count, nor after any later one
        consumed = end + 1
        n = int(m.group(1))
        if n <= widest:
            continue
        selfclosing = end > m.end() and content[end - 1 : end] == b"/"
        if b"office:value-type" in content[tag + len(_CELL) : end - 1 if selfclosing else end] or not selfclosing:
            widest = n
    return widest


def _first_cell_tag(content: bytes, lo: int, hi: int) -> int:
    """Where the first `<table:table-cell` (the whole word) in content[lo:hi] starts, else -1."""
    at = content.find(_CELL, lo, hi)
    while at >= 0:
        after = content[at + len(_CELL) : at + len(_CELL) + 1]
        if not (after.isalnum() or after == b"_"):
            return at
        at = content.find(_CELL, at + 1, hi)
    return -1


def inspect_ods(content: bytes, max_rows: int, max_cols: int) -> dict[str, OdsSheetFacts]:
    """Facts per sheet name; rows and columns 1-based, capped at the reader's limits."""
    hidden_styles: set[bytes] = set()
    sheets: dict[str, OdsSheetFacts] = {}
    current: OdsSheetFacts | None = None
    style_name = None
    depth = 0
    row = col = 0
    for m in _TAG.finditer(content):
        closing, tag, raw, selfclosing = m.groups()
        attrs = dict(_ATTR.findall(raw))
        if tag == b"style:style" and not closing:
            style_name = attrs.get(b"style:name")
        elif tag == b"style:table-properties" and attrs.get(b"table:display") == b"false" and style_name:
            hidden_styles.add(style_name)
        elif tag == b"table:table":
            if closing:
                depth -= 1
                continue
            depth += 1
            if depth == 1:
                name = html.unescape(attrs.get(b"table:name", b"").decode("utf-8", "replace"))
                current = sheets.setdefault(name, OdsSheetFacts(name, attrs.get(b"table:style-name") in hidden_styles))
                row = col = 0
        elif current is not None and depth == 1 and not closing:
            if tag == b"table:table-row":
                n = int(attrs.get(b"table:number-rows-repeated", b"1") or 1)
                if attrs.get(b"table:visibility") in _HIDDEN and row < max_rows:
                    current.hidden_rows.update(range(row + 1, min(row + n, max_rows) + 1))
                if n == 1 or (not selfclosing and _holds_a_value(content, m.end())):
                    current.max_row = row + n
                row += n
            elif tag == b"table:table-column":
                n = int(attrs.get(b"table:number-columns-repeated", b"1") or 1)
                if attrs.get(b"table:visibility") in _HIDDEN and col < max_cols:
                    current.hidden_cols.update(range(col + 1, min(col + n, max_cols) + 1))
                col += n
    return sheets


_ERROR_MARK = b'calcext:value-type="error"'
_GRID_TAG = re.compile(rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_INNER_TAG = re.compile(rb"<[^>]*>")


def _cell_tags(content: bytes, max_rows: int):
    """Each cell tag of a sheet (not of a table inside a cell), where it stands: (sheet, row, column, columns it is
    repeated across, rows its row is repeated down, tag, raw attributes, self-closing, end of the tag), rows and
    columns 0-based; a sheet's rows past `max_rows` are not walked. A covered cell (under a merge) counts as a column."""
    sheet, depth, row, following, col = None, 0, 0, 0, 0
    for m in _GRID_TAG.finditer(content):
        closing, tag, raw, selfclosing = m.groups()
        if tag == b"table:table":
            depth += -1 if closing else 1
            if not closing and depth == 1:
                name = dict(_ATTR.findall(raw)).get(b"table:name", b"")
                sheet, following = html.unescape(name.decode("utf-8", "replace")), 0
            continue
        if closing or depth != 1 or sheet is None:
            continue
        if tag == b"table:table-row":
            row, col = following, 0  # a repeated row's cells are its first row's
            following = row + int(dict(_ATTR.findall(raw)).get(b"table:number-rows-repeated", b"1") or 1)
            if row >= max_rows:
                sheet = None  # the rest of this sheet is past the reader's limit
            continue
        repeats = _REPEATS.search(raw)
        n = int(repeats.group(1)) if repeats else 1
        yield sheet, row, col, n, following - row, tag, raw, bool(selfclosing), m.end()
        col += n


def ods_error_cells(content: bytes, max_rows: int, max_cols: int) -> dict[str, list[tuple[int, int, str]]]:
    """(row, column, "#DIV/0!") of each cell whose formula's saved result is an error, by sheet name (1-based). LibreOffice
    saves such a cell as an empty string with its error as text (calcext:value-type="error"), which calamine gives as
    empty. Walked only when the mark is there: most files hold none."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    if _ERROR_MARK not in content:
        return found
    for sheet, row, col, across, down, tag, raw, selfclosing, end in _cell_tags(content, max_rows):
        if selfclosing or col >= max_cols or b"error" not in raw:
            continue
        if dict(_ATTR.findall(raw)).get(b"calcext:value-type") != b"error":
            continue
        close = content.find(b"</table:table-cell>", end)
        text = html.unescape(_INNER_TAG.sub(b"", content[end : close if close >= 0 else end]).decode("utf-8", "replace")).strip()
        found.setdefault(sheet, []).extend((r + 1, c + 1, text or "#N/A") for r in range(row, min(row + down, max_rows))
                                           for c in range(col, min(col + across, max_cols)))
    return found


_FORMULA = b"table:formula"


def ods_formulas_without_value(content: bytes, max_rows: int, max_cols: int) -> dict[str, list[tuple[int, int, str]]]:
    """(row, column, formula) of each cell holding a formula and no saved result (no value type), by sheet name
    (1-based), as xlsx_inspect finds them in an .xlsx: calamine gives such a cell as 0, and a count "=1+1" was read as no
    poor household, its commune accepted (auditors judge, Hà Nội). LibreOffice always saves the result; a program
    writing the file may not. Walked only when a formula is there."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    if _FORMULA not in content:
        return found
    for sheet, row, col, across, down, tag, raw, selfclosing, end in _cell_tags(content, max_rows):
        if col >= max_cols or _FORMULA not in raw or b"office:value-type" in raw:
            continue
        formula = html.unescape(dict(_ATTR.findall(raw)).get(b"table:formula", b"").decode("utf-8", "replace"))
        formula = formula.split(":", 1)[1] if formula.startswith(("of:", "oooc:", "msoxl:")) else formula
        found.setdefault(sheet, []).extend((r + 1, c + 1, formula[:200]) for r in range(row, min(row + down, max_rows))
                                           for c in range(col, min(col + across, max_cols)))
    return found


_SPACING = (b"<text:line-break", b"<text:tab")
_SPACES = re.compile(rb'<text:s(?:\s+text:c="(\d{1,4})")?\s*/>')
_BREAK = re.compile(rb"<text:line-break\s*/>")
_TAB = re.compile(rb"<text:tab(?:\s[^>]*)?/>")  # `text:tab-ref` may be given


def ods_spaced_cells(content: bytes, max_rows: int, max_cols: int) -> dict[str, list[tuple[int, int, str]]]:
    """(row, column, text) of each text cell holding a line break or a tab, by sheet name (1-based): calamine drops
    `<text:line-break/>` and `<text:tab/>`, "Tổng số⏎hộ" read "Tổng sốhộ" (a required column lost, the commune
    rejected) and "Thôn⏎Phú Hội" became "ThônPhú Hội" (independent probe, Khánh Hòa). Walked only when a mark is there."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    if not any(mark in content for mark in _SPACING):
        return found
    for sheet, row, col, across, down, tag, raw, selfclosing, end in _cell_tags(content, max_rows):
        if selfclosing or col >= max_cols or tag != b"table:table-cell":
            continue
        close = content.find(b"</table:table-cell>", end)
        inner = content[end : close if close >= 0 else end]
        if not any(mark in inner for mark in _SPACING) or b"office:value-type" in raw and b'"string"' not in raw:
            continue
        inner = _TAB.sub(b"\t", _BREAK.sub(b"\n", inner))
        inner = _SPACES.sub(lambda m: b" " * int(m.group(1) or 1), inner)
        paragraphs = [html.unescape(_INNER_TAG.sub(b"", p).decode("utf-8", "replace")) for p in inner.split(b"</text:p>")]
        text = "\n".join(p for p in paragraphs if p)
        found.setdefault(sheet, []).extend((r + 1, c + 1, text) for r in range(row, min(row + down, max_rows))
                                           for c in range(col, min(col + across, max_cols)))
    return found


_SPANNED = b'-spanned="'


def ods_merges(content: bytes, max_rows: int, max_cols: int) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges (0-based r1, c1, r2, c2, as calamine gives an .xlsx's) by sheet name: a cell with
    `table:number-columns-spanned` / `number-rows-spanned` over 1, which calamine does not give for an .ods. The
    cells it covers are `<table:covered-table-cell>`s and count as columns; a span whose next cell to the right
    (or below) is not covered is no merge (a cell claiming the whole sheet, over the cells of the table). Walked only
    when a span is there."""
    found: dict[str, list[tuple[int, int, int, int]]] = {}
    if _SPANNED not in content:
        return found
    spans: list[tuple[str, int, int, int, int]] = []
    covered: dict[tuple[str, int], list[tuple[int, int]]] = {}  # (sheet, row) -> covered columns, first to last
    for sheet, row, col, n, _, tag, raw, _, _ in _cell_tags(content, max_rows):
        if tag == b"table:covered-table-cell":
            covered.setdefault((sheet, row), []).append((col, col + n - 1))
        elif _SPANNED in raw:
            attrs = dict(_ATTR.findall(raw))
            across = int(attrs.get(b"table:number-columns-spanned", b"1") or 1)
            down = int(attrs.get(b"table:number-rows-spanned", b"1") or 1)
            if (across > 1 or down > 1) and col < max_cols:
                spans.append((sheet, row, col, down, across))
    for name, r, c, down, across in spans:
        if (across == 1 or _is_covered(covered, name, r, c + 1)) and (
            down == 1 or r + 1 >= max_rows or _is_covered(covered, name, r + 1, c)
        ):
            found.setdefault(name, []).append((r, c, min(r + down, max_rows) - 1, min(c + across, max_cols) - 1))
    return found


def _is_covered(covered: dict[tuple[str, int], list[tuple[int, int]]], sheet: str, row: int, col: int) -> bool:
    return any(first <= col <= last for first, last in covered.get((sheet, row), ()))
