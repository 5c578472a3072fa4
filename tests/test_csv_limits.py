"""A CSV cell longer than any commune writes is reported as too long, whatever limit catches it first."""

from __future__ import annotations

import pytest

from giamngheo.readers.csvfile import read_csv
from giamngheo.readers.grid import Limits, UnreadableFile


@pytest.mark.parametrize("length", [40_000, 200_000])  # above our limit; above the csv module's own (131,072)
def test_a_cell_beyond_the_limits_is_cell_too_long_not_a_crash(length):
    text = "STT;Thôn;Tổng số hộ\n1;Thôn A;120\n2;" + "x" * length + ";80\n"
    with pytest.raises(UnreadableFile) as caught:
        read_csv(text.encode("utf-8"), Limits())
    assert caught.value.reason == "cell_too_long"


def test_a_long_but_allowed_cell_is_read():
    text = "STT;Thôn;Tổng số hộ\n1;" + "Thôn A " * 1000 + ";120\n"
    sheet = read_csv(text.encode("utf-8"), Limits()).sheets[0]
    assert sheet.rows[1][2] == "120"
