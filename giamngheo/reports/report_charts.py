"""Inline SVG charts for the validation report, drawn in Python so the page needs no JavaScript.

Every function returns one `<svg>` string. Text that comes from the data is escaped
here, because commune files are untrusted and the SVG is pasted into the page as is.
Colours are attributes, not page CSS, so a chart prints and copies the same anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from ..vn import vn_dec, vn_int

BLUE, PALE_BLUE, RED, AMBER, GREEN = "#1f5fa8", "#8fb3dc", "#c0392b", "#c77c02", "#2e7d4f"
GREY, INK, MUTED, GRID = "#9aa3ad", "#1d2733", "#5b6673", "#e3e7ec"


@dataclass(frozen=True)
class Point:
    """One commune on a target chart: its assigned cut (x), its planned or actual cut (y)."""

    name: str
    assigned: float
    value: float
    ok: bool


def _e(text) -> str:
    return escape(str(text), quote=True)


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (steps of 1, 2, 2.5 or 5 × 10^k)."""
    top = top if top > 0 else 1.0
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _tick_label(v: float) -> str:
    return vn_int(v) if float(v).is_integer() else vn_dec(v, 2 if abs(v * 10 - round(v * 10)) > 1e-9 else 1)


def _attrs(attrs: dict) -> str:
    """SVG attributes from keyword arguments: font_size -> font-size, floats to one decimal."""
    return "".join(f' {k.replace("_", "-")}="{v:.1f}"' if isinstance(v, float) else f' {k.replace("_", "-")}="{v}"'
                   for k, v in attrs.items())


def _line(x1: float, y1: float, x2: float, y2: float, **attrs) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"{_attrs(attrs)}/>'


def _text(x: float, y: float, text, tip: str | None = None, **attrs) -> str:
    """A text element; `text` (and the hover `tip`) are escaped here."""
    title = f"<title>{_e(tip)}</title>" if tip else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{_attrs(attrs)}>{title}{_e(text)}</text>'


def _halo(x: float, y: float, text, **attrs) -> str:
    """Text with a white outline, readable on top of bars, points and lines."""
    return _text(x, y, text, stroke="#fff", stroke_width=3, paint_order="stroke", **attrs)


def _y_tick(x_from: float, x_to: float, y: float, value: float) -> list[str]:
    """A horizontal grid line with its value on the left."""
    return [_line(x_from, y, x_to, y, stroke=GRID), _text(x_from - 6, y + 4, _tick_label(value), text_anchor="end", fill=MUTED)]


def _x_tick(x: float, y_from: float, y_to: float, value: float, label_y: float, **attrs) -> list[str]:
    """A vertical grid line with its value at `label_y`."""
    label = _text(x, label_y, _tick_label(value), text_anchor="middle", fill=MUTED, **attrs)
    return [_line(x, y_from, x, y_to, stroke=GRID), label]


def _svg(width: int, height: int, body: list[str], label: str, cls: str = "chart") -> str:
    return (f'<svg class="{cls}" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(label)}" '
            f'font-size="12" fill="{INK}"><title>{_e(label)}</title>' + "".join(body) + "</svg>")


def _empty(label: str, note: str) -> str:
    return _svg(560, 120, [_text(280, 64, note, text_anchor="middle", fill=GREY)], label)


def _place_labels(targets: list[tuple[float, float, str]], right_edge: float) -> list[str]:
    """Labels next to points, nudged up or down until they clear the ones already placed."""
    placed: list[tuple[float, float, float]] = []  # (x0, x1, y) of each label drawn
    out = []
    for x, y, text in targets:
        width = 6.2 * len(text)
        left = x > right_edge  # near the right edge the label goes on the left of its point
        x0 = x - 8 - width if left else x + 8
        dy = next((d for d in (0, 12, -12, 24, -24, 36, -36, 48)
                   if all(abs(y + d - py) >= 12 or x0 + width < px0 or x0 > px1 for px0, px1, py in placed)), 48)
        placed.append((x0, x0 + width, y + dy))
        anchor_x = x0 + width if left else x0
        if dy:
            out.append(_line(x, y, anchor_x, y + dy, stroke=RED, stroke_width=0.6))
        out.append(_halo(anchor_x, y + dy + 4, text, text_anchor="end" if left else "start", font_size=11, fill=RED))
    return out


def target_scatter(points: list[Point], y_label: str, label: str, ok_text: str, bad_text: str, labelled: int = 8) -> str:
    """Scatter of communes: assigned cut across, planned/actual cut up; below the diagonal = below target."""
    if not points:
        return _empty(label, "Không có xã nào có cả chỉ tiêu giao và số liệu để so sánh.")
    W, H, L, R, T, B = 560, 430, 58, 18, 14, 52
    top = _ticks(max(max(p.assigned for p in points), max(p.value for p in points), 0.01) * 1.04)
    hi, step = top[-1], top[1] - top[0]
    lo_y = min(0.0, min(p.value for p in points))
    # below zero (a commune whose poor rate rose) the ticks keep the step of the positive side
    ticks_y = [-step * k for k in range(math.ceil(-lo_y / step - 1e-9), 0, -1)] + top
    y_lo = ticks_y[0]

    def sx(v):
        return L + (W - L - R) * v / hi

    def sy(v):
        return T + (H - T - B) * (hi - v) / (hi - y_lo)

    # the area under the diagonal is "below target": tint it so the eye finds it first
    corners = ((0, 0), (hi, hi), (hi, y_lo), (0, y_lo))
    body = [f'<polygon points="{" ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in corners)}" fill="{RED}" fill-opacity="0.06"/>']
    for t in ticks_y:
        body += _y_tick(L, W - R, sy(t), t)
    for t in top:
        body += _x_tick(sx(t), T, sy(y_lo), t, sy(y_lo) + 16)
    body += [
        _line(sx(0), sy(0), sx(hi), sy(hi), stroke=INK, stroke_dasharray="5 4", stroke_width=1.2),
        _text(sx(hi * 0.97), sy(hi * 0.06), bad_text, text_anchor="end", fill=RED, font_weight=600),
        _text(sx(hi * 0.03), sy(hi * 0.94), ok_text, fill=GREEN, font_weight=600),
        _text((L + W - R) / 2, H - 10, "Chỉ tiêu tỉnh giao (điểm %)", text_anchor="middle"),
        f'<text transform="translate(14 {(T + H - B) / 2:.1f}) rotate(-90)" text-anchor="middle">{_e(y_label)}</text>',
    ]
    for p in sorted(points, key=lambda p: p.ok):  # the met ones last would hide the highlighted ones: draw them first
        tip = f"{p.name}: {vn_dec(p.value)} so với chỉ tiêu {vn_dec(p.assigned)} điểm %"
        body.append(f'<circle cx="{sx(p.assigned):.1f}" cy="{sy(p.value):.1f}" r="{4.5 if p.ok else 5.5}" '
                    f'fill="{GREEN if p.ok else RED}" fill-opacity="{0.45 if p.ok else 0.85}" stroke="#fff" stroke-width="0.8">'
                    f"<title>{_e(tip)}</title></circle>")
    worst = sorted((p for p in points if not p.ok), key=lambda p: p.value - p.assigned)[:labelled]
    body += _place_labels([(sx(p.assigned), sy(p.value), _clip(p.name, 24)) for p in sorted(worst, key=lambda p: -p.value)],
                          W * 0.62)
    return _svg(W, H, body, label)


def target_dots(points: list[Point], label: str) -> str:
    """Every commune on its own row, worst shortfall first: a tick at the assigned cut, a dot at the planned one."""
    if not points:
        return _empty(label, "Không có xã nào có cả kế hoạch và chỉ tiêu giao để so sánh.")
    points = sorted(points, key=lambda p: (p.value - p.assigned, p.name))
    cols = 3 if len(points) > 30 else 2 if len(points) > 10 else 1  # 120 communes fit in 40 rows
    per_col = math.ceil(len(points) / cols)
    W, T, row_h, name_w, gap_w = 1240, 34, 17, 168, 56
    H = T + per_col * row_h + 8
    col_w = W / cols
    hi = _ticks(max(max(p.assigned for p in points), max(p.value for p in points), 0.01) * 1.02, 4)[-1]
    body = []
    for c in range(cols):
        x0, x1 = c * col_w + name_w, (c + 1) * col_w - gap_w

        def sx(v, x0=x0, x1=x1):
            return x0 + (x1 - x0) * max(v, 0) / hi

        for t in _ticks(hi, 4):
            body += _x_tick(sx(t), T - 6, H - 6, t, T - 12, font_size=11)
        body.append(_text(x1 + gap_w - 6, T - 12, "chênh", text_anchor="end", font_size=11, fill=MUTED))
        for i, p in enumerate(points[c * per_col:(c + 1) * per_col]):
            y = T + i * row_h + row_h / 2
            colour = GREEN if p.ok else RED
            if not p.ok:  # a pale band makes the communes below target readable at a glance
                body.append(f'<rect x="{c * col_w:.1f}" y="{y - row_h / 2:.1f}" width="{col_w - 4:.1f}" height="{row_h}" '
                            f'fill="{RED}" fill-opacity="0.07"/>')
            gap = ("+" if p.value >= p.assigned else "") + vn_dec(p.value - p.assigned)
            body += [
                f"<g><title>{_e(p.name)}: kế hoạch {vn_dec(p.value)}, chỉ tiêu giao {vn_dec(p.assigned)} điểm %</title>",
                _text(x0 - 8, y + 4, _clip(p.name, 25), text_anchor="end", font_size=11.5,
                      **({} if p.ok else {"fill": RED, "font_weight": 600})),
                _line(sx(p.assigned), y, sx(p.value), y, stroke=colour, stroke_width=2, stroke_opacity=0.5),
                _line(sx(p.assigned), y - 6, sx(p.assigned), y + 6, stroke=INK, stroke_width=2),
                f'<circle cx="{sx(p.value):.1f}" cy="{y:.1f}" r="4.2" fill="{colour}"/>',
                _text(x1 + gap_w - 6, y + 4, gap, text_anchor="end", font_size=11, fill=MUTED if p.ok else RED),
                "</g>",
            ]
    return _svg(W, H, body, label)


def rate_bars(rates: list[tuple[str, float]], reference: float | None, label: str) -> str:
    """Sorted column chart of the communes' poor rates, with the province rate as a dashed line."""
    rates = sorted(((n, r) for n, r in rates if r is not None), key=lambda nr: -nr[1])
    if not rates:
        return _empty(label, "Chưa có xã nào được chấp nhận.")
    W, H, L, R, T, B = 560, 300, 50, 14, 16, 40
    ticks = _ticks(max(rates[0][1], reference or 0) * 1.05)
    hi = ticks[-1]
    slot = (W - L - R) / len(rates)
    gap = min(2.0, slot * 0.25)

    def sy(v):
        return T + (H - T - B) * (hi - v) / hi

    body = []
    for t in ticks:
        body += _y_tick(L, W - R, sy(t), t)
    for i, (name, rate) in enumerate(rates):
        above = reference is not None and rate > reference
        body.append(f'<rect x="{L + i * slot + gap / 2:.2f}" y="{sy(rate):.1f}" width="{max(slot - gap, 0.8):.2f}" '
                    f'height="{sy(0) - sy(rate):.1f}" fill="{BLUE if above else PALE_BLUE}">'
                    f"<title>{_e(name)}: {vn_dec(rate)}%</title></rect>")
    if reference is not None:
        body += [_line(L, sy(reference), W - R, sy(reference), stroke=RED, stroke_dasharray="6 4", stroke_width=1.5),
                 _halo(W - R - 4, sy(reference) - 6, f"Toàn tỉnh {vn_dec(reference)}%", text_anchor="end", fill=RED,
                       font_weight=600)]
    body += [
        _line(L, sy(0), W - R, sy(0), stroke=INK),
        _text((L + W - R) / 2, H - 12, f"{vn_int(len(rates))} xã/phường, xếp theo tỷ lệ hộ nghèo giảm dần", text_anchor="middle"),
        f'<text transform="translate(14 {(T + H - B) / 2:.1f}) rotate(-90)" text-anchor="middle">Tỷ lệ hộ nghèo (%)</text>',
    ]
    return _svg(W, H, body, label)


def rule_bars(rows: list[tuple[str, str, int]], label: str) -> str:
    """Horizontal bars of failure counts by rule: (rule title, severity, count), errors red, warnings amber."""
    if not rows:
        return _empty(label, "Không có lỗi nào.")
    rows = sorted(rows, key=lambda r: (r[1] != "error", -r[2], r[0]))
    W, L, R, T, row_h = 560, 250, 46, 8, 24
    H = T + row_h * len(rows) + 26
    ticks = _ticks(max(r[2] for r in rows), 4)
    hi = ticks[-1]

    def sx(v):
        return L + (W - L - R) * v / hi

    body = []
    for t in ticks:
        body += _x_tick(sx(t), T, H - 22, t, H - 8)
    for i, (title, severity, count) in enumerate(rows):
        y = T + i * row_h
        body += [
            _text(L - 8, y + 16, _clip(title, 40), tip=title, text_anchor="end"),
            f'<rect x="{L}" y="{y + 4}" width="{max(sx(count) - L, 1.5):.1f}" height="{row_h - 8}" rx="2" '
            f'fill="{RED if severity == "error" else AMBER}"><title>{_e(title)}: {vn_int(count)}</title></rect>',
            _text(sx(count) + 5, y + 16, vn_int(count), font_weight=600),
        ]
    return _svg(W, H, body, label)


def status_bar(segments: list[tuple[str, int, str]], label: str) -> str:
    """A 100 % bar of commune statuses: (text, count, colour) segments, labelled inside when wide enough."""
    total = sum(n for _, n, _ in segments)
    if total <= 0:
        return ""
    W, H = 560, 30
    x, body = 0.0, []
    for text, n, colour in segments:
        if n <= 0:
            continue
        w = W * n / total
        body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{H}" fill="{colour}">'
                    f"<title>{_e(text)}: {vn_int(n)}</title></rect>")
        if w > 34:
            body.append(_text(x + w / 2, H / 2 + 5, vn_int(n), text_anchor="middle", fill="#fff", font_weight=600))
        x += w
    return _svg(W, H, body, label, cls="chart status")


# The page's stylesheet sits beside the charts so the colours are declared once, here.
PAGE_CSS = f"""
:root {{ --ink:{INK}; --muted:{MUTED}; --line:#d8dee5; --bg:#f4f6f8; --blue:{BLUE}; --red:{RED}; --amber:{AMBER};
  --green:{GREEN}; --grey:{GREY}; }}
* {{ box-sizing:border-box; }}
html {{ -webkit-print-color-adjust:exact; print-color-adjust:exact; }}
body {{ margin:0; background:var(--bg); color:var(--ink); font:14px/1.5 "Segoe UI", "Noto Sans", Roboto, "Helvetica Neue",
  Arial, "DejaVu Sans", sans-serif; }}
main {{ max-width:1320px; margin:0 auto; padding:24px 28px 40px; }}
small {{ font-size:.78em; color:var(--muted); font-weight:normal; }}
code {{ font-family:"DejaVu Sans Mono", Consolas, "Liberation Mono", monospace; font-size:.86em; color:#46515d; }}
a {{ color:var(--blue); }}
header {{ background:#fff; border:1px solid var(--line); border-top:5px solid var(--blue); border-radius:8px; padding:20px 24px;
  margin-bottom:22px; }}
.eyebrow {{ text-transform:uppercase; letter-spacing:.06em; font-size:12px; color:var(--blue); font-weight:600; }}
h1 {{ margin:4px 0 2px; font-size:28px; }}
h2 {{ font-size:20px; margin:30px 0 12px; padding-bottom:6px; border-bottom:2px solid var(--line); }}
h3 {{ font-size:15px; margin:16px 0 8px; }}
.meta {{ color:var(--muted); margin:0 0 10px; }}
nav a {{ display:inline-block; margin:0 14px 0 0; font-size:13px; text-decoration:none; border-bottom:1px dotted var(--blue); }}
.cards {{ display:grid; grid-template-columns:repeat(auto-fit, minmax(170px, 1fr)); gap:12px; margin-top:16px; }}
.card {{ background:#fff; border:1px solid var(--line); border-left:4px solid var(--blue); border-radius:6px;
  padding:10px 14px; }}
header .card {{ background:#fafbfc; }}
.card .k {{ font-size:12.5px; color:var(--muted); font-weight:600; }}
.card .v {{ font-size:24px; font-weight:700; line-height:1.3; font-variant-numeric:tabular-nums; }}
.card .v small {{ font-size:13px; }}
.card .n {{ font-size:12.5px; color:var(--muted); }}
.card.good {{ border-left-color:var(--green); }} .card.bad {{ border-left-color:var(--red); }}
.card.bad .v {{ color:var(--red); }} .card.warn {{ border-left-color:var(--amber); }}
.card.muted {{ border-left-color:var(--grey); }}
.statusbar {{ margin-top:14px; max-width:720px; }}
.statusbar svg {{ border-radius:4px; display:block; }}
.legend, figcaption {{ font-size:12.5px; color:var(--muted); margin-top:6px; }}
.sw {{ display:inline-block; width:11px; height:11px; border-radius:2px; margin:0 4px 0 10px; vertical-align:-1px;
  background:var(--blue); }}
.sw:first-child {{ margin-left:0; }}
.sw.good {{ background:var(--green); }} .sw.bad {{ background:var(--red); }} .sw.warn {{ background:var(--amber); }}
.sw.muted {{ background:var(--grey); }}
.grid {{ display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:18px; }}
figure {{ margin:0; background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 16px; break-inside:avoid; }}
figure h3 {{ margin-top:0; }}
figure.wide {{ grid-column:1 / -1; }}
.tick {{ display:inline-block; width:2px; height:12px; background:var(--ink); margin:0 5px 0 0; vertical-align:-2px; }}
svg.chart {{ display:block; max-width:100%; height:auto; }}
.cols {{ display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1fr); gap:24px; align-items:start; }}
table {{ border-collapse:collapse; width:100%; background:#fff; font-size:13px; }}
th, td {{ text-align:left; vertical-align:top; padding:6px 9px; border-bottom:1px solid #e6eaee; }}
thead th {{ white-space:nowrap; background:#eef2f6; font-size:12px; color:#3b4652; position:sticky; top:0; z-index:1; }}
td.num {{ text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }}
table.compact td, table.compact th {{ padding:4px 8px; }}
table.compact tbody tr:nth-child(even) {{ background:#fafbfc; }}
.sev {{ display:inline-block; border-radius:10px; padding:0 8px; font-size:12px; font-weight:600; white-space:nowrap; }}
.sev.error {{ background:#fbe3e0; color:#9b2c20; }} .sev.warning {{ background:#fdf0d5; color:#8a5a00; }}
.badge {{ font-size:12px; border-radius:4px; padding:1px 7px; margin-left:8px; background:#e8f3ec; color:var(--green); }}
.badge.rejected {{ background:#fbe3e0; color:#9b2c20; }}
details.list {{ margin-top:10px; }}
details.list summary {{ cursor:pointer; color:var(--blue); font-size:13px; }}
details.list table {{ margin-top:6px; }}
details.commune {{ background:#fff; border:1px solid var(--line); border-left:4px solid var(--amber); border-radius:6px;
  margin:8px 0; }}
details.commune.has-error {{ border-left-color:var(--red); }}
details.commune > summary {{ cursor:pointer; padding:9px 14px; font-size:14.5px; list-style-position:inside; }}
details.commune > summary .code {{ color:var(--muted); font-size:12px; margin-left:4px; }}
details.commune > summary .counts {{ float:right; }}
details.commune[open] > summary {{ border-bottom:1px solid var(--line); }}
table.failures {{ table-layout:fixed; }}
table.failures th:nth-child(1) {{ width:9%; }} table.failures th:nth-child(2) {{ width:6%; }}
table.failures th:nth-child(3) {{ width:15%; }} table.failures th:nth-child(4) {{ width:9%; }}
table.failures th:nth-child(5), table.failures th:nth-child(6) {{ width:12%; }}
table.failures td {{ overflow-wrap:anywhere; }}
table.failures tr.error td {{ background:#fffafa; }}
tr.file th {{ background:#f6f8fa; font-weight:600; font-size:12.5px; color:#3b4652; overflow-wrap:anywhere; }}
td.cellref {{ white-space:nowrap; font-weight:700; font-family:"DejaVu Sans Mono", Consolas, monospace; }}
code.val {{ display:inline-block; max-width:100%; white-space:pre-wrap; background:#f1f3f5; padding:1px 5px; border-radius:3px;
  color:var(--ink); font-family:inherit; font-size:.92em; }}
.en {{ font-size:12px; color:var(--muted); margin-top:2px; }}
.more, .hint, .empty {{ color:var(--muted); font-size:12.5px; }}
input[name=sev] {{ position:absolute; opacity:0; }}
input[name=sev] + label {{ display:inline-block; padding:4px 14px; border:1px solid var(--line); background:#fff; cursor:pointer;
  font-size:13px; margin-right:-1px; }}
input[name=sev]:checked + label {{ background:var(--blue); color:#fff; border-color:var(--blue); }}
input[name=sev]:focus-visible + label {{ outline:2px solid var(--blue); outline-offset:2px; }}
/* the severity filter without JavaScript: groups and file headings carry has-/no-error and has-/no-warning */
#sev-error:checked ~ .groups .no-error, #sev-warning:checked ~ .groups .no-warning,
#sev-error:checked ~ .groups tr.warning, #sev-warning:checked ~ .groups tr.error {{ display:none; }}
table.files td:first-child {{ overflow-wrap:anywhere; }}
footer {{ margin-top:34px; padding-top:12px; border-top:1px solid var(--line); font-size:12.5px; color:var(--muted); }}
@media screen and (max-width:900px) {{ .grid, .cols {{ grid-template-columns:1fr; }} }}
@page {{ size:A4 landscape; margin:10mm; }}
@media print {{
  .card .v {{ font-size:18px; }} .cards {{ grid-template-columns:repeat(auto-fit, minmax(120px, 1fr)); }}
  body {{ background:#fff; font-size:11px; }} main {{ max-width:none; padding:0; }}
  nav, input[name=sev] + label, .hint {{ display:none; }}
  input[name=sev]:checked + label {{ display:inline-block; }}  /* the printout says which failures it holds */
  header, figure, details.commune {{ border-color:#bbb; }}
  thead th {{ position:static; }} tr {{ break-inside:avoid; }} h2 {{ break-after:avoid; }}
  details::details-content {{ content-visibility:visible; display:contents; }}
  details > summary {{ list-style:none; }}
}}
"""
