"""Year-end results rows (kết quả rà soát, diễn biến): value rules (pandera) and the output layers."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .breakdowns import breakdown_column, communes_giving
from .columns import BREAKDOWN_OF, COLUMNS, SPLITS
from .validation import not_negative, read_as_number, whole_number


DECREASE_PARTS = {
    "poor": ("poor_to_near_poor", "poor_escaped", "poor_other_decrease", *SPLITS["poor_other_decrease"]),
    "near_poor": ("near_poor_to_poor", "near_poor_escaped", "near_poor_other_decrease", *SPLITS["near_poor_other_decrease"]),
}
INCREASE_PARTS = {
    "poor": ("poor_from_near_poor", "poor_fell_back", "poor_new", "poor_other_increase", *SPLITS["poor_other_increase"]),
    "near_poor": ("near_poor_from_poor", "near_poor_fell_back", "near_poor_new", "near_poor_other_increase",
                  *SPLITS["near_poor_other_increase"]),
}
RESULTS_COUNTS = [
    "total_households_end",
    "total_households_start",
    "poor_households_start",
    "poor_households_end",
    "poor_decrease",
    "poor_increase",
    *DECREASE_PARTS["poor"],
    *INCREASE_PARTS["poor"],
    "near_poor_households_start",
    "near_poor_households_end",
    "near_poor_decrease",
    "near_poor_increase",
    *DECREASE_PARTS["near_poor"],
    *INCREASE_PARTS["near_poor"],
]
# breakdowns of the stocks ("Trong đó: hộ DTTS") at the start and the end: poor_ethnic_minority_start, ...
RESULTS_BREAKDOWNS = {f"{b}_{end}": f"{p}_{end}" for end in ("start", "end") for b, p in BREAKDOWN_OF.items()}
RESULTS_BREAKDOWN_FIELDS = list(RESULTS_BREAKDOWNS)
# A commune's year-end assessment against its assigned cut (results_communes.assessment), declared once: code ->
# (Vietnamese, English). transforms.results.actual_attainment gives the codes; the workbook, diff and commands name them.
ASSESSMENTS = {
    "met": ("Đạt", "met"),
    "missed": ("Không đạt", "missed"),
    "not_assessed: results rejected": ("Chưa đánh giá: kết quả bị từ chối", "not assessed: results rejected"),
    "not_assessed: part of the year only": ("Chưa đánh giá: báo cáo chưa hết năm", "not assessed: part of the year only"),
    "not_assessed: no assigned target": ("Chưa đánh giá: không có chỉ tiêu giao", "not assessed: no assigned target"),
    "not_assessed: no total households at the end": (
        "Chưa đánh giá: thiếu tổng số hộ cuối kỳ", "not assessed: no total households at the end"),
    "not_assessed: start or end count missing": (
        "Chưa đánh giá: thiếu số hộ đầu kỳ hoặc cuối kỳ", "not assessed: start or end count missing"),
}
RESULTS_RATES = ["poor_rate_start", "poor_rate_end", "near_poor_rate_start", "near_poor_rate_end"]
RESULTS_RATE_SPECS = [
    ("poor_rate_end", "poor_households_end", ["total_households_end"]),
    ("near_poor_rate_end", "near_poor_households_end", ["total_households_end"]),
    # a start rate over the households at the start, where the table gives them; else its denominator is not in the
    # table (the plan's baseline households, as the published start rate): not checked. Against the end's households,
    # a correct file was warned on almost every village (probe, 12-06)
    ("poor_rate_start", "poor_households_start", ["total_households_start"]),
    ("near_poor_rate_start", "near_poor_households_start", ["total_households_start"]),
]


def _model_namespace() -> dict:
    """A pandera model over every results count: each value and its parse status, one check per rule."""
    ns: dict = {"__annotations__": {}}
    counts = RESULTS_COUNTS + RESULTS_BREAKDOWN_FIELDS
    for f in counts:
        info = COLUMNS[f]
        ns["__annotations__"][f] = float
        ns[f] = pa.Field(nullable=True, title=info.vi, description=info.en, metadata={"unit": info.unit})
        ns["__annotations__"][f"{f}__status"] = str
        ns[f"{f}__status"] = pa.Field()
    ns["__annotations__"].update({"table_id": int, "row": int})
    ns["table_id"] = pa.Field()
    ns["row"] = pa.Field(ge=1)

    @pa.check(*[f"{f}__status" for f in counts], name="numeric")
    def numeric(cls, data):  # noqa: N805
        return read_as_number(data)

    @pa.check(*counts, name="integer")
    def integer(cls, data):  # noqa: N805
        return whole_number(data)

    @pa.check(*counts, name="non_negative")
    def non_negative(cls, data):  # noqa: N805
        return not_negative(data)

    ns.update(numeric=numeric, integer=integer, non_negative=non_negative)

    class Config:
        strict = False
        coerce = False

    ns["Config"] = Config
    return ns


ResultsRows = type("ResultsRows", (pa.DataFrameModel,), _model_namespace())
ResultsRows.__doc__ = "Parsed rows of year-end results tables (every count of the diễn biến forms)."


def _count(field: str | None = None) -> pa.Field:
    info = COLUMNS.get(field or "")
    return pa.Field(nullable=True, ge=0, title=info.vi if info else None, description=info.en if info else None)


class ResultsVillages(pa.DataFrameModel):
    """results_villages.parquet: one row per village of a commune with accepted results
    (the movements' components, when a table gives them, follow near_poor_increase)."""

    run_id: str
    year: int = pa.Field(ge=2000, le=2100)
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$")
    commune_name: str = pa.Field(nullable=True)
    village_name: str
    section: str = pa.Field(nullable=True)
    total_households_end: pl.Int64 = _count("total_households_end")
    poor_households_start: pl.Int64 = _count("poor_households_start")
    poor_households_end: pl.Int64 = _count("poor_households_end")
    poor_decrease: pl.Int64 = _count("poor_decrease")
    poor_increase: pl.Int64 = _count("poor_increase")
    near_poor_households_start: pl.Int64 = _count("near_poor_households_start")
    near_poor_households_end: pl.Int64 = _count("near_poor_households_end")
    near_poor_decrease: pl.Int64 = _count("near_poor_decrease")
    near_poor_increase: pl.Int64 = _count("near_poor_increase")
    poor_ethnic_minority_start: pl.Int64 = breakdown_column("poor_ethnic_minority_start")
    near_poor_ethnic_minority_start: pl.Int64 = breakdown_column("near_poor_ethnic_minority_start")
    poor_no_labour_start: pl.Int64 = breakdown_column("poor_no_labour_start")
    near_poor_no_labour_start: pl.Int64 = breakdown_column("near_poor_no_labour_start")
    poor_merit_start: pl.Int64 = breakdown_column("poor_merit_start")
    poor_ethnic_minority_end: pl.Int64 = breakdown_column("poor_ethnic_minority_end")
    near_poor_ethnic_minority_end: pl.Int64 = breakdown_column("near_poor_ethnic_minority_end")
    poor_no_labour_end: pl.Int64 = breakdown_column("poor_no_labour_end")
    near_poor_no_labour_end: pl.Int64 = breakdown_column("near_poor_no_labour_end")
    poor_merit_end: pl.Int64 = breakdown_column("poor_merit_end")
    source_file: str
    source_sheet: str = pa.Field(nullable=True)
    source_row: pl.Int32 = pa.Field(ge=1)

    class Config:
        strict = False
        coerce = False


class ResultsCommunes(pa.DataFrameModel):
    """results_communes.parquet: one row per commune that sent results."""

    run_id: str
    year: int = pa.Field(ge=2000, le=2100)
    province_code: str = pa.Field(str_matches=r"^\d{2}$", nullable=True)
    commune_code: str = pa.Field(str_matches=r"^\d{5}$")
    commune_name: str = pa.Field(nullable=True)
    status: str = pa.Field(isin=["accepted", "rejected"])
    villages: pl.Int64 = pa.Field(nullable=True, ge=0)
    total_households_end: pl.Int64 = _count("total_households_end")
    poor_households_start: pl.Int64 = _count("poor_households_start")
    poor_households_end: pl.Int64 = _count("poor_households_end")
    near_poor_households_start: pl.Int64 = _count("near_poor_households_start")
    near_poor_households_end: pl.Int64 = _count("near_poor_households_end")
    poor_decrease: pl.Int64 = _count("poor_decrease")
    poor_increase: pl.Int64 = _count("poor_increase")
    near_poor_decrease: pl.Int64 = _count("near_poor_decrease")
    near_poor_increase: pl.Int64 = _count("near_poor_increase")
    poor_rate_start_pct: float = pa.Field(nullable=True, description="on the plan's baseline total when a plan exists")
    poor_rate_end_pct: float = pa.Field(nullable=True)
    near_poor_rate_start_pct: float = pa.Field(nullable=True)
    near_poor_rate_end_pct: float = pa.Field(nullable=True)
    actual_poor_reduction_pp: float = pa.Field(nullable=True, description="start rate - end rate")
    assigned_poor_reduction_pp: float = pa.Field(nullable=True)
    planned_poor_reduction_pp: float = pa.Field(nullable=True)
    meets_assigned_target_actual: bool = pa.Field(nullable=True)
    meets_own_plan_actual: bool = pa.Field(nullable=True)
    assessment: str = pa.Field(nullable=True, description="met / missed / not_assessed: why")
    poor_ethnic_minority_start: pl.Int64 = breakdown_column("poor_ethnic_minority_start")
    near_poor_ethnic_minority_start: pl.Int64 = breakdown_column("near_poor_ethnic_minority_start")
    poor_no_labour_start: pl.Int64 = breakdown_column("poor_no_labour_start")
    near_poor_no_labour_start: pl.Int64 = breakdown_column("near_poor_no_labour_start")
    poor_merit_start: pl.Int64 = breakdown_column("poor_merit_start")
    poor_ethnic_minority_end: pl.Int64 = breakdown_column("poor_ethnic_minority_end")
    near_poor_ethnic_minority_end: pl.Int64 = breakdown_column("near_poor_ethnic_minority_end")
    poor_no_labour_end: pl.Int64 = breakdown_column("poor_no_labour_end")
    near_poor_no_labour_end: pl.Int64 = breakdown_column("near_poor_no_labour_end")
    poor_merit_end: pl.Int64 = breakdown_column("poor_merit_end")
    start_denominator: pl.Int64 = _count("start_denominator")
    source_file: str

    class Config:
        strict = False
        coerce = False
        unique = ["commune_code"]


class ResultsProvinces(pa.DataFrameModel):
    """The columns results add to provinces.parquet, over communes with accepted results."""

    province_code: str = pa.Field(str_matches=r"^\d{2}$")
    poor_households_start: pl.Int64 = _count("poor_households_start")
    poor_households_end: pl.Int64 = _count("poor_households_end")
    near_poor_households_start: pl.Int64 = _count("near_poor_households_start")
    near_poor_households_end: pl.Int64 = _count("near_poor_households_end")
    total_households_end: pl.Int64 = _count("total_households_end")
    communes_met_target_actual: pl.Int64 = pa.Field(nullable=True, ge=0)
    communes_missed_target_actual: pl.Int64 = pa.Field(nullable=True, ge=0)
    communes_with_results: pl.Int64 = pa.Field(nullable=True, ge=0)
    poor_rate_end_communes: pl.Int64 = pa.Field(nullable=True, ge=0)  # those giving the poor and all households at the end
    poor_rate_start_pct: float = pa.Field(nullable=True)
    poor_rate_end_pct: float = pa.Field(nullable=True)
    near_poor_rate_start_pct: float = pa.Field(nullable=True)
    near_poor_rate_end_pct: float = pa.Field(nullable=True)
    actual_poor_reduction_pp: float = pa.Field(nullable=True)
    poor_ethnic_minority_start: pl.Int64 = breakdown_column("poor_ethnic_minority_start")
    poor_ethnic_minority_start_communes: pl.Int64 = communes_giving(nullable=True, field="poor_ethnic_minority_start")
    near_poor_ethnic_minority_start: pl.Int64 = breakdown_column("near_poor_ethnic_minority_start")
    near_poor_ethnic_minority_start_communes: pl.Int64 = communes_giving(nullable=True, field="near_poor_ethnic_minority_start")
    poor_no_labour_start: pl.Int64 = breakdown_column("poor_no_labour_start")
    poor_no_labour_start_communes: pl.Int64 = communes_giving(nullable=True, field="poor_no_labour_start")
    near_poor_no_labour_start: pl.Int64 = breakdown_column("near_poor_no_labour_start")
    near_poor_no_labour_start_communes: pl.Int64 = communes_giving(nullable=True, field="near_poor_no_labour_start")
    poor_merit_start: pl.Int64 = breakdown_column("poor_merit_start")
    poor_merit_start_communes: pl.Int64 = communes_giving(nullable=True, field="poor_merit_start")
    poor_ethnic_minority_end: pl.Int64 = breakdown_column("poor_ethnic_minority_end")
    poor_ethnic_minority_end_communes: pl.Int64 = communes_giving(nullable=True, field="poor_ethnic_minority_end")
    near_poor_ethnic_minority_end: pl.Int64 = breakdown_column("near_poor_ethnic_minority_end")
    near_poor_ethnic_minority_end_communes: pl.Int64 = communes_giving(nullable=True, field="near_poor_ethnic_minority_end")
    poor_no_labour_end: pl.Int64 = breakdown_column("poor_no_labour_end")
    poor_no_labour_end_communes: pl.Int64 = communes_giving(nullable=True, field="poor_no_labour_end")
    near_poor_no_labour_end: pl.Int64 = breakdown_column("near_poor_no_labour_end")
    near_poor_no_labour_end_communes: pl.Int64 = communes_giving(nullable=True, field="near_poor_no_labour_end")
    poor_merit_end: pl.Int64 = breakdown_column("poor_merit_end")
    poor_merit_end_communes: pl.Int64 = communes_giving(nullable=True, field="poor_merit_end")

    class Config:
        strict = False
        coerce = False
