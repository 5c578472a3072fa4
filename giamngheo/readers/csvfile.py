"""CSV exports: encoding and delimiter detected, one sheet of text cells, rows numbered by line."""

from __future__ import annotations

import csv
import io

from ..safe_errors import unquoted
from .grid import Limits, Sheet, UnreadableFile, Workbook, a1

_DELIMITERS = (";", ",", "\t", "|")


def _score(sample: str, delimiter: str) -> tuple[int, int]:
    try:
        counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)]
    except csv.Error:  # a field beyond the csv module's limit, say: the reading below reports it
        return (0, 0)
    if not counts:
        return (0, 0)
    modal = max(set(counts), key=counts.count)
    return (sum(1 for c in counts if c == modal and c >= 3), modal)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (>= 3) of fields."""
    sample = "\n".join(text.splitlines()[:60])
    absent = [d for d in _DELIMITERS if d not in sample]
    # a delimiter the sample lacks splits nothing: every absent one reads the sample alike, scored once
    unsplit = _score(sample, absent[0]) if absent else None
    return max(_DELIMITERS, key=lambda d: unsplit if d in absent else _score(sample, d))


def _refuse_if_cut_short(text: str, rows: list[list]) -> None:
    """A file cut short (copied or downloaded half way): no line break at its end, and its last line has fewer fields
    than every line before it, where every line before it has as many as the others (Excel, LibreOffice and Google
    Sheets write every row to the same width), yet more than one (a last line of one field is a note or a signature
    typed by hand). Its last village was read with its missing figures as empty, and the commune accepted with the
    villages before it (independent probe: a half-written CSV)."""
    if text.endswith(("\n", "\r")):
        return
    records = [r for r in rows if r]
    widths = {len(r) for r in records[:-1]}
    if len(records) > 1 and len(widths) == 1 and 1 < len(records[-1]) < min(widths):
        where = next(i for i in range(len(rows), 0, -1) if rows[i - 1])
        raise UnreadableFile("truncated", f"{where}: {len(records[-1])} / {min(widths)}")


def read_csv(data: bytes, limits: Limits) -> Workbook:
    from ..text_encoding import decode_text_bytes

    text, encoding = decode_text_bytes(data)
    if not text.strip():
        raise UnreadableFile("no_sheets", "empty text file")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list] = []
    continued: set[int] = set()
    line = 0
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            continued.update(range(start, line))  # a quoted cell's line breaks: its lines after the first
            if start > limits.max_rows:
                raise UnreadableFile("too_many_rows", str(start), f"<= {limits.max_rows}")
            if len(record) > limits.max_columns:
                raise UnreadableFile("too_many_columns", str(len(record)), f"<= {limits.max_columns}")
            while len(rows) < start - 1:  # a record spanning lines keeps the numbering of its first line
                rows.append([])
            cells = []
            for value in record:
                if len(value) > limits.max_cell_chars:
                    raise UnreadableFile(
                        "cell_too_long", f"{a1(start, len(cells) + 1)}: {len(value)} characters", f"<= {limits.max_cell_chars}"
                    )
                cells.append(value if value.strip() else None)
            rows.append(cells)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own limit (131,072), above ours
            raise UnreadableFile(
                "cell_too_long", f"> {csv.field_size_limit():,} characters", f"<= {limits.max_cell_chars}"
            ) from None
        raise UnreadableFile("corrupt", f"CSV: {unquoted(exc)}") from None
    _refuse_if_cut_short(text, rows)
    legacy = encoding if encoding in ("tcvn3", "vni") else None
    return Workbook(
        format="csv",
        sheets=[Sheet(name="", rows=rows, continued_rows=frozenset(continued))],
        encoding=encoding,
        legacy_encoding=legacy,
    )
