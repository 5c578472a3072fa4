"""Recognisers of the kinds whose tables are not village tables (a roadmap's years by items, say).

Each is given a sheet on which no village table was found, with its title lines, and returns that
sheet's tables (a ParsedTable, a list of them, or dicts of the same shape) or None. This runs in the parsing
processes, so it imports no polars: the kind's declaration in giamngheo/kinds/ names the recogniser's module here, once.
"""

from __future__ import annotations

from typing import Callable

from ..parsed import ParsedTable
from ..readers.grid import Sheet
from . import deprivations, households, roadmap

Recogniser = Callable[[Sheet, list[str]], "ParsedTable | dict | list | None"]

RECOGNISERS: tuple[Recogniser, ...] = (roadmap.recognise,)
# Recognisers that see every sheet before the village-table engine does, because that engine would
# misread their tables (a deprivation table's HN / HCN columns look like a plan's): a sheet they
# claim is theirs alone. Each is given the sheet alone (it reads the sheet's own title).
# A household list comes first: its columns of indicators would read as a deprivation table's, its
# heads of household as village names.
CLAIMS: tuple[Recogniser, ...] = (households.recognise, deprivations.recognise, roadmap.claim)


def claimed_tables(sheets: list[Sheet]) -> dict[str, list[ParsedTable]]:
    """Sheet name -> the tables a claiming recogniser finds on it (the first that finds any)."""
    claimed: dict[str, list[ParsedTable]] = {}
    for sheet in sheets:
        for recognise in CLAIMS:
            tables = _tables(recognise(sheet, []))
            if tables:
                claimed[sheet.name] = tables
                break
    return claimed


def other_tables(sheet: Sheet, title: list[str]) -> list[ParsedTable]:
    """The tables the recognisers find on a sheet."""
    found = []
    for recognise in RECOGNISERS:
        found.extend(_tables(recognise(sheet, title)))
    return found


def _tables(tables) -> list[ParsedTable]:
    return [t if isinstance(t, ParsedTable) else ParsedTable.from_dict(t)
            for t in (tables if isinstance(tables, list) else [tables] if tables is not None else [])]
