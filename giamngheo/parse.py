"""Parse one commune file into plain data (JSON-serialisable): its tables, rows and file-level failures.

This runs in worker processes, so it imports no polars and no Prefect.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from transforms.markers import FORMULA_MARK

from . import PARSER_VERSION
from .failure_row import failure
from .layout import fields as F
from .layout import deprivations, households
from .layout.header import header_labels_found
from .layout.header_rows import cell_text
from .layout.list_names import names_one, scrub
from .layout.personal import personal_header, title_like
from .layout.recognisers import claimed_tables, other_tables
from .parsed import ParsedTable, ParseResult, cell_columns, cell_json
from .path_names import name_refs, sheet_place
from .layout.title_cells import title_cells
from .layout.dates import document_date
from .layout.table_row import SUBTOTAL, TOTAL
from .layout.tables import Table, document_year, partial_year, title_lines
from .sheet_findings import (ONLY_CHECKED, TITLE_ROWS, formulas_of, hidden_of, lists_without_members, merged_of, merged_over,
                             sheets_not_read, unreadable_text_of)
from .sheet_parts import village_tables
from .readers import Limits, UnreadableFile, read_workbook
from .readers.grid import column_letter
from .secret import keyer
from .text import fold, match_key

REQUIRED = {
    F.PLAN: ("village_name", "total_households", "poor_households", "near_poor_households"),
    F.TARGETS: ("village_name",),
}
RESULTS_ENDS = ("poor_households_end", "near_poor_households_end")
_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
# "Mã xã: 01294", "Mã ĐVHC 01294", "Mã đơn vị hành chính (cấp xã): 01294" (the last was not read: 20 files of an
# independent probe's national run rejected, commune_resolved)
_CODE_LABEL = re.compile(
    r"\bma\s*(?:so\s*)?(?:xa|phuong|dvhc|dac khu|don vi(?:\s*hanh chinh)?(?:\s*cap\s*(?:xa|co so))?)?\s*(\d{5})\b")


def _codes(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        folded = fold(line)
        for m in _CODE_LABEL.finditer(folded):
            out.append(m.group(1))
        stripped = line.strip()
        if re.fullmatch(r"\d{5}", stripped):
            out.append(stripped)
    return out


def _serialise_rows(table: Table) -> dict:
    fields = [f for f in table.band.fields if f not in F.ROLE_FIELDS] + [
        f for f in table.row_fields if f not in table.band.fields
    ]
    formulas = {(r, c): f for r, c, f in table.sheet.formulas_without_value}
    rows = table.rows
    cols: dict[str, list] = {
        "row": [tr.row for tr in rows],
        "kind": [tr.kind for tr in rows],
        "name": [tr.name for tr in rows],
        "name_key": [match_key(tr.name) if tr.name else None for tr in rows],
        "section": [tr.section for tr in rows],
        "section_index": [tr.section_index for tr in rows],
    }
    if table.kind == F.TARGETS and "unit_code" in table.band.fields:  # the province names its communes by code too
        c = table.band.fields["unit_code"]
        cols["unit_code"] = [cell_text(table.sheet.value(tr.row - 1, c)) for tr in rows]
    for f in fields:
        own = f in table.band.fields
        column = (table.band.fields[f] if own else table.row_fields[f]) + 1
        at = [tr.row if own else tr.sources.get(f) for tr in rows]
        if formulas:
            cells = [
                (None, FORMULA_MARK + formulas[(r, column)]) if (r, column) in formulas else cell_json(tr.values.get(f))
                for tr, r in zip(rows, at)
            ]
            cols[f + "__num"], cols[f + "__text"] = [num for num, _ in cells], [text for _, text in cells]
        else:
            cols[f + "__num"], cols[f + "__text"] = cell_columns([tr.values.get(f) for tr in rows])
        if not own:
            cols[f + "__row"] = at
    return cols


def unused_row_failures(table: ParsedTable) -> list[dict]:
    """A row with figures that the table's recogniser did not use (rule row_not_used, a warning)."""
    col = table.name_column or 1
    return [{**failure("row_not_used", table.sheet, row, col, value=label), "kind": table.kind} for row, label in table.unused]


def _table_failures(table: Table) -> list[dict]:
    out = []
    sheet = table.sheet
    band = table.band
    required = REQUIRED.get(table.kind, ())
    # a unit is named by its name, or in the targets workbook by its code alone ("Mã xã")
    named = table.name_col is not None or (table.kind == F.TARGETS and "unit_code" in band.fields)
    missing = [f for f in required if f not in band.fields and not (f == "village_name" and named)]
    if table.kind == F.RESULTS and not any(f in band.fields for f in RESULTS_ENDS):
        # a results table gives the end of the period of its households (else it would be accepted with none)
        missing.append({"poor": "poor_households_end", "near": "near_poor_households_end"}.get(table.subject, RESULTS_ENDS[0]))
    elif table.kind == F.RESULTS:
        # a group's start without its end: its end was published empty, its balance never checked, the commune accepted
        missing += [end for end in RESULTS_ENDS if end.replace("_end", "_start") in band.fields and end not in band.fields]
    if missing:
        out.append(
            failure(
                "required_columns",
                sheet.name,
                row=band.bottom + 1,
                field=",".join(missing),
                value=" | ".join(band.labels())[:500],
                expected=", ".join(missing),
            )
        )
    data_rows = {tr.row for tr in table.rows}
    totals = {tr.row for tr in table.rows if tr.kind in (TOTAL, SUBTOTAL)}
    columns = {c + 1: f for f, c in band.fields.items()}
    # cells of "Trong đó" rows folded into the row above: (row, column) -> their breakdown field
    folded = {(r, table.row_fields[f] + 1): f for tr in table.rows for f, r in tr.sources.items() if f in table.row_fields}
    for r, c, formula in sheet.formulas_without_value:
        if r in data_rows and c in columns:
            rule = "formula_not_used" if r in totals or columns[c] in ONLY_CHECKED else "formula_without_value"
            out.append(failure(rule, sheet.name, r, c, columns[c], formula))
        elif (r, c) in folded:
            out.append(failure("formula_without_value", sheet.name, r, c, folded[(r, c)], formula))
    if sheet.hidden and not sheet.first_row:  # once a sheet, not again for a second table on it
        out.append(failure("hidden_content", sheet.name, value=sheet.name, detail="sheet"))
    for r in sorted((data_rows | {r for r, _ in folded}) & set(sheet.hidden_rows)):
        out.append(failure("hidden_content", sheet.name, row=r, col=1, value=str(r), detail="row"))
    out += merged_over(sheet, data_rows | {r for r, _ in folded}, set(columns) | {c for _, c in folded})
    out += _unread_figure_columns(table, data_rows)
    for c in sorted(set(columns) & set(sheet.hidden_columns)):
        out.append(
            failure(
                "hidden_content",
                sheet.name,
                row=band.bottom + 1,
                col=c,
                field=columns[c],
                value=column_letter(c),
                detail="column",
            )
        )
    return out


_MOVED = frozenset({"group.decrease", "group.increase"})
_NOT_COUNTS = frozenset({"measure.rate", "measure.persons", "planned.target"})  # "Chỉ tiêu giao giảm": the plan's, not read


def _unread_figure_columns(table: Table, data_rows: set[int]) -> list[dict]:
    """A column under "Trong đó" that names no breakdown we know, or one under a results table's decrease or increase
    that names no movement we read (or one another column holds), yet holds figures (column_not_used, a warning): a
    three-row header whose bottom labels are missing ("Hộ nghèo / Trong đó" over two columns, independent probe, Sơn
    La) and a movement misread ("Giảm / Thoát nghèo vượt cận nghèo", Nghệ An) lost their figures without a word."""
    band, sheet, out = table.band, table.sheet, []
    read = set(band.fields.values()) | set(table.row_fields.values())
    for column in band.columns:
        # one movement ("Tăng (+), giảm (-)" is a net change, not read by design)
        moved = table.kind == F.RESULTS and len(column.tags & _MOVED) == 1 and not column.tags & _NOT_COUNTS
        if column.index in read or not (moved or " trong do" in f" {fold(column.label)}"):
            continue
        if any(cell_json(sheet.value(r - 1, column.index))[0] is not None for r in data_rows):
            # at its lowest label ("Trong đó" itself when the labels below it are missing)
            row = next((r for r in range(band.bottom, band.top - 1, -1) if sheet.shown(r, column.index, cell_text)), band.bottom)
            out.append(failure("column_not_used", sheet.name, row + 1, column.index + 1, value=column.label[:200]))
    return out


def unreadable(reason: str, detail: str, expected: str | None, seconds: float = 0.0) -> ParseResult:
    """The parse result of a file that cannot be used at all (rule `readable`)."""
    return ParseResult(
        PARSER_VERSION, failures=[failure("readable", None, value=detail, expected=expected, detail=reason)], seconds=seconds
    )


def unreadable_io(exc: OSError, seconds: float = 0.0) -> ParseResult:
    """A file the system would not hand over: no permission to read it, or gone or failing during the run."""
    reason = "unreadable_dir" if isinstance(exc, PermissionError) else "io_error"
    return unreadable(reason, f"{type(exc).__name__}: {exc.strerror or exc}", None, seconds)


def parse_workbook(path: Path, limits: Limits, forced_kind: str | None = None) -> ParseResult:
    """Everything the pipeline needs from one file."""
    started = time.perf_counter()
    try:
        book = read_workbook(path, limits)
    except UnreadableFile as exc:
        return unreadable(exc.reason, exc.detail, exc.expected, time.perf_counter() - started)
    except OSError as exc:
        return unreadable_io(exc, time.perf_counter() - started)
    result = ParseResult(PARSER_VERSION, format=book.format, encoding=book.encoding, legacy_encoding=book.legacy_encoding)
    result.sheets = [s.name for s in book.sheets]
    claimed = claimed_tables(book.sheets)
    # a household list no recogniser could read: never read as villages, nor its rows as title lines
    personal = {s.name: found for s in book.sheets if s.name not in claimed and (found := personal_header(s))}
    parts = village_tables(book, claimed, personal, forced_kind)
    tables, lists = parts.tables, parts.lists
    title: list[str] = []
    for t in tables:
        title.extend(line for line in t.title if line not in title)
    used = {t.sheet.name for t in tables}
    for s in book.sheets:
        if s.name not in used:
            # a claimed table's rows are never title lines (a household list's rows hold names); above a list
            # refused, only lines that read as a title ("UBND XÃ …", "DANH SÁCH … NĂM 2026"), never a lone name
            top = min(TITLE_ROWS, len(s.rows), *(t.header_rows[0] - 1 for t in claimed.get(s.name, ()) if t.header_rows),
                      *((personal[s.name][0],) if s.name in personal else ()))
            lines = title_lines(s, top, single=True)
            title.extend(line for line in lines if line not in title and (s.name not in lists or title_like(line)))
    result.title = title[:60]
    # a claimed sheet's tables (below a village table on it too); the other recognisers on the sheets left, and
    # on the rows above a list where no table was read (a roadmap of years across above it, say)
    others = []
    for s in (s for s in book.sheets if s.rows):
        own = claimed.get(s.name, [])
        others.extend(own)
        if s.name in used:
            continue
        if s.name in parts.views:
            others.extend(other_tables(parts.views[s.name], title))
        elif not own and s.name not in personal:
            found = other_tables(s, title)
            if not found and forced_kind == F.TARGETS:  # a sheet of targets for a few indicators (fewer than a table has)
                found = deprivations.indicator_targets(s)
            others.extend(found)
    for name, (row, labels) in personal.items():  # the household list refused; with nothing else read, the file
        kind = "households" if tables or others else None
        result.failures.append({**failure("personal_list", name, row=row + 1, value=" | ".join(labels)[:500]), "kind": kind})
    result.codes = _codes(title)
    result.doc_date = document_date(title)
    result.year = document_year(title)
    if not tables and not others and not personal:
        labels = []
        for s in book.sheets:
            labels.extend(header_labels_found(s))
        result.failures.append(failure("table_found", None, value=" | ".join(labels[:30])[:500]))
    read = used | {t.sheet for t in others}  # a hidden sheet another recogniser read is said as read (_hidden_of)
    for s in book.sheets:
        if s.hidden and s.name not in read and any(any(v is not None for v in r) for r in s.rows):
            result.failures.append(failure("hidden_content", s.name, value=s.name, detail="unused_sheet"))
    for t in tables:
        # each of a table's failures is its kind's (a formula without its value in the plan's table does not reject the
        # deprivation table beside it; an auditor filtering by kind finds it)
        result.failures.extend({**f, "kind": f.get("kind") or t.kind} for f in _table_failures(t))
        for other in t.passed_over:  # a draft beside its final version: which one is right, the commune says
            what = _TABLE_NAMES.get(t.kind, t.kind)
            result.failures.append({**failure("sheet_not_used", other.sheet.name, row=other.band.top + 1, col=1, value=what,
                                              expected=t.sheet.name), "kind": t.kind})
        part = partial_year(t.title + [t.sheet.name]) if t.kind == F.RESULTS else None
        if part:
            result.failures.append({**failure("partial_year", t.sheet.name, row=t.band.top + 1, col=1, value=part[:200]),
                                    "kind": t.kind})
        result.tables.append(
            ParsedTable(
                sheet=t.sheet.name,
                kind=t.kind,
                partial_year=bool(part),
                subject=t.subject,
                header_rows=[t.band.top + 1, t.band.bottom + 1],
                columns={f: c + 1 for f, c in t.band.fields.items()},
                name_column=None if t.name_col is None else t.name_col + 1,
                labels={str(c.index + 1): c.label for c in t.band.columns if c.label},
                title=t.title,
                rows=_serialise_rows(t),
                row_fields={f: c + 1 for f, c in t.row_fields.items() if f not in t.band.fields},
                unused=[[r, label] for r, label in t.unused],
            )
        )
    result.tables.extend(others)
    sheets = {s.name: s for s in book.sheets}
    if tables or others:  # (a file of no table at all is table_found)
        seen = read | set(personal) | {o.sheet.name for t in tables for o in t.passed_over}
        result.failures.extend(sheets_not_read(book, [s for s in book.sheets if s.name not in seen], forced_kind))
    result.failures.extend(hidden_of(others, sheets))
    result.failures.extend(formulas_of(others, sheets))
    result.failures.extend(merged_of(others, sheets))
    for t in result.tables:
        result.failures.extend(unused_row_failures(t))
    result.failures.extend(unreadable_text_of(result.tables))
    # a listed person's name in a title line or a village cell stays in this process (the cache keeps the result)
    result.title, names = scrub(result.title, result.tables, sheets, households.KIND, result.failures)
    result.title_cells = title_cells(book.sheets, result.title)
    if names:  # a file or sheet named after a listed household: never published as such (path_names)
        result.name_refs = name_refs(names, keyer())
        _sheets_by_place(result, names)
    result.failures.extend(lists_without_members(others))  # (its rows' names scrubbed from the titles first)
    result.seconds = time.perf_counter() - started
    return result


_TABLE_NAMES = {
    F.PLAN: "biểu kế hoạch giảm nghèo",
    F.RESULTS: "biểu kết quả rà soát",
    "targets": "biểu giao chỉ tiêu",
}  # rule sheet_not_used


def _sheets_by_place(result: ParseResult, names: frozenset[str]) -> None:
    """Each sheet whose name names a listed person called by its place ("[trang 2]") in the whole result: its tables,
    failures (and the texts they quote) and title cells."""
    renamed = {s: sheet_place(i) for i, s in enumerate(result.sheets, 1) if s and names_one(s, names)}
    if not renamed:
        return
    result.sheets = [renamed.get(s, s) for s in result.sheets]
    for t in result.tables:
        t.sheet = renamed.get(t.sheet, t.sheet)
    for f in result.failures:
        f["sheet"] = renamed.get(f.get("sheet"), f.get("sheet"))
        for k in ("value", "expected"):
            if isinstance(f.get(k), str):
                for old, new in renamed.items():
                    f[k] = f[k].replace(old, new)
    result.title_cells = [[renamed.get(c[0], c[0]), *c[1:]] if c else c for c in result.title_cells]
