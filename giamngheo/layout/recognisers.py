"""Recognisers of the kinds whose tables are not village tables (a roadmap's years by items, say).

Each is given a sheet on which no village table was found, with its title lines, and returns that
sheet's tables (a ParsedTable, a list of them, or dicts of the same shape) or None. This runs in the parsing processes, so it imports no polars:
the kind's declaration in giamngheo/kinds/ names the recogniser's module here, once.
"""

from __future__ import annotations

from typing import Callable

from ..parsed import ParsedTable
from ..readers.grid import Sheet
from . import roadmap

Recogniser = Callable[[Sheet, list[str]], "ParsedTable | dict | list | None"]

RECOGNISERS: tuple[Recogniser, ...] = (roadmap.recognise,)


def other_tables(sheet: Sheet, title: list[str]) -> list[ParsedTable]:
    """The tables the recognisers find on a sheet."""
    found = []
    for recognise in RECOGNISERS:
        tables = recognise(sheet, title)
        for table in tables if isinstance(tables, list) else [tables] if tables is not None else []:
            found.append(table if isinstance(table, ParsedTable) else ParsedTable.from_dict(table))
    return found
