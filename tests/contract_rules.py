"""The rule ids and severities the output contract names: its "Rule ids" lists and every "`id` (error)",
"Rule `id` (error)", "the warning `id`" of the kinds' sections. Read from the contract itself (docs/contract.md, the
project's copy of the shared ../shared/docs/contract.md), so the tests hold the code to what it says."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract.md"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "docs" / "contract.md"  # the original, where it is at hand


@lru_cache(maxsize=1)
def contract_severities() -> dict[str, str]:
    text = CONTRACT.read_text(encoding="utf-8")
    section = re.search(r"## Rule ids(.*?)\n## ", text, re.S)
    assert section, "the contract has no 'Rule ids' section"
    found: dict[str, str] = {}
    for severity, body in re.findall(r"(Errors|Warnings):(.*?)(?:\n\n)", section.group(1), re.S):
        found.update({rule: severity[:-1].lower() for rule in re.findall(r"`([a-z_0-9]+)`", body)})
    flat = " ".join(text.split())
    for rule, severity in re.findall(r"`([a-z_0-9]+)` \((error|warning)\b", flat):
        found.setdefault(rule, severity)
    for severity, rule in re.findall(r"the (error|warning) `([a-z_0-9]+)`", flat):
        found.setdefault(rule, severity)
    return found
