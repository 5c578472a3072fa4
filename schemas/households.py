"""Household lists (danh sách hộ nghèo, cận nghèo): the rule of a row's cells (pandera) and the output tables.

No output model has a column for a personal field (names, ID numbers, birth dates, phones, household
codes, notes: `personal = true` in vocabulary.toml): `assert_no_personal` keeps it so.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

GROUPS = ("poor", "near_poor")
INDICATORS = 12
DEPRIVATION_COLUMNS = tuple(f"deprivation_{n}" for n in range(1, INDICATORS + 1))


class HouseholdRows(pa.DataFrameModel):
    """One typed row of a household list."""

    table_id: int = pa.Field()
    row: int = pa.Field(ge=1)
    members: float = pa.Field(nullable=True, description="members of the household (số nhân khẩu)")

    @pa.check("members", name="members_positive")
    def members_positive(cls, data) -> pl.LazyFrame:  # noqa: N805 - pandera passes the class
        col = pl.col(data.key)
        return data.lazyframe.select(col.is_not_null() & (col > 0) & (col == col.floor()))

    class Config:
        strict = False
        coerce = False


_FIELDS = {
    "run_id": (str, pa.Field()),
    "year": (pl.Int64, pa.Field(ge=2000, le=2100)),
    "province_code": (str, pa.Field(str_matches=r"^\d{2}$", nullable=True)),
    "province_name": (str, pa.Field(nullable=True)),
    "commune_code": (str, pa.Field(str_matches=r"^\d{5}$")),
    "commune_name": (str, pa.Field(nullable=True)),
    "village_name": (str, pa.Field(nullable=True)),
    "household_key": (
        str,
        pa.Field(str_matches=r"^[0-9a-f]{64}$", description="HMAC-SHA256 pseudonym, stable under the same key"),
    ),
    "group": (str, pa.Field(isin=list(GROUPS), nullable=True)),
    "members": (pl.Int64, pa.Field(ge=1, nullable=True)),
    "ethnic_minority": (bool, pa.Field(nullable=True)),
    "no_labour": (bool, pa.Field(nullable=True)),
    "merit": (bool, pa.Field(nullable=True)),
    **{c: (bool, pa.Field(nullable=True)) for c in DEPRIVATION_COLUMNS},
    "deprivations": (
        pl.Int64,
        pa.Field(ge=0, le=INDICATORS, nullable=True, description="indicators marked, null when not given"),
    ),
    "planned_exit_year": (pl.Int64, pa.Field(ge=1900, le=2100, nullable=True)),
    "status": (str, pa.Field(isin=["accepted", "rejected"])),
    "list_poor_households": (pl.Int64, pa.Field(ge=0, nullable=True, description="poor households in the accepted list")),
    "list_near_poor_households": (
        pl.Int64,
        pa.Field(ge=0, nullable=True, description="near-poor households in the accepted list"),
    ),
    "annex_poor_households": (pl.Int64, pa.Field(ge=0, nullable=True, description="the plan annex's baseline, when accepted")),
    "annex_near_poor_households": (pl.Int64, pa.Field(ge=0, nullable=True)),
    "matches_annex": (bool, pa.Field(nullable=True, description="list counts equal the annex's, commune and villages")),
    "source_file": (str, pa.Field()),
    "source_sheet": (str, pa.Field(nullable=True)),
    "source_row": (pl.Int32, pa.Field(ge=1)),
}


def _model(name: str, doc: str, columns: tuple[str, ...], unique: list[str] | None = None) -> type[pa.DataFrameModel]:
    """An output model with the contract's columns in order."""
    config = type("Config", (), {"strict": False, "coerce": False, **({"unique": unique} if unique else {})})
    namespace = {"__doc__": doc, "__annotations__": {c: _FIELDS[c][0] for c in columns},
                 **{c: _FIELDS[c][1] for c in columns}, "Config": config, "__module__": __name__}
    return type(name, (pa.DataFrameModel,), namespace)


Households = _model(
    "Households",
    "households.parquet: one row per household of an accepted list, pseudonymised.",
    (
        "run_id",
        "year",
        "province_code",
        "commune_code",
        "village_name",
        "household_key",
        "group",
        "members",
        "ethnic_minority",
        "no_labour",
        "merit",
        *DEPRIVATION_COLUMNS,
        "deprivations",
        "planned_exit_year",
        "source_file",
        "source_sheet",
        "source_row",
    ),
    ["household_key"],
)
HouseholdsCommunes = _model(
    "HouseholdsCommunes",
    "households_communes.parquet: one row per commune that sent a list: its status, its counts, the annex's.",
    (
        "run_id",
        "year",
        "province_code",
        "commune_code",
        "commune_name",
        "status",
        "list_poor_households",
        "list_near_poor_households",
        "annex_poor_households",
        "annex_near_poor_households",
        "matches_annex",
        "source_file",
    ),
    ["commune_code"],
)
# the columns a list adds to communes.parquet (null where the commune has no accepted list)
ListColumns = _model("ListColumns", "communes.parquet: the counts of the commune's accepted household list.",
                     ("list_poor_households", "list_near_poor_households"))


def assert_no_personal(models, personal: frozenset[str]) -> None:
    """Refuse an output model that names a personal field."""
    for model in models:
        found = personal & set(model.to_schema().columns)
        if found:
            raise ValueError(f"{model.__name__} names personal fields {sorted(found)}")
