"""How the breakdowns of the poor appear in the reports ("Trong đó": ethnic minority, no labour capacity,
merit households): an analyst sheet and a section of the HTML report, each made from a finished run
folder, and nothing at all when no commune of the run gives a breakdown."""

from __future__ import annotations

from html import escape
from pathlib import Path

import polars as pl

from transforms.breakdowns import commune_shares
from transforms.rates import rate_pct

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


def _province_line(found: pl.DataFrame) -> str:
    """The shares over the communes that give each breakdown, as a note."""
    def share(part: str) -> str:
        giving = found.filter(pl.col(part).is_not_null())
        if giving.is_empty():
            return "—"
        pct = giving.select(rate_pct(pl.col(part).sum(), pl.col("poor_households").sum())).item()
        return f"{pct:.2f}".replace(".", ",") + f" % ({giving.height} xã)"

    return (f"Toàn tỉnh, trên các xã có số liệu: hộ DTTS chiếm {share('poor_ethnic_minority')} số hộ nghèo; hộ không có khả năng "
            f"lao động chiếm {share('poor_no_labour')}.")


def breakdown_sheets(run_dir: Path) -> list[Sheet]:
    """Who the poor are, per commune; and the plans that rely on households without labour capacity."""
    found = shares(run_dir)
    if found is None:
        return []
    table = found.select(
        pl.col("commune_name").alias("Xã, phường"), pl.col("commune_code").alias("Mã xã"),
        pl.col("poor_households").alias("Hộ nghèo"),
        pl.col("poor_ethnic_minority").alias("Hộ nghèo DTTS"), pl.col("poor_ethnic_minority_share_pct").alias("Tỷ lệ DTTS/hộ nghèo (%)"),
        pl.col("near_poor_households").alias("Hộ cận nghèo"),
        pl.col("near_poor_ethnic_minority").alias("Hộ cận nghèo DTTS"),
        pl.col("near_poor_ethnic_minority_share_pct").alias("Tỷ lệ DTTS/hộ cận nghèo (%)"),
        pl.col("poor_no_labour").alias("Hộ nghèo không có khả năng LĐ"),
        pl.col("poor_no_labour_share_pct").alias("Tỷ lệ không có khả năng LĐ (%)"),
        pl.col("near_poor_no_labour").alias("Hộ cận nghèo không có khả năng LĐ"),
        pl.col("poor_merit").alias("Hộ nghèo có người có công"),
        pl.col("poor_reduction_target").alias("Kế hoạch giảm hộ nghèo"),
        pl.col("poor_able_to_work").alias("Hộ nghèo có khả năng LĐ"),
        pl.when(pl.col("relies_on_no_labour")).then(pl.lit("Vượt số hộ có khả năng LĐ")).otherwise(pl.lit("")).alias("Kế hoạch"),
    )
    notes = ("Các xã, phường được chấp nhận có số liệu \u201ctrong đó\u201d; ô trống: xã không báo cáo số liệu này. "
             "Tỷ lệ tính trên số hộ nghèo (cận nghèo) của xã, làm tròn 2 chữ số.", _province_line(found))
    sheets = [Sheet("Cơ cấu hộ nghèo", "CƠ CẤU HỘ NGHÈO, HỘ CẬN NGHÈO: DÂN TỘC THIỂU SỐ, KHẢ NĂNG LAO ĐỘNG, NGƯỜI CÓ CÔNG", table, notes)]
    relying = found.filter(pl.col("relies_on_no_labour") == True)  # noqa: E712 - null: not judged
    if not relying.is_empty():
        sheets.append(Sheet("KH vượt hộ có khả năng LĐ", "CÁC XÃ CÓ KẾ HOẠCH GIẢM NGHÈO VƯỢT SỐ HỘ NGHÈO CÓ KHẢ NĂNG LAO ĐỘNG", relying.select(
            pl.col("commune_name").alias("Xã, phường"), pl.col("commune_code").alias("Mã xã"), pl.col("poor_households").alias("Hộ nghèo"),
            pl.col("poor_no_labour").alias("Không có khả năng LĐ"), pl.col("poor_able_to_work").alias("Có khả năng LĐ"),
            pl.col("poor_reduction_target").alias("Kế hoạch giảm"), pl.col("beyond_able_to_work").alias("Vượt (hộ)"),
        ), ("Kế hoạch giảm hộ nghèo lớn hơn số hộ nghèo trừ số hộ nghèo không có khả năng lao động: kế hoạch dựa vào các hộ "
            "khó thoát nghèo bằng sinh kế.",)))
    return sheets


def _bars(found: pl.DataFrame) -> str:
    """The ethnic-minority share of each commune's poor households, a horizontal bar each."""
    rows = found.filter(pl.col("poor_ethnic_minority_share_pct").is_not_null()).sort("poor_ethnic_minority_share_pct", descending=True)
    parts, y = [], 6
    for r in rows.iter_rows(named=True):
        v = r["poor_ethnic_minority_share_pct"]
        name = escape(r["commune_name"] or r["commune_code"])
        parts.append(f'<text x="0" y="{y + 10}" font-size="11">{name}</text>'
                     f'<rect x="200" y="{y}" width="{3.5 * v:.1f}" height="12" fill="#2b6cb0"/>'
                     f'<text x="{204 + 3.5 * v:.1f}" y="{y + 10}" font-size="10">{v:.2f}'.replace(".", ",") + "%</text>")
        y += 18
    if not parts:
        return ""
    return f'<svg viewBox="0 0 600 {y + 6}" role="img" aria-label="Tỷ lệ hộ DTTS trong số hộ nghèo">{"".join(parts)}</svg>'


def breakdown_section(run_dir: Path) -> str:
    """The ethnic-minority share of the poor per commune, and the plans relying on households without labour capacity."""
    found = shares(run_dir)
    if found is None:
        return ""
    chart = _bars(found)
    figure = (f"<figure>{chart}<figcaption>Tỷ lệ hộ dân tộc thiểu số trong số hộ nghèo của từng xã "
              "<small>ethnic-minority share of the poor, per commune</small></figcaption></figure>") if chart else ""
    relying = found.filter(pl.col("relies_on_no_labour") == True)  # noqa: E712
    if relying.is_empty():
        listing = "<p>Không xã nào có kế hoạch vượt số hộ nghèo có khả năng lao động.</p>"
    else:
        rows = "".join(
            f"<tr><td>{escape(r['commune_name'] or r['commune_code'])}</td><td>{r['poor_households']}</td><td>{r['poor_no_labour']}</td>"
            f"<td>{r['poor_able_to_work']}</td><td>{r['poor_reduction_target']}</td><td>{r['beyond_able_to_work']}</td></tr>"
            for r in relying.iter_rows(named=True)
        )
        listing = ("<h3>Kế hoạch vượt số hộ nghèo có khả năng lao động <small>plans relying on households without labour capacity"
                   "</small></h3><table><thead><tr><th>Xã, phường</th><th>Hộ nghèo</th><th>Không có khả năng LĐ</th>"
                   f"<th>Có khả năng LĐ</th><th>Kế hoạch giảm</th><th>Vượt (hộ)</th></tr></thead><tbody>{rows}</tbody></table>")
    return ('<section id="co-cau-ho-ngheo"><h2>Cơ cấu hộ nghèo <small>who the poor are: ethnic minority, labour capacity</small></h2>'
            f"<p>{escape(_province_line(found))}</p>{figure}{listing}</section>")
