"""The HTML report's list of every failure (section 4): one folding group per commune, errors first, a sub-heading
per file, each failure's cell, rule, value and message; the severity filter is CSS radio buttons, no JavaScript."""

from __future__ import annotations

from ..failures import value_vi
from ..vn import vn_int
from .approval_html import approval_badges, approval_states
from .html_parts import commune_anchor, escaped, severity_badge
from .run_data import FAILURE_COLUMNS, SEVERITY_VI, STATUS_VI, UNRESOLVED, RunData, rule_title

OPEN_ALL_UP_TO = 300  # failures; above this the commune lists start folded so the page stays usable
VALUE_CHARS = 500  # a cell may hold 32 767 characters of junk; the page shows the start of it


def _value(text) -> str:
    if text is None:
        return "—"
    text = str(text)
    more = f'<span class="more"> … (+{vn_int(len(text) - VALUE_CHARS)} ký tự)</span>' if len(text) > VALUE_CHARS else ""
    return f'<code class="val">{escaped(text[:VALUE_CHARS])}</code>{more}'


def _failure_row(r: dict) -> str:
    sev = r["severity"] if r["severity"] in SEVERITY_VI else "warning"
    acked = r.get("acknowledged") in (True, "true")
    ack = (f'<div class="ack">✓ Đã giải trình <small>acknowledged</small> — {escaped(r.get("acknowledged_by"))}: '
           f'{escaped(r.get("acknowledged_reason"))}</div>' if acked else "")
    return (
        f'<tr class="{sev}{" acknowledged" if acked else ""}"><td>{escaped(r["source_sheet"])}</td><td '
        f'class="cellref">{escaped(r["cell"])}</td>'
        f"<td>{escaped(rule_title(r['rule']))}<br><code>{escaped(r['rule'])}</code></td><td>{severity_badge(sev)}</td>"
        f"<td>{_value(value_vi(r['rule'], r['value']))}</td><td>{_value(value_vi(r['rule'], r['expected']))}</td>"
        f'<td>{escaped(r["message"])}<div class="en" lang="en">{escaped(r["message_en"])}</div>{ack}</td></tr>'
    )


def _has(items: list[dict], severity: str) -> str:
    """CSS classes the no-JS severity filter keys on."""
    return ("has-" if any(r["severity"] == severity for r in items) else "no-") + severity


def _badges(statuses: list[tuple[str, str]]) -> str:
    """The commune's status; with a plan and year-end results, each report's status by name."""
    if len(statuses) == 1:
        status = statuses[0][1]
        return f'<span class="badge {escaped(status)}">{escaped(STATUS_VI.get(status, status))}</span>'
    return "".join(f'<span class="badge {escaped(status)}">{kind}: {escaped(STATUS_VI.get(status, status)).lower()}</span>'
                   for kind, status in statuses)


def _commune_group(code: str, items: list[dict], statuses: list[tuple[str, str]], opened: str, approval: str = "") -> str:
    items.sort(key=lambda r: (r["severity"] != "error", r["source_file"] or "", r["source_sheet"] or "",
                              r["row"] or 0, r["column"] or 0, r["rule"] or ""))
    n_err = sum(r["severity"] == "error" for r in items)
    name = next((r["commune_name"] for r in items if r["commune_name"]), None) or (code or UNRESOLVED)
    badge = (_badges(statuses) if statuses else "") + approval
    chips = " ".join(f'<span class="sev {cls}">{vn_int(k)} {text}</span>'
                     for cls, k, text in (("error", n_err, "lỗi"), ("warning", len(items) - n_err, "cảnh báo")) if k)
    body: list[str] = []
    last_file: object = object()
    for r in items:  # a sub-heading per file rather than a file column: paths are long and repeat
        if r["source_file"] != last_file:
            last_file = r["source_file"]
            in_file = [x for x in items if x["source_file"] == last_file]
            body.append(f'<tr class="file {_has(in_file, "error")} {_has(in_file, "warning")}">'
                        f'<th colspan="7">Tệp: {escaped(last_file)}</th></tr>')
        body.append(_failure_row(r))
    head = "".join(f"<th>{h}</th>" for h in ("Trang tính", "Ô", "Quy tắc", "Mức độ", "Giá trị", "Cần là",
                                             "Nội dung <small>message</small>"))
    return (
        f'<details class="commune {_has(items, "error")} {_has(items, "warning")}" id="{commune_anchor(code)}"{opened}>'
        f'<summary><b>{escaped(name)}</b> <span class="code">{escaped(code)}</span>{badge}<span '
        f'class="counts">{chips}</span></summary>'
        f'<table class="failures"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></details>'
    )


def failures_section(run: RunData) -> str:
    rows = run.failures.select(FAILURE_COLUMNS).to_dicts()
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["commune_code"] or "", []).append(r)
    statuses = run.statuses
    opened = " open" if len(rows) <= OPEN_ALL_UP_TO else ""
    # communes with errors first; within them the files no commune could be found for, then by code
    order = sorted(groups, key=lambda g: (not any(r["severity"] == "error" for r in groups[g]), g != "", g))
    approvals = approval_badges(approval_states(run.run_dir))
    out = [_commune_group(code, groups[code], statuses.get(code, []), opened, approvals.get(code, "")) for code in order]
    choices = (("all", "Tất cả"), ("error", "Chỉ lỗi"), ("warning", "Chỉ cảnh báo"))
    filters = "".join(f'<input type="radio" name="sev" id="sev-{k}"{" checked" if k == "all" else ""}>'
                      f'<label for="sev-{k}">{t}</label>' for k, t in choices)
    hint = "Bấm tên xã để đóng/mở." + ("" if opened else " Ctrl+F tìm được cả trong phần đang đóng.")
    return (f'<section id="danh-sach"><h2>4. Danh sách lỗi <small>every failure ({vn_int(len(rows))}), by commune, '
            f'errors first</small></h2><p class="hint">{hint}</p>{filters}<div class="groups">'
            + ("".join(out) or '<p class="empty">Không có lỗi nào. <small>No failures.</small></p>') + "</div></section>")
