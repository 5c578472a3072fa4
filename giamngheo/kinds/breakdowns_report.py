"""How the breakdowns of the poor appear in the reports ("Trong đó": ethnic minority, no labour capacity,
merit households): an analyst sheet and a section of the HTML report, each made from a finished run
folder, and nothing at all when no commune of the run gives a breakdown."""

from __future__ import annotations

from html import escape
from pathlib import Path

import polars as pl

from transforms.breakdowns import commune_shares, share_totals

from ..vn import vn_dec, vn_int
from .base import Sheet

COMMUNES = "communes.parquet"


def shares(run_dir: Path) -> pl.DataFrame | None:
    """The accepted communes that give a breakdown, with their shares (transforms.breakdowns.commune_shares)."""
    path = Path(run_dir) / COMMUNES
    if not path.exists():
        return None
    frame = pl.read_parquet(path)
    if "poor_ethnic_minority" not in frame.columns:  # a run of an earlier version
        return None
    found = commune_shares(frame.lazy()).collect()
    return None if found.is_empty() else found


def totals(found: pl.DataFrame) -> dict:
    """The province totals of the communes shown (transforms.breakdowns.share_totals)."""
    return share_totals(found.lazy()).collect().row(0, named=True)


def _pct(value) -> str:
    return "—" if value is None else f"{vn_dec(value)} %"


def _province_line(total: dict) -> str:
    """The shares over the communes that give each breakdown, as a note."""
    def share(part: str) -> str:
        n = total[f"{part}_communes"]
        return f"{_pct(total[part + '_share_pct'])} ({n} xã)" if n else "—"

    return (f"Toàn tỉnh, trên các xã có số liệu: hộ DTTS chiếm {share('poor_ethnic_minority')} số hộ nghèo; hộ không có khả năng "
            f"lao động chiếm {share('poor_no_labour')}.")


COLUMNS = {  # field of commune_shares -> its header in the sheet
    "commune_name": "Xã, phường", "commune_code": "Mã xã", "poor_households": "Hộ nghèo",
    "poor_ethnic_minority": "Hộ nghèo DTTS", "poor_ethnic_minority_share_pct": "Tỷ lệ DTTS/hộ nghèo (%)",
    "near_poor_households": "Hộ cận nghèo", "near_poor_ethnic_minority": "Hộ cận nghèo DTTS",
    "near_poor_ethnic_minority_share_pct": "Tỷ lệ DTTS/hộ cận nghèo (%)",
    "poor_no_labour": "Hộ nghèo không có khả năng LĐ", "poor_no_labour_share_pct": "Tỷ lệ không có khả năng LĐ (%)",
    "near_poor_no_labour": "Hộ cận nghèo không có khả năng LĐ", "poor_merit": "Hộ nghèo có người có công",
    "poor_reduction_target": "Kế hoạch giảm hộ nghèo", "poor_able_to_work": "Hộ nghèo có khả năng LĐ",
    "beyond_able_to_work": "Kế hoạch vượt số hộ có khả năng LĐ (hộ)",
}
RELYING = {  # the second sheet: plans relying on households without labour capacity
    "commune_name": "Xã, phường",
    "commune_code": "Mã xã",
    "poor_households": "Hộ nghèo",
    "poor_no_labour": "Không có khả năng LĐ",
    "poor_able_to_work": "Có khả năng LĐ",
    "poor_reduction_target": "Kế hoạch giảm",
    "beyond_able_to_work": "Vượt (hộ)",
}


def breakdown_sheets(run_dir: Path) -> list[Sheet]:
    """Who the poor are, per commune; and the plans that rely on households without labour capacity."""
    found = shares(run_dir)
    if found is None:
        return []
    total = totals(found)
    table = found.with_columns(  # the excess only where the plan relies on it (0 would read as "judged, fine")
        pl.when(pl.col("relies_on_no_labour")).then(pl.col("beyond_able_to_work")).alias("beyond_able_to_work")
    ).select([pl.col(f).alias(h) for f, h in COLUMNS.items()])
    sums = {h: total[f] for f, h in COLUMNS.items() if f in total}
    # the households beyond, a number in a column of households (it held "1 xã vượt, 10 hộ": a SUM or a filter on the
    # column broke; analyst reports judge, Bắc Ninh); how many communes, in the notes
    sums[COLUMNS["beyond_able_to_work"]] = total["beyond_able_to_work"] or 0
    notes = (
        (
            "Các xã, phường được chấp nhận có số liệu \u201ctrong đó\u201d; ô trống: xã không báo cáo số liệu này. Tỷ lệ tính "
            "trên "
            "số hộ nghèo (cận nghèo) của xã, làm tròn 2 chữ số; dòng tổng: trên các xã có số liệu đó. Cột cuối: kế hoạch giảm "
            "hộ nghèo lớn hơn số hộ nghèo có khả năng lao động (hộ nghèo − hộ không có khả năng LĐ), vượt bao nhiêu hộ; "
            f"dòng tổng: {total['relies_on_no_labour']} xã vượt, {vn_int(total['beyond_able_to_work'] or 0)} hộ."
        ),
        _province_line(total),
    )
    sheets = [
        Sheet(
            "Cơ cấu hộ nghèo",
            "CƠ CẤU HỘ NGHÈO, HỘ CẬN NGHÈO: DÂN TỘC THIỂU SỐ, KHẢ NĂNG LAO ĐỘNG, NGƯỜI CÓ CÔNG",
            table,
            notes,
            totals=sums,
        )
    ]
    relying = found.filter(pl.col("relies_on_no_labour"))  # null: not judged
    if not relying.is_empty():
        sheets.append(
            Sheet(
                "KH vượt hộ có khả năng LĐ",
                "CÁC XÃ CÓ KẾ HOẠCH GIẢM NGHÈO VƯỢT SỐ HỘ NGHÈO CÓ KHẢ NĂNG LAO ĐỘNG",
                relying.sort("beyond_able_to_work", "commune_code", descending=[True, False]).select(
                    [pl.col(f).alias(h) for f, h in RELYING.items()]
                ),
                (
                    (
                        "Kế hoạch giảm hộ nghèo lớn hơn số hộ nghèo trừ số hộ nghèo không có khả năng lao động: kế hoạch dựa "
                        "vào các hộ khó thoát nghèo bằng sinh kế. Xếp theo số hộ vượt, giảm dần."
                    ),
                ),
            )
        )
    return sheets


BAR_X, BAR_W = 210, 330  # where the bars start and how wide 100 % is


def _bars(found: pl.DataFrame, province_pct: float | None) -> str:
    """The ethnic-minority share of each commune's poor households, a horizontal bar each, the province's share dashed."""
    rows = found.filter(pl.col("poor_ethnic_minority_share_pct").is_not_null()).sort(
        "poor_ethnic_minority_share_pct", "commune_code", descending=[True, False])
    if rows.is_empty():
        return ""
    parts, y = [], 22
    for r in rows.iter_rows(named=True):
        v, name = r["poor_ethnic_minority_share_pct"], r["commune_name"] or r["commune_code"]
        name = name if len(name) <= 32 else name[:31] + "…"
        tip = (f"{r['commune_name'] or r['commune_code']}: {vn_int(r['poor_ethnic_minority'])}/{vn_int(r['poor_households'])} hộ "
               f"nghèo, {vn_dec(v)}%")
        parts.append(f'<g><title>{escape(tip)}</title><text x="0" y="{y + 10}" font-size="11">{escape(name)}</text>'
                     f'<rect x="{BAR_X}" y="{y}" width="{BAR_W * v / 100:.1f}" height="12" fill="#1f5fa8"/>'
                     f'<text x="{BAR_X + 4 + BAR_W * v / 100:.1f}" y="{y + 10}" font-size="10">{vn_dec(v)}%</text></g>')
        y += 18
    if province_pct is not None:
        x = BAR_X + BAR_W * province_pct / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{y}" stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="11" font-size="10" fill="#c0392b" text-anchor="middle">Toàn tỉnh '
            f'{vn_dec(province_pct)}%</text>'
        )
    return (f'<svg class="chart" viewBox="0 0 600 {y + 6}" role="img" aria-label="Tỷ lệ hộ DTTS trong số hộ nghèo">'
            f'{"".join(parts)}</svg>')


def breakdown_section(run_dir: Path) -> str:
    """The ethnic-minority share of the poor per commune, and the plans relying on households without labour capacity."""
    found = shares(run_dir)
    if found is None:
        return ""
    total = totals(found)
    chart = _bars(found, total["poor_ethnic_minority_share_pct"])
    figure = (
        (
            f"<figure>{chart}<figcaption>Tỷ lệ hộ dân tộc thiểu số trong số hộ nghèo của từng xã; đường đứt: toàn tỉnh, trên các "
            "xã có số liệu <small>ethnic-minority share of the poor, per commune</small></figcaption></figure>"
        )
        if chart
        else ""
    )
    relying = found.filter(pl.col("relies_on_no_labour")).sort(
        "beyond_able_to_work", "commune_code", descending=[True, False])
    if relying.is_empty():
        listing = "<p>Không xã nào có kế hoạch vượt số hộ nghèo có khả năng lao động.</p>"
    else:
        rows = "".join(
            f"<tr><td>{escape(r['commune_name'] or r['commune_code'])}</td>"
            + "".join(f'<td class="num">{vn_int(r[f])}</td>' for f in ("poor_households", "poor_no_labour", "poor_able_to_work",
                                                                       "poor_reduction_target", "beyond_able_to_work"))
            + "</tr>"
            for r in relying.iter_rows(named=True)
        )
        listing = (
            f"<h3>{relying.height} xã có kế hoạch vượt số hộ nghèo có khả năng lao động <small>plans relying on households "
            "without labour capacity</small></h3><table><thead><tr><th>Xã, phường</th><th>Hộ nghèo</th>"
            "<th>Không có khả năng LĐ</th><th>Có khả năng LĐ</th><th>Kế hoạch giảm</th><th>Vượt (hộ)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return (
        '<section id="co-cau-ho-ngheo"><h2>Cơ cấu hộ nghèo <small>who the poor are: ethnic minority, labour capacity</small></h2>'
        f"<p>{escape(_province_line(total))}</p>{figure}{listing}</section>"
    )
