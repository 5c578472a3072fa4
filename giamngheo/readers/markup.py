"""Spreadsheets saved as markup, which Excel and LibreOffice open as workbooks:

- an HTML table under an .xls name: what many offices' software exports ("Xuất Excel"), and what Excel writes
  when a sheet is saved as a web page. Read as one sheet (as Excel opens it): the text before and between the
  tables one line a row, each table's rows below, merged cells from colspan / rowspan, Excel's own numbers
  (`x:num`) as numbers, other cells as text (read in the Vietnamese convention downstream, as a CSV's are);
- Excel 2003's XML Spreadsheet (SpreadsheetML): worksheets, typed cells, merged cells (MergeAcross / MergeDown),
  hidden rows, columns and sheets, formulas with or without their saved value.

Both are refused past the run's limits, and an XML DTD is refused as in every other container.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree import ElementTree

from .container import _has_dtd
from .grid import LEGACY_FONT, ExcelError, Limits, Sheet, UnreadableFile, Workbook
from .markup_fonts import FONT_FAMILY, legacy_selectors

HTML, SPREADSHEETML = "html", "xml"
_TAGS = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|table|meta|title|style|div|p|h[1-6]|center|b|font|span|br)\b")
_SPREADSHEETML = re.compile(r"urn:schemas-microsoft-com:office:spreadsheet|progid=\"excel\.sheet\"")
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_MHT = re.compile(r"^mime-version:.*?multipart/related", re.S)
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([\w.-]+)", re.IGNORECASE)
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "br", "li", "caption"})
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
# "<" with no ">" before the next "<": no tag. Python's html.parser rescans such text at every "<" (quadratic:
# 360 KB of "<a " took 20 minutes, CVE-2025-6069); as text, it is read in one pass.
_NOT_A_TAG = re.compile(r"<(?=[^<>]*<)")  # [^<>]: each look stops at the next bracket (linear)


def _head_text(head: bytes) -> str:
    """The first bytes as text for sniffing: UTF-16 by its BOM, else as Latin-1 (markup is ASCII)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore").lower()
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1").lower()


def markup_kind(head: bytes) -> str | None:
    """HTML, SpreadsheetML or Excel's single-file web page (MHTML, read as its HTML) from a file's first bytes,
    else None. Leading comments and blanks are passed over; a page may begin with any tag of a document."""
    text = _head_text(head).lstrip()
    if _MHT.match(text[:2000]) and "text/html" in text:
        return HTML
    if not text.startswith("<"):
        return None
    if "<workbook" in text and _SPREADSHEETML.search(text):
        return SPREADSHEETML
    body = _COMMENTS.sub("", text).lstrip()
    if body.startswith("<?xml"):
        body = body[body.find("?>") + 2 :].lstrip()
    if body.startswith("<!--") or _TAGS.match(body):  # a comment longer than the head, or a document's tag
        return HTML
    return None


def read_markup(data: bytes, kind: str, limits: Limits) -> Workbook:
    if kind == SPREADSHEETML:
        return Workbook(format="xml", sheets=_spreadsheetml(data, limits))
    if _MHT.match(_head_text(data[:2000]).lstrip()):
        data = _mht_page(data)
    text, encoding = _decoded(data)
    parser = _TableGrid(limits)
    try:
        parser.feed(_NOT_A_TAG.sub("&lt;", text))
        parser.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - html.parser is lenient; anything left is a damaged file
        raise UnreadableFile("corrupt", f"HTML: {type(exc).__name__}") from None
    sheet = Sheet(name="", rows=parser.rows, merged=parser.merged, hidden_rows=frozenset(parser.hidden_rows),
                  legacy_font_cells=parser.fonts if any(parser.fonts.values()) else {})
    return Workbook(format="html", sheets=[sheet], encoding=encoding)


def _mht_page(data: bytes) -> bytes:
    """The HTML part of Excel's "Single File Web Page" (a MIME message, the page quoted-printable)."""
    import email
    from email import policy

    message = email.message_from_bytes(data, policy=policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            page = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and b"charset" not in page[:4096].lower():
                page = f'<meta charset="{charset}">'.encode("ascii") + page
            return page
    raise UnreadableFile("not_spreadsheet", "MHTML without an HTML page")


def _decoded(data: bytes) -> tuple[str, str]:
    """The page's text: in the charset it declares, else as a CSV's bytes are guessed (UTF-8, cp1258, TCVN3, VNI)."""
    from ..text_encoding import decode_text_bytes

    declared = _CHARSET.search(data[:4096])
    if declared and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text_bytes(data)


class _TableGrid(HTMLParser):
    """The page as Excel lays it out: rows of cells, merged ranges, hidden rows."""

    def __init__(self, limits: Limits):
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.rows: list[list] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.hidden_rows: set[int] = set()
        self.depth = 0  # tables open (a table inside a cell adds its text to the cell)
        self.loose: list[str] = []  # text outside any table, up to the next block's end
        self.loose_chars = self.cell_chars = 0
        self.row: list | None = None
        self.cell: list[str] | None = None
        self.cell_attrs: dict = {}
        self.spans: dict[int, int] = {}  # column -> the last row a rowspan from above covers
        self.pending: list[tuple[int, int, int, int]] = []  # merges of the open table, clipped at its end
        self.skip = 0  # inside <script> / <style>
        self.style_text: list[str] | None = None  # a <style> element's rules, while inside it
        self.legacy_rules: set[str] = set()  # "td", ".xl65": selectors whose font is a legacy one (.VnTime, VNI-Times)
        self.cell_legacy = False
        self.fonts: dict[tuple[int, int], bool] = {}  # a text cell's font: legacy or not (Sheet.legacy_font_cells)

    # -- text outside tables: one line a row (titles, "Đơn vị tính", signatures)
    def _flush_loose(self) -> None:
        text = _clean(" ".join(self.loose))
        self.loose, self.loose_chars = [], 0
        if text:
            self._add_row([_value(text, {}, self.limits)])

    def _add_row(self, cells: list) -> None:
        if len(self.rows) >= self.limits.max_rows:
            raise UnreadableFile("too_many_rows", str(len(self.rows) + 1), f"<= {self.limits.max_rows}")
        self.rows.append(cells)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
            if tag == "style":
                self.style_text = []
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "font" and self.cell is not None and LEGACY_FONT.match(a.get("face", "").strip("'\" ")):
            self.cell_legacy = True
        if tag == "table":
            if self.depth == 0:
                self._flush_loose()
                self.spans, self.pending = {}, []
            self.depth += 1
        elif self.depth > 1:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr" and self.depth == 1:
            self._end_row()
            self.row = []
            if "display:none" in a.get("style", "").replace(" ", "").lower():
                self.hidden_rows.add(len(self.rows) + 1)
        elif tag in ("td", "th") and self.depth == 1:
            if self.row is None:
                self.row = []
            self._end_cell()
            self.cell, self.cell_attrs, self.cell_chars = [], a, 0
            self.cell_legacy = self._legacy_font(tag, a)
        elif tag == "br":
            (self.cell if self.cell is not None else self.loose).append("\n")
        elif tag in _BLOCKS and self.depth == 0:
            self._flush_loose()

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip = max(0, self.skip - 1)
            if tag == "style" and self.style_text is not None:
                self.legacy_rules |= legacy_selectors("".join(self.style_text))
                self.style_text = None
        elif tag == "table" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self._end_row()
                self._end_table()
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()
        elif self.depth == 0 and tag in _BLOCKS:
            self._flush_loose()

    def handle_data(self, data):
        if self.skip:
            if self.style_text is not None:
                self.style_text.append(data)
            return
        if self.cell is not None:
            self.cell.append(data)
            self.cell_chars += len(data)
            _within(self.cell_chars, self.limits)
        elif self.depth == 0:
            self.loose.append(data)
            self.loose_chars += len(data)
            if self.loose_chars > self.limits.max_cell_chars:  # text outside any table is one cell a line: bounded alike
                self._flush_loose()

    def close(self):
        super().close()
        self._end_row()
        if self.depth:
            self._end_table()
        self._flush_loose()

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            self.cell = None
            return
        r = len(self.rows)
        c = self._free_column(len(self.row))
        value = _value(_clean("".join(self.cell)), self.cell_attrs, self.limits)
        colspan, rowspan = _span(self.cell_attrs.get("colspan")), _span(self.cell_attrs.get("rowspan"))
        if c + colspan > self.limits.max_columns:
            raise UnreadableFile("too_many_columns", str(c + colspan), f"<= {self.limits.max_columns}")
        while len(self.row) < c:
            self.row.append(None)
        self.row.append(value)
        if isinstance(value, str) and (self.legacy_rules or self.cell_legacy or self.fonts):
            self.fonts[r, c] = self.cell_legacy
        self.row.extend([None] * (colspan - 1))
        if rowspan > 1:
            for k in range(colspan):
                self.spans[c + k] = r + rowspan - 1
        if colspan > 1 or rowspan > 1:
            self.pending.append((r, c, r + rowspan - 1, c + colspan - 1))
        self.cell = None

    def _legacy_font(self, tag: str, a: dict) -> bool:
        """Whether a cell's font is a legacy one: its inline style's, else its class's, else its tag's rule's."""
        inline = FONT_FAMILY.search(a.get("style", ""))
        if inline:
            return bool(LEGACY_FONT.match(inline.group(1).strip("'\" ")))
        classes = {f".{name}" for name in a.get("class", "").split()}
        return bool(classes & self.legacy_rules) or tag in self.legacy_rules

    def _free_column(self, c: int) -> int:
        """The first column from `c` not covered by a rowspan from the rows above."""
        r = len(self.rows)
        while self.spans.get(c, -1) >= r:
            c += 1
        return c

    def _end_row(self) -> None:
        if self.row is None:
            return
        self._end_cell()
        self._add_row(self.row)
        self.row = None

    def _end_table(self) -> None:
        self.merged.extend(_clipped(self.pending, len(self.rows)))
        self.spans, self.pending = {}, []


def _span(text: str | None) -> int:
    try:
        return max(1, int(float(text or 1)))
    except (ValueError, OverflowError):  # "inf", "1e400": a browser takes 1
        return 1


def _clean(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _within(length: int, limits: Limits) -> None:
    """A cell's text within the run's limit (counted as it comes: a page of loose text is refused before it is whole)."""
    if length > limits.max_cell_chars:
        raise UnreadableFile("cell_too_long", f"{length} characters", f"<= {limits.max_cell_chars}")


def _clipped(merged: list[tuple[int, int, int, int]], rows: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut at the last row there is (a rowspan or MergeDown of a billion rows covers what exists)."""
    return [(r1, c1, min(r2, rows - 1), c2) for r1, c1, r2, c2 in merged if r1 < rows]


def _value(text: str, attrs: dict, limits: Limits):
    _within(len(text), limits)
    number = attrs.get("x:num")
    if number:  # Excel's web page keeps the cell's number beside the text it shows ("5.441")
        try:
            return float(number)
        except ValueError:
            pass
    return text or None


# ---- Excel 2003 XML Spreadsheet

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"


def _spreadsheetml(data: bytes, limits: Limits) -> list[Sheet]:
    """The worksheets, each read when its end is parsed and let go (bounded memory: a file of 400,000 tiny
    worksheets held 2 GiB as one tree); no more worksheets than a workbook's zip may hold entries."""
    import io

    if _has_dtd(data):
        raise UnreadableFile("xml_entities", "XML Spreadsheet")
    sheets, seen, root, legacy_styles = [], 0, None, set()
    try:
        for event, el in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                if el.tag == f"{_SS}Workbook":
                    root = el
                continue
            if el.tag == f"{_SS}Styles":  # before the worksheets: the styles whose font is a legacy one
                legacy_styles = {style.get(f"{_SS}ID") for style in el.iter(f"{_SS}Style")
                                 if (font := style.find(f"{_SS}Font")) is not None
                                 and LEGACY_FONT.match(font.get(f"{_SS}FontName") or "")}
                continue
            if el.tag != f"{_SS}Worksheet":
                continue
            seen += 1
            if seen > limits.max_zip_entries:
                raise UnreadableFile("too_large", f"> {limits.max_zip_entries} worksheets", f"<= {limits.max_zip_entries}")
            sheets.append(_worksheet(el, limits, legacy_styles))
            el.clear()
            if root is not None and len(root) and root[-1] is el:  # the parsed worksheets are let go as they come
                root.remove(el)
    except ElementTree.ParseError as exc:
        raise UnreadableFile("corrupt", f"XML Spreadsheet: {exc}") from None
    if not sheets:
        raise UnreadableFile("no_sheets", "XML Spreadsheet")
    return sheets


def _index(el, attr: str, default: int, least: int = 1) -> int:
    text = el.get(f"{_SS}{attr}")
    try:
        value = int(text) if text else default
    except ValueError:
        value = default
    if value < least:
        raise UnreadableFile("corrupt", f"XML Spreadsheet: ss:{attr}={text}")
    return value


def _worksheet(ws, limits: Limits, legacy_styles: set = frozenset()) -> Sheet:
    name = ws.get(f"{_SS}Name") or ""
    rows: list[list] = []
    fonts: dict[tuple[int, int], bool] = {}  # a text cell's font: legacy or not (Sheet.legacy_font_cells)
    merged, hidden_rows, hidden_cols, formulas = [], set(), set(), []
    table = ws.find(f"{_SS}Table")
    r = 0
    for row in (table.iter(f"{_SS}Row") if table is not None else ()):
        r = _index(row, "Index", r + 1)
        if r > limits.max_rows:
            raise UnreadableFile("too_many_rows", f"{name}: {r}", f"<= {limits.max_rows}")
        if row.get(f"{_SS}Hidden") == "1":
            hidden_rows.add(r)
        while len(rows) < r:
            rows.append([])
        cells = rows[r - 1]
        c = 0
        for cell in row.iter(f"{_SS}Cell"):
            c = _index(cell, "Index", c + 1)
            across, down = _index(cell, "MergeAcross", 0, least=0), _index(cell, "MergeDown", 0, least=0)
            if c + across > limits.max_columns:
                raise UnreadableFile("too_many_columns", f"{name}: {c + across}", f"<= {limits.max_columns}")
            data = cell.find(f"{_SS}Data")
            value = _typed(data, limits) if data is not None else None
            while len(cells) < c:
                cells.append(None)
            cells[c - 1] = value
            if legacy_styles and isinstance(value, str):
                fonts[r - 1, c - 1] = (cell.get(f"{_SS}StyleID") or "Default") in legacy_styles
            if across or down:
                merged.append((r - 1, c - 1, r - 1 + down, c - 1 + across))
            if cell.get(f"{_SS}Formula") and value is None:
                formulas.append((r, c, cell.get(f"{_SS}Formula")))
            c += across
    col = 0
    for column in (table.iter(f"{_SS}Column") if table is not None else ()):
        col = _index(column, "Index", col + 1)
        span = _index(column, "Span", 0, least=0)
        if column.get(f"{_SS}Hidden") == "1":
            hidden_cols.update(range(col, min(col + span, limits.max_columns) + 1))
        col += span
    visible = ws.find(f"{_X}WorksheetOptions/{_X}Visible")
    hidden = visible is not None and (visible.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
    return Sheet(name=name, rows=rows, hidden=hidden, hidden_rows=frozenset(hidden_rows), hidden_columns=frozenset(hidden_cols),
                 merged=_clipped(merged, len(rows)), formulas_without_value=formulas,
                 legacy_font_cells=fonts if any(fonts.values()) else {})


def _typed(data, limits: Limits):
    text = "".join(data.itertext())
    _within(len(text), limits)
    kind = data.get(f"{_SS}Type", "String")
    if kind == "Number":
        try:
            return float(text)
        except ValueError:
            return text.strip() or None
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "Error":  # "#REF!": reported at its cell as a figure, empty as a label (grid.ExcelError)
        return ExcelError(text.strip()) if text.strip() else None
    if kind == "DateTime":  # "2026-01-15T00:00:00.000", a date as an .xlsx gives it
        from datetime import datetime

        try:
            return datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text.strip() or None
    return text if text.strip() else None
