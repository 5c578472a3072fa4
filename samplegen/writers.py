"""A format-neutral workbook model and deterministic writers for .xlsx, .xls, .ods and .csv.

Layouts fill a :class:`Book` (sheets of cells, merges, styles, hidden rows, formulas);
``save_book`` writes it in the wanted format. The .xlsx and .ods writers are small
hand-written zip/XML writers: they are fast (the national corpus writes thousands of
files) and byte-for-byte deterministic (fixed zip timestamps, fixed document
properties, sorted iteration). .xls goes through xlwt, whose output carries no
timestamp.

Cell styles are short strings of tokens separated by spaces:
``b`` bold, ``i`` italic, ``bd`` thin borders, ``c`` centred, ``r`` right aligned,
``w`` wrapped, ``sz13`` font size, ``font:Name_With_Underscores``, ``fmt:<number format>``.
"""

from __future__ import annotations

import calendar
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from .util import is_number

DEFAULT_TIME = datetime(2026, 5, 20, 8, 30, 0)
DEFAULT_FONT = "Times New Roman"


# --- model -------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    styles: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    hidden: bool = False

    def set(self, row: int, col: int, value, style: str | None = None) -> None:
        """Set a cell (1-based). None leaves the cell empty (a style may still be set)."""
        if value is not None and value != "":
            self.cells[(row, col)] = value
        else:
            self.cells.pop((row, col), None)
        if style:
            self.styles[(row, col)] = style

    def put_row(self, row: int, values, col: int = 1, style: str | None = None) -> None:
        for offset, value in enumerate(values):
            self.set(row, col + offset, value, style)

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str | None = None) -> None:
        if (r1, c1) == (r2, c2):
            return
        self.merges.append((r1, c1, r2, c2))
        if style:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.styles.setdefault((r, c), style)

    def max_row(self) -> int:
        keys = list(self.cells) + list(self.styles) + list(self.formulas)
        rows = [r for r, _ in keys] + [m[2] for m in self.merges] + list(self.hidden_rows)
        return max(rows, default=0)

    def max_col(self) -> int:
        keys = list(self.cells) + list(self.styles) + list(self.formulas)
        return max([c for _, c in keys] + [m[3] for m in self.merges], default=0)


@dataclass
class Book:
    sheets: list[Sheet] = field(default_factory=list)
    active: int = 0
    creator: str = "UBND"
    created: datetime = DEFAULT_TIME
    modified: datetime | None = None

    def add(self, name: str) -> Sheet:
        sheet = Sheet(name)
        self.sheets.append(sheet)
        return sheet


# --- style tokens ------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    bold: bool = False
    italic: bool = False
    border: bool = False
    halign: str | None = None
    wrap: bool = False
    size: int = 12
    font: str = DEFAULT_FONT
    fmt: str = "General"


def parse_style(text: str | None) -> Style:
    if not text:
        return Style()
    kw: dict = {}
    for token in text.split():
        if token == "b":
            kw["bold"] = True
        elif token == "i":
            kw["italic"] = True
        elif token == "bd":
            kw["border"] = True
        elif token == "c":
            kw["halign"] = "center"
        elif token == "r":
            kw["halign"] = "right"
        elif token == "l":
            kw["halign"] = "left"
        elif token == "w":
            kw["wrap"] = True
        elif token.startswith("sz"):
            kw["size"] = int(token[2:])
        elif token.startswith("font:"):
            kw["font"] = token[5:].replace("_", " ")
        elif token.startswith("fmt:"):
            kw["fmt"] = token[4:]
        else:
            raise ValueError(f"unknown style token {token!r}")
    return Style(**kw)


def col_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


# --- zip helpers -------------------------------------------------------------


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes | str, when: datetime, stored: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, when.hour, when.minute, when.second))
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.create_system = 0
    zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


def normalise_zip(path: Path, when: datetime = DEFAULT_TIME) -> None:
    """Rewrite a zip (e.g. an openpyxl save) with fixed entry timestamps, same order, and the
    document's modification time (openpyxl stamps the wall clock) set to `when`."""
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, info.compress_type, zin.read(info.filename)) for info in zin.infolist()]
    stamp = _w3c(when).encode()
    entries = [
        (name, ctype, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data)
         if name == "docProps/core.xml" else data)
        for name, ctype, data in entries
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zout:
        for name, ctype, data in entries:
            _zip_write(zout, name, data, when, stored=ctype == zipfile.ZIP_STORED)
    path.write_bytes(buf.getvalue())


def _w3c(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml_text(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _num_text(value) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


# --- xlsx ----------------------------------------------------------------------

_BUILTIN_FMTS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class _XlsxStyles:
    def __init__(self) -> None:
        self.fonts: list[tuple] = [(False, False, 12, DEFAULT_FONT)]
        self.borders: list[bool] = [False, True]
        self.fmts: dict[str, int] = {}
        self.xfs: list[tuple] = [(0, 0, 0, None, False)]
        self.index: dict[str | None, int] = {None: 0, "": 0}

    def xf(self, text: str | None) -> int:
        if text in self.index:
            return self.index[text]
        st = parse_style(text)
        font = (st.bold, st.italic, st.size, st.font)
        if font not in self.fonts:
            self.fonts.append(font)
        if st.fmt in _BUILTIN_FMTS:
            fmt_id = _BUILTIN_FMTS[st.fmt]
        else:
            fmt_id = self.fmts.setdefault(st.fmt, 164 + len(self.fmts))
        key = (self.fonts.index(font), 1 if st.border else 0, fmt_id, st.halign, st.wrap)
        if key not in self.xfs:
            self.xfs.append(key)
        self.index[text] = self.xfs.index(key)
        return self.index[text]

    def xml(self) -> str:
        parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_NS_MAIN}">']
        if self.fmts:
            parts.append(f'<numFmts count="{len(self.fmts)}">')
            for code, fid in sorted(self.fmts.items(), key=lambda kv: kv[1]):
                parts.append(f'<numFmt numFmtId="{fid}" formatCode="{_xml_text(code)}"/>')
            parts.append("</numFmts>")
        parts.append(f'<fonts count="{len(self.fonts)}">')
        for bold, italic, size, name in self.fonts:
            parts.append(
                "<font>" + ("<b/>" if bold else "") + ("<i/>" if italic else "")
                + f'<sz val="{size}"/><name val="{_xml_text(name)}"/><family val="1"/></font>'
            )
        parts.append("</fonts>")
        parts.append(
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill></fills>'
        )
        parts.append('<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>')
        parts.append(
            '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
            '<top style="thin"><color auto="1"/></top><bottom style="thin"><color '
            'auto="1"/></bottom><diagonal/></border></borders>'
        )
        parts.append('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
        parts.append(f'<cellXfs count="{len(self.xfs)}">')
        for font, border, fmt_id, halign, wrap in self.xfs:
            attrs = f'numFmtId="{fmt_id}" fontId="{font}" fillId="0" borderId="{border}" xfId="0"'
            if fmt_id:
                attrs += ' applyNumberFormat="1"'
            if font:
                attrs += ' applyFont="1"'
            if border:
                attrs += ' applyBorder="1"'
            if halign or wrap:
                align = (
                    "<alignment"
                    + (f' horizontal="{halign}"' if halign else "")
                    + (' vertical="center" wrapText="1"' if wrap else "")
                    + "/>"
                )
                parts.append(f'<xf {attrs} applyAlignment="1">{align}</xf>')
            else:
                parts.append(f"<xf {attrs}/>")
        parts.append("</cellXfs>")
        parts.append('<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>')
        parts.append("</styleSheet>")
        return "".join(parts)


def _sheet_xml(sheet: Sheet, styles: _XlsxStyles, strings: dict[str, int], selected: bool) -> str:
    max_row, max_col = sheet.max_row(), sheet.max_col()
    dim = f"A1:{a1(max(max_row, 1), max(max_col, 1))}"
    out = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">',
        f'<dimension ref="{dim}"/>',
        '<sheetViews><sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "") + "/></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15.75"/>',
    ]
    if sheet.widths:
        out.append("<cols>")
        for col in sorted(sheet.widths):
            out.append(f'<col min="{col}" max="{col}" width="{sheet.widths[col]}" customWidth="1"/>')
        out.append("</cols>")
    rows: dict[int, set[int]] = {}
    for r, c in list(sheet.cells) + list(sheet.styles) + list(sheet.formulas):
        rows.setdefault(r, set()).add(c)
    for r in sheet.hidden_rows | set(sheet.heights):
        rows.setdefault(r, set())
    out.append("<sheetData>")
    for r in sorted(rows):
        attrs = f'r="{r}"'
        if r in sheet.heights:
            attrs += f' ht="{sheet.heights[r]}" customHeight="1"'
        if r in sheet.hidden_rows:
            attrs += ' hidden="1"'
        cells = []
        for c in sorted(rows[r]):
            ref = a1(r, c)
            s = styles.xf(sheet.styles.get((r, c)))
            sattr = f' s="{s}"' if s else ""
            if (r, c) in sheet.formulas:
                cells.append(f'<c r="{ref}"{sattr}><f>{_xml_text(sheet.formulas[(r, c)])}</f></c>')
                continue
            value = sheet.cells.get((r, c))
            if value is None:
                cells.append(f'<c r="{ref}"{sattr}/>')
            elif is_number(value):
                cells.append(f'<c r="{ref}"{sattr}><v>{_num_text(value)}</v></c>')
            else:
                idx = strings.setdefault(str(value), len(strings))
                cells.append(f'<c r="{ref}"{sattr} t="s"><v>{idx}</v></c>')
        out.append(f"<row {attrs}>" + "".join(cells) + "</row>")
    out.append("</sheetData>")
    if sheet.merges:
        out.append(f'<mergeCells count="{len(sheet.merges)}">')
        for r1, c1, r2, c2 in sheet.merges:
            out.append(f'<mergeCell ref="{a1(r1, c1)}:{a1(r2, c2)}"/>')
        out.append("</mergeCells>")
    out.append('<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    out.append('<pageSetup paperSize="9" orientation="landscape"/>')
    out.append("</worksheet>")
    return "".join(out)


def _shared_strings_xml(strings: dict[str, int]) -> str:
    items = []
    for text, _ in sorted(strings.items(), key=lambda kv: kv[1]):
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "  " in text else ""
        items.append(f"<si><t{space}>{_xml_text(text)}</t></si>")
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS_MAIN}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">' + "".join(items) + "</sst>"
    )


def save_xlsx(book: Book, path: Path) -> None:
    styles = _XlsxStyles()
    strings: dict[str, int] = {}
    sheet_xml = [_sheet_xml(s, styles, strings, i == book.active) for i, s in enumerate(book.sheets)]
    n = len(book.sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        + '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
        'Target="docProps/app.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    modified = book.modified or book.created
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{_xml_text(book.creator)}</dc:creator><cp:lastModifiedBy>{_xml_text(book.creator)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_w3c(book.created)}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_w3c(modified)}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    titles = "".join(f"<vt:lpstr>{_xml_text(s.name)}</vt:lpstr>" for s in book.sheets)
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
        f'<vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs>'
        f'<TitlesOfParts><vt:vector size="{n}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
        "<AppVersion>16.0300</AppVersion></Properties>"
    )
    sheets = "".join(
        f'<sheet name="{_xml_text(s.name)}" sheetId="{i}"' + (' state="hidden"' if s.hidden else "") + f' r:id="rId{i}"/>'
        for i, s in enumerate(book.sheets, 1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
        f'<bookViews><workbookView activeTab="{book.active}"/></bookViews><sheets>{sheets}</sheets></workbook>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
          f'Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" '
        f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        when = book.created
        _zip_write(zf, "[Content_Types].xml", content_types, when)
        _zip_write(zf, "_rels/.rels", root_rels, when)
        _zip_write(zf, "docProps/app.xml", app, when)
        _zip_write(zf, "docProps/core.xml", core, when)
        _zip_write(zf, "xl/workbook.xml", workbook, when)
        _zip_write(zf, "xl/_rels/workbook.xml.rels", wb_rels, when)
        _zip_write(zf, "xl/styles.xml", styles.xml(), when)
        for i, xml in enumerate(sheet_xml, 1):
            _zip_write(zf, f"xl/worksheets/sheet{i}.xml", xml, when)
        _zip_write(zf, "xl/sharedStrings.xml", _shared_strings_xml(strings), when)
    Path(path).write_bytes(buf.getvalue())


# --- xls (BIFF8 through xlwt) --------------------------------------------------


def save_xls(book: Book, path: Path) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    cache: dict[str | None, object] = {}

    def style(text: str | None):
        if text not in cache:
            st = parse_style(text)
            parts = [
                f"font: name {st.font}, height {st.size * 20}"
                + (", bold on" if st.bold else "")
                + (", italic on" if st.italic else "")
            ]
            align = []
            if st.halign:
                align.append(f"horiz {st.halign}")
            if st.wrap:
                align.append("wrap on, vert centre")
            if align:
                parts.append("align: " + ", ".join(align))
            if st.border:
                parts.append("borders: left thin, right thin, top thin, bottom thin")
            cache[text] = xlwt.easyxf("; ".join(parts), num_format_str=st.fmt if st.fmt != "General" else "General")
        return cache[text]

    for sheet in book.sheets:
        ws = wb.add_sheet(sheet.name[:31], cell_overwrite_ok=True)
        if sheet.hidden:
            ws.visibility = 1
        for col, width in sheet.widths.items():
            ws.col(col - 1).width = int(width * 256)
        merged_tl = {}
        covered = set()
        for r1, c1, r2, c2 in sheet.merges:
            merged_tl[(r1, c1)] = (r2, c2)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        covered.add((r, c))
        keys = sorted(set(sheet.cells) | set(sheet.styles))
        for r, c in keys:
            if (r, c) in covered:
                continue
            value = sheet.cells.get((r, c), "")
            st = style(sheet.styles.get((r, c)))
            if (r, c) in merged_tl:
                r2, c2 = merged_tl[(r, c)]
                ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, value, st)
            else:
                ws.write(r - 1, c - 1, value, st)
        for r in sheet.hidden_rows:
            ws.row(r - 1).hidden = True
        for r, h in sheet.heights.items():
            ws.row(r - 1).height_mismatch = True
            ws.row(r - 1).height = int(h * 20)
    wb.active_sheet = book.active
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(buf.getvalue())


# --- ods -----------------------------------------------------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def _ods_text(text: str) -> str:
    """Cell text as <text:p> paragraphs; leading, trailing and repeated spaces as <text:s/>."""
    paras = []
    for line in str(text).split("\n"):
        out = []
        pieces = re.split(r"( +)", line)
        for i, piece in enumerate(pieces):
            if not piece:
                continue
            if piece.startswith(" ") and (len(piece) > 1 or i == 0 or i == len(pieces) - 1 or not pieces[i - 1]):
                out.append("<text:s/>" if len(piece) == 1 else f'<text:s text:c="{len(piece)}"/>')
            else:
                out.append(_xml_text(piece))
        paras.append("<text:p>" + "".join(out) + "</text:p>")
    return "".join(paras)


def _ods_display(value, fmt: str) -> str:
    from .util import vn_number

    if fmt.endswith("%"):
        decimals = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
        return vn_number(value * 100, decimals) + "%"
    if fmt in ("0.0", "0.00", "0.000"):
        return vn_number(value, len(fmt) - 2)
    if fmt == "#,##0":
        return vn_number(int(round(value)))
    return vn_number(value) if not isinstance(value, int) else vn_number(value)


def save_ods(book: Book, path: Path) -> None:
    style_names: dict[str, str] = {}
    auto_styles: list[str] = []
    data_styles: dict[str, str] = {}

    def data_style(fmt: str) -> str | None:
        if fmt == "General":
            return None
        if fmt not in data_styles:
            name = f"N{len(data_styles) + 1}"
            if fmt.endswith("%"):
                decimals = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
                xml = (f'<number:percentage-style style:name="{name}"><number:number number:decimal-places="{decimals}" '
                       f'number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>')
            else:
                decimals = len(fmt.split(".")[1]) if "." in fmt else 0
                grouping = ' number:grouping="true"' if "," in fmt else ""
                xml = (f'<number:number-style style:name="{name}"><number:number number:decimal-places="{decimals}" '
                       f'number:min-integer-digits="1"{grouping}/></number:number-style>')
            data_styles[fmt] = name
            auto_styles.append(xml)
        return data_styles[fmt]

    def cell_style(text: str | None) -> str | None:
        if not text:
            return None
        if text not in style_names:
            st = parse_style(text)
            name = f"ce{len(style_names) + 1}"
            ds = data_style(st.fmt)
            attrs = f' style:data-style-name="{ds}"' if ds else ""
            cell_props = []
            if st.border:
                cell_props.append('fo:border="0.5pt solid #000000"')
            if st.wrap:
                cell_props.append('fo:wrap-option="wrap" style:vertical-align="middle"')
            text_props = [f'fo:font-size="{st.size}pt"', f'style:font-name="{_xml_text(st.font)}"']
            if st.bold:
                text_props.append('fo:font-weight="bold"')
            if st.italic:
                text_props.append('fo:font-style="italic"')
            xml = f'<style:style style:name="{name}" style:family="table-cell" style:parent-style-name="Default"{attrs}>'
            if cell_props:
                xml += f"<style:table-cell-properties {' '.join(cell_props)}/>"
            if st.halign:
                xml += (f'<style:paragraph-properties '
                        f'fo:text-align="{"center" if st.halign == "center" else "end" if st.halign == "right" else "start"}"/>')
            xml += f"<style:text-properties {' '.join(text_props)}/></style:style>"
            style_names[text] = name
            auto_styles.append(xml)
        return style_names[text]

    tables = []
    for sheet in book.sheets:
        max_row, max_col = sheet.max_row(), max(sheet.max_col(), 1)
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in sheet.merges}
        covered = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(spans)
        rows_xml = []
        for r in range(1, max_row + 1):
            cells = []
            for c in range(1, max_col + 1):
                st_text = sheet.styles.get((r, c))
                sname = cell_style(st_text)
                sattr = f' table:style-name="{sname}"' if sname else ""
                if (r, c) in covered:
                    cells.append(f"<table:covered-table-cell{sattr}/>")
                    continue
                attrs = sattr
                if (r, c) in spans:
                    nr, nc = spans[(r, c)]
                    attrs += f' table:number-columns-spanned="{nc}" table:number-rows-spanned="{nr}"'
                value = sheet.cells.get((r, c))
                if value is None:
                    cells.append(f"<table:table-cell{attrs}/>")
                elif is_number(value):
                    fmt = parse_style(st_text).fmt
                    vtype = "percentage" if fmt.endswith("%") else "float"
                    cells.append(
                        f'<table:table-cell{attrs} office:value-type="{vtype}" office:value="{_num_text(value)}">'
                        f"<text:p>{_xml_text(_ods_display(value, fmt))}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell{attrs} office:value-type="string">{_ods_text(str(value))}</table:table-cell>'
                    )
            # trailing empty unstyled cells are dropped, as LibreOffice does
            while cells and cells[-1] == "<table:table-cell/>":
                cells.pop()
            vis = ' table:visibility="collapse"' if r in sheet.hidden_rows else ""
            rows_xml.append(f"<table:table-row{vis}>" + ("".join(cells) or "<table:table-cell/>") + "</table:table-row>")
        cols = f'<table:table-column table:number-columns-repeated="{max_col}"/>'
        tables.append(f'<table:table table:name="{_xml_text(sheet.name)}">{cols}{"".join(rows_xml)}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS} office:version="1.2">'
        f'<office:font-face-decls/><office:automatic-styles>{"".join(auto_styles)}</office:automatic-styles>'
        f'<office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body></office:document-content>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_ODS_NS} office:version="1.2">'
        '<office:styles><style:style style:name="Default" style:family="table-cell">'
        f'<style:text-properties style:font-name="{DEFAULT_FONT}" fo:font-size="12pt"/></style:style></office:styles>'
        "</office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODS_NS} office:version="1.2"><office:meta>'
        "<meta:generator>LibreOffice/7.3.7.2$Windows_X86_64</meta:generator>"
        f"<meta:creation-date>{book.created.strftime('%Y-%m-%dT%H:%M:%S')}</meta:creation-date>"
        f"<dc:date>{(book.modified or book.created).strftime('%Y-%m-%dT%H:%M:%S')}</dc:date>"
        "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        when = book.created
        _zip_write(zf, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", when, stored=True)
        _zip_write(zf, "content.xml", content, when)
        _zip_write(zf, "styles.xml", styles, when)
        _zip_write(zf, "meta.xml", meta, when)
        _zip_write(zf, "META-INF/manifest.xml", manifest, when)
    Path(path).write_bytes(buf.getvalue())


# --- csv -----------------------------------------------------------------------


def save_csv(book: Book, path: Path, delimiter: str = ";", encoding: str = "utf-8-sig", quote_all: bool = False) -> None:
    """The first sheet as CSV. Cells should already hold the text wanted in the file."""
    sheet = book.sheets[0]
    max_row, max_col = sheet.max_row(), sheet.max_col()
    buf = io.StringIO()
    writer = csv.writer(
        buf, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    for r in range(1, max_row + 1):
        row = []
        for c in range(1, max_col + 1):
            value = sheet.cells.get((r, c))
            row.append("" if value is None else (_num_text(value) if is_number(value) else str(value)))
        writer.writerow(row)
    text = buf.getvalue()
    if encoding == "cp1258":
        from .encodings import cp1258_bytes

        data = cp1258_bytes(text)
    else:
        data = text.encode(encoding)
    Path(path).write_bytes(data)


# --- dispatch ------------------------------------------------------------------

FORMATS = ("xlsx", "xls", "ods", "csv")


def save_book(book: Book, path: Path, fmt: str, **csv_options) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        save_xlsx(book, path)
    elif fmt == "xls":
        save_xls(book, path)
    elif fmt == "ods":
        save_ods(book, path)
    elif fmt == "csv":
        save_csv(book, path, **csv_options)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def set_mtime(path: Path, when: datetime) -> None:
    ts = calendar.timegm(when.timetuple())  # the wall-clock time read as UTC: same on every machine
    os.utime(path, (ts, ts))
