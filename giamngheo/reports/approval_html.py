"""The validation report's approval parts (issue 19): a badge per commune report with its approval
state, and a section listing every commune report's state, who approved it and what moved since.
Read from the run's commune-level tables (giamngheo/approval.py gives them the columns)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

import polars as pl

from giamngheo.approval import COMMUNE_TABLES
from giamngheo.kinds import KIND_BY_NAME
from schemas.columns import label_vi

from .analyst_layout import VIETNAM
from ..vn import vn_int

APPROVAL_VI = {
    "approved": "Đã phê duyệt",
    "changed_since_approval": "Đã thay đổi từ khi phê duyệt",
    "not_approved": "Chưa phê duyệt",
}
APPROVAL_CSS = (".badge.changed_since_approval { background:#fbe3e0; color:#9b2c20; } .badge.not_approved { background:#eee; "
                "color:#555; } .ack { margin-top:4px; font-size:12px; color:#2d6a3e; } tr.acknowledged { opacity:.75; }")
SHOWN = ("commune_code", "commune_name", "approval", "approved_by", "approved_at", "approval_changes")


def changes_vi(ids: str | None) -> str | None:
    """approval_changes ("poor_households, poor_rate_pct, sha256": ids for programs) as the people reading the reports
    name them ("Số hộ nghèo; Tỷ lệ hộ nghèo (%); nội dung tệp đã nộp")."""
    if not ids:
        return ids
    named = {"sha256": "nội dung tệp đã nộp", "source_file": "tệp được dùng"}
    return "; ".join(named.get(f) or label_vi(f) for f in ids.split(", "))


def _approved_at(value) -> str | None:
    """An approval's time (journal: UTC, ISO) in Vietnam time, as the workbook gives it."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return str(value)[:16]


def _e(value) -> str:
    return "—" if value is None else escape(str(value), quote=True)


def _heading(kind: str) -> str:
    return KIND_BY_NAME[kind].heading_vi if kind in KIND_BY_NAME else kind


def approval_states(run_dir: Path) -> list[dict]:
    """(kind, commune, approval, approved_by, approved_at, approval_changes) of every commune-level row of a run."""
    rows = []
    for kind, table in COMMUNE_TABLES.items():
        path = Path(run_dir) / table
        frame = pl.read_parquet(path) if path.exists() else None
        if frame is not None and {"commune_code", "approval"} <= set(frame.columns):
            rows += [{"kind": kind, **{k: r.get(k) for k in SHOWN}} for r in frame.sort("commune_code").iter_rows(named=True)]
    return rows


def badge(state: str | None, text: str) -> str:
    return f'<span class="badge {_e(state)}">{_e(text)}</span>'


def approval_badges(rows: list[dict]) -> dict[str, str]:
    """Per commune, a badge per report kind with its approval state."""
    out: dict[str, str] = {}
    for r in rows:
        state = r["approval"]
        text = f"{_heading(r['kind'])}: {APPROVAL_VI.get(state, state).lower()}"
        out[r["commune_code"]] = out.get(r["commune_code"], "") + badge(state, text)
    return out


def approval_section(rows: list[dict]) -> str:
    """Counts by approval state, then every commune report (folded): state, who, when, what moved since."""
    if not rows:
        return ""
    counts = {s: sum(r["approval"] == s for r in rows) for s in APPROVAL_VI}
    tone = {"approved": "good", "changed_since_approval": "bad", "not_approved": "muted"}
    cards = "".join(
        f'<div class="card {tone[s] if n else ""}"><div class="k">{APPROVAL_VI[s]} <small>{s}</small></div>'
        f'<div class="v">{vn_int(n)}</div><div class="n">báo cáo của xã/phường</div></div>'
        for s, n in counts.items()
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Xã/phường",
            "Mã",
            "Báo cáo",
            "Phê duyệt",
            "Người phê duyệt",
            "Thời điểm (giờ Việt Nam)",
            "Thay đổi từ khi phê duyệt",
        )
    )
    body = "".join(
        f"<tr><td>{_e(r['commune_name'])}</td><td>{_e(r['commune_code'])}</td><td>{_e(_heading(r['kind']))}</td>"
        f"<td>{badge(r['approval'], APPROVAL_VI.get(r['approval'], r['approval']))}</td><td>{_e(r['approved_by'])}</td>"
        f"<td>{_e(_approved_at(r['approved_at']))}</td><td>{_e(changes_vi(r['approval_changes']))}</td></tr>"
        for r in rows
    )
    return (
        f'<section id="phe-duyet"><h2>Phê duyệt số liệu <small>approval (chốt số liệu)</small></h2><div '
        f'class="cards">{cards}</div>'
        f'<details class="list"><summary>{vn_int(len(rows))} báo cáo — xem danh sách</summary>'
        f'<table class="compact"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></section>'
    )
