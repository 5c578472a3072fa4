"""The province's target workbook: one row per commune with its assigned cut of the poor rate."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from transforms.markers import FORMULA_MARK
from transforms.parsing import typed_rows
from transforms.targets import RATES_OF_CUT, assigned_target_cells, percent_in_words, targets_in_points

from .kinds import KIND_BY_NAME
from .layout.header_fields import TARGET_FIELDS
from .layout.tables import document_year
from .layout.vocabulary import row_label_tags
from .failure_row import failure
from .parsed import ParsedTable, ParseResult
from .readers import xlsx_percent_cells
from .readers.grid import a1
from .resolve import Resolver, province_wide
from .text import nfc
from .validate import zero_markers

HOUSEHOLDS_TARGET = "assigned_poor_reduction_households"
TARGET_COUNTS = ["total_households", "poor_households", HOUSEHOLDS_TARGET]
TARGET_RATES = ["assigned_poor_reduction_pp", "poor_rate", "poor_rate_target"]
_UNIT = r"(?i)\s*(?:điểm\s*%?|điểm phần trăm|%|pp)\s*$"
# a target said as a cut ("giảm 0,5 điểm %", "Phấn đấu giảm tối thiểu 1,2"): the words before the figure are no part of it
_CUTTING = r"(?i)^\s*(?:phấn đấu\s+)?(?:tỷ lệ(?:\s+hộ nghèo)?\s+)?(?:giảm|hạ)"
_CUT_WORDS = _CUTTING + r"(?:\s+(?:tối thiểu|ít nhất|từ))?\s*:?\s*"
_HOUSEHOLDS_UNIT = r"(?i)\s*hộ(?:\s+nghèo)?\s*$"
# a rate to reach said in words ("còn 0,30%", "giảm xuống còn 1,2", "xuống 1,2%", "dưới 2%", "tỷ lệ hộ nghèo còn 4,86%"):
# the words are no part of it
_REACHING = (r"(?i)^\s*(?:(?:phấn đấu\s+)?tỷ lệ(?:\s+hộ nghèo)?(?:\s+cuối năm(?:\s+\d{4})?)?\s*:?\s*)?"
             r"(?:(?:giảm\s+)?xuống(?:\s+(?:còn|dưới))?|còn|dưới|đạt)")
_REACH_WORDS = _REACHING + r"\s*:?\s*"
BASELINE_FIELDS = ("total_households", "poor_households")  # a plan's baseline the workbook may give too
TARGETS_SCHEMA = {
    "commune_code": pl.Utf8,
    "assigned_poor_reduction_pp": pl.Float64,
    # the cut as households to lift ("Số hộ nghèo giảm"), where the province wrote no points: the commune's
    # points are then these households over its own total (transforms.aggregate.target_attainment)
    "assigned_poor_reduction_households": pl.Float64,
    "targets_total_households": pl.Float64,
    "targets_poor_households": pl.Float64,
    "targets_row": pl.Int32,
    "targets_sheet": pl.Utf8,  # the sheet of that row: a workbook may give a sheet per former province
    # where the workbook gives each baseline figure ("Chỉ tiêu!D7"), for baseline_matches_targets
    "targets_total_households_cell": pl.Utf8,
    "targets_poor_households_cell": pl.Utf8,
    # a cut given as the rate to reach: the two rates it is the difference of, in points (their lineage cells)
    **dict.fromkeys(RATES_OF_CUT, pl.Float64),
}


@dataclass
class Targets:
    frame: pl.DataFrame  # TARGETS_SCHEMA
    province: str | None  # the province most of its communes belong to
    failures: list[dict] = field(default_factory=list)
    sheet: str | None = None
    tables: list[ParsedTable] = field(default_factory=list)  # the workbook's targets for a kind (subject: the kind)
    source: dict | None = None  # path, size and SHA-256 of the workbook read: the manifest names the version a run used
    year: int | None = None  # the year its title states ("GIAO CHỈ TIÊU … NĂM 2026")
    sheets: dict[str | None, dict[str, int]] = field(default_factory=dict)  # each sheet read -> field -> 1-based column

    def manifest_entry(self) -> dict | None:
        """What the manifest records of the workbook: its path, size and SHA-256, and the communes it lists (the
        submission ledger expects those, as provinces.parquet's communes_expected counts them)."""
        if self.source is None:
            return None
        return {**self.source, "communes": sorted(self.frame["commune_code"].drop_nulls().unique().to_list())}

    def cells(self) -> pl.DataFrame:
        """The cell behind each commune's assigned cut (lineage: what `giamngheo trace` shows)."""
        source = self.source or {}
        name, sha = Path(source.get("path", "")).name, source.get("sha256")
        sheets = self.sheets or {self.sheet: {}}  # (no sheet read: no cell)
        return pl.concat([assigned_target_cells(self.frame.lazy().filter(pl.col("targets_sheet").eq_missing(sheet)), name,
                                                sheet, columns, sha).collect() for sheet, columns in sheets.items()],
                         how="diagonal_relaxed")


def targets_from_parse(data: ParseResult, resolver: Resolver, path: Path | None = None, year: int | None = None) -> Targets:
    """Resolve each named row of the parsed targets workbook to a unit of the official list (by its code where a code
    column gives one, else by its name, a former unit's name reported as such); a commune listed twice keeps its
    first row, the second reported. The workbook's own findings (a hidden row, a formula without its value, a row
    not used) are reported with the rows'."""
    found = _targets_of(data, resolver, path, year)
    found.year = found.year or data.year
    return found


def _of_the_year(tables: list[ParsedTable], year: int | None) -> tuple[list[ParsedTable], list[ParsedTable], int | None]:
    """(the sheets of the year's targets, the sheets of another year, the year): the run's year where a sheet's title
    states it, else the latest a title states; a sheet stating none is of the year. Last year's sheet placed first was
    used, every commune "below" its target, without a word (targets judge, Phú Thọ)."""
    years = [document_year(t.title) for t in tables]
    wanted = year if year is not None and year in years else max((y for y in years if y), default=None)
    of_it = [y in (wanted, None) for y in years]
    return [t for t, ok in zip(tables, of_it) if ok], [t for t, ok in zip(tables, of_it) if not ok], wanted


def _targets_of(data: ParseResult, resolver: Resolver, path: Path | None, year: int | None = None) -> Targets:
    for_kinds = [t for t in data.tables if t.kind == "targets" and t.subject in KIND_BY_NAME]
    communes = [t for t in data.tables if t not in for_kinds]
    if not communes:
        return Targets(pl.DataFrame(schema=TARGETS_SCHEMA), None, [*data.failures, *_units_of_targets(for_kinds, resolver),
                                                                   _none_read(path)], tables=for_kinds)
    chosen, other_years, wanted = _of_the_year(communes, year)
    failures: list[dict] = list(data.failures)
    out: dict[str, dict] = {}
    sheets: dict[str | None, dict[str, int]] = {}
    kept, passed = [], []  # (table, typed rows, codes, its communes, its findings) of the sheets used, of the others

    def use(read: tuple) -> None:
        kept.append(read)
        out.update(read[3])
        failures.extend(read[4])
        sheets[read[0].sheet or None] = dict(read[0].columns)

    for table in map(_routed, chosen):
        found: dict[str, dict] = {}
        said: list[dict] = []
        typed, codes = _communes_of(table, resolver, path, out, found, said)
        read = (table, typed, codes, found, said)
        if found and len(found) * 2 >= typed.filter(pl.col("row_kind") == "village").height:
            use(read)
        else:  # rows mostly no commune (a summary by former district): not the targets
            passed.append(read)
    if not kept:  # no sheet of communes: the first as it is
        use(passed.pop(0))
    # said to the province, whose workbook it is (sheet_not_used asked the commune to confirm its version)
    failures += [failure("targets_sheet_used", t.sheet, expected=kept[0][0].sheet, detail="other_year") for t in other_years]
    failures += [failure("targets_sheet_used", p[0].sheet, expected=kept[0][0].sheet, detail="not_communes") for p in passed]
    table, typed, codes = kept[0][:3]
    sheet = table.sheet or None
    other = _another_provinces(typed, codes, resolver, len(out))
    if other is not None:  # the workbook of another province than --province: none of its targets is this one's
        said = (f"{resolver.ref.province_name(other)} ({other}), không phải {resolver.ref.province_name(resolver.province)} "
                f"({resolver.province})")
        kept = [
            f
            for f in failures
            if f["rule"] not in ("commune_resolved", "target_unit_in_province", "legacy_unit_name", "target_listed_once",
                                 "code_matches_name")
        ]
        return Targets(
            pl.DataFrame(schema=TARGETS_SCHEMA), other, [failure("wrong_province", sheet, expected=said), *kept], sheet, for_kinds
        )
    frame = pl.DataFrame(list(out.values()), schema=TARGETS_SCHEMA)
    given = ("assigned_poor_reduction_pp", "assigned_poor_reduction_households", "assigned_rate_to_reach")
    if frame.filter(pl.any_horizontal(pl.col(f).is_not_null() for f in given)).is_empty():
        failures.append(_none_read(path, sheet))
    provinces = Counter(resolver.ref.by_code[c].province_code for c in frame["commune_code"])
    province = provinces.most_common(1)[0][0] if provinces else None
    # a kind's targets named as the run will place them: in the workbook's province where the run names none
    failures += _units_of_targets(for_kinds, resolver if resolver.province or not province else Resolver(resolver.ref, province))
    return Targets(frame, province, failures, sheet, for_kinds, year=wanted, sheets=sheets)


def _communes_of(table: ParsedTable, resolver: Resolver, path: Path | None, earlier: dict[str, dict], out: dict[str, dict],
                 failures: list[dict]) -> tuple[pl.DataFrame, list]:
    """One sheet's communes and their targets into `out` (a commune listed twice, here or on an `earlier` sheet, keeps
    its first row), its findings into `failures`; the sheet's typed rows and codes."""
    typed = _typed(table.rows, _shown_as_percent(path, table))
    written, households_written, reach_written = (_as_typed(table, f, typed.height) for f in (
        "assigned_poor_reduction_pp", HOUSEHOLDS_TARGET, "poor_rate_target"))
    codes = table.rows.get("unit_code") or [None] * typed.height
    sheet, name_col = table.sheet or None, table.name_column or table.columns.get("unit_code")
    for rec in typed.filter(pl.col("row_kind") == "village").iter_rows(named=True):
        code = codes[rec["_i"]]
        if not rec["name"] and not code:
            continue
        if not rec["name"] and _a_total(code):
            continue  # "Cộng Huyện An Phú" in the code column, the name's empty: a former district's subtotal, no commune
        if rec["name"] and _DISTRICT.match(nfc(rec["name"]).lower()):
            continue  # "1 | Huyện Yên Lạc (cũ)": a group row numbered as a commune's, no commune (an error; targets judge)
        res = resolver.resolve_name(rec["name"], code)
        shown = rec["name"] or code
        if res.unit is None:
            elsewhere = _of_another_province(resolver, rec["name"], code)
            if elsewhere is not None:  # found, of another province: "không xác định được" and an error before (Huế)
                failures.append(failure("target_unit_in_province", sheet, rec["row"], name_col, "village_name", shown,
                                        elsewhere.describe()))
                continue
            failures.append(
                failure("commune_resolved", sheet, rec["row"], name_col, "village_name", shown, "; ".join(res.candidates) or "—")
            )
            continue
        said: list[dict] = []  # this row's findings, its commune's: an auditor filtering by commune finds them too
        if res.rule == "legacy_unit_name":
            said.append(failure("legacy_unit_name", sheet, rec["row"], name_col, "village_name", res.value, res.unit.describe()))
        named = resolver.resolve_name(rec["name"]).unit if code and rec["name"] and res.method == "code" else None
        if named is not None and named.commune_code != res.unit.commune_code:  # a row copied down, its code not changed
            said.append(failure("code_matches_name", sheet, rec["row"], name_col, "village_name",
                                f"{rec['name']} ({named.describe()})", res.unit.describe()))
        first = out.get(res.unit.commune_code) or earlier.get(res.unit.commune_code)
        target = rec["assigned_poor_reduction_pp"]
        if first is not None:
            said.append(
                failure("target_listed_once", sheet, rec["row"], name_col, "village_name", shown, str(first["targets_row"]))
            )
        elif target is None and written[rec["_i"]]:  # "chưa giao": reported at its cell, the commune left without a target
            # the province's own cell, a warning: as an error it was counted the commune's, which stays accepted
            said.append(failure("target_numeric", sheet, rec["row"], table.columns.get("assigned_poor_reduction_pp"),
                                "assigned_poor_reduction_pp", written[rec["_i"]]))
        elif rec.get(HOUSEHOLDS_TARGET) is None and households_written[rec["_i"]]:  # the same of households to lift
            said.append(failure("target_numeric", sheet, rec["row"], table.columns.get(HOUSEHOLDS_TARGET), HOUSEHOLDS_TARGET,
                                households_written[rec["_i"]]))
        elif target is None and rec.get("poor_rate_target") is None and reach_written[rec["_i"]]:  # a rate to reach: the same
            # (its text was lost without a word; targets judge, Phú Thọ)
            said.append(failure("target_numeric", sheet, rec["row"], table.columns.get("poor_rate_target"), "poor_rate_target",
                                reach_written[rec["_i"]]))
        failures += [{**f, "commune_code": res.unit.commune_code} for f in said]
        if first is not None:
            continue  # a commune listed twice keeps its first row
        # a cell written: a blank one types as 0 households, and "chưa giao" or a rate to reach beside "giảm 14 hộ" in one
        # column of words was a target of 0 households, its commune "meeting" it (targets judge, Huế)
        households = rec[HOUSEHOLDS_TARGET] if _written(table, HOUSEHOLDS_TARGET, rec["_i"]) else None
        out[res.unit.commune_code] = {
            "commune_code": res.unit.commune_code,
            "assigned_poor_reduction_pp": target,
            "assigned_poor_reduction_households": abs(households) if households is not None and target is None else None,
            # a workbook of targets alone gives no baseline, and a blank cell gives none for its commune (typed rows read
            # 0 there): nothing to compare the plan with
            **{f"targets_{f}": rec[f] if _written(table, f, rec["_i"]) else None for f in BASELINE_FIELDS},
            "targets_row": rec["row"],
            "targets_sheet": sheet,
            **{f"targets_{f}_cell": _cell(sheet, rec["row"], table.columns.get(f)) for f in BASELINE_FIELDS},
            **{f: rec.get(f) for f in RATES_OF_CUT},
        }
    return typed, codes


# a former district, a province, or a city of either, by its type word as written (accents kept: "Quan Sơn" may be a
# commune's name, "Quận" is none): no commune of today bears one
_DISTRICT = re.compile(r"^\s*(?:huyện|quận|thị xã|thành phố|tỉnh|h\.|tx\.|tp\.)\s")


# what a target cell's own words say it is: households to lift ("giảm 12 hộ"), the rate to reach ("còn 3,20%"), a cut
# in points ("giảm 0,35%")
_SAYS = (
    (HOUSEHOLDS_TARGET, re.compile(r"(?i)\bhộ(?:\s+nghèo)?\s*$")),
    ("poor_rate_target", re.compile(_REACHING + r"\b")),
    ("assigned_poor_reduction_pp", re.compile(_CUTTING + r"\b")),  # (a "%" says nothing: a rate to reach has one too)
)


def _routed(table: ParsedTable) -> ParsedTable:
    """The table with each target cell under the target its words name, where that target has no column of its own,
    the cell's column then that target's: a sheet's one column of targets ("Chỉ tiêu giao năm 2026") mixing "giảm 0,35%",
    "giảm 12 hộ" and "còn 3,20%" row by row. Its every commune was left without a target (three judges; Phú Thọ)."""
    held = [f for f in TARGET_FIELDS if f in table.columns]
    if not held or len(held) == len(TARGET_FIELDS):
        return table
    rows, columns, n = dict(table.rows), dict(table.columns), len(table.rows["row"])
    for own in held:
        for i, text in enumerate(table.rows.get(f"{own}__text") or []):
            said = next((f for f, says in _SAYS if says.search(text)), own) if text and not text.startswith(FORMULA_MARK) else own
            if said == own or said in table.columns or columns.setdefault(said, columns[own]) != columns[own]:
                continue  # a target with a column of its own, or read from another column already: where it stands
            for part in ("__num", "__text"):
                if rows.get(said + part) is table.rows.get(said + part):  # the parse's lists are not changed
                    rows[said + part] = list(rows.get(said + part) or [None] * n)
                if rows.get(own + part) is table.rows.get(own + part):
                    rows[own + part] = list(rows[own + part])
                rows[said + part][i], rows[own + part][i] = rows[own + part][i], None
    return replace(table, rows=rows, columns=columns)


def _units_of_targets(tables: list[ParsedTable], resolver: Resolver) -> list[dict]:
    """commune_resolved at its cell for a kind's target (an indicator's, say) whose unit is neither the province ("Toàn
    tỉnh") nor a commune found: the target was dropped without a word (deprivations judge, Điện Biên). And
    target_numeric at an indicator's target cell with no number in it."""
    said, seen = [], set()
    for t in tables:
        for row, name in zip(t.rows["row"], t.rows["name"]):
            if not name or (t.sheet, name) in seen or province_wide(name, resolver.ref):
                continue
            seen.add((t.sheet, name))
            found = resolver.resolve_name(name)
            if found.unit is None:
                said.append(failure("commune_resolved", t.sheet, row, t.name_column, "village_name", name,
                                    "; ".join(found.candidates) or "—"))
        said += _indicator_targets_said(t, resolver)
    return said


def _indicator_targets_said(table: ParsedTable, resolver: Resolver) -> list[dict]:
    """target_numeric at each indicator target cell whose text gives no percent ("chưa giao", "đang rà soát"): the
    indicator's target was dropped without a word (leftover of the analyst reports judge, Bắc Ninh), where a reduction
    target so written is said."""
    field = "target_coverage_pct"
    rows = table.rows
    n = len(rows["row"])
    columns = rows.get(f"{field}__col") or [table.columns.get(field)] * n
    said = []
    for row, name, key, num, text, column in zip(rows["row"], rows["name"], rows["indicator"], rows.get(f"{field}__num") or [],
                                                 rows.get(f"{field}__text") or [], columns):
        if not key or num is not None or not text or text.startswith(FORMULA_MARK) or percent_in_words(text) is not None:
            continue
        unit = None if not name or province_wide(name, resolver.ref) else resolver.resolve_name(name).unit
        said.append({**failure("target_numeric", table.sheet, row, column, field, text),
                     **({"commune_code": unit.commune_code} if unit else {})})
    return said


def _as_typed(table: ParsedTable, field: str, n: int) -> list[str | None]:
    """A field's cells as typed, units kept; a formula without its value none (formula_without_value says it: it was
    said twice, the second time as "“\x00=ROUND(F5*0.1,2)”"; targets judge, Phú Thọ)."""
    texts = table.rows.get(f"{field}__text") or [None] * n
    return [None if t and t.startswith(FORMULA_MARK) else t for t in texts]


def _none_read(path: Path | None, sheet: str | None = None) -> dict:
    """targets_read: the workbook gives no commune a target (the summary's "0 meeting, 0 below" read as a province that
    set none; targets judge, Thanh Hóa)."""
    return failure("targets_read", sheet, value=path.name if path else "")


def _a_total(code) -> bool:
    """A code cell holding a total's words, no code ("Cộng Huyện An Phú", "Tổng cộng")."""
    text = str(code)
    return not any(ch.isdigit() for ch in text) and "row.total" in row_label_tags(text)


def _another_provinces(typed: pl.DataFrame, codes: list, resolver: Resolver, resolved: int) -> str | None:
    """The province a targets workbook is of, when it is not the run's (--province): most of its communes found in
    no other (a name that two provinces share went to the run's province's commune, with the other's target)."""
    named = [(rec["name"], codes[rec["_i"]]) for rec in typed.filter(pl.col("row_kind") == "village").iter_rows(named=True)
             if rec["name"] or codes[rec["_i"]]]
    if not resolver.province or len(named) < 3 or resolved * 2 > len(named):
        return None
    national = _national(resolver)
    found = Counter(unit.province_code for name, code in named if (unit := national.resolve_name(name, code).unit) is not None)
    top = found.most_common(1)
    return top[0][0] if top and top[0][0] != resolver.province and top[0][1] * 2 > len(named) else None


def _cell(sheet: str | None, row: int, column: int | None) -> str | None:
    """A cell of the workbook as an auditor finds it: "Chỉ tiêu!D7" (a CSV's, "D7")."""
    if column is None:
        return None
    return f"{sheet}!{a1(row, column)}" if sheet else a1(row, column)


_NATIONAL: dict = {}  # reference -> a resolver of the whole country, made once (its indexes cost 0.1 s)


def _national(resolver: Resolver) -> Resolver:
    """The whole country's resolver of `resolver`'s reference list."""
    found = _NATIONAL.get(id(resolver.ref))
    if found is None or found.ref is not resolver.ref:  # (an id reused by another reference)
        found = _NATIONAL[id(resolver.ref)] = Resolver(resolver.ref, None)
    return found


def _of_another_province(resolver: Resolver, name: str | None, code) -> object | None:
    """The unit a targets row names when it is one of another province than the run's (a province's workbook listing
    "Phường Ba Đình"), else None."""
    if not resolver.province:
        return None
    unit = _national(resolver).resolve_name(name, code).unit
    return unit if unit is not None and unit.province_code != resolver.province else None


def _written(table: ParsedTable, field: str, i: int) -> bool:
    """Whether the table's row `i` gives a field: its column is there and its cell is not blank."""
    if field not in table.columns:
        return False
    num, text = table.rows.get(f"{field}__num"), table.rows.get(f"{field}__text")
    return bool(num and num[i] is not None) or bool(text and (text[i] or "").strip())


def _shown_as_percent(path: Path | None, table: ParsedTable) -> bool:
    """Whether most of the target cells typed as numbers are shown as percentages (an .xlsx cell's number format)."""
    column = table.columns.get("assigned_poor_reduction_pp")
    if path is None or column is None:
        return False
    shown = xlsx_percent_cells(path, table.sheet)
    numbers = [r for r, num in zip(table.rows["row"], table.rows.get("assigned_poor_reduction_pp__num") or []) if num is not None]
    return bool(numbers) and sum((r, column) in shown for r in numbers) * 2 > len(numbers)


def _typed(rows: dict, shown_as_percent: bool = False) -> pl.DataFrame:
    """The table's rows with each figure read as a number (the decimal comma, a unit or a sign typed beside a target),
    the target in points (`transforms.targets.targets_in_points`), and `_i` the row's place in `rows`."""
    n = len(rows["row"])
    raw = pl.DataFrame(
        {
            "table_id": [1] * n,
            "row": rows["row"],
            "row_kind": rows["kind"],
            "name": rows["name"],
            **{f"{f}__num": pl.Series(rows.get(f"{f}__num", [None] * n), dtype=pl.Float64) for f in TARGET_COUNTS + TARGET_RATES},
            **{f"{f}__text": pl.Series(rows.get(f"{f}__text", [None] * n), dtype=pl.Utf8) for f in TARGET_COUNTS
               if f != HOUSEHOLDS_TARGET},
            # the households to lift typed with their unit or the cut's words ("giảm 50 hộ": the workbook gave none)
            f"{HOUSEHOLDS_TARGET}__text": pl.Series(rows.get(f"{HOUSEHOLDS_TARGET}__text", [None] * n), dtype=pl.Utf8)
            .str.replace(_HOUSEHOLDS_UNIT, "").str.replace(_CUT_WORDS, ""),
            # a target's unit typed beside it ("0,31 điểm %", "0,3 %"), or the cut said in words before it ("giảm 0,5
            # điểm %": 8 communes left without a target, independent probe, An Giang), is no part of the figure
            **{
                f"{f}__text": pl.Series(rows.get(f"{f}__text", [None] * n), dtype=pl.Utf8).str.replace(_UNIT, "")
                .str.replace(_CUT_WORDS, "").str.replace(_REACH_WORDS, "")
                for f in TARGET_RATES
            },
        },
        schema_overrides={"row": pl.Int32, "table_id": pl.Int32, "row_kind": pl.Utf8, "name": pl.Utf8},
    )
    typed = typed_rows(raw.lazy(), TARGET_COUNTS, TARGET_RATES, zero_markers()).collect()
    return targets_in_points(typed, shown_as_percent).with_row_index("_i")
