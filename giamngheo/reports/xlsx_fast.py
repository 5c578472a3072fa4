"""Large tables through xlsxwriter in a few seconds, and cell text every spreadsheet program reads as written.

xlsxwriter's cell API costs about 6 µs a cell here (argument checks, a tuple
per cell, one XML fragment per call): 1.6 million village cells take 10 s.
`FastWorksheet.write_xml_rows` lets polars build a whole table's <row>
elements at once and appends them to the row data the worksheet keeps in
`constant_memory` mode, where xlsxwriter streams its own rows; everything else
(styles, column widths, panes, filters, print setup, packaging) stays
xlsxwriter's. Cell styles are xlsxwriter Formats, their indices taken with
`Format._get_xf_index()` as xlsxwriter's own cell writer does. Text in those
rows goes to the workbook's shared strings (each distinct text stored once;
xlsxwriter itself writes in-line strings in constant_memory mode), which
makes the national village sheet 58 MB of XML instead of 75 MB.

Text escaping. OOXML reads "_xHHHH_" in a string as an escaped character;
Excel and calamine decode exactly 4 hex digits, LibreOffice already 1 to 3
("01879_xa_cao_minh.xlsx" showed as "01879", a line break, "cao_minh.xlsx").
The spec's escape for a literal underscore is "_x005F_". xlsxwriter escapes
only the 4-digit form, so this module's worksheets and shared strings (API
cells and fast rows alike) escape the underscore of every "_x<1 to 4 hex
digits>_" once, and control characters as "_xHHHH_" like xlsxwriter. openpyxl
decodes shared strings but reads in-line ones as stored
("01879_x005F_xa_cao_minh.xlsx").
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
import xlsxwriter.packager
import xlsxwriter.sharedstrings
import xlsxwriter.workbook
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# xlsxwriter zips at zlib's default level (6) and has no option for another. Level 1 writes the
# national analyst workbook in 1.2 s instead of 1.9 s, for a third more bytes (8.5 -> 11.4 MB;
# a province's workbook stays well under 1 MB). Only this package writes with xlsxwriter.
xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=1)

_ESCAPE_LIKE = re.compile(r"_(?=x[0-9A-Fa-f]{1,4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def escape_cell_text(text):
    """Text as stored in a cell's <t>, before XML escaping: "_x..._" look-alikes and control characters escaped."""
    if not isinstance(text, str):
        return text
    text = _ESCAPE_LIKE.sub("_x005F_", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


class FastWorksheet(Worksheet):
    """An xlsxwriter worksheet (constant_memory) that also takes whole tables as row XML."""

    # xlsxwriter calls this on every in-line string (and <v> data): extend its "_xHHHH_" escape to 1-3 digits.
    _escape_control_characters = staticmethod(escape_cell_text)

    def _xml_rich_inline_string(self, string, attributes=()):
        # Only rich strings start with "<r>" in xlsxwriter; we write none, so such text is plain text.
        self._xml_inline_string(string, _preserve_whitespace(string), list(attributes))

    def _xml_number_element(self, number, attributes=()):
        # The shortest text that reads back as the same float (xlsxwriter's '.16G' can change the 17th digit).
        attr = "".join(f' {key}="{self._escape_attributes(value)}"' for key, value in attributes)
        text = str(number) if type(number) is int else repr(float(number))
        self.fh.write(f"<c{attr}><v>{text}</v></c>")

    def write_xml_rows(self, first_row: int, last_row: int, last_col: int, chunks: Iterable[str]) -> None:
        """Append rows first_row..last_row (0-based), given as ready <row> elements, after the rows written so far."""
        if not self.constant_memory:
            raise ValueError("write_xml_rows needs the workbook option constant_memory")
        if first_row < self.previous_row or (first_row == self.previous_row and self.table):
            raise ValueError(f"row {first_row} is already written")
        if last_row < first_row:
            return
        self._opt_reopen()
        self._write_single_row(first_row)  # flush the pending row (header) before ours
        self._check_dimensions(first_row, 0)
        self._check_dimensions(last_row, last_col)
        for chunk in chunks:
            self.fh.write(chunk)
        self.previous_row = last_row + 1


class Styles:
    """A workbook's Formats, one per distinct look: st(fill="FFC7CE", num="0.00") returns the same Format every time.

    Cells get a thin border of border_color unless box=False; header: centred, wrapped; quote: the quote prefix.
    """

    def __init__(self, wb: Workbook, border_color: str):
        self._wb, self._border, self._formats = wb, "#" + border_color, {}

    def __call__(self, fill=None, num=None, box=True, bold=False, italic=False, size=None, header=False, quote=False) -> Format:
        key = (fill, num, box, bold, italic, size, header, quote)
        if key not in self._formats:
            props = {"pattern": 1, "bg_color": "#" + fill} if fill else {}
            if num:
                props["num_format"] = num
            if box:
                props |= {"border": 1, "border_color": self._border}
            if header:
                props |= {"align": "center", "valign": "vcenter", "text_wrap": True}
            props |= {k: v for k, v in (("bold", bold), ("italic", italic), ("font_size", size), ("quote_prefix", quote)) if v}
            self._formats[key] = self._wb.add_format(props)
        return self._formats[key]

    def xf(self, fills: list[str | None], codes: pl.Series | None, **style) -> pl.Series | int:
        """xf index of a style with each row's fill (fills[code], see row_fills), or one int when no row has a fill."""
        if codes is None:
            return self(**style)._get_xf_index()
        indices = {code: self(fill=fill, **style)._get_xf_index() for code, fill in enumerate(fills)}
        return codes.replace_strict(indices, return_dtype=pl.Int32)


def row_fills(frame: pl.DataFrame, rules: list[tuple[pl.Expr, str]]) -> tuple[list[str | None], pl.Series | None]:
    """Each row's fill from (condition, fill) rules, the first that holds: the fills (None first) and a code per row."""
    if not rules or not frame.height:
        return [None], None
    chain = pl.when(rules[0][0]).then(1)
    for code, (condition, _) in enumerate(rules[1:], start=2):
        chain = chain.when(condition).then(code)
    return [None] + [fill for _, fill in rules], frame.select(chain.otherwise(0).cast(pl.Int8)).to_series()


def excel_serial(column: pl.Expr, dtype: pl.Datetime, utc_offset_hours: int) -> pl.Expr:
    """Excel's serial day number (1900 system) of a datetime column at a UTC offset (naive values are UTC)."""
    utc = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else column
    return (utc.dt.epoch("us") + utc_offset_hours * 3_600_000_000) / 86_400_000_000 + 25_569


@dataclass
class Column:
    """One column of a fast table.

    values: one value a row, null for an empty cell: numbers for a number column (written as their shortest
    round-trip text), text for a text column. style, blank_style, quote_style: the xf index (a Series, one a
    row, or one int) of a value, of an empty cell and of a formula-like text (a quote-prefix style).
    """

    values: pl.Series
    text: bool
    style: pl.Series | int
    blank_style: pl.Series | int
    quote_style: pl.Series | int | None = None


def xml_rows(columns: list[Column], first_row: int, strings: SharedStringTable, chunk_rows: int = 5_000) -> Iterable[str]:
    """The <row> elements of a table starting at first_row (0-based), chunk_rows rows a string.

    Text cells refer to the workbook's shared strings (`strings`, the worksheet's str_table): each
    distinct text is stored and escaped once, and a village table's sheet is about half the size
    it has with in-line strings.
    """
    data, parts = {}, []
    for i, column in enumerate(columns):
        values = column.values
        if values.dtype.is_float():  # NaN and infinities have no cell value
            values = values.to_frame("v").select(pl.when(pl.col("v").is_finite()).then(pl.col("v"))).to_series()
        values = values.cast(pl.String)
        if column.text:  # the control characters openpyxl and safe_cells.xml_text drop
            values = values.str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
            data[f"t{i}"] = values
            values = _shared(values, strings)
        data[f"v{i}"] = values
        styles = {"s": column.style, "b": column.blank_style, "p": column.quote_style}
        exprs = {}
        for key, style in styles.items():
            if isinstance(style, pl.Series):
                data[f"{key}{i}"] = style.cast(pl.String)
                exprs[key] = pl.col(f"{key}{i}")
            elif style is not None:
                exprs[key] = pl.lit(str(style))
        parts.append(_cell(i, column.text, exprs, values.has_nulls()))
    frame = pl.DataFrame(data).with_row_index("_r", offset=first_row + 1).with_columns(pl.col("_r").cast(pl.String))
    expr = pl.concat_str([pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *parts, pl.lit("</row>")])
    for start in range(0, frame.height, chunk_rows):
        yield "".join(frame.slice(start, chunk_rows).select(expr.alias("xml"))["xml"].to_list())


def _shared(values: pl.Series, strings: SharedStringTable) -> pl.Series:
    """Each text's index in the shared strings (added in order of first use), as text; null stays null."""
    distinct = values.drop_nulls().unique(maintain_order=True).to_list()
    index = {text: strings._get_shared_string_index(text) for text in distinct}
    strings.count += values.count() - len(distinct)  # one reference a cell: the sst's count attribute
    return values.replace_strict(index, default=None, return_dtype=pl.UInt32).cast(pl.String)


def _cell(i: int, text: bool, styles: dict[str, pl.Expr], has_nulls: bool) -> pl.Expr:
    value = pl.col(f"v{i}")
    ref = [pl.lit(f'<c r="{xl_col_to_name(i)}'), pl.col("_r"), pl.lit('" s="')]
    blank = pl.concat_str([*ref, styles["b"], pl.lit('"/>')])
    style, kind = styles["s"], ""
    if text:
        kind = '" t="s'
        if "p" in styles:  # Excel's own flag for typed-in text that looks like a formula
            style = pl.when(pl.col(f"t{i}").str.contains(r"^[=+\-@\t\r]")).then(styles["p"]).otherwise(style)
    cell = pl.concat_str([*ref, style, pl.lit(kind + '"><v>'), value, pl.lit("</v></c>")])
    return pl.when(value.is_null()).then(blank).otherwise(cell) if has_nulls else cell


class SharedStrings(xlsxwriter.sharedstrings.SharedStrings):
    """xlsxwriter's sharedStrings.xml writer, escaping as this module's worksheets do: "_x<1 to 4 hex>_"
    once, and text that happens to look like a rich string ("<r>...</r>") stored as plain text."""

    def _write_si(self, string) -> None:
        string = escape_cell_text(string)
        self._xml_si_element(string, [("xml:space", "preserve")] if _preserve_whitespace(string) else [])


xlsxwriter.packager.SharedStrings = SharedStrings
