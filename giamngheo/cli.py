"""The `giamngheo` command."""

from __future__ import annotations

import argparse
import atexit
import os
import re
import sys
from pathlib import Path

EXIT_OK, EXIT_CRASH, EXIT_USAGE, EXIT_OUTPUT = 0, 1, 2, 3
EXIT_REFUSED, EXIT_JOURNAL_ALTERED = 4, 5  # approve/acknowledge refused; journal verify found an altered entry


def _province(value: str) -> str:
    if not re.fullmatch(r"\d{1,2}", value.strip()):
        raise argparse.ArgumentTypeError(f"mã tỉnh gồm 1-2 chữ số (ví dụ 08), không phải {value!r} (province code must be 1-2 digits)")
    from .reference import load_reference

    code = value.strip().zfill(2)
    if code not in load_reference().provinces():  # "99": every file would be of another province, the run empty
        raise argparse.ArgumentTypeError(f"không có tỉnh mã {code} trong danh mục đơn vị hành chính 2025 (no province {code} in the official list of 2025)")
    return code


def _date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày phải viết YYYY-MM-DD (ví dụ 2026-01-15), không phải {value!r} (date must be YYYY-MM-DD)") from None


def _positive(value: str) -> int:
    if not re.fullmatch(r"\d+", value.strip()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"phải là số nguyên từ 1 trở lên, không phải {value!r} (must be a whole number of 1 or more)")
    return int(value)


def _year(value: str) -> int:
    if not re.fullmatch(r"20\d\d", value.strip()):
        raise argparse.ArgumentTypeError(f"năm phải viết như 2026, không phải {value!r} (year must look like 2026)")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="giamngheo",
        description="Consolidate commune poverty-reduction reports (kế hoạch giảm nghèo, kết quả rà soát) "
        "into validated village, commune and province figures.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="consolidate a folder of commune files", description="Consolidate the commune "
                         "workbooks under --raw into Parquet tables, a validation report and a summary workbook in --out.")
    run.add_argument("--raw", required=True, type=Path, help="folder of commune files as received (any depth; never modified)")
    run.add_argument("--out", required=True, type=Path, help="output folder; the latest run sits at its top, each run also under runs/<run_id>/")
    run.add_argument("--targets", type=Path, help="the province's target workbook (one row per commune with its assigned cut "
                     "of the poor rate, in percentage points); without it target columns are null")
    run.add_argument("--province", type=_province, help="2-digit province code: names are resolved within it and files of "
                     "other provinces are rejected (default: the province of --targets, else every province found)")
    run.add_argument("--year", type=_year, help="plan or report year (default: read from the documents, else baseline year + 1)")
    run.add_argument("--workers", type=_positive, default=None, help="parsing processes (default: number of CPUs)")
    run.add_argument("--batch-size", type=_positive, default=None,
                     help="files per Prefect task (default: about four tasks per worker, 50 to 500 files each)")
    run.add_argument("--no-cache", action="store_true", help="parse every file again (the cache is keyed on content and parser version)")
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="if another run holds --out, wait this long before giving up (default: give up at once)")
    run.add_argument("--deadline", type=_date, help="submission deadline YYYY-MM-DD, for the ledger's timeliness")
    run.add_argument("--max-file-mb", type=float, default=50, help="refuse files larger than this (default 50)")
    run.add_argument("--max-rows", type=int, default=20000, help="refuse sheets with more rows (default 20000)")
    run.add_argument("--max-columns", type=int, default=500, help="refuse sheets with more columns (default 500)")
    run.add_argument("--file-timeout", type=float, default=60, help="seconds one file may take to parse (default 60)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    run.add_argument("--dask-workers", type=int, help="run the tasks on a Dask LocalCluster of this many processes")
    run.add_argument("--dask-address", help="run the tasks on an existing Dask cluster (tcp://host:8786)")
    run.add_argument("--verbose", action="store_true", help="show Prefect's log lines")
    run.add_argument("--secret-file", type=Path, help="the province's key for household pseudonyms (default: GIAMNGHEO_SECRET, "
                     "else --out/.secret.key, made once, owner-only)")

    rules = sub.add_parser("rules", help="list the validation rules", description="Print the rule catalogue.")
    rules.add_argument("--markdown", action="store_true", help="print docs/rules.md")

    inspect = sub.add_parser("inspect", help="show how one file is read", description="Show the layout, the meaning "
                             "given to each column, the normalised village rows and the failures of one file.")
    inspect.add_argument("file", type=Path)
    inspect.add_argument("--province", type=_province)
    inspect.add_argument("--year", type=_year, help="the run's year: a document of another year is reported (wrong_year)")

    serve = sub.add_parser("serve", help="run the consolidation every night", description="Register the consolidation "
                           "as a Prefect deployment on a cron schedule (Vietnam time by default) and serve it until stopped. "
                           "With no PREFECT_API_URL this uses Prefect's local server; see README 'Run it every night'.")
    serve.add_argument("--raw", required=True, type=Path, help="folder of commune files as received (as for run)")
    serve.add_argument("--out", required=True, type=Path, help="output folder of every scheduled run (as for run)")
    serve.add_argument("--targets", type=Path, help="the province's target workbook (as for run)")
    serve.add_argument("--province", type=_province, help="2-digit province code (as for run)")
    serve.add_argument("--deadline", type=_date, help="submission deadline YYYY-MM-DD, for the ledger's timeliness")
    serve.add_argument("--cron", default="0 2 * * *", help="cron expression (default '0 2 * * *': 02:00 every day)")
    serve.add_argument("--timezone", default="Asia/Ho_Chi_Minh", help="time zone of the cron (default Asia/Ho_Chi_Minh)")
    serve.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    serve.add_argument("--port", type=int, default=4200, help="port of the local Prefect server started when PREFECT_API_URL is unset")

    diff = sub.add_parser("diff", help="what changed between two runs", description="Compare two runs in --out "
                          "(default: the last two): communes that changed status, village, commune and province figures "
                          "that moved, failures that appeared or were fixed, files that changed.")
    diff.add_argument("--out", required=True, type=Path)
    diff.add_argument("run_a", nargs="?", help="the earlier run id (a unique prefix is enough)")
    diff.add_argument("run_b", nargs="?", help="the later run id (default: the latest)")
    diff.add_argument("--json", action="store_true", help="print the diff as JSON (as in diff.json)")
    diff.add_argument("--limit", type=int, default=50, help="show at most this many items per section")
    diff.add_argument("--against", choices=["approved"], help="compare the current run with the approved figures (journal.jsonl)")

    approve = sub.add_parser("approve", help="approve communes' figures (chốt số liệu)", description="Approve the current "
                             "run's accepted figures of the communes; later runs mark each commune row approved, "
                             "changed_since_approval or not_approved. Recorded in --out/journal.jsonl.")
    approve.add_argument("--out", required=True, type=Path)
    who = approve.add_mutually_exclusive_group(required=True)
    who.add_argument("--commune", nargs="+", metavar="CODE", help="5-digit commune codes")
    who.add_argument("--all-accepted", action="store_true", help="every commune whose report was accepted")
    approve.add_argument("--kind", help="only this report kind (plan, results, ...; default: every kind with accepted figures)")
    approve.add_argument("--by", required=True, help="who approves (recorded in the journal)")
    approve.add_argument("--note", help="a note recorded with the approval")

    ack = sub.add_parser("acknowledge", help="mark a warning as explained", description="Mark a commune's warning(s) of "
                         "a rule as explained: listed but no longer counted as open, until the cell's value changes. "
                         "Errors cannot be acknowledged. Recorded in --out/journal.jsonl.")
    ack.add_argument("--out", required=True, type=Path)
    ack.add_argument("--commune", required=True, metavar="CODE")
    ack.add_argument("--rule", required=True)
    ack.add_argument("--cell", help="A1 cell (default: every warning of the rule for the commune)")
    ack.add_argument("--by", required=True, help="who explains (recorded in the journal)")
    ack.add_argument("--reason", required=True, help="why the warning is not a problem")

    jrn = sub.add_parser("journal", help="check the approval journal", description="Check the hash chain of "
                         "--out/journal.jsonl and name the first altered entry.")
    jrn.add_argument("action", choices=["verify"])
    jrn.add_argument("--out", required=True, type=Path)

    trace = sub.add_parser("trace", help="list the source cells behind a figure", description="List the source cells "
                           "(file, sheet, cell, value, file SHA-256) behind a province or commune figure, and their sum.")
    trace.add_argument("--out", required=True, type=Path, help="output folder of a run")
    trace.add_argument("code", help="2-digit province code or 5-digit commune code")
    trace.add_argument("field", nargs="?", help="figure, e.g. poor_households or poor_rate_pct (default: every figure, sums only)")
    trace.add_argument("--limit", type=int, default=None, help="show at most this many cells per figure")

    prune = sub.add_parser("prune", help="delete old runs", description="Delete the oldest runs under --out/runs/, keeping the "
                           "newest N; never journal.jsonl, the key (.secret.key), the parse cache or the top-level outputs.")
    prune.add_argument("--out", required=True, type=Path, help="output folder")
    prune.add_argument("--keep", required=True, type=int, help="runs to keep, newest first (at least 1)")

    cache = sub.add_parser("cache", help="manage the parse cache", description="Clear the cache of parsed files in --out.")
    cache.add_argument("action", choices=["clear"])
    cache.add_argument("--out", required=True, type=Path)
    return parser


def _prefect_quiet(verbose: bool) -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_ROOT_LEVEL", "WARNING")
    # no telemetry from a machine that may have no internet (and no noise about it)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _one_shot_settings():
    """Prefect settings for a run against the temporary local API (no PREFECT_API_URL): no flow-run
    heartbeats. Nothing outlives such a run to watch for them, and the heartbeat thread, which
    sleeps a second at a time, holds the flow's end for up to a second (0.65 s on average here).
    Runs against a real server (`serve`, PREFECT_API_URL) keep Prefect's heartbeats."""
    import contextlib

    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    if PREFECT_API_URL.value():
        return contextlib.nullcontext()
    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _run(args) -> int:
    from .progress import progress_wanted

    if not args.raw.is_dir():
        print(f"giamngheo: --raw {args.raw} không phải là thư mục (is not a folder)", file=sys.stderr)
        return EXIT_USAGE
    if args.targets and not args.targets.is_file():
        print(f"giamngheo: --targets {args.targets} không phải là tệp (is not a file)", file=sys.stderr)
        return EXIT_USAGE
    if args.out.exists() and not args.out.is_dir():
        print(f"giamngheo: --out {args.out} đã có và không phải là thư mục (exists and is not a folder)", file=sys.stderr)
        return EXIT_OUTPUT
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / f".giamngheo-write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        print(f"giamngheo: không ghi được vào --out {args.out}: {exc.strerror or exc} (cannot write to --out)", file=sys.stderr)
        return EXIT_OUTPUT
    limits = {
        "max_file_bytes": int(args.max_file_mb * 1024 * 1024),
        "max_rows": args.max_rows,
        "max_columns": args.max_columns,
        "file_timeout_seconds": args.file_timeout,
    }
    parameters = dict(
        raw=str(args.raw.resolve()),
        out=str(args.out.resolve()),
        targets=str(args.targets.resolve()) if args.targets else None,
        province=args.province,
        year=args.year,
        workers=args.workers,
        batch_size=max(1, args.batch_size) if args.batch_size else None,
        use_cache=not args.no_cache,
        wait_seconds=args.wait,
        deadline=args.deadline,
        limits=limits,
        progress=not args.no_progress and progress_wanted(),
    )
    if args.dask_address:
        from .dask_check import refusal

        why = refusal(args.dask_address)
        if why:
            print(f"giamngheo: {why}", file=sys.stderr)
            return EXIT_USAGE
    if args.secret_file:
        if not args.secret_file.is_file():
            print(f"giamngheo: --secret-file {args.secret_file} không phải là tệp (is not a file)", file=sys.stderr)
            return EXIT_USAGE
        from .secret import ENV_FILE

        os.environ[ENV_FILE] = str(args.secret_file.resolve())  # the parsing processes inherit it; never a flow parameter
    _prefect_quiet(args.verbose)
    from flows.consolidate import consolidate, with_dask

    if args.dask_workers or args.dask_address:
        consolidate = with_dask(args.dask_workers, args.dask_address)

    from .lifeline import reap_orphaned_servers
    from .outputs import OutputBusy, run_lock

    reap_orphaned_servers()  # a killed run's temporary Prefect server: left behind by it, stopped now
    try:
        with run_lock(args.out.resolve(), args.wait), _one_shot_settings():  # refused here, before Prefect reports a failed flow
            summary = consolidate(**parameters)
    except OutputBusy as exc:
        print(f"giamngheo: {exc}; thử lại sau hoặc dùng --wait", file=sys.stderr)
        return EXIT_OUTPUT
    print(summary.render())
    return EXIT_OK


def _rules(args) -> int:
    from .docs import rules_markdown

    if args.markdown:
        print(rules_markdown(), end="")
        return EXIT_OK
    from schemas.rules import RULES

    for r in RULES:
        print(f"{r.id:32} {r.severity:8} {r.level:16} {r.title_vi}")
    return EXIT_OK


def _cache(args) -> int:
    from .cache import ParseCache

    path = args.out / ".cache" / "parsed.sqlite"
    if not path.exists():
        print("giamngheo: no cache in", args.out)
        return EXIT_OK
    n = ParseCache(path).clear()
    print(f"giamngheo: cleared {n} cached files")
    return EXIT_OK


def _inspect(args) -> int:
    from .inspect import inspect_file, render

    if not args.file.is_file():
        print(f"giamngheo: {args.file} không phải là tệp (is not a file)", file=sys.stderr)
        return EXIT_USAGE
    print(render(inspect_file(args.file, args.province, year=args.year)))
    return EXIT_OK


def _trace(args) -> int:
    from .trace import render, trace, traceable_fields

    if not (args.out / "lineage.parquet").exists():
        print(f"giamngheo: no run in {args.out} (lineage.parquet missing)", file=sys.stderr)
        return EXIT_USAGE
    known = _unit_in_run(args.out, args.code)
    if known is None:
        print(f"giamngheo: mã {args.code} không có trong lần chạy này (no province or commune {args.code} in this run)", file=sys.stderr)
        return EXIT_USAGE
    if known != "traced":
        print(f"Xã {args.code}: {_STATUS_VI.get(known, known)}, số liệu của xã không được tổng hợp (xem bao_cao_kiem_tra); không có ô nguồn.")
    fields = [args.field] if args.field else traceable_fields(args.out)
    try:
        for i, fld in enumerate(fields):
            if i:
                print()
            print(render(trace(args.out, args.code, fld), show_cells=bool(args.field) or args.limit is not None, limit=args.limit))
    except KeyError as exc:
        print(f"giamngheo: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


_STATUS_VI = {"rejected": "bị từ chối", "missing": "chưa nộp"}


def _unit_in_run(out: Path, code: str) -> str | None:
    """"traced" when the run's lineage has cells of the province or commune, else the commune's plan status
    ("rejected", …) when the run knows it, else None (no such unit in the run)."""
    import polars as pl

    code = code.strip()
    column, code = ("province_code", code.zfill(2)) if len(code) <= 2 else ("commune_code", code.zfill(5))
    if not pl.scan_parquet(out / "lineage.parquet").filter(pl.col(column) == code).head(1).collect().is_empty():
        return "traced"
    path = out / "communes.parquet"
    if column == "province_code" or not path.exists():
        return None
    found = pl.read_parquet(path, columns=["commune_code", "status"]).filter(pl.col("commune_code") == code)
    return (found["status"][0] or "missing") if found.height else None


def _serve(args) -> int:
    refused = _serve_refused(args)
    if refused:
        print(f"giamngheo serve: {refused}", file=sys.stderr)
        return EXIT_USAGE
    _prefect_quiet(False)
    from flows.nightly import serve_nightly

    serve_nightly(port=args.port, raw=args.raw, out=args.out, targets=args.targets, province=args.province, cron=args.cron,
                  timezone=args.timezone, name=args.name, deadline=args.deadline)
    return EXIT_OK


def _serve_refused(args) -> str | None:
    """What is wrong with serve's arguments, before anything is served: a job that would fail every night, or a schedule
    that cannot be read (a traceback and exit 1 before)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from prefect.schedules import Cron

    if args.raw is not None and not Path(args.raw).is_dir():
        return f"--raw {args.raw} không phải là thư mục (is not a folder)"
    if args.targets is not None and not Path(args.targets).is_file():
        return f"--targets {args.targets} không phải là tệp (is not a file)"
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"--timezone {args.timezone!r} không phải múi giờ (not a time zone; e.g. Asia/Ho_Chi_Minh)"
    try:
        Cron(args.cron, timezone=args.timezone)
    except ValueError:
        return f"--cron {args.cron!r} không phải lịch cron (not a cron schedule; e.g. \"0 2 * * *\")"
    return None


def _diff(args) -> int:
    import json

    if args.against == "approved":
        from .approval_commands import Refused, diff_against_approved, render_against_approved

        try:
            d = diff_against_approved(args.out)
        except Refused as exc:
            print(f"giamngheo: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(json.dumps(d, ensure_ascii=False, indent=1) if args.json else render_against_approved(d, args.limit))
        return EXIT_OK
    from .diff import diff_runs, latest_two_runs, resolve_run
    from .diff_text import render_diff

    try:
        if args.run_a and args.run_b:
            a, b = resolve_run(args.out, args.run_a), resolve_run(args.out, args.run_b)
        elif args.run_a:
            latest = latest_two_runs(args.out)
            a, b = resolve_run(args.out, args.run_a), latest[1] if latest else resolve_run(args.out, args.run_a)
        else:
            pair = latest_two_runs(args.out)
            if pair is None:
                print(f"giamngheo: {args.out} has fewer than two runs to compare", file=sys.stderr)
                return EXIT_USAGE
            a, b = pair
    except (FileNotFoundError, ValueError) as exc:
        print(f"giamngheo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    d = diff_runs(a, b)
    print(json.dumps(d, ensure_ascii=False, indent=1) if args.json else render_diff(d, args.limit))
    return EXIT_OK


def _approve(args) -> int:
    from .approval_commands import Refused, acknowledge, approve

    try:
        if args.command == "approve":
            entry = approve(args.out, args.by, args.commune, args.all_accepted, args.kind, args.note)
            items = entry["approvals"]
            print(f"giamngheo: đã phê duyệt {len(items)} báo cáo của {len({i['commune_code'] for i in items})} xã "
                  f"(lần chạy {entry['run_id']}; nhật ký mục {entry['seq']})")
        else:
            entry = acknowledge(args.out, args.commune, args.rule, args.by, args.reason, args.cell)
            print(f"giamngheo: đã giải trình {len(entry['acknowledgements'])} cảnh báo «{args.rule}» của xã "
                  f"{entry['acknowledgements'][0]['commune_code']} (nhật ký mục {entry['seq']})")
    except Refused as exc:
        print(f"giamngheo: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _journal(args) -> int:
    from .journal import verify

    verdict = verify(args.out)
    if verdict.ok:
        print(f"giamngheo: nhật ký toàn vẹn, {verdict.entries} mục (journal intact)")
        return EXIT_OK
    print(f"giamngheo: nhật ký bị sửa tại mục {verdict.bad_line} (dòng {verdict.bad_line} của journal.jsonl): {verdict.reason}; "
          f"{verdict.entries} mục trước đó còn nguyên (journal altered at entry {verdict.bad_line})", file=sys.stderr)
    return EXIT_JOURNAL_ALTERED


def _prune(args) -> int:
    from .outputs import OutputBusy
    from .retention import prune_runs

    try:
        gone = prune_runs(args.out, args.keep)
    except ValueError as exc:
        print(f"giamngheo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OutputBusy as exc:
        print(f"giamngheo: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    print(f"giamngheo: đã xoá {len(gone)} lần chạy cũ (deleted {len(gone)} old runs)" + "".join(f"\n  {r}" for r in gone))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"serve": _serve, "diff": _diff, "run": _run, "rules": _rules, "cache": _cache, "inspect": _inspect, "trace": _trace,
                "approve": _approve, "acknowledge": _approve, "journal": _journal, "prune": _prune}
    return handlers[args.command](args)


def console(argv: list[str] | None = None) -> None:
    """The `giamngheo` command: main(), then a quick exit.

    After a national run the interpreter's own teardown (freeing ~700 MB of objects module by
    module, a last garbage collection) took 1.1 s between the printed summary and the shell
    prompt. By then every output is written and closed: the exit handlers run (Prefect stops its
    temporary server, logging flushes, multiprocessing joins its children), then the process
    ends without the teardown. Library callers of main() (the tests) exit normally.
    """
    code = main(argv)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    atexit._run_exitfuncs()  # what the interpreter would run at exit; os._exit skips only the teardown
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    console()
