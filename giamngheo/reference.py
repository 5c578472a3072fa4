"""The official list of provinces and communes (1 July 2025) and the legacy-name conversion table."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
UNITS_FILE = "admin_units_2025.csv"
LEGACY_FILE = "admin_units_2025_from_legacy.csv"


@dataclass(frozen=True)
class Unit:
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str  # with its type: "Xã Phú Thịnh"
    unit_type: str  # xã / phường / đặc khu

    @property
    def bare_name(self) -> str:
        """The name without its type word ("Phú Thịnh")."""
        prefix = self.unit_type.capitalize()
        return self.commune_name[len(prefix) :].strip() if self.commune_name.startswith(prefix) else self.commune_name

    def describe(self) -> str:
        return f"{self.commune_name} ({self.province_name}, {self.commune_code})"


@dataclass(frozen=True)
class LegacyUnit:
    old_name: str  # "Xã Phú Thịnh", "Thị trấn Hùng Sơn"
    old_code: str
    old_district: str
    old_province: str
    new_code: str
    note: str


@dataclass(eq=False)
class Reference:
    units: tuple[Unit, ...]
    legacy: tuple[LegacyUnit, ...]
    version: str  # sha256 of the two source files

    def __post_init__(self) -> None:
        self.by_code: dict[str, Unit] = {u.commune_code: u for u in self.units}

    def province_units(self, province_code: str) -> list[Unit]:
        return [u for u in self.units if u.province_code == province_code]

    def province_name(self, province_code: str) -> str | None:
        return next((u.province_name for u in self.units if u.province_code == province_code), None)

    def provinces(self) -> dict[str, str]:
        return {u.province_code: u.province_name for u in self.units}


def _read_units(path: Path) -> list[Unit]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Unit(
                r["province_code"].zfill(2),
                r["province_name"].strip(),
                r["commune_code"].zfill(5),
                r["commune_name"].strip(),
                r["unit_type"].strip(),
            )
            for r in csv.DictReader(fh)
        ]


def _read_legacy(path: Path) -> list[LegacyUnit]:
    """The published conversion table: two header lines, province group rows, then one row per old unit."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 8 or not re.fullmatch(r"\d{5}", row[2].strip() or "x") or not row[3].strip():
                continue
            out.append(
                LegacyUnit(
                    old_name=" ".join(row[3].split()),
                    old_code=row[4].strip().zfill(5) if row[4].strip() else "",
                    old_district=row[6].strip(),
                    old_province=row[7].strip(),
                    new_code=row[2].strip(),
                    note=row[5].strip(),
                )
            )
    return out


@lru_cache(maxsize=2)
def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Units and legacy names from `directory` (data/reference by default)."""
    digest = hashlib.sha256()
    for name in (UNITS_FILE, LEGACY_FILE):
        digest.update((directory / name).read_bytes())
    return Reference(
        units=tuple(_read_units(directory / UNITS_FILE)),
        legacy=tuple(_read_legacy(directory / LEGACY_FILE)),
        version=f"admin_units_2025+{digest.hexdigest()[:12]}",
    )
