"""The zip checks that run before any parser: members read exactly, lies and damage refused,
and a sheet's extent measured against the limits whenever a reference could pass them."""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib

import pytest

from giamngheo.readers.container import SafeZip
from giamngheo.readers.grid import Limits, UnreadableFile
from giamngheo.readers.ods_inspect import widest_repeated_value
from giamngheo.readers.xlsx_inspect import inspect_sheet

MEMBERS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "xl/worksheets/sheet1.xml": b"<worksheet>" + b'<row r="1"><c r="A1"><v>1</v></c></row>' * 500 + b"</worksheet>",
    "docProps/app.xml": "<Properties>Xã Đồng Phúc</Properties>".encode(),
    "xl/media/image1.png": bytes(range(256)) * 4,
}


def _zip(members: dict[str, bytes], method: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _data_offset(data: bytes, name: str) -> tuple[int, zipfile.ZipInfo]:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len, info


def _read(data: bytes, name: str, limits: Limits = Limits()) -> bytes:
    szip = SafeZip(io.BytesIO(data), limits)
    try:
        return szip.read(name, xml=name.endswith(".xml"))
    finally:
        szip.close()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2])
def test_every_member_reads_back_as_written(method):
    data = _zip(MEMBERS, method)
    for name, written in MEMBERS.items():
        assert _read(data, name) == written


def test_a_member_that_expands_past_its_declared_size_is_a_zip_bomb():
    data = bytearray(_zip({"xl/worksheets/sheet1.xml": b"<worksheet/>" + b" " * 100_000}, zipfile.ZIP_DEFLATED))
    _, info = _data_offset(bytes(data), "xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 4096)  # the local header's size: not read
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 4096)  # the central directory's: the one readers trust
    with pytest.raises(UnreadableFile) as err:
        _read(bytes(data), "xl/worksheets/sheet1.xml")
    assert err.value.reason == "zip_bomb"


def test_changed_bytes_fail_the_crc():
    data = bytearray(_zip(MEMBERS, zipfile.ZIP_STORED))
    start, _ = _data_offset(bytes(data), "docProps/app.xml")
    data[start + 1] = ord("X")
    with pytest.raises(UnreadableFile) as err:
        _read(bytes(data), "docProps/app.xml")
    assert err.value.reason == "corrupt" and "CRC" in err.value.detail


def test_broken_deflate_and_a_renamed_local_header_are_corrupt():
    data = bytearray(_zip(MEMBERS, zipfile.ZIP_DEFLATED))
    start, _ = _data_offset(bytes(data), "xl/worksheets/sheet1.xml")
    data[start] = 0x07  # a reserved deflate block type
    with pytest.raises(UnreadableFile) as err:
        _read(bytes(data), "xl/worksheets/sheet1.xml")
    assert err.value.reason == "corrupt"

    data = bytearray(_zip(MEMBERS, zipfile.ZIP_DEFLATED))
    start, info = _data_offset(bytes(data), "docProps/app.xml")
    data[info.header_offset + 30] = ord("D")  # "DocProps/app.xml" in the local header only
    with pytest.raises(UnreadableFile) as err:
        _read(bytes(data), "docProps/app.xml")
    assert err.value.reason == "corrupt" and "differ" in err.value.detail


def test_a_dtd_is_refused_in_any_xml_member():
    data = _zip({"docProps/core.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'}, zipfile.ZIP_DEFLATED)
    with pytest.raises(UnreadableFile) as err:
        _read(data, "docProps/core.xml")
    assert err.value.reason == "xml_entities"


def _sheet(*refs: str) -> bytes:
    rows = "".join(f'<row r="{"".join(ch for ch in ref if ch.isdigit())}"><c r="{ref}"><v>1</v></c></row>' for ref in refs)
    return f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode()


@pytest.mark.parametrize(
    "refs, limits, refused",
    [
        (("A1", "K9999"), Limits(), None),
        (("A1", "K20000"), Limits(), None),
        (("A1", "K20001"), Limits(), "too_many_rows"),
        (("A1", "A000012"), Limits(max_rows=11), "too_many_rows"),  # leading zeros: still row 12
        (("A1", "SF3"), Limits(), None),  # column 500
        (("A1", "SA3"), Limits(), None),  # counted (S... may pass SF), and within the limit
        (("A1", "K29999"), Limits(), "too_many_rows"),
        (("A1", "SG3"), Limits(), "too_many_columns"),
        (("A1", "XFD1048576"), Limits(), "too_many_rows"),
        (("B2", "Z60"), Limits(max_rows=60, max_columns=26), None),
        (("B2", "AA60"), Limits(max_rows=60, max_columns=26), "too_many_columns"),
        (("B2", "Z61"), Limits(max_rows=60, max_columns=26), "too_many_rows"),
    ],
)
def test_a_sheet_past_the_limits_is_refused_before_calamine(refs, limits, refused):
    if refused is None:
        inspect_sheet("Phụ lục", "visible", _sheet(*refs), limits)
        return
    with pytest.raises(UnreadableFile) as err:
        inspect_sheet("Phụ lục", "visible", _sheet(*refs), limits)
    assert err.value.reason == refused


def test_a_sheet_well_within_the_limits_is_not_counted_cell_by_cell(monkeypatch):
    """A deprivation table of 30 columns reaches AD: its cells were all counted (two letters, as in SF), which
    doubled the file's reading. Only references that may pass a limit start the count."""
    from giamngheo.readers import xlsx_inspect

    def counted(data):
        raise AssertionError("counted")

    monkeypatch.setattr(xlsx_inspect, "_cells", counted)
    inspect_sheet("Thiếu hụt", "visible", _sheet("A1", "AD30", "RZ9999"), Limits())
    with pytest.raises(AssertionError):
        inspect_sheet("Thiếu hụt", "visible", _sheet("A1", "SA30"), Limits())


def test_zlib_inflate_matches_what_zipfile_reads_on_a_real_workbook(tmp_path):
    from samplegen.national import generate_national

    generate_national(tmp_path, seed=3, n_communes=6, missing_per_province=0)
    books = [p for p in tmp_path.rglob("*.xlsx")]
    assert books
    for path in books:
        szip = SafeZip(path, Limits())
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                assert szip.read(info.filename, xml=False) == zf.read(info.filename)
                assert zlib.crc32(szip.read(info.filename, xml=False)) == info.CRC
        szip.close()


# What widest_repeated_value answers, as the regex over every cell's tag it replaced read it
_CELL_TAGS = re.compile(rb"<table:table-cell\b([^>]*?table:number-columns-repeated\s*=\s*\"(\d{1,9})\"[^>]*?)(/?)>")


def _widest_by_regex(content: bytes) -> int:
    return max(
        [int(n) for attrs, n, closed in _CELL_TAGS.findall(content) if b"office:value-type" in attrs or not closed], default=0
    )


@pytest.mark.parametrize(
    "content, widest",
    [
        (b'<table:table-cell table:number-columns-repeated="1020"/>', 0),  # an empty cell to the sheet's end
        (b'<table:table-cell office:value-type="float" table:number-columns-repeated="600"/>', 600),
        (b'<table:table-cell table:number-columns-repeated="700"><text:p>x</text:p></table:table-cell>', 700),
        (b'<table:covered-table-cell table:number-columns-repeated="900">', 0),
        (b'<table:table-cellx table:number-columns-repeated="900">', 0),
        (b'<table:table-cell a="1"> table:number-columns-repeated="900"', 0),  # outside the tag
        (b'<table:table-cell table:number-columns-repeated="5" table:number-columns-repeated="800">', 5),
    ],
)
def test_a_value_repeated_across_columns_is_measured_in_its_cell_tag(content, widest):
    assert widest_repeated_value(content) == widest == _widest_by_regex(content)


def test_repeated_cells_are_measured_as_the_tag_regex_did_on_any_text():
    parts = [b"<table:table-cell", b"<table:table-cellx", b"<table:covered-table-cell", b' table:number-columns-repeated="', b'"',
             b"/>", b">", b"<", b"</table:table-cell>", b' office:value-type="float"', b"12", b"700", b"1234567890", b" = ",
             b"<text:p>x</text:p>", b' a="<"', b"/", b" ", b"table:number-columns-repeated", b"_", b"\xc3\xa1"]
    rnd = random.Random(8)
    for _ in range(20_000):
        content = b"".join(rnd.choice(parts) for _ in range(rnd.randint(1, 25)))
        assert widest_repeated_value(content) == _widest_by_regex(content), content


def _ods_table(name: str, rows: str) -> str:
    return f'<table:table table:name="{name}"><table:table-column table:number-columns-repeated="1024"/>{rows}</table:table>'


def _text_cell(text: str, attrs: str = "") -> str:
    return f'<table:table-cell{attrs} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def test_an_ods_sheets_merged_ranges_are_read_as_an_xlsx_gives_them():
    """calamine gives no merges for an .ods: they are read from the spans in content.xml, LibreOffice's repeats counted
    (an empty cell repeated, a covered cell repeated across a merge, rows repeated), each sheet its own."""
    empty2 = '<table:table-cell table:number-columns-repeated="2"/>'
    header = (
        '<table:table-row table:number-rows-repeated="3">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        + "<table:table-row>"
        + _text_cell("Thôn", ' table:number-rows-spanned="2" table:number-columns-spanned="1"')
        + empty2
        + _text_cell("Hộ nghèo", ' table:number-columns-spanned="3" table:number-rows-spanned="1"')
        + '<table:covered-table-cell table:number-columns-repeated="2"/>'
        + _text_cell("Ghi chú")
        + "</table:table-row><table:table-row><table:covered-table-cell/>"
        + empty2 + _text_cell("Số hộ") + _text_cell("Tỷ lệ") + _text_cell("Giảm") + "</table:table-row>"
    )
    second = ("<table:table-row>" + empty2 + _text_cell("Tổng", ' table:number-columns-spanned="2"')
              + "<table:covered-table-cell/></table:table-row>")
    content = (_ods_table("Phụ lục 01", header) + _ods_table("Tổng hợp &amp; ghi chú", second)).encode()
    from giamngheo.readers.ods_inspect import ods_merges

    assert ods_merges(content, 20_000, 500) == {"Phụ lục 01": [(3, 0, 4, 0), (3, 3, 3, 5)], "Tổng hợp & ghi chú": [(0, 2, 0, 3)]}
    # capped at the reader's limits, and nothing walked when no cell spans
    assert ods_merges(content, 4, 4) == {"Phụ lục 01": [(3, 0, 3, 0), (3, 3, 3, 3)], "Tổng hợp & ghi chú": [(0, 2, 0, 3)]}
    assert ods_merges(content.replace(b"-spanned=", b"-x="), 20_000, 500) == {}


def test_an_ods_span_over_cells_that_are_not_covered_is_no_merge():
    """A title cell claiming 99,999 columns and rows, with the table's own cells under it (a damaged or hostile file):
    no merge, where LibreOffice would have covered cells; the header's own spans are still read."""
    title = _text_cell("UBND XÃ ĐIỀM THỤY", ' table:number-columns-spanned="99999" table:number-rows-spanned="99999"')
    rows = (f"<table:table-row>{title}</table:table-row><table:table-row>"
            + _text_cell("Hộ nghèo", ' table:number-columns-spanned="2"') + "<table:covered-table-cell/>"
            + _text_cell("Ghi chú") + "</table:table-row>")
    from giamngheo.readers.ods_inspect import ods_merges

    assert ods_merges(_ods_table("Phụ lục", rows).encode(), 20_000, 500) == {"Phụ lục": [(1, 0, 1, 1)]}


def test_a_merged_range_over_the_tables_own_values_is_no_merge(tmp_path):
    """A title merged over the whole sheet (A1:SF20000) gave every column the title for a label, and the rates and
    targets of an otherwise sound annex were not read: such a range is dropped, the header's own merges kept."""
    from giamngheo.readers.excel import read_excel
    from samplegen.writers import Book, save_book

    book = Book()
    sheet = book.add("Phụ lục")
    sheet.set(1, 1, "UBND XÃ PHÚ THỊNH")
    sheet.merges.append((1, 1, 20000, 500))
    sheet.put_row(4, ["STT", "Tên thôn", "Hộ nghèo", None])
    sheet.put_row(5, [None, None, "Số hộ", "Tỷ lệ (%)"])
    sheet.put_row(6, [1, "Thôn 1", 10, 5.0])
    sheet.merge(4, 3, 4, 4)
    save_book(book, tmp_path / "bieu.xlsx", "xlsx")
    assert read_excel(tmp_path / "bieu.xlsx", "zip", Limits()).sheets[0].merged == [(3, 2, 3, 3)]
    from giamngheo.parse import parse_workbook

    (table,) = parse_workbook(tmp_path / "bieu.xlsx", Limits()).tables
    assert {"poor_households": 3, "poor_rate": 4}.items() <= table.columns.items()
