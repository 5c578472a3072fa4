"""A sheet holding a list of people is split where the list begins (giamngheo/layout/personal.py): the list's
rows go to the household recogniser or are refused whole (rule personal_list), the rows above it are read
as any sheet is (a claiming recogniser's table, else a village table, else another recogniser's). A list
found under a village table's rows (a plan annex and, under its total, "Danh sách hộ dự kiến thoát nghèo")
is split off the same way and the table read again without it. Worker side: no polars."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .layout import fields as F, households
from .layout.personal import above, from_row, has_table_above, list_start, personal_below
from .layout.recognisers import claimed_tables
from .layout.tables import Table, find_tables
from .readers.grid import Sheet, Workbook


@dataclass
class Parts:
    tables: list[Table]  # the village tables, none read from a list's rows
    lists: set[str]  # sheets holding a list: their title lines are only those that read as titles
    views: dict[str, Sheet] = field(default_factory=dict)  # sheets cut before their list, where no table was claimed above it


def village_tables(book: Workbook, claimed: dict, personal: dict, forced_kind: str | None) -> Parts:
    """The village tables of a book whose household lists were claimed (`claimed`: sheet -> tables) or refused
    (`personal`: sheet -> (header row, labels)) by sheet; both are updated with what is found on the rows above a
    list and with the lists found under a village table."""
    starts = {
        name: t.header_rows[0] - 1 for name, ts in claimed.items() for t in ts if t.kind == households.KIND and t.header_rows
    }
    starts |= {name: row for name, (row, _) in personal.items()}
    sheets = {s.name: s for s in book.sheets}
    views = {name: above(sheets[name], start) for name, header in starts.items()
             if has_table_above(sheets[name], start := list_start(sheets[name], header))}
    views |= _stacked(sheets, claimed)
    for name, tables in claimed_tables(list(views.values())).items():  # a deprivation table or a roadmap above the list
        claimed[name] = tables + claimed.get(name, [])
        del views[name]
    tables = _find(book, views, claimed, personal, forced_kind)
    late = {t.sheet.name: found for t in tables if (found := personal_below(t.sheet, t.band.bottom + 1))}
    for name, (row, labels) in late.items():
        start = list_start(sheets[name], row)
        views[name] = above(sheets[name], start)
        found = households.recognise(from_row(sheets[name], start))
        if found:
            claimed[name] = found
        else:
            personal[name] = (row, labels)
    if late:
        tables = _find(book, views, claimed, personal, forced_kind)
    if starts or late:  # a file holding a household list: a table of its counts alone is the list's summary
        tables = [t for t in tables if not _lists_summary(t)]
    return Parts(tables, set(starts) | set(late), views)


def _stacked(sheets: dict[str, Sheet], claimed: dict) -> dict[str, Sheet]:
    """Tables stacked with a claimed one on its sheet (a commune's bundle; bundles judge, Lào Cai). A household list under
    a deprivation table or a roadmap is claimed with it (`claimed` updated): the claiming recogniser took the sheet and
    the list was lost without a word. A table above the claimed one (a plan annex over the roadmap) is left to be read
    as any sheet is: returned as the sheet cut before the claimed table's title (the plan was lost, the commune said
    not to have sent it)."""
    views = {}
    for name, tables in list(claimed.items()):
        sheet = sheets[name]
        if any(t.kind == households.KIND for t in tables):
            continue
        last = max((r for t in tables for r in [*t.rows.get("row", []), *t.header_rows] if r), default=0)
        found = personal_below(sheet, last)
        if found and (lists := households.recognise(from_row(sheet, start := list_start(sheet, found[0])))):
            upper = claimed_tables([above(sheet, start)]).get(name)
            if upper:
                claimed[name] = upper + (lists if isinstance(lists, list) else [lists])
        first = min((t.header_rows[0] for t in tables if t.header_rows), default=0)
        if first > 1 and has_table_above(sheet, start := list_start(sheet, first - 1)):
            views[name] = above(sheet, start)
    return views


def _lists_summary(table: Table) -> bool:
    """A plan table that plans no reduction, in a file with a household list ("I. TỔNG HỢP" over "II. DANH SÁCH CHI
    TIẾT", a "Tổng hợp" sheet before a sheet per group): the list's own counts by village. Read as the commune's plan, it
    superseded the real one (its targets lost) or was rejected for its missing columns."""
    return table.kind == F.PLAN and not (F.REDUCTIONS & table.band.fields.keys())


def _find(book: Workbook, views: dict[str, Sheet], claimed: dict, personal: dict, forced_kind: str | None) -> list[Table]:
    """find_tables over the book with each sheet of `views` cut before its list; claimed and refused sheets skipped."""
    cut = replace(book, sheets=[views.get(s.name, s) for s in book.sheets]) if views else book
    return find_tables(cut, forced_kind, skip=(frozenset(claimed) | frozenset(personal)) - frozenset(views))
