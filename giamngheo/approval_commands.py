"""`giamngheo approve`, `acknowledge`, `diff --against approved` and `journal verify`: each reads the
current run (the top of --out) and the journal, and only ever appends to the journal."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from . import journal
from .approval import (
    APPROVAL_COLUMNS,
    COMMUNE_TABLES,
    FAILURES,
    FILE_CHANGE,
    changed_figures,
    figures_of,
    replay,
    sha256_of_files,
)

RUNS, CURRENT = "runs", "current"


class Refused(ValueError):
    """A request the journal must not record (an error acknowledged, a commune with no figures, no run)."""


def current_run_dir(out: Path) -> Path:
    """The folder of the run at the top of --out (current -> runs/<id>; by manifest when published by copying)."""
    out = Path(out)
    if (out / CURRENT / "manifest.json").is_file():
        return (out / CURRENT).resolve()
    try:
        run_id = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run_id"]
    except (OSError, ValueError, KeyError, TypeError):
        raise Refused(f"không có lần chạy nào trong {out} (no run in --out)") from None
    run_dir = out / RUNS / str(run_id)
    return run_dir if (run_dir / "manifest.json").is_file() else out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _code(text: str) -> str:
    return text.strip().zfill(5) if text.strip().isdigit() else text.strip()


def _table(run_dir: Path, name: str) -> pl.DataFrame | None:
    path = run_dir / name
    if not path.exists():
        return None
    frame = pl.read_parquet(path)
    return frame.drop([c for c in APPROVAL_COLUMNS if c in frame.columns])


def _files(manifest: dict) -> dict[str, str]:
    return {f["path"]: f.get("sha256") for f in manifest.get("files") or [] if f.get("path")}


def approve(out: Path, by: str, communes: list[str] | None = None, all_accepted: bool = False, kind: str | None = None,
            note: str | None = None) -> dict:
    """Approve the current run's accepted figures of `communes` (or every accepted commune) and journal them."""
    if not by or not by.strip():
        raise Refused("thiếu người phê duyệt (--by is required)")
    if kind is not None and kind not in COMMUNE_TABLES:
        raise Refused(f"loại báo cáo {kind!r} không có bảng cấp xã; chọn một trong: {', '.join(COMMUNE_TABLES)}")
    if not communes and not all_accepted:
        raise Refused("chọn --commune CODE … hoặc --all-accepted")
    run_dir = current_run_dir(out)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    files = _files(manifest)
    wanted = {_code(c) for c in communes or []}
    items = []
    for k, table in COMMUNE_TABLES.items():
        frame = _table(run_dir, table) if kind in (None, k) else None
        if frame is None or "commune_code" not in frame.columns:
            continue
        rows = frame.filter(pl.col("status") == "accepted") if "status" in frame.columns else frame
        if wanted:
            rows = rows.filter(pl.col("commune_code").is_in(sorted(wanted)))
        for row in rows.sort("commune_code").iter_rows(named=True):
            source = row.get("source_file")
            items.append({"kind": k, "table": table, "commune_code": row["commune_code"], "commune_name": row.get("commune_name"),
                          "source_file": source, "sha256": files.get(source), "figures": figures_of(row)})
    missing = sorted(wanted - {i["commune_code"] for i in items})
    if missing:
        what = f" ({kind})" if kind else ""
        raise Refused(f"không có số liệu được chấp nhận{what} của xã {', '.join(missing)} trong lần chạy {run_dir.name}; "
                      "không phê duyệt gì (no accepted figures for these communes; nothing approved)")
    if not items:
        raise Refused("không có xã nào được chấp nhận để phê duyệt (no accepted commune to approve)")
    body = {"action": "approve", "by": by.strip(), "at": _now(), "run_id": manifest.get("run_id", run_dir.name),
            "note": note, "approvals": items, "files": {i["source_file"]: i["sha256"] for i in items if i["source_file"]}}
    return journal.append(out, body)


def acknowledge(out: Path, commune: str, rule: str, by: str, reason: str, cell: str | None = None) -> dict:
    """Acknowledge the current run's warnings of `rule` for a commune (at `cell`), with the values they hold."""
    from schemas.rules import RULE_BY_ID

    if not by or not by.strip() or not reason or not reason.strip():
        raise Refused("cần --by và --reason (who and why are required)")
    known = RULE_BY_ID.get(rule)
    if known is not None and known.severity == "error":
        raise Refused(f"không thể giải trình lỗi (error) «{rule}»: lỗi cần tệp đã sửa, không giải trình được "
                      "(errors cannot be acknowledged: they need a corrected file)")
    run_dir = current_run_dir(out)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    failures = pl.read_parquet(run_dir / FAILURES) if (run_dir / FAILURES).exists() else pl.DataFrame()
    code = _code(commune)
    if failures.is_empty():
        raise Refused(f"lần chạy {run_dir.name} không có lỗi kiểm tra nào (no failures in the current run)")
    found = failures.filter((pl.col("commune_code") == code) & (pl.col("rule") == rule))
    if cell:
        found = found.filter(pl.col("cell") == cell.strip().upper())
    where = f" tại ô {cell}" if cell else ""
    if found.is_empty():
        raise Refused(f"xã {code} không có cảnh báo «{rule}»{where} trong lần chạy {run_dir.name} (no such warning)")
    if (found["severity"] == "error").any():
        raise Refused(f"«{rule}»{where} của xã {code} là lỗi (error): lỗi cần tệp đã sửa, không giải trình được "
                      "(errors cannot be acknowledged: they need a corrected file)")
    files = _files(manifest)
    items = [{"commune_code": r["commune_code"], "rule": r["rule"], "cell": r.get("cell"), "field": r.get("field"),
              "value": r.get("value"), "severity": r.get("severity"), "kind": r.get("kind"), "source_file": r.get("source_file"),
              "source_sheet": r.get("source_sheet"), "sha256": files.get(r.get("source_file"))}
             for r in found.iter_rows(named=True)]
    body = {"action": "acknowledge", "by": by.strip(), "at": _now(), "run_id": manifest.get("run_id", run_dir.name),
            "reason": reason.strip(), "acknowledgements": items,
            "files": {i["source_file"]: i["sha256"] for i in items if i["source_file"]}}
    return journal.append(out, body)


def diff_against_approved(out: Path) -> dict:
    """What changed in the current run since each commune's approval: per commune, each figure's approved and current value."""
    run_dir = current_run_dir(out)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    state = replay(journal.read(out))
    changed, unchanged = [], 0
    for kind, table in COMMUNE_TABLES.items():
        approvals = [a for (k, _), a in sorted(state.approvals.items()) if k == kind]
        if not approvals:
            continue
        frame = _table(run_dir, table)
        frame = pl.DataFrame(schema={"commune_code": pl.String}) if frame is None else frame
        frame = (frame.join(sha256_of_files(manifest).unique("source_file"), on="source_file", how="left")
                 if "source_file" in frame.columns else frame.with_columns(pl.lit(None, pl.String).alias("sha256")))
        moved: dict[str, list[str]] = {}
        for code, fld in changed_figures(frame, approvals).iter_rows():
            moved.setdefault(code, []).append(fld)
        rows = {r["commune_code"]: r for r in frame.iter_rows(named=True)}
        for a in approvals:
            code, row = a["commune_code"], rows.get(a["commune_code"])
            if row is None:
                changes = [{"field": "status", "approved": a["figures"].get("status"), "current": "missing"}]
            else:
                changes = [
                    {
                        "field": f,
                        "approved": a.get("sha256") if f == FILE_CHANGE else a["figures"].get(f),
                        "current": row.get("sha256") if f == FILE_CHANGE else row.get(f),
                    }
                    for f in sorted(moved.get(code, []))
                ]
            if not changes:
                unchanged += 1
                continue
            changed.append({"kind": kind, "commune_code": code, "commune_name": (row or a).get("commune_name"),
                            "approved_at": a.get("at"), "approved_by": a.get("by"), "approved_run_id": a.get("run_id"),
                            "source_file": (row or {}).get("source_file"), "changes": changes})
    _with_details(out, run_dir, changed)
    d = {"against": "approved", "run_id": manifest.get("run_id", run_dir.name), "approved": unchanged + len(changed),
         "unchanged": unchanged, "changed": changed}
    return json.loads(json.dumps(d, ensure_ascii=False, default=str))


def _with_details(out: Path, run_dir: Path, changed: list[dict]) -> None:
    """Each changed report's `details`: the villages and detail rows (an indicator, a roadmap's year and item) that moved
    since the run its approval was made on, where that run is still kept (`details_unavailable` where retention removed
    it). The journal keeps a commune row's figures only: a changed deprivation table was said by its file's SHA-256
    alone (season judge, Quảng Ninh)."""
    from .diff import commune_details

    groups: dict[tuple, list[dict]] = {}
    for c in changed:
        groups.setdefault((c["kind"], c.get("approved_run_id")), []).append(c)
    for (kind, approved_run), entries in groups.items():
        before = out / RUNS / str(approved_run) if approved_run else None
        if before is None or not (before / "manifest.json").is_file():
            for c in entries:
                c["details_unavailable"] = True
            continue
        if before.resolve() == run_dir.resolve():
            continue
        found = commune_details(before, run_dir, kind, [c["commune_code"] for c in entries])
        for c in entries:
            if c["commune_code"] in found:
                c["details"] = found[c["commune_code"]]


def render_against_approved(d: dict, limit: int = 50) -> str:
    """The diff against approval as text for people, Vietnamese first."""
    from schemas.columns import label_vi

    from .diff_text import detail_lines
    from .reports.analyst_layout import KIND_VI

    lines = [f"So với số liệu đã phê duyệt — lần chạy {d['run_id']} (changes since approval)",
             f"{d['approved']} báo cáo đã phê duyệt: {d['unchanged']} không đổi, {len(d['changed'])} đã thay đổi"]
    if not d["approved"]:
        return lines[0] + "\nChưa có xã nào được phê duyệt (nothing approved yet)."
    for c in d["changed"][:limit]:
        lines.append(f"- {c.get('commune_name') or ''} ({c['commune_code']}), {KIND_VI.get(c['kind'], c['kind'])}: "
                     f"phê duyệt {c['approved_at']} bởi {c['approved_by']}")
        for ch in c["changes"]:
            name = "Tệp (SHA-256)" if ch["field"] == FILE_CHANGE else label_vi(ch["field"])
            lines.append(f"    {name} [{ch['field']}]: {_shown(ch['approved'])} → {_shown(ch['current'])}")
        lines += [f"    {line}" for line in detail_lines(c.get("details") or {}, limit)]
        if c.get("details_unavailable"):
            lines.append("    (lần chạy lúc phê duyệt không còn lưu: không so được từng thôn, chỉ số, hạng mục)")
    if len(d["changed"]) > limit:
        lines.append(f"  … và {len(d['changed']) - limit} báo cáo khác")
    return "\n".join(lines)


def _shown(v) -> str:
    from .diff_text import value_text

    text = str(v)
    return text[:12] + "…" if len(text) == 64 and all(ch in "0123456789abcdef" for ch in text) else value_text(v)
