"""The consolidation's steps over the declared kinds, as plain functions: the flow's tasks are thin
wrappers over these, and `giamngheo inspect` and the tests run the same steps on one file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.outputs import Lineage

from . import frames
from .discover import Skipped
from .kinds import FIELDS, KINDS, Context, Figures
from .failure_row import failure
from .parsed import ParseResult
from .reference import Reference
from .submissions import FileRecord, year_failures
from .targets import TARGETS_SCHEMA, Targets
from .validate import validate_kind


def compact(results: list[ParseResult]) -> None:
    """A batch of files' tables as frames at once (frames.compact_tables), as tabulate makes them."""
    frames.compact_tables([t for data in results for t in data.tables], SPECS)


SPECS = {k.name: (FIELDS[k.name], k.attributes, tuple(k.breakdowns)) for k in KINDS}


def tabulate(records: list[FileRecord], require_commune: bool = True) -> frames.Tables:
    """The tables of the files in use, as frames, one frame of rows per kind."""
    return frames.build_tables(records, FIELDS, require_commune, {k.name: k.attributes for k in KINDS},
                               {k.name: tuple(k.breakdowns) for k in KINDS})


@dataclass
class Checked:
    """Rows typed and checked: typed rows per kind, and every failure found in them, located."""

    typed: dict[str, pl.DataFrame]
    failures: pl.DataFrame


def check_tables(tables: frames.Tables) -> Checked:
    """Each kind's rows typed and checked (pandera rules per row, polars checks across rows)."""
    typed, found = {}, []
    for kind in KINDS:
        typed[kind.name], failures = validate_kind(tables.rows[kind.name], kind)
        found.append(frames.locate_table_failures(failures, tables.tables, tables.columns))
    return Checked(typed, pl.concat(found, how="diagonal_relaxed"))


def file_level_failures(records: list[FileRecord], skipped: list[Skipped], targets: Targets | None, targets_path: Path | None,
                        year: int) -> pl.DataFrame:
    """Failures of whole files: unreadable, unresolved, superseded, of another year, links not followed,
    the targets workbook."""
    wrong_year = [
        {**f, "source_file": r.entry.rel, "source_sheet": f.get("sheet"), "commune_code": r.commune_code}
        for r in records if r.commune_code and r.used_for_any() for f in year_failures(r, year)
    ]
    parts = [frames.file_failures(records), frames.failure_rows(wrong_year), frames.skipped_failures(skipped)]
    if targets:
        said = list(targets.failures)
        if targets.year and targets.year != year:  # last year's workbook judged this year's plans without a word (Huế)
            said.append(failure("targets_year", targets.sheet, value=targets_path.name, expected=year, detail=str(targets.year)))
        rows = [{**f, "source_file": targets_path.name, "source_sheet": f.get("sheet"), "kind": "targets"} for f in said]
        parts.append(frames.failure_rows(rows))
    return pl.concat(parts, how="diagonal_relaxed")


def provinces_of_run(province: str | None, tables: frames.Tables, ref: Reference) -> list[str]:
    """The province asked for, else every province whose communes sent a table (a national run)."""
    if province:
        return [province]
    return sorted({ref.by_code[c].province_code for c in tables.tables["commune_code"] if c in ref.by_code})


def target_frame(targets: Targets | None) -> pl.DataFrame:
    return targets.frame if targets else pl.DataFrame(schema=TARGETS_SCHEMA)


def run_context(records, tables: frames.Tables, checked: Checked, file_failures: pl.DataFrame, targets: Targets | None,
                provinces: list[str], ref: Reference, run_id: str, year: int) -> Context:
    """What every kind's figures are made from."""
    in_run = [u.commune_code for u in ref.units if u.province_code in provinces]
    submitted = {
        k.name: frames.submissions_in_use(records, k.name).filter(pl.col("commune_code").is_in(in_run)) for k in KINDS
    }
    failures = pl.concat([file_failures, checked.failures], how="diagonal_relaxed")
    return Context(
        run_id,
        year,
        ref,
        provinces,
        tables.tables,
        tables.columns,
        submitted,
        failures,
        target_frame(targets),
        checked.typed,
        target_tables=targets.tables if targets else [],
        target_cells=targets.cells() if targets else pl.DataFrame(),
    )


@dataclass
class Consolidated:
    """The figures of every kind read in the run, and the output tables they make."""

    figures: dict[str, Figures]  # kind -> its figures
    tables: dict[str, pl.DataFrame]  # output name -> frame (a province table gathers the columns of every kind)
    failures: pl.DataFrame  # failures found across tables, located

    @property
    def contracts(self) -> dict[str, list]:
        """Output name -> the models its frame must satisfy: those of the kinds aggregated in the run."""
        found: dict[str, list] = {}
        for kind in KINDS:
            if kind.name in self.figures:
                for output in kind.outputs:
                    found.setdefault(output.name, []).append(output.model)
        return found


def aggregate(ctx: Context) -> Consolidated:
    """Each kind's figures, in the order of their needs; a kind no file carried makes no tables (one a file carried
    without a row, an empty household list or a broken roadmap alone in the run, makes them: its commune's status was
    "rejected" in the ledger with no failure saying why, and its tables and columns were missing; hostile-file judge)."""
    figures: dict[str, Figures] = {}
    tables: dict[str, pl.DataFrame] = {}
    cross = []
    absent = []  # columns of kinds no file carried, null in the tables they join (communes.parquet's list counts)
    for kind in KINDS:
        if kind.optional and ctx.typed[kind.name].is_empty() and ctx.submitted[kind.name].is_empty():
            absent += [o for o in kind.outputs if o.level == "columns"]
            continue
        ctx.done = figures
        figures[kind.name] = made = kind.aggregate(ctx)
        if kind.rows_read_once:
            ctx.typed[kind.name] = ctx.typed[kind.name].clear()
        tables.update(made.tables)
        if made.provinces is not None:
            name = next(o.name for o in kind.outputs if o.level == "province")
            tables[name] = tables[name].join(made.provinces, on="province_code", how="left") if name in tables else made.provinces
        if made.failures is not None:
            cross.append(frames.locate_table_failures(made.failures, ctx.tables, ctx.columns))
    for made in figures.values():  # a kind's columns in another kind's table (a list's counts in communes.parquet)
        for name, extra in made.columns.items():
            if name in tables:
                tables[name] = tables[name].join(extra, on="commune_code", how="left", maintain_order="left")
    for out in absent:  # a run without a list had no list_poor_households at all: the table's columns changed run to run
        if out.name in tables:
            schema = out.model.to_schema().columns
            tables[out.name] = tables[out.name].with_columns(
                pl.lit(None, schema[c].dtype.type).alias(c) for c in out.columns if c not in tables[out.name].columns)
    failures = pl.concat(cross, how="diagonal_relaxed") if cross else pl.DataFrame()
    return Consolidated(figures, tables, failures)


KEPT_LEVELS = ("commune", "province", "columns")  # the run's summary and the other kinds read these


def let_go_of_written(consolidated: Consolidated) -> None:
    """Once written, the detail tables (a national deprivation table by village: a million rows) are let go, but
    those a kind's trace reads; the commune and province tables stay for the run's summary."""
    for kind in KINDS:
        made = consolidated.figures.get(kind.name)
        for output in kind.outputs if made else ():
            if output.level not in KEPT_LEVELS and not output.traced:
                made.tables.pop(output.name, None)
                consolidated.tables.pop(output.name, None)


def _traced(ctx: Context, consolidated: Consolidated):
    """Each kind's lineage (the cell behind every figure) and the warnings found on its figures, kind by kind."""
    provinces = {u.commune_code: u.province_code for u in ctx.ref.units}
    for kind in KINDS:
        if kind.name not in consolidated.figures:
            continue
        made = consolidated.figures[kind.name]
        cells = kind.trace(ctx, made)
        cells = cells.with_columns(pl.col("commune_code").replace_strict(provinces, default=None).alias("province_code"))
        Lineage.validate(cells.lazy())  # its columns by name and type (schemas.outputs: the values in the tests)
        yield cells, kind.findings(ctx, made, cells) if kind.findings else None
        del cells  # not held while the next kind traces
    if not ctx.target_cells.is_empty():
        cells = ctx.target_cells.with_columns(
            pl.col("commune_code").replace_strict(provinces, default=None).alias("province_code"), pl.lit("targets").alias("kind")
        )
        Lineage.validate(cells.lazy())
        yield cells, None


def _findings(found: list) -> pl.DataFrame:
    found = [f for f in found if f is not None]
    return pl.concat(found, how="diagonal_relaxed") if found else pl.DataFrame()


def trace(ctx: Context, consolidated: Consolidated) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lineage (the cell behind every figure) of every kind, and the warnings found on the figures."""
    lineage, findings = [], []
    for cells, found in _traced(ctx, consolidated):
        lineage.append(cells)
        findings.append(found)
    # kinds may trace more than the shared columns (a roadmap's year): diagonal, the others' columns stay in order
    return pl.concat(lineage, how="diagonal_relaxed"), _findings(findings)


LINEAGE = "lineage.parquet"


def trace_to(folder: Path, ctx: Context, consolidated: Consolidated) -> pl.DataFrame:
    """As trace, lineage.parquet written in `folder`: each kind's cells written as soon as traced and let go, the file
    gathered from them by streaming (a national run's lineage is millions of rows: never all held at once).
    Gives the warnings found on the figures."""
    parts, findings = [], []
    for cells, found in _traced(ctx, consolidated):
        parts.append(folder / f".{LINEAGE}.{len(parts)}")
        cells.write_parquet(parts[-1], compression="zstd")
        findings.append(found)
        del cells
    if parts:
        pl.concat([pl.scan_parquet(p) for p in parts], how="diagonal_relaxed").sink_parquet(
            folder / LINEAGE, compression="zstd", statistics=True)
    for part in parts:
        part.unlink()
    return _findings(findings)


def kind_status(consolidated: Consolidated) -> dict[tuple[str, str], str]:
    """(commune_code, kind) -> accepted / rejected, for the manifest."""
    return {
        (code, name): status
        for name, made in consolidated.figures.items()
        for code, status in made.status.select("commune_code", "status").iter_rows()
    }
