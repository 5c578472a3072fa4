"""A household list no recogniser can read is refused whole: its names never become villages, title lines,
failure values or anything else the parse sends on (personal data stays in the commune's file)."""

from __future__ import annotations

import orjson
import openpyxl
import polars as pl

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits
from test_any_table import run_steps

TITLE = "ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"  # 01843, Thái Nguyên (19)
MARKERS = ["Zqxnguyenvana", "Zqxtranthib", "Zqxlevanc"]


def _book(path, list_header, plan=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "PL kế hoạch"
    if plan:
        ws.append([TITLE])
        ws.append(["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"])
        ws.append(["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"])
        ws.append([1, "Tổ 1", 120, 20, 10, 4])
        ws.append([2, "Tổ 2", 100, 10, 12, 2])
        ws.append(["", "Tổng cộng", 220, 30, 22, 6])
    ls = wb.create_sheet("DS kèm theo")
    ls.append(["DANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO NĂM 2026"])
    ls.append([MARKERS[0]])  # a lone name above the header: a title line only by its place
    ls.append(list_header)
    for i, name in enumerate(MARKERS):
        ls.append([i + 1, name, "Tổ 1", 4 + i, "Hội Nông dân"][: len(list_header)])
    wb.save(path)
    return path


def _everything(parsed) -> bytes:
    return orjson.dumps(parsed, default=str)


def test_an_unreadable_list_is_refused_and_its_names_go_nowhere(tmp_path):
    # a list naming its heads of household but too little else to be read as one (no code, ID, year, group…)
    path = _book(tmp_path / "ke hoach.xlsx", ["STT", "Họ và tên chủ hộ", "Thôn, tổ", "Số lao động", "Cơ quan giúp đỡ"])
    parsed = parse_workbook(path, Limits())
    blob = _everything(parsed)
    assert not any(m.encode() in blob for m in MARKERS), "a name left the list"
    refused = [f for f in parsed.failures if f["rule"] == "personal_list"]
    assert [(f["sheet"], f["row"]) for f in refused] == [("DS kèm theo", 3)] and "Họ và tên chủ hộ" in refused[0]["value"]
    assert [t.kind for t in parsed.tables] == ["plan"]  # the plan beside it is read as ever
    failures, outputs = run_steps([path])
    assert outputs["communes.parquet"].select("status", "poor_households").row(0) == ("accepted", 30)
    assert not any(m in str(v) for m in MARKERS for v in failures.to_dicts() for v in v.values())
    message = failures.filter(pl.col("rule") == "personal_list")["message"][0]
    assert "danh sách có dữ liệu cá nhân" in message and "DS kèm theo" in message


def test_a_list_alone_is_refused_without_a_table_found_error_quoting_it(tmp_path):
    path = _book(tmp_path / "danh sach.xlsx", ["TT", "Họ tên", "Địa chỉ", "Ghi chú"], plan=False)
    parsed = parse_workbook(path, Limits())
    assert not any(m.encode() in _everything(parsed) for m in MARKERS)
    assert [f["rule"] for f in parsed.failures] == ["personal_list"]
    # above the list, the title reads as a title; a lone name there does not
    assert parsed.title == ["DANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO NĂM 2026"]


def test_a_signature_asking_for_a_name_is_no_list(tmp_path):
    """"(Ký, ghi rõ họ tên)" under a plan annex is a signature line, not a personal column."""
    path = tmp_path / "ke hoach.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (
        [TITLE],
        ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        ["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"],
        [1, "Tổ 1", 120, 20, 10, 4],
        ["", "Tổng cộng", 120, 20, 10, 4],
        [],
        ["Người lập biểu", None, None, "TM. ỦY BAN NHÂN DÂN"],
        ["(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên, đóng dấu)"],
    ):
        ws.append(row)
    wb.save(path)
    parsed = parse_workbook(path, Limits())
    assert not parsed.failures and [t.kind for t in parsed.tables] == ["plan"]


def test_a_parser_crash_names_its_type_and_place_never_its_message(tmp_path, monkeypatch):
    """A reader bug on a list: the exception's message may quote a cell (a name): the failure keeps the type and where."""
    from giamngheo import parallel
    from giamngheo.parallel import ParseJob

    def boom(*args, **kwargs):
        int(MARKERS[1])  # ValueError: invalid literal for int() with base 10: 'Zqxtranthib'

    monkeypatch.setattr(parallel, "parse_workbook", boom)
    result = parallel.parse_one(ParseJob(str(tmp_path / "x.xlsx"), ""), Limits())
    value = result.failures[0]["value"]
    assert MARKERS[1] not in _everything(result).decode() and value.startswith("ValueError at test_personal_guard.py:")
