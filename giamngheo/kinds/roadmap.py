"""The 2026–2030 roadmap and its budget (lộ trình giảm nghèo giai đoạn): items by year, per commune."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from schemas.columns import ROADMAP_ITEMS
from schemas.roadmap import Roadmap, RoadmapCommunes, RoadmapProvinces, RoadmapRows
from transforms import roadmap as R
from transforms.lineage import source_cell

from ..figures import accepted_only, commune_status, unit_names
from ..kind_words import KIND_WORDS
from ..layout.roadmap import ATTRIBUTES
from .base import Context, Figures, Kind, Output, Sheet

ROWS = Output("roadmap.parquet", Roadmap, "detail", traced=True, diff_key=("commune_code", "year", "item"))
COMMUNES = Output("roadmap_communes.parquet", RoadmapCommunes, "commune")
PROVINCES = Output("roadmap_provinces.parquet", RoadmapProvinces, "detail", diff_key=("province_code", "year", "item"))
ITEM_VI = {item: vi for item, (vi, _) in ROADMAP_ITEMS.items()}


_ITEM_ORDER = {item: n for n, item in enumerate(ITEM_VI)}
ITEM_KIND_VI = {"reduction": "Chỉ tiêu giảm nghèo", "support": "Hỗ trợ", "budget": "Kinh phí"}
_KIND_ORDER = {"reduction": 0, "support": 1, "budget": 2}


def period_of(year: int) -> tuple[int, int]:
    """The five-year period a year falls in (2026-2030, 2031-2035, ...)."""
    start = 2026 + 5 * ((year - 2026) // 5)
    return start, start + 4


def roadmap_figures(ctx: Context) -> Figures:
    """Accepted roadmaps by commune x year x item, their province sums, and the checks across rows."""
    status = commune_status(ctx.failures, ctx.submitted["roadmap"], "roadmap")
    names = unit_names(ctx.ref).lazy()
    items = R.roadmap_items(ctx.typed["roadmap"].lazy(), ctx.tables.lazy()).collect()
    plan = ctx.done["plan"].tables["communes.parquet"].filter(pl.col("status") == "accepted")
    cross = pl.concat(
        [
            R.roadmap_total_mismatches(items.lazy()).collect(),
            R.budget_source_mismatches(items.lazy()).collect(),
            R.roadmap_year_gaps(items.lazy(), period_of(ctx.year)).collect(),
            R.roadmap_against_plan(
                items.lazy(), plan.lazy().select("commune_code", "poor_households", "poor_reduction_target"), ctx.year
            ).collect(),
        ],
        how="diagonal_relaxed",
    )
    accepted = status.filter(pl.col("status") == "accepted").lazy().select("commune_code")
    rows = (
        R.roadmap_rows(items.lazy())
        .join(accepted, on="commune_code", how="semi")
        .join(names, on="commune_code", how="left")
        .with_columns(pl.lit(ctx.run_id).alias("run_id"))
        .sort("commune_code", "year", "source_file", "source_sheet", "source_row", "item")
        .collect()
    )
    communes = (
        status.lazy()
        .join(R.roadmap_commune_totals(rows.lazy()), on="commune_code", how="left")
        .join(names, on="commune_code", how="left")
        .with_columns(pl.lit(ctx.run_id).alias("run_id"))
        .with_columns(accepted_only(["years", "poor_reduction", "budget_total"]))
        .select(COMMUNES.columns)
        .sort("commune_code")
        .collect()
    )
    provinces = (
        R.roadmap_provinces(rows.lazy()).with_columns(pl.lit(ctx.run_id).alias("run_id"))
        .select(PROVINCES.columns).sort("province_code", "year", "item_kind", "item").collect()
    )
    tables = {ROWS.name: rows.select(ROWS.columns), COMMUNES.name: communes, PROVINCES.name: provinces}
    return Figures(tables, status, None, cross)


def roadmap_lineage(ctx: Context, figures: Figures) -> pl.DataFrame:
    """The cell behind every value of an accepted roadmap: field = item, the year in `year`."""
    rows = figures.tables[ROWS.name]
    located = (
        R.roadmap_items(ctx.typed["roadmap"].lazy(), ctx.tables.lazy())
        .join(ctx.columns.lazy().filter(pl.col("field") == "value"), on="table_id", how="left")
        .join(ctx.tables.lazy().select("table_id", "sha256"), on="table_id", how="left")
        .filter(pl.col("row_kind") == "item")
        .join(rows.lazy().select("commune_code").unique(), on="commune_code", how="semi")
        .collect()
    )
    return located.select(
        "commune_code", pl.lit(None, pl.Utf8).alias("village_name"), pl.lit(None, pl.Utf8).alias("section"),
        pl.col("item").alias("field"), pl.col("value").cast(pl.Float64).alias("value"), "source_file", "source_sheet",
        source_cell(), "source_row", "column", "sha256",
        pl.lit("roadmap").alias("kind"), pl.col("year").cast(pl.Int64, strict=False).alias("year"),
    ).sort("commune_code", "source_file", "source_sheet", "source_row", "column")


def roadmap_sheets(run_dir: Path) -> list[Sheet]:
    """Province roadmap by year (items as rows, years as columns): the households (reductions and supports) on one sheet,
    the budget and its sources in million VND on another (one column of both showed 784,00 hộ beside 39579,25 triệu
    đồng: independent probe, Lai Châu); an item the vocabulary does not name by the label communes wrote most."""
    path = run_dir / PROVINCES.name
    if not path.exists():
        return []
    frame = pl.read_parquet(path)
    if frame.is_empty():
        return []
    names = {**_labels_as_written(run_dir / ROWS.name), **ITEM_VI}
    frame = frame.with_columns(
        pl.col("item").replace_strict(names, default=pl.col("item")).alias("Nội dung"),
        # reductions, supports, then the budget (its total before its sources), each as the contract lists them
        (pl.col("item_kind").replace_strict(_KIND_ORDER, default=9) * 100
         + pl.col("item").replace_strict(_ITEM_ORDER, default=99)).alias("_order"),
        pl.col("item_kind").replace_strict(ITEM_KIND_VI, default=pl.col("item_kind")).alias("Loại"),
        pl.col("year").cast(pl.Utf8),
    )
    years = sorted({y for y in frame["year"].to_list() if y and y.isdigit()})
    run_year, outside = _run_year(run_dir), []
    period = f"{years[0]} - {years[-1]}" if years else ""
    if run_year is not None:  # the run's period: a year outside it ("2031", roadmap_years) is no part of the province's
        first, last = period_of(run_year)  # (its title read "GIAI ĐOẠN 2026 - 2031"; independent probe, Gia Lai)
        outside = [y for y in years if not first <= int(y) <= last]
        period = f"{first} - {last}"
        years = [y for y in years if y not in outside]
        frame = frame.filter(~pl.col("year").is_in(outside))
    if not years:
        return []
    sheets = []
    for households, name, what, unit in ((True, "Lộ trình (số hộ)", "SỐ HỘ", "hộ"),
                                          (False, "Lộ trình (kinh phí)", "KINH PHÍ", "triệu đồng")):
        part = frame.filter((pl.col("unit") == "households") == households)
        if part.is_empty():
            continue
        wide = part.pivot(on="year", index=["province_code", "_order", "Nội dung", "Loại"], values="value",
                          aggregate_function="sum").sort("province_code", "_order", "Nội dung")
        communes = part.group_by("province_code", "Nội dung").agg(
            pl.col("communes").max().cast(pl.Int64).alias("Số xã có số liệu"))
        shown = [y for y in years if y in wide.columns]
        # money in million VND to the đồng (sums of decimals were "23030.500000000004"); households whole
        figures = [pl.col(c).round(0).cast(pl.Int64) if households else pl.col(c).round(6) for c in (*shown, "Cộng")]
        wide = (wide.with_columns(pl.sum_horizontal(shown).alias("Cộng"))
                .join(communes, on=["province_code", "Nội dung"], how="left")
                .select("Nội dung", "province_code", "Loại", *figures, "Số xã có số liệu"))
        notes = (f"Tổng lộ trình của các xã, phường có lộ trình được chấp nhận, đơn vị tính: {unit}; số xã có số liệu: "
                 "số xã, phường có lộ trình ghi nội dung đó.",
                 *([f"Năm ngoài giai đoạn không tính vào bảng này: {', '.join(outside)} (cảnh báo roadmap_years)."]
                   if outside else []))
        # the workbook adds "NĂM <run year>" to every title: the period is named before it
        title = f"LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN {period}, {what} ({unit.upper()}), TỔNG HỢP"
        formats = {} if households else dict.fromkeys((*shown, "Cộng"), MONEY_FORMAT)
        sheets.append(Sheet(name, title, wide, notes, totals=False, formats=formats))  # items of kinds apart: no one total
    return sheets


def _run_year(run_dir: Path) -> int | None:
    """The year the run consolidated (manifest.json), None without a manifest."""
    from ..reports.ledger import read_manifest  # (the ledger reads the kinds)

    try:
        return int(read_manifest(run_dir)["year"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


MONEY_FORMAT = "#,##0.00"  # shown with the reader's separators: 39.579,25


def _labels_as_written(path: Path) -> dict[str, str]:
    """An item the vocabulary does not name -> the label the communes wrote most for it ("Cấp thẻ BHYT")."""
    if not path.exists():
        return {}
    rows = pl.read_parquet(path, columns=["item", "item_label"]).drop_nulls()
    counted = rows.group_by("item", "item_label").len().sort("len", "item_label", descending=[True, False])
    return dict(counted.unique("item", keep="first", maintain_order=True).select("item", "item_label").iter_rows())


def roadmap_section(run_dir: Path) -> str:
    """A chart of the poor households the province's communes plan to lift out of poverty each year."""
    from html import escape

    path = run_dir / PROVINCES.name
    if not path.exists():
        return ""
    frame = pl.read_parquet(path).filter(pl.col("item").is_in(["poor_reduction", "budget_total"]))
    by_year = frame.group_by("year", "item").agg(pl.col("value").sum()).sort("year")
    poor = {r["year"]: r["value"] or 0 for r in by_year.filter(pl.col("item") == "poor_reduction").iter_rows(named=True)}
    budget = {r["year"]: r["value"] or 0 for r in by_year.filter(pl.col("item") == "budget_total").iter_rows(named=True)}
    if not poor:
        return ""
    top = max(poor.values()) or 1
    bars = "".join(
        f'<g><rect x="{40 + i * 70}" y="{160 - 140 * v / top:.1f}" width="48" height="{140 * v / top:.1f}" fill="#2b6cb0"/>'
        f'<text x="{64 + i * 70}" y="{154 - 140 * v / top:.1f}" text-anchor="middle" font-size="12">{int(v)}</text>'
        f'<text x="{64 + i * 70}" y="178" text-anchor="middle" font-size="12">{y}</text></g>'
        for i, (y, v) in enumerate(sorted(poor.items()))
    )
    svg = f'<svg viewBox="0 0 {60 + 70 * len(poor)} 190" role="img" aria-label="Số hộ nghèo giảm theo năm">{bars}</svg>'
    rows = "".join(
        f"<tr><td>{y}</td><td>{int(poor.get(y, 0))}</td><td>{escape(f'{budget.get(y, 0):,.0f}'.replace(',', '.'))}</td></tr>"
        for y in sorted(poor)
    )
    return (
        '<section id="lo-trinh"><h2>Lộ trình giảm nghèo <small>roadmap, accepted communes</small></h2>'
        f"<figure>{svg}<figcaption>Số hộ nghèo dự kiến giảm mỗi năm <small>poor households to lift out of poverty each year"
        "</small></figcaption></figure><table><thead><tr><th>Năm</th><th>Hộ nghèo giảm</th><th>Kinh phí (triệu đồng)</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


ROADMAP = Kind(
    name="roadmap",
    title_vi="lộ trình giảm nghèo",
    title_en="roadmap",
    heading_vi="Lộ trình 2026-2030",
    file_words=KIND_WORDS["roadmap"],
    counts=("value",),
    rates=(),
    rows=RoadmapRows,
    needs=("plan",),
    expected=True,  # owed by every commune once the run holds one: "31/31 xã (100%)" when 7 of 38 sent none
    aggregate=roadmap_figures,
    trace=roadmap_lineage,
    # each canonical item over the period; roadmap_communes.parquet publishes poor_reduction and budget_total
    traced=tuple(ITEM_VI),
    outputs=(ROWS, COMMUNES, PROVINCES),
    report_sheets=roadmap_sheets,
    report_section=roadmap_section,
    row_kinds=("item", "total"),
    attributes=ATTRIBUTES,
    item_attribute="item",
)
