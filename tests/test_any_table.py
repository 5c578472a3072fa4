"""Whatever a table turns out to be, the worst it may get is a rejection with a rule id.

Tables of every kind (plan annex, year-end results, a household list, a deprivation summary) are
written with columns dropped, relabelled with another kind's labels and shuffled, cells replaced by
text, and put through the run's own steps (parse, resolve, tabulate, check, aggregate, trace,
explain: `giamngheo.pipeline`, no Prefect). The steps must complete, every failure must carry a rule
of the catalogue, and a commune with an error must be rejected for that kind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giamngheo import pipeline
from giamngheo.artifacts import ContractError, write_parquet
from giamngheo.discover import FileEntry
from giamngheo.failures import finish
from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits
from giamngheo.reference import load_reference
from giamngheo.submissions import FileRecord, choose_submissions, resolve_files
from giamngheo.resolve import Resolver
from schemas.rules import RULE_BY_ID

TITLE = "UBND XÃ PHÚ THỊNH"
# (header label, a cell maker) per kind; the cell makers give plausible values for row i
PLAN = [("STT", lambda i: i + 1), ("Tên thôn", lambda i: f"Thôn {i + 1}"), ("Tổng số hộ", lambda i: 100 + i),
        ("Số hộ nghèo", lambda i: 5 + i % 3), ("Số hộ cận nghèo", lambda i: 4), ("Tỷ lệ hộ nghèo (%)", lambda i: 5.0),
        ("Chỉ tiêu giảm hộ nghèo", lambda i: 1), ("Chỉ tiêu giảm hộ cận nghèo", lambda i: 1)]
RESULTS = [("Đơn vị", lambda i: f"Thôn {i + 1}"), ("Số hộ nghèo đầu kỳ", lambda i: 6), ("Thoát nghèo", lambda i: 2),
           ("Tái nghèo", lambda i: 0), ("Phát sinh mới", lambda i: 1), ("Số hộ nghèo cuối kỳ", lambda i: 5),
           ("Tổng số hộ cuối kỳ", lambda i: 110), ("Hộ cận nghèo cuối kỳ", lambda i: 3)]
HOUSEHOLDS = [("Họ và tên chủ hộ", lambda i: f"Nguyễn Văn {i}"), ("Số CCCD", lambda i: f"0010900{i:05d}"),
              ("Thôn", lambda i: "Thôn Na Mạ"), ("Phân loại", lambda i: "Hộ nghèo" if i % 2 else "Hộ cận nghèo"),
              ("Số nhân khẩu", lambda i: 4), ("Không có khả năng lao động", lambda i: "x" if i == 1 else None),
              ("Dân tộc", lambda i: "Tày")]
DEPRIVATIONS = [("Chỉ số thiếu hụt", lambda i: f"{i + 1}. Chỉ số {i + 1}"), ("Số hộ nghèo thiếu hụt", lambda i: 3 + i),
                ("Tỷ lệ (%)", lambda i: 12.5), ("Số hộ cận nghèo thiếu hụt", lambda i: i), ("Tỷ lệ", lambda i: 2.0)]
KINDS = {"plan": PLAN, "results": RESULTS, "households": HOUSEHOLDS, "deprivations": DEPRIVATIONS}
ALL_LABELS = [label for cols in KINDS.values() for label, _ in cols]
TITLES = {"plan": "BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026", "results": "KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2026",
          "households": "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026", "deprivations": "TỔNG HỢP CHỈ SỐ THIẾU HỤT NĂM 2026"}
ODD_CELLS = st.one_of(st.none(), st.sampled_from(["abc", "-", "x", "1.234,5", "12,5%", "=SUM(A1)", "nan", "Tổng cộng", " "]),
                      st.integers(-5, 10**7), st.floats(-1e3, 1e6, allow_nan=False))


@st.composite
def tables(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    columns = list(KINDS[kind])
    keep = draw(st.lists(st.booleans(), min_size=len(columns), max_size=len(columns)))
    columns = [c for c, k in zip(columns, keep) if k] or columns[:1]
    columns = draw(st.permutations(columns))
    relabel = draw(st.lists(st.one_of(st.none(), st.sampled_from(ALL_LABELS)), min_size=len(columns), max_size=len(columns)))
    header = [new or old for (old, _), new in zip(columns, relabel)]
    n = draw(st.integers(1, 6))
    rows = [[make(i) for _, make in columns] for i in range(n)]
    for _ in range(draw(st.integers(0, 4))):  # odd cells anywhere
        rows[draw(st.integers(0, n - 1))][draw(st.integers(0, len(columns) - 1))] = draw(ODD_CELLS)
    total = draw(st.booleans())
    return kind, header, rows, total


def _write(path: Path, kind: str, header: list[str], rows: list[list], total: bool) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu"
    ws.append([TITLE])
    ws.append([TITLES[kind]])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if total:
        ws.append(["Tổng cộng"] + [None] * (len(header) - 1))
    wb.save(path)


_RESOLVER: dict = {}  # built once (0.1 s): it only reads its indexes


def run_steps(paths: list[Path], with_contracts: bool = False, with_lineage: bool = False, province: str = "19",
              root: Path | None = None):
    """The run's own steps, in process: every failure explained, and the output tables (and the lineage). Each file is
    named by its path under `root` (its folders), else by its name."""
    ref = load_reference()
    records = []
    for path in paths:
        st_ = path.stat()
        rel = path.relative_to(root).as_posix() if root else path.name
        records.append(FileRecord(FileEntry(rel, path, st_.st_size, st_.st_mtime), rel, True, parse_workbook(path, Limits())))
    if province not in _RESOLVER:
        _RESOLVER[province] = Resolver(ref, province)
    resolve_files(records, _RESOLVER[province])
    choose_submissions(records, province)
    tables = pipeline.tabulate(records)
    checked = pipeline.check_tables(tables)
    file_failures = pipeline.file_level_failures(records, [], None, None, 2026)
    context = pipeline.run_context(records, tables, checked, file_failures, None, [province], ref, "prop", 2026)
    consolidated = pipeline.aggregate(context)
    lineage, findings = pipeline.trace(context, consolidated)
    failures = finish(
        pl.concat([file_failures, findings, checked.failures, consolidated.failures], how="diagonal_relaxed"), "prop"
    )
    if with_lineage:
        return failures, consolidated.tables, lineage
    return (failures, consolidated.tables, consolidated.contracts) if with_contracts else (failures, consolidated.tables)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tables(), min_size=1, max_size=3))
def test_any_table_of_any_kind_completes_with_rule_ids(drawn):
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (kind, header, rows, total) in enumerate(drawn):
            path = Path(tmp) / f"bieu_{i}_{kind}.xlsx"
            _write(path, kind, header, rows, total)
            paths.append(path)
        failures, outputs = run_steps(paths)
    assert set(failures["rule"]) <= set(RULE_BY_ID)
    assert failures["message"].null_count() == 0
    # a commune with an error on a kind's file is rejected for that kind
    for kind, table in (("plan", "communes.parquet"), ("results", "results_communes.parquet")):
        if table not in outputs or outputs[table].is_empty():
            continue
        errors = failures.filter((pl.col("severity") == "error") & ((pl.col("kind") == kind) | pl.col("kind").is_null()))
        in_use = set(outputs[table]["source_file"])
        if errors.filter(pl.col("source_file").is_in(list(in_use))).height:
            assert set(outputs[table]["status"]) == {"rejected"}


def test_household_list_taken_for_results_is_a_rejection_not_a_crash(tmp_path):
    """Issue 20's file: 'Phân loại', 'Không có khả năng lao động' and a merged 'Chỉ số thiếu hụt' over 1…12."""
    path = tmp_path / "Danh sach ho ngheo.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["KẾT QUẢ RÀ SOÁT - DANH SÁCH HỘ NGHÈO NĂM 2026"])
    ws.append([])
    ws.append(["STT", "Họ và tên chủ hộ", "Thôn", "Phân loại", "Hộ nghèo", "Hộ cận nghèo", "Không có khả năng lao động",
               "Chỉ số thiếu hụt"] + [None] * 11)
    ws.merge_cells(start_row=4, start_column=8, end_row=4, end_column=19)
    ws.append([None] * 7 + list(range(1, 13)))
    for i in range(6):
        ws.append(
            [i + 1, f"Nguyễn Văn {i}", "Thôn Na Mạ", "Hộ nghèo", "x", None, "x" if i == 2 else None] + ["x"] * 3 + [None] * 9
        )
    wb.save(path)
    failures, _ = run_steps([path])
    assert set(failures["rule"]) <= set(RULE_BY_ID)


def test_a_results_table_with_text_in_a_count_is_rejected_at_its_cell(tmp_path):
    path = tmp_path / "ket qua.xlsx"
    _write(path, "results", [label for label, _ in RESULTS], [[make(i) for _, make in RESULTS] for i in range(3)], True)
    book = openpyxl.load_workbook(path)
    book.active["B6"] = "abc"  # start-of-period poor households of the second village
    book.save(path)
    failures, outputs = run_steps([path])
    numeric = failures.filter(pl.col("rule") == "numeric")
    assert numeric.select("cell", "value", "kind").rows() == [("B6", "abc", "results")]
    assert outputs["results_communes.parquet"]["status"].to_list() == ["rejected"]


def test_a_plan_only_run_writes_its_tables_under_their_contracts(tmp_path):
    """The results kind's province columns are owed only when results were read (a plan-only national
    run once failed its own contract check)."""
    path = tmp_path / "ke hoach.xlsx"
    _write(path, "plan", [label for label, _ in PLAN], [[make(i) for _, make in PLAN] for i in range(3)], True)
    _, outputs, contracts = run_steps([path], with_contracts=True)
    assert "results_communes.parquet" not in outputs
    write_parquet(outputs, tmp_path, contracts)
    assert pl.read_parquet(tmp_path / "provinces.parquet")["communes_accepted"].to_list() == [1]


def test_a_table_that_breaks_its_contract_is_never_written(tmp_path):
    path = tmp_path / "ke hoach.xlsx"
    _write(path, "plan", [label for label, _ in PLAN], [[make(i) for _, make in PLAN] for i in range(3)], True)
    _, outputs, contracts = run_steps([path], with_contracts=True)
    broken = outputs["villages.parquet"].with_columns(pl.lit(-1, pl.Int64).alias("poor_households"))
    with pytest.raises(ContractError, match="villages.parquet"):
        write_parquet({"villages.parquet": broken}, tmp_path, contracts)
    assert not (tmp_path / "villages.parquet").exists()
