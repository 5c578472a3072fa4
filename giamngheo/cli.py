"""The `giamngheo` command."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

from .cli_args import joined_deadlines

EXIT_OK, EXIT_CRASH, EXIT_USAGE, EXIT_OUTPUT = 0, 1, 2, 3
EXIT_REFUSED, EXIT_JOURNAL_ALTERED = 4, 5  # approve/acknowledge refused; journal verify found an altered entry


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
    from .options import empty_raw, out_inside_raw
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
    inside = out_inside_raw(args.raw, args.out)
    if inside:
        print(f"giamngheo: {inside}", file=sys.stderr)
        return EXIT_USAGE
    empty = empty_raw(args.raw, args.out)
    if empty:
        print(f"giamngheo: {empty}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / f".giamngheo-write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        print(f"giamngheo: không ghi được vào --out {args.out}: {exc.strerror or exc} (cannot write to --out)", file=sys.stderr)
        return EXIT_OUTPUT
    from .outputs import unwritable

    blocked = unwritable(args.out)
    if blocked:
        print(f"giamngheo: không ghi được vào {blocked} (trong --out; cannot write to a part of --out)", file=sys.stderr)
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
        deadline=joined_deadlines(args.deadline),
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
    from .outputs import OutputBusy, drop_staging, out_of_space, run_lock

    reap_orphaned_servers()  # a killed run's temporary Prefect server: left behind by it, stopped now
    try:
        with run_lock(args.out.resolve(), args.wait), _one_shot_settings():  # refused here, before Prefect reports a failed flow
            try:
                summary = consolidate(**parameters)
            except Exception as exc:
                if not out_of_space(exc, args.out):
                    raise
                drop_staging(args.out)
                print(f"giamngheo: hết chỗ trống trên ổ đĩa của --out {args.out}: lần chạy dừng, các kết quả đã công bố trước "
                      f"đó giữ nguyên; hãy giải phóng chỗ rồi chạy lại (no space left on the disk of --out: nothing published, "
                      f"the outputs before stay as they were)", file=sys.stderr)
                return EXIT_OUTPUT
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
        print(
            f"giamngheo: mã {args.code} không có trong lần chạy này (no province or commune {args.code} in this run)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if known != "traced":
        print(
            f"Xã {args.code}: {_STATUS_VI.get(known, known)}, số liệu của xã không được tổng hợp (xem bao_cao_kiem_tra); không "
            f"có ô nguồn."
        )
    fields = [args.field] if args.field else traceable_fields(args.out, args.code)
    try:
        traces = [trace(args.out, args.code, fld) for fld in fields]
    except KeyError as exc:
        print(f"giamngheo: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    # a rejected report of the commune, said where it may be why a figure has no cell: not above a figure asked for and
    # found (its plan's poor households under "its deprivation table was rejected" misled an auditor; Hà Nội)
    said = known == "traced" and not (args.field and all(_has_cells(t) for t in traces))
    for title in _rejected_reports(args.out, args.code) if said else ():
        print(
            f"Xã {args.code}: {title} bị từ chối, số liệu của báo cáo này không được tổng hợp (xem bao_cao_kiem_tra); không có "
            f"ô nguồn."
        )
    for i, found in enumerate(traces):
        if i:
            print()
        print(render(found, show_cells=bool(args.field) or args.limit is not None, limit=args.limit))
    return EXIT_OK


def _has_cells(found) -> bool:
    """Whether a trace reached any source cell (a rate's or a difference's through its parts)."""
    return bool(found.cells.height) or any(_has_cells(p) for p in (found.numerator, found.denominator) if p is not None)


_STATUS_VI = {"rejected": "bị từ chối", "missing": "chưa nộp"}


def _unit_in_run(out: Path, code: str) -> str | None:
    """"traced" when the run's lineage has cells of the province or commune, else the commune's plan status
    ("rejected", …) when the run knows it, else None (no such unit in the run)."""
    import polars as pl

    code = code.strip()
    column, code = ("province_code", code.zfill(2)) if len(code) <= 2 else ("commune_code", code.zfill(5))
    cells = pl.scan_parquet(out / "lineage.parquet").filter((pl.col(column) == code) & (pl.col("kind") != "targets"))
    if not cells.head(1).collect().is_empty():  # a commune's target alone is no report of its own
        return "traced"
    path = out / "communes.parquet"
    if column == "province_code" or not path.exists():
        return None
    found = pl.read_parquet(path, columns=["commune_code", "status"]).filter(pl.col("commune_code") == code)
    return (found["status"][0] or "missing") if found.height else None


def _rejected_reports(out: Path, code: str) -> list[str]:
    """The reports of a traced commune that were rejected (its results, say, when its plan was accepted): their figures
    have no cells, and a trace of them would otherwise print an empty sum without a word why."""
    import polars as pl

    from .kinds import KINDS

    if len(code.strip()) <= 2:
        return []
    titles = []
    for kind in KINDS:
        output = kind.output("commune")
        path = out / output.name if output else None
        if path is None or not path.exists() or "status" not in pl.read_parquet_schema(path):
            continue
        found = pl.read_parquet(path, columns=["commune_code", "status"]).filter(pl.col("commune_code") == code.strip().zfill(5))
        if found.height and found["status"][0] == "rejected":
            titles.append(kind.title_vi[:1].upper() + kind.title_vi[1:])
    return titles


def _serve(args) -> int:
    refused = _serve_refused(args)
    if refused:
        print(f"giamngheo serve: {refused}", file=sys.stderr)
        return EXIT_USAGE
    _prefect_quiet(False)
    from flows.nightly import serve_nightly

    serve_nightly(port=args.port, raw=args.raw, out=args.out, targets=args.targets, province=args.province, cron=args.cron,
                  timezone=args.timezone, name=args.name, deadline=joined_deadlines(args.deadline))
    return EXIT_OK


def _serve_refused(args) -> str | None:
    """What is wrong with serve's arguments, before anything is served: a job that would fail every night, or a schedule
    that cannot be read (a traceback and exit 1 before)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from prefect.schedules import Cron

    from .options import out_inside_raw

    if args.raw is not None and not Path(args.raw).is_dir():
        return f"--raw {args.raw} không phải là thư mục (is not a folder)"
    if args.targets is not None and not Path(args.targets).is_file():
        return f"--targets {args.targets} không phải là tệp (is not a file)"
    inside = out_inside_raw(args.raw, args.out) if args.raw is not None and args.out is not None else None
    if inside:
        return inside
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
    except OSError as exc:  # a read-only or full --out: a traceback, exit 1, before (operations judge, Lạng Sơn)
        print(f"giamngheo: không ghi được vào --out {args.out}: {exc.strerror or exc}; không có gì được ghi vào nhật ký "
              f"(cannot write to --out: nothing recorded)", file=sys.stderr)
        return EXIT_OUTPUT
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
    from .cli_args import build_parser

    args = build_parser().parse_args(argv)
    handlers = {
        "serve": _serve,
        "diff": _diff,
        "run": _run,
        "rules": _rules,
        "cache": _cache,
        "inspect": _inspect,
        "trace": _trace,
        "approve": _approve,
        "acknowledge": _approve,
        "journal": _journal,
        "prune": _prune,
    }
    return handlers[args.command](args)


def console(argv: list[str] | None = None) -> None:
    """The `giamngheo` command: main(), then a quick exit.

    After a national run the interpreter's own teardown (freeing ~700 MB of objects module by
    module, a last garbage collection) took 1.1 s between the printed summary and the shell
    prompt. By then every output is written and closed: the exit handlers run (Prefect stops its
    temporary server, logging flushes, multiprocessing joins its children), then the process
    ends without the teardown. Library callers of main() (the tests) exit normally.
    """
    try:
        code = main(argv)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BrokenPipeError:  # `giamngheo trace … | head`: the reader has all it wanted; the rest goes nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_OK
    atexit._run_exitfuncs()  # what the interpreter would run at exit; os._exit skips only the teardown
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    console()
