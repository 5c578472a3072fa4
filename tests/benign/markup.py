"""Spreadsheets as markup, as other software writes them: an HTML table saved under an .xls name (an office's
"Xuất Excel"), and Excel 2003's XML Spreadsheet."""

from __future__ import annotations

import unicodedata
from html import escape
from pathlib import Path


def write_html(path: Path, title: list[str], header: list[list], rows: list[list], charset: str = "utf-8",
               hidden_rows: tuple[int, ...] = ()) -> Path:
    """Title lines as paragraphs, then one table: `header` rows of (text, colspan, rowspan) cells, `rows` of values
    (a number as Excel's web page writes it: x:num beside the text it shows, "1.205")."""
    def head_cell(cell):
        text, colspan, rowspan = cell
        return f'<td colspan="{colspan}" rowspan="{rowspan}">{escape(text).replace(chr(10), "<br>")}</td>'

    def cell(v):
        if isinstance(v, (int, float)):
            return f'<td x:num="{v}">{v:,}</td>'.replace(",", ".")
        return f"<td>{escape(v or '')}</td>"

    body = "".join(f"<tr>{''.join(head_cell(c) for c in line)}</tr>\n" for line in header)
    body += "".join(f'<tr{" style=display:none" if i in hidden_rows else ""}>{"".join(cell(v) for v in r)}</tr>\n'
                    for i, r in enumerate(rows))
    page = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}"><title>Bieu</title><style>td {{mso-number-format:General}}</style></head>'
            f'<body>{"".join(f"<p>{escape(t)}</p>" for t in title)}\n<table border="1">\n{body}</table>'
            f"<p>Người lập biểu</p></body></html>")
    path.write_bytes(_encoded(page, charset))
    return path


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below: combining in Windows-1258


def _encoded(text: str, charset: str) -> bytes:
    """`text` in `charset`; in Windows-1258 a letter it lacks precomposed ("Ấ") is its base with its vowel mark
    ("Â") and the tone as a combining mark, as that code page writes Vietnamese."""
    if charset.replace("-", "").lower() not in ("windows1258", "cp1258"):
        return text.encode(charset)
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in parts[1:] if m in _TONES)
            letter = unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONES))
            out.append(letter.encode("cp1258") + tones.encode("cp1258"))
    return b"".join(out)


def write_spreadsheetml(
    path: Path,
    sheets: dict[str, list[list]],
    merged: dict[str, list[tuple[int, int, int, int]]] | None = None,
    formulas: dict[tuple[int, int], str] | None = None,
    dtd: bool = False,
) -> Path:
    """Worksheets of rows (None an empty cell, skipped with ss:Index as Excel does); `merged` 1-based (row, col,
    across, down) per sheet; `formulas` (row, col) -> a formula whose value was never saved."""
    def data(v):
        kind = "Number" if isinstance(v, (int, float)) else "String"
        return f'<Data ss:Type="{kind}">{escape(str(v))}</Data>'

    parts = []
    for name, rows in sheets.items():
        spans = {(r, c): (a, d) for r, c, a, d in (merged or {}).get(name, [])}
        lines = []
        for r, values in enumerate(rows, start=1):
            cells, skipped = [], False
            for c, v in enumerate(values, start=1):
                formula = (formulas or {}).get((r, c))
                if v is None and not formula:
                    skipped = True
                    continue
                a, d = spans.get((r, c), (0, 0))
                attrs = (
                    (f' ss:Index="{c}"' if skipped else "")
                    + (f' ss:MergeAcross="{a}"' if a else "")
                    + (f' ss:MergeDown="{d}"' if d else "")
                )
                attrs += f' ss:Formula="{escape(formula)}"' if formula else ""
                cells.append(f"<Cell{attrs}>{data(v) if v is not None else ''}</Cell>")
                skipped = False
            lines.append(f'<Row ss:Index="{r}">{"".join(cells)}</Row>')
        parts.append(f'<Worksheet ss:Name="{escape(name)}"><Table>{"".join(lines)}</Table></Worksheet>')
    doc = ('<?xml version="1.0"?>\n' + ('<!DOCTYPE x [<!ENTITY a "aaaa">]>\n' if dtd else "")
           + '<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel">'
           + "".join(parts) + "</Workbook>")
    path.write_text(doc, encoding="utf-8")
    return path
