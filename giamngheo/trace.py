"""`giamngheo trace`: the source cells behind a province or commune figure, and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .kinds import KIND_BY_NAME, KINDS
from .summary import vn_int, vn_pct

# Figures that are sums of cells (-> the kind that gives them), and rates of two such sums, as the
# kinds declare them.
SUMS = {f: k.name for k in KINDS for f in k.traced}
RATES = {r: parts for k in KINDS for r, parts in k.traced_rates.items()}
RATE_KIND = {r: k.name for k in KINDS for r in k.traced_rates}


@dataclass
class Trace:
    code: str
    field: str
    cells: pl.DataFrame  # source_file, source_sheet, cell, value, sha256, commune_code, village_name
    total: float | None
    reported: float | None  # the figure in provinces.parquet / communes.parquet
    numerator: "Trace | None" = None
    denominator: "Trace | None" = None
    notes: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.reported is None or self.total is None or abs(self.total - self.reported) < 1e-9


def _rate(n: int, d: int) -> float | None:
    return None if not d else ((2 * n * 10000 + d) // (2 * d)) / 100


def _start_denominator_cells(lineage: pl.DataFrame) -> pl.DataFrame:
    """The start rate's denominator: plan baseline total of communes with an accepted plan, else the end total."""
    plan_total = lineage.filter((pl.col("kind") == "plan") & (pl.col("field") == "total_households"))
    with_results = lineage.filter(pl.col("kind") == "results").select("commune_code").unique()
    from_plan = plan_total.join(with_results, on="commune_code", how="semi")
    end_total = lineage.filter(pl.col("field") == "total_households_end").join(
        from_plan.select("commune_code").unique(), on="commune_code", how="anti"
    )
    return pl.concat([from_plan, end_total], how="vertical_relaxed")


def trace(out: Path, code: str, fld: str) -> Trace:
    """Cells behind figure `fld` of a province (2 digits) or commune (5 digits) in the run at `out`."""
    lineage = pl.read_parquet(out / "lineage.parquet")
    level = "province" if len(code) <= 2 else "commune"
    code = code.zfill(2) if level == "province" else code.zfill(5)
    scope = lineage.filter(pl.col("province_code" if level == "province" else "commune_code") == code)
    if fld in RATES:
        num_field, den_field = RATES[fld]
        den_cells = _start_denominator_cells(scope) if den_field == "start_denominator" else scope.filter(pl.col("field") == den_field)
        # over the communes that give both (transforms.results.provincial_results): no commune's poor without its households
        giving = scope.filter(pl.col("field") == num_field).select("commune_code").unique()
        both = giving.join(den_cells.select("commune_code").unique(), on="commune_code")
        num = _sum_trace(scope.join(both, on="commune_code", how="semi"), code, num_field, out, level)
        left_out = giving.join(both, on="commune_code", how="anti")["commune_code"].sort()
        if left_out.len():  # the published sum counts them; this rate does not
            num.reported = None
            num.notes.append(f"không tính các xã thiếu mẫu số / communes without the denominator left out: {', '.join(left_out)}")
        den_cells = den_cells.join(both, on="commune_code", how="semi")
        den = Trace(code, den_field, _cell_table(den_cells), den_cells["value"].sum() if den_cells.height else None, None)
        value = _rate(int(num.total or 0), int(den.total or 0))
        return Trace(code, fld, pl.DataFrame(), value, _reported(out, code, fld, level), num, den)
    if fld not in SUMS:
        raise KeyError(f"unknown figure {fld!r}; traceable: {', '.join(list(SUMS) + list(RATES))}")
    return _sum_trace(scope, code, fld, out, level)


def _sum_trace(scope: pl.DataFrame, code: str, fld: str, out: Path, level: str) -> Trace:
    cells = scope.filter(pl.col("field") == fld)
    total = cells["value"].sum() if cells.height else None
    return Trace(code, fld, _cell_table(cells), total, _reported(out, code, fld, level))


def _cell_table(cells: pl.DataFrame) -> pl.DataFrame:
    return cells.sort("commune_code", "source_file", "source_sheet", "source_row", "column").select(
        "commune_code", "village_name", "source_file", "source_sheet", "cell", "value", "sha256"
    )


def _reported(out: Path, code: str, fld: str, level: str) -> float | None:
    """The figure as published: provinces.parquet or communes/results_communes.parquet."""
    if level == "province":
        frame = pl.read_parquet(out / "provinces.parquet").filter(pl.col("province_code") == code)
    else:
        name = KIND_BY_NAME[SUMS.get(fld) or RATE_KIND[fld]].output("commune").name
        if not (out / name).exists():
            return None
        frame = pl.read_parquet(out / name).filter(pl.col("commune_code") == code)
    if frame.is_empty() or fld not in frame.columns:
        return None
    return frame[fld][0]


def traceable_fields(out: Path) -> list[str]:
    lineage = pl.read_parquet(out / "lineage.parquet", columns=["field"])
    present = set(lineage["field"].unique())
    return [f for f in SUMS if f in present] + [r for r, (n, d) in RATES.items() if n in present]


def render(t: Trace, show_cells: bool = True, limit: int | None = None) -> str:
    """Text for the terminal: each cell (file, sheet, cell, value, SHA-256), the sum, and the published figure."""
    lines = []
    if t.numerator is not None:
        lines.append(f"{t.field} ({t.code}) = {t.numerator.field} / {t.denominator.field} x 100, làm tròn nửa lên 2 chữ số")
        lines.append(f"  = {vn_int(t.numerator.total)} / {vn_int(t.denominator.total)} x 100 = {vn_pct(t.total)}")
        lines.append(f"  số đã công bố / published: {vn_pct(t.reported)}  {'khớp / matches' if t.matches else 'KHÔNG KHỚP / MISMATCH'}")
        for part in (t.numerator, t.denominator):
            lines.append("")
            lines.append(render(part, show_cells, limit))
        return "\n".join(lines)
    lines.append(f"{t.field} ({t.code}): {t.cells.height} ô nguồn / source cells, tổng / sum = {vn_int(t.total)}")
    if t.reported is not None:
        lines.append(f"  số đã công bố / published: {vn_int(t.reported)}  {'khớp / matches' if t.matches else 'KHÔNG KHỚP / MISMATCH'}")
    lines.extend(f"  {note}" for note in t.notes)
    if show_cells:
        rows = t.cells.to_dicts()
        for r in rows[:limit] if limit else rows:
            sheet = r["source_sheet"] if r["source_sheet"] is not None else "-"
            lines.append(f"  {r['source_file']} | {sheet} | {r['cell']} | {vn_int(r['value'])} | {r['sha256'][:16]}")
        if limit and len(rows) > limit:
            lines.append(f"  ... {len(rows) - limit} ô nữa / more cells")
    return "\n".join(lines)
