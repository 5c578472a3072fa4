"""Every way real commune spreadsheets are laid out (docs/domain.md), one tiny file each.

Each file is written on the fly (tests/layouts/grids.py: openpyxl, xlwt, odfpy, csv)
and read with `inspect_file`; the normalised village rows (name, section, counts,
source row) are asserted exactly, and a well-formed file must give no failure.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import polars as pl
import pytest

from giamngheo.inspect import Inspection, inspect_file
from samplegen.encodings import tcvn3, vni
from layouts.grids import Grid, write_book, write_csv
from layouts.speed import shared_resolver

PROVINCE = "19"

# name, total, poor, near, poor reduction, near-poor reduction
VILLAGES = [
    ("Thôn Nà Thành", 212, 9, 7, 2, 1),
    ("Thôn Khuổi Mu", 145, 12, 6, 3, 1),
    ("Xóm Đồng Tâm", 1234, 20, 15, 4, 3),
    ("Bản Pác Phiêng", 98, 0, 2, 0, 0),
]
SUMS = tuple(sum(v[i] for v in VILLAGES) for i in range(1, 6))  # (1689, 41, 30, 9, 5)
WARD_VILLAGES = [
    ("Tổ dân phố 1", 312, 2, 3, 1, 1),
    ("Tổ dân phố Phố Cò", 288, 1, 0, 1, 0),
    ("TDP Cải Đan", 1405, 4, 6, 2, 1),
]
WARD_SUMS = tuple(sum(v[i] for v in WARD_VILLAGES) for i in range(1, 6))
HEADER = [
    "STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo",
]


@pytest.fixture(autouse=True, scope="module")
def _one_resolver_per_province():
    with shared_resolver():
        yield


def vn(n: int) -> str:
    """5441 -> "5.441" (a count typed as Vietnamese text)."""
    return f"{n:,}".replace(",", ".")


def vn_rate(part: int, whole: int, digits: int = 2) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return str(value).replace(".", ",")


def rate(part: int, whole: int, digits: int = 2) -> float:
    return float(vn_rate(part, whole, digits).replace(",", "."))


def expected(first_row: int, villages=VILLAGES, section: str | None = None, reductions: bool = True) -> list[tuple]:
    return [
        (name, section, total, poor, near, pred if reductions else None, nred if reductions else None, first_row + i)
        for i, (name, total, poor, near, pred, nred) in enumerate(villages)
    ]


def inspect(path: Path, province: str | None = PROVINCE) -> Inspection:
    return inspect_file(path, province=province)


def rows_of(ins: Inspection) -> list[tuple]:
    out = []
    for r in ins.villages.to_dicts():
        counts = [r[f] for f in ("total_households", "poor_households", "near_poor_households",
                                 "poor_reduction_target", "near_poor_reduction_target")]
        out.append((r["village_name"], r["section"], *counts, r["row"]))
    return out


def failures(ins: Inspection) -> list[dict]:
    return ins.failures.select("cell", "rule", "severity", "value", "expected", "message").to_dicts()


def assert_clean(ins: Inspection, want: list[tuple], code: str = "05800") -> None:
    assert failures(ins) == []
    assert ins.commune is not None and code in ins.commune, ins.commune
    assert rows_of(ins) == want
    for name in ins.villages["village_name"]:
        assert name == unicodedata.normalize("NFC", name) and name == name.strip()


def village_rows(villages, cells) -> list[list]:
    """One row per village: [STT] + cells(name, total, poor, near, pred, nred)."""
    return [[i] + cells(*v) for i, v in enumerate(villages, 1)]


# --- formats -----------------------------------------------------------------------------------


def test_xlsx_two_row_merged_header_with_numbered_row(tmp_path):
    """Phú Thịnh style: a merged "Thời điểm 31/12/2025" band over three columns, line breaks
    in labels, a numbered row "A | B | 1 | 2 | 3 | 4 | 5=4/1*100 | 6", "Tổng" last."""
    rows = [
        ["KẾ HOẠCH PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO VÀ HỘ CẬN NGHÈO NĂM 2026"],
        ["(Kèm theo Kế hoạch số 45/KH-UBND ngày 12 tháng 5 năm 2026 của UBND xã Phú Thịnh)"],
        [],
        ["STT", "Tên xóm", "Thời điểm 31/12/2025", None, None, "Chỉ tiêu giao giảm nghèo năm 2026"],
        [None, None, "Tổng số\nhộ", "Số hộ\nnghèo", "Số hộ cận\nnghèo", "Số hộ nghèo giảm", "Tỷ lệ giảm %",
         "Số hộ cận nghèo giảm"],
        ["A", "B", "1", "2", "3", "4", "5=4/1*100", "6"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, rate(pr, t, 1) if pr else None, nr]),
        [None, "Tổng", *SUMS[:4], rate(SUMS[3], SUMS[0], 2), SUMS[4]],
    ]
    merges = [(1, 1, 1, 8), (2, 1, 2, 8), (4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 4, 5), (4, 6, 4, 8)]
    path = write_book(tmp_path / "ke hoach giam ngheo xa phu thinh.xlsx", Grid(rows, "Phụ lục", merges))
    ins = inspect(path)
    assert_clean(ins, expected(7))
    (table,) = ins.data.tables
    assert table.header_rows == [4, 5]


def test_xls_sections_with_subtotals(tmp_path):
    """Legacy .xls (xlwt) of a merged commune: sections I, II carry their own subtotals, numbering
    restarts per section, "Tổng cộng" last; nothing is counted twice."""
    first, second = VILLAGES[:2], VILLAGES[2:]

    def sub(vs):
        return [sum(v[i] for v in vs) for i in range(1, 6)]

    rows = [
        ["UBND XÃ PHÚ THỊNH"],
        ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"],
        [],
        ["STT", "Tên thôn, xóm", "Tổng số hộ", "Hộ nghèo", None, "Hộ cận nghèo", None, "Chỉ tiêu giảm năm 2026", None],
        [None, None, None, "Số hộ", "Tỷ lệ %", "Số hộ", "Tỷ lệ %", "Hộ nghèo", "Hộ cận nghèo"],
    ]

    def body(vs):
        return village_rows(vs, lambda n, t, p, q, pr, nr: [n, t, p, rate(p, t), q, rate(q, t), pr, nr])

    s1, s2 = sub(first), sub(second)
    rows += [["I", "Xã Phú Thịnh (cũ)", s1[0], s1[1], rate(s1[1], s1[0]), s1[2], rate(s1[2], s1[0]), s1[3], s1[4]]]
    rows += body(first)
    rows += [["II", "Xã Phú Lạc (cũ)", s2[0], s2[1], rate(s2[1], s2[0]), s2[2], rate(s2[2], s2[0]), s2[3], s2[4]]]
    rows += body(second)
    rows += [[None, "Tổng cộng", SUMS[0], SUMS[1], rate(SUMS[1], SUMS[0]), SUMS[2], rate(SUMS[2], SUMS[0]), SUMS[3], SUMS[4]]]
    rows += [[], [None, "Người lập biểu"]]
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 4, 5), (4, 6, 4, 7), (4, 8, 4, 9)]
    path = write_book(tmp_path / "bieu_phan_bo.xls", Grid(rows, "Sheet1", merges))
    ins = inspect(path)
    assert ins.data.format == "xls"
    assert_clean(ins, expected(7, first, "I. Xã Phú Thịnh (cũ)") + expected(10, second, "II. Xã Phú Lạc (cũ)"))
    assert ins.villages["total_households"].sum() == SUMS[0]


def test_ods_three_row_header_total_first_percentages(tmp_path):
    """An .ods (odfpy) with a three-row header (group / subject / measure), upper case labels,
    "TOÀN PHƯỜNG" first, rates as percentage cells (0.0064 shown 0.64 %)."""
    g1, g2 = "THỜI ĐIỂM 31/12/2025", "KẾ HOẠCH GIẢM NĂM 2026"
    rows = [
        ["UBND PHƯỜNG SÔNG CÔNG"],
        ["BIỂU TỔNG HỢP PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        [],
        ["STT", "TỔ DÂN\nPHỐ", "TỔNG SỐ\nHỘ", g1, None, None, None, g2, None],
        [None, None, None, "HỘ NGHÈO", None, "HỘ CẬN\nNGHÈO", None, "HỘ NGHÈO", "HỘ CẬN NGHÈO"],
        [None, None, None, "SL", "TL (%)", "SL", "TL (%)", "SL", "SL"],
        [None, "TOÀN PHƯỜNG", WARD_SUMS[0], WARD_SUMS[1], WARD_SUMS[1] / WARD_SUMS[0], WARD_SUMS[2],
         WARD_SUMS[2] / WARD_SUMS[0], WARD_SUMS[3], WARD_SUMS[4]],
        *village_rows(WARD_VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, p / t, q, q / t, pr, nr]),
    ]
    merges = [(4, 1, 6, 1), (4, 2, 6, 2), (4, 3, 6, 3), (4, 4, 4, 7), (5, 4, 5, 5), (5, 6, 5, 7), (4, 8, 4, 9),
              (5, 8, 6, 8), (5, 9, 6, 9)]
    path = write_book(tmp_path / "phan_bo.ods", Grid(rows, "Phụ lục 01", merges, formats={"E": "0.00%", "G": "0.00%"},
                                                     format_from=7))
    ins = inspect(path)
    assert ins.data.format == "ods"
    assert_clean(ins, expected(8, WARD_VILLAGES), code="05518")


def test_ods_with_libreoffice_trailing_empty_rows_and_columns(tmp_path, monkeypatch):
    """LibreOffice repeats empty rows and cells to the sheet's end (1,048,576 rows, 1,024 columns):
    read as usual, not refused as too many rows; repeating a row that holds values that often is
    refused from content.xml, before calamine expands it."""
    import zipfile

    from giamngheo.readers import excel

    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        HEADER,
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
    ]
    plain = write_book(tmp_path / "plain.ods", Grid(rows))

    def with_rows(name: str, extra: str) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "content.xml":
                    data = data.replace(b"</table:table>", extra.encode() + b"</table:table>", 1)
                dst.writestr(item, data)
        return path

    empty = ('<table:table-row table:number-rows-repeated="1048560"><table:table-cell '
             'table:number-columns-repeated="1024"/></table:table-row>')
    assert_clean(inspect(with_rows("libreoffice.ods", empty)), expected(4))

    filled = ('<table:table-row table:number-rows-repeated="1048560"><table:table-cell office:value-type="float" '
              'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    bomb = with_rows("bomb.ods", filled)
    opened = []
    monkeypatch.setattr(excel, "_open_calamine", lambda path: opened.append(path) or pytest.fail("calamine opened it"))
    refused = [f for f in failures(inspect(bomb)) if f["rule"] == "readable"]
    assert [f["severity"] for f in refused] == ["error"] and refused[0]["value"] == "Sheet1: 1048568", refused
    assert opened == []


def _csv_rows(title: str, numbers, total_label: str = "Cộng") -> list[list]:
    header = ["STT", "Thôn, xóm", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)", "Số hộ cận nghèo", "Số hộ nghèo giảm",
              "Số hộ cận nghèo giảm"]
    body = [[str(i), n, numbers(t), numbers(p) if p else "-", vn_rate(p, t) if p else "-", numbers(q), numbers(pr) if pr else "-",
             numbers(nr) if nr else "-"] for i, (n, t, p, q, pr, nr) in enumerate(VILLAGES, 1)]
    total = ["", total_label, numbers(SUMS[0]), numbers(SUMS[1]), vn_rate(SUMS[1], SUMS[0]), numbers(SUMS[2]),
             numbers(SUMS[3]), numbers(SUMS[4])]
    return [[title], ["Chỉ tiêu giảm nghèo năm 2026"], header, *body, total]


@pytest.mark.parametrize(
    "delimiter, encoding, bom, quote_all",
    [(";", "utf-8", True, False), (";", "utf-8", False, False), (",", "utf-8", False, True), (",", "utf-8", True, False),
     (",", "cp1258", False, True), (";", "cp1258", False, False)],
    ids=["semicolon-bom", "semicolon-utf8", "comma-quoted-utf8", "comma-bom", "comma-cp1258", "semicolon-cp1258"],
)
def test_csv_exports(tmp_path, delimiter, encoding, bom, quote_all):
    """CSV exports: ";" or ",", UTF-8 with or without BOM or Windows-1258, Vietnamese number text
    ("1.234", "4,25"), "-" for zero, "Cộng" last; rows are CSV lines."""
    rows = _csv_rows("UBND Xã Phú Thịnh", vn)
    path = write_csv(tmp_path / "chi_tieu.csv", rows, delimiter=delimiter, encoding=encoding, bom=bom, quote_all=quote_all)
    ins = inspect(path)
    assert ins.data.format == "csv"
    assert_clean(ins, expected(4))
    assert ins.villages["total_households"].to_list()[2] == 1234


def test_table_on_a_later_sheet(tmp_path):
    """A cover letter on the first sheet, an empty sheet, the table on the third."""
    letter = Grid([
        ["ỦY BAN NHÂN DÂN XÃ PHÚ THỊNH"], ["Số: 112/UBND-KT"], ["V/v báo cáo phân bổ chỉ tiêu giảm nghèo năm 2026"],
        ["Kính gửi: Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"],
        ["UBND xã báo cáo kết quả phân bổ chỉ tiêu giảm hộ nghèo cho các thôn (chi tiết tại biểu kèm theo)."],
        ["Nơi nhận:"], ["- Như trên;"], ["- Lưu: VT."],
    ], "Công văn")
    table = Grid([
        ["BIỂU CHI TIẾT PHÂN BỔ CHỈ TIÊU NĂM 2026"],
        ["TT", "Tên thôn", "Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
    ], "Biểu chi tiết")
    path = write_book(tmp_path / "cong_van.xlsx", [letter, Grid([[None]], "Sheet2"), table])
    ins = inspect(path)
    assert_clean(ins, expected(3))
    assert ins.data.tables[0].sheet == "Biểu chi tiết"


def test_one_row_header_upper_case_line_breaks_and_spaces(tmp_path):
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["STT", "TÊN  THÔN,\nXÓM", " TỔNG SỐ\nHỘ ", "HỘ  NGHÈO", "HỘ CẬN\nNGHÈO", "CHỈ TIÊU GIẢM\nHỘ NGHÈO",
         "CHỈ TIÊU GIẢM  HỘ CẬN NGHÈO "],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [f"  {n} ", t, p, q, pr, nr]),
        [None, "TỔNG CỘNG", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))


def test_abbreviated_labels(tmp_path):
    """TT, HN, HCN, SL, TL (%) under merged group labels."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["TT", "Tên thôn, xóm", "Tổng số hộ", "HN", None, "HCN", None, "Giảm HN năm 2026", "Giảm HCN năm 2026"],
        [None, None, None, "SL", "TL (%)", "SL", "TL (%)", "SL", "SL"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, rate(p, t), q, rate(q, t), pr, nr]),
        [None, "Cộng", SUMS[0], SUMS[1], rate(SUMS[1], SUMS[0]), SUMS[2], rate(SUMS[2], SUMS[0]), SUMS[3], SUMS[4]],
    ]
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 4, 5), (4, 6, 4, 7)]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Bieu 02", merges)))
    assert_clean(ins, expected(6))


def test_labels_without_diacritics(tmp_path):
    """Typed without a Vietnamese keyboard, table starting at column C, "Don vi" as the village label."""
    ascii_villages = [(unicodedata.normalize("NFD", v[0]).encode("ascii", "ignore").decode().replace("Đ", "D"), *v[1:])
                      for v in VILLAGES]
    ascii_villages[2] = ("Xom Dong Tam", *VILLAGES[2][1:])
    rows = [
        [], [None, None, "UBND XA PHU THINH"], [None, None, "KE HOACH GIAM NGHEO NAM 2026"], [],
        [None, None, "STT", "Don vi", "Tong so ho", "So ho ngheo", "So ho can ngheo", "Giam ho ngheo", "Giam ho can ngheo"],
        *[[None, None] + r for r in village_rows(ascii_villages, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])],
        [None, None, None, "Tong cong", *SUMS],
        [], [None, None, None, "Nguoi lap bieu"],
    ]
    ins = inspect(write_book(tmp_path / "bieu giam ngheo xa phu thinh.xlsx", Grid(rows)))
    assert_clean(ins, expected(6, ascii_villages))


def test_title_without_diacritics_beside_the_national_motto(tmp_path):
    """The standard document header: the unit on the left, the national motto on the right of the
    same rows, all typed without diacritics; the file name says nothing. The unit is "Xa Phu Thinh"."""
    rows = [
        ["UBND XA PHU THINH", None, None, None, "CONG HOA XA HOI CHU NGHIA VIET NAM"],
        [None, None, None, None, "Doc lap - Tu do - Hanh phuc"],
        ["KE HOACH GIAM NGHEO NAM 2026"],
        ["STT", "Ten thon", "Tong so ho", "So ho ngheo", "So ho can ngheo", "Giam ho ngheo", "Giam ho can ngheo"],
        *village_rows(VILLAGES[:1], lambda n, t, p, q, pr, nr: ["Thon Na Thanh", t, p, q, pr, nr]),
    ]
    ins = inspect(write_book(tmp_path / "bieu_01.xlsx", Grid(rows)))
    assert_clean(ins, expected(5, [("Thon Na Thanh", *VILLAGES[0][1:])]))

def test_columns_in_any_order_with_extra_columns(tmp_path):
    """Reductions before baselines, near-poor before poor, persons and notes columns that are not counts."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["CHỈ TIÊU GIẢM NGHÈO NĂM 2026 PHÂN BỔ CHO CÁC XÓM"], [],
        ["Ghi chú", "Tên xóm", "Chỉ tiêu giảm hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo",
         "Số nhân khẩu", "Tổng số hộ", "STT"],
        *[[note, n, nr, pr, q, p, t * 4, t, i] for i, ((n, t, p, q, pr, nr), note)
          in enumerate(zip(VILLAGES, ["Thôn ĐBKK", None, "Sáp nhập 2025", None]), 1)],
        [None, "Tổng", SUMS[4], SUMS[3], SUMS[2], SUMS[1], SUMS[0] * 4, SUMS[0], None],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "KH 2026")))
    assert_clean(ins, expected(5))
    columns = ins.data.tables[0].columns
    assert columns["total_households"] == 8 and columns["poor_households"] == 6 and columns["near_poor_households"] == 5


def test_numbers_as_text_and_zero_markers(tmp_path):
    """Counts stored as Vietnamese text ("1.234"), rates as "0,79", zeros as "-", "–", "x" or blank."""
    markers = iter(["-", "–", "x", None, "-", "–"])

    def cells(n, t, p, q, pr, nr):
        def z(v):
            return vn(v) if v else next(markers)

        return [n, vn(t), z(p), vn_rate(p, t) if p else "x", z(q), z(pr), z(nr)]

    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["DANH SÁCH PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], [],
        ["STT", "Thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)", "Số hộ cận nghèo", "Số hộ nghèo giảm",
         "Số hộ cận nghèo giảm"],
        *[[str(i)] + cells(*v) for i, v in enumerate(VILLAGES, 1)],
        [None, "Tổng cộng", vn(SUMS[0]), vn(SUMS[1]), vn_rate(SUMS[1], SUMS[0]), vn(SUMS[2]), vn(SUMS[3]), vn(SUMS[4])],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Biểu 01")))
    assert_clean(ins, expected(5))


def test_big_counts_as_text(tmp_path):
    """"5.441" is five thousand four hundred and forty-one households, also in a CSV with decimal commas."""
    rows = [
        ["UBND Xã Phú Thịnh"], ["Chỉ tiêu giảm nghèo năm 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ (%)", "Số hộ cận nghèo"],
        ["1", "Thôn Nà Thành", "5.441", "43", "0,79", "118"],
        ["2", "Thôn Khuổi Mu", "12.005", "1.020", "8,50", "1.001"],
        ["3", "Thôn Đồng Tâm", "999", "9", "0,90", "0"],
        ["", "Cộng", "18.445", "1.072", "5,81", "1.119"],
    ]
    ins = inspect(write_csv(tmp_path / "phu_thinh.csv", rows))
    assert_clean(ins, [("Thôn Nà Thành", None, 5441, 43, 118, None, None, 4),
                       ("Thôn Khuổi Mu", None, 12005, 1020, 1001, None, None, 5),
                       ("Thôn Đồng Tâm", None, 999, 9, 0, None, None, 6)])


@pytest.mark.parametrize(
    "label, first, title, villages, code",
    [
        ("Tổng", False, "UBND XÃ PHÚ THỊNH", VILLAGES, "05800"),
        ("Tổng cộng", True, "UBND XÃ PHÚ THỊNH", VILLAGES, "05800"),
        ("Cộng", False, "UBND XÃ PHÚ THỊNH", VILLAGES, "05800"),
        ("Toàn xã", True, "UBND XÃ PHÚ THỊNH", VILLAGES, "05800"),
        ("Toàn phường", False, "UBND PHƯỜNG SÔNG CÔNG", WARD_VILLAGES, "05518"),
        ("TOÀN XÃ", False, "UBND XÃ PHÚ THỊNH", VILLAGES, "05800"),
    ],
)
def test_total_row_labels_first_or_last(tmp_path, label, first, title, villages, code):
    sums = [sum(v[i] for v in villages) for i in range(1, 6)]
    total = [None, label, *sums]
    body = village_rows(villages, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    rows = [[title], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
            ["STT", "Tên đơn vị", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo",
             "Chỉ tiêu giảm hộ cận nghèo"]]
    rows += [total] + body if first else body + [total]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(5 if first else 4, villages), code=code)


def test_sections_closed_by_their_own_cong_rows(tmp_path):
    """Section rows "I. Khu vực nội thị" in the name column, each section closed by a "Cộng" row,
    then "Tổng cộng": subtotals are never villages and the villages are counted once."""
    first, second = WARD_VILLAGES[:2], WARD_VILLAGES[2:]

    def sums(vs):
        return [sum(v[i] for v in vs) for i in range(1, 6)]

    body = lambda vs: village_rows(vs, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])  # noqa: E731
    rows = [
        ["UBND PHƯỜNG SÔNG CÔNG"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        ["STT", "Tổ dân phố", "Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
        [None, "I. Khu vực nội thị"], *body(first), [None, "Cộng", *sums(first)],
        [None, "II. Khu vực ngoại thị"], *body(second), [None, "Cộng", *sums(second)],
        [None, "Tổng cộng", *WARD_SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(5, first, "I. Khu vực nội thị") + expected(9, second, "II. Khu vực ngoại thị"), code="05518")


def test_notes_and_signature_block_below(tmp_path):
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        HEADER,
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
        [],
        [None, "Ghi chú: Thôn Khuổi Mu gồm 2 hộ mới tách (12 khẩu)."],
        [None, "Người lập biểu", None, None, None, "KT. CHỦ TỊCH"],
        [None, None, None, None, None, "PHÓ CHỦ TỊCH"],
        [], [],
        [None, "Hoàng Thị Lan", None, None, None, "Nguyễn Văn Hùng"],
        [None, "Nơi nhận:"], [None, "- UBND tỉnh (b/c);"], [None, "- Lưu: VT."],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4))


def test_notes_below_without_total_row(tmp_path):
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        HEADER,
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [],
        ["Ghi chú:", "Số liệu theo kết quả rà soát năm 2025"],
        [None, None, None, "Phú Thịnh, ngày 12 tháng 5 năm 2026"],
        [None, None, None, "TM. ỦY BAN NHÂN DÂN"],
        [None, None, None, "CHỦ TỊCH"],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4))


def test_note_row_among_the_villages_does_not_end_the_table(tmp_path):
    """A "Ghi chú" line typed between two villages: the villages below it are still read."""
    villages = village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        HEADER,
        *villages[:2],
        [None, "Ghi chú: số liệu tạm tính, sẽ cập nhật sau"],
        *villages[2:],
        [None, "Tổng cộng", *SUMS],
        [None, "Người lập biểu"],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    want = expected(4)
    assert_clean(ins, want[:2] + [(*v[:-1], v[-1] + 1) for v in want[2:]])


def test_place_label_over_the_number_column_does_not_take_the_names(tmp_path):
    """ "Xã" typed over the STT column (its cells are 1, 2, 3 ...): the names are still the text column."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        ["Xã", *HEADER[1:]],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4))


# --- text forms ----------------------------------------------------------------------------------


def test_nfd_text_everywhere(tmp_path):
    nfd = lambda v: unicodedata.normalize("NFD", v) if isinstance(v, str) else v  # noqa: E731
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["DANH SÁCH PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"],
        ["STT", "Thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm"],
        ["A", "B", "1", "2", "3", "4", "5"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, vn(t), vn(p), vn(q), vn(pr), vn(nr)]),
        [None, "Tổng cộng", *[vn(s) for s in SUMS]],
    ]
    rows = [[nfd(v) for v in r] for r in rows]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, nfd("Biểu 01"))))
    assert_clean(ins, expected(5))
    assert ins.data.tables[0].sheet == nfd("Biểu 01")  # sheet names are kept exactly as in the workbook


def test_tcvn3_legacy_text(tmp_path):
    """The whole sheet typed in TCVN3 (.VnTime): "Tæng sè hé" for "Tổng số hộ"."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [],
        ["TT", "Tên thôn, xóm", "Tổng số hộ", "HN", None, "HCN", None, "Giảm HN năm 2026", "Giảm HCN năm 2026"],
        [None, None, None, "SL", "TL (%)", "SL", "TL (%)", "SL", "SL"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, rate(p, t), q, rate(q, t), pr, nr]),
        [None, "Tổng cộng", SUMS[0], SUMS[1], rate(SUMS[1], SUMS[0]), SUMS[2], rate(SUMS[2], SUMS[0]), SUMS[3], SUMS[4]],
        [], [None, "Người lập biểu"],
    ]
    rows = [[tcvn3(v) if isinstance(v, str) else v for v in r] for r in rows]
    assert rows[5][1] == "Th«n Nµ Thµnh" and rows[3][2] == "Tæng sè hé"
    merges = [(4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 5, 3), (4, 4, 4, 5), (4, 6, 4, 7)]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows, "Bieu 02", merges)))
    assert ins.data.legacy_encoding == "tcvn3"
    assert_clean(ins, expected(6))


def test_vni_legacy_text_xls(tmp_path):
    """A legacy .xls typed in VNI-Windows ("Toång soá hoä"), total first."""
    rows = [
        ["ỦY BAN NHÂN DÂN", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["XÃ PHÚ THỊNH", None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"], ["Đơn vị tính: hộ"],
        HEADER + ["Ghi chú"],
        [None, "Toàn xã", *SUMS],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
    ]
    rows = [[vni(v) if isinstance(v, str) else v for v in r] for r in rows]
    assert rows[5][2] == "Toång soá hoä"
    ins = inspect(write_book(tmp_path / "bieu.xls", Grid(rows)))
    assert ins.data.legacy_encoding == "vni"
    assert_clean(ins, expected(8))


def _legacy_bytes(text: str) -> bytes:
    """What a legacy-font cell text is on disk: its Windows-1252 bytes (C1 gaps as themselves)."""
    return b"".join(ch.encode("cp1252") if ord(ch) > 0x9F or ord(ch) < 0x80 else bytes([ord(ch)]) for ch in text)


@pytest.mark.parametrize("encode, name", [(tcvn3, "tcvn3"), (vni, "vni")])
def test_legacy_text_csv(tmp_path, encode, name):
    """A CSV exported from a sheet typed in a legacy font: the bytes are TCVN3 / VNI."""
    rows = [[encode(v) if isinstance(v, str) else v for v in r] for r in _csv_rows("UBND Xã Phú Thịnh", vn)]
    text = "\r\n".join(";".join(r) for r in rows) + "\r\n"
    path = tmp_path / "chi_tieu.csv"
    path.write_bytes(_legacy_bytes(text))
    ins = inspect(path)
    assert ins.data.legacy_encoding == name
    assert_clean(ins, expected(4))

@pytest.mark.parametrize("label", ["Tổ dân phố", "Đơn vị", "Tên tổ dân phố", "Thôn, tổ dân phố"])
def test_village_label_variants_for_wards(tmp_path, label):
    rows = [
        ["UBND PHƯỜNG SÔNG CÔNG"], ["PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
        ["STT", label, "Tổng số hộ dân", "Hộ nghèo", "Hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo (hộ)",
         "Chỉ tiêu giảm hộ cận nghèo (hộ)"],
        *village_rows(WARD_VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Toàn phường", *WARD_SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4, WARD_VILLAGES), code="05518")


def test_plan_without_reduction_columns(tmp_path):
    """A counts-only table: reductions are null (absent), not zero."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q]),
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4, reductions=False))



@pytest.mark.parametrize(
    "poor, near, pred, nred",
    [
        ("Số HN", "Số HCN", "HN giảm", "HCN giảm"),
        ("Số hộ nghèo năm 2025", "Số hộ cận nghèo năm 2025", "KH giảm hộ nghèo 2026", "KH giảm hộ cận nghèo 2026"),
        ("Hộ nghèo hiện có", "Hộ cận nghèo hiện có", "Phấn đấu giảm hộ nghèo", "Phấn đấu giảm hộ cận nghèo"),
        ("Hộ nghèo hiện nay", "Hộ cận nghèo hiện nay", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"),
        ("Hộ nghèo", "Hộ cận nghèo", "Dự kiến thoát nghèo năm 2026", "Dự kiến thoát cận nghèo năm 2026"),
        ("Hộ nghèo", "Hộ cận nghèo", "Kế hoạch thoát nghèo", "Kế hoạch thoát cận nghèo"),
        ("Hộ nghèo", "Hộ cận nghèo", "Số hộ thoát nghèo năm 2026", "Số hộ thoát cận nghèo năm 2026"),
        ("Số hộ nghèo", "Số hộ cận nghèo", "Số hộ nghèo giảm trong năm 2026", "Số hộ cận nghèo giảm trong năm 2026"),
        # the baseline of a 2026 plan is the count at the end of 2025, after the 2025 review
        ("Hộ nghèo cuối năm 2025", "Hộ cận nghèo cuối năm 2025", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"),
        ("Hộ nghèo theo kết quả rà soát năm 2025", "Hộ cận nghèo theo kết quả rà soát năm 2025", "Chỉ tiêu giảm hộ nghèo",
         "Chỉ tiêu giảm hộ cận nghèo"),
    ],
    ids=["HN-HCN", "nam-2025", "hien-co", "hien-nay", "du-kien-thoat-ngheo", "ke-hoach-thoat-ngheo", "thoat-ngheo-nam-2026",
         "giam-trong-nam", "cuoi-nam-2025", "ket-qua-ra-soat-2025"],
)
def test_baseline_and_reduction_label_variants(tmp_path, poor, near, pred, nred):
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"],
        ["STT", "Thôn, bản", "Tổng số hộ", poor, near, pred, nred],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu.xlsx", Grid(rows)))
    assert_clean(ins, expected(4))


def test_plan_with_start_of_year_baseline_under_a_plain_title(tmp_path):
    """"Biểu số 01" says nothing of the kind of table; its headers do: stocks at the start of the
    year and planned cuts ("Chỉ tiêu giảm"), no movement and no end count. That is a plan annex."""
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["BIỂU SỐ 01"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo đầu năm 2026", "Số hộ cận nghèo đầu năm 2026", "Chỉ tiêu giảm hộ nghèo",
         "Chỉ tiêu giảm hộ cận nghèo"],
        *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr]),
        [None, "Tổng cộng", *SUMS],
    ]
    ins = inspect(write_book(tmp_path / "bieu_so_01.xlsx", Grid(rows)))
    assert [t.kind for t in ins.data.tables] == ["plan"]
    assert_clean(ins, expected(4))

# --- what must not be guessed -----------------------------------------------------------------------


def test_ambiguous_count_in_a_decimal_comma_file_is_an_error(tmp_path):
    """"5,441" where "," is the file's decimal mark ("0,79") could be 5441 or 5.441: an error, not a guess."""
    rows = [
        ["UBND Xã Phú Thịnh"], ["Chỉ tiêu giảm nghèo năm 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ (%)", "Số hộ cận nghèo"],
        ["1", "Thôn Nà Thành", "5,441", "43", "0,79", "118"],
        ["2", "Thôn Khuổi Mu", "212", "9", "4,25", "7"],
    ]
    ins = inspect(write_csv(tmp_path / "phu_thinh.csv", rows))
    got = failures(ins)
    assert [(f["cell"], f["rule"], f["severity"], f["value"]) for f in got] == [("C4", "numeric", "error", "5,441")]
    assert "C4" in got[0]["message"]
    assert rows_of(ins)[0][2] is None  # no value guessed
    assert rows_of(ins)[1] == ("Thôn Khuổi Mu", None, 212, 9, 7, None, None, 5)


def test_ambiguous_count_in_a_decimal_point_file_is_an_error(tmp_path):
    """The mirror case: "1.234" where "." is the file's decimal mark ("0.79")."""
    rows = [
        ["UBND Xã Phú Thịnh"], ["Chỉ tiêu giảm nghèo năm 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ (%)", "Số hộ cận nghèo"],
        ["1", "Thôn Nà Thành", "5441", "43", "0.79", "118"],
        ["2", "Thôn Khuổi Mu", "1.234", "9", "0.73", "7"],
    ]
    ins = inspect(write_csv(tmp_path / "phu_thinh.csv", rows, delimiter=","))
    got = failures(ins)
    assert [(f["cell"], f["rule"], f["severity"], f["value"]) for f in got] == [("C5", "numeric", "error", "1.234")]
    assert rows_of(ins)[1][2] is None


def test_no_recognisable_layout_lists_the_labels_found(tmp_path):
    rows = [
        ["UBND XÃ PHÚ THỊNH"], ["DANH SÁCH HỘ ĐĂNG KÝ VAY VỐN NĂM 2026"],
        ["STT", "Họ và tên chủ hộ", "Năm sinh", "Địa chỉ", "Số tiền vay"],
        ["1", "Nguyễn Văn Hùng", "1980", "Thôn Nà Thành", "50.000.000"],
        ["2", "Hoàng Thị Lan", "1975", "Thôn Khuổi Mu", "30.000.000"],
    ]
    ins = inspect(write_book(tmp_path / "danh_sach.xlsx", Grid(rows)))
    got = failures(ins)
    # a list of people (names, birth years): refused whole, its labels named, no cell of it read
    assert [(f["rule"], f["severity"], f["cell"]) for f in got] == [("personal_list", "error", None)]
    for label in ("Họ và tên chủ hộ", "Năm sinh", "Địa chỉ", "Số tiền vay"):
        assert label in got[0]["value"] and label in got[0]["message"]
    assert ins.villages.is_empty()


def test_empty_csv_lines_keep_line_numbers(tmp_path):
    """Blank lines and a quoted line break inside a field: source rows are the physical CSV lines."""
    text = ("UBND Xã Phú Thịnh\r\n\r\nChỉ tiêu giảm nghèo năm 2026\r\n"
            "STT;\"Tên\nthôn\";Tổng số hộ;Số hộ nghèo;Số hộ cận nghèo\r\n"
            "1;Thôn Nà Thành;212;9;7\r\n\r\n2;Thôn Khuổi Mu;145;12;6\r\n")
    path = tmp_path / "phu_thinh.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ins = inspect(path)
    assert_clean(ins, [("Thôn Nà Thành", None, 212, 9, 7, None, None, 6), ("Thôn Khuổi Mu", None, 145, 12, 6, None, None, 8)])



def test_a_draft_beside_its_final_version_is_reported_not_silently_left(tmp_path):
    """Two sheets of the same annex with different figures: one is used, and the other is reported at its header
    (rule sheet_not_used), so the analyst asks the commune which is right. A plain copy, or a shorter summary that
    agrees, is not reported."""
    def annex(name, villages):
        return Grid(
            [["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], HEADER, *village_rows(villages, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])],
            name,
        )

    draft = [VILLAGES[0], (VILLAGES[1][0], 145, 14, 6, 3, 1), *VILLAGES[2:]]
    summary = Grid([["TỔNG HỢP"], HEADER[:4], *village_rows(VILLAGES, lambda n, t, p, *_: [n, t, p])], "Tổng hợp")
    path = write_book(tmp_path / "05800_phu_thinh.xlsx", [annex("Phụ lục", VILLAGES), annex("Phụ lục (2)", draft), summary])
    ins = inspect(path)
    assert rows_of(ins) == expected(3)
    (said,) = failures(ins)
    assert (said["rule"], said["severity"], said["cell"]) == ("sheet_not_used", "warning", "A2")
    assert "“Phụ lục (2)”" in said["message"] and "trang “Phụ lục” được dùng" in said["message"]
    same = write_book(tmp_path / "05800_ban_sao.xlsx", [annex("Phụ lục", VILLAGES), annex("Phụ lục (2)", VILLAGES), summary])
    assert failures(inspect(same)) == []


def test_a_summary_sheet_beside_the_annex_is_not_more_villages(tmp_path):
    """A "Tổng hợp" sheet of totals and poor households beside the annex was read as a second plan table: every village
    twice and the commune rejected for the summary's missing columns. It is the annex's summary: left out, reported
    where its figures differ."""
    annex = Grid(
        [["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], HEADER, *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])],
        "Phụ lục",
    )
    def summary(villages):
        return Grid([["TỔNG HỢP HỘ NGHÈO"], HEADER[:4], *village_rows(villages, lambda n, t, p, *_: [n, t, p])], "Tổng hợp")

    path = write_book(tmp_path / "05800_phu_thinh.xlsx", [annex, summary(VILLAGES)])
    assert_clean(inspect(path), expected(3))
    older = [(VILLAGES[0][0], 212, 10, 7, 2, 1), *VILLAGES[1:]]
    ins = inspect(write_book(tmp_path / "05800_phu_thinh_2.xlsx", [annex, summary(older)]))
    assert rows_of(ins) == expected(3)
    assert [(f["rule"], f["cell"]) for f in failures(ins)] == [("sheet_not_used", "A2")] and "“Tổng hợp”" in failures(ins)[0][
        "message"
    ]


@pytest.mark.parametrize("label", ["Hộ nghèo có chủ hộ là nữ", "Ghi chú (ghi rõ họ tên chủ hộ)", "Hộ nghèo do phụ nữ làm chủ hộ"])
def test_a_plan_column_that_mentions_the_head_of_household_is_no_list(tmp_path, label):
    """'chủ hộ' anywhere in a label made it the head's name column: the annex was read as a household list and the
    commune's plan lost without a word (or a flood of members_positive errors). The head's name leads its label."""
    rows = [["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [*HEADER, label],
            *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr, 0 if "Ghi" not in label else None])]
    ins = inspect(write_book(tmp_path / "05800_phu_thinh.xlsx", Grid(rows, "Phụ lục")))
    assert [t.kind for t in ins.data.tables] == ["plan"]
    assert rows_of(ins) == expected(3)


def test_a_sheet_of_breakdowns_beside_the_annex_does_not_reject_it(tmp_path):
    """The annex on one sheet, its "trong đó" counts by village on another (no total households): the second sheet was a
    second plan table, and the commune rejected for its missing columns. The annex is read; the sheet is reported."""
    annex = Grid(
        [["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], HEADER, *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])],
        "Phụ lục 01",
    )
    breakdowns = Grid(
        [
            ["PHỤ LỤC 02: PHÂN LOẠI HỘ NGHÈO, HỘ CẬN NGHÈO THEO ĐỐI TƯỢNG NĂM 2026"],
            ["STT", "Tên thôn", "Hộ nghèo", None, None, "Hộ cận nghèo", None],
            [None, None, "Tổng số", "Trong đó: hộ DTTS", "Hộ không có khả năng lao động", "Tổng số", "Trong đó: hộ DTTS"],
            *village_rows(VILLAGES, lambda n, t, p, q, *_: [n, p, p // 2, 0, q, q // 2]),
        ],
        "Phụ lục 02",
        merges=[(2, 3, 2, 5), (2, 6, 2, 7), (2, 1, 3, 1), (2, 2, 3, 2)],
    )
    ins = inspect(write_book(tmp_path / "05800_phu_thinh.xlsx", [annex, breakdowns]))
    assert rows_of(ins) == expected(3)
    assert [(f["rule"], f["severity"]) for f in failures(ins)] == [("sheet_not_used", "warning")]
    assert "“Phụ lục 02”" in failures(ins)[0]["message"]


def test_a_table_without_total_households_is_reported_once(tmp_path):
    """No "Tổng số hộ" column: required_columns, and then total_positive on every village ("Ô dòng 7: …", no cell) —
    the one missing column said once."""
    rows = [["PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [h for i, h in enumerate(HEADER) if i != 2],
            *village_rows(VILLAGES, lambda n, t, p, q, pr, nr: [n, p, q, pr, nr])]
    said = failures(inspect(write_book(tmp_path / "05800_phu_thinh.xlsx", Grid(rows, "Phụ lục"))))
    assert [f["rule"] for f in said] == ["required_columns"]


def test_a_count_no_commune_could_have_is_a_numeric_error_not_a_crash(tmp_path):
    """Two villages of 6e18 households: their Int64 sum wrapped below zero, the provinces table broke its contract and
    the whole run failed (fuzz probe); 1e17 was accepted, the province's rates 0.00 %. Such a cell is no figure."""
    from test_deprivations import steps

    villages = [("Thôn Nà Thành", 6 * 10**18, 9, 7, 2, 1), ("Thôn Khuổi Mu", 1e308, 12, 6, 3, 1), *VILLAGES[2:]]
    rows = [["UBND XÃ PHÚ THỊNH"], ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], HEADER,
            *village_rows(villages, lambda n, t, p, q, pr, nr: [n, t, p, q, pr, nr])]
    failures, tables, _ = steps([write_book(tmp_path / "05800_phu_thinh.xlsx", Grid(rows, "Phụ lục"))])
    said = failures.filter(pl.col("severity") == "error").sort("cell").select("cell", "rule", "value").rows()
    # the value as typed: it was null, the message "giá trị “”" (independent probe, Cà Mau)
    assert said == [("C4", "numeric", "6e+18"), ("C5", "numeric", "1e+308")]
    assert "quá lớn" in failures["message"][0] and "“1e+308”" in failures.sort("cell")["message"][1]
    assert tables["communes.parquet"]["status"].to_list() == ["rejected"]
