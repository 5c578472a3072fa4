"""The fonts of an HTML page's cells, as Excel's "Web Page" export keeps them: a style sheet's rules ("td", ".xl65")
and their font-family. A cell in .VnTime settles a TCVN3 name that reads as Vietnamese both ways."""

from __future__ import annotations

import re

from .grid import LEGACY_FONT

FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;,}]+)", re.IGNORECASE)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def legacy_selectors(css: str) -> set[str]:
    """The selectors ("td", ".xl65") of a style sheet whose font-family is a legacy font: Excel's HTML keeps a cell's
    font in its class ("Phó Lé" in .VnTime is "Phú Lộ"; it was kept as read; encodings judge, Tây Ninh)."""
    found = set()
    for selectors, body in _RULE.findall(css):
        family = FONT_FAMILY.search(body)
        if family and LEGACY_FONT.match(family.group(1).strip().strip("'\" ")):
            for sel in (sel.strip().lower() for sel in selectors.split(",")):
                if sel:
                    found.add("." + sel.rsplit(".", 1)[1] if "." in sel else sel)  # "td.xl65" is the class ".xl65"
    return found
