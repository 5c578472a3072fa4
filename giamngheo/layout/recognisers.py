"""Recognisers of the kinds whose tables are not village tables (a roadmap's years by items, say).

Each is given a sheet on which no village table was found, with its title lines, and returns that
sheet's table already serialised as parse.py serialises a village table ({"sheet", "kind",
"columns", "rows", ...}) or None. This runs in the parsing processes, so it imports no polars:
the kind's declaration in giamngheo/kinds/ names the recogniser's module here, once.
"""

from __future__ import annotations

from typing import Callable

from ..readers.grid import Sheet

Recogniser = Callable[[Sheet, list[str]], "dict | None"]

RECOGNISERS: tuple[Recogniser, ...] = ()


def other_tables(sheet: Sheet, title: list[str]) -> list[dict]:
    """The tables the recognisers find on a sheet (at most one per recogniser)."""
    found = []
    for recognise in RECOGNISERS:
        table = recognise(sheet, title)
        if table is not None:
            found.append(table)
    return found
