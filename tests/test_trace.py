"""Every figure of provinces.parquet is reproduced from the source cells listed by `giamngheo trace`."""

from __future__ import annotations

import polars as pl

from giamngheo.trace import DIFFERENCES, RATES, SUMS, trace


def test_trace_reproduces_every_province_figure(thai_nguyen_run):
    _, out, _ = thai_nguyen_run
    province = pl.read_parquet(out / "provinces.parquet").to_dicts()[0]
    traceable = [f for f in list(SUMS) + list(RATES) + list(DIFFERENCES) if f in province]
    assert len(traceable) >= 10 and {"near_poor_rate_end_pct", "actual_poor_reduction_pp"} <= set(traceable)
    for fld in traceable:
        t = trace(out, "19", fld)
        assert t.total == province[fld], fld
    lineage = pl.read_parquet(out / "lineage.parquet")
    assert lineage.filter(pl.col("sha256").str.len_chars() != 64).is_empty()


def test_every_commune_results_rate_and_cut_is_traced(thai_nguyen_run):
    """The near-poor start and end rates and the actual cut, published in results_communes.parquet and the headline,
    had no trace ("unknown figure"): each is now reproduced from its cells, for every commune with results."""
    _, out, _ = thai_nguyen_run
    communes = pl.read_parquet(out / "results_communes.parquet").filter(pl.col("status") == "accepted")
    fields = ["near_poor_rate_start_pct", "near_poor_rate_end_pct", "poor_rate_start_pct", "actual_poor_reduction_pp"]
    traced = 0
    for row in communes.iter_rows(named=True):
        for fld in fields:
            t = trace(out, row["commune_code"], fld)
            assert t.total == row[fld], (row["commune_code"], fld, t.total, row[fld])
            traced += row[fld] is not None
    assert traced >= 100
    cut = trace(out, "19", "actual_poor_reduction_pp")
    assert cut.matches and cut.total == 0.8 and cut.numerator.field == "poor_rate_start_pct"
    assert cut.numerator.numerator.cells.height > 0  # down to the cells of the poor at the start


def test_the_start_rates_denominator_is_published_and_traced(thai_nguyen_run):
    """results_communes.parquet publishes start_denominator, the households the start rates are taken on: the total of
    the commune's accepted plan, else its total at the end; trace follows the same cells (the results kind declares
    the fallback), and the analyst workbook's totals row reads the column instead of working it out again."""
    _, out, _ = thai_nguyen_run
    results = pl.read_parquet(out / "results_communes.parquet").filter(pl.col("status") == "accepted")
    plans = pl.read_parquet(out / "communes.parquet").filter(pl.col("status") == "accepted")
    plan_total = dict(plans.select("commune_code", "total_households").iter_rows())
    plan_file = dict(plans.select("commune_code", "source_file").iter_rows())
    branches = set()
    for row in results.iter_rows(named=True):
        code = row["commune_code"]
        expected = plan_total.get(code, row["total_households_end"])
        branches.add(code in plan_total)
        assert row["start_denominator"] == expected, code
        den = trace(out, code, "poor_rate_start_pct").denominator
        assert den.total == expected and set(den.cells["source_file"]) == {plan_file.get(code, row["source_file"])}
    assert True in branches  # every accepted commune of the sample has an accepted plan: the fallback is tested below


def test_the_start_denominator_falls_back_to_the_end_total():
    """A commune with results and no accepted plan (no plan cells in the lineage) takes its total at the end; one with
    a plan its plan's total; a commune with a plan and no results is not a results figure."""
    from giamngheo.trace import _fallback_cells

    cell = lambda kind, code, fld, value: {"kind": kind, "commune_code": code, "field": fld, "value": value}  # noqa: E731
    lineage = pl.DataFrame([
        cell("plan", "00001", "total_households", 100), cell("plan", "00001", "total_households", 50),
        cell("results", "00001", "total_households_end", 155), cell("results", "00001", "poor_households_start", 9),
        cell("results", "00002", "total_households_end", 80), cell("results", "00002", "poor_households_start", 4),
        cell("plan", "00003", "total_households", 70),
    ])
    taken = _fallback_cells(lineage, "start_denominator").group_by("commune_code").agg(pl.col("value").sum())
    assert dict(taken.iter_rows()) == {"00001": 150, "00002": 80}


def test_every_commune_movement_is_traced(thai_nguyen_run):
    """The year's decreases and increases of results_communes.parquet had no lineage ("unknown figure"): each is now
    the sum of its cells, the declared total's where a village gives one, else its parts' (thoát nghèo, ...)."""
    _, out, _ = thai_nguyen_run
    communes = pl.read_parquet(out / "results_communes.parquet").filter(pl.col("status") == "accepted")
    moves = ["poor_decrease", "poor_increase", "near_poor_decrease", "near_poor_increase"]
    for row in communes.iter_rows(named=True):
        for fld in moves:
            assert trace(out, row["commune_code"], fld).total == row[fld], (row["commune_code"], fld)
    cells = pl.read_parquet(out / "lineage.parquet").filter(pl.col("field") == "poor_decrease")
    per_village = cells.group_by("commune_code", "village_name").len()["len"]
    assert per_village.min() == 1 and per_village.max() >= 3  # a declared total's one cell; parts' several
    assert trace(out, "19", "poor_decrease").total == communes["poor_decrease"].sum()


def test_every_commune_target_is_traced_to_the_targets_workbook(thai_nguyen_run):
    """The cut the province assigned each commune had no lineage: it is now its cell of the targets workbook, with the
    workbook's SHA-256; a province has no such figure, and a commune that sent nothing stays 'chưa nộp'."""
    import pytest

    from giamngheo.cli import _unit_in_run
    from giamngheo.trace import traceable_fields

    _, out, _ = thai_nguyen_run
    communes = pl.read_parquet(out / "communes.parquet").filter(pl.col("assigned_poor_reduction_pp").is_not_null())
    assert communes.height >= 80
    for row in communes.iter_rows(named=True):
        t = trace(out, row["commune_code"], "assigned_poor_reduction_pp")
        assert t.total == row["assigned_poor_reduction_pp"] and t.cells.height == 1, row["commune_code"]
    first = trace(out, "01840", "assigned_poor_reduction_pp").cells.row(0, named=True)
    assert (first["source_file"], first["source_sheet"], first["cell"], first["value"]) == (
        "chi_tieu_giao_2026.xlsx", "Giao chỉ tiêu", "F5", 0.06)
    with pytest.raises(KeyError, match="mã xã"):
        trace(out, "19", "assigned_poor_reduction_pp")
    assert "assigned_poor_reduction_pp" not in traceable_fields(out, "19")
    assert "assigned_poor_reduction_pp" in traceable_fields(out, "01840")
    missing = set(pl.read_parquet(out / "lineage.parquet").filter(pl.col("kind") == "targets")["commune_code"]) - set(
        pl.read_parquet(out / "communes.parquet")["commune_code"])
    assert missing and all(_unit_in_run(out, code) is None for code in missing)


def test_a_target_in_households_is_traced_as_a_rate(tmp_path):
    """A target written as households to lift is those households over the commune's plan total, each to its cell."""
    cells = {
        "commune_code": ["05800"] * 3,
        "province_code": ["19"] * 3,
        "village_name": [None, "Thôn A", "Thôn B"],
        "field": ["assigned_poor_reduction_households", "total_households", "total_households"],
        "value": [3.0, 200.0, 400.0],
        "source_file": ["chi_tieu.xlsx", "a.xlsx", "a.xlsx"],
        "source_sheet": ["S", "P", "P"],
        "cell": ["F5", "C6", "C7"],
        "source_row": [5, 6, 7],
        "column": [6, 3, 3],
        "sha256": ["t" * 64, "a" * 64, "a" * 64],
        "kind": ["targets", "plan", "plan"],
    }
    pl.DataFrame(cells).write_parquet(tmp_path / "lineage.parquet")
    pl.DataFrame({"commune_code": ["05800"], "total_households": [600], "assigned_poor_reduction_pp": [0.5]}).write_parquet(
        tmp_path / "communes.parquet")
    t = trace(tmp_path, "05800", "assigned_poor_reduction_pp")
    assert (t.total, t.matches, t.numerator.total, t.denominator.total) == (0.5, True, 3, 600)
    assert t.numerator.cells["cell"].to_list() == ["F5"]


def test_trace_of_a_commune_lists_its_cells(thai_nguyen_run):
    _, out, _ = thai_nguyen_run
    t = trace(out, "05800", "poor_households")
    assert t.total == 127 and t.matches
    assert t.cells.height == 40
    first = t.cells.row(0, named=True)
    assert (first["source_file"], first["source_sheet"], first["cell"], first["value"]) == (
        "bieu giam ngheo xa phu thinh.xlsx", "Phụ lục", "D6", 3,
    )


def test_lineage_rows_are_in_source_order(tuyen_quang_run):
    """lineage.parquet lists plan cells, results cells, then the targets workbook's, each by commune, file, sheet,
    row, column and field (sorted while the rows are narrow, before the file names are joined in)."""
    _, out, _ = tuyen_quang_run
    lineage = pl.read_parquet(out / "lineage.parquet")
    assert set(lineage["kind"]) == {"plan", "results", "targets"}
    keys = ["kind", "commune_code", "source_file", "source_sheet", "source_row", "column", "field"]
    assert lineage.equals(lineage.sort(keys, nulls_last=True, maintain_order=True))


def test_cell_lineage_orders_cells_by_source():
    from transforms.lineage import cell_lineage

    rows = pl.DataFrame({
        "commune_code": ["00002", "00001", "00001", "00001"],
        "village_name": ["d", "c", "b", "a"],
        "section": [None] * 4,
        "poor": [1, 2, 3, 4], "poor__table": [3, 2, 1, 1], "poor__row": [5, 9, 8, 7],
        "total": [10, 20, 30, 40], "total__table": [3, 2, 1, 1], "total__row": [5, 9, 8, 7],
    })
    tables = pl.DataFrame({"table_id": [1, 2, 3], "source_file": ["b.xlsx", "a.csv", "a.xlsx"],
                           "source_sheet": ["S", None, "S"], "sha256": ["h1", "h2", "h3"]})
    columns = pl.DataFrame({"table_id": [1, 1, 2, 2, 3, 3], "field": ["poor", "total"] * 3, "column": [4, 3, 2, 3, 3, 4]},
                           schema={"table_id": pl.Int32, "field": pl.Utf8, "column": pl.Int32})
    got = cell_lineage(rows.lazy(), ["poor", "total"], tables.lazy(), columns.lazy()).collect()
    assert got.select("commune_code", "source_file", "source_row", "field").rows() == [
        ("00001", "a.csv", 9, "poor"), ("00001", "a.csv", 9, "total"),  # a.csv before b.xlsx; columns 2, 3
        ("00001", "b.xlsx", 7, "total"), ("00001", "b.xlsx", 7, "poor"),  # row 7 before 8; column 3 before 4
        ("00001", "b.xlsx", 8, "total"), ("00001", "b.xlsx", 8, "poor"),
        ("00002", "a.xlsx", 5, "poor"), ("00002", "a.xlsx", 5, "total"),
    ]
    assert got["cell"].to_list() == ["B9", "C9", "C7", "D7", "C8", "D8", "C5", "D5"]


def test_column_letters_reach_the_last_column_a_sheet_can_have():
    """Letters stopped at column 1,000 (ALL): with a larger --max-columns a lineage cell came out blank."""
    from transforms.lineage import column_letters

    got = pl.DataFrame({"c": [1, 26, 27, 1000, 1001, 16384]}).select(column_letters(pl.col("c")))["c"].to_list()
    assert got == ["A", "Z", "AA", "ALL", "ALM", "XFD"]


def test_trace_says_when_a_code_is_not_in_the_run_or_its_commune_was_rejected(tmp_path):
    """`giamngheo trace` on an unknown code (99, 12345) or a rejected commune printed "0 ô nguồn" and nothing else."""
    import polars as pl

    from giamngheo.cli import _unit_in_run

    pl.DataFrame(
        {
            "province_code": ["19"] * 2,
            "commune_code": ["05800", "02083"],
            "field": ["poor_households", "assigned_poor_reduction_pp"],
            "value": [5.0, 0.5],
            "kind": ["plan", "targets"],
        }
    ).write_parquet(tmp_path / "lineage.parquet")
    pl.DataFrame({"commune_code": ["05800", "02071"], "status": ["accepted", "rejected"]}).write_parquet(
        tmp_path / "communes.parquet"
    )
    assert [_unit_in_run(tmp_path, c) for c in ("19", "05800", "02071", "99", "12345")] == [
        "traced",
        "traced",
        "rejected",
        None,
        None,
    ]
    assert _unit_in_run(tmp_path, "02083") is None  # its target alone: the commune sent nothing
    # a commune traced for its plan whose year-end results were rejected: said, not an empty sum without a word
    from giamngheo.cli import _rejected_reports

    pl.DataFrame({"commune_code": ["05800"], "status": ["rejected"]}).write_parquet(tmp_path / "results_communes.parquet")
    assert _rejected_reports(tmp_path, "05800") == ["Báo cáo kết quả"] and _rejected_reports(tmp_path, "02071") == ["Kế hoạch"]
    assert _rejected_reports(tmp_path, "19") == []


def test_a_rejected_report_is_not_said_above_a_figure_found_in_another(tmp_path, capsys):
    """`trace 05800 poor_households` began "Xã 05800: Báo cáo kết quả bị từ chối …" above the plan's cells that make the
    figure: an auditor read the figure as rejected (auditors judge, Hà Nội). Said where the figure has no cell."""
    import argparse

    import polars as pl

    from giamngheo.cli import _trace

    pl.DataFrame({"commune_code": ["05800"], "village_name": ["Thôn 1"], "section": [None], "field": ["poor_households"],
                  "value": [5.0], "source_file": ["ke hoach.xlsx"], "source_sheet": ["Sheet1"], "cell": ["D5"],
                  "source_row": [5], "column": [4], "sha256": ["0" * 64], "kind": ["plan"], "province_code": ["19"]},
                 schema_overrides={"section": pl.Utf8, "source_row": pl.Int32, "column": pl.Int32}
                 ).write_parquet(tmp_path / "lineage.parquet")
    pl.DataFrame({"province_code": ["19"], "commune_code": ["05800"], "status": ["accepted"], "poor_households": [5]}
                 ).write_parquet(tmp_path / "communes.parquet")
    pl.DataFrame({"commune_code": ["05800"], "status": ["rejected"]}).write_parquet(tmp_path / "results_communes.parquet")
    for field, said in (("poor_households", False), ("poor_households_end", True)):
        _trace(argparse.Namespace(out=tmp_path, code="05800", field=field, limit=None))
        shown = capsys.readouterr().out
        assert ("Báo cáo kết quả bị từ chối" in shown) is said, shown


def test_trace_piped_to_head_ends_quietly(thai_nguyen_run):
    """`giamngheo trace … | head` ended in a BrokenPipeError traceback once head had read its lines."""
    import subprocess
    import sys

    _, out, _ = thai_nguyen_run
    p = subprocess.Popen([sys.executable, "-m", "giamngheo", "trace", "--out", str(out), "19", "poor_households"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout.readline().startswith("poor_households (19)".encode())
    p.stdout.close()  # as head does after its lines
    stderr = p.stderr.read()
    assert p.wait(timeout=60) == 0 and b"Traceback" not in stderr, stderr.decode(errors="replace")


def test_lineage_and_failures_keep_their_models(thai_nguyen_run):
    """lineage.parquet and validation_failures.parquet, every value, against their models (schemas/outputs.py): the
    run checks the lineage's columns as each kind writes them and the failures in full before publishing."""
    from schemas.outputs import Lineage, ValidationFailures

    _, out, _ = thai_nguyen_run
    lineage = pl.read_parquet(out / "lineage.parquet")
    Lineage.validate(lineage, lazy=True)
    ValidationFailures.validate(pl.read_parquet(out / "validation_failures.parquet"), lazy=True)
    assert set(lineage["kind"]) == {"plan", "results", "targets"}


def test_a_lineage_without_its_file_version_is_refused():
    """A kind's lineage rows without the SHA-256 of the file read (a trace no auditor could tie to a version) stop the
    run at the check, not in an auditor's hands."""
    import pandera.errors
    import pytest

    from schemas.outputs import Lineage

    cells = pl.DataFrame({"kind": ["plan"], "province_code": ["19"], "commune_code": ["05800"], "village_name": ["Thôn A"],
                          "section": [None], "field": ["poor_households"], "value": [3.0], "source_file": ["a.xlsx"],
                          "source_sheet": ["S"], "cell": ["D5"], "source_row": pl.Series([5], dtype=pl.Int32),
                          "column": pl.Series([4], dtype=pl.Int32)}, schema_overrides={"section": pl.Utf8})
    with pytest.raises(pandera.errors.SchemaError):
        Lineage.validate(cells.lazy())
    Lineage.validate(cells.with_columns(pl.lit("a" * 64).alias("sha256")).lazy())
