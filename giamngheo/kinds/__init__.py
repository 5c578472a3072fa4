"""The report kinds giamngheo reads, each declared once (see base.Kind), in the order they are
aggregated: a kind comes after the kinds it `needs`."""

from __future__ import annotations

from .base import Context, Figures, Kind, Output, Sheet
from .deprivations import DEPRIVATIONS
from .households import HOUSEHOLDS_KIND
from .plan import PLAN
from .results import RESULTS
from .roadmap import ROADMAP

# household lists after the deprivation tables: their counts are compared with the commune's table when both exist
KINDS: tuple[Kind, ...] = (PLAN, RESULTS, ROADMAP, DEPRIVATIONS, HOUSEHOLDS_KIND)
KIND_BY_NAME = {k.name: k for k in KINDS}
FIELDS = {k.name: k.fields for k in KINDS}

assert all(KINDS.index(KIND_BY_NAME[n]) < KINDS.index(k) for k in KINDS for n in k.needs), "a kind must follow what it needs"

__all__ = ["KINDS", "KIND_BY_NAME", "FIELDS", "Context", "Figures", "Kind", "Output", "Sheet"]
