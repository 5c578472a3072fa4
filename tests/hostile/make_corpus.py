"""Generate the hostile corpus: broken, dangerous and oddly named commune files, one function per case.

    python tests/hostile/make_corpus.py DEST [--outside DIR]

Nothing here is committed as a binary: every file is written on the fly into DEST (the
`--raw` folder of a run). Each `case_*` function writes its file(s) and returns a `Case`:
the path(s) it wrote and what a run must report (`Expect`). Files are named with the
5-digit code of a commune of Thái Nguyên (19) that no good sample commune uses, so every
case owns one commune and can be checked on its own in one shared run.

Links (symlinks out of --raw) need a folder outside DEST: `--outside`, by default a
sibling `DEST.outside`.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

try:  # importable both as `hostile.make_corpus` (tests) and as a script
    from .xlsx import Formula, Shared, SheetSpec, workbook_parts, write_xlsx, write_zip
except ImportError:  # pragma: no cover - run as a script
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from hostile.xlsx import Formula, Shared, SheetSpec, workbook_parts, write_xlsx, write_zip

PROVINCE = "19"
HEADER = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm"]
HEADER_ROW = 5  # rows 1-3 title, 4 blank, 5 header, villages from 6
FIRST_ROW = HEADER_ROW + 1
# Limits the hostile run is started with (CLI parameters); the cases are built around them.
# Tighter than the defaults (50 MB, 20,000 rows, 500 columns, 60 s), so the cases also prove the options reach the readers.
LIMITS = {"max_file_mb": 20, "max_rows": 5000, "max_columns": 100, "file_timeout": 30}
CANARY = "GNX-CANARY-7f3a9c-secret"  # text outside --raw that must never reach an output
MARK = "GNX"  # every formula-injection payload carries it
INJECTION_NAMES = [
    '=HYPERLINK("http://evil.example/GNX","Thôn 1")',
    "+GNX Thôn 2",
    "-GNX Thôn 3",
    "@GNX Thôn 4",
    "\tGNX Thôn 5",
    "\rGNX Thôn 6",
]
HTML_PAYLOAD = "<script>alert('GNX')</script>"


@dataclass(frozen=True)
class Expect:
    rule: str | None  # the failure the run must report for the file (None: none at all)
    severity: str | None = None
    alt_rules: tuple[str, ...] = ()  # other rule ids that would say the same thing just as well
    reasons: tuple[str, ...] = ()  # acceptable sub-reasons of `readable` (READABLE_REASONS keys)
    commune: str | None = None  # the commune the file is about
    status: str | None = "rejected"  # commune status in communes.parquet; None: the commune must be absent
    cell: str | None = None  # A1 cell the failure must point at
    villages: list[tuple] | None = None  # accepted: (name, total, poor, near, poor cut, near cut) read from the file
    source: str | None = None  # the rel path under --raw the failure (and villages) must name
    in_manifest: bool = True  # listed under manifest "files" (links are listed under "skipped" instead)


@dataclass(frozen=True)
class Case:
    name: str
    paths: tuple[Path, ...]
    expect: Expect
    options: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- building blocks


def villages_for(code: str, n: int = 6, shift: int = 0) -> list[tuple]:
    """Deterministic, valid village rows for a commune: (name, total, poor, near, poor cut, near cut)."""
    k = int(code) % 7 + shift
    return [(f"Thôn {i + 1}", 100 + 10 * i + k, 5 + i, 3 + i, 1, 1) for i in range(n)]


def plan_rows(commune_title: str, villages: list[tuple], date: str = "ngày 20 tháng 5 năm 2026") -> list[list]:
    """A plain plan annex: title lines, one header row, one row per village."""
    rows: list[list] = [
        [f"ỦY BAN NHÂN DÂN {commune_title.upper()}"],
        ["KẾ HOẠCH PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [date],
        [],
        list(HEADER),
    ]
    for i, v in enumerate(villages, start=1):
        rows.append([i, *v])
    return rows


def plan_book(path: Path, commune_title: str, villages: list[tuple], sheet: str = "Phụ lục", **spec) -> Path:
    return write_xlsx(path, [SheetSpec(sheet, plan_rows(commune_title, villages), **spec)])


def plan_bytes(tmp: Path, commune_title: str, villages: list[tuple]) -> bytes:
    plan_book(tmp, commune_title, villages)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def _kept(rule: str, code: str, villages: list[tuple]) -> Expect:
    """A warning: the commune is accepted with every village of the file."""
    return Expect(rule, "warning", commune=code, status="accepted", villages=villages)


def _readable(code: str, *reasons: str, **kw) -> Expect:
    return Expect("readable", "error", reasons=reasons, commune=code, **kw)


# ---------------------------------------------------------------------------------------------- not a spreadsheet


def case_pdf_renamed(dest: Path) -> Case:
    """A PDF saved with an .xlsx name."""
    path = dest / "01864_xa_bang_thanh.xlsx"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return Case("pdf_renamed", (path,), _readable("01864", "not_spreadsheet"))


def case_docx_renamed(dest: Path) -> Case:
    """A Word document (.docx) renamed .xlsx: a valid OOXML zip, but not a workbook."""
    path = dest / "01906_xa_ba_be.xlsx"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Kế hoạch giảm nghèo năm 2026 - Xã Ba Bể</w:t></w:r></w:p></w:body></w:document>"
    )
    write_zip(path, {"[Content_Types].xml": types.encode(), "_rels/.rels": rels.encode(), "word/document.xml": doc.encode()})
    return Case("docx_renamed", (path,), _readable("01906", "not_spreadsheet"))


def case_empty_file(dest: Path) -> Case:
    path = dest / "01957_xa_thuong_quan.xlsx"
    path.write_bytes(b"")
    return Case("empty_file", (path,), _readable("01957", "empty"))


# ---------------------------------------------------------------------------------------------- damaged zips


def case_truncated_zip(dest: Path) -> Case:
    """A workbook cut in half (an interrupted download): no central directory."""
    path = dest / "05740_xa_la_hien.xlsx"
    data = plan_bytes(dest / ".tmp-truncated.xlsx", "Xã La Hiên", villages_for("05740"))
    path.write_bytes(data[: len(data) // 2])
    return Case("truncated_zip", (path,), _readable("05740", "corrupt"))


def _member_data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's compressed bytes start (after its local header)."""
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


def case_corrupt_deflate(dest: Path) -> Case:
    """A workbook whose sheet's compressed stream is garbage (invalid deflate block type)."""
    path = dest / "01840_phuong_duc_xuan.xlsx"
    plan_book(path, "Phường Đức Xuân", villages_for("01840"))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = _member_data_offset(bytes(data), info)
    data[start] = 0x07  # BFINAL=1, BTYPE=11: a reserved block type, so inflate fails at once
    path.write_bytes(bytes(data))
    return Case("corrupt_deflate", (path,), _readable("01840", "corrupt"))


def case_crc_mismatch(dest: Path) -> Case:
    """A stored (uncompressed) sheet whose bytes were changed after the CRC was written."""
    path = dest / "05845_xa_van_phu.xlsx"
    parts = workbook_parts([SheetSpec("Phụ lục", plan_rows("Xã Vạn Phú", villages_for("05845")))])
    write_zip(path, parts, compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = _member_data_offset(bytes(data), info)
    body = bytes(data[start : start + info.compress_size])
    at = body.index(b"<v>1") + 3  # a number cell: 1xx -> 9xx keeps the XML well formed
    data[start + at] = ord("9")
    path.write_bytes(bytes(data))
    return Case("crc_mismatch", (path,), _readable("05845", "corrupt"))


def case_empty_zip(dest: Path) -> Case:
    """A zip archive with no member at all, named .xlsx."""
    path = dest / "01843_phuong_bac_kan.xlsx"
    with zipfile.ZipFile(path, "w"):
        pass
    return Case("empty_zip", (path,), _readable("01843", "no_sheets", "not_spreadsheet", "corrupt"))


def case_no_sheets(dest: Path) -> Case:
    """A well-formed workbook whose <sheets> list is empty."""
    path = dest / "01849_xa_phong_quang.xlsx"
    parts = workbook_parts([SheetSpec("Phụ lục", plan_rows("Xã Phong Quang", villages_for("01849")))])
    parts["xl/workbook.xml"] = re_sub_sheets(parts["xl/workbook.xml"])
    del parts["xl/worksheets/sheet1.xml"]
    write_zip(path, parts)
    return Case("no_sheets", (path,), _readable("01849", "no_sheets"))


def re_sub_sheets(workbook: bytes) -> bytes:
    start, end = workbook.index(b"<sheets>"), workbook.index(b"</sheets>") + len(b"</sheets>")
    return workbook[:start] + b"<sheets/>" + workbook[end:]


def case_only_empty_sheets(dest: Path) -> Case:
    path = dest / "01879_xa_cao_minh.xlsx"
    write_xlsx(path, [SheetSpec("Sheet1", []), SheetSpec("Sheet2", []), SheetSpec("Sheet3", [[None, None]])])
    return Case("only_empty_sheets", (path,), _readable("01879", "no_sheets"))


# ---------------------------------------------------------------------------------------------- encrypted


def case_encrypted(dest: Path) -> Case:
    """A valid workbook saved with a password (ECMA-376 agile encryption, as Excel does)."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    path = dest / "01882_xa_nghien_loan.xlsx"
    plain = plan_bytes(dest / ".tmp-encrypted.xlsx", "Xã Nghiên Loan", villages_for("01882"))
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("matkhau123", out)
    path.write_bytes(out.getvalue())
    return Case("encrypted", (path,), _readable("01882", "encrypted"))


# ---------------------------------------------------------------------------------------------- XML attacks

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    + "]>\n"
)


def _with_entity_ref(parts: dict[str, bytes], member: str, placeholder: str, ref: str) -> dict[str, bytes]:
    parts[member] = parts[member].replace(placeholder.encode(), ref.encode())
    return parts


def case_xml_bomb(dest: Path) -> Case:
    """Billion laughs in sheet1.xml: 10^9 'lol's if an XML parser expanded &lol9;."""
    path = dest / "01894_xa_phuc_loc.xlsx"
    rows = plan_rows("Xã Phúc Lộc", villages_for("01894"))
    rows[FIRST_ROW - 1][1] = "ENTITYREF"
    parts = workbook_parts([SheetSpec("Phụ lục", rows, prolog=BILLION_LAUGHS)])
    write_zip(path, _with_entity_ref(parts, "xl/worksheets/sheet1.xml", "ENTITYREF", "&lol9;"))
    return Case("xml_bomb", (path,), _readable("01894", "xml_entities"))


def case_xxe_shared_strings(dest: Path, outside: Path) -> Case:
    """An external entity in sharedStrings.xml pointing at a secret file outside --raw."""
    path = dest / "01912_xa_cho_ra.xlsx"
    secret = outside / "secret.txt"
    secret.write_text(CANARY, encoding="utf-8")
    villages = villages_for("01912")
    rows = plan_rows("Xã Chợ Rã", villages)
    rows[FIRST_ROW - 1][1] = Shared("ENTITYREF")
    prolog = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    parts = workbook_parts([SheetSpec("Phụ lục", rows)], sst_prolog=prolog)
    write_zip(path, _with_entity_ref(parts, "xl/sharedStrings.xml", "ENTITYREF", "&xxe;"))
    return Case("xxe_shared_strings", (path,), _readable("01912", "xml_entities"))


def case_xml_bomb_padded(dest: Path) -> Case:
    """Billion laughs whose DTD sits after 70 KB of comment in the prolog (past any 'look at the head' check)."""
    path = dest / "01921_xa_thuong_minh.xlsx"
    rows = plan_rows("Xã Thượng Minh", villages_for("01921"))
    rows[FIRST_ROW - 1][1] = "ENTITYREF"
    padding = "<!--" + "giam ngheo " * 7000 + "-->\n"
    parts = workbook_parts([SheetSpec("Phụ lục", rows, prolog=padding + BILLION_LAUGHS)])
    write_zip(path, _with_entity_ref(parts, "xl/worksheets/sheet1.xml", "ENTITYREF", "&lol9;"))
    return Case("xml_bomb_padded", (path,), _readable("01921", "xml_entities"))


def case_xml_bomb_utf16(dest: Path) -> Case:
    """Billion laughs in a sheet part encoded in UTF-16 (legal XML): byte patterns for "<!DOCTYPE" do not see it."""
    path = dest / "05602_xa_phu_dinh.xlsx"
    rows = plan_rows("Xã Phú Đình", villages_for("05602"))
    rows[FIRST_ROW - 1][1] = "ENTITYREF"
    parts = workbook_parts([SheetSpec("Phụ lục", rows, prolog=BILLION_LAUGHS)])
    parts = _with_entity_ref(parts, "xl/worksheets/sheet1.xml", "ENTITYREF", "&lol9;")
    text = parts["xl/worksheets/sheet1.xml"].decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parts["xl/worksheets/sheet1.xml"] = text.encode("utf-16")  # with its byte-order mark
    write_zip(path, parts)
    return Case("xml_bomb_utf16", (path,), _readable("05602", "xml_entities"))


def case_dtd_padded_unused(dest: Path) -> Case:
    """A billion-laughs DTD past 70 KB of comment, declared but not referenced: still refused, not read."""
    path = dest / "05881_xa_thanh_cong.xlsx"
    padding = "<!--" + "giam ngheo " * 7000 + "-->\n"
    rows = plan_rows("Xã Thành Công", villages_for("05881"))
    write_xlsx(path, [SheetSpec("Phụ lục", rows, prolog=padding + BILLION_LAUGHS)])
    return Case("dtd_padded_unused", (path,), _readable("05881", "xml_entities"))


# ---------------------------------------------------------------------------------------------- zip bombs


def _deflate_zeros(total: int, chunk: int = 1 << 24) -> tuple[bytes, int]:
    """A raw deflate stream of `total` zero bytes and its CRC-32, built from one compressed chunk.

    After a full flush the compressor starts afresh, so every 16 MB chunk of zeros
    compresses to the same bytes: compress once, repeat (1 GB in well under a second).
    """
    assert total % chunk == 0
    zeros = bytes(chunk)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    steady = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    n = total // chunk
    stream = first + steady * (n - 1) + tail
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(zeros, crc)
    return stream, crc


def write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int, int]]) -> Path:
    """A zip from (name, stored bytes, method, crc, declared uncompressed size, declared compressed size).

    The sizes are written as given, so a member can lie about what it expands to.
    """
    local, central = bytearray(), bytearray()
    for name, data, method, crc, usize, csize in members:
        raw_name = name.encode("utf-8")
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, method, 0, 0x21, crc, csize, usize, len(raw_name), 0)
        local += raw_name + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, method, 0, 0x21, crc, csize, usize, len(raw_name),
            0, 0, 0, 0, 0, offset,
        )
        central += raw_name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _bomb_members(code: str, title: str, sheet_size: int, declared: int | None) -> list:
    """A real workbook whose sheet1.xml is replaced by `sheet_size` zero bytes (declared as `declared`)."""
    parts = workbook_parts([SheetSpec("Phụ lục", plan_rows(title, villages_for(code)))])
    stream, crc = _deflate_zeros(sheet_size)
    members = []
    for name, data in parts.items():
        if name == "xl/worksheets/sheet1.xml":
            members.append((name, stream, 8, crc, declared if declared is not None else sheet_size, len(stream)))
        else:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = comp.compress(data) + comp.flush()
            members.append((name, packed, 8, zlib.crc32(data), len(data), len(packed)))
    order = {"[Content_Types].xml": 0, "_rels/.rels": 1}
    return sorted(members, key=lambda m: order.get(m[0], 2))


def case_zip_bomb(dest: Path) -> Case:
    """1 GiB of zeros in sheet1.xml, about 1 MB on disk (honest headers)."""
    path = dest / "01933_xa_dong_phuc.xlsx"
    write_raw_zip(path, _bomb_members("01933", "Xã Đồng Phúc", 1 << 30, None))
    return Case("zip_bomb", (path,), _readable("01933", "zip_bomb"))


def case_zip_bomb_lying_header(dest: Path) -> Case:
    """256 MiB of zeros whose headers claim 4 KB: only a bounded streaming read notices."""
    path = dest / "01936_xa_na_phac.xlsx"
    write_raw_zip(path, _bomb_members("01936", "Xã Nà Phặc", 1 << 28, 4096))
    return Case("zip_bomb_lying_header", (path,), _readable("01936", "zip_bomb", "corrupt"))


def case_zip_many_entries(dest: Path) -> Case:
    """A workbook padded with 5,000 tiny members (an entry-count bomb)."""
    path = dest / "01942_xa_bang_van.xlsx"
    parts = workbook_parts([SheetSpec("Phụ lục", plan_rows("Xã Bằng Vân", villages_for("01942")))])
    for i in range(5000):
        parts[f"xl/media/pad{i}.bin"] = b"x"
    write_zip(path, parts, compression=zipfile.ZIP_STORED)
    return Case("zip_many_entries", (path,), _readable("01942", "zip_bomb"))


# ---------------------------------------------------------------------------------------------- size limits


def case_million_rows(dest: Path) -> Case:
    """A sheet of 1,000,000 rows (a plan table on top, then a column of numbers to the bottom)."""
    path = dest / "01954_xa_ngan_son.xlsx"
    rows = plan_rows("Xã Ngân Sơn", villages_for("01954"))
    start = len(rows) + 1
    extra = "".join(f'<row r="{r}"><c r="H{r}"><v>{r}</v></c></row>' for r in range(start, 1_000_001))
    parts = workbook_parts([SheetSpec("Phụ lục", rows, extra_cells=extra, dimension="A1:H1000000")])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in ["[Content_Types].xml", "_rels/.rels", *[n for n in parts if not n.startswith(("[", "_rels/.rels"))]]:
            zf.writestr(name, parts[name])
    return Case("million_rows", (path,), _readable("01954", "too_many_rows"))


def case_far_row(dest: Path) -> Case:
    """A small table plus one cell on the last row Excel has (A1048576)."""
    path = dest / "01960_xa_hiep_luc.xlsx"
    extra = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>cuối</t></is></c></row>'
    plan_book(path, "Xã Hiệp Lực", villages_for("01960"), extra_cells=extra)
    return Case("far_row", (path,), _readable("01960", "too_many_rows"))


def case_xfd_column(dest: Path) -> Case:
    """A small table plus one cell in the last column Excel has (XFD, column 16,384)."""
    path = dest / "01969_xa_phu_thong.xlsx"
    extra = '<row r="20"><c r="XFD20"><v>1</v></c></row>'
    plan_book(path, "Xã Phủ Thông", villages_for("01969"), extra_cells=extra)
    return Case("xfd_column", (path,), _readable("01969", "too_many_columns"))


def case_rows_over_cli_limit(dest: Path) -> Case:
    """6,000 rows: fine by default (20,000), refused under --max-rows 5000."""
    path = dest / "05605_xa_binh_thanh.xlsx"
    rows = plan_rows("Xã Bình Thành", villages_for("05605"))
    extra = "".join(f'<row r="{r}"><c r="H{r}"><v>{r}</v></c></row>' for r in range(len(rows) + 1, 6001))
    plan_book(path, "Xã Bình Thành", villages_for("05605"), extra_cells=extra)
    return Case("rows_over_cli_limit", (path,), _readable("05605", "too_many_rows"))


def case_columns_over_cli_limit(dest: Path) -> Case:
    """A note in column EU (151): fine by default (500 columns), refused under --max-columns 100."""
    path = dest / "05611_xa_phu_luong.xlsx"
    extra = '<row r="20"><c r="EU20" t="inlineStr"><is><t>ghi chú</t></is></c></row>'
    plan_book(path, "Xã Phú Lương", villages_for("05611"), extra_cells=extra)
    return Case("columns_over_cli_limit", (path,), _readable("05611", "too_many_columns"))


def case_huge_cell(dest: Path) -> Case:
    """A village name of 4 MB of (incompressible) text in sharedStrings.xml."""
    path = dest / "01981_xa_vinh_thong.xlsx"
    rows = plan_rows("Xã Vĩnh Thông", villages_for("01981"))
    text = base64.b64encode(random.Random(1981).randbytes(3 * (1 << 20))).decode("ascii")
    rows[FIRST_ROW][1] = Shared(text)
    write_xlsx(path, [SheetSpec("Phụ lục", rows)])
    return Case("huge_cell", (path,), _readable("01981", "cell_too_long"))


def case_too_large(dest: Path) -> Case:
    """A valid workbook padded (sparsely) to 21 MB, over --max-file-mb 20."""
    path = dest / "02008_xa_cam_giang.xlsx"
    plan_book(path, "Xã Cẩm Giàng", villages_for("02008"))
    with path.open("r+b") as fh:
        fh.truncate(21 * 1024 * 1024)
    return Case("too_large", (path,), _readable("02008", "too_large"))


# ---------------------------------------------------------------------------------------------- workers


ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" \
office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Phụ lục">
<table:table-row><table:table-cell office:value-type="string"><text:p>ỦY BAN NHÂN DÂN XÃ CHỢ ĐỒN</text:p>\
</table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cols}" \
office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""


def case_worker_crash(dest: Path) -> Case:
    """An .ods of 2 KB whose repeated rows and columns ask the reader for 50 million cells (GBs of memory).

    python-calamine expands the repeats: under the worker's memory limit the allocation
    fails and the Rust reader aborts the process. The crash must stay with this file.
    """
    path = dest / "02020_xa_cho_don.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        zf.writestr("content.xml", ODS_CONTENT.format(rows=50_000, cols=1_000))
    return Case("worker_crash", (path,), _readable("02020", "crashed", "memory", "too_many_rows", "too_many_columns"))


def case_slow_regex(dest: Path) -> Case:
    """A sheet of 120,000 unclosed <c> tags and a formula: hangs a backtracking scan (run it with a short --file-timeout)."""
    path = dest / "05443_phuong_phan_dinh_phung.xlsx"
    parts = workbook_parts([SheetSpec("Phụ lục", plan_rows("Phường Phan Đình Phùng", villages_for("05443")))])
    body = b'<c r="B7" t="n">' * 120_000 + b"<f>1</f>"
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", b'<row r="30">' + body + b"</row></sheetData>")
    write_zip(path, parts, compression=zipfile.ZIP_STORED)  # stored: the zip-bomb ratio check must not catch it first
    return Case("slow_regex", (path,), _readable("05443", "timeout", "corrupt"))


# ---------------------------------------------------------------------------------------------- content


def case_formula_without_value(dest: Path) -> Case:
    """D8 holds =D7+1 with no cached value (a file written by a program, never opened in Excel)."""
    path = dest / "02014_xa_bach_thong.xlsx"
    villages = villages_for("02014")
    rows = plan_rows("Xã Bạch Thông", villages)
    rows[7][3] = Formula("D7+1")  # row 8, column D (poor households)
    write_xlsx(path, [SheetSpec("Phụ lục", rows)])
    return Case("formula_without_value", (path,), Expect("formula_without_value", "error", commune="02014", cell="D8"))


def case_formula_text_csv(dest: Path) -> Case:
    """A CSV export that kept a formula as text: D8 reads "=D7+1" (no number anywhere)."""
    import csv

    path = dest / "05455_phuong_quyet_thang.csv"
    rows = plan_rows("Phường Quyết Thắng", villages_for("05455"))
    rows[7][3] = "=D7+1"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in r] for r in rows])
    expect = Expect("formula_without_value", "error", alt_rules=("numeric",), commune="05455", cell="D8")
    return Case("formula_text_csv", (path,), expect)


def case_formula_text_cell(dest: Path) -> Case:
    """An .xlsx whose D8 is a text cell "=D7+1" (a formula typed into a text-formatted cell)."""
    path = dest / "05467_phuong_gia_sang.xlsx"
    rows = plan_rows("Phường Gia Sàng", villages_for("05467"))
    rows[7][3] = "=D7+1"
    write_xlsx(path, [SheetSpec("Phụ lục", rows)])
    expect = Expect("formula_without_value", "error", alt_rules=("numeric",), commune="05467", cell="D8")
    return Case("formula_text_cell", (path,), expect)


def case_hidden_sheet(dest: Path) -> Case:
    """The plan table is on a hidden sheet; a visible cover sheet holds only a note."""
    path = dest / "02038_xa_quang_bach.xlsx"
    villages = villages_for("02038")
    cover = SheetSpec("Bìa", [["Kế hoạch giảm nghèo năm 2026, xem phụ lục"]])
    write_xlsx(path, [cover, SheetSpec("Phụ lục", plan_rows("Xã Quảng Bạch", villages), state="hidden")])
    return Case("hidden_sheet", (path,), _kept("hidden_content", "02038", villages))


def case_hidden_rows(dest: Path) -> Case:
    """Rows 7 and 9 (two villages) hidden: still read and counted."""
    path = dest / "02044_xa_yen_thinh.xlsx"
    villages = villages_for("02044")
    plan_book(path, "Xã Yên Thịnh", villages, hidden_rows={7, 9})
    return Case("hidden_rows", (path,), _kept("hidden_content", "02044", villages))


def case_hidden_columns(dest: Path) -> Case:
    """Column E (near-poor households) hidden: still read."""
    path = dest / "02071_xa_nghia_ta.xlsx"
    villages = villages_for("02071")
    plan_book(path, "Xã Nghĩa Tá", villages, hidden_cols={5})
    return Case("hidden_columns", (path,), _kept("hidden_content", "02071", villages))


def case_filtered_rows(dest: Path) -> Case:
    """An autofilter on the table hides two villages: they are read and flagged."""
    path = dest / "02086_xa_cho_moi.xlsx"
    villages = villages_for("02086")
    last = FIRST_ROW + len(villages) - 1
    plan_book(path, "Xã Chợ Mới", villages, hidden_rows={8, 10}, autofilter=f"A{HEADER_ROW}:G{last}")
    return Case("filtered_rows", (path,), _kept("hidden_content", "02086", villages))


def case_superseded(dest: Path) -> Case:
    """Two plans of one commune: the one dated 10 May (and older on disk) gives way to the one of 25 May."""
    old = dest / "02101_xa_thanh_mai_ban_cu.xlsx"
    new = dest / "02101_xa_thanh_mai.xlsx"
    older = plan_rows("Xã Thanh Mai", villages_for("02101", shift=40), "ngày 10 tháng 5 năm 2026")
    write_xlsx(old, [SheetSpec("Phụ lục", older)])
    villages = villages_for("02101")
    write_xlsx(new, [SheetSpec("Phụ lục", plan_rows("Xã Thanh Mai", villages, "ngày 25 tháng 5 năm 2026"))])
    os.utime(old, (1_770_000_000, 1_770_000_000))
    os.utime(new, (1_780_000_000, 1_780_000_000))
    expect = Expect("superseded_submission", "warning", commune="02101", status="accepted", villages=villages,
                    source=old.name)
    return Case("superseded", (old, new), expect)


def case_wrong_province(dest: Path) -> Case:
    """A plan of Phường Hà Giang 2 (Tuyên Quang, 08) in a run of Thái Nguyên (19)."""
    path = dest / "00691_phuong_ha_giang_2.xlsx"
    plan_book(path, "Phường Hà Giang 2", villages_for("00691"))
    return Case("wrong_province", (path,), Expect("wrong_province", "error", commune=None, status=None))


def case_injection_rejected(dest: Path) -> Case:
    """Formula-like text in the file name, the sheet name, village names and count cells (rule numeric at D7)."""
    path = dest / "=1+2 GNX 02026 xa nam cuong.xlsx"
    villages = villages_for("02026")
    rows = plan_rows("Xã Nam Cường", villages)
    for i, name in enumerate(INJECTION_NAMES):
        rows[FIRST_ROW - 1 + i][1] = name
    rows[FIRST_ROW - 1][2] = "=1+2+GNX"  # a count typed as a formula-looking text
    rows[FIRST_ROW][3] = "@SUM(GNX)"
    write_xlsx(path, [SheetSpec("=SUM(GNX)", rows)])
    return Case("injection_rejected", (path,), Expect("numeric", "error", commune="02026", cell="D7"))


def case_injection_accepted(dest: Path) -> Case:
    """An accepted commune whose village names and file name look like formulas (and one like HTML)."""
    path = dest / "+GNX 02104 xa tan ky.xlsx"
    base = villages_for("02104", n=7)
    names = [*INJECTION_NAMES, HTML_PAYLOAD]
    villages = [(names[i], *v[1:]) for i, v in enumerate(base)]
    write_xlsx(path, [SheetSpec("-GNX", plan_rows("Xã Tân Kỳ", villages))])
    # names with a leading tab/CR come out trimmed
    read = [(" ".join(v[0].split()), *v[1:]) for v in villages]
    return Case("injection_accepted", (path,), Expect(None, commune="02104", status="accepted", villages=read))


# ---------------------------------------------------------------------------------------------- file names


def _odd_name(dest: Path, case: str, name: str, code: str, title: str) -> Case:
    path = dest / name
    villages = villages_for(code)
    plan_book(path, title, villages)
    return Case(case, (path,), Expect(None, commune=code, status="accepted", villages=villages, source=name))


def case_nfd_name(dest: Path) -> Case:
    """A name in decomposed Unicode (NFD, as macOS writes it); the commune is named in the title."""
    name = unicodedata.normalize("NFD", "Xã Thanh Thịnh - phân bổ chỉ tiêu.xlsx")
    return _odd_name(dest, "nfd_name", name, "02107", "Xã Thanh Thịnh")


def case_spaces_name(dest: Path) -> Case:
    return _odd_name(dest, "spaces_name", "  02116   xa yen binh  .xlsx", "02116", "Xã Yên Bình")


def case_long_name(dest: Path) -> Case:
    """A 200-character name."""
    name = "02143_xa_van_lang_" + "ke_hoach_giam_ngheo_" * 9 + "ban_cuoi.xlsx"
    return _odd_name(dest, "long_name", name[:195] + ".xlsx", "02143", "Xã Văn Lang")


def case_dash_name(dest: Path) -> Case:
    """A name that reads as an option to a shell command."""
    return _odd_name(dest, "dash_name", "-rf.xlsx", "02152", "Xã Cường Lợi")


def case_newline_name(dest: Path) -> Case:
    """A name with a line break in it (allowed on Linux)."""
    return _odd_name(dest, "newline_name", "02155 xa na ri\nban gui lai.xlsx", "02155", "Xã Na Rì")


def case_subfolder_name(dest: Path) -> Case:
    """A file two folders down, the folders named with spaces and Vietnamese."""
    sub = dest / "Zalo gửi lại" / "tháng 5 "
    sub.mkdir(parents=True, exist_ok=True)
    rel = "Zalo gửi lại/tháng 5 /02176_xa_tran_phu.xlsx"
    return _odd_name(dest, "subfolder_name", rel, "02176", "Xã Trần Phú")


# ---------------------------------------------------------------------------------------------- links out of --raw


def case_symlink_file(dest: Path, outside: Path) -> Case:
    """A link to a valid workbook outside --raw: not followed, so commune 02185 sends nothing."""
    target = outside / "02185_xa_con_minh.xlsx"
    plan_book(target, "Xã Côn Minh", villages_for("02185"))
    link = dest / "02185_xa_con_minh.xlsx"
    link.symlink_to(target)
    return Case("symlink_file", (link,), Expect("not_followed", "warning", commune=None, status=None, source=link.name,
                                                in_manifest=False))


def case_symlink_dir(dest: Path, outside: Path) -> Case:
    """A link to a folder outside --raw holding another commune's plan."""
    folder = outside / "thu_muc_ngoai"
    folder.mkdir(exist_ok=True)
    plan_book(folder / "02191_xa_xuan_duong.xlsx", "Xã Xuân Dương", villages_for("02191"))
    link = dest / "thu muc lien ket"
    link.symlink_to(folder, target_is_directory=True)
    return Case("symlink_dir", (link,), Expect("not_followed", "warning", commune=None, status=None, source=link.name,
                                               in_manifest=False))


def case_symlink_secret(dest: Path, outside: Path) -> Case:
    """A link named like a workbook pointing at a secret text file outside --raw."""
    secret = outside / "secret.txt"
    if not secret.exists():
        secret.write_text(CANARY, encoding="utf-8")
    link = dest / "05451_bao_cao.csv"
    link.symlink_to(secret)
    return Case("symlink_secret", (link,), Expect("not_followed", "warning", commune=None, status=None, source=link.name,
                                                  in_manifest=False))


# ---------------------------------------------------------------------------------------------- the corpus

NEEDS_OUTSIDE = {"xxe_shared_strings", "symlink_file", "symlink_dir", "symlink_secret"}
CASES = {
    name[len("case_"):]: fn
    for name, fn in sorted(globals().items())
    if name.startswith("case_") and callable(fn)
}
# Cases kept out of the shared run: they need their own limits (a short --file-timeout).
SEPARATE = {"slow_regex"}


def make_case(name: str, dest: Path, outside: Path) -> Case:
    fn = CASES[name]
    return fn(dest, outside) if name in NEEDS_OUTSIDE else fn(dest)


def make_corpus(dest: Path, outside: Path | None = None, names=None) -> dict[str, Case]:
    """Write every case (or `names`) into `dest`; links point into `outside` (created beside `dest`)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    outside = Path(outside) if outside else dest.with_name(dest.name + ".outside")
    outside.mkdir(parents=True, exist_ok=True)
    wanted = names if names is not None else [n for n in CASES if n not in SEPARATE]
    return {name: make_case(name, dest, outside) for name in wanted}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--outside", type=Path)
    parser.add_argument("--case", action="append", help="only this case (repeatable); default: all but the separate ones")
    args = parser.parse_args(argv)
    cases = make_corpus(args.dest, args.outside, args.case)
    for name, case in cases.items():
        e = case.expect
        print(f"{name:24} {e.rule or '-':24} {'/'.join(e.reasons) or '':28} {', '.join(repr(p.name) for p in case.paths)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
