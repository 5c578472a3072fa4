"""Mutated workbooks: every change is reported where it was made, or read exactly as written, never lost silently.

A valid plan annex (8 villages and a declared total row) is mutated by hypothesis: a
count cell gets text, a negative, a fraction, a huge number, a formula, nothing; a row is
deleted or inserted; a header is renamed; a sheet is added. Each mutated file is read the
way `giamngheo inspect` reads it (parse, resolve, validate; several files share one
validation pass, each file its own commune) and must satisfy the oracle of its mutation:

- an invalid value (text, negative, fraction, formula) is an error at the mutated cell;
- any other value is either reported at its row or read exactly as written, every other
  figure unchanged;
- a deleted or inserted village changes the villages read by exactly that village, and the
  declared total then disagrees (warning total_row_matches_sum);
- a renamed header, an added sheet, an empty or note row: the same villages, or a failure.

One flow run at the end puts a mutated file of each kind next to good communes of the
sample: the run completes and the untouched communes come out exactly as without them.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import THAI_NGUYEN
from giamngheo.discover import FileEntry
from giamngheo.failures import finish
from giamngheo.frames import file_failures
from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits, a1
from giamngheo.reference import load_reference
from giamngheo.resolve import Resolver
from giamngheo.submissions import FileRecord, resolve_files
from giamngheo import pipeline
from giamngheo.kinds.plan import COUNTS
from hostile.make_corpus import FIRST_ROW, HEADER_ROW, plan_rows
from hostile.xlsx import Formula, SheetSpec, write_xlsx

PLAN_COUNTS = list(COUNTS)

COMMUNES = {  # one commune per mutated file of an example (codes and names of Thái Nguyên, 19)
    "05503": "Xã Tân Cương", "05551": "Xã Kim Phượng", "05563": "Xã Phượng Tiến",
    "05569": "Xã Định Hóa", "05581": "Xã Trung Hội", "05587": "Xã Bình Yên",
}
VILLAGES = [(f"Thôn {i + 1}", 120 + 15 * i, 6 + i, 4 + i, 2, 1) for i in range(8)]
TOTAL_ROW = FIRST_ROW + len(VILLAGES)
COLUMN = {f: i + 3 for i, f in enumerate(PLAN_COUNTS)}  # C..G
KEEP = ["village_name", "section", *PLAN_COUNTS]
OPTIONAL_COLUMNS = (6, 7)  # F, G: the planned reductions (null when a plan has none)
GOOD = ["05710_phuong_linh_son.xlsx", "02083_xa_yen_phong.xlsx", "05860_phuong_pho_yen.xlsx"]
# No shrinking: a failing example is reported as found, so a failing property keeps the module within its time budget.
SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow], report_multiple_bugs=True)


# ------------------------------------------------------------------------------------------------ mutations


@dataclass(frozen=True)
class SetCell:
    village: int
    field: str
    value: object
    kind: str  # invalid: must be an error at the cell; either: reported at the row or read as written

    @property
    def row(self) -> int:
        return FIRST_ROW + self.village

    @property
    def cell(self) -> str:
        return a1(self.row, COLUMN[self.field])


@dataclass(frozen=True)
class DeleteRow:
    village: int


@dataclass(frozen=True)
class InsertRow:
    before: int  # village index the new row goes before
    content: str  # village / empty / note


@dataclass(frozen=True)
class RenameHeader:
    column: int  # 1-based
    label: str


@dataclass(frozen=True)
class AddSheet:
    content: str  # empty / notes / garbage / copy
    first: bool


NEW_VILLAGE = ("Thôn Mới", 99, 3, 2, 1, 0)


def base_grid(title: str) -> list[list]:
    rows = plan_rows(title, VILLAGES)
    rows.append([None, "Tổng cộng", *[sum(v[i] for v in VILLAGES) for i in range(1, 6)]])
    return rows


def mutated_sheets(mutation, title: str) -> list[SheetSpec]:
    rows = base_grid(title)
    sheets: list[SheetSpec] = []
    if isinstance(mutation, SetCell):
        rows[mutation.row - 1][COLUMN[mutation.field] - 1] = mutation.value
    elif isinstance(mutation, DeleteRow):
        del rows[FIRST_ROW - 1 + mutation.village]
    elif isinstance(mutation, InsertRow):
        new = {"village": [None, *NEW_VILLAGE], "empty": [], "note": [None, "Ghi chú: số liệu tạm tính, sẽ cập nhật sau"]}
        rows.insert(FIRST_ROW - 1 + mutation.before, new[mutation.content])
    elif isinstance(mutation, RenameHeader):
        rows[HEADER_ROW - 1][mutation.column - 1] = mutation.label
    elif isinstance(mutation, AddSheet):
        extra = {
            "empty": [],
            "notes": [["Ghi chú"], ["Biểu này gửi kèm Kế hoạch số 12/KH-UBND"], [None, "Người lập biểu"]],
            "garbage": [[1, "x", None, -3.5], ["=SUM(A1)", "Tổng số hộ", 7], [None, None, "Số hộ nghèo", "abc"]],
            "copy": base_grid(title),
        }[mutation.content]
        sheets.append(SheetSpec("Trang thêm", extra))
    table = SheetSpec("Phụ lục", rows)
    return [*sheets, table] if isinstance(mutation, AddSheet) and mutation.first else [table, *sheets]


# ------------------------------------------------------------------------------------------------ reading files like inspect


_RESOLVER: dict = {}


def resolver() -> Resolver:
    if "r" not in _RESOLVER:
        _RESOLVER["r"] = Resolver(load_reference(), "19")
    return _RESOLVER["r"]


def inspect_many(paths: list[Path]) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """`giamngheo.inspect.inspect_file` for several files in one validation pass: villages and failures per file name."""
    records = []
    for path in paths:
        data = parse_workbook(path, Limits())
        st_ = path.stat()
        records.append(FileRecord(FileEntry(path.name, path, st_.st_size, st_.st_mtime), "", True, data))
    resolve_files(records, resolver())
    tables = pipeline.tabulate(records, require_commune=False)
    checked = pipeline.check_tables(tables)
    typed = checked.typed["plan"]
    explained = finish(pl.concat([file_failures(records), checked.failures], how="diagonal_relaxed"), run_id="fuzz")
    villages = (
        typed.filter(pl.col("row_kind") == "village")
        .join(tables.tables.select("table_id", "source_file"), on="table_id")
        .select("source_file", pl.col("name").alias("village_name"), "section", *PLAN_COUNTS, "row")
    )
    names = [p.name for p in paths]
    return (
        {n: villages.filter(pl.col("source_file") == n).drop("source_file").sort("row") for n in names},
        {n: explained.filter(pl.col("source_file") == n) for n in names},
    )


def write_cases(folder: Path, mutations: list) -> list[Path]:
    paths = []
    for (code, title), mutation in zip(COMMUNES.items(), mutations):
        paths.append(write_xlsx(folder / f"{code}_ke_hoach.xlsx", mutated_sheets(mutation, title)))
    return paths


def base_villages() -> pl.DataFrame:
    rows = [{"village_name": v[0], "section": None, **{f: float(x) for f, x in zip(PLAN_COUNTS, v[1:])}, "row": FIRST_ROW + i}
            for i, v in enumerate(VILLAGES)]
    return pl.DataFrame(rows, schema={"village_name": pl.Utf8, "section": pl.Utf8, **{f: pl.Float64 for f in PLAN_COUNTS},
                                      "row": pl.Int32})


BASE = base_villages()


def _same(a: pl.DataFrame, b: pl.DataFrame, rows: bool = True) -> bool:
    cols = KEEP + (["row"] if rows else [])
    return a.select(cols).equals(b.select(cols))


def _show(f: pl.DataFrame) -> str:
    return "\n".join(str(r) for r in f.select("cell", "row", "rule", "severity", "value").to_dicts()) or "(no failure)"


def read_as(value) -> float | None:
    """What a value other than an invalid one must be read as, when it is not reported: None if unknown."""
    if value is None:
        return 0.0  # a blank count is zero (README: zero markers)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    if isinstance(value, str) and value.strip().lower() in ("-", "–", "x"):
        return 0.0  # zero markers
    return None


def violation(mutation, villages: pl.DataFrame, failures: pl.DataFrame) -> str | None:
    """Why the result breaks the oracle of `mutation`, or None."""
    if isinstance(mutation, SetCell):
        at_cell = failures.filter((pl.col("cell") == mutation.cell) & (pl.col("severity") == "error"))
        at_row = failures.filter(pl.col("row") == mutation.row)
        if mutation.kind == "invalid":
            if at_cell.is_empty():
                return f"{mutation} not reported as an error at {mutation.cell}:\n{_show(failures)}"
            return None
        if not at_row.is_empty() or _same(villages, BASE):
            return None
        expected = read_as(mutation.value)
        if expected is not None:
            at = pl.col("row") == mutation.row
            changed = BASE.with_columns(
                pl.when(at).then(pl.lit(expected)).otherwise(pl.col(mutation.field)).alias(mutation.field)
            )
            if _same(villages, changed):
                return None
        return f"{mutation}: figures changed without a failure at row {mutation.row}:\n{villages}\n{_show(failures)}"
    if isinstance(mutation, DeleteRow):
        expected = BASE.filter(pl.col("row") != FIRST_ROW + mutation.village)
        if not _same(villages, expected, rows=False):
            return f"{mutation}: villages read are not the others:\n{villages}"
        if failures.filter(pl.col("rule") == "total_row_matches_sum").is_empty():
            return f"{mutation}: a village vanished and the declared total was not questioned:\n{_show(failures)}"
        return None
    if isinstance(mutation, InsertRow) and mutation.content == "village":
        new = pl.DataFrame([{"village_name": NEW_VILLAGE[0], "section": None,
                             **{f: float(x) for f, x in zip(PLAN_COUNTS, NEW_VILLAGE[1:])}, "row": 0}], schema=BASE.schema)
        expected = pl.concat([BASE.head(mutation.before), new, BASE.tail(len(VILLAGES) - mutation.before)])
        at_row = failures.filter(pl.col("row") == FIRST_ROW + mutation.before)
        if not at_row.is_empty():
            return None
        if not _same(villages, expected, rows=False):
            return f"{mutation}: villages read are not base + the new one:\n{villages}\n{_show(failures)}"
        if failures.filter(pl.col("rule") == "total_row_matches_sum").is_empty():
            return f"{mutation}: a village appeared and the declared total was not questioned"
        return None
    # empty or note row, renamed header, added sheet: the same villages, or a failure saying something is off
    if _same(villages, BASE, rows=False) or not failures.is_empty():
        return None
    if isinstance(mutation, RenameHeader) and mutation.column in OPTIONAL_COLUMNS:
        # an optional column whose header no longer says what it holds is left out (null), as if absent
        field = PLAN_COUNTS[mutation.column - 3]
        if _same(villages, BASE.with_columns(pl.lit(None, pl.Float64).alias(field)), rows=False):
            return None
    return f"{mutation}: villages changed without any failure:\n{villages}"


def check(mutations: list) -> None:
    with tempfile.TemporaryDirectory(prefix="gn-fuzz-") as tmp:
        paths = write_cases(Path(tmp), mutations)
        villages, failures = inspect_many(paths)
        problems = [v for m, p in zip(mutations, paths) if (v := violation(m, villages[p.name], failures[p.name]))]
    assert not problems, "\n\n".join(problems)


# ------------------------------------------------------------------------------------------------ strategies

fields = st.sampled_from(PLAN_COUNTS)
villages_i = st.integers(0, len(VILLAGES) - 1)
invalid_values = st.one_of(
    st.sampled_from(["abc", "7 hộ", "không có", "N/A", "??", "12a"]),
    st.integers(-10**6, -1),
    st.integers(0, 500).map(lambda n: n + 0.5),
    st.text(alphabet="xyzđươ ", min_size=2, max_size=8).filter(lambda s: s.strip() not in ("", "x")),
)
other_values = st.one_of(
    st.integers(0, 400),
    st.integers(10**9, 10**15),
    st.just(None),
    st.sampled_from(["0", " 12 ", "-", "x"]),
)
set_cells = st.one_of(
    st.builds(SetCell, villages_i, fields, invalid_values, st.just("invalid")),
    st.builds(SetCell, villages_i, fields, other_values, st.just("either")),
)
formulas = st.one_of(
    st.sampled_from(["=D7+1", "=SUM(C6:C13)", "=C6*0.05", "=1+2", "=Sheet2!A1"]),
    st.sampled_from(["D7+1", "SUM(C6:C8)", "C6-C7"]).map(Formula),
)
structure = st.one_of(
    st.builds(DeleteRow, villages_i),
    st.builds(InsertRow, st.integers(1, len(VILLAGES) - 1), st.sampled_from(["village", "empty", "note"])),
)
headers_and_sheets = st.one_of(
    st.builds(RenameHeader, st.integers(1, 7),
              st.sampled_from(["Ghi chú", "Cột 3", "", "Số hộ", "Tổng số hộ nghèo", "Số hộ nghèo", "Tỷ lệ (%)", "Mã thôn"])),
    st.builds(RenameHeader, st.integers(1, 7), st.text(alphabet="abcxyz ộềư", min_size=1, max_size=12)),
    st.builds(AddSheet, st.sampled_from(["empty", "notes", "garbage", "copy"]), st.booleans()),
)


def batches(strategy):
    return st.lists(strategy, min_size=1, max_size=len(COMMUNES))


# ------------------------------------------------------------------------------------------------ properties


def test_base_workbook_is_clean():
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(Path(tmp) / "05503_ke_hoach.xlsx", [SheetSpec("Phụ lục", base_grid("Xã Tân Cương"))])
        villages, failures = inspect_many([path])
    assert failures[path.name].is_empty(), _show(failures[path.name])
    assert _same(villages[path.name], BASE)


@pytest.mark.slow  # ~2-5 s of hypothesis examples
@settings(max_examples=45, **SETTINGS)
@given(batches(set_cells))
def test_changed_cell_is_reported_there_or_read_as_written(mutations):
    check(mutations)


@settings(max_examples=12, **SETTINGS)
@given(batches(st.builds(SetCell, villages_i, fields, formulas, st.just("invalid"))))
def test_formula_in_a_count_is_reported_never_read(mutations):
    """A formula (a real one with no saved value, or formula text as a CSV export keeps it) is never a number."""
    check(mutations)


@pytest.mark.slow  # ~2-5 s of hypothesis examples
@settings(max_examples=20, **SETTINGS)
@given(batches(structure))
def test_deleted_or_inserted_row_is_read_and_questioned(mutations):
    check(mutations)


@pytest.mark.slow  # ~2-5 s of hypothesis examples
@settings(max_examples=20, **SETTINGS)
@given(batches(headers_and_sheets))
def test_renamed_header_or_added_sheet_changes_nothing_silently(mutations):
    check(mutations)


# ------------------------------------------------------------------------------------------------ one flow run


FLOW_MUTATIONS = [
    SetCell(2, "poor_households", "7 hộ", "invalid"),
    SetCell(4, "total_households", -5, "invalid"),
    DeleteRow(3),
    InsertRow(2, "village"),
    RenameHeader(5, "Ghi chú"),
    AddSheet("copy", True),
]


@pytest.mark.flow
def test_flow_with_mutated_files_leaves_untouched_communes_as_before(run_flow, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for name in GOOD:
        shutil.copy2(THAI_NGUYEN / "communes" / name, good / name)
    raw = tmp_path / "raw"
    shutil.copytree(good, raw)
    paths = write_cases(raw, FLOW_MUTATIONS)
    run_flow(good, tmp_path / "out-good", province="19")
    run_flow(raw, tmp_path / "out", province="19")

    read = lambda out, name: pl.read_parquet(tmp_path / out / name).drop("run_id")  # noqa: E731
    codes = [name[:5] for name in GOOD]
    for table, key in (("villages.parquet", ["commune_code", "source_row"]), ("communes.parquet", ["commune_code"])):
        before = read("out-good", table).filter(pl.col("commune_code").is_in(codes)).sort(key)
        after = read("out", table).filter(pl.col("commune_code").is_in(codes)).sort(key)
        assert before.height and after.equals(before), table
    communes = dict(read("out", "communes.parquet").select("commune_code", "status").iter_rows())
    failures = read("out", "validation_failures.parquet")
    villages = read("out", "villages.parquet")
    for (code, _), mutation, path in zip(COMMUNES.items(), FLOW_MUTATIONS, paths):
        mine = failures.filter(pl.col("source_file") == path.name)
        if isinstance(mutation, SetCell):
            assert communes[code] == "rejected" and mutation.cell in mine["cell"].to_list(), _show(mine)
        else:
            assert communes[code] == "accepted" or not mine.filter(pl.col("severity") == "error").is_empty(), code
            if communes[code] == "accepted":
                got = villages.filter(pl.col("commune_code") == code).sort("source_row").select(
                    "village_name", *PLAN_COUNTS).with_columns(pl.col(PLAN_COUNTS).cast(pl.Float64))
                got = got.with_columns(pl.lit(None, pl.Utf8).alias("section"), pl.lit(0, pl.Int32).alias("row"))
                assert violation(mutation, got.select(BASE.columns), mine) is None
