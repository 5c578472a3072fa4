"""`giamngheo trace`: the source cells behind a province or commune figure, and what they add up to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms.rates import excel_round, pct_of
from transforms.targets import RATES_OF_CUT

from .kinds import KIND_BY_NAME, KINDS
from .layout.standards import load_standards
from .vn import vn_figure, vn_int, vn_pct

# Figures that are sums of cells (-> the kind that gives them), and rates of two such sums, as the
# kinds declare them.
SUMS = {f: k.name for k in KINDS for f in k.traced}
RATES = {r: parts for k in KINDS for r, parts in k.traced_rates.items()}
RATE_KIND = {r: k.name for k in KINDS for r in k.traced_rates}
DIFFERENCES = {d: parts for k in KINDS for d, parts in k.traced_differences.items()}
DIFFERENCE_KIND = {d: k.name for k in KINDS for d in k.traced_differences}
FALLBACKS = {f: (k.name, sources) for k in KINDS for f, sources in k.traced_fallbacks.items()}
# The cut the province assigned a commune, in points: its cell of the targets workbook, else the households to lift
# there over the commune's households. A province has no such figure.
ASSIGNED, ASSIGNED_HOUSEHOLDS = "assigned_poor_reduction_pp", "assigned_poor_reduction_households"
POINTS = {ASSIGNED, *RATES_OF_CUT}  # a cut given as the rate to reach: the rate it starts from minus that rate
# a deprivation figure: a group's deprived households for indicator n of the standard ("poor_deprived_4": the poor
# without health insurance), households_deprived of deprivations(_provinces).parquet
DEPRIVED = re.compile(r"^(poor|near_poor)_deprived_(\d{1,2})$")


@dataclass
class Trace:
    code: str
    field: str
    cells: pl.DataFrame  # source_file, source_sheet, cell, value, sha256, commune_code, village_name
    total: float | None
    reported: float | None  # the figure in provinces.parquet / communes.parquet
    numerator: "Trace | None" = None  # a rate's numerator; a difference's first rate
    denominator: "Trace | None" = None  # a rate's denominator; a difference's rate subtracted
    notes: list[str] = field(default_factory=list)
    difference: bool = False

    @property
    def matches(self) -> bool:
        return self.reported is None or self.total is None or abs(self.total - self.reported) < 1e-9


def _fallback_cells(lineage: pl.DataFrame, fld: str) -> pl.DataFrame:
    """A figure each commune of its kind takes from the first of its declared sources it has cells of
    (Kind.traced_fallbacks)."""
    owner, sources = FALLBACKS[fld]
    communes = lineage.filter(pl.col("kind") == owner).select("commune_code").unique()
    taken = []
    for kind, source in sources:
        cells = lineage.filter((pl.col("kind") == kind) & (pl.col("field") == source)).join(
            communes, on="commune_code", how="semi"
        )
        taken.append(cells)
        communes = communes.join(cells.select("commune_code"), on="commune_code", how="anti")
    return pl.concat(taken, how="vertical_relaxed")


def trace(out: Path, code: str, fld: str) -> Trace:
    """Cells behind figure `fld` of a province (2 digits) or commune (5 digits) in the run at `out`."""
    lineage = pl.read_parquet(out / "lineage.parquet")
    level = "province" if len(code) <= 2 else "commune"
    code = code.zfill(2) if level == "province" else code.zfill(5)
    scope = lineage.filter(pl.col("province_code" if level == "province" else "commune_code") == code)
    if fld == ASSIGNED:
        if level == "province":
            raise KeyError(f"{ASSIGNED}: chỉ tiêu giao của từng xã, tỉnh không có số này; hãy ghi mã xã "
                           "(a commune's figure: give a 5-digit commune code)")
        return _assigned_trace(scope, code, out)
    if m := DEPRIVED.match(fld):
        return _deprivation_trace(scope, code, m.group(1), int(m.group(2)), out, level)
    if fld in DIFFERENCES:
        return _difference_trace(scope, code, fld, out, level)
    if fld in RATES:
        return _rate_trace(scope, code, fld, out, level)
    if fld not in SUMS:
        if scope.filter(pl.col("field") == fld).height:  # an item a roadmap names in its own words ("support_cap_the_bhyt")
            return _cells_trace(scope, code, fld)
        known = [*SUMS, *RATES, *DIFFERENCES, "poor_deprived_<1-12>", "near_poor_deprived_<1-12>"]
        raise KeyError(f"unknown figure {fld!r}; traceable: {', '.join(known)}")
    return _sum_trace(scope, code, fld, out, level)


def _deprivation_trace(scope: pl.DataFrame, code: str, group: str, number: int, out: Path, level: str) -> Trace:
    """The deprived households of a group for indicator `number` (whichever standard's indicator it is in the run):
    the cells of the commune's table (a village table's, one per village), against households_deprived."""
    keys = [key for key, n in load_standards().numbers.items() if n == number]
    fld = f"{group}_deprived_{number}"
    if "indicator" not in scope.columns:  # a run without deprivation tables
        scope = scope.with_columns(pl.lit(None, pl.Utf8).alias("indicator"))
    cells = scope.filter((pl.col("field") == f"{group}_deprived") & pl.col("indicator").is_in(keys))
    name = "deprivations_provinces.parquet" if level == "province" else "deprivations.parquet"
    reported = None
    if (out / name).exists():
        published = pl.read_parquet(out / name).filter(
            (pl.col("province_code" if level == "province" else "commune_code") == code)
            & (pl.col("indicator_id") == number) & (pl.col("group") == group))
        reported = published["households_deprived"][0] if published.height else None
    return Trace(code, fld, _cell_table(cells), cells["value"].sum() if cells.height else None, reported)


def _denominator_cells(scope: pl.DataFrame, den_field: str) -> pl.DataFrame:
    return _fallback_cells(scope, den_field) if den_field in FALLBACKS else scope.filter(pl.col("field") == den_field)


def _difference_trace(scope: pl.DataFrame, code: str, fld: str, out: Path, level: str) -> Trace:
    """A cut in points: the first rate minus the second, both over the communes that give all four of their parts (as
    transforms.results.provincial_results takes the actual cut), each rounded half up before the subtraction."""
    first, second = DIFFERENCES[fld]
    parts = [cells.select("commune_code").unique() for rate in (first, second)
             for cells in (scope.filter(pl.col("field") == RATES[rate][0]), _denominator_cells(scope, RATES[rate][1]))]
    communes, any_part = parts[0], pl.concat(parts).unique()
    for giving in parts[1:]:
        communes = communes.join(giving, on="commune_code")
    both = scope.join(communes, on="commune_code", how="semi")
    a, b = _rate_trace(both, code, first, out, level), _rate_trace(both, code, second, out, level)
    left_out = any_part.join(communes, on="commune_code", how="anti")["commune_code"].sort()
    for part in (a, b):
        part.reported = None  # the published rates are each over their own communes
    value = None if a.total is None or b.total is None else (round(a.total * 100) - round(b.total * 100)) / 100
    t = Trace(code, fld, pl.DataFrame(), value, _reported(out, code, fld, level), a, b, difference=True)
    if left_out.len():
        t.notes.append(
            f"không tính các xã thiếu số đầu kỳ hoặc cuối kỳ / communes without both rates left out: {', '.join(left_out)}"
        )
    return t


def _rate_trace(scope: pl.DataFrame, code: str, fld: str, out: Path, level: str) -> Trace:
    """A rate: its numerator's and denominator's cells, over the communes that give both."""
    num_field, den_field = RATES[fld]
    den_cells = _denominator_cells(scope, den_field)
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
    value = pct_of(int(num.total or 0), int(den.total or 0))
    return Trace(code, fld, pl.DataFrame(), value, _reported(out, code, fld, level), num, den)


def _assigned_trace(scope: pl.DataFrame, code: str, out: Path) -> Trace:
    """A commune's assigned cut: the targets workbook's cell in points, half up to 2 decimals as the figure is taken
    (transforms.aggregate.target_attainment), the rate it starts from minus the rate to reach where the workbook gives
    that, or the households to lift over the commune's households."""
    points = scope.filter(pl.col("field") == ASSIGNED)
    reported = _reported(out, code, ASSIGNED, "commune")
    before, to_reach = (_cells_trace(scope, code, part) for part in RATES_OF_CUT)
    if points.is_empty() and before.cells.height and to_reach.cells.height:
        return Trace(code, ASSIGNED, pl.DataFrame(), _half_up(before.total - to_reach.total), reported, before, to_reach,
                     difference=True)
    if points.height or scope.filter(pl.col("field") == ASSIGNED_HOUSEHOLDS).is_empty():
        total = _half_up(points["value"].sum()) if points.height else None
        return Trace(code, ASSIGNED, _cell_table(points), total, reported)
    num, den = (_cells_trace(scope, code, part) for part in (ASSIGNED_HOUSEHOLDS, "total_households"))
    value = pct_of(int(num.total or 0), int(den.total or 0)) if den.total else None
    t = Trace(code, ASSIGNED, pl.DataFrame(), value, reported, num, den)
    if den.total is None:
        t.notes.append("không có tổng số hộ của kế hoạch xã để quy đổi / no plan total to turn the households into points")
    return t


def _half_up(x: float) -> float:
    """Rounded as the figure is (transforms.rates.excel_round)."""
    return pl.select(excel_round(pl.lit(x))).item()


def _sum_trace(scope: pl.DataFrame, code: str, fld: str, out: Path, level: str) -> Trace:
    t = _cells_trace(scope, code, fld)
    t.reported = _reported(out, code, fld, level)
    return t


def _cells_trace(scope: pl.DataFrame, code: str, fld: str) -> Trace:
    """The cells of `fld` and their sum, compared with no published figure."""
    cells = scope.filter(pl.col("field") == fld)
    return Trace(code, fld, _cell_table(cells), cells["value"].sum() if cells.height else None, None)


def _cell_table(cells: pl.DataFrame) -> pl.DataFrame:
    return cells.sort("commune_code", "source_file", "source_sheet", "source_row", "column").select(
        "commune_code", "village_name", "source_file", "source_sheet", "cell", "value", "sha256"
    )


def _reported(out: Path, code: str, fld: str, level: str) -> float | None:
    """The figure as published: provinces.parquet or communes/results_communes.parquet."""
    if level == "province":
        frame = pl.read_parquet(out / "provinces.parquet").filter(pl.col("province_code") == code)
    else:
        name = KIND_BY_NAME[SUMS.get(fld) or RATE_KIND.get(fld) or DIFFERENCE_KIND[fld]].output("commune").name
        if not (out / name).exists():
            return None
        frame = pl.read_parquet(out / name).filter(pl.col("commune_code") == code)
    if frame.is_empty() or fld not in frame.columns:
        return None
    return frame[fld][0]


def traceable_fields(out: Path, code: str = "") -> list[str]:
    """The figures the run's lineage can follow, of a province (2-digit code) or a commune."""
    scan = pl.scan_parquet(out / "lineage.parquet")
    lineage = scan.select("field", *(["indicator"] if "indicator" in scan.collect_schema().names() else [])).collect()
    present = set(lineage["field"].unique()) - (POINTS if len(code.strip()) <= 2 else set())
    rates = [r for r, (n, d) in RATES.items() if n in present]
    differences = [d for d, (a, b) in DIFFERENCES.items() if a in rates and b in rates]
    return [f for f in SUMS if f in present] + rates + differences + _deprivation_fields(lineage)


def _deprivation_fields(lineage: pl.DataFrame) -> list[str]:
    """poor_deprived_1 … near_poor_deprived_12: the deprivation figures the lineage has cells of."""
    if "indicator" not in lineage.columns:  # a run without deprivation tables
        return []
    number = load_standards().numbers
    given = lineage.filter(pl.col("field").is_in(["poor_deprived", "near_poor_deprived"])).unique()
    found = {(f, number[k]) for f, k in given.iter_rows() if k in number}
    return [f"{g}_deprived_{n}" for g in ("poor", "near_poor") for n in range(1, 13) if (f"{g}_deprived", n) in found]


def render(t: Trace, show_cells: bool = True, limit: int | None = None) -> str:
    """Text for the terminal: each cell (file, sheet, cell, value, SHA-256), the sum, and the published figure."""
    lines = []
    if t.difference:
        lines.append(f"{t.field} ({t.code}) = {t.numerator.field} − {t.denominator.field} (điểm %)")
        lines.append(f"  = {vn_pct(t.numerator.total)} − {vn_pct(t.denominator.total)} = {vn_pct(t.total)}")
        lines.append(
            f"  số đã công bố / published: {vn_pct(t.reported)}  {'khớp / matches' if t.matches else 'KHÔNG KHỚP / MISMATCH'}"
        )
        lines.extend(f"  {note}" for note in t.notes)
        for part in (t.numerator, t.denominator):
            lines.append("")
            lines.append(render(part, show_cells, limit))
        return "\n".join(lines)
    if t.numerator is not None:
        lines.append(f"{t.field} ({t.code}) = {t.numerator.field} / {t.denominator.field} x 100, làm tròn nửa lên 2 chữ số")
        lines.append(f"  = {vn_int(t.numerator.total)} / {vn_int(t.denominator.total)} x 100 = {vn_pct(t.total)}")
        if t.reported is not None:  # a part of a cut: the rate over the communes that give the cut's four parts
            lines.append(
                f"  số đã công bố / published: {vn_pct(t.reported)}  {'khớp / matches' if t.matches else 'KHÔNG KHỚP / MISMATCH'}"
            )
        for part in (t.numerator, t.denominator):
            lines.append("")
            lines.append(render(part, show_cells, limit))
        return "\n".join(lines)
    # points to two decimals; other figures as they are (a roadmap's budget of 1.250,5 million read "1.251", its cells'
    # sum of 6.252,5 "6.253"; independent probe, Gia Lai), households whole
    number = vn_pct if t.field in POINTS else vn_figure
    lines.append(f"{t.field} ({t.code}): {t.cells.height} ô nguồn / source cells, tổng / sum = {number(t.total)}")
    if t.reported is not None:
        lines.append(
            f"  số đã công bố / published: {number(t.reported)}  {'khớp / matches' if t.matches else 'KHÔNG KHỚP / MISMATCH'}"
        )
    lines.extend(f"  {note}" for note in t.notes)
    if show_cells:
        rows = t.cells.to_dicts()
        for r in rows[:limit] if limit else rows:
            sheet = r["source_sheet"] if r["source_sheet"] is not None else "-"
            lines.append(f"  {r['source_file']} | {sheet} | {r['cell']} | {number(r['value'])} | {r['sha256'][:16]}")
        if limit and len(rows) > limit:
            lines.append(f"  ... {len(rows) - limit} ô nữa / more cells")
    return "\n".join(lines)
