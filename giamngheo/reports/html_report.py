"""The auditor's view of a finished run: one self-contained HTML page, readable offline and printable.

Reads only the files a run leaves (parquet tables, manifest.json), so a report can be
made again for any old run folder. Everything from the data is escaped: commune files
are untrusted. No JavaScript: charts are inline SVG (report_charts), the severity filter
is CSS radio buttons, and the per-commune lists are <details> elements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path

import polars as pl

from giamngheo.approval import open_failures
from giamngheo.kinds import KINDS
from schemas.rules import RULE_BY_ID

from . import report_charts as charts
from .approval_html import APPROVAL_CSS, approval_badges, approval_section, approval_states
from .report_charts import PAGE_CSS, vn_dec, vn_int

REPORT_NAME = "bao_cao_kiem_tra.html"
FAILURE_COLUMNS = ("source_file", "source_sheet", "cell", "row", "column", "commune_code", "commune_name", "field",
                   "rule", "severity", "value", "expected", "message", "message_en",
                   "acknowledged", "acknowledged_by", "acknowledged_reason")
SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
STATUS_VI = {"accepted": "Chấp nhận", "rejected": "Bị từ chối", "superseded": "Bị thay thế",
             "unresolved": "Không xác định được xã", "wrong_province": "Thuộc tỉnh khác"}
OPEN_ALL_UP_TO = 300  # failures; above this the commune lists start folded so the page stays usable
VALUE_CHARS = 500  # a cell may hold 32 767 characters of junk; the page shows the start of it
VN_TIME = timezone(timedelta(hours=7))
UNRESOLVED = "Chưa xác định được xã/phường"


@dataclass
class RunData:
    """The tables of one finished run, as the report needs them."""

    run_dir: Path
    manifest: dict
    provinces: pl.DataFrame
    communes: pl.DataFrame
    failures: pl.DataFrame
    results: pl.DataFrame | None


def _parquet(run_dir: Path, name: str) -> pl.DataFrame | None:
    path = run_dir / name
    return pl.read_parquet(path) if path.exists() else None


def load_run(run_dir: Path) -> RunData:
    """Read a run folder; a missing optional table is None, a missing failures table is empty."""
    run_dir = Path(run_dir)
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    failures = _parquet(run_dir, "validation_failures.parquet")
    if failures is None:
        failures = pl.DataFrame({c: pl.Series([], dtype=pl.Utf8) for c in FAILURE_COLUMNS})
    # older runs may lack a column (commune_name came later); the report must still open them
    failures = failures.with_columns(pl.lit(None, pl.Utf8).alias(c) for c in FAILURE_COLUMNS if c not in failures.columns)
    provinces, communes = _parquet(run_dir, "provinces.parquet"), _parquet(run_dir, "communes.parquet")
    return RunData(run_dir, manifest, pl.DataFrame() if provinces is None else provinces,
                   pl.DataFrame() if communes is None else communes, failures, _parquet(run_dir, "results_communes.parquet"))


def rule_title(rule_id: str | None) -> str:
    """The Vietnamese title of a rule, or its id when the catalogue does not know it."""
    rule = RULE_BY_ID.get(rule_id or "")
    return rule.title_vi if rule else str(rule_id)


def failure_counts(failures: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Failure counts by severity, by rule and by commune (errors first in each); acknowledged warnings are not open, not counted."""
    failures = open_failures(failures)
    communes = pl.col("commune_code").drop_nulls().n_unique().alias("communes")
    errors = (pl.col("severity") == "error").sum().cast(pl.Int64).alias("errors")
    warnings = (pl.col("severity") == "warning").sum().cast(pl.Int64).alias("warnings")
    n = pl.len().cast(pl.Int64).alias("failures")
    return {
        "severity": failures.group_by("severity").agg(n, communes).sort("severity"),
        "rule": failures.group_by("rule", "severity").agg(n, communes)
        .sort(pl.col("severity") != "error", -pl.col("failures"), "rule"),
        "commune": failures.group_by("commune_code").agg(pl.col("commune_name").drop_nulls().first(), errors, warnings)
        .sort(-pl.col("errors"), -pl.col("warnings"), pl.col("commune_code").fill_null("")),
    }


def _e(value) -> str:
    return "—" if value is None else escape(str(value), quote=True)


def _anchor(code: str | None) -> str:
    return "xa-" + ("".join(ch for ch in code if ch.isalnum()) if code else "chua-xac-dinh")


def _num(text: str) -> str:
    return f'<td class="num">{text}</td>'


def _table(headers: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table of already-escaped cells; a _num cell keeps its own <td> (escaped data never starts with "<")."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _card(title: str, value: str, note: str = "", tone: str = "") -> str:
    return f'<div class="card {tone}"><div class="k">{title}</div><div class="v">{value}</div><div class="n">{note}</div></div>'


def _run_date(manifest: dict) -> str:
    stamp = manifest.get("finished_at") or manifest.get("started_at")
    try:
        return datetime.fromisoformat(stamp).astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M") + " (giờ Việt Nam)"
    except (TypeError, ValueError):
        return "—"


def _status_of(run: RunData) -> dict[str, str]:
    c = run.communes
    return dict(zip(c["commune_code"], c["status"])) if {"commune_code", "status"} <= set(c.columns) else {}


def _sev_badge(severity: str | None) -> str:
    sev = severity if severity in SEVERITY_VI else "warning"
    return f'<span class="sev {sev}">{SEVERITY_VI[sev]}</span>'


def _header(run: RunData, counts: dict[str, pl.DataFrame]) -> str:
    p, m = run.provinces, run.manifest
    name = _e(p["province_name"][0]) if p.height == 1 else f"{vn_int(p.height)} tỉnh/thành phố" if p.height else "—"
    year = _e(p["year"][0] if p.height and "year" in p.columns else m.get("year"))
    run_id = m.get("run_id") or (p["run_id"][0] if "run_id" in p.columns and p.height else None)
    n = {k: int(p[f"communes_{k}"].sum()) if f"communes_{k}" in p.columns else 0
         for k in ("expected", "accepted", "rejected", "missing")}
    files = m.get("files", [])
    by_status: dict[str, int] = {}
    for f in files:
        by_status[f.get("status") or "?"] = by_status.get(f.get("status") or "?", 0) + 1
    by_count = sorted(by_status.items(), key=lambda x: -x[1])
    file_note = ", ".join(f"{vn_int(k)} {_e(STATUS_VI.get(s, s)).lower()}" for s, k in by_count)
    sev = dict(zip(counts["severity"]["severity"], counts["severity"]["failures"]))
    errors, warnings = sev.get("error", 0), sev.get("warning", 0)
    explained = int(run.failures["acknowledged"].cast(pl.Boolean, strict=False).fill_null(False).sum())
    bar = charts.status_bar([("Chấp nhận", n["accepted"], charts.GREEN), ("Bị từ chối", n["rejected"], charts.RED),
                             ("Chưa nộp", n["missing"], charts.GREY)], "Tình trạng các xã/phường")
    cards = "".join([
        _card("Tệp đã nhận <small>files</small>", vn_int(len(files)), file_note),
        _card("Xã/phường chấp nhận <small>accepted</small>", vn_int(n["accepted"]), f"trên {vn_int(n['expected'])} đơn vị",
              "good"),
        _card("Bị từ chối <small>rejected</small>", vn_int(n["rejected"]), "có ít nhất một lỗi", "bad" if n["rejected"] else ""),
        _card("Chưa nộp <small>missing</small>", vn_int(n["missing"]), "không có tệp kế hoạch", "muted"),
        _card("Lỗi <small>errors</small>", vn_int(errors), "làm xã bị từ chối", "bad" if errors else ""),
        _card("Cảnh báo <small>warnings</small>", vn_int(warnings), "số liệu vẫn được dùng"
              + (f"; {vn_int(explained)} cảnh báo khác đã giải trình" if explained else ""), "warn" if warnings else ""),
    ])
    meta = " · ".join([f"Lần chạy <code>{_e(run_id)}</code>", _run_date(m), f"phiên bản {_e(m.get('package_version'))}",
                       f"danh mục {_e(m.get('reference_version'))}"])
    toc = "".join(f'<a href="#{a}">{t}</a>' for a, t in (("so-lieu", "Số liệu toàn tỉnh"), ("bieu-do", "Biểu đồ"),
                  ("tong-hop", "Tổng hợp lỗi"), ("danh-sach", "Danh sách lỗi"), ("tep", "Tệp đã nhận")))
    legend = ('<span class="sw good"></span>chấp nhận <span class="sw bad"></span>bị từ chối '
              '<span class="sw muted"></span>chưa nộp')
    return ('<header><div class="eyebrow">Báo cáo kiểm tra số liệu giảm nghèo <small>validation report</small></div>'
            f'<h1>{name} — năm {year}</h1><p class="meta">{meta}</p><nav>{toc}</nav><div class="cards">{cards}</div>'
            f'<div class="statusbar">{bar}<div class="legend">{legend}</div></div></header>')


def _plan_cards(r: dict) -> str:
    return "".join([
        _card("Tổng số hộ", vn_int(r.get("total_households")), "hộ dân của các xã được chấp nhận"),
        _card("Hộ nghèo", vn_int(r.get("poor_households")), f"tỷ lệ <b>{vn_dec(r.get('poor_rate_pct'))}%</b>"),
        _card("Hộ cận nghèo", vn_int(r.get("near_poor_households")), f"tỷ lệ <b>{vn_dec(r.get('near_poor_rate_pct'))}%</b>"),
        _card("Kế hoạch giảm hộ nghèo", f"{vn_int(r.get('poor_reduction_target'))} hộ",
              f"= <b>{vn_dec(r.get('planned_poor_reduction_pp'))} điểm %</b>; "
              f"cận nghèo {vn_int(r.get('near_poor_reduction_target'))} hộ"),
        _card("So với chỉ tiêu tỉnh giao", f"{vn_int(r.get('communes_meeting_target'))} <small>đạt</small> · "
              f"{vn_int(r.get('communes_below_target'))} <small>dưới</small>", "xã/phường có chỉ tiêu giao",
              "bad" if r.get("communes_below_target") else "good"),
    ])


def _result_cards(r: dict) -> str:
    return "".join([
        _card("Tỷ lệ hộ nghèo đầu kỳ → cuối kỳ",
              f"{vn_dec(r.get('poor_rate_start_pct'))}% → {vn_dec(r.get('poor_rate_end_pct'))}%",
              f"hộ nghèo {vn_int(r.get('poor_households_start'))} → {vn_int(r.get('poor_households_end'))}"),
        _card("Giảm thực tế", f"{vn_dec(r.get('actual_poor_reduction_pp'))} điểm %", "tỷ lệ đầu kỳ − tỷ lệ cuối kỳ"),
        _card("Hộ cận nghèo cuối kỳ", vn_int(r.get("near_poor_households_end")),
              f"tổng số hộ cuối kỳ {vn_int(r.get('total_households_end'))}"),
        _card("Đạt chỉ tiêu giao (thực tế)", f"{vn_int(r.get('communes_met_target_actual'))} <small>đạt</small> · "
              f"{vn_int(r.get('communes_missed_target_actual'))} <small>không đạt</small>", "giảm thực tế ≥ chỉ tiêu giao",
              "bad" if r.get("communes_missed_target_actual") else "good"),
    ])


def _figures(run: RunData) -> str:
    out = ['<section id="so-lieu"><h2>1. Số liệu toàn tỉnh <small>province figures, accepted communes only</small></h2>']
    if run.provinces.is_empty():
        out.append('<p class="empty">Không có số liệu tỉnh.</p>')
    for r in run.provinces.iter_rows(named=True):
        if run.provinces.height > 1:
            out.append(f"<h3>{_e(r['province_name'])} ({_e(r['province_code'])})</h3>")
        out.append(f'<div class="cards">{_plan_cards(r)}</div>')
        if r.get("poor_households_end") is not None:
            n = r.get("communes_with_results")
            scope = f", {vn_int(n)} xã có kết quả được chấp nhận" if n else ""
            out.append(f'<h3>Kết quả cuối năm <small>year-end results{scope}</small></h3>'
                       f'<div class="cards">{_result_cards(r)}</div>')
    return "".join(out) + "</section>"


def _points(frame: pl.DataFrame | None, value: str, ok: str) -> list[charts.Point]:
    assigned = "assigned_poor_reduction_pp"
    if frame is None or frame.is_empty() or not {value, assigned, ok, "commune_name"} <= set(frame.columns):
        return []
    rows = frame.filter(pl.col(value).is_not_null() & pl.col(assigned).is_not_null() & pl.col(ok).is_not_null())
    return [charts.Point(str(r["commune_name"]), r[assigned], r[value], bool(r[ok])) for r in rows.iter_rows(named=True)]


def _figure(title: str, en: str, svg: str, caption: str = "", wide: bool = False) -> str:
    cls = ' class="wide"' if wide else ""
    return f"<figure{cls}><h3>{title} <small>{en}</small></h3>{svg}<figcaption>{caption}</figcaption></figure>"


def _shortfall_table(points: list[charts.Point], what: str) -> str:
    bad = sorted((p for p in points if not p.ok), key=lambda p: p.value - p.assigned)
    rows = [[_e(p.name), _num(vn_dec(p.value)), _num(vn_dec(p.assigned)), _num(vn_dec(p.value - p.assigned))] for p in bad]
    table = _table(["Xã/phường", "Giảm thực tế", "Chỉ tiêu giao", "Chênh lệch"], rows, "compact") if rows else "<p>Không có.</p>"
    return f"<figure><h3>{vn_int(len(bad))} xã/phường {what}</h3>{table}</figure>"


def _charts(run: RunData, counts: dict[str, pl.DataFrame]) -> str:
    c = run.communes
    accepted = c.filter(pl.col("status") == "accepted") if "status" in c.columns else c
    planned = _points(accepted, "planned_poor_reduction_pp", "meets_assigned_target")
    rates = ([(str(r["commune_name"]), r["poor_rate_pct"]) for r in accepted.iter_rows(named=True)]
             if {"commune_name", "poor_rate_pct"} <= set(accepted.columns) else [])
    p = run.provinces
    reference = p["poor_rate_pct"][0] if p.height == 1 and "poor_rate_pct" in p.columns else None
    high = sorted((r for r in rates if r[1] is not None), key=lambda r: -r[1])[:3]
    rules = [(rule_title(r["rule"]), r["severity"], r["failures"]) for r in counts["rule"].iter_rows(named=True)]
    figures = [
        _figure("Kế hoạch giảm của từng xã so với chỉ tiêu giao", "planned vs assigned cut, by commune",
                charts.target_dots(planned, "Kế hoạch giảm của từng xã so với chỉ tiêu giao"),
                '<span class="tick"></span>chỉ tiêu tỉnh giao <span class="sw good"></span>kế hoạch của xã, đạt '
                f'<span class="sw bad"></span>kế hoạch dưới chỉ tiêu ({vn_int(sum(not x.ok for x in planned))} xã/phường, '
                "xếp đầu). Cột «chênh» = kế hoạch − chỉ tiêu (điểm %).", wide=True),
        _figure("Tỷ lệ hộ nghèo các xã/phường", "poor rate by commune",
                charts.rate_bars(rates, reference, "Tỷ lệ hộ nghèo các xã/phường"),
                '<span class="sw"></span>cao hơn tỷ lệ toàn tỉnh. '
                + ("Cao nhất: " + "; ".join(f"{_e(n)} {vn_dec(v)}%" for n, v in high) if high else "")),
        _figure("Số lỗi theo quy tắc", "failures by rule", charts.rule_bars(rules, "Số lỗi theo quy tắc"),
                '<span class="sw bad"></span>lỗi (xã bị từ chối) <span class="sw warn"></span>cảnh báo (số liệu vẫn được dùng)'),
    ]
    if run.results is not None and not run.results.is_empty():
        res = run.results
        if "assessment" in res.columns:  # "not assessed" communes (results rejected) have nothing to plot
            res = res.filter(pl.col("assessment").is_in(["met", "missed"]))
        actual = _points(res, "actual_poor_reduction_pp", "meets_assigned_target_actual")
        label = "Giảm thực tế so với chỉ tiêu giao"
        figures += [
            _figure("Kết quả giảm thực tế so với chỉ tiêu giao", "actual vs assigned cut",
                    charts.target_scatter(actual, "Giảm thực tế (điểm %)", label, "Đạt", "Không đạt"),
                    "Mỗi chấm là một xã có kết quả cuối năm được chấp nhận; chấm đỏ dưới đường chéo: giảm ít hơn chỉ tiêu giao."),
            _shortfall_table(actual, "không đạt chỉ tiêu giao (kết quả thực tế)"),
        ]
    return f'<section id="bieu-do"><h2>2. Biểu đồ <small>charts</small></h2><div class="grid">{"".join(figures)}</div></section>'


def _summary_tables(run: RunData, counts: dict[str, pl.DataFrame]) -> str:
    status = _status_of(run)
    sev = [[_sev_badge(r["severity"]), _num(vn_int(r["failures"])), _num(vn_int(r["communes"]))]
           for r in counts["severity"].iter_rows(named=True)]
    rules = [[f'{_e(rule_title(r["rule"]))} <code>{_e(r["rule"])}</code>', _sev_badge(r["severity"]),
              _num(vn_int(r["failures"])), _num(vn_int(r["communes"]))] for r in counts["rule"].iter_rows(named=True)]
    communes = [[f'<a href="#{_anchor(r["commune_code"])}">{_e(r["commune_name"] or UNRESOLVED)}</a>', _e(r["commune_code"]),
                 _e(STATUS_VI.get(status.get(r["commune_code"]), "—")), _num(vn_int(r["errors"])), _num(vn_int(r["warnings"]))]
                for r in counts["commune"].iter_rows(named=True)]
    return ('<section id="tong-hop"><h2>3. Tổng hợp lỗi <small>failure counts</small></h2><div class="cols"><div>'
            f'<h3>Theo mức độ <small>by severity</small></h3>{_table(["Mức độ", "Số lỗi", "Số xã"], sev, "compact")}'
            f'<h3>Theo quy tắc <small>by rule</small></h3>{_table(["Quy tắc", "Mức độ", "Số lỗi", "Số xã"], rules, "compact")}'
            '</div><div><h3>Theo xã/phường <small>by commune</small></h3>'
            f'{_table(["Xã/phường", "Mã", "Tình trạng", "Lỗi", "Cảnh báo"], communes, "compact")}</div></div></section>')


def _value(text) -> str:
    if text is None:
        return "—"
    text = str(text)
    more = f'<span class="more"> … (+{vn_int(len(text) - VALUE_CHARS)} ký tự)</span>' if len(text) > VALUE_CHARS else ""
    return f'<code class="val">{_e(text[:VALUE_CHARS])}</code>{more}'


def _failure_row(r: dict) -> str:
    sev = r["severity"] if r["severity"] in SEVERITY_VI else "warning"
    acked = r.get("acknowledged") in (True, "true")
    ack = (f'<div class="ack">✓ Đã giải trình <small>acknowledged</small> — {_e(r.get("acknowledged_by"))}: '
           f'{_e(r.get("acknowledged_reason"))}</div>' if acked else "")
    return (f'<tr class="{sev}{" acknowledged" if acked else ""}"><td>{_e(r["source_sheet"])}</td><td class="cellref">{_e(r["cell"])}</td>'
            f'<td>{_e(rule_title(r["rule"]))}<br><code>{_e(r["rule"])}</code></td><td>{_sev_badge(sev)}</td>'
            f'<td>{_value(r["value"])}</td><td>{_value(r["expected"])}</td>'
            f'<td>{_e(r["message"])}<div class="en" lang="en">{_e(r["message_en"])}</div>{ack}</td></tr>')


def _has(items: list[dict], severity: str) -> str:
    """CSS classes the no-JS severity filter keys on."""
    return ("has-" if any(r["severity"] == severity for r in items) else "no-") + severity


def _badges(statuses: list[tuple[str, str]]) -> str:
    """The commune's status; with a plan and year-end results, each report's status by name."""
    if len(statuses) == 1:
        status = statuses[0][1]
        return f'<span class="badge {_e(status)}">{_e(STATUS_VI.get(status, status))}</span>'
    return "".join(f'<span class="badge {_e(status)}">{kind}: {_e(STATUS_VI.get(status, status)).lower()}</span>'
                   for kind, status in statuses)


def _report_statuses(run: RunData) -> dict[str, list[tuple[str, str]]]:
    """(report, status) per commune: its plan annex, and its year-end results when it sent them."""
    out: dict[str, list[tuple[str, str]]] = {}
    for kind, frame in (("Kế hoạch", run.communes), ("Kết quả", run.results)):
        if frame is not None and {"commune_code", "status"} <= set(frame.columns):
            for code, status in zip(frame["commune_code"], frame["status"]):
                out.setdefault(code, []).append((kind, status))
    return out


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
                        f'<th colspan="7">Tệp: {_e(last_file)}</th></tr>')
        body.append(_failure_row(r))
    head = "".join(f"<th>{h}</th>" for h in ("Trang tính", "Ô", "Quy tắc", "Mức độ", "Giá trị", "Cần là",
                                             "Nội dung <small>message</small>"))
    return (f'<details class="commune {_has(items, "error")} {_has(items, "warning")}" id="{_anchor(code)}"{opened}>'
            f'<summary><b>{_e(name)}</b> <span class="code">{_e(code)}</span>{badge}<span class="counts">{chips}</span></summary>'
            f'<table class="failures"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></details>')


def _failure_list(run: RunData) -> str:
    rows = run.failures.select(FAILURE_COLUMNS).to_dicts()
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["commune_code"] or "", []).append(r)
    statuses = _report_statuses(run)
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


def _files(run: RunData) -> str:
    files = sorted(run.manifest.get("files", []), key=lambda f: (f.get("status") == "accepted", str(f.get("path"))))
    rows = [[_e(f.get("path")), _e(f.get("commune_code")), _e(f.get("kind")), _e(STATUS_VI.get(f.get("status"), f.get("status"))),
             _e(f.get("layout"))] for f in files]
    return (f'<section id="tep"><h2>5. Tệp đã nhận <small>files received</small></h2><details class="list">'
            f"<summary>{vn_int(len(files))} tệp — xem danh sách</summary>"
            + _table(["Tệp", "Mã xã", "Loại", "Tình trạng", "Cách đọc"], rows, "compact files") + "</details></section>")


def _kind_sections(run: RunData) -> str:
    """The sections other kinds declare (their figures and charts), in the kinds' order."""
    return "".join(kind.report_section(run.run_dir) for kind in KINDS if kind.report_section)


def render_html(run: RunData) -> str:
    """The report page for a loaded run, as one HTML string."""
    counts = failure_counts(run.failures)
    title = "Báo cáo kiểm tra số liệu giảm nghèo"
    if run.provinces.height == 1 and run.provinces["province_name"][0]:
        title += f" — {run.provinces['province_name'][0]}"
    footer = ("<footer><p><b>Cách đọc:</b> một <b>lỗi</b> làm báo cáo của xã bị từ chối (số liệu không được cộng vào tỉnh); "
              "một <b>cảnh báo</b> giữ số liệu và đánh dấu ô cần xem lại. Tỷ lệ luôn được tính lại từ số hộ "
              '(làm tròn 2 chữ số).</p><p class="en" lang="en">An error rejects the commune\'s report; a warning keeps its '
              f"figures. Generated by giamngheo {_e(run.manifest.get('package_version'))} from {_e(run.run_dir.name)}."
              "</p></footer>")
    return ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{PAGE_CSS}{APPROVAL_CSS}</style></head><body><main>"
            + _header(run, counts) + _figures(run) + approval_section(approval_states(run.run_dir)) + _charts(run, counts)
            + _kind_sections(run) + _summary_tables(run, counts)
            + _failure_list(run) + _files(run) + footer + "</main></body></html>")


def write_html_report(run_dir: Path) -> Path:
    """Write run_dir/bao_cao_kiem_tra.html, the self-contained validation report of a finished run."""
    run_dir = Path(run_dir)
    path = run_dir / REPORT_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_html(load_run(run_dir)), encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a page
    return path
