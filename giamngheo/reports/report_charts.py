"""Inline SVG charts for the validation report, drawn in Python so the page needs no JavaScript.

Every function returns one `<svg>` string. Text that comes from the data is escaped
here, because commune files are untrusted and the SVG is pasted into the page as is.
Colours are attributes, not page CSS, so a chart prints and copies the same anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

BLUE, RED, AMBER, GREEN, GREY, INK, GRID = "#1f5fa8", "#c0392b", "#c77c02", "#2e7d4f", "#9aa3ad", "#1d2733", "#e3e7ec"


def vn_int(n) -> str:
    """Format a count the Vietnamese way: 5441 -> '5.441'."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    return f"{int(round(n)):,}".replace(",", ".")


def vn_dec(x, digits: int = 2) -> str:
    """Format a decimal the Vietnamese way: 0.79 -> '0,79', 1234.5 -> '1.234,50'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


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


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{_e(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" fill="{INK}">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _empty(label: str, note: str) -> str:
    return _svg(560, 120, [f'<text x="280" y="64" text-anchor="middle" fill="{GREY}">{_e(note)}</text>'], label)


def target_scatter(points: list[Point], y_label: str, label: str, ok_text: str, bad_text: str, labelled: int = 8) -> str:
    """Scatter of communes: assigned cut across, planned/actual cut up; below the diagonal = below target."""
    if not points:
        return _empty(label, "Không có xã nào có cả chỉ tiêu giao và số liệu để so sánh.")
    W, H, L, R, T, B = 560, 430, 58, 18, 14, 52
    top = _ticks(max(max(p.assigned for p in points), max(p.value for p in points), 0.01) * 1.04)
    hi = top[-1]
    lo_y = min(0.0, min(p.value for p in points))
    ticks_y = ([-t for t in reversed(_ticks(-lo_y * 1.04))][:-1] if lo_y < 0 else []) + top
    y_lo = ticks_y[0]

    def sx(v):
        return L + (W - L - R) * v / hi

    def sy(v):
        return T + (H - T - B) * (hi - v) / (hi - y_lo)

    body = [  # the area under the diagonal is "below target": tint it so the eye finds it first
        f'<polygon points="{sx(0):.1f},{sy(0):.1f} {sx(hi):.1f},{sy(0):.1f} {sx(hi):.1f},{sy(hi):.1f}" fill="{RED}" fill-opacity="0.06"/>',
    ]
    for t in ticks_y:
        body.append(f'<line x1="{L}" x2="{W - R}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{L - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" fill="#5b6673">{_tick_label(t)}</text>')
    for t in top:
        body.append(f'<line y1="{T}" y2="{sy(y_lo):.1f}" x1="{sx(t):.1f}" x2="{sx(t):.1f}" stroke="{GRID}"/>')
        body.append(f'<text y="{sy(y_lo) + 16:.1f}" x="{sx(t):.1f}" text-anchor="middle" fill="#5b6673">{_tick_label(t)}</text>')
    body += [
        f'<line x1="{sx(0):.1f}" y1="{sy(0):.1f}" x2="{sx(hi):.1f}" y2="{sy(hi):.1f}" stroke="{INK}" stroke-dasharray="5 4" stroke-width="1.2"/>',
        f'<text x="{sx(hi * 0.97):.1f}" y="{sy(hi * 0.06):.1f}" text-anchor="end" fill="{RED}" font-weight="600">{_e(bad_text)}</text>',
        f'<text x="{sx(hi * 0.03):.1f}" y="{sy(hi * 0.94):.1f}" fill="{GREEN}" font-weight="600">{_e(ok_text)}</text>',
        f'<text x="{(L + W - R) / 2:.1f}" y="{H - 10}" text-anchor="middle">Chỉ tiêu tỉnh giao (điểm %)</text>',
        f'<text transform="translate(14 {(T + H - B) / 2:.1f}) rotate(-90)" text-anchor="middle">{_e(y_label)}</text>',
    ]
    # draw the met ones first so the highlighted ones sit on top
    for p in sorted(points, key=lambda p: p.ok):
        colour = GREEN if p.ok else RED
        tip = f"{p.name}: {vn_dec(p.value)} so với chỉ tiêu {vn_dec(p.assigned)} điểm %"
        body.append(
            f'<circle cx="{sx(p.assigned):.1f}" cy="{sy(p.value):.1f}" r="{4.5 if p.ok else 5.5}" fill="{colour}" '
            f'fill-opacity="{0.45 if p.ok else 0.85}" stroke="#fff" stroke-width="0.8"><title>{_e(tip)}</title></circle>'
        )
    worst = sorted((p for p in points if not p.ok), key=lambda p: p.value - p.assigned)[:labelled]
    for p in worst:
        x, y = sx(p.assigned), sy(p.value)
        anchor, dx = ("end", -8) if x > W * 0.7 else ("start", 8)
        body.append(
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="11" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke" fill="{RED}">{_e(_clip(p.name, 24))}</text>'
        )
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
        body.append(f'<line x1="{L}" x2="{W - R}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{L - 6}" y="{sy(t) + 4:.1f}" text-anchor="end" fill="#5b6673">{_tick_label(t)}</text>')
    for i, (name, rate) in enumerate(rates):
        above = reference is not None and rate > reference
        body.append(
            f'<rect x="{L + i * slot + gap / 2:.2f}" y="{sy(rate):.1f}" width="{max(slot - gap, 0.8):.2f}" '
            f'height="{sy(0) - sy(rate):.1f}" fill="{BLUE if above else "#8fb3dc"}">'
            f"<title>{_e(name)}: {vn_dec(rate)}%</title></rect>"
        )
    if reference is not None:
        y = sy(reference)
        body.append(f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="{RED}" stroke-dasharray="6 4" stroke-width="1.5"/>')
        body.append(
            f'<text x="{W - R - 4}" y="{y - 6:.1f}" text-anchor="end" fill="{RED}" font-weight="600" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke">Toàn tỉnh {vn_dec(reference)}%</text>'
        )
    body.append(f'<line x1="{L}" x2="{W - R}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="{INK}"/>')
    body.append(
        f'<text x="{(L + W - R) / 2:.1f}" y="{H - 12}" text-anchor="middle">{vn_int(len(rates))} xã/phường, '
        "xếp theo tỷ lệ hộ nghèo giảm dần</text>"
    )
    body.append(f'<text transform="translate(14 {(T + H - B) / 2:.1f}) rotate(-90)" text-anchor="middle">Tỷ lệ hộ nghèo (%)</text>')
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
        body.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{T}" y2="{H - 22}" stroke="{GRID}"/>')
        body.append(f'<text x="{sx(t):.1f}" y="{H - 8}" text-anchor="middle" fill="#5b6673">{_tick_label(t)}</text>')
    for i, (title, severity, count) in enumerate(rows):
        y = T + i * row_h
        colour = RED if severity == "error" else AMBER
        body.append(f'<text x="{L - 8}" y="{y + 16}" text-anchor="end"><title>{_e(title)}</title>{_e(_clip(title, 40))}</text>')
        body.append(
            f'<rect x="{L}" y="{y + 4}" width="{max(sx(count) - L, 1.5):.1f}" height="{row_h - 8}" rx="2" fill="{colour}">'
            f"<title>{_e(title)}: {vn_int(count)}</title></rect>"
        )
        body.append(f'<text x="{sx(count) + 5:.1f}" y="{y + 16}" font-weight="600">{vn_int(count)}</text>')
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
        body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{H}" fill="{colour}"><title>{_e(text)}: {vn_int(n)}</title></rect>')
        if w > 34:
            body.append(f'<text x="{x + w / 2:.1f}" y="{H / 2 + 5}" text-anchor="middle" fill="#fff" font-weight="600">{vn_int(n)}</text>')
        x += w
    return _svg(W, H, body, label).replace('class="chart"', 'class="chart status"', 1)
