"""How household lists appear in the reports: an analyst sheet of the communes whose list and annex
disagree, and a section of the HTML report; counts only, never a household."""

from __future__ import annotations

from html import escape
from pathlib import Path

import polars as pl

from ..vn import vn_int
from .base import Sheet

COMMUNES = "households_communes.parquet"


def disagreeing(run_dir: Path) -> pl.DataFrame | None:
    """Communes whose accepted list and accepted annex give different counts."""
    path = Path(run_dir) / COMMUNES
    if not path.exists():
        return None
    frame = pl.read_parquet(path)
    return frame.filter(pl.col("matches_annex") == False).sort("commune_code")  # noqa: E712 - null is "not compared"


def household_sheets(run_dir: Path) -> list[Sheet]:
    """The communes whose household list and plan annex disagree."""
    frame = disagreeing(run_dir)
    if frame is None or frame.is_empty():  # none disagrees: no sheet, as "KH vượt …" (an empty one was written; Bắc Ninh)
        return []
    table = frame.select(
        pl.col("commune_name").alias("Xã, phường"),
        pl.col("commune_code").alias("Mã xã"),
        pl.col("list_poor_households").alias("Hộ nghèo theo danh sách"),
        pl.col("annex_poor_households").alias("Hộ nghèo theo phụ lục"),
        pl.col("list_near_poor_households").alias("Hộ cận nghèo theo danh sách"),
        pl.col("annex_near_poor_households").alias("Hộ cận nghèo theo phụ lục"),
        pl.col("source_file").alias("Tệp danh sách"),
    )
    notes = ("Các xã, phường có danh sách hộ và phụ lục kế hoạch đều được chấp nhận nhưng số hộ theo thôn hoặc toàn xã khác nhau "
             "(cảnh báo list_matches_annex). Danh sách hộ không được đưa vào báo cáo: chỉ có số lượng.",)
    return [Sheet("Danh sách hộ - lệch", "CÁC XÃ CÓ DANH SÁCH HỘ KHÁC PHỤ LỤC KẾ HOẠCH", table, notes)]


def household_section(run_dir: Path) -> str:
    """The lists received and the communes whose list and annex disagree."""
    path = Path(run_dir) / COMMUNES
    if not path.exists():
        return ""
    frame = pl.read_parquet(path)
    accepted = frame.filter(pl.col("status") == "accepted")
    differ = disagreeing(run_dir)
    rows = "".join(
        f"<tr><td>{escape(r['commune_name'] or r['commune_code'])}</td><td>{r['list_poor_households']}</td>"
        f"<td>{r['annex_poor_households']}</td><td>{r['list_near_poor_households']}</td><td>{r['annex_near_poor_households']}</td></tr>"
        for r in differ.iter_rows(named=True)
    ) if differ is not None else ""
    table = (
        (
            "<table><thead><tr><th>Xã, phường</th><th>Hộ nghèo (danh sách)</th><th>Hộ nghèo (phụ lục)</th>"
            f"<th>Hộ cận nghèo (danh sách)</th><th>Hộ cận nghèo (phụ lục)</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        if rows
        else ""
    )
    # "1.588", as every other figure of the report (was "1588"; analyst reports judge, Bắc Ninh)
    poor, near = (vn_int(accepted[c].sum() or 0) for c in ("list_poor_households", "list_near_poor_households"))
    return (
        '<section id="danh-sach-ho"><h2>Danh sách hộ nghèo, cận nghèo <small>household lists, counts only</small></h2>'
        f"<p>{frame.height} xã, phường gửi danh sách; {accepted.height} được chấp nhận, "
        f"{poor} hộ nghèo và {near} "
        f"hộ cận nghèo; {0 if differ is None else differ.height} xã có danh sách khác phụ lục kế hoạch.</p>{table}</section>"
    )
