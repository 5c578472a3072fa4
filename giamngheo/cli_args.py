"""The `giamngheo` command's arguments: its subcommands, their options, and the checks of a value as it is read
(a province code in the official list, a date, a year), each refused with a Vietnamese message and exit 2."""

from __future__ import annotations

import argparse
import re
from pathlib import Path


def _province(value: str) -> str:
    if not re.fullmatch(r"\d{1,2}", value.strip()):
        raise argparse.ArgumentTypeError(
            f"mã tỉnh gồm 1-2 chữ số (ví dụ 08), không phải {value!r} (province code must be 1-2 digits)"
        )
    from .reference import load_reference

    code = value.strip().zfill(2)
    if code not in load_reference().provinces():  # "99": every file would be of another province, the run empty
        raise argparse.ArgumentTypeError(
            f"không có tỉnh mã {code} trong danh mục đơn vị hành chính 2025 (no province {code} in the official list of 2025)"
        )
    return code


DEADLINE_HELP = ("submission deadline for the ledger's timeliness: YYYY-MM-DD for every report kind, or KIND=YYYY-MM-DD for "
                 "one (repeat it: --deadline plan=2026-06-15 --deadline results=2026-11-15)")


def joined_deadlines(values: list[str] | None) -> str | None:
    """The --deadline options as the run's one parameter: "2026-06-15" or "plan=2026-06-15,results=2026-11-15"."""
    return ",".join(values) if values else None


def _deadline(value: str) -> str:
    """"YYYY-MM-DD" (every report kind), or "KIND=YYYY-MM-DD" (one kind: results=2026-11-15)."""
    kind, _, day = value.strip().rpartition("=")
    if kind:
        from giamngheo.kinds import KINDS

        names = [k.name for k in KINDS]
        if kind.strip() not in names:
            raise argparse.ArgumentTypeError(f"loại báo cáo {kind!r} không có; chọn một trong: {', '.join(names)} (unknown kind)")
        return f"{kind.strip()}={_date(day)}"
    return _date(day)


def _date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày phải viết YYYY-MM-DD (ví dụ 2026-01-15), không phải {value!r} (date must be YYYY-MM-DD)"
        ) from None


def _positive(value: str) -> int:
    if not re.fullmatch(r"\d+", value.strip()) or int(value) < 1:
        raise argparse.ArgumentTypeError(
            f"phải là số nguyên từ 1 trở lên, không phải {value!r} (must be a whole number of 1 or more)"
        )
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
    run.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output folder; the latest run sits at its top, each run also under runs/<run_id>/",
    )
    run.add_argument("--targets", type=Path, help="the province's target workbook (one row per commune with its assigned cut "
                     "of the poor rate, in percentage points); without it target columns are null")
    run.add_argument("--province", type=_province, help="2-digit province code: names are resolved within it and files of "
                     "other provinces are rejected (default: the province of --targets, else every province found)")
    run.add_argument("--year", type=_year, help="plan or report year (default: read from the documents, else baseline year + 1)")
    run.add_argument("--workers", type=_positive, default=None, help="parsing processes (default: the number of CPUs, at most 8)")
    run.add_argument("--batch-size", type=_positive, default=None,
                     help="files per Prefect task (default: about four tasks per worker, 50 to 500 files each)")
    run.add_argument(
        "--no-cache", action="store_true", help="parse every file again (the cache is keyed on content and parser version)"
    )
    run.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="if another run holds --out, wait this long before giving up (default: give up at once)")
    run.add_argument("--deadline", type=_deadline, action="append", help=DEADLINE_HELP)
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
    serve.add_argument("--deadline", type=_deadline, action="append", help=DEADLINE_HELP)
    serve.add_argument("--cron", default="0 2 * * *", help="cron expression (default '0 2 * * *': 02:00 every day)")
    serve.add_argument("--timezone", default="Asia/Ho_Chi_Minh", help="time zone of the cron (default Asia/Ho_Chi_Minh)")
    serve.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    serve.add_argument(
        "--port", type=int, default=4200, help="port of the local Prefect server started when PREFECT_API_URL is unset"
    )

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
    approve.add_argument("--by", help="who approves (recorded in the journal; required: refused, exit 4, without)")
    approve.add_argument("--note", help="a note recorded with the approval")

    ack = sub.add_parser("acknowledge", help="mark a warning as explained", description="Mark a commune's warning(s) of "
                         "a rule as explained: listed but no longer counted as open, until the cell's value changes. "
                         "Errors cannot be acknowledged. Recorded in --out/journal.jsonl.")
    ack.add_argument("--out", required=True, type=Path)
    ack.add_argument("--commune", required=True, metavar="CODE")
    ack.add_argument("--rule", required=True)
    ack.add_argument("--cell", help="A1 cell (default: every warning of the rule for the commune)")
    ack.add_argument("--by", help="who explains (recorded in the journal; required: refused, exit 4, without)")
    ack.add_argument("--reason", required=True, help="why the warning is not a problem")

    jrn = sub.add_parser("journal", help="check the approval journal", description="Check the hash chain of "
                         "--out/journal.jsonl and name the first altered entry.")
    jrn.add_argument("action", choices=["verify"])
    jrn.add_argument("--out", required=True, type=Path)

    trace = sub.add_parser("trace", help="list the source cells behind a figure", description="List the source cells "
                           "(file, sheet, cell, value, file SHA-256) behind a province or commune figure, and their sum.")
    trace.add_argument("--out", required=True, type=Path, help="output folder of a run")
    trace.add_argument("code", help="2-digit province code or 5-digit commune code")
    trace.add_argument(
        "field", nargs="?", help="figure, e.g. poor_households or poor_rate_pct (default: every figure, sums only)"
    )
    trace.add_argument("--limit", type=int, default=None, help="show at most this many cells per figure")

    prune = sub.add_parser("prune", help="delete old runs", description="Delete the oldest runs under --out/runs/, keeping the "
                           "newest N; never journal.jsonl, the key (.secret.key), the parse cache or the top-level outputs.")
    prune.add_argument("--out", required=True, type=Path, help="output folder")
    prune.add_argument("--keep", required=True, type=int, help="runs to keep, newest first (at least 1)")

    cache = sub.add_parser("cache", help="manage the parse cache", description="Clear the cache of parsed files in --out.")
    cache.add_argument("action", choices=["clear"])
    cache.add_argument("--out", required=True, type=Path)
    return parser
