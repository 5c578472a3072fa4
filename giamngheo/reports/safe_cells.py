"""Text we write into a workbook never runs as a formula.

A value copied from a commune's file or a failure message may start with "=",
"+", "-", "@", a tab or a carriage return; a spreadsheet program would take it
for a formula (formula injection, e.g. "=HYPERLINK(...)"). The choice made here:

- In an .xlsx cell (`write_text`) the text is kept exactly as it was, so the
  auditor and the commune see what the file holds ("-10" stays "-10"). The cell
  is typed as a string (openpyxl `data_type = "s"`, written as a string cell,
  never as `<f>`), and a formula-like text also gets Excel's own quote-prefix
  flag, what Excel sets when someone types a leading apostrophe: the text stays
  text when the cell is edited and re-entered, and the apostrophe is not part of
  the value.
- Where there is no cell type to rely on (plain text, CSV), `safe_text` puts a
  visible apostrophe in front of such text (the OWASP advice).

Only text we write goes through here. A marked-up copy of a commune's workbook
keeps the commune's own formulas: that is their content, not ours.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program could read `text` as a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def xml_text(value: Any) -> str:
    """`value` as text without the control characters an .xlsx part cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def safe_text(value: Any) -> str:
    """`value` as inert text for sinks without cell types: a formula-like text gets a leading apostrophe."""
    text = xml_text(value)
    return "'" + text if is_formula_like(text) else text


def write_text(cell, value: Any):
    """Put `value` in an openpyxl cell as a string that cannot run as a formula; returns the cell."""
    if value is None:
        cell.value = None
        return cell
    text = xml_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl types "=..." as a formula on assignment; a string it must stay
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell
