"""The official unit list (1 July 2025) and the legacy conversion table, read from data/reference."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .util import fold

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"


@dataclass(frozen=True)
class Unit:
    province_code: str
    province_name: str
    code: str
    name: str  # with its type: "Xã Phú Thịnh"
    unit_type: str  # xã / phường / đặc khu

    @property
    def bare(self) -> str:
        prefix = self.unit_type.capitalize()
        return self.name[len(prefix):].strip() if self.name.startswith(prefix) else self.name

    @property
    def is_ward(self) -> bool:
        return self.unit_type == "phường"


@dataclass(frozen=True)
class Legacy:
    old_name: str  # "Xã Phú Cường", "Thị trấn Hùng Sơn"
    old_code: str
    new_code: str
    old_province: str
    note: str

    @property
    def bare(self) -> str:
        return re.sub(r"^(Xã|Phường|Thị trấn|Thị Trấn)\s+", "", self.old_name)


@lru_cache(maxsize=2)
def load_units(directory: Path = REFERENCE_DIR) -> tuple[Unit, ...]:
    with (directory / "admin_units_2025.csv").open(encoding="utf-8-sig", newline="") as fh:
        return tuple(
            Unit(r["province_code"].zfill(2), r["province_name"].strip(), r["commune_code"].zfill(5),
                 " ".join(r["commune_name"].split()), r["unit_type"].strip())
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=2)
def load_legacy(directory: Path = REFERENCE_DIR) -> tuple[Legacy, ...]:
    out = []
    with (directory / "admin_units_2025_from_legacy.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 8 or not re.fullmatch(r"\d{5}", row[2].strip() or "x") or not row[3].strip():
                continue
            out.append(Legacy(" ".join(row[3].split()), row[4].strip().zfill(5) if row[4].strip() else "",
                              row[2].strip(), row[7].strip(), row[5].strip()))
    return tuple(out)


def province_units(province_code: str) -> list[Unit]:
    units = [u for u in load_units() if u.province_code == province_code]
    if not units:
        raise ValueError(f"no units for province {province_code!r}")
    return sorted(units, key=lambda u: u.code)


def legacy_for(new_code: str) -> list[Legacy]:
    """Old units merged into `new_code`, in table order, without the unit's own old self when renamed only."""
    return [lg for lg in load_legacy() if lg.new_code == new_code]


@lru_cache(maxsize=1)
def _folded_name_sets() -> tuple[frozenset[str], frozenset[str]]:
    current = frozenset(fold(u.bare) for u in load_units())
    legacy = frozenset(fold(lg.bare) for lg in load_legacy())
    return current, legacy


def folded_unit_hits(text: str, include_legacy: bool = True) -> list[str]:
    """Accent-folded unit names (current, and legacy if asked) that occur as whole words in `text`."""
    current, legacy = _folded_name_sets()
    names = current | legacy if include_legacy else current
    words = fold(text).split()
    hits = []
    for i in range(len(words)):
        for n in range(6, 0, -1):
            key = " ".join(words[i:i + n])
            if len(words[i:i + n]) == n and key in names:
                hits.append(key)
    return hits


def unique_legacy_names(province_code: str) -> list[Legacy]:
    """Legacy units of the province whose old name maps to exactly one new unit nationwide and
    whose folded name matches no current unit anywhere (so that the name can only be legacy)."""
    by_key: dict[str, set[str]] = {}
    for lg in load_legacy():
        by_key.setdefault(fold(lg.old_name), set()).add(lg.new_code)
    by_bare: dict[str, set[str]] = {}
    for lg in load_legacy():
        by_bare.setdefault(fold(lg.bare), set()).add(lg.new_code)
    current, _ = _folded_name_sets()
    prov = {u.code for u in province_units(province_code)}
    out = []
    for lg in load_legacy():
        if lg.new_code not in prov or lg.old_name.lower().startswith("thị trấn"):
            continue
        if len(by_key[fold(lg.old_name)]) != 1 or len(by_bare[fold(lg.bare)]) != 1:
            continue
        words = fold(lg.bare).split()
        if any(" ".join(words[i:j]) in current for i in range(len(words)) for j in range(i + 1, len(words) + 1)):
            continue
        out.append(lg)
    return out
