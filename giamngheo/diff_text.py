"""A run comparison (`diff.diff_runs`) as text for people: Vietnamese, with the run ids, and numbers as the
summary prints them ("1.234", "3,46")."""

from __future__ import annotations

from giamngheo.diff import OUTPUTS, lists
from giamngheo.reports.analyst_layout import ASSESSMENT_VI, KIND_VI
from giamngheo.vn import vn_int, vn_pct
from schemas.columns import label_vi

STATUS_VI = {"accepted": "chấp nhận", "rejected": "bị từ chối", "missing": "chưa nộp", "targets": "biểu giao chỉ tiêu của tỉnh"}


def render_diff(d: dict, limit: int = 50) -> str:
    """The diff as text for people, Vietnamese first; each list cut at `limit` lines."""
    lines = [f"So sánh lần chạy {d['run_a']['run_id']} → {d['run_b']['run_id']} (run comparison)"]
    if d.get("empty"):
        return "\n".join(lines + ["Không có thay đổi nào (no changes)."])
    for kind in OUTPUTS:
        part = d.get(kind)
        if not part or not any(lists(part)):
            continue
        lines.append(f"\n== {KIND_VI[kind]} ==")
        lines += _section(
            "Xã, phường đổi tình trạng",
            part["communes_status"],
            limit,
            lambda c: f"{_commune(c)}: {STATUS_VI.get(c['before'], c['before'])} → {STATUS_VI.get(c['after'], c['after'])}",
        )
        villages = part["villages"]
        lines += _section(
            "Thôn, tổ mới", _by_commune(villages["added"]), limit, lambda g: f"{_commune(g)}: {_names(g['villages'])}"
        )
        lines += _section(
            "Thôn, tổ không còn", _by_commune(villages["removed"]), limit, lambda g: f"{_commune(g)}: {_names(g['villages'])}"
        )
        lines += _section(
            "Số liệu thôn, tổ thay đổi",
            villages["changed"],
            limit,
            lambda v: f"{_commune(v)}, {_village(v)}: {_changes(v['changes'])}",
        )
        lines += _section(
            "Số liệu xã, phường thay đổi", part["communes"], limit, lambda c: f"{_commune(c)}: {_changes(c['changes'])}"
        )
        for table, rows in part.get("details", {}).items():
            lines += _section(f"Số liệu chi tiết thay đổi ({table})", rows, limit, _detail_line)
        lines += _section(
            "Số liệu tỉnh thay đổi",
            part["provinces"],
            limit,
            lambda p: f"{p.get('province_name') or p['province_code']}: {_changes(p['changes'])}",
        )
    failures = d["failures"]
    unflagged, reopened = failures.get("no_longer_flagged", []), failures.get("reopened", [])
    flagged = failures.get("flagged_unchanged", [])
    if failures["appeared"] or failures["fixed"] or unflagged or reopened or flagged:
        lines.append("\n== Lỗi kiểm tra (validation failures) ==")
        lines += _section("Mới xuất hiện", failures["appeared"], limit, _failure_line)
        lines += _section(
            "Cảnh báo đã giải trình nay mở lại (giá trị ô đã đổi)",
            reopened,
            limit,
            lambda f: f"{_failure_line(f)} (trước: {f.get('value_before')})",
        )
        lines += _section("Đã được sửa", failures["fixed"], limit, _failure_line)
        lines += _section("Không còn nêu, tệp không đổi (so sánh với các xã khác đã thay đổi)", unflagged, limit, _failure_line)
        lines += _section("Mới nêu, tệp không đổi (so sánh với các xã khác đã thay đổi)", flagged, limit, _failure_line)
    files = d["files"]
    if any(files.values()):
        lines.append("\n== Tệp nhận được (files) ==")
        lines += _section("Tệp mới", files["added"], limit, lambda f: f"{f['path']} ({_status(f['status'])})")
        lines += _section("Tệp không còn", files["removed"], limit, lambda f: f"{f['path']} ({_status(f['status'])})")
        lines += _section(
            "Tệp đổi tên hoặc chuyển chỗ, nội dung không đổi",
            files.get("renamed", []),
            limit,
            lambda f: f"{f['path_before']} → {f['path']} ({_status(f['status_after'])})",
        )
        lines += _section(
            "Tệp có nội dung thay đổi",
            files["changed"],
            limit,
            lambda f: (
                f"{f['path']}: sha256 {f['sha256_before'][:12]} → {f['sha256_after'][:12]}, "
                f"{_status(f['status_before'])} → {_status(f['status_after'])}{_dated(f)}"
            ),
        )
        lines += _section(
            "Tệp đổi tình trạng",
            files["status_changed"],
            limit,
            lambda f: f"{f['path']}: {_status(f['status_before'])} → {_status(f['status_after'])}",
        )
    return "\n".join(lines)



_GROUP_VI = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}


def _detail_line(row: dict) -> str:
    """A detail table's row that changed: whose, which year, item or indicator, and its figures."""
    who = _commune(row) if row.get("commune_code") else row.get("province_name") or row.get("province_code")
    if row.get("village_name"):
        who += f", {_village(row)}"
    what = []
    if row.get("year") is not None:
        what.append("cả giai đoạn" if str(row["year"]) == "total" else f"năm {row['year']}")
    if row.get("item") is not None:
        what.append(row.get("item_label") or row["item"])
    if row.get("indicator_id") is not None:
        what.append(f"chỉ số {row['indicator_id']}" + (f" ({row['indicator']})" if row.get("indicator") else ""))
    if row.get("group") is not None:
        what.append(_GROUP_VI.get(row["group"], row["group"]))
    def whole(v):  # a roadmap's households are held as decimals: 26, not 26,00
        return int(v) if isinstance(v, float) and v.is_integer() else v

    changes = {f: {k: whole(v) for k, v in c.items()} for f, c in row["changes"].items()}
    return f"{who}, {', '.join(what)}: {_changes(changes)}"


def detail_lines(details: dict, limit: int = 50) -> list[str]:
    """One commune's villages and detail rows that moved (diff.commune_details), as text: `diff --against approved`."""
    villages = details.get("villages") or {"added": [], "removed": [], "changed": []}
    lines = _section("Thôn, tổ mới", villages["added"], limit, _village)
    lines += _section("Thôn, tổ không còn", villages["removed"], limit, _village)
    lines += _section("Số liệu thôn, tổ thay đổi", villages["changed"], limit,
                      lambda v: f"{_village(v)}: {_changes(v['changes'])}")
    for table, rows in details.items():
        if table != "villages":
            lines += _section(f"Số liệu chi tiết thay đổi ({table})", rows, limit, _detail_line)
    return lines


def _section(title: str, items: list, limit: int, line) -> list[str]:
    if not items:
        return []
    out = [f"{title} ({len(items)}):"] + [f"  - {line(item)}" for item in items[:limit]]
    if len(items) > limit:
        out.append(f"  … và {len(items) - limit} mục khác")
    return out


def _by_commune(villages: list[dict]) -> list[dict]:
    groups: dict[str, dict] = {}
    for v in villages:
        g = groups.setdefault(
            v["commune_code"], {"commune_code": v["commune_code"], "commune_name": v.get("commune_name"), "villages": []}
        )
        g["villages"].append(v)
    return list(groups.values())


def _names(villages: list[dict], shown: int = 8) -> str:
    names = ", ".join(_village(v) for v in villages[:shown])
    more = f" và {len(villages) - shown} thôn, tổ khác" if len(villages) > shown else ""
    return f"{len(villages)} thôn, tổ ({names}{more})"


def _commune(c: dict) -> str:
    return f"{c.get('commune_name') or ''} ({c['commune_code']})".strip()


def _village(v: dict) -> str:
    return f"{v['village_name']}" + (f" [{v['section']}]" if v.get("section") else "")


_PLAIN = frozenset({"year"})  # numbers that are no quantities: "Năm 2026", never "2.026"


def _changes(changes: dict) -> str:
    def text(field: str, v) -> str:
        return str(v) if field in _PLAIN and v is not None else value_text(v)

    return "; ".join(
        f"{_label(f)} {text(f, c['before'])} → {text(f, c['after'])}{'' if f in _PLAIN else _signed(c['delta'])}"
        for f, c in changes.items()
    )


def _label(field: str) -> str:
    return label_vi(field)


def value_text(v) -> str:
    """A figure as people read it: "1.234", "3,46", "có", an assessment in Vietnamese ("Không đạt", not "missed")."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, int):
        return vn_int(v)
    if isinstance(v, float):
        return vn_pct(v)
    return ASSESSMENT_VI.get(v, str(v))


def _dated(f: dict) -> str:
    """", ngày văn bản 10/06/2026 → 20/05/2026 (cũ hơn bản trước)" when a changed file's document date changed."""
    before, after = f.get("doc_date_before"), f.get("doc_date_after")
    if before == after or not (before or after):
        return ""
    older = " (cũ hơn bản trước)" if before and after and after < before else ""
    return f", ngày văn bản {_day(before)} → {_day(after)}{older}"


def _day(iso: str | None) -> str:
    return "—" if not iso else "/".join(reversed(iso[:10].split("-")))


def _signed(delta) -> str:
    if delta is None:
        return ""
    sign = "+" if delta > 0 else "-"
    return f" ({sign}{value_text(abs(delta))})"


def _status(status) -> str:
    return STATUS_VI.get(status, status or "—")


def _failure_line(f: dict) -> str:
    where = " ".join(x for x in (f.get("source_file"), f.get("source_sheet"), f.get("cell")) if x)
    return f"[{f.get('severity')}] {f.get('rule')} — {where}: {f.get('message') or ''}".rstrip(": ")
