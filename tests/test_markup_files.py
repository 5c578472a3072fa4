"""Spreadsheets saved as markup, which Excel opens as workbooks and offices send as .xls: an HTML table (many
offices' software "exports to Excel" so) and Excel 2003's XML Spreadsheet. Both were refused before 2026-12-06
("not a spreadsheet (HTML)"; the XML read as a CSV of one column, no table found)."""

from __future__ import annotations

import time

import polars as pl

from benign.markup import write_html, write_spreadsheetml
from giamngheo.inspect import inspect_file
from test_benign import ROWS, assert_read

TITLE = ["UBND XÃ PHÚ THỊNH", "BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"]
HEADER = [[("STT", 1, 2), ("Tên thôn", 1, 2), ("Tổng số hộ", 1, 2), ("Thời điểm 31/12/2025", 2, 1)],
          [("Số hộ\nnghèo", 1, 1), ("Số hộ cận nghèo", 1, 1)]]
VILLAGE_ROWS = [r for r in ROWS[4:]]


def test_an_html_table_saved_as_xls(tmp_path):
    ins = inspect_file(write_html(tmp_path / "bieu giam ngheo.xls", TITLE, HEADER, VILLAGE_ROWS), province="19")
    assert_read(ins)
    assert ins.data.format == "html" and ins.data.tables[0].sheet == ""
    # rows as Excel lays the page out: two title lines, two header rows, the villages from row 5
    assert ins.villages["row"].to_list() == [5, 6]


def test_an_html_table_in_the_vietnamese_windows_code_page(tmp_path):
    ins = inspect_file(write_html(tmp_path / "bieu.xls", TITLE, HEADER, VILLAGE_ROWS, charset="windows-1258"), province="19")
    assert_read(ins)


def test_a_hidden_row_of_an_html_table_is_reported(tmp_path):
    ins = inspect_file(write_html(tmp_path / "bieu.xls", TITLE, HEADER, VILLAGE_ROWS, hidden_rows=(1,)), province="19")
    assert ins.failures.select("rule", "value").rows() == [("hidden_content", "6")]


def test_an_html_page_with_no_table_is_reported_not_read(tmp_path):
    page = tmp_path / "thong bao.xls"
    page.write_text("<html><body><p>UBND XÃ PHÚ THỊNH</p><p>Thông báo lịch họp</p></body></html>", encoding="utf-8")
    ins = inspect_file(page, province="19")
    assert ins.failures["rule"].to_list() == ["table_found"]


def test_an_html_table_past_the_limits_is_refused_at_once(tmp_path):
    wide = write_html(tmp_path / "rong.xls", TITLE, [[("STT", 100_000, 1)]], VILLAGE_ROWS)
    ins = inspect_file(wide, province="19")
    readable = ins.failures.filter(ins.failures["rule"] == "readable")["message"].to_list()
    assert len(readable) == 1 and "quá nhiều cột" in readable[0]
    tall = write_html(tmp_path / "dai.xls", TITLE, [[("STT", 1, 2_000_000_000), ("Tên thôn", 1, 2)]], VILLAGE_ROWS)
    started = time.perf_counter()
    inspect_file(tall, province="19")  # a rowspan of two billion rows allocates nothing
    assert time.perf_counter() - started < 2


def test_an_excel_2003_xml_spreadsheet(tmp_path):
    grid = [
        [TITLE[0]],
        [TITLE[1]],
        [],
        ["STT", "Tên thôn", "Tổng số hộ", "Thời điểm 31/12/2025"],
        [None, None, None, "Số hộ nghèo", "Số hộ cận nghèo"],
        *VILLAGE_ROWS,
    ]
    merged = {"Phụ lục": [(4, 1, 0, 1), (4, 2, 0, 1), (4, 3, 0, 1), (4, 4, 1, 0)]}
    ins = inspect_file(write_spreadsheetml(tmp_path / "bieu.xls", {"Ghi chú": [["Số liệu tạm tính"]], "Phụ lục": grid}, merged),
                       province="19")
    assert_read(ins)
    assert ins.data.format == "xml" and ins.data.tables[0].sheet == "Phụ lục"
    assert ins.villages["row"].to_list() == [6, 7]


def test_an_xml_spreadsheets_formula_without_its_value_and_a_dtd(tmp_path):
    grid = [[TITLE[0]], [TITLE[1]], [], list(ROWS[3]), *VILLAGE_ROWS]
    grid[5] = [*grid[5][:3], None, *grid[5][4:]]  # Thôn Đồng Tâm's poor: a formula Excel never calculated
    ins = inspect_file(write_spreadsheetml(tmp_path / "bieu.xls", {"Phụ lục": grid}, formulas={(6, 4): "=SUM(RC[1]:RC[2])"}),
                       province="19")
    assert [(f["rule"], f["cell"]) for f in ins.failures.to_dicts()] == [("formula_without_value", "D6")]
    refused = inspect_file(write_spreadsheetml(tmp_path / "dtd.xls", {"Phụ lục": grid}, dtd=True), province="19")
    readable = refused.failures.filter(refused.failures["rule"] == "readable")["message"].to_list()
    assert len(readable) == 1 and "DTD" in readable[0]


def test_an_xml_spreadsheets_odd_indexes_are_refused_or_bounded(tmp_path):
    grid = [[TITLE[0]], [TITLE[1]], [], list(ROWS[3]), *VILLAGE_ROWS]
    path = write_spreadsheetml(tmp_path / "bieu.xls", {"Phụ lục": grid})
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<Table>", '<Table><Column ss:Hidden="1" ss:Span="2000000000"/>'), encoding="utf-8")
    started = time.perf_counter()
    ins = inspect_file(path, province="19")  # a hidden column span of two billion: bounded by the column limit
    assert time.perf_counter() - started < 2 and ins.villages.height == 2
    path.write_text(text.replace('<Row ss:Index="5">', '<Row ss:Index="0">'), encoding="utf-8")
    readable = inspect_file(path, province="19").failures.filter(pl.col("rule") == "readable")["message"].to_list()
    assert len(readable) == 1 and "ss:Index=0" in readable[0]


# ---- as other software writes them, and past the limits (a probe of 86 files, 2026-12-06)

def _page(path, head: str = "", encoding: str = "utf-8", bom: bytes = b"") -> object:
    """The HTML page of `write_html`, with `head` before it (a comment, a <div>), in `encoding`."""
    page = write_html(path, TITLE, HEADER, VILLAGE_ROWS).read_text(encoding="utf-8")
    path.write_bytes(bom + (head + page).encode(encoding))
    return inspect_file(path, province="19")


def test_pages_as_other_software_begins_them(tmp_path):
    """A page that begins with a <div>, an <h3>, a long comment, or is in UTF-16 was read as a CSV (no table found)."""
    for name, head, encoding, bom in [
        ("div.xls", '<div align="center">', "utf-8", b""),
        ("h3.xls", "<h3>BIỂU 01</h3>", "utf-8", b""),
        ("comment.xls", "<!--" + "x" * 9000 + "-->", "utf-8", b""),
        ("utf16.xls", "", "utf-16-le", b"\xff\xfe"),
    ]:
        ins = _page(tmp_path / name, head, encoding, bom)
        assert_read(ins)


def test_excels_single_file_web_page(tmp_path):
    """"Single File Web Page" (.mht): the page quoted-printable in a MIME message."""
    import quopri

    page = write_html(tmp_path / "page.htm", TITLE, HEADER, VILLAGE_ROWS).read_bytes()
    mht = (
        b'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        b"------=_NextPart_01\r\nContent-Location: file:///C:/bieu.htm\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        b'Content-Type: text/html; charset="utf-8"\r\n\r\n' + quopri.encodestring(page) + b"\r\n------=_NextPart_01--\r\n"
    )
    (path := tmp_path / "bieu.mht").write_bytes(mht)
    assert_read(inspect_file(path, province="19"))


def test_an_xml_spreadsheet_without_its_declaration(tmp_path):
    path = write_spreadsheetml(tmp_path / "bieu.xls", {"Phụ lục": [[TITLE[0]], [TITLE[1]], [], list(ROWS[3]), *VILLAGE_ROWS]})
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    assert_read(inspect_file(path, province="19"))


def test_markup_past_the_limits_is_refused_fast(tmp_path):
    """Text of "<a " with no ">" (html.parser rescans it at every "<": 360 KB took twenty minutes), a page of loose
    text (one cell of 37 million characters, a minute), thousands of worksheets (400,000 held 2 GiB), colspan="inf"
    (was "damaged: OverflowError"; a browser takes 1)."""
    (unclosed := tmp_path / "a.xls").write_text(
        "<html><body><table><tr><td>x</td></tr></table>" + "<a " * 120_000, encoding="utf-8"
    )
    (loose := tmp_path / "loose.xls").write_text("<html><body>" + "Thôn Na Thành " * 5_000 + "</body></html>", encoding="utf-8")
    sheets = write_spreadsheetml(tmp_path / "many.xml", {f"S{i}": [["x"]] for i in range(2_100)})
    for path, said in [(unclosed, "quá dài"), (loose, "quá dài"), (sheets, "quá lớn")]:
        started = time.perf_counter()
        readable = inspect_file(path, province="19").failures.filter(pl.col("rule") == "readable")["message"].to_list()
        assert time.perf_counter() - started < 3 and len(readable) == 1 and said in readable[0], (path.name, readable)
    inf = _page(tmp_path / "inf.xls")
    path = tmp_path / "inf.xls"
    path.write_text(path.read_text(encoding="utf-8").replace('colspan="2"', 'colspan="inf"', 1), encoding="utf-8")
    assert inspect_file(path, province="19").villages.height == 2 and inf
