"""The province's targets workbook in layouts a probe found misread: a target typed with its unit ("0,31 điểm %", every
target lost, silently), with its sign ("-0,31": every commune met it), last year's column before this year's (last
year's targets taken), a target that is no number ("chưa giao": dropped without a word), a "Toàn tỉnh" row (a
commune that could not be resolved). Each fails on the previous code."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits
from giamngheo.reference import load_reference
from giamngheo.resolve import Resolver
from giamngheo.targets import targets_from_parse

COMMUNES = [("Phường Bắc Kạn", 0.3), ("Xã Phú Thịnh", 0.79), ("Xã Cao Minh", 0.31)]


def _targets(path: Path, column: str = "Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2026 (điểm %)", value=lambda v: v, before=None,
             total_first: bool = False) -> dict:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Giao chỉ tiêu"
    ws.append(["UBND TỈNH THÁI NGUYÊN"])
    ws.append(["GIAO CHỈ TIÊU GIẢM NGHÈO NĂM 2026"])
    ws.append([])
    ws.append(["STT", "Tên xã, phường", "Tổng số hộ", *([before[0]] if before else []), column])
    if total_first:
        ws.append([None, "Toàn tỉnh", 15000, *([None] if before else []), 0.47])
    for i, (name, target) in enumerate(COMMUNES, start=1):
        ws.append([i, name, 5000, *([before[1]] if before else []), value(target)])
    wb.save(path)
    found = targets_from_parse(parse_workbook(path, Limits(), forced_kind="targets"), Resolver(load_reference(), "19"))
    return {"targets": dict(found.frame.select("commune_code", "assigned_poor_reduction_pp").iter_rows()), "failures": found.failures}




def _values(found: dict) -> list:
    return sorted(v for v in found["targets"].values() if v is not None)


@pytest.mark.parametrize("written", [lambda v: f"{v:.2f} điểm %".replace(".", ","), lambda v: f"{v:.2f}%".replace(".", ","),
                                     lambda v: -v, lambda v: f"-{v:.2f}".replace(".", ",")])
def test_a_target_with_its_unit_or_its_sign(tmp_path, written):
    found = _targets(tmp_path / "chi tieu.xlsx", value=written)
    assert _values(found) == [0.3, 0.31, 0.79] and found["failures"] == []


def test_this_years_column_over_last_years(tmp_path):
    found = _targets(tmp_path / "chi tieu.xlsx", before=("Chỉ tiêu giảm tỷ lệ hộ nghèo năm 2025 (điểm %)", 1.5))
    assert _values(found) == [0.3, 0.31, 0.79]


def test_a_target_that_is_no_number_is_reported(tmp_path):
    found = _targets(tmp_path / "chi tieu.xlsx", value=lambda v: "chưa giao" if v == 0.79 else v)
    assert _values(found) == [0.3, 0.31]
    assert [(f["rule"], f["cell"], f["value"]) for f in found["failures"]] == [("numeric", "D6", "chưa giao")]


def test_the_provinces_total_row_is_no_commune(tmp_path):
    found = _targets(tmp_path / "chi tieu.xlsx", total_first=True)
    assert _values(found) == [0.3, 0.31, 0.79] and found["failures"] == []
