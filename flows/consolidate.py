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

from giamngheo import approval, artifacts, outputs, pipeline, reading, submissions
from giamngheo.discover import FileEntry, discover_files
from giamngheo.failures import finish
from giamngheo.options import EmptyRaw, RunOptions, empty_raw
from giamngheo.parallel import WorkerPool, register_pool, release_pool
from giamngheo.progress import Progress
from giamngheo.reading import ReadContext
from giamngheo.reference import Reference, load_reference
from giamngheo.reports.artifacts_prefect import publish_prefect_artifacts
from giamngheo.reports.build import begin_analyst_workbook, write_reports
from giamngheo.reports.ledger import earlier_files, with_first_seen
from giamngheo.reports.side_process import WORTH_IT_FILES, SideProcess
from giamngheo.resolve import Resolver
from giamngheo.summary import RunSummary
from giamngheo.targets import Targets, targets_from_parse
from schemas.outputs import ValidationFailures
from transforms.history import failures_since


@task(cache_policy=NO_CACHE)
def find_workbooks(raw: Path):
    """Every file under --raw (links are reported, not followed)."""
    return discover_files(raw)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def read_workbooks(entries: list[FileEntry], ctx: ReadContext):
    """Hash, look up or parse one batch of files (I/O: the only task worth retrying)."""
    return reading.read_batch(entries, ctx)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def read_targets(path: Path | None, ctx: ReadContext, ref: Reference, province: str | None,
                 year: int | None = None) -> Targets | None:
    """The province's targets workbook, its rows resolved to communes (the sheets of `year`, else of the latest year)."""
    if path is None:
        return None
    entry = FileEntry(path.name, path, path.stat().st_size, path.stat().st_mtime)
    record = reading.read_batch([entry], ctx, mode="targets")[0]
    found = targets_from_parse(record.data, Resolver(ref, province), record.entry.path, year)
    if province is None and found.province:
        found = targets_from_parse(record.data, Resolver(ref, found.province), record.entry.path, year)
    found.source = {"path": str(path), "size": entry.size, "sha256": record.sha256}
    return found


@task(cache_policy=NO_CACHE)
def identify_submissions(records, ref: Reference, province: str | None, year: int):
    """Whose file each is (commune, or why not), and which version of a report counts (one of the run's year first)."""
    submissions.resolve_files(records, Resolver(ref, province))
    submissions.choose_submissions(records, province, year)
    return records


@task(cache_policy=NO_CACHE)
def tabulate(records):
    """The tables of the files in use, as frames."""
    return pipeline.tabulate(records)


@task(cache_policy=NO_CACHE)
def validate(tables):
    """Every kind's rows typed and checked: pandera rules per row, polars checks across rows."""
    return pipeline.check_tables(tables)


@task(cache_policy=NO_CACHE)
def aggregate(context):
    """Each kind's village, commune and province figures, checked against the assigned targets."""
    return pipeline.aggregate(context)


@task(cache_policy=NO_CACHE)
def trace(staging: Path, context, consolidated):
    """Each figure back to its cells (lineage.parquet, staged), and the warnings found on the consolidated figures."""
    return pipeline.trace_to(staging, context, consolidated)


@task(cache_policy=NO_CACHE)
def explain_failures(failures: list[pl.DataFrame], run_id: str, ref: Reference) -> pl.DataFrame:
    """Every failure with its A1 cell, severity and messages in Vietnamese and English."""
    names = {u.commune_code: u.commune_name for u in ref.units}
    return finish(pl.concat(failures, how="diagonal_relaxed"), run_id, names)


@task(cache_policy=NO_CACHE)
def compare_with_previous_run(out: Path, failures: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mark each failure new or persisting against the last run; list those fixed since."""
    return failures_since(failures.lazy(), outputs.previous_table(out, "validation_failures.parquet"))


@task(cache_policy=NO_CACHE)
def write_tables(staging: Path, tables: dict[str, pl.DataFrame], contracts: dict[str, list] | None = None) -> None:
    """Write tables aside, in the run's staging folder (nothing is visible in --out yet), each checked
    against its contract."""
    artifacts.write_parquet(tables, staging, contracts)


@task(cache_policy=NO_CACHE)
def publish(options: RunOptions, run_id: str, staging: Path, manifest: dict, side: SideProcess | None = None):
    """Write the reports beside the tables, then publish the run at the top of --out in one step."""
    # approvals and acknowledgements (journal.jsonl) onto the staged tables
    approval.annotate_staged(staging, options.out, manifest)
    out = options.out
    previous = outputs.previous_runs(out)
    previous_run = out / outputs.RUNS / previous[-1] if previous else None
    started = datetime.fromisoformat(manifest["started_at"]) if manifest.get("started_at") else None
    manifest["files"] = with_first_seen(manifest["files"], earlier_files(previous_run) if previous_run else [], started)
    artifacts.write_json(manifest, staging / "manifest.json")
    reports = write_reports(staging, options.raw, previous_run, options.deadline, side)
    manifest["reports"] = {"written": reports.written, "problems": reports.problems, "notes": reports.notes,
                           "feedback": reports.feedback}
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
    options = RunOptions.from_parameters(**{k: v for k, v in locals().items()})
    refused = empty_raw(options.raw, options.out)
    if refused:
        raise EmptyRaw(refused)  # a nightly run on a share that failed to mount: the flow fails, the figures published stay
    started, ref = datetime.now(timezone.utc), load_reference()
    gc.set_threshold(50_000, 20, 100)  # see benchmarks/README.md, "What the machinery buys"
    with outputs.run_lock(options.out, options.wait_seconds), ExitStack() as later:
        outputs.recover(options.out)
        run_id = outputs.new_run_id()
        records, skipped, targets, options = _read_everything(options, run_id, ref)
        province = options.province or (targets.province if targets else None)
        year = submissions.run_year(records, options.year, targets.year if targets else None)
        records = identify_submissions(quote(records), quote(ref), province, year)
        tables = tabulate(quote(records))
        submissions.forget_parsed_cells(records)  # the cells live on in the tables
        checked = validate(tables)
        table_failures = checked.failures
        file_failures = pipeline.file_level_failures(records, skipped, targets, options.targets, year)
        provinces = pipeline.provinces_of_run(province, tables, ref)
        context = pipeline.run_context(
            records, tables.without_rows(), checked, file_failures, targets, provinces, ref, run_id, year
        )
        del tables  # typed now: the raw rows, a run's biggest frames, are done with
        consolidated = aggregate(quote(context))
        staging = outputs.staging_dir(options.out, run_id)
        write_tables(staging, quote(consolidated.tables), consolidated.contracts)
        pipeline.let_go_of_written(consolidated)
        findings = trace(staging, quote(context), quote(consolidated))
        del context, checked  # the typed rows are done with before the run's memory peak (the tables written)
        side = _begin_analyst_workbook(later, records, staging, run_id, year)
        failures = explain_failures([file_failures, findings, table_failures, consolidated.failures], run_id, quote(ref))
        failures, history = compare_with_previous_run(options.out, failures)
        counts = RunSummary.counts_of(consolidated.tables["provinces.parquet"], failures)
        manifest = artifacts.manifest(
            run_id,
            started,
            options,
            year,
            ref.version,
            records,
            skipped,
            pipeline.kind_status(consolidated),
            counts,
            targets.manifest_entry() if targets else None,
        )
        write_tables(staging, quote({"validation_failures.parquet": failures, "failure_history.parquet": history}),
                     {"validation_failures.parquet": [ValidationFailures]})
        del history
        run_dir, reports = publish(quote(options), run_id, staging, quote(manifest), quote(side))
    tables = consolidated.tables
    return RunSummary.build(
        run_id,
        options.out,
        run_dir,
        tables["provinces.parquet"],
        tables["communes.parquet"],
        failures,
        records,
        reports,
        province_fixed=province is not None,
    )


def _read_everything(options: RunOptions, run_id: str, ref: Reference):
    """Find and read the commune files and the targets workbook, the parsing processes up meanwhile."""
    ctx = ReadContext(options.out / ".cache" / "parsed.sqlite" if options.use_cache else None, options.limits, run_id)
    pool = WorkerPool(options.workers, options.limits)
    pool.warm()
    register_pool(run_id, pool)
    try:
        entries, skipped = find_workbooks(options.raw)
        options = options.for_files(len(entries))
        records = _read_all(entries, ctx, options)
        targets = read_targets(options.targets, ctx, quote(ref), options.province, options.year)
    finally:
        release_pool(run_id)
    return records, skipped, targets, options


def _begin_analyst_workbook(later: ExitStack, records, staging: Path, run_id: str, year: int) -> SideProcess | None:
    """Big runs write the analyst workbook's long sheets in a process of their own, begun now, while the
    flow writes the rest; started only now, it never meets the flow's lineage at its peak. It reads the
    files' SHA-256s (approval: was the approved file changed?) from a first manifest, replaced at publish."""
    if len(records) < WORTH_IT_FILES:
        return None
    artifacts.write_json({"run_id": run_id, "files": [{"path": r.entry.rel, "sha256": r.sha256} for r in records]},
                         staging / "manifest.json")
    side = later.enter_context(SideProcess())
    side.start(
        begin_analyst_workbook, staging, {"run_id": run_id, "year": year, "finished_at": datetime.now(timezone.utc).isoformat()}
    )
    return side


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


def with_dask(workers: int | None = None, address: str | None = None):
    """The same flow on Prefect's Dask task runner: a LocalCluster of `workers` processes, or the
    Dask cluster at `address` (tcp://scheduler:8786) for a whole-country run on several machines."""
    import dask
    from prefect_dask import DaskTaskRunner

    # Dask starts its workers as daemonic processes, and a daemonic process may not start the
    # parsing processes that keep a hanging or crashing file away from the rest (the per-file
    # time-out and memory limit): the LocalCluster's workers are started non-daemonic. Workers of
    # an existing cluster need DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment; the
    # command refuses a cluster of daemonic ones (giamngheo/dask_check.py).
    dask.config.set({"distributed.worker.daemon": False})
    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1, "processes": True})
    return consolidate.with_options(task_runner=runner)


if __name__ == "__main__":  # `python -m flows.consolidate --raw … --out …` is `giamngheo run --raw … --out …`
    import subprocess
    import sys

    # in a process of its own: run here, every parsing process (spawn) would import this module, Prefect and polars with it
    sys.exit(subprocess.call([sys.executable, "-m", "giamngheo", "run", *sys.argv[1:]]))
