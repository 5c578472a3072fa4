"""What a run prints when it ends: commune counts, province figures, failures, where the outputs are."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .kinds import KIND_BY_NAME
from .vn import vn_int, vn_pct


@dataclass
class RunSummary:
    run_id: str
    out: Path
    run_dir: Path
    provinces: list[dict]
    below_target: list[dict]
    rejected: list[dict]
    failures_by_severity: dict[str, int]
    files: int
    files_parsed: int
    results: list[dict] = field(default_factory=list)
    ledger: dict = field(default_factory=dict)
    report_problems: list[dict] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    acknowledged: int = 0  # warnings explained (giamngheo acknowledge): listed, not counted above
    hint: str | None = None  # what to run instead, when the run's own figures suggest it (province_hint)

    @staticmethod
    def counts_of(provinces: pl.DataFrame, failures: pl.DataFrame) -> dict:
        sev = failures.group_by("severity").len().to_dicts() if not failures.is_empty() else []
        return {
            "provinces": provinces.select(
                "province_code", "communes_expected", "communes_accepted", "communes_rejected", "communes_missing"
            ).to_dicts(),
            "failures": {d["severity"]: d["len"] for d in sev},
        }

    @classmethod
    def build(
        cls,
        run_id,
        out,
        run_dir,
        provinces: pl.DataFrame,
        communes: pl.DataFrame,
        failures: pl.DataFrame,
        records,
        reports=None,
        province_fixed: bool = True,
    ):
        advice = [unresolved_files(failures, province_fixed), None if province_fixed else province_hint(communes, failures)]
        hint = "\n".join(filter(None, advice)) or None
        counts = _published_counts(run_dir) or cls.counts_of(provinces, failures)
        sev, acknowledged = counts["failures"], counts.get("acknowledged_warnings", 0)
        below = communes.filter(pl.col("meets_assigned_target") == False)  # noqa: E712
        return cls(
            run_id=run_id,
            out=out,
            run_dir=run_dir,
            provinces=provinces.to_dicts(),
            below_target=below.select(
                "commune_code", "commune_name", "planned_poor_reduction_pp", "assigned_poor_reduction_pp"
            ).to_dicts(),
            rejected=communes.filter(pl.col("status") == "rejected")
            .select("commune_code", "commune_name", "source_file")
            .to_dicts(),
            failures_by_severity=sev,
            files=len(records),
            files_parsed=sum(1 for r in records if r.parsed),
            ledger=reports.ledger if reports else {},
            report_problems=reports.problems if reports else [],
            reports=reports.written if reports else [],
            acknowledged=acknowledged,
            hint=hint,
        )

    def render(self) -> str:
        lines = [
            f"giamngheo: lần chạy {self.run_id} — {self.files} tệp ({self.files_parsed} đọc mới, "
            f"{self.files - self.files_parsed} từ bộ nhớ đệm)"
        ]
        for p in self.provinces:
            lines += [
                f"{p['province_name']} ({p['province_code']}), năm {p['year']}:",
                f"  Xã/phường: {p['communes_accepted']} chấp nhận, {p['communes_rejected']} bị từ chối, "
                f"{p['communes_missing']} chưa nộp (trên {p['communes_expected']})",
                f"  Tổng số hộ {vn_int(p['total_households'])}; hộ nghèo {vn_int(p['poor_households'])} "
                f"({vn_pct(p['poor_rate_pct'])}%); hộ cận nghèo {vn_int(p['near_poor_households'])} "
                f"({vn_pct(p['near_poor_rate_pct'])}%)",
                f"  Kế hoạch giảm hộ nghèo {vn_int(p['poor_reduction_target'])} hộ = {vn_pct(p['planned_poor_reduction_pp'])} "
                f"điểm %; "
                f"đạt chỉ tiêu giao: {p['communes_meeting_target']}, dưới chỉ tiêu: {p['communes_below_target']}",
            ]
            if p.get("poor_households_end") is not None:
                lines.append(
                    f"  Kết quả cuối năm: hộ nghèo {vn_int(p['poor_households_end'])} ({vn_pct(p.get('poor_rate_end_pct'))}%"
                    f"{_rate_basis(p)}), "
                    f"giảm thực tế {vn_pct(p.get('actual_poor_reduction_pp'))} điểm %; đạt "
                    f"{p.get('communes_met_target_actual', 0)}, "
                    f"không đạt {p.get('communes_missed_target_actual', 0)}"
                )
        if self.below_target:
            names = ", ".join(
                f"{c['commune_name']} ({vn_pct(c['planned_poor_reduction_pp'])} < {vn_pct(c['assigned_poor_reduction_pp'])})"
                for c in self.below_target[:10]
            )
            more = f" và {len(self.below_target) - 10} xã khác" if len(self.below_target) > 10 else ""
            lines.append(f"  Dưới chỉ tiêu giao: {names}{more}")
        if self.rejected:
            names = ", ".join(f"{c['commune_name']}" for c in self.rejected[:10])
            more = f" và {len(self.rejected) - 10} xã khác" if len(self.rejected) > 10 else ""
            lines.append(f"  Bị từ chối: {names}{more}")
        for kind, s in sorted(self.ledger.items()):
            if not isinstance(s, dict) or not s.get("received"):
                continue
            label = KIND_BY_NAME[kind].heading_vi if kind in KIND_BY_NAME else kind
            timely = f"; đúng hạn {vn_pct(s['timeliness_pct'])}%" if s.get("timeliness_pct") is not None else ""
            refused = (
                f"; bị từ chối {s['rejected']}" if s.get("rejected") else ""
            )  # a kind's own: a commune's results apart from its plan
            lines.append(
                f"  Nộp bài ({label}): {s['received']}/{s['expected']} xã ({vn_pct(s.get('completeness_pct'))}%){timely}{refused}"
            )
        lines.append(
            f"Lỗi kiểm tra: {self.failures_by_severity.get('error', 0)} lỗi (error), "
            f"{self.failures_by_severity.get('warning', 0)} cảnh báo (warning)"
            + (f"; {self.acknowledged} cảnh báo đã giải trình (acknowledged)" if self.acknowledged else "")
        )
        if self.report_problems:
            lines.append(f"Cảnh báo: {len(self.report_problems)} báo cáo không tạo được (xem manifest.json): "
                         + "; ".join(p["report"] for p in self.report_problems[:5]))
        if self.hint:
            lines.append(self.hint)
        lines.append(f"Kết quả: {self.out}  (bản lưu: {self.run_dir})")
        if "bao_cao_tong_hop.xlsx" in self.reports:
            lines.append(
                f"  Báo cáo tổng hợp: {self.out / 'bao_cao_tong_hop.xlsx'};  báo cáo kiểm tra: "
                f"{self.out / 'bao_cao_kiem_tra.html'}"
            )
        return "\n".join(lines)


_CANDIDATE = re.compile(r"\(([^(),]+), \d{5}\)")  # "Xã Thạnh Phú (Tỉnh Đồng Tháp, 28771)": the candidate's province


def unresolved_files(failures: pl.DataFrame, province_fixed: bool = True, shown: int = 5) -> str | None:
    """The files whose commune could not be found (commune_resolved of a file, not a targets row), named with the
    provinces their name is in: set aside, they count in no figure, and a run's summary said only "1 lỗi" (independent
    probe, national run)."""
    if failures.is_empty():
        return None
    of_a_file = pl.col("kind").is_null() | (pl.col("kind") != "targets")  # a targets workbook's row is no commune's file
    unresolved = failures.filter((pl.col("rule") == "commune_resolved") & of_a_file).unique(
        "source_file", keep="first", maintain_order=True)
    if unresolved.is_empty():
        return None
    named = []
    for file, expected in unresolved.select("source_file", "expected").iter_rows():
        provinces = list(dict.fromkeys(_CANDIDATE.findall(expected or "")))
        named.append(f"{file} (tên có ở {', '.join(provinces)})" if len(provinces) > 1 else file)
    more = f" và {len(named) - shown} tệp khác" if len(named) > shown else ""
    fix = "tên xã/phường trong tiêu đề hoặc tên tệp" if province_fixed else (
        "tên xã và tỉnh trong tiêu đề, hoặc chạy theo tỉnh với --province")
    return (f"Không xác định được xã của {len(named)} tệp, không tính vào số liệu: {'; '.join(named[:shown])}{more}. Cần ghi "
            f"rõ {fix} (chi tiết: validation_failures.parquet, quy tắc commune_resolved; files whose commune was not found)")


def province_hint(communes: pl.DataFrame, failures: pl.DataFrame) -> str | None:
    """A run with no province whose communes are nearly all one province's, and files left unresolved because their
    commune's name is also one in other provinces (which --province would settle): say so."""
    by_province = (
        communes.filter(pl.col("status") != "missing")
        .group_by("province_code", "province_name")
        .len()
        .sort("len", descending=True)
    )
    if by_province.is_empty() or by_province["len"][0] < 3 or by_province["len"][0] < 0.8 * by_province["len"].sum():
        return None
    code, name = by_province["province_code"][0], by_province["province_name"][0]
    ambiguous = failures.filter(
        (pl.col("rule") == "commune_resolved") & pl.col("expected").str.contains(f"({name},", literal=True)
    )
    files = ambiguous["source_file"].n_unique()
    if not files:
        return None
    return (f"Gợi ý: {files} tệp không xác định được xã vì tên xã có ở nhiều tỉnh, thành phố, trong khi các xã khác của lần chạy "
            f"thuộc {name} ({code}): chạy lại với --province {code} (hoặc --targets) để đọc các tệp này "
            f"(hint: run again with --province {code})")


def _published_counts(run_dir) -> dict | None:
    """The published run's counts (manifest.json): its open failures by severity and its acknowledged warnings, as
    approval.annotate_staged counted them from the journal; None for a run not published."""
    try:
        counts = json.loads((Path(run_dir) / "manifest.json").read_bytes())["counts"]
    except (TypeError, OSError, ValueError, KeyError):
        return None
    return counts if isinstance(counts.get("failures"), dict) else None


def _rate_basis(p: dict) -> str:
    """" ở 19/24 xã có tổng số hộ cuối năm" when the end rate is over fewer communes than the poor counted: 4.037 poor
    of 24 communes beside a rate of 19 read as the rate of those 4.037 (independent probe, Nghệ An)."""
    over, of = p.get("poor_rate_end_communes"), p.get("communes_with_results")
    if over is None or of is None or over >= of or p.get("poor_rate_end_pct") is None:
        return ""
    return f" ở {over}/{of} xã có tổng số hộ cuối năm"
