"""The catalogue of poverty standards (standards.toml), loaded once: which standard a year (and a
province) uses, its dimensions and indicators, and the label matcher of every indicator.

Polars-free: the parsing processes read the indicator labels from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..vn import vn_int
from .vocabulary import PhraseIndex, phrase_index

STANDARDS_FILE = Path(__file__).with_name("standards.toml")


@dataclass(frozen=True)
class Indicator:
    key: str  # stable across standards: "health_insurance"
    id: int  # its number in the forms (1-12)
    name: str
    en: str
    dimension_id: int
    dimension: str


@dataclass(frozen=True)
class Standard:
    code: str  # "07/2021/NĐ-CP"
    name: str
    first_year: int
    last_year: int
    income_rural: int
    income_urban: int
    indicators: tuple[Indicator, ...]  # in the forms' order
    province: str | None = None  # a province's own higher standard

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.indicators)

    def describe(self) -> str:
        """The manifest's line: the standard and its income lines."""
        return f"{self.name}: nông thôn {vn_int(self.income_rural)}, thành thị {vn_int(self.income_urban)} đồng/người/tháng"


@dataclass(frozen=True)
class Catalogue:
    standards: tuple[Standard, ...]
    indicator_labels: PhraseIndex  # -> "indicator.<key>"
    dimension_labels: PhraseIndex  # -> "dimension.<id>"
    names: dict[str, str]  # indicator key -> Vietnamese name (any standard)
    numbers: dict[str, int]  # indicator key -> its number in its standard ("health_insurance" -> 4, "waste_treatment" -> 12)

    def for_year(self, year: int, province: str | None = None) -> Standard:
        """The standard in force for a year: the province's own where it has one, else the national one."""
        national = [s for s in self.standards if s.province is None and s.first_year <= year <= s.last_year]
        own = [s for s in self.standards if province and s.province == province and s.first_year <= year <= s.last_year]
        if own:
            return own[0]
        if national:
            return national[0]
        # before the first standard of the catalogue: the earliest one; after the last: the latest
        ordered = sorted((s for s in self.standards if s.province is None), key=lambda s: s.first_year)
        return ordered[0] if year < ordered[0].first_year else ordered[-1]

    def owner(self, key: str) -> Standard | None:
        """The first standard that has an indicator (to name it when a table gives it out of turn)."""
        return next((s for s in self.standards if key in s.keys), None)


@lru_cache(maxsize=2)
def load_standards(path: Path = STANDARDS_FILE) -> Catalogue:
    """Parse standards.toml."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    info = data["indicators"]
    standards = []
    for s in data["standard"]:
        indicators = tuple(
            Indicator(key, info[key]["id"], info[key]["name"], info[key]["en"], d["id"], d["name"])
            for d in s["dimensions"] for key in d["indicators"]
        )
        standards.append(Standard(s["code"], s["name"], s["first_year"], s["last_year"], s["income_rural"], s["income_urban"],
                                  tuple(sorted(indicators, key=lambda i: i.id)), s.get("province")))
    return Catalogue(
        tuple(standards),
        phrase_index({f"indicator.{k}": v["labels"] for k, v in info.items()}),
        phrase_index({f"dimension.{k}": v for k, v in data["dimensions"].items()}),
        {k: v["name"] for k, v in info.items()},
        {k: v["id"] for k, v in info.items()},
    )


@lru_cache(maxsize=65536)  # the same labels recur file after file
def indicator_of(label: str) -> str | None:
    """The indicator a label names (its key), by the leftmost longest phrase; None when none."""
    hit = load_standards().indicator_labels.first(label)
    return next(iter(sorted(hit))).split(".", 1)[1] if hit else None


@lru_cache(maxsize=65536)
def dimension_of(label: str) -> int | None:
    """The dimension a label names, when the label is (after its numbering) a dimension's name."""
    hit = load_standards().dimension_labels.exact(label)
    return int(next(iter(sorted(hit))).split(".", 1)[1]) if hit else None
