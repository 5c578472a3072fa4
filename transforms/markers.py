"""Markers shared by the readers and the transforms (no polars here: parsing workers import it)."""

# Prefix of the text the reader gives a formula cell that has no saved value. NUL never
# survives in cell text (the readers strip it), so text typed as "=5" is just invalid text.
FORMULA_MARK = "\x00"
