"""What a report kind is, declared once. The flow, validation, lineage, the manifest and `inspect`
iterate over the declared kinds (giamngheo/kinds/__init__.py); none of them names a kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandera.polars as pa
import polars as pl

from ..reference import Reference

PROVENANCE = ("source_file", "source_sheet", "source_row")


@dataclass(frozen=True)
class Output:
    """One output table of a kind and its pandera model (the contract, checked when it is written)."""

    name: str  # file name in --out, e.g. "villages.parquet"
    model: type[pa.DataFrameModel]
    # "village", "commune" (carries each commune's status), "province" (columns joined into provinces.parquet),
    # "columns" (joined into another kind's commune table), "household" or "detail" (a kind's own tables, province-wide
    # ones included: written, then let go unless `traced`)
    level: str
    # its kind's trace reads it: held until the lineage is made (the other detail tables are let go once written)
    traced: bool = False
    # the columns naming one of its rows, for `giamngheo diff` to say which figure moved (a detail table: the
    # commune, year and item of a roadmap); none: not compared row by row
    diff_key: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        """The contract's columns, in order."""
        return list(self.model.to_schema().columns)


@dataclass(frozen=True)
class Sheet:
    """A sheet a kind adds to the analyst workbook: one table under a title block."""

    name: str  # at most 31 characters (Excel)
    title: str  # the title line, upper case Vietnamese ("LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026-2030")
    frame: pl.DataFrame  # its label column first (the totals row is named there); columns labelled from schemas/columns.py
    notes: tuple[str, ...] = ()
    # its totals row (column -> value) when plain sums are not what it means (shares over the rows that give
    # a figure, a count of flagged rows); None: the sums of its integer columns; False: no totals row
    totals: dict | None | bool = None
    # number formats of columns the frame's types do not say (money in million VND: "#,##0.00", never a rate's "0.00")
    formats: dict[str, str] = field(default_factory=dict)


@dataclass
class Figures:
    """What aggregating one kind gives."""

    tables: dict[str, pl.DataFrame]  # output name -> frame
    status: pl.DataFrame  # (commune_code, source_file, status) of every commune that sent this kind
    provinces: pl.DataFrame | None = None  # province_code + this kind's columns of provinces.parquet
    failures: pl.DataFrame | None = None  # failures found across tables (table_id, row, field, rule, ...)
    # columns this kind adds to another kind's commune table (output name -> commune_code + its columns),
    # joined once every kind is aggregated: null for the communes absent from the frame
    columns: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass
class Context:
    """Everything a kind's aggregation and lineage may read: the run, the tables, the other kinds."""

    run_id: str
    year: int
    ref: Reference
    provinces: list[str]  # province codes of the run
    tables: pl.DataFrame  # one row per table: provenance (frames.TABLE_SCHEMA)
    columns: pl.DataFrame  # (table_id, field, column)
    submitted: dict[str, pl.DataFrame]  # kind -> (commune_code, source_file) of the file in use
    failures: pl.DataFrame  # file- and table-level failures so far, located (kind, commune_code, source_file)
    targets: pl.DataFrame  # the province's targets (targets.TARGETS_SCHEMA)
    typed: dict[str, pl.DataFrame] = field(default_factory=dict)  # kind -> typed rows
    # the targets workbook's tables for a kind (kind "targets", subject the kind's name: indicator targets, say)
    target_tables: list = field(default_factory=list)
    done: dict[str, Figures] = field(default_factory=dict)  # kinds aggregated so far (a kind's `needs`)
    # lineage of the targets workbook: the cell of each commune's assigned cut (kind "targets" in lineage.parquet)
    target_cells: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass(frozen=True)
class Kind:
    """A report kind: how its rows are typed and checked, what figures and lineage they give."""

    name: str  # the manifest's `kind`, the `kind` column of failures and lineage
    title_vi: str  # "kế hoạch", for messages and reports
    title_en: str
    heading_vi: str  # "Kế hoạch": the kind's name as a heading of the reports
    counts: tuple[str, ...]  # household counts: numeric, integer, non-negative
    rates: tuple[str, ...]  # stated rates (typed like counts, kept with the decimals they show)
    rows: type[pa.DataFrameModel]  # per-row rules of its typed village rows
    aggregate: Callable[[Context], Figures]  # typed rows -> output tables, status, province columns
    trace: Callable[[Context, Figures], pl.DataFrame]  # lineage: the cell behind each figure
    outputs: tuple[Output, ...]
    checks: tuple[Callable[[pl.LazyFrame], pl.LazyFrame], ...] = ()  # checks across rows: typed rows -> failures
    needs: tuple[str, ...] = ()  # kinds aggregated before this one (their Figures in Context.done)
    findings: Callable[[Context, Figures, pl.DataFrame], pl.DataFrame] | None = None  # warnings on the figures
    optional: bool = True  # its tables are written only when some file carried the kind (the plan's always)
    # every commune owes it (once the run holds a file of it, unless not optional): the ledger counts who did not send it
    expected: bool = False
    # figures `giamngheo trace` follows to their cells: sums of lineage fields, and rates of two such
    # sums (figure -> (numerator, denominator)), each published in the kind's commune table
    traced: tuple[str, ...] = ()
    traced_rates: dict[str, tuple[str, str]] = field(default_factory=dict)
    # and differences of two such rates in points (figure -> (rate, rate minus)), over the communes that give both
    traced_differences: dict[str, tuple[str, str]] = field(default_factory=dict)
    # and figures a commune takes from the first of several sources it has cells of (figure -> ((kind, field), ...)),
    # over the communes of this kind
    traced_fallbacks: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # how it appears in the reports beside the plan's and results' own sheets: analyst sheets made
    # from a finished run folder, and a section of the HTML report (an HTML string), each None
    report_sheets: Callable[[Path], list[Sheet]] | None = None
    report_section: Callable[[Path], str] | None = None
    row_kinds: tuple[str, ...] = ("village",)  # the rows `rows` checks, one by one (not totals, sections)
    attributes: tuple[str, ...] = ()  # text the parser gives each row beside its figures (e.g. a roadmap item's unit)
    # breakdown field -> the count it is part of ("Trong đó: hộ DTTS"); such a field may be read from a
    # row under the one it breaks down, its sheet row kept as `<field>__row` (cells, lineage)
    breakdowns: dict[str, str] = field(default_factory=dict)
    # its typed rows are read by its figures alone (not its trace, nor a kind that needs it): the pipeline lets them
    # go once the figures are made (a national set of household lists: the run's largest frame)
    rows_read_once: bool = False
    # words a file's path or title uses for the kind, folded ("danh sach ho", "thieu hut"): a file with no table (damaged,
    # unreadable, none found) naming one kind alone is that kind's submission, rejected, not a plan's superseded copy
    file_words: tuple[str, ...] = ()
    # its report may come in parts, a file each (a commune's poor and near-poor lists, or a list per village): files whose
    # rows do not overlap (FileRecord.part) are all used, where two files of another kind are two submissions of one
    in_parts: bool = False
    # a long table's attribute naming what each row's figure is (a roadmap's `item`): a failure at the figure names it as
    # its field ("Ô C11 (Nhà ở xây mới)", was "(Giá trị)"), its cell found by the figure's column
    item_attribute: str | None = None

    @property
    def fields(self) -> list[str]:
        return [*self.counts, *self.rates]

    def output(self, level: str) -> Output | None:
        """Its output table of a level (village, commune, province), if it has one."""
        return next((o for o in self.outputs if o.level == level), None)
