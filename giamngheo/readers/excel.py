"""Workbooks (.xlsx, .xlsm, .xlsb, .xls including Excel 5.0/95, .ods) read with python-calamine after
safety checks. An .xlsb's binary parts give no hidden rows or formulas to inspect: its values are read."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from .container import SafeZip, ole_kind, zip_kind
from ..safe_errors import unquoted
from .grid import ExcelError, Limits, Sheet, UnreadableFile, Workbook, a1
from .ods_inspect import (inspect_ods, ods_error_cells, ods_formulas_without_value, ods_merges, ods_spaced_cells,
                          widest_repeated_value)
from .xls_inspect import Hidden, NotBiff8, xls_hidden
from .xlsx_inspect import inspect_xlsx


def _calamine_rows(sheet, limits: Limits) -> list[list]:
    if sheet.total_height > limits.max_rows:
        raise UnreadableFile("too_many_rows", f"{sheet.name}: {sheet.total_height}", f"<= {limits.max_rows}")
    if sheet.total_width > limits.max_columns:
        raise UnreadableFile(
            "too_many_columns", f"{sheet.name}: {sheet.total_width}", f"<= {limits.max_columns}"
        )
    rows = sheet.to_python(skip_empty_area=False)
    out = []
    for row in rows:
        cells = []
        for v in row:
            if v == "":
                v = None
            elif isinstance(v, str) and len(v) > limits.max_cell_chars:
                where = f"{sheet.name}!{a1(len(out) + 1, len(cells) + 1)}"  # the cell: a note in a column not read, maybe
                raise UnreadableFile("cell_too_long", f"{where}: {len(v)} characters", f"<= {limits.max_cell_chars}")
            cells.append(v)
        out.append(cells)
    return out


# calamine picks its reader by the file name's extension; a file whose name says another format
# than its content (an .xlsb saved as .xlsx) is opened by content instead
_EXTENSIONS = {"xlsx": (".xlsx",), "xlsm": (".xlsm",), "xlsb": (".xlsb",), "xls": (".xls", ".xla"), "ods": (".ods",)}


def _utf8(name: str) -> bool:
    """A path calamine can open by name: a name with bytes that are no UTF-8 (surrogate escapes) is opened as a file."""
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _open_calamine(path: Path, fmt: str) -> CalamineWorkbook:
    try:
        if path.suffix.lower() in _EXTENSIONS.get(fmt, ()) and _utf8(str(path)):
            return CalamineWorkbook.from_path(str(path))
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except Exception as exc:  # calamine raises several types for damaged files
        name = type(exc).__name__
        if "Password" in name:
            raise UnreadableFile("encrypted", name) from None
        raise UnreadableFile("corrupt", unquoted(exc)) from None


def xls_hidden_facts(path: Path) -> Hidden:
    """Hidden sheets, rows and columns, and error cells, of a legacy .xls: from its BIFF8 records, else with xlrd."""
    try:
        return xls_hidden(path)
    except NotBiff8:
        return xls_hidden_xlrd(path)


def xls_hidden_xlrd(path: Path) -> Hidden:
    """The same facts through xlrd's formatting records (BIFF5/7; ~10x slower). Records xlrd
    cannot follow (calamine read the values) leave the facts unknown, not the file unreadable."""
    import xlrd

    out: Hidden = {}
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        for idx in range(book.nsheets):
            sh = book.sheet_by_index(idx)
            rows = {r + 1 for r, info in sh.rowinfo_map.items() if info.hidden}
            cols = {c + 1 for c, info in sh.colinfo_map.items() if info.hidden}
            errors = [(r + 1, c + 1, xlrd.error_text_from_code.get(sh.cell_value(r, c), "#N/A"))
                      for r in range(sh.nrows) for c, t in enumerate(sh.row_types(r)) if t == xlrd.XL_CELL_ERROR]
            out[sh.name] = (sh.visibility != 0, rows, cols, errors)
        book.release_resources()
    except Exception:
        pass
    return out


def _put_errors(rows: list[list], errors: list[tuple[int, int, str]], limits: Limits) -> None:
    """Error cells ("#REF!", "#DIV/0!") as their text where calamine gave them as empty (or an .ods as 0): a broken
    formula is reported at its cell (rule numeric), never read as no households."""
    for r, c, text in errors:
        if not (0 < r <= limits.max_rows and 0 < c <= limits.max_columns):
            continue
        while len(rows) < r:
            rows.append([])
        cells = rows[r - 1]
        if len(cells) < c:
            cells.extend([None] * (c - len(cells)))
        cells[c - 1] = ExcelError(text)  # also over an .ods error's stand-in value (0 or "")


def _put_texts(rows: list[list], texts: list[tuple[int, int, str]]) -> None:
    """Text cells as the file wrote them, over calamine's where it gave text (an .ods cell's line breaks and tabs)."""
    for r, c, text in texts:
        if r <= len(rows) and c <= len(rows[r - 1]) and isinstance(rows[r - 1][c - 1], str):
            rows[r - 1][c - 1] = text


def _sound(rows: list[list], merged: list[tuple[int, int, int, int]]) -> tuple[list, list]:
    """The merged ranges whose cells but the first are empty, as Excel and LibreOffice leave them, and those over
    values: a range over the table's own values (a title cell merged over the whole sheet, a damaged or hostile file)
    would give every column the title for a label. Ranges never overlap in a sound file, so looking through them all
    reads each cell once at most; past that many cells, the rest are no merges."""
    budget = sum(len(r) for r in rows)
    kept, over_values = [], []
    for r1, c1, r2, c2 in merged:
        clean = True
        for r in range(r1, min(r2 + 1, len(rows))):
            cells = rows[r][c1 : c2 + 1]
            budget -= len(cells)
            if budget < 0:
                clean = False
                break
            if any(v is not None for v in (cells[1:] if r == r1 else cells)):
                clean = False
                over_values.append((r1, c1, r2, c2))
                break
        if clean:
            kept.append((r1, c1, r2, c2))
    return kept, over_values


def read_excel(path: Path, container: str, limits: Limits) -> Workbook:
    facts_by_name = {}
    ods_facts = {}
    ods_errors: dict[str, list] = {}
    ods_merged: dict[str, list] = {}
    ods_spaced: dict[str, list] = {}
    ods_formulas: dict[str, list] = {}
    if container == "zip":
        szip = SafeZip(path, limits)
        try:
            fmt = zip_kind(szip)
            szip.check_all_xml()
            if fmt in ("xlsx", "xlsm"):
                facts_by_name = {f.name: f for f in inspect_xlsx(szip, limits)}
            elif fmt == "ods" and "content.xml" in szip.names:
                content = szip.read("content.xml")
                ods_facts = inspect_ods(content, limits.max_rows, limits.max_columns)
                for facts in ods_facts.values():  # refused before calamine expands the repeats
                    if facts.max_row > limits.max_rows:
                        raise UnreadableFile("too_many_rows", f"{facts.name}: {facts.max_row}", f"<= {limits.max_rows}")
                if (widest := widest_repeated_value(content)) > limits.max_columns:
                    raise UnreadableFile("too_many_columns", str(widest), f"<= {limits.max_columns}")
                ods_errors = ods_error_cells(content, limits.max_rows, limits.max_columns)
                ods_merged = ods_merges(content, limits.max_rows, limits.max_columns)
                ods_spaced = ods_spaced_cells(content, limits.max_rows, limits.max_columns)
                ods_formulas = ods_formulas_without_value(content, limits.max_rows, limits.max_columns)
        finally:
            szip.close()
    else:
        fmt = ole_kind(path)
    book = _open_calamine(path, fmt)
    xls_hidden = xls_hidden_facts(path) if fmt == "xls" else {}
    sheets = []
    try:
        for meta in book.sheets_metadata:
            if "WorkSheet" not in str(meta.typ):
                continue
            try:
                cal_sheet = book.get_sheet_by_name(meta.name)
            except Exception as exc:
                raise UnreadableFile("corrupt", f"{meta.name}: {type(exc).__name__}") from None
            rows = _calamine_rows(cal_sheet, limits)
            errors = []
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (cal_sheet.merged_cell_ranges or [])]
            merged, over_values = _sound(rows, merged or ods_merged.get(meta.name, []))  # calamine gives an .ods none
            sheet = Sheet(name=meta.name, rows=rows, merged=merged, hidden=meta.visible != SheetVisibleEnum.Visible,
                          merged_over_values=over_values)
            facts = facts_by_name.get(meta.name)
            if facts:
                sheet.hidden_rows = frozenset(facts.hidden_rows)
                sheet.hidden_columns = frozenset(facts.hidden_cols)
                sheet.formulas_without_value = facts.formulas_without_value
                errors = facts.errors
            elif meta.name in ods_facts:
                facts = ods_facts[meta.name]
                sheet.hidden = sheet.hidden or facts.hidden
                sheet.hidden_rows, sheet.hidden_columns = frozenset(facts.hidden_rows), frozenset(facts.hidden_cols)
                errors = ods_errors.get(meta.name, [])
                _put_texts(rows, ods_spaced.get(meta.name, []))
                sheet.formulas_without_value = ods_formulas.get(meta.name, [])
                for r, c, _ in sheet.formulas_without_value:  # no value, as an .xlsx's such cell reads (calamine: 0)
                    if r <= len(rows) and c <= len(rows[r - 1]):
                        rows[r - 1][c - 1] = None
            elif meta.name in xls_hidden:
                hidden, hrows, hcols, errors = xls_hidden[meta.name]
                sheet.hidden = sheet.hidden or hidden
                sheet.hidden_rows, sheet.hidden_columns = frozenset(hrows), frozenset(hcols)
            _put_errors(rows, errors, limits)
            sheets.append(sheet)
    finally:
        book.close()
    if not sheets:
        raise UnreadableFile("no_sheets", fmt)
    return Workbook(format=fmt, sheets=sheets)
