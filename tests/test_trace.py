"""Every figure of provinces.parquet is reproduced from the source cells listed by `giamngheo trace`."""

from __future__ import annotations

import polars as pl

from giamngheo.trace import RATES, SUMS, trace


def test_trace_reproduces_every_province_figure(thai_nguyen_run):
    _, out, _ = thai_nguyen_run
    province = pl.read_parquet(out / "provinces.parquet").to_dicts()[0]
    traceable = [f for f in list(SUMS) + list(RATES) if f in province]
    assert len(traceable) >= 10
    for fld in traceable:
        t = trace(out, "19", fld)
        assert t.total == province[fld], fld
    lineage = pl.read_parquet(out / "lineage.parquet")
    assert lineage.filter(pl.col("sha256").str.len_chars() != 64).is_empty()


def test_trace_of_a_commune_lists_its_cells(thai_nguyen_run):
    _, out, _ = thai_nguyen_run
    t = trace(out, "05800", "poor_households")
    assert t.total == 127 and t.matches
    assert t.cells.height == 40
    first = t.cells.row(0, named=True)
    assert (first["source_file"], first["source_sheet"], first["cell"], first["value"]) == (
        "bieu giam ngheo xa phu thinh.xlsx", "Phụ lục", "D6", 3,
    )
