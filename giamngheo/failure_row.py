"""A failure as the parser, the resolver and the targets reader report it: a row of the failures frame (no polars here:
the parsing processes make them)."""

from __future__ import annotations

from .readers.grid import a1


def failure(rule: str, sheet: str | None, row=None, col=None, field=None, value=None, expected=None, detail=None) -> dict:
    """A failure as the parser and resolver report it: a row of the failures frame."""
    return {
        "rule": rule,
        "sheet": sheet,
        "row": row,
        "column": col,
        "cell": a1(row, col) if row and col else None,
        "field": field,
        "value": None if value is None else str(value)[:500],
        "expected": None if expected is None else str(expected)[:500],
        "detail": detail,
    }
