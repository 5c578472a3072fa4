"""A tiny hand-made .xlsx writer: every XML part is ours, so hostile variants are one string away.

openpyxl would refuse most of what the hostile corpus needs (cells past XFD, megabyte
strings, DTDs, formulas without a saved value next to hidden rows, sheets that lie about
their size), so workbooks are written from plain XML here. A sheet is a list of rows,
row 1 first; a row is a list of values: numbers become number cells, text an inline
string, `Formula("D7+1")` a formula cell with no cached value, None an empty cell.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{overrides}
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet {NS}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>"""


@dataclass(frozen=True)
class Formula:
    text: str  # without the leading "="


@dataclass(frozen=True)
class Shared:
    """A text cell stored in sharedStrings.xml instead of inline."""

    text: str


@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    state: str = "visible"  # visible / hidden / veryHidden
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    hidden_cols: set[int] = field(default_factory=set)  # 1-based
    autofilter: str | None = None  # e.g. "A5:G12"
    extra_cells: str = ""  # raw <row> XML appended after the grid (cells far away)
    dimension: str | None = None  # <dimension ref=...>, as the sheet claims it
    prolog: str = ""  # raw text between the XML declaration and <worksheet> (DTDs live here)


def col_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value, shared: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return f'<c r="{ref}"><f>{escape(value.text)}</f></c>'
    if isinstance(value, Shared):
        shared.append(value.text)
        return f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(str(value), {"\t": "&#9;", "\r": "&#13;", "\n": "&#10;"})
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(spec: SheetSpec, shared: list[str]) -> str:
    """The worksheet part of one sheet."""
    parts = []
    for r, values in enumerate(spec.rows, start=1):
        cells = "".join(_cell(f"{col_letter(c)}{r}", v, shared) for c, v in enumerate(values, start=1))
        hidden = ' hidden="1"' if r in spec.hidden_rows else ""
        parts.append(f'<row r="{r}"{hidden}>{cells}</row>')
    cols = "".join(f'<col min="{c}" max="{c}" width="9" hidden="1"/>' for c in sorted(spec.hidden_cols))
    width = max((len(r) for r in spec.rows), default=1)
    dim = spec.dimension or f"A1:{col_letter(max(width, 1))}{max(len(spec.rows), 1)}"
    filt = f'<autoFilter ref="{spec.autofilter}"/>' if spec.autofilter else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + spec.prolog
        + f'<worksheet {NS}><dimension ref="{dim}"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>" + "".join(parts) + spec.extra_cells + "</sheetData>" + filt + "</worksheet>"
    )


def shared_strings_xml(shared: list[str], prolog: str = "", extra: str = "") -> str:
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared) + extra
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + prolog
        + f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" '
        f'uniqueCount="{len(shared)}">{items}</sst>'
    )


def workbook_parts(sheets: list[SheetSpec], sst_prolog: str = "", sst_extra: str = "") -> dict[str, bytes]:
    """Every part of a workbook holding `sheets`, by name in the zip."""
    shared: list[str] = []
    parts: dict[str, bytes] = {}
    overrides = [f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_TYPE}"/>']
    sheet_tags, rels = [], []
    for i, spec in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(spec, shared).encode("utf-8")
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>')
        state = "" if spec.state == "visible" else f' state="{spec.state}"'
        sheet_tags.append(f'<sheet name="{escape(spec.name, {chr(34): "&quot;"})}" sheetId="{i}"{state} r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>')
    n = len(sheets)
    rels.append(f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/styles" Target="styles.xml"/>')
    if shared or sst_prolog or sst_extra:
        parts["xl/sharedStrings.xml"] = shared_strings_xml(shared, sst_prolog, sst_extra).encode("utf-8")
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>')
        rels.append(f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/sharedStrings" Target="sharedStrings.xml"/>')
    parts["xl/styles.xml"] = STYLES.encode("utf-8")
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS}><sheets>'
        + "".join(sheet_tags) + "</sheets></workbook>"
    ).encode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels) + "</Relationships>"
    ).encode("utf-8")
    parts["[Content_Types].xml"] = CONTENT_TYPES.format(overrides="\n".join(overrides)).encode("utf-8")
    parts["_rels/.rels"] = ROOT_RELS.encode("utf-8")
    return parts


def write_zip(path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    order = ["[Content_Types].xml", "_rels/.rels"] + [n for n in parts if n not in ("[Content_Types].xml", "_rels/.rels")]
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name in order:
            zf.writestr(name, parts[name])
    return path


def write_xlsx(path: Path, sheets: list[SheetSpec], **kw) -> Path:
    """Write a workbook of `sheets` to `path` (the extension is the caller's business)."""
    return write_zip(path, workbook_parts(sheets, **kw))
