"""Household lists in layouts the first reader missed (issue 17's review), and lists beside a plan annex on
its own sheet: each is read as a list or refused whole (personal_list), never as villages; no cell of one
reaches the parse result, the failures or the output tables. Markers (Zqx…, ID numbers) are planted in the
personal cells and searched for everywhere."""

from __future__ import annotations

import random
import zipfile

import openpyxl
import orjson
import polars as pl
import pytest

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits
from samplegen.encodings import tcvn3
from samplegen.households import make_households, write_household_list
from test_deprivations import steps

TITLE = "ỦY BAN NHÂN DÂN PHƯỜNG BẮC KẠN"  # 01843, Thái Nguyên (19)
PEOPLE = [  # head's name, village, birth year, ID number, members, group
    ("Nguyễn Văn Zqxan", "Tổ 1", 1962, "001062000111", 4, "Hộ nghèo"),
    ("Hoàng Thị Zqxbinh", "Tổ 1", 1970, "001170000222", 3, "Hộ cận nghèo"),
    ("Bàn Văn Zqxcuong", "Tổ 2", 1985, "001085000333", 5, "Hộ nghèo"),
    ("Lý Thị Zqxdung", "Tổ 2", 1990, "001090000444", 2, "Hộ nghèo"),
]
MARKERS = ["Zqxan", "Zqxbinh", "Zqxcuong", "Zqxdung", "001062000111", "001170000222", "001085000333", "001090000444"]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    monkeypatch.delenv("GIAMNGHEO_SECRET_FILE", raising=False)


def _xlsx(path, rows, merges=(), title=(TITLE, "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(list(row))
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def _blob(parsed) -> str:
    return orjson.dumps(parsed, default=str).decode()


def _leaked(text: str) -> list[str]:
    return [m for m in MARKERS if m.lower() in text.lower()]


# (header rows, one row per person, merges, title): variants of real lists the reader did not claim
VARIANTS = {
    "other wording": (
        [["TT", "Tên chủ hộ", "Số CCCD/CMND", "Ngày tháng năm sinh", "Thôn", "Số khẩu", "Diện hộ"]],
        lambda i, p: [i, p[0], p[3], f"01/01/{p[2]}", p[1], p[4], p[5]],
        (),
        None,
    ),
    "no ID column": (
        [["STT", "Họ và tên chủ hộ", "Thôn", "Năm sinh", "Số nhân khẩu", "Phân loại"]],
        lambda i, p: [i, p[0], p[1], p[2], p[4], p[5]],
        (),
        None,
    ),
    "name and members under a list title": (
        [["STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Ghi chú"]],
        lambda i, p: [i, p[0], p[1], p[4], None],
        (),
        (TITLE, "DANH SÁCH HỘ NGHÈO NĂM 2026"),
    ),
    "'Tên hộ' and a mark per group": (
        [["STT", "Tên hộ", "Thôn", "Số nhân khẩu", "Hộ nghèo", "Hộ cận nghèo"]],
        lambda i, p: [i, p[0], p[1], p[4], "x" if p[5] == "Hộ nghèo" else None, "x" if p[5] != "Hộ nghèo" else None],
        (),
        None,
    ),
    # a group's label over the head's columns: the row under it is a header, not a household
    "a group header over the head's columns": (
        [
            ["STT", "Thông tin chủ hộ", None, None, "Thôn", "Số nhân khẩu", "Phân loại"],
            [None, "Họ và tên", "Năm sinh", "Số CCCD"],
        ],
        lambda i, p: [i, p[0], p[2], p[3], p[1], p[4], p[5]],
        ("B3:D3", "A3:A4", "E3:E4", "F3:F4", "G3:G4"),
        None,
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_variant_list_is_read_as_a_list(tmp_path, variant):
    header, person, merges, title = VARIANTS[variant]
    rows = header + [person(i + 1, p) for i, p in enumerate(PEOPLE)]
    path = _xlsx(tmp_path / "danh sach.xlsx", rows, merges, *([title] if title else []))
    parsed = parse_workbook(path, Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and not parsed.failures, parsed.failures
    got = parsed.tables[0].rows
    assert got["row"] == list(range(len(header) + 3, len(header) + 7))  # no header row read as a household
    want = ["poor"] * 4 if title else ["poor", "near_poor", "poor", "poor"]
    assert (
        got["group"] == want and got["members__num"] == [4.0, 3.0, 5.0, 2.0] and got["name"] == ["Tổ 1", "Tổ 1", "Tổ 2", "Tổ 2"]
    )
    if any("CCCD" in str(label) for label in header[-1]):
        assert got["key_source"] == ["id_number"] * 4  # the ID under a group's label is read
    assert not _leaked(_blob(parsed))


INDICATOR_NAMES = ["Việc làm", "Người phụ thuộc trong hộ", "Dinh dưỡng", "Bảo hiểm y tế", "Trình độ giáo dục của người lớn",
                   "Tình trạng đi học của trẻ em", "Chất lượng nhà ở", "Diện tích nhà ở bình quân đầu người",
                   "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh", "Sử dụng dịch vụ viễn thông",
                   "Phương tiện phục vụ tiếp cận thông tin"]


@pytest.mark.parametrize("labels", [[f"CS{k}" for k in range(1, 13)], [f"Chỉ số {k}" for k in range(1, 13)], INDICATOR_NAMES],
                         ids=["CS1", "Chi so 1", "names"])
def test_deprivation_columns_named_in_one_header_row_are_read(tmp_path, labels):
    """A list's indicator columns headed "CS1"…"CS12", "Chỉ số 1"… or by the indicators' names, in one header row with
    no "Chỉ số thiếu hụt" over them, were dropped without a word: every household's marks lost (a probe's 119)."""
    marks = [[1, 4, 10], [2, 5, 9, 12], [4], [1, 2, 3]]
    rows = [["STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Phân loại", *labels]]
    rows += [[i + 1, p[0], p[1], p[4], p[5], *["x" if k in m else None for k in range(1, 13)]]
             for i, (p, m) in enumerate(zip(PEOPLE, marks))]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and not parsed.failures, parsed.failures
    assert parsed.tables[0].rows["deprivations"] == ["1,4,10", "2,5,9,12", "4", "1,2,3"]


SHORT_NAMES = ["VL", "Người phụ thuộc", "Dinh dưỡng", "BHYT", "Giáo dục người lớn", "Trẻ em đi học", "CL nhà ở",
               "DT nhà ở BQ", "Nước sinh hoạt", "Nhà tiêu HVS", "DV viễn thông", "Tiếp cận thông tin"]


@pytest.mark.parametrize("merged", [True, False], ids=["under Các chỉ số thiếu hụt", "one row"])
def test_an_indicator_abbreviated_dt_is_the_housing_area_not_a_phone(tmp_path, merged):
    """"DT nhà ở BQ" (diện tích) under "Các chỉ số thiếu hụt" was read as a phone column ("ĐT", điện thoại): indicator 8's
    marks lost, every poor household marked 1, 8, 10 a false poor_has_three_deprivations, the list rejected (layouts
    judge, Điện Biên)."""
    marks = [[1, 8, 10], [2, 8, 9, 12], [8], [1, 2, 3]]
    head = ["STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Phân loại"]
    rows = [[*head, "Các chỉ số thiếu hụt"], [None] * 5 + SHORT_NAMES] if merged else [[*head, *SHORT_NAMES]]
    rows += [[i + 1, p[0], p[1], p[4], p[5], *["x" if k in m else None for k in range(1, 13)]]
             for i, (p, m) in enumerate(zip(PEOPLE, marks))]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows, merges=("F3:Q3", "A3:A4", "B3:B4") if merged else ()), Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and "phone" not in parsed.tables[0].columns
    assert parsed.tables[0].rows["deprivations"] == ["1,8,10", "2,8,9,12", "8", "1,2,3"]


@pytest.mark.parametrize("word", ["Khu phố", "Khóm", "Ấp", "Sóc"])
def test_section_rows_naming_a_town_or_southern_village_give_its_households_their_village(tmp_path, word):
    """A list in sections "Khu phố 3", "Khóm 2": the section rows were passed over, every household left without a village."""
    rows = [["STT", "Họ và tên chủ hộ", "Số nhân khẩu", "Phân loại"], [f"{word} 3"]]
    rows += [[i + 1, p[0], p[4], p[5]] for i, p in enumerate(PEOPLE[:2])] + [[f"{word} 4"]]
    rows += [[i + 3, p[0], p[4], p[5]] for i, p in enumerate(PEOPLE[2:])]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert [t.kind for t in parsed.tables] == ["households"], parsed.failures
    assert parsed.tables[0].rows["name"] == [f"{word} 3"] * 2 + [f"{word} 4"] * 2


@pytest.mark.parametrize("first, second, merged", [("Bon Jang Lành", "Buôn Ea Kmar", False), ("Ea Hiao", "Krông Jing", True)])
def test_section_rows_of_highland_villages_are_no_households(tmp_path, first, second, merged):
    """"Bon Jang Lành" (M'nông villages are bon) over its households, in the head's column merged across: read as a
    household whose code was the village's name, the list rejected (independent probe, Đắk Lắk). A type word, or a name
    merged across the columns with no code nor ID of its own, is a village's section row."""
    rows = [["STT", "Họ và tên chủ hộ", "Số CCCD", "Số nhân khẩu", "Phân loại"], [None, first]]
    rows += [[i + 1, p[0], p[3], p[4], p[5]] for i, p in enumerate(PEOPLE[:2])] + [[None, second]]
    rows += [[i + 3, p[0], p[3], p[4], p[5]] for i, p in enumerate(PEOPLE[2:])]
    merges = ("B4:D4", "B7:D7") if merged else ()
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows, merges), Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and not parsed.failures, parsed.failures
    assert parsed.tables[0].rows["name"] == [first] * 2 + [second] * 2


def test_a_lone_column_named_like_an_indicator_is_no_deprivation_mark(tmp_path):
    """'Việc làm' beside the head's name (what the head does) is not indicator 1: three indicators or more make a set."""
    rows = [["STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Phân loại", "Việc làm"]]
    rows += [[i + 1, p[0], p[1], p[4], p[5], "x"] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert [t.kind for t in parsed.tables] == ["households"]
    assert parsed.tables[0].rows["deprivations"] == [None] * 4


@pytest.mark.parametrize("fmt", ["csv", "ods", "xls"])
def test_a_list_typed_in_tcvn3_is_read_as_a_list(tmp_path, fmt):
    rows = [["DANH SÁCH HỘ NGHÈO NĂM 2026"], ["STT", "Họ và tên chủ hộ", "Số CMND", "Thôn", "Số nhân khẩu", "Năm sinh"]]
    rows += [[str(i + 1), p[0], p[3], p[1], str(p[4]), str(p[2])] for i, p in enumerate(PEOPLE)]
    path = tmp_path / f"danh sach.{fmt}"
    if fmt == "csv":  # a file of TCVN3 bytes, as a .VnTime user saves it
        path.write_bytes(b"".join((",".join(tcvn3(v) for v in r) + "\r\n").encode("cp1252") for r in rows))
    else:
        from samplegen.writers import Book, save_book

        book = Book()
        sheet = book.add("DS")
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                sheet.set(r, c, tcvn3(value))
        save_book(book, path, fmt)
    parsed = parse_workbook(path, Limits())
    assert [t.kind for t in parsed.tables] == ["households"], parsed.failures
    assert parsed.tables[0].rows["key_source"] == ["id_number"] * 4 and parsed.tables[0].rows["name"] == [
        "Tổ 1",
        "Tổ 1",
        "Tổ 2",
        "Tổ 2",
    ]
    assert not _leaked(_blob(parsed))


def test_a_list_of_persons_counts_each_household_by_its_head(tmp_path):
    """One row per person, the national software's export ("Quan hệ với chủ hộ": Chủ hộ / Vợ / Con), the household's
    figures on its head's row: refused whole before, 3 of 32 communes' lists lost (household lists judge, Đồng Tháp).
    Each household is its head's row; a member's row is none, and nothing of it is read."""
    rows = [["STT", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Số CCCD", "Thôn", "Số nhân khẩu", "Phân loại hộ"]]
    for i, p in enumerate(PEOPLE):
        rows.append([i + 1, p[0], "Chủ hộ", p[2], p[3], p[1], p[4], p[5]])
        rows.append([None, "Trần Thị Zqxmember", "Vợ" if i % 2 else "Con", 1999, "001199000999", p[1], None, None])
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    (table,) = parsed.tables
    assert table.rows["row"] == [4, 6, 8, 10] and table.rows["members__num"] == [4.0, 3.0, 5.0, 2.0]
    assert table.rows["group"] == ["poor", "near_poor", "poor", "poor"] and not parsed.failures
    assert not _leaked(_blob(parsed)) and "Zqxmember" not in _blob(parsed) and "001199000999" not in _blob(parsed)


def test_a_list_of_persons_without_members_is_refused(tmp_path):
    """Without a members column a list of persons says no household's size: refused whole (required_columns), as a list
    of households without one is; never a row per person counted as households."""
    rows = [["STT", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Thôn"]]
    rows += [[i + 1, p[0], "Chủ hộ", p[2], "Nam", p[1]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert all(not t.rows["row"] for t in parsed.tables)
    assert [f["rule"] for f in parsed.failures] in (["personal_list"], ["required_columns"])
    assert not _leaked(_blob(parsed))


def _plan_rows(villages: int) -> list[list]:
    rows = [["STT", "Tên tổ dân phố", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"]]
    rows += [[k, f"Tổ {k}", 100 + k, 3, 2, 1] for k in range(1, villages + 1)]
    return rows + [[None, "Tổng cộng", sum(100 + k for k in range(1, villages + 1)), 3 * villages, 2 * villages, villages], []]


LIST_HEADERS = {
    "readable": ["STT", "Họ và tên chủ hộ", "Tổ dân phố", "Số nhân khẩu", "Năm sinh", "Cơ quan giúp đỡ"],
    "unreadable": ["STT", "Họ và tên chủ hộ", "Tổ dân phố", "Cơ quan giúp đỡ"],  # too little to read: refused
}


def _plan_and_list(path, villages: int, header: list[str], titled: bool):
    """A plan annex and, under its total on the same sheet, the households it expects to lift out of poverty."""
    people = [[i + 1, p[0], p[1], p[4], p[2], "Hội Nông dân"] for i, p in enumerate(PEOPLE)]
    rows = _plan_rows(villages) + ([["DANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO NĂM 2026"]] if titled else [])
    rows += [header] + [r if len(header) == 6 else r[:3] + r[5:] for r in people]
    return _xlsx(path, rows, title=(TITLE, "PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"))


@pytest.mark.parametrize("villages", [2, 30])  # the list's header among the sheet's first 30 rows, and far below them
@pytest.mark.parametrize("which", list(LIST_HEADERS))
@pytest.mark.parametrize("titled", [True, False])
def test_a_list_under_a_plan_annex_is_never_read_as_villages(tmp_path, villages, which, titled):
    path = _plan_and_list(tmp_path / "ke hoach.xlsx", villages, LIST_HEADERS[which], titled)
    parsed = parse_workbook(path, Limits())
    assert not _leaked(_blob(parsed))
    plan = [t for t in parsed.tables if t.kind == "plan"]
    assert len(plan) == 1 and [n for n, k in zip(plan[0].rows["name"], plan[0].rows["kind"]) if k == "village"] == [
        f"Tổ {k}" for k in range(1, villages + 1)]
    header_row = 3 + villages + 2 + titled + 1
    lists = [t for t in parsed.tables if t.kind == "households"]
    if which == "readable":
        assert len(lists) == 1 and lists[0].header_rows[0] == header_row and len(lists[0].rows["row"]) == 4
        assert not parsed.failures, parsed.failures
    else:
        assert not lists and [(f["rule"], f["row"]) for f in parsed.failures] == [("personal_list", header_row)]
        assert "Cơ quan giúp đỡ" in parsed.failures[0]["value"]
    failures, tables, _ = steps([path])
    assert tables["communes.parquet"].select("status", "poor_households").row(0) == ("accepted", 3 * villages)
    assert sorted(tables["villages.parquet"]["village_name"]) == sorted(f"Tổ {k}" for k in range(1, villages + 1))
    assert not _leaked(orjson.dumps(failures.to_dicts()).decode())


def test_cells_in_the_wrong_column_are_masked_in_failures(tmp_path):
    """A name or an ID number typed in the members column: the failure says which cell, with letters starred and
    the number masked, never the cell's value."""
    rows = make_households(random.Random(3), [("Tổ 1", 30, 20), ("Tổ 2", 34, 35)])
    path = tmp_path / "danh sach.xlsx"
    write_household_list(path, "Phường Bắc Kạn", rows)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["H7"], ws["H8"] = "Nguyễn Zqxan", int(MARKERS[5])  # the members column (Số nhân khẩu) of two households
    wb.save(path)
    from test_deprivations import plan

    failures, _, _ = steps([plan(tmp_path / "ke hoach.xlsx"), path])
    mine = failures.filter(pl.col("cell").is_in(["H7", "H8"])).sort("cell")
    assert mine["rule"].to_list() == ["members_positive"] * 2 and mine["value"].to_list() == ["****** *****", "1170****22"]
    assert not _leaked(orjson.dumps(failures.to_dicts()).decode())


def test_a_list_the_reader_chokes_on_is_reported_without_its_text(tmp_path):
    """A damaged list (an entity in the shared strings that XML does not know): the reader quotes the text it
    choked on; the failure keeps the library's words but not the quote."""
    good = tmp_path / "ds.xlsx"
    rows = make_households(random.Random(4), [("Tổ 1", 3, 2)])
    rows[0]["name"] = "Zqxan Nguyễn"
    write_household_list(good, "Phường Bắc Kạn", rows)
    bad = tmp_path / "danh sach hong.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename).replace(b"Zqxan", b"&Zqxan;"))
    parsed = parse_workbook(bad, Limits())
    assert [(f["rule"], f["detail"]) for f in parsed.failures] == [("readable", "corrupt")]
    assert "entity" in parsed.failures[0]["value"] and not _leaked(_blob(parsed))


def _append_list(path, header):
    """The list below the sheet's table, after a blank row and its title."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    r = ws.max_row + 2
    ws.cell(r, 1, "DANH SÁCH HỘ NGHÈO NĂM 2026")
    for row in [header] + [[i + 1, p[0], p[1], p[4], p[2]][: len(header)] for i, p in enumerate(PEOPLE)]:
        r += 1
        for j, value in enumerate(row, start=1):
            ws.cell(r, j, value)
    wb.save(path)
    return path


@pytest.mark.parametrize("table", ["deprivations", "roadmap years down", "roadmap years across"])
def test_a_list_under_another_kinds_table_leaves_that_table_its_kind(tmp_path, table):
    """Above a list, a deprivation table or a roadmap is read by its own recogniser (was: the list took the sheet and
    the village engine read the table above as a plan, or nothing read it)."""
    from samplegen.deprivations import write_deprivation_table
    from samplegen.roadmap import make_roadmap, write_roadmap_table

    path = tmp_path / "bieu.xlsx"
    if table == "deprivations":
        write_deprivation_table(path, "indicators_down", "Phường Bắc Kạn", [("Tổ 1", 30, 20), ("Tổ 2", 34, 35)])
    else:
        write_roadmap_table(path, "years_down" if "down" in table else "years_across", "Phường Bắc Kạn",
                            make_roadmap(random.Random(1), 60, 2026))
    before = parse_workbook(path, Limits())
    _append_list(path, ["STT", "Họ và tên chủ hộ", "Tổ dân phố", "Số nhân khẩu", "Năm sinh"])
    parsed = parse_workbook(path, Limits())
    kinds = [t.kind for t in parsed.tables]
    assert kinds == [t.kind for t in before.tables] + ["households"] or kinds == ["households"] + [t.kind for t in before.tables]
    assert not parsed.failures and not _leaked(_blob(parsed))
    assert len(next(t for t in parsed.tables if t.kind == "households").rows["row"]) == 4


def test_the_first_households_cells_are_no_header(tmp_path):
    """Under a header of too few list columns, a first household whose note says "CCCD 0010…" does not make the
    header a list's (its cells were read as labels of a second header row: a list of four members-less rows)."""
    rows = [["STT", "Họ và tên chủ hộ", "Thôn", "Cơ quan giúp đỡ", "Ghi chú"]]
    rows += [[i + 1, p[0], p[1], "Hội Phụ nữ", f"CCCD {p[3]}"] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(
        _xlsx(tmp_path / "ds.xlsx", rows, title=(TITLE, "DANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO NĂM 2026")), Limits()
    )
    assert not parsed.tables and [f["rule"] for f in parsed.failures] == ["personal_list"]
    assert not _leaked(_blob(parsed))


def test_deprivations_named_and_members_with_their_unit():
    """A list's cell naming the indicators lacked ("BHYT; Nhà tiêu HVS; Nguồn nước sinh hoạt") gives their numbers
    (was none: every poor household 'lacked fewer than three', the list rejected); "4 khẩu" is 4 members (was
    masked text, members_positive)."""
    from giamngheo.layout.household_cells import deprivation_list, members_cell

    assert deprivation_list("BHYT; Nhà tiêu HVS; Nguồn nước sinh hoạt") == "4,9,10"
    assert deprivation_list("1, 4, 9") == "1,4,9" and deprivation_list("Không") == ""
    assert members_cell("4 khẩu") == (4.0, None) and members_cell("5 người") == (5.0, None)
    assert members_cell("Nguyễn Văn A")[0] is None


def test_a_villages_total_row_labelled_in_the_code_column_is_no_household_and_a_tong_is(tmp_path):
    """"Cộng Xóm 1: 2 hộ" in the household code column, under each village: read as a household (members 7, deprivations
    none), the list rejected. And a head whose surname is Tổng, with a birth year and an ID number, was taken for a
    total row and dropped."""
    header = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Số CCCD", "Số nhân khẩu"]
    rows = [
        header,
        ["I", "HỘ NGHÈO"],
        [1, "Xóm 1"],
        [1, "QB01", "Nguyễn Văn Zqxan", 1962, "001062000111", 4],
        [2, "QB02", "Tổng Thị Zqxbinh", 1970, "001170000222", 3],
        [None, "Cộng Xóm 1: 2 hộ", None, None, None, 7],
        [2, "Xóm 2"],
        [3, "QB03", "Bàn Văn Zqxcuong", 1985, "001085000333", 5],
        [None, "Cộng Xóm 2: 1 hộ", None, None, None, 5],
        [None, "Tổng cộng", None, None, None, 12],
    ]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    (table,) = parsed.tables
    assert table.kind == "households" and table.rows["row"] == [6, 7, 10]
    assert table.rows["name"] == ["Xóm 1", "Xóm 1", "Xóm 2"] and table.rows["members__num"] == [4, 3, 5]


def _list_by_sheet(path, sheets: list[tuple[str, list[list], list]]):
    """The parse of a list with a sheet each: (sheet name, its lines above the header, its households), no village
    column, the group marked by an "x"."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    header = ["STT", "Họ và tên chủ hộ", "Năm sinh", "Số CCCD", "Số nhân khẩu", "Hộ nghèo", "Hộ cận nghèo"]
    for sheet, above, people in sheets:
        ws = wb.create_sheet(sheet)
        for line in (*above, header):
            ws.append(line)
        for i, (name, _, birth, number, members, group) in enumerate(people, start=1):
            ws.append(
                [i, name, birth, number, members, "x" if group == "Hộ nghèo" else None, "x" if group != "Hộ nghèo" else None]
            )
    wb.save(path)
    return parse_workbook(path, Limits())


def test_a_list_with_a_sheet_per_village_gives_each_household_its_village(tmp_path):
    """Sheets named after their villages, each titled "… THÔN <village> …", no village column: every household had no
    village, so the list could be compared with the annex for the commune only."""
    parsed = _list_by_sheet(tmp_path / "ds theo thon.xlsx", [
        (sheet, [[TITLE], [f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO {village} NĂM 2026"]], people)
        for sheet, village, people in (("Nà Rì", "THÔN NÀ RÌ", PEOPLE[:2]), ("Tổ 2", "TỔ 2", PEOPLE[2:]))])
    assert [(t.sheet, t.rows["name"]) for t in parsed.tables] == [("Nà Rì", ["Nà Rì", "Nà Rì"]), ("Tổ 2", ["Tổ 2", "Tổ 2"])]


def test_a_sheet_per_village_named_by_a_line_above_its_header(tmp_path):
    """"Thôn: Cốc Ngần" over the sheet "Cốc Ngần": that line is no title (a lone line above a list might be a name, and is
    never kept), yet it says whose the sheet is; 203 households of a probe's list had no village (12-06)."""
    parsed = _list_by_sheet(tmp_path / "ds.xlsx", [
        (sheet, [[TITLE], ["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"], [f"Thôn: {sheet}"], []], people)
        for sheet, people in (("Cốc Ngần", PEOPLE[:2]), ("Pò Sla", PEOPLE[2:]))])
    assert [(t.sheet, t.rows["name"]) for t in parsed.tables] == [
        ("Cốc Ngần", ["Cốc Ngần", "Cốc Ngần"]),
        ("Pò Sla", ["Pò Sla", "Pò Sla"]),
    ]


@pytest.mark.parametrize("label, field", [("Không có khả năng LĐ", "no_labour"), ("Hộ không có khả năng lao động", "no_labour")])
def test_a_list_reads_the_labels_an_annex_reads(label, field):
    """"Không có khả năng LĐ" was read in a plan annex and passed over in a list: no_labour null for 94 households
    (independent probe, Sơn La)."""
    from giamngheo.layout.household_header import _fields_of

    assert _fields_of(label)[:1] == (field,)


def test_marks_under_an_unmerged_deprivation_header_named_for_their_indicators(monkeypatch):
    """"Chỉ số thiếu hụt" over twelve columns named "Việc làm | Chỉ số 2 | Dinh dưỡng …", the merge lost (an .ods as
    read): only the first column was read, every poor household short of three deprivations, 23 false errors and the
    list rejected (independent probe, Sơn La). Each named column is its indicator's mark."""
    from giamngheo.layout import households
    from giamngheo.readers.grid import Sheet

    monkeypatch.setenv("GIAMNGHEO_SECRET", "test key")
    names = ["Việc làm", "Chỉ số 2", "Dinh dưỡng", "Chỉ số 4", "Giáo dục người lớn", "Đi học", "Chất lượng nhà ở",
             "Diện tích nhà ở", "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh", "Dịch vụ viễn thông", "Phương tiện thông tin"]
    rows = [["DANH SÁCH HỘ NGHÈO NĂM 2026"], [],
            ["STT", "Họ và tên chủ hộ", "Số CCCD", "Phân loại", "Chỉ số thiếu hụt", *[None] * 11],
            [None, None, None, None, *names],
            [1, "Lò Văn A", "014099001234", "Hộ nghèo", "x", None, "x", None, "x", *[None] * 7],
            [2, "Quàng Thị B", "014099001235", "Hộ cận nghèo", None, "x", *[None] * 10]]
    (table,) = households.recognise(Sheet("DS", rows))
    assert table.rows["deprivations"] == ["1,3,5", "2"]


@pytest.mark.parametrize("written, year", [("2.030", "2030"), ("2030", "2030"), ("năm 2029", "2029"), ("1.500", None)])
def test_a_planned_exit_year_with_a_thousands_mark(written, year):
    """"2.030" (a number column with thousands marks, exported to CSV) was no year: null for 32 households, no word
    (independent probe, Sơn La)."""
    from giamngheo.layout.household_cells import year as year_of

    assert year_of(written) == year


def test_a_numbered_row_under_the_header_and_classification_codes(tmp_path):
    """Two layouts an independent probe (Lào Cai) found misread. Under a row numbering the columns ("1 2 … 7 8"), the
    "Chỉ số thiếu hụt" column listing numbers ("1, 4, 10") sat under "7" and was read as the mark column of indicator 7:
    every poor household had no deprivation, 1,120 false errors rejected seven lists. "N" / "CN" in the classification
    column were no group: every household dropped (household_group), the lists accepted with none."""
    rows = [["STT", "Họ và tên chủ hộ", "Số CCCD", "Thôn", "Phân loại", "Số thành viên", "Chỉ số thiếu hụt", "Ghi chú"],
            [1, 2, 3, 4, 5, 6, 7, 8]]
    deprived = ["1, 4, 10", "2", "3, 5, 7, 9", "1; 6; 11"]
    rows += [[i + 1, p[0], p[3], p[1], {"Hộ nghèo": "N", "Hộ cận nghèo": "CN"}[p[5]], p[4], deprived[i], None]
             for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    [table] = [t for t in parsed.tables if t.kind == "households"]
    assert table.rows["deprivations"] == ["1,4,10", "2", "3,5,7,9", "1,6,11"]
    assert table.rows["group"] == ["poor", "near_poor", "poor", "poor"]
    assert [f["rule"] for f in parsed.failures] == []


def test_a_list_whose_head_column_is_worded_otherwise_is_never_a_plan(tmp_path):
    """"Người đại diện" for the head, or no head's column at all ("Mã hộ | Thôn | Số khẩu | Phân loại"), under "DANH
    SÁCH HỘ NGHÈO …": read as a plan annex, the first households taken into its header and quoted in the failures, the
    reports and the cache, the commune's plan replaced (independent probe, Lào Cai). A list's title and two household
    fields make it a list: read as one, else refused whole (personal_list); never a plan, no name in a failure."""
    rows = [["STT", "Mã số hộ", "Người đại diện", "Thôn, bản", "Loại hộ", "Nhân khẩu"]]
    rows += [[i + 1, f"HN-{i:03d}", p[0], p[1], p[5], p[4]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and not _leaked(_blob(parsed.failures))


@pytest.mark.parametrize("titled", [True, False])
def test_a_list_of_household_codes_without_names_is_read(tmp_path, titled):
    """"Mã hộ | Thôn | Dân tộc | Số khẩu | Phân loại": the contract's list gives "some of" code, name, ID number; one
    without the head's name was refused whole (personal_list), the commune's list rejected (independent probe, Lào
    Cai). It is read, each household keyed by its code; no code reaches the parse result."""
    rows = [["STT", "Mã hộ", "Thôn", "Dân tộc", "Số khẩu", "Phân loại"]]
    rows += [[i + 1, f"HN-{i:03d}", p[1], "Tày" if i % 2 else "Kinh", p[4], p[5]] for i, p in enumerate(PEOPLE)]
    path = _xlsx(tmp_path / "ds ma ho.xlsx", rows, title=(TITLE, "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO") if titled else (TITLE,))
    parsed = parse_workbook(path, Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and not parsed.failures, parsed.failures
    got = parsed.tables[0].rows
    assert got["key_source"] == ["household_code"] * 4 and len(set(got["household_ref"])) == 4
    assert got["group"] == ["poor", "near_poor", "poor", "poor"] and got["members__num"] == [4.0, 3.0, 5.0, 2.0]
    assert got["ethnic_minority"] == ["0", "1", "0", "1"] and got["name"] == ["Tổ 1", "Tổ 1", "Tổ 2", "Tổ 2"]
    assert "HN-001" not in _blob(parsed)


def test_a_name_and_its_id_number_in_one_column_are_refused_whole(tmp_path):
    """A list turned from Word: "Họ và tên chủ hộ (Số CCCD)" over a name row and a "CCCD: …" row per household. Read by
    its ID column, each name became a household with no group nor members; it is refused whole (personal_list)."""
    rows = [["STT", "Họ và tên chủ hộ\n(Số CCCD)", "Thôn", "Phân loại", "Số nhân khẩu"]]
    for i, p in enumerate(PEOPLE):
        rows += [[i + 1, p[0], p[1], p[5], p[4]], [None, f"CCCD: {p[3]}", None, None, None]]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert parsed.tables == [] and [f["rule"] for f in parsed.failures] == ["personal_list"]
    assert not _leaked(_blob(parsed))


def test_a_name_in_the_id_column_is_starred_whole(tmp_path):
    """The ID's mask kept a text's first four and last two characters: a name in the ID column showed "Nguy****an" in
    id_number_format. Its letters are starred, as in the members column."""
    rows = [["STT", "Họ và tên chủ hộ", "Số CCCD", "Thôn", "Số nhân khẩu", "Phân loại"]]
    rows += [[i + 1, p[0], p[0] if i == 1 else p[3], p[1], p[4], p[5]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    [table] = parsed.tables
    assert table.rows["id_format"][1] == "bad" and table.rows["id_masked"][1] == "***** *** *******"
    assert not _leaked(_blob(parsed))


@pytest.mark.parametrize("titled", [True, False])
def test_a_list_whose_head_column_is_headed_ho_gia_dinh_is_never_a_plan(tmp_path, titled):
    """"STT | Hộ gia đình | Tổng số hộ | Số hộ nghèo | Số hộ cận nghèo", a row per household (1 | 1 | 0): read as a plan,
    the heads' names were villages in villages.parquet, the lineage, the workbook and the cache, and the commune's own
    plan replaced (hostile-file judge, Cao Bằng). It is a list; no name reaches the parse result."""
    rows = [["STT", "Hộ gia đình", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]]
    rows += [[i + 1, p[0], 1, int(p[5] == "Hộ nghèo"), int(p[5] != "Hộ nghèo")] for i, p in enumerate(PEOPLE)]
    path = _xlsx(tmp_path / "ds.xlsx", rows, title=(TITLE, "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026") if titled else (TITLE,))
    parsed = parse_workbook(path, Limits())
    assert [t.kind for t in parsed.tables] == ["households"]
    # a list, with no members column: refused whole, once (its rows would all fail members_positive)
    assert [(f["rule"], f["expected"]) for f in parsed.failures] == [("required_columns", "members")]
    assert not _leaked(_blob(parsed))


def test_a_plan_column_opening_with_ho_gia_dinh_names_no_one(tmp_path):
    """The words alone make the column a household's: "Hộ gia đình có người có công" in a plan annex is a breakdown."""
    rows = [["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Hộ gia đình có người có công", "Số hộ cận nghèo"]]
    rows += [[i + 1, f"Thôn {i + 1}", 100 + i, 10, 2, 5] for i in range(4)]
    parsed = parse_workbook(_xlsx(tmp_path / "phu luc.xlsx", rows, title=(TITLE, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026")), Limits())
    assert [t.kind for t in parsed.tables] == ["plan"]


def test_a_list_without_a_members_column_is_one_failure(tmp_path):
    """"Họ và tên chủ hộ | Năm sinh | Số CCCD | Điện thoại | Thôn": each household was a members_positive error with no cell
    ("… không phải “”", 97 of one list; hostile-file judge). One required_columns names the column the list lacks."""
    rows = [["STT", "Họ và tên chủ hộ", "Năm sinh", "Số CCCD", "Điện thoại", "Thôn"]]
    rows += [[i + 1, p[0], p[2], p[3], f"09{i}2345678", p[1]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    assert [t.kind for t in parsed.tables] == ["households"] and parsed.tables[0].rows["row"] == []
    (f,) = parsed.failures
    assert (f["rule"], f["kind"], f["row"], f["expected"]) == ("required_columns", "households", 3, "members")
    assert f["value"] == "Họ và tên chủ hộ | Năm sinh | Số CCCD/CMND | Số điện thoại | Thôn, tổ dân phố"
    assert not _leaked(_blob(parsed))


def test_a_plan_annex_with_a_code_column_is_no_list(tmp_path):
    """A code alone is no list: a table of villages with their codes ("Mã thôn") stays a plan annex."""
    rows = [["STT", "Mã thôn", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]]
    rows += [[i + 1, f"T{i:02d}", f"Thôn {i + 1}", 100 + i, 10, 5] for i in range(4)]
    parsed = parse_workbook(_xlsx(tmp_path / "phu luc.xlsx", rows, title=(TITLE, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026")), Limits())
    assert [t.kind for t in parsed.tables] == ["plan"]


def test_a_group_column_headed_dien_and_marks_under_a_year_to_leave_poverty(tmp_path):
    """"Diện" over "Nghèo / Cận nghèo" is the group; "Dự kiến thoát nghèo năm 2026 | năm 2027" over an x is that year
    (each was read as nothing: the group from the title, no year; second list judge, Lào Cai)."""
    rows = [["STT", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Diện", "Dự kiến thoát nghèo năm 2026",
             "Dự kiến thoát nghèo năm 2027"]]
    marks = [("x", None), (None, None), (None, "x"), ("x", None)]
    rows += [[i + 1, p[0], p[1], p[4], "Nghèo" if p[5] == "Hộ nghèo" else "Cận nghèo", *marks[i]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows), Limits())
    [table] = parsed.tables
    assert table.rows["group"] == ["poor", "near_poor", "poor", "poor"]
    assert table.rows["planned_exit_year"] == ["2026", None, "2027", "2026"]


def test_a_village_cell_merged_down_over_its_households_is_each_one_s(tmp_path):
    """"Thôn Nà Rì" merged over its four households: only the first had a village, the others none, without a word
    (independent probe, Lào Cai)."""
    rows = [["STT", "Họ và tên chủ hộ", "Số CCCD", "Thôn", "Số nhân khẩu", "Phân loại"]]
    rows += [[i + 1, p[0], p[3], "Thôn Nà Rì" if i == 0 else None, p[4], p[5]] for i, p in enumerate(PEOPLE)]
    parsed = parse_workbook(_xlsx(tmp_path / "ds.xlsx", rows, merges=["D4:D7"]), Limits())
    [table] = parsed.tables
    assert table.rows["name"] == ["Thôn Nà Rì"] * 4


def test_a_list_refused_whole_is_the_commune_s_list_not_a_plan(tmp_path):
    """A list refused whole (personal_list: a list of persons, a layout not read) was a file with no table: listed as
    a superseded plan "whose figures come from" the plan, and the commune's list as never received (independent
    probe, Lào Cai). It is the commune's household list, rejected."""
    from giamngheo.discover import FileEntry
    from giamngheo.submissions import FileRecord

    rows = [["STT", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Thôn", "Phân loại"]]  # a row per person
    rows += [[i + 1, p[0], "Chủ hộ", p[2], p[1], p[5]] for i, p in enumerate(PEOPLE)]
    path = _xlsx(tmp_path / "ds nhan khau.xlsx", rows)
    record = FileRecord(FileEntry(path.name, path, 1, 0.0), path.name, True, parse_workbook(path, Limits()))
    assert record.kinds == {"households"}


def test_a_list_s_hidden_column_and_sheet_are_said_as_read(tmp_path):
    """A hidden members column of a household list was read without a word, as a village table's is not (independent
    probe, Đắk Lắk); a hidden sheet holding a list was said to be "not used" though its households were counted."""
    rows = [["STT", "Họ và tên chủ hộ", "Số CCCD", "Số nhân khẩu", "Phân loại"]]
    rows += [[i + 1, p[0], p[3], p[4], p[5]] for i, p in enumerate(PEOPLE)]
    path = _xlsx(tmp_path / "ds.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    wb.active.column_dimensions["D"].hidden = True
    wb.active.sheet_state = "hidden"
    wb.create_sheet("Ghi chú").append(["Ghi chú"])
    wb.save(path)
    parsed = parse_workbook(path, Limits())
    assert [t.kind for t in parsed.tables] == ["households"]
    said = sorted((f["rule"], f["detail"], f["cell"], f.get("field"), f.get("kind")) for f in parsed.failures)
    assert said == [("hidden_content", "column", "D3", "members", "households"),
                    ("hidden_content", "sheet", None, None, "households")], said
