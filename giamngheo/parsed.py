"""What parsing one file gives, as typed objects: made in the parsing processes, sent back and cached
as JSON (orjson writes dataclasses as they are), read back with `ParseResult.from_dict`.

No polars and no Prefect here: the parsing processes import this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time as dtime

from transforms.markers import FORMULA_MARK

from .text import nfc


@dataclass
class ParsedTable:
    """One table found in a file: where it is, what kind it is, which column holds each field, its rows.

    `rows` holds columns of equal length: "row" (1-based sheet row), "kind" (village, total,
    subtotal, section, …), "name", "name_key", "section", "section_index", the kind's text
    attributes, and per figure field `<field>__num` (the cell's number) and `<field>__text` (its
    text, when it is not a number).
    """

    sheet: str | None
    kind: str
    columns: dict[str, int]  # field -> 1-based column
    rows: dict[str, list]
    subject: str | None = None  # the table's subject, for forms split by subject (results: poor / near-poor)
    header_rows: list[int] = field(default_factory=list)  # first and last header row, 1-based
    name_column: int | None = None
    labels: dict[str, str] = field(default_factory=dict)  # 1-based column (as text) -> header label
    title: list[str] = field(default_factory=list)  # the lines above the header
    period: list[int] | None = None  # [first, last] year, for a table about a period (a roadmap)
    partial_year: bool = False  # a results report on part of the year ("6 tháng đầu năm"): not the year's end
    # fields read from rows under a village or total ("- Trong đó: hộ DTTS") -> the 1-based column they
    # sit in; `rows` then gives `<field>__row`, the sheet row of each value (None: the row itself)
    row_fields: dict[str, int] = field(default_factory=dict)
    # (a table whose field's column changes from row to row, the indicators across a targets sheet, gives
    # `<field>__col`: the 1-based column of each value)
    # rows with figures the recogniser did not use, [sheet row, label]: reported (row_not_used), never
    # dropped silently. A recogniser of personal data gives no label.
    unused: list[list] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "ParsedTable":
        return cls(**{k: v for k, v in data.items() if k in _TABLE_FIELDS})


@dataclass
class ParseResult:
    """Everything the run needs from one file."""

    parser_version: str
    format: str | None = None
    encoding: str | None = None
    legacy_encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    tables: list[ParsedTable] = field(default_factory=list)
    # file- and table-level failures, each a row of the failures frame: rule, sheet, row, column,
    # cell, field, value, expected, detail
    failures: list[dict] = field(default_factory=list)
    title: list[str] = field(default_factory=list)  # title lines of the file, for its commune and date
    title_cells: list = field(default_factory=list)  # [sheet, row, column] of each title line (None: not found)
    codes: list[str] = field(default_factory=list)  # 5-digit unit codes found in the title
    doc_date: list[int] | None = None  # [year, month, day] the document was signed
    year: int | None = None  # the year the document is for
    seconds: float = 0.0
    # a household list's listed names as keyed digests: a file's path naming one is starred (path_names.masked_path)
    name_refs: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "ParseResult":
        kept = {k: v for k, v in data.items() if k in _RESULT_FIELDS}
        kept["tables"] = unpacked([ParsedTable.from_dict(t) for t in data.get("tables", ())])
        return cls(**kept)

    def is_readable_failure(self, reasons: tuple[str, ...] = ()) -> bool:
        """Whether the file could not be read (for one of `reasons`, when given)."""
        return any(f.get("rule") == "readable" and (not reasons or f.get("detail") in reasons) for f in self.failures)


_TABLE_FIELDS = frozenset(f.name for f in fields(ParsedTable))
_RESULT_FIELDS = frozenset(f.name for f in fields(ParseResult))


# A file's tables repeat columns: a village-level deprivation table is a dozen tables (one per indicator) over
# the same rows, each giving its indicator's key and label on every row. Such a column is sent and cached once
# (a national set's deprivation results were 24 KB of JSON a file, two thirds of it repeats): `packed` in the
# parsing process before encoding, `unpacked` as the result is read back. A packed column is a dict where a
# column is a list: {"same": i} (the column of the file's table i, equal to it), {"repeat": value, "n": n}.


def packed(result: ParseResult) -> ParseResult:
    """The result with its tables' repeated columns as references (in place: the worker encodes it, then lets go)."""
    last: dict[str, tuple[int, list]] = {}  # column name -> (table index, values) of the last table that gave it in full
    for i, table in enumerate(result.tables):
        rows = table.rows
        for name, values in rows.items():
            if values.__class__ is not list or len(values) < 2:
                continue
            before = last.get(name)
            if before is not None and before[1] == values:  # one column's values are of one type: == is exact
                rows[name] = {"same": before[0]}
                continue
            last[name] = (i, values)
            if values.count(values[0]) == len(values):
                rows[name] = {"repeat": values[0], "n": len(values)}
    return result


def unpacked(tables: list[ParsedTable]) -> list[ParsedTable]:
    """The tables with their packed columns as lists again (a "same" column is the other table's list: read only)."""
    for table in tables:
        rows = table.rows
        for name, values in rows.items():
            if values.__class__ is dict:
                rows[name] = [values["repeat"]] * values["n"] if "repeat" in values else tables[values["same"]].rows[name]
    return tables


def cell_json(v):
    """A cell value as (number, text): numbers stay numbers, everything else becomes text."""
    cls = v.__class__
    if cls is float:  # NaN or infinity (an .ods or .xls can hold them) is no count: text, reported at its cell
        return (v, None) if math.isfinite(v) else (None, str(v))
    if cls is int:
        return float(v), None
    if v is None:
        return None, None
    if isinstance(v, bool):
        return None, "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return (float(v), None) if math.isfinite(v) else (None, str(v))
    if isinstance(v, (datetime, date, dtime)):
        return None, v.isoformat()
    if isinstance(v, str):
        t = nfc(v).lstrip(FORMULA_MARK)
        return (None, t) if t else (None, None)
    return None, str(v)


_SHORT_TEXT: dict[str, str] = {}  # a short text cell -> its text as cell_json gives it ("" for none)


def cell_columns(values: list) -> tuple[list, list]:
    """A column of cells as (numbers, texts), each cell as cell_json reads it; a number and a blank, the
    commonest cells, without a call each (a national run splits millions)."""
    nums, texts = [], []
    for v in values:
        cls = v.__class__
        if cls is float and math.isfinite(v):
            nums.append(v)
            texts.append(None)
        elif v is None:
            nums.append(None)
            texts.append(None)
        elif cls is int:  # a reader's whole numbers
            nums.append(float(v))
            texts.append(None)
        elif cls is str and len(v) < 12:  # a CSV's or a text cell's figures ("12", "-"): the same few, read once each
            text = _SHORT_TEXT.get(v)
            if text is None:
                if len(_SHORT_TEXT) > 50_000:
                    _SHORT_TEXT.clear()
                text = _SHORT_TEXT[v] = cell_json(v)[1] or ""
            nums.append(None)
            texts.append(text or None)
        else:
            num, text = cell_json(v)
            nums.append(num)
            texts.append(text)
    return nums, texts
