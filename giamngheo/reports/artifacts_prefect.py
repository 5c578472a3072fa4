"""The validation report in the Prefect UI: a table of failure counts and a markdown summary of the run.

Call it from inside the flow (or one of its tasks) after the run folder is written and the
HTML report made. Outside a flow run it does nothing: the CLI, tests and report rebuilds
of old runs must not need a Prefect server. Artifacts are a convenience, so a failure to
create one is logged, never raised: the run's files are the record.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import polars as pl

from giamngheo.approval import open_failures

from ..safe_errors import described
from ..vn import vn_dec, vn_int
from .html_report import REPORT_NAME
from .run_data import SEVERITY_VI, load_run, rule_title

log = logging.getLogger(__name__)


def _in_run() -> bool:
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key (lowercase letters, numbers, dashes) made from free text."""
    raw = "-".join(p for p in parts if p)
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", raw.lower())).strip("-") or "giamngheo"


def _md(text) -> str:
    """Markdown-inert text: commune names and file names must not turn into links or markup."""
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~-])", r"\\\1", "—" if text is None else str(text))


def failure_table(failures: pl.DataFrame) -> list[dict]:
    """Failure counts by commune and rule, errors first, as rows for a table artifact."""
    counts = (
        failures.group_by("commune_code", "rule", "severity")
        .agg(pl.col("commune_name").drop_nulls().first(), pl.len().cast(pl.Int64).alias("n"))
        .sort(pl.col("severity") != "error", pl.col("commune_code").fill_null(""), "rule")
    )
    return [
        {"ma_xa": r["commune_code"] or "", "xa_phuong": r["commune_name"] or "Chưa xác định được xã/phường",
         "quy_tac": r["rule"], "ten_quy_tac": rule_title(r["rule"]),
         "muc_do": SEVERITY_VI.get(r["severity"], r["severity"]), "so_loi": r["n"]}
        for r in counts.iter_rows(named=True)
    ]


def _province_rows(p: dict) -> list[tuple[str, str]]:
    def n(key):
        return vn_int(p.get(key))

    def d(key):
        return vn_dec(p.get(key))

    rows = [
        ("Xã/phường chấp nhận / bị từ chối / chưa nộp",
         f"{n('communes_accepted')} / {n('communes_rejected')} / {n('communes_missing')} (trên {n('communes_expected')})"),
        ("Tổng số hộ", n("total_households")),
        ("Hộ nghèo", f"{n('poor_households')} ({d('poor_rate_pct')}%)"),
        ("Hộ cận nghèo", f"{n('near_poor_households')} ({d('near_poor_rate_pct')}%)"),
        ("Kế hoạch giảm hộ nghèo", f"{n('poor_reduction_target')} hộ = {d('planned_poor_reduction_pp')} điểm %"),
        ("Đạt / dưới chỉ tiêu giao", f"{n('communes_meeting_target')} / {n('communes_below_target')}"),
    ]
    if p.get("poor_households_end") is not None:
        rows += [
            ("Tỷ lệ hộ nghèo đầu kỳ → cuối kỳ", f"{d('poor_rate_start_pct')}% → {d('poor_rate_end_pct')}%"),
            ("Giảm thực tế", f"{d('actual_poor_reduction_pp')} điểm %"),
            ("Đạt / không đạt chỉ tiêu (thực tế)",
             f"{n('communes_met_target_actual')} / {n('communes_missed_target_actual')}"),
        ]
    return rows


def summary_markdown(run_dir: Path) -> str:
    """The province figures of a run and where its report is, as markdown."""
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    failures = open_failures(run.failures)  # acknowledged warnings are not open
    errors = int((failures["severity"] == "error").sum())
    warnings = int((failures["severity"] == "warning").sum())
    lines = [f"# Báo cáo kiểm tra số liệu giảm nghèo — lần chạy `{run.manifest.get('run_id', run_dir.name)}`", ""]
    for p in run.provinces.iter_rows(named=True):
        lines += [f"## {_md(p.get('province_name'))} ({_md(p.get('province_code'))}), năm {p.get('year')}", "",
                  "| Chỉ tiêu | Giá trị |", "|---|---:|", *(f"| {k} | {v} |" for k, v in _province_rows(p)), ""]
    report = Path(run_dir).resolve() / REPORT_NAME
    lines += [
        f"**Lỗi kiểm tra:** {vn_int(errors)} lỗi (error), {vn_int(warnings)} cảnh báo (warning).", "",
        f"**Báo cáo đầy đủ:** [{REPORT_NAME}]({report.as_uri()}) — `{report}`",
        f"(bảng tính: `{report.with_suffix('.xlsx')}`)",
    ]
    return "\n".join(lines)


def publish_prefect_artifacts(run_dir: Path) -> None:
    """Attach a failure-count table and a markdown summary to the current flow run; a no-op outside one."""
    if not _in_run():
        return
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    run_dir = Path(run_dir)
    try:
        run = load_run(run_dir)
        codes = run.provinces["province_code"].to_list() if "province_code" in run.provinces.columns else []
        scope = codes[0] if len(codes) == 1 else "toan-quoc"
        create_table_artifact(
            table=failure_table(run.failures) or [{"ma_xa": "", "xa_phuong": "", "quy_tac": "", "ten_quy_tac": "Không có lỗi",
                                                    "muc_do": "", "so_loi": 0}],
            key=artifact_key("giamngheo-loi", scope),
            description="Số lỗi kiểm tra theo xã/phường và quy tắc (failure counts by commune and rule).",
        )
        create_markdown_artifact(
            markdown=summary_markdown(run_dir),
            key=artifact_key("giamngheo-bao-cao", scope),
            description="Số liệu toàn tỉnh và đường dẫn báo cáo kiểm tra.",
        )
    except Exception as exc:  # noqa: BLE001 - an artifact is a courtesy; the run's files already hold everything
        # its type and place, no message nor traceback (Prefect keeps log lines in its database; a message may quote a cell)
        log.warning("could not publish the Prefect artifacts of %s: %s", run_dir, described(exc))
