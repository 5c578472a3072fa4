"""Cell values as the parser hands them on: numbers stay numbers, anything else is text."""

from __future__ import annotations

from giamngheo.parsed import cell_json as _cell_json


def test_a_nan_or_infinite_number_is_reported_at_its_cell():
    """Parse results travel as JSON, which has no NaN (orjson writes null): a non-finite number
    becomes text, which validation reports as `numeric` at its cell, as it does the text "nan"
    of a CSV, instead of an empty cell."""
    assert _cell_json(float("nan")) == (None, "nan")
    assert _cell_json(float("-inf")) == (None, "-inf")
    assert _cell_json(12.0) == (12.0, None) and _cell_json(3) == (3.0, None)
