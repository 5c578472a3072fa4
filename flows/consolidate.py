"""The consolidation of one province (or the whole country), as a Prefect flow.

Read top to bottom, this is the story of a run: find the workbooks, read them,
tell whose they are and which version counts, validate the rows, aggregate
villages into communes and provinces, check them against the assigned
targets, and publish the outputs. Tasks are thin wrappers over the functions
that do the work (call `task.fn` to use them without Prefect).
"""

from __future__ import annotations

import gc
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.utilities.annotations import quote  # big inputs: stop Prefect walking them looking for futures

from giamngheo import artifacts, figures, frames, outputs, submissions
from giamngheo.discover import FileEntry, discover_files
from giamngheo.failures import finish, locate_table_failures
from giamngheo.options import RunOptions
from giamngheo.parallel import WorkerPool, register_pool, release_pool
from giamngheo.progress import Progress
from giamngheo import reading
from giamngheo.reading import ReadContext
from giamngheo.reference import Reference, load_reference
from giamngheo.reports.artifacts_prefect import publish_prefect_artifacts
from giamngheo.reports.build import begin_analyst_workbook, write_reports
from giamngheo.reports.side_process import WORTH_IT_FILES, SideProcess
from giamngheo.resolve import Resolver
from giamngheo.summary import RunSummary
from giamngheo.targets import TARGETS_SCHEMA, Targets, targets_from_parse
from transforms.history import failure_history
from giamngheo.validate import PLAN_COUNTS, PLAN_RATES, validate_plans, validate_results
from schemas.results import RESULTS_COUNTS, RESULTS_RATES

FIELDS = {"plan": PLAN_COUNTS + PLAN_RATES, "results": RESULTS_COUNTS + RESULTS_RATES}


@task(cache_policy=NO_CACHE)
def find_workbooks(raw: Path):
    """Every file under --raw (links are reported, not followed)."""
    return discover_files(raw)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def read_workbooks(entries: list[FileEntry], ctx: ReadContext):
    """Hash, look up or parse one batch of files (I/O: the only task worth retrying)."""
    return reading.read_batch(entries, ctx)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def read_targets(path: Path | None, ctx: ReadContext, ref: Reference, province: str | None) -> Targets | None:
    """The province's targets workbook, its rows resolved to communes."""
    if path is None:
        return None
    entry = FileEntry(path.name, path, path.stat().st_size, path.stat().st_mtime)
    data = reading.read_batch([entry], ctx, mode="targets")[0].data
    found = targets_from_parse(data, Resolver(ref, province))
    if province is None and found.province:
        found = targets_from_parse(data, Resolver(ref, found.province))
    return found


@task(cache_policy=NO_CACHE)
def identify_submissions(records, ref: Reference, province: str | None):
    """Whose file each is (commune, or why not), and which version of a report counts."""
    submissions.resolve_files(records, Resolver(ref, province))
    submissions.choose_submissions(records, province)
    return records


@task(cache_policy=NO_CACHE)
def tabulate(records):
    """The tables of the files in use, as frames."""
    return frames.build_tables(records, FIELDS)


@task(cache_policy=NO_CACHE)
def validate_plan_rows(tables: frames.Tables):
    """Plan-annex rows typed and checked (pandera rules per row, polars checks across rows)."""
    typed, failures = validate_plans(tables.rows["plan"])
    return typed, locate_table_failures(failures, tables.tables, tables.columns)


@task(cache_policy=NO_CACHE)
def validate_result_rows(tables: frames.Tables):
    """Year-end results rows typed and checked, the balance of movements included."""
    typed, failures = validate_results(tables.rows["results"])
    return typed, locate_table_failures(failures, tables.tables, tables.columns)


@task(cache_policy=NO_CACHE)
def aggregate_results(typed_results, typed_plans, tables: frames.Tables, records, failures, plan_communes, provinces, ref, run_id, year):
    """Villages merged across the results forms, actual cuts of the poor rate against the targets."""
    submitted = frames.submissions_in_use(records, "results")
    submitted = submitted.filter(pl.col("commune_code").is_in(_province_codes(ref, provinces)))
    status = figures.commune_status(failures, submitted, "results")
    villages, communes, province_cols, cross = figures.results_outputs(
        typed_results, typed_plans, tables.tables, status, plan_communes, ref, run_id, year
    )
    return villages, communes, province_cols, locate_table_failures(cross, tables.tables, tables.columns), status


@task(cache_policy=NO_CACHE)
def trace_results(typed_results, tables: frames.Tables, status: pl.DataFrame, ref):
    """Each results figure back to its cells."""
    return _with_province(figures.results_lineage(typed_results, tables.tables, tables.columns, status), ref)


@task(cache_policy=NO_CACHE)
def aggregate_plans(typed, tables: frames.Tables, records, failures: pl.DataFrame, targets: Targets | None, provinces: list[str], ref, run_id, year):
    """Villages of accepted communes, commune and province figures, checked against the targets."""
    submitted = frames.submissions_in_use(records, "plan")
    submitted = submitted.filter(pl.col("commune_code").is_in(_province_codes(ref, provinces)))
    status = figures.commune_status(failures, submitted, "plan")
    target_frame = _target_frame(targets)
    expected = figures.expected_communes(ref, provinces, target_frame)
    villages, communes, provinces_out = figures.plan_outputs(typed, tables.tables, status, target_frame, expected, ref, run_id, year)
    return villages, communes, provinces_out, status


@task(cache_policy=NO_CACHE)
def trace_plans(typed, tables: frames.Tables, status: pl.DataFrame, communes: pl.DataFrame, targets: Targets | None, ref):
    """Each plan figure back to its cells, and what the figures say against the targets."""
    lineage = _with_province(figures.plan_lineage(typed, tables.tables, tables.columns, status), ref)
    return lineage, figures.plan_findings(lineage, communes, _target_frame(targets))


@task(cache_policy=NO_CACHE)
def explain_failures(file_level: pl.DataFrame, table_level: pl.DataFrame, run_id: str, ref: Reference) -> pl.DataFrame:
    """Every failure with its A1 cell, severity and messages in Vietnamese and English."""
    names = {u.commune_code: u.commune_name for u in ref.units}
    return finish(pl.concat([file_level, table_level], how="diagonal_relaxed"), run_id, names)


@task(cache_policy=NO_CACHE)
def compare_with_previous_run(out: Path, failures: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mark each failure new or persisting against the last run; list those fixed since."""
    runs = outputs.previous_runs(out)
    previous = None
    if runs and (out / outputs.RUNS / runs[-1] / "validation_failures.parquet").exists():
        previous = pl.read_parquet(out / outputs.RUNS / runs[-1] / "validation_failures.parquet").lazy()
    history = failure_history(failures.lazy(), previous).collect()
    current = history.filter(pl.col("history") != "fixed").select(*failures.columns, "history")
    return current, history


@task(cache_policy=NO_CACHE)
def write_tables(staging: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Write tables aside, in the run's staging folder (nothing is visible in --out yet)."""
    artifacts.write_parquet(tables, staging)


@task(cache_policy=NO_CACHE)
def publish(options: RunOptions, run_id: str, staging: Path, manifest: dict, side: SideProcess | None = None):
    """Write the reports beside the tables, then publish the run at the top of --out in one step."""
    out = options.out
    previous = outputs.previous_runs(out)
    artifacts.write_json(manifest, staging / "manifest.json")
    reports = write_reports(staging, options.raw, out / outputs.RUNS / previous[-1] if previous else None, options.deadline, side)
    manifest["reports"] = {"written": reports.written, "problems": reports.problems}
    artifacts.write_json(manifest, staging / "manifest.json")
    run_dir = outputs.commit(out, run_id)
    publish_prefect_artifacts(run_dir)
    return run_dir, reports


@flow(name="giamngheo-consolidate", log_prints=False)
def consolidate(
    raw: str,
    out: str,
    targets: str | None = None,
    province: str | None = None,
    year: int | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    use_cache: bool = True,
    wait_seconds: float = 0.0,
    deadline: str | None = None,
    limits: dict | None = None,
    progress: bool = False,
) -> RunSummary:
    """Consolidate the commune files under `raw` into `out` (the parameters of `giamngheo run`)."""
    options = RunOptions.from_parameters(
        raw=raw, out=out, targets=targets, province=province, year=year, workers=workers, batch_size=batch_size,
        use_cache=use_cache, wait_seconds=wait_seconds, deadline=deadline, limits=limits, progress=progress,
    )
    started = datetime.now(timezone.utc)
    # Millions of small objects live through a national run: collect the young generation less
    # often (measured: 19.3 s -> 17.4 s for 3,321 files); reference counting still frees everything.
    gc.set_threshold(50_000, 20, 100)
    ref = load_reference()
    with outputs.run_lock(options.out, options.wait_seconds), ExitStack() as later:
        outputs.recover(options.out)
        run_id = outputs.new_run_id()
        ctx = ReadContext(options.out / ".cache" / "parsed.sqlite" if options.use_cache else None, options.limits, run_id)
        pool = WorkerPool(options.workers, options.limits)
        pool.warm()
        register_pool(run_id, pool)
        try:
            entries, skipped = find_workbooks(options.raw)
            options = options.for_files(len(entries))
            records = _read_all(entries, ctx, options)
            targets = read_targets(options.targets, ctx, quote(ref), options.province)
        finally:
            release_pool(run_id)
        province = options.province or (targets.province if targets else None)
        records = identify_submissions(quote(records), quote(ref), province)
        year = submissions.run_year(records, options.year)
        tables = tabulate(quote(records))
        submissions.forget_parsed_cells(records)  # the cells live on in the tables
        typed_plans, plan_failures = validate_plan_rows(tables)
        typed_results, result_failures = validate_result_rows(tables)
        tables = tables.without_rows()  # typed now: the raw rows are done with
        file_failures = pl.concat([frames.file_failures(records), frames.skipped_failures(skipped)], how="diagonal_relaxed")
        if targets:
            file_failures = pl.concat([file_failures, _target_failures(targets, options.targets)], how="diagonal_relaxed")
        provinces = [province] if province else sorted({ref.by_code[c].province_code for c in tables.tables["commune_code"]})
        all_failures = pl.concat([file_failures, plan_failures, result_failures], how="diagonal_relaxed")
        villages, communes, provinces_out, plan_status = aggregate_plans(
            typed_plans, tables, quote(records), all_failures, quote(targets), provinces, quote(ref), run_id, year
        )
        outputs_tables = {}
        cross_failures = None
        if not typed_results.is_empty():
            r_villages, r_communes, r_provinces, cross_failures, results_status = aggregate_results(
                typed_results, typed_plans, tables, quote(records), all_failures, communes, provinces, quote(ref), run_id, year
            )
            provinces_out = provinces_out.join(r_provinces, on="province_code", how="left")
            outputs_tables = {"results_villages.parquet": r_villages, "results_communes.parquet": r_communes}
        staging = outputs.staging_dir(options.out, run_id)
        figures_tables = {"villages.parquet": villages, "communes.parquet": communes, "provinces.parquet": provinces_out, **outputs_tables}
        write_tables(staging, quote(figures_tables))
        lineage, findings = trace_plans(typed_plans, tables, plan_status, communes, quote(targets), quote(ref))
        if not typed_results.is_empty():
            lineage = pl.concat([lineage, trace_results(typed_results, tables, results_status, quote(ref))], how="vertical_relaxed")
        file_failures = pl.concat([file_failures, findings], how="diagonal_relaxed")
        table_failures = pl.concat([plan_failures, result_failures] + ([cross_failures] if cross_failures is not None else []), how="diagonal_relaxed")
        # the raw and typed rows are done with: freed before the tables are written (the run's memory peak)
        del tables, typed_plans, typed_results
        # Big runs write the analyst workbook in a process of its own, begun now (its long sheets) while
        # the flow writes the rest; started only now, it never meets the flow's lineage at its peak.
        side = later.enter_context(SideProcess()) if len(entries) >= WORTH_IT_FILES else None
        if side is not None:
            side.start(begin_analyst_workbook, staging, {"run_id": run_id, "year": year, "finished_at": datetime.now(timezone.utc).isoformat()})
        failures = explain_failures(file_failures, table_failures, run_id, quote(ref))
        failures, history = compare_with_previous_run(options.out, failures)
        kind_status = {(r["commune_code"], "plan"): r["status"] for r in communes.iter_rows(named=True)}
        if "results_communes.parquet" in outputs_tables:
            kind_status |= {(r["commune_code"], "results"): r["status"] for r in outputs_tables["results_communes.parquet"].iter_rows(named=True)}
        counts = RunSummary.counts_of(provinces_out, failures)
        manifest = artifacts.manifest(run_id, started, options, year, ref.version, records, skipped, kind_status, counts)
        write_tables(
            staging,
            quote({"validation_failures.parquet": failures, "failure_history.parquet": history, "lineage.parquet": lineage}),
        )
        # the reports read the tables back from disk: the row-level frames need not stay in memory
        # while they are written
        del villages, lineage, history, outputs_tables, figures_tables
        run_dir, reports = publish(quote(options), run_id, staging, quote(manifest), quote(side))
    return RunSummary.build(run_id, options.out, run_dir, provinces_out, communes, failures, records, reports)


def _read_all(entries: list[FileEntry], ctx: ReadContext, options: RunOptions):
    """Submit one read task per batch; collect in input order while showing progress."""
    batches = [entries[i : i + options.batch_size] for i in range(0, len(entries), options.batch_size)]
    progress = Progress(len(entries), enabled=options.progress)
    futures = [read_workbooks.submit(batch, ctx) for batch in batches]
    index = {id(f): i for i, f in enumerate(futures)}
    done: list = [None] * len(futures)
    with progress:
        for fut in as_completed(futures):
            done[index[id(fut)]] = fut.result()
            progress.advance(len(batches[index[id(fut)]]))
    return [rec for batch in done for rec in batch]


def _target_frame(targets: Targets | None) -> pl.DataFrame:
    return targets.frame if targets else pl.DataFrame(schema=TARGETS_SCHEMA)


def _with_province(lineage: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    provinces = {u.commune_code: u.province_code for u in ref.units}
    return lineage.with_columns(pl.col("commune_code").replace_strict(provinces, default=None).alias("province_code"))


def _province_codes(ref: Reference, provinces: list[str]) -> list[str]:
    return [u.commune_code for u in ref.units if u.province_code in provinces]


def _target_failures(targets: Targets, path: Path) -> pl.DataFrame:
    rows = [{**f, "source_file": path.name, "source_sheet": f.get("sheet"), "kind": "targets"} for f in targets.failures]
    return frames.failure_rows(rows)


if __name__ == "__main__":
    from giamngheo.cli import console

    console(["run", *__import__("sys").argv[1:]])


def with_dask(workers: int | None = None, address: str | None = None):
    """The same flow on Prefect's Dask task runner: a LocalCluster of `workers` processes, or the
    Dask cluster at `address` (tcp://scheduler:8786) for a whole-country run on several machines."""
    import dask
    from prefect_dask import DaskTaskRunner

    # Dask starts its workers as daemonic processes, and a daemonic process may not start the
    # parsing processes that keep a hanging or crashing file away from the rest (the per-file
    # time-out and memory limit): the LocalCluster's workers are started non-daemonic. Workers of
    # an existing cluster need DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment; on
    # daemonic ones a batch is parsed in the worker itself, without those limits.
    dask.config.set({"distributed.worker.daemon": False})
    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1, "processes": True})
    return consolidate.with_options(task_runner=runner)
