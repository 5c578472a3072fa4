"""The province's target workbook: one row per commune with its assigned cut of the poor rate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from transforms.parsing import typed_rows

from .parse import failure
from .parsed import ParsedTable, ParseResult
from .resolve import Resolver
from .validate import zero_markers

TARGET_COUNTS = ["total_households", "poor_households"]
TARGET_RATES = ["assigned_poor_reduction_pp", "poor_rate"]
_UNIT = r"(?i)\s*(?:điểm\s*%?|điểm phần trăm|%|pp)\s*$"
TARGETS_SCHEMA = {
    "commune_code": pl.Utf8,
    "assigned_poor_reduction_pp": pl.Float64,
    "targets_total_households": pl.Float64,
    "targets_poor_households": pl.Float64,
    "targets_row": pl.Int32,
}


@dataclass
class Targets:
    frame: pl.DataFrame  # TARGETS_SCHEMA
    province: str | None  # the province most of its communes belong to
    failures: list[dict] = field(default_factory=list)
    sheet: str | None = None
    tables: list[ParsedTable] = field(default_factory=list)  # the workbook's targets for a kind (subject: the kind)


def targets_from_parse(data: ParseResult, resolver: Resolver) -> Targets:
    """Resolve each named row of the parsed targets workbook to a unit of the official list."""
    from .kinds import KIND_BY_NAME  # the kinds import this module's neighbours: named when called

    for_kinds = [t for t in data.tables if t.kind == "targets" and t.subject in KIND_BY_NAME]
    communes = [t for t in data.tables if t not in for_kinds]
    if not communes:
        return Targets(pl.DataFrame(schema=TARGETS_SCHEMA), None, list(data.failures), tables=for_kinds)
    table = communes[0]
    rows = table.rows
    n = len(rows["row"])
    raw = pl.DataFrame(
        {
            "table_id": [1] * n,
            "row": rows["row"],
            "row_kind": rows["kind"],
            "name": rows["name"],
            **{f"{f}__num": pl.Series(rows.get(f"{f}__num", [None] * n), dtype=pl.Float64) for f in TARGET_COUNTS + TARGET_RATES},
            **{f"{f}__text": pl.Series(rows.get(f"{f}__text", [None] * n), dtype=pl.Utf8) for f in TARGET_COUNTS},
            # a target's unit typed beside it ("0,31 điểm %", "0,3 %") is no part of the figure
            **{f"{f}__text": pl.Series(rows.get(f"{f}__text", [None] * n), dtype=pl.Utf8).str.replace(_UNIT, "") for f in TARGET_RATES},
        },
        schema_overrides={"row": pl.Int32, "table_id": pl.Int32, "row_kind": pl.Utf8, "name": pl.Utf8},
    )
    typed = typed_rows(raw.lazy(), TARGET_COUNTS, TARGET_RATES, zero_markers()).collect().with_row_index("_i")
    written = rows.get("assigned_poor_reduction_pp__text") or [None] * n  # the targets as typed, their units kept
    failures: list[dict] = []
    out = []
    for rec in typed.filter(pl.col("row_kind") == "village").iter_rows(named=True):
        if not rec["name"]:
            continue
        res = resolver.resolve_name(rec["name"])
        if res.unit is None:
            failures.append(failure("commune_resolved", table.sheet or None, rec["row"], table.name_column, "village_name",
                                     rec["name"], "; ".join(res.candidates) or "—"))
            continue
        target = rec["assigned_poor_reduction_pp"]
        if target is None and written[rec["_i"]]:  # "chưa giao": reported at its cell, the commune left without a target
            failures.append(failure("numeric", table.sheet or None, rec["row"], table.columns.get("assigned_poor_reduction_pp"),
                                     "assigned_poor_reduction_pp", written[rec["_i"]]))
        out.append(
            {
                "commune_code": res.unit.commune_code,
                # a cut written with its sign ("−0,24 điểm %") is the same cut
                "assigned_poor_reduction_pp": abs(target) if target is not None else None,
                "targets_total_households": rec["total_households"],
                "targets_poor_households": rec["poor_households"],
                "targets_row": rec["row"],
            }
        )
    frame = pl.DataFrame(out, schema=TARGETS_SCHEMA).unique("commune_code", keep="first", maintain_order=True)
    provinces = Counter(resolver.ref.by_code[c].province_code for c in frame["commune_code"])
    province = provinces.most_common(1)[0][0] if provinces else None
    return Targets(frame, province, failures, table.sheet or None, for_kinds)
