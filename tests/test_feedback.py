"""Feedback workbooks: the commune's own file back, failing cells marked, a linked list of failures first."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from giamngheo.failures import OUTPUT_SCHEMA
from giamngheo.reports import feedback, feedback_source
from giamngheo.reports.feedback import feedback_name, write_feedback, write_feedback_report
from giamngheo.reports.feedback_marks import FILLS, LIST_SHEET
from giamngheo.reports.safe_cells import safe_text, write_text

RED, AMBER = FILLS["error"].fgColor.rgb, FILLS["warning"].fgColor.rgb
EVIL = '=HYPERLINK("http://evil")'


# ---- building a tiny run


def failure(source_file, cell=None, *, sheet=None, commune="05800", rule="numeric", severity="error",
            value=None, expected=None, message=None, row=None):
    """One validation_failures row, located like the pipeline locates them."""
    column = None
    if cell:
        letters, row = coordinate_from_string(cell)
        column = column_index_from_string(letters)
    return {
        "run_id": "r1", "source_file": source_file, "source_sheet": sheet, "cell": cell, "row": row,
        "column": column, "commune_code": commune, "commune_name": "Xã Thử", "field": None, "rule": rule,
        "severity": severity, "level": "within_table", "kind": "plan", "value": value, "expected": expected,
        "message": message or f"Ô {cell}: lỗi {rule}.", "message_en": f"Cell {cell}: {rule}.",
    }


def write_run(run_dir: Path, rows: list[dict], manifest: dict | None = None) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=OUTPUT_SCHEMA).write_parquet(run_dir / "validation_failures.parquet")
    if manifest is not None:
        (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def plan_xlsx(path: Path, extra_sheets=()) -> Path:
    """A two-sheet commune plan with a real formula and a text cell that looks like one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Ghi chú"])
    for i in range(2, 12):
        ws.append([i - 1, f"Thôn {i - 1}", 100 + i, i, None])
    ws["D9"] = "7 hộ"
    ws["C12"] = "=SUM(C2:C11)"
    ws["E3"] = EVIL
    ws["E3"].data_type = "s"
    ws.merge_cells("B14:D14")
    ws["B14"] = "Người lập biểu"
    for title in extra_sheets:
        wb.create_sheet(title)["F5"] = 5
    wb.save(path)
    return path


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def resolve_link(book, location: str):
    """The cell an internal hyperlink location ('Sheet name'!C5) points to."""
    sheet, coordinate = location.rsplit("!", 1)
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return book[sheet][coordinate]


def worksheet_xml(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]


@pytest.fixture
def raw(tmp_path):
    return tmp_path / "raw"


@pytest.fixture
def run_dir(tmp_path):
    return tmp_path / "run"


# ---- .xlsx: a marked-up copy


@pytest.fixture
def xlsx_feedback(raw, run_dir):
    source = plan_xlsx(raw / "Email 28-5" / "bieu xa thu.xlsx", extra_sheets=["O'Brien"])
    rel = "Email 28-5/bieu xa thu.xlsx"
    rows = [
        failure(rel, "D9", sheet="Phụ lục", value="7 hộ",
                message="Ô D9 (Số hộ nghèo): giá trị “7 hộ” không phải là số."),
        failure(rel, "D9", sheet="Phụ lục", rule="rate_matches_counts", severity="warning",
                message="Ô D9: tỷ lệ lệch."),
        failure(rel, "C12", sheet="Phụ lục", rule="total_row_matches_sum", severity="warning", value="1165", expected="1160"),
        failure(rel, "F5", sheet="O'Brien", rule="non_negative"),
        failure(rel, "C14", sheet="Phụ lục", rule="village_named"),
        failure(rel, rule="legacy_unit_name", severity="warning", message="Tên xã cũ."),
        failure(rel, sheet="Phụ lục", rule="required_columns", row=7, message="Bảng thiếu cột."),
    ]
    before = digests(raw)
    written = write_feedback(write_run(run_dir, rows), raw)
    return source, rows, written, before


def test_failing_cell_is_filled_and_carries_one_vietnamese_comment(xlsx_feedback):
    _, _, written, _ = xlsx_feedback
    assert [p.name for p in written] == ["05800_bieu xa thu.xlsx"]
    book = load_workbook(written[0])
    ws = book["Phụ lục"]
    d9 = ws["D9"]
    assert d9.value == "7 hộ"
    assert d9.fill.fgColor.rgb == RED  # an error and a warning on one cell: the worst wins
    assert d9.comment.author == "giamngheo"
    assert "không phải là số" in d9.comment.text and "tỷ lệ lệch" in d9.comment.text
    assert ws["C12"].fill.fgColor.rgb == AMBER
    assert book["O'Brien"]["F5"].fill.fgColor.rgb == RED
    assert ws["D8"].comment is None and ws["D8"].fill.fgColor.rgb != RED


def test_failure_in_a_merged_range_marks_its_top_left_cell(xlsx_feedback):
    _, _, written, _ = xlsx_feedback
    ws = load_workbook(written[0])["Phụ lục"]
    assert ws["B14"].fill.fgColor.rgb == RED and ws["B14"].comment is not None
    assert ws["B14"].value == "Người lập biểu"


def test_first_sheet_lists_every_failure_with_working_internal_links(xlsx_feedback):
    _, rows, written, _ = xlsx_feedback
    book = load_workbook(written[0])
    assert book.sheetnames[0] == LIST_SHEET and book.active.title == LIST_SHEET
    assert [ws.sheet_view.tabSelected for ws in book.worksheets] == [True, False, False]
    ws = book[LIST_SHEET]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == [
        "Trang tính", "Ô", "Quy tắc", "Mức độ", "Giá trị", "Giá trị mong đợi", "Thông báo",
    ]
    listed = list(ws.iter_rows(min_row=2))
    assert len(listed) == len(rows)
    assert sorted(r[6].value for r in listed) == sorted(r["message"] for r in rows)
    assert listed[0][2].value.startswith("legacy_unit_name")  # the file-level failure first, without a link
    assert listed[0][1].hyperlink is None
    links = {r[1].value: r[1].hyperlink for r in listed if r[1].hyperlink is not None}
    assert set(links) == {"D9", "C12", "F5", "C14", "dòng 7"}
    for cell_text, link in links.items():
        assert link.target is None  # inside the workbook, not an external relationship
        target = resolve_link(book, link.location)
        if cell_text != "dòng 7":
            assert target.fill.fgColor.rgb in (RED, AMBER)
    assert links["F5"].location == "'O''Brien'!F5"
    assert links["C14"].location == "'Phụ lục'!B14"
    assert links["dòng 7"].location == "'Phụ lục'!A7"


def test_the_original_workbook_is_never_modified(xlsx_feedback, raw):
    source, _, _, before = xlsx_feedback
    assert digests(raw) == before
    assert load_workbook(source)["Phụ lục"]["D9"].comment is None


def test_commune_formulas_stay_formulas_and_its_text_stays_text(xlsx_feedback):
    _, _, written, _ = xlsx_feedback
    ws = load_workbook(written[0])["Phụ lục"]
    assert ws["C12"].value == "=SUM(C2:C11)" and ws["C12"].data_type == "f"
    assert ws["E3"].value == EVIL and ws["E3"].data_type == "s"


def test_a_sheet_already_named_like_the_list_keeps_its_name(raw, run_dir):
    plan_xlsx(raw / "05800_xa_thu.xlsx", extra_sheets=[LIST_SHEET])
    written = write_feedback(write_run(run_dir, [failure("05800_xa_thu.xlsx", "F5", sheet=LIST_SHEET)]), raw)
    book = load_workbook(written[0])
    assert book.sheetnames[0] != LIST_SHEET and LIST_SHEET in book.sheetnames
    link = book.worksheets[0]["B2"].hyperlink
    assert resolve_link(book, link.location).fill.fgColor.rgb == RED


def repackaged(source: Path, dest: Path, content_type: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """`source` with its workbook part declared as `content_type` (and extra parts), saved as `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, data.replace(main, content_type) if name == "[Content_Types].xml" else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dest


def test_xlsm_is_copied_without_its_macros_as_xlsx(raw, run_dir, tmp_path):
    source = plan_xlsx(tmp_path / "plain.xlsx")
    macro = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    repackaged(source, raw / "05800_xa_thu.xlsm", macro, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})
    report = write_feedback_report(write_run(run_dir, [failure("05800_xa_thu.xlsm", "D9", sheet="Phụ lục")]), raw)
    assert report.problems == [] and report.written[0].name == "05800_05800_xa_thu.xlsx"
    assert report.copies == {"05800_xa_thu.xlsm": "feedback/05800_05800_xa_thu.xlsx"}
    with zipfile.ZipFile(report.written[0]) as zf:
        assert not any("vba" in n for n in zf.namelist())
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
    assert load_workbook(report.written[0])["Phụ lục"]["D9"].fill.fgColor.rgb == RED


def test_a_workbook_openpyxl_cannot_open_is_rendered_from_its_values(raw, run_dir, tmp_path):
    source = plan_xlsx(tmp_path / "plain.xlsx")
    odd = b"application/vnd.openxmlformats-officedocument.ms-excel.sheet.odd+xml"  # calamine reads it, openpyxl not
    repackaged(source, raw / "05800_xa_thu.xlsx", odd)
    report = write_feedback_report(write_run(run_dir, [failure("05800_xa_thu.xlsx", "D9", sheet="Phụ lục")]), raw)
    # written, as a rendition: a note, no problem (the run's summary said such copies "could not be made")
    assert "values rebuilt" in report.notes[0][1] and report.problems == []
    data = load_workbook(report.written[0])["Phụ lục"]
    assert (data["B2"].value, data["D9"].value) == ("Thôn 1", "7 hộ")
    assert data["D9"].fill.fgColor.rgb == RED
    assert data["E3"].value == EVIL and data["E3"].data_type == "s"


# ---- .csv and .xls: a rendition at the same addresses


def test_csv_gets_an_xlsx_rendition_with_values_at_the_same_addresses(raw, run_dir):
    raw.mkdir()
    text = 'STT;Tên thôn;Tổng số hộ;Số hộ nghèo\n1;Thôn Nà;120;7\n2;"=HYPERLINK(""http://evil"")";90;-5\n'
    (raw / "Bieu giam ngheo - Xa Yen Binh.csv").write_bytes(text.encode("utf-8"))
    rel = "Bieu giam ngheo - Xa Yen Binh.csv"
    rows = [
        failure(rel, "D3", value="-5", expected=">= 0", rule="non_negative"),
        failure(rel, "B3", value=EVIL, message=EVIL, rule="village_named"),
    ]
    written = write_feedback(write_run(run_dir, rows), raw)
    book = load_workbook(written[0])
    assert written[0].name == "05800_Bieu giam ngheo - Xa Yen Binh.xlsx"
    data = book.worksheets[1]
    assert [[c.value for c in r] for r in data.iter_rows()] == [
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo"],
        ["1", "Thôn Nà", "120", "7"],
        ["2", EVIL, "90", "-5"],
    ]
    assert data["D3"].fill.fgColor.rgb == RED and "non_negative" in data["D3"].comment.text
    # the hostile text stays text: in the copied cell and in the list of failures
    assert data["B3"].data_type == "s" and data["B3"].quotePrefix
    listed = [c for row in book[LIST_SHEET].iter_rows(min_row=2) for c in row if c.value == EVIL]
    assert len(listed) == 2 and all(c.data_type == "s" and c.quotePrefix for c in listed)
    assert all(b"<f>" not in xml for xml in worksheet_xml(written[0]))
    link = book[LIST_SHEET]["B2"].hyperlink
    assert resolve_link(book, link.location).coordinate == "B3"


def test_xls_gets_an_xlsx_rendition_with_values_at_the_same_addresses(raw, run_dir):
    xlwt = pytest.importorskip("xlwt")
    raw.mkdir()
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Biểu 01")
    ws.write(0, 0, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026")
    for c, label in enumerate(["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo"]):
        ws.write(2, c, label)
    ws.write(3, 0, 1), ws.write(3, 1, "Thôn Cốc"), ws.write(3, 2, 150), ws.write(3, 3, "7 hộ")
    ws.write(4, 0, 2), ws.write(4, 1, "Thôn Pò"), ws.write(4, 2, 80), ws.write(4, 3, 4)
    wb.save(str(raw / "02071_xa_nghia_ta.xls"))
    before = digests(raw)
    rows = [failure("02071_xa_nghia_ta.xls", "D4", sheet="Biểu 01", commune="02071", value="7 hộ")]
    written = write_feedback(write_run(run_dir, rows), raw)
    assert digests(raw) == before
    book = load_workbook(written[0])
    assert written[0].name == "02071_02071_xa_nghia_ta.xlsx"
    assert book.sheetnames == [LIST_SHEET, "Biểu 01"]
    data = book["Biểu 01"]
    assert data["A1"].value == "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"
    assert (data["B4"].value, data["C4"].value, data["D4"].value, data["C5"].value) == ("Thôn Cốc", 150, "7 hộ", 80)
    assert data["D4"].fill.fgColor.rgb == RED and data["D4"].comment.author == "giamngheo"


def test_a_csv_named_xlsx_is_rendered_by_its_content(raw, run_dir):
    raw.mkdir()
    (raw / "05800_xa_thu.xlsx").write_text("STT,Tên thôn,Tổng số hộ\n1,Thôn A,12\n", encoding="utf-8")
    written = write_feedback(write_run(run_dir, [failure("05800_xa_thu.xlsx", "C2")]), raw)
    data = load_workbook(written[0]).worksheets[1]
    assert data["C2"].value == "12" and data["C2"].fill.fgColor.rgb == RED


# ---- which files get a workbook


def test_unreadable_source_gets_a_workbook_with_the_list_only(raw, run_dir):
    raw.mkdir()
    (raw / "Bieu - Xa Lam Vy.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")
    rows = [failure("Bieu - Xa Lam Vy.xlsx", rule="readable", value="zip: File is not a zip file")]
    report = write_feedback_report(write_run(run_dir, rows), raw)
    book = load_workbook(report.written[0])
    assert book.sheetnames == [LIST_SHEET]
    assert book[LIST_SHEET]["C2"].value.startswith("readable") and book[LIST_SHEET].max_row == 2
    assert report.problems == []


def test_a_companion_document_asks_nothing_of_the_commune(raw, run_dir):
    """A signed scan or a cover letter beside the commune's spreadsheet (companion_document, a note to the province) got
    a feedback workbook tried from a PDF: every run's summary warned "không tạo được … feedback" (intake folder judge,
    Nghệ An). No workbook; a real failure of the same file still gets one."""
    raw.mkdir()
    (raw / "Cong van.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    rows = [failure("Cong van.pdf", rule="companion_document", severity="warning", value="Cong van.pdf")]
    report = write_feedback_report(write_run(run_dir, rows), raw)
    assert report.written == [] and report.problems == []
    rows.append(failure("Cong van.pdf", rule="readable", value="PDF"))
    assert len(write_feedback_report(write_run(run_dir, rows), raw).written) == 1


def test_failures_without_a_commune_get_no_workbook(raw, run_dir):
    plan_xlsx(raw / "PL chi tieu - gui So.xlsx")
    rows = [failure("PL chi tieu - gui So.xlsx", rule="commune_resolved", commune=None)]
    assert write_feedback(write_run(run_dir, rows), raw) == []
    assert not (run_dir / "feedback").exists() or not any((run_dir / "feedback").iterdir())


def test_one_broken_source_does_not_stop_the_others(raw, run_dir, monkeypatch):
    plan_xlsx(raw / "05800_a.xlsx")
    plan_xlsx(raw / "05801_b.xlsx")
    rows = [
        failure("05800_a.xlsx", "D9", sheet="Phụ lục"),
        failure("05801_b.xlsx", "D9", sheet="Phụ lục", commune="05801"),
    ]
    real = feedback.feedback_book

    def flaky(source_file, *args):
        if source_file == "05800_a.xlsx":
            raise RuntimeError("weird source")
        return real(source_file, *args)

    monkeypatch.setattr(feedback, "feedback_book", flaky)
    report = write_feedback_report(write_run(run_dir, rows), raw)
    assert [p.name for p in report.written] == ["05801_05801_b.xlsx"]
    # the exception's type and place, never its message (it may quote a cell)
    assert [(f, p.split(" at ")[0]) for f, p in report.problems] == [("05800_a.xlsx", "not written: RuntimeError")]
    assert "weird source" not in report.problems[0][1]


def test_sources_that_cannot_be_opened_safely_get_the_list_only(raw, tmp_path, run_dir):
    plan_xlsx(raw / "05800_changed.xlsx")
    plan_xlsx(tmp_path / "outside.xlsx")
    rows = [
        failure("05800_changed.xlsx", "D9", sheet="Phụ lục"),
        failure("../outside.xlsx", "D9", sheet="Phụ lục", commune="05801"),
        failure("missing.xlsx", "D9", sheet="Phụ lục", commune="05802"),
    ]
    manifest = {"files": [{"path": "05800_changed.xlsx", "sha256": "0" * 64}]}
    report = write_feedback_report(write_run(run_dir, rows, manifest), raw)
    assert len(report.written) == 3
    assert all(load_workbook(p).sheetnames == [LIST_SHEET] for p in report.written)
    problems = dict(report.problems)
    assert "changed since the run" in problems["05800_changed.xlsx"]
    assert "leaves the raw folder" in problems["../outside.xlsx"]
    assert "FileNotFoundError" in problems["missing.xlsx"]


def test_feedback_is_never_written_inside_the_raw_folder(raw):
    plan_xlsx(raw / "05800_a.xlsx")
    write_run(raw / "run", [failure("05800_a.xlsx", "D9", sheet="Phụ lục")])
    with pytest.raises(ValueError):
        write_feedback(raw / "run", raw)


# ---- names


@pytest.mark.parametrize(
    "source_file",
    [
        "Email 28-5/Xã Sảng Mộc - phân bổ chỉ tiêu.xlsx",
        unicodedata.normalize("NFD", "Phường Bắc Kạn.xlsx"),
        "-rf --help.csv",
        "../../etc/passwd",
        "..\\..\\windows\\x.xls",
        ".hidden.ods",
        "tab\there\nnew\x00line\u202egpj.xlsx",
        'a<b>c:d"e|f?g*h.xlsx',
        "Xã " + "Thượng Quan " * 40 + ".xlsx",
        "...",
        "CON.xlsx",
    ],
)
def test_feedback_names_are_safe(source_file):
    name = feedback_name("05800", source_file)
    assert name.startswith("05800_") and name.endswith(".xlsx")
    assert len(name) <= 120 and len(name.encode("utf-8")) <= 240
    assert not any(ch in name for ch in '/\\<>:"|?*')
    assert not any(unicodedata.category(ch).startswith("C") for ch in name)
    assert name == unicodedata.normalize("NFC", name)
    assert not name[len("05800_"):].startswith(("-", ".", " "))


def test_feedback_name_follows_the_contract():
    assert feedback_name("05800", "Email 28-5/bieu giam ngheo xa phu thinh.xlsx") == "05800_bieu giam ngheo xa phu thinh.xlsx"
    assert feedback_name("05800", "-leading.csv") == "05800_leading.xlsx"


def test_odd_source_names_are_written_under_distinct_safe_names(raw, run_dir):
    long_stem = "Xã " + "Thượng Quan " * 12  # 147 characters, 200 bytes: a name the disk accepts
    sources = ["tháng 5/-Xã  Bắc\u202e Quang.xlsx", "Zalo/-Xã  Bắc\u202e Quang.xlsx", f"{long_stem}.xlsx"]
    for rel in sources:
        plan_xlsx(raw / rel)
    rows = [failure(rel, "D9", sheet="Phụ lục") for rel in sources]
    written = write_feedback(write_run(run_dir, rows), raw)
    names = sorted(p.name for p in written)
    assert len(written) == 3 and len({n.casefold() for n in names}) == 3
    assert all(p.parent == run_dir / "feedback" and len(p.name) <= 120 for p in written)
    assert "05800_Xã Bắc Quang.xlsx" in names and "05800_Xã Bắc Quang (2).xlsx" in names
    assert all(load_workbook(p)["Phụ lục"]["D9"].fill.fgColor.rgb == RED for p in written)


# ---- safe_cells


@pytest.mark.parametrize("text", [EVIL, "+1", "-10", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_written_as_inert_text(tmp_path, text):
    wb = Workbook()
    write_text(wb.active["A1"], text)
    wb.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    # XML reads a stored CR back as LF; what matters is that the cell is text
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text.replace("\r", "\n"), "s", True)
    assert safe_text(text) == "'" + text


def test_plain_text_is_left_alone():
    wb = Workbook()
    cell = write_text(wb.active["A1"], "Thôn Nà\x01")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("Thôn Nà", "s", False)
    assert safe_text("Thôn 1") == "Thôn 1" and safe_text(5) == "5" and safe_text(None) == ""


@pytest.mark.parametrize("source_file, expected", [
    # the contract's <commune_code>_<source file stem>, also when the stem begins with the code (it was dropped there:
    # a program making the name from the contract found no file for most communes of a province that names files by code)
    ("05800_xa_phu_thinh.xlsx", "05800_05800_xa_phu_thinh.xlsx"),
    ("thang 5/05800 - xa phu thinh.xls", "05800_05800 - xa phu thinh.xlsx"),
    ("05800.xlsx", "05800_05800.xlsx"),
    ("058001_bieu.xlsx", "05800_058001_bieu.xlsx"),
])
def test_feedback_name_is_the_contracts(source_file, expected):
    assert feedback_name("05800", source_file) == expected


def test_a_source_too_large_to_copy_gets_the_list_only(raw, run_dir, monkeypatch):
    """A 31 MB CSV within every limit of the run took the flow process to 3.2 GB and 95 s to copy and mark in openpyxl
    (operations probe, 12-06): a source above MAX_COPY_BYTES gets the list of its failures, and the report says why."""
    raw.mkdir()
    path = raw / "05800_phu_thinh.csv"
    path.write_text(
        "STT;Tên thôn;Tổng số hộ\n" + "".join(f"{i};Thôn {i};{100 + i % 50}\n" for i in range(1, 400)), encoding="utf-8"
    )
    monkeypatch.setattr(feedback_source, "MAX_COPY_BYTES", path.stat().st_size - 1)
    report = write_feedback_report(write_run(run_dir, [failure("05800_phu_thinh.csv", "C9")]), raw)
    assert [load_workbook(p).sheetnames for p in report.written] == [[LIST_SHEET]]
    (note,) = report.notes
    assert note[0] == "05800_phu_thinh.csv" and "TooLargeToCopy" in note[1] and "copies are made of files up to" in note[1]


def test_the_provinces_targets_workbook_gets_no_feedback_copy():
    """A targets row's finding names its commune (commune_code): still no copy of the province's own workbook is made
    for a commune, as none was before."""
    import polars as pl

    from giamngheo.reports.feedback import _failures_by_file

    failures = pl.DataFrame([
        {"source_file": "chi_tieu_giao_2026.xlsx", "commune_code": "01843", "kind": "targets", "rule": "legacy_unit_name"},
        {"source_file": "05800_phu_thinh.xlsx", "commune_code": "05800", "kind": "plan", "rule": "poor_le_total"},
    ])
    assert [(f, c) for f, c, _ in _failures_by_file(failures)] == [("05800_phu_thinh.xlsx", "05800")]
