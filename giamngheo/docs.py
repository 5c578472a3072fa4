"""Documents generated from code: the rule catalogue for auditors (docs/rules.md)."""

from __future__ import annotations

from schemas.rules import READABLE_REASONS, RULES

_LEVELS = {
    "structure": "Cấu trúc tệp / structure",
    "within_table": "Trong một bảng / within a table",
    "across_tables": "Giữa các bảng, các báo cáo / across tables",
    "against_targets": "So với số liệu của tỉnh / against the province's figures",
}


def rules_markdown() -> str:
    """docs/rules.md: every rule id with severity, level and its messages."""
    lines = [
        "# Validation rules / Các quy tắc kiểm tra",
        "",
        "Generated from `schemas/rules.py` by `giamngheo rules --markdown`; do not edit by hand.",
        "An **error** rejects the commune's report; a **warning** keeps it and flags the cell.",
        "",
        "| id | severity | level | Vietnamese | English |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| `{r.id}` | {r.severity} | {_LEVELS[r.level]} | {r.title_vi} | {r.title_en} |")
    lines += ["", "## Messages", ""]
    for r in RULES:
        lines += [f"### `{r.id}` ({r.severity})", "", f"- vi: {r.message_vi}", f"- en: {r.message_en}", ""]
    lines += ["## Why a file could not be read (`readable`)", "", "| reason | Vietnamese | English |", "|---|---|---|"]
    for reason, (vi, en) in READABLE_REASONS.items():
        lines.append(f"| `{reason}` | {vi} | {en} |")
    return "\n".join(lines) + "\n"
