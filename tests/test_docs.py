"""Documents generated from code stay in step with it."""

from pathlib import Path

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


def test_contract_rule_ids_are_all_in_the_catalogue():
    contract_ids = {
        "readable", "table_found", "required_columns", "commune_resolved", "numeric", "integer", "non_negative",
        "total_positive", "formula_without_value", "poor_le_total", "near_poor_le_total", "poor_plus_near_poor_le_total",
        "reduction_le_baseline", "unique_village", "wrong_province", "balance", "total_row_matches_sum",
        "rate_matches_counts", "superseded_submission", "legacy_unit_name", "hidden_content", "outlier",
    }
    ids = {r.id for r in RULES}
    assert contract_ids <= ids
    errors = {r.id for r in RULES if r.severity == "error"}
    assert errors >= contract_ids - {"total_row_matches_sum", "rate_matches_counts", "superseded_submission",
                                      "legacy_unit_name", "hidden_content", "outlier"}


def test_every_commune_and_province_figure_has_a_vietnamese_label():
    """`giamngheo diff` and the analyst workbook name figures by label: "near_poor_rate_end_pct 8,66 → 8,64" reached an
    analyst (probe, 12-06)."""
    from giamngheo.diff import IDENTITY, PROVENANCE
    from giamngheo.diff_text import EXTRA_LABELS
    from giamngheo.kinds import KINDS
    from schemas.columns import label_vi

    unlabelled = sorted({c for k in KINDS for o in k.outputs if o.level in ("commune", "province") for c in o.columns
                         if label_vi(c) == c and c not in EXTRA_LABELS and c not in IDENTITY | PROVENANCE})
    assert unlabelled == []
