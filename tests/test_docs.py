"""Documents generated from code stay in step with it."""

from pathlib import Path

import pytest

from contract_rules import CONTRACT, SHARED, contract_severities

from giamngheo.docs import rules_markdown
from schemas.rules import RULES

ROOT = Path(__file__).resolve().parent.parent


def test_rules_md_is_generated_from_the_catalogue():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `giamngheo rules --markdown > docs/rules.md`"
    )


def test_every_rule_has_both_messages_and_a_known_severity():
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.message_vi and rule.message_en
        assert rule.level in ("structure", "within_table", "across_tables", "against_targets")


def test_every_rule_of_the_contract_is_in_the_catalogue_with_its_severity():
    """The contract's rule ids (its "Rule ids" lists and each kind's rules) are the catalogue's, at the contract's
    severity: an auditor filters validation_failures.parquet by them."""
    from schemas.rules import RULE_BY_ID

    said = contract_severities()
    assert len(said) >= 42 and said["balance"] == "error" and said["outlier"] == "warning"  # the reading found them
    assert {rule: RULE_BY_ID[rule].severity if rule in RULE_BY_ID else None for rule in said} == said


def test_the_contract_copy_is_the_shared_contract():
    """docs/contract.md is the project's copy of the shared contract, which the tests read: where the shared one is at
    hand (this workplace), the two are the same text."""
    if not SHARED.exists():
        pytest.skip("no shared contract beside the repository")
    assert CONTRACT.read_text(encoding="utf-8") == SHARED.read_text(encoding="utf-8"), "copy ../shared/docs/contract.md to docs/"


def test_every_output_column_has_a_vietnamese_label():
    """`giamngheo diff`, the failures and the analyst workbook name columns by label: "near_poor_rate_end_pct 8,66 →
    8,64" reached an analyst (probe, 12-06). One dictionary (schemas/columns.py) labels every column of every output
    table, the run's and the source's included; the workbook's own few are its row number and one wording."""
    from giamngheo.kinds import KINDS
    from giamngheo.reports.analyst_layout import LABELS
    from schemas.columns import label_en, label_vi

    columns = {c for k in KINDS for o in k.outputs for c in o.columns}
    assert len(columns) > 120
    assert sorted(c for c in columns if label_vi(c) == c or not label_en(c)) == []
    assert set(LABELS) == {"stt", "communes_meeting_target"}
    # the province sheet's completeness and timeliness rows, one each per kind ("completeness_roadmap_pct" reached the
    # analyst workbook as it is; independent probe, Sơn La)
    ledger = [f"{m}_{k.name}_pct" for k in KINDS for m in ("completeness", "timeliness")]
    assert [c for c in ledger if label_vi(c) == c] == []
