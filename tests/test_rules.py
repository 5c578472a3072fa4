"""One tiny workbook per validation rule, built in the test and read with `inspect_file` (no Prefect).

Every case checks what the output contract promises an auditor: the rule id, its
severity (the contract's, read from docs/contract.md rather than taken from
the catalogue), the exact A1 cell (null for file- and table-level rules), the
offending value and what was expected, a Vietnamese message that points at the
cell, and whether the commune is rejected (any error) or kept (warnings only).

The files are written for real communes so that they resolve: "UBND XÃ PHÚ THỊNH"
is 05800 in Thái Nguyên (19).
"""

from __future__ import annotations

import re

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from contract_rules import contract_severities
from giamngheo.inspect import Inspection, inspect_file
from layouts.grids import Grid, write_book
from layouts.speed import shared_resolver

PROVINCE = "19"
PHU_THINH = "05800"
# the contract's severities (docs/contract.md, "Rule ids" and each kind's rules), read from it
SEVERITY = dict(contract_severities())
SEVERITY["village_named"] = "error"  # an id added by the catalogue ("add ids as needed"): figures without a village
SEVERITY["personal_list"] = "error"  # a list of people no recogniser reads (issue 17): refused whole

TITLE = "UBND XÃ PHÚ THỊNH"
HEADER = [
    "STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo",
]
# columns:  A      B           C               D               E                   F                          G
FIRST_ROW = 5  # title, subtitle, blank line, header on row 4
GOOD = [[1, "Thôn Na Thành", 120, 5, 4, 1, 1], [2, "Thôn Đồng Tâm", 200, 8, 6, 2, 1]]


@pytest.fixture(autouse=True, scope="module")
def _one_resolver_per_province():
    with shared_resolver():
        yield


# --- building and reading the files ------------------------------------------------------


def plan_xlsx(path: Path, rows: list[list], *, title: str = TITLE, header: list | None = None, sheet: str = "Phụ lục",
              after=None) -> Path:
    """A one-sheet plan annex: unit line, title, blank row, one header row (row 4), then `rows` from row 5."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append(["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"])
    ws.append([])
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    if after:
        after(ws)
    wb.save(path)
    return path


def inspect(path: Path, province: str | None = PROVINCE) -> Inspection:
    return inspect_file(path, province=province)


def failures(ins: Inspection, rule: str | None = None) -> list[dict]:
    rows = ins.failures.to_dicts()
    return [f for f in rows if rule is None or f["rule"] == rule]


def rules(ins: Inspection) -> set[str]:
    return {f["rule"] for f in failures(ins)}


def rejected(ins: Inspection) -> bool:
    """The contract: a commune is rejected when any failure of its file has severity "error"."""
    return any(f["severity"] == "error" for f in failures(ins))


def villages(ins: Inspection) -> list[tuple]:
    return [
        (r["village_name"], r["section"], r["total_households"], r["poor_households"], r["near_poor_households"], r["row"])
        for r in ins.villages.to_dicts()
    ]


def the_failure(ins: Inspection, rule: str, cell: str | None, *, value=None, expected=None, field: str | None = None) -> dict:
    """The one failure of `rule` at `cell`, checked against the contract; it is the file's only rule."""
    assert rules(ins) == {rule}, failures(ins)
    mine = [f for f in failures(ins, rule) if f["cell"] == cell]
    assert len(mine) == 1, failures(ins, rule)
    f = mine[0]
    assert f["severity"] == SEVERITY[rule]
    if value is not None:
        assert f["value"] == value
    if expected is not None:
        assert f["expected"] == expected
    if field is not None:
        assert f["field"] == field
    assert f["message"] and f["message_en"]
    if cell is not None:
        assert cell in f["message"], f["message"]
        assert f["row"] == int("".join(ch for ch in cell if ch.isdigit()))
    else:
        assert f["column"] is None
    assert rejected(ins) is (SEVERITY[rule] == "error")
    return f


# --- a clean file ----------------------------------------------------------------------------


def test_clean_file_has_no_failures(tmp_path):
    path = plan_xlsx(tmp_path / "bieu_phan_bo.xlsx", GOOD + [[None, "Tổng cộng", 320, 13, 10, 3, 2]])
    ins = inspect(path)
    assert failures(ins) == []
    assert not rejected(ins)
    assert ins.commune is not None and PHU_THINH in ins.commune
    assert villages(ins) == [("Thôn Na Thành", None, 120, 5, 4, 5), ("Thôn Đồng Tâm", None, 200, 8, 6, 6)]
    assert ins.villages["poor_reduction_target"].to_list() == [1, 2]
    assert ins.villages["near_poor_reduction_target"].to_list() == [1, 1]


# --- readable --------------------------------------------------------------------------------


def _corrupt(path: Path) -> None:
    good = plan_xlsx(path.with_suffix(".tmp.xlsx"), GOOD)
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a zip cut in the middle (an interrupted download)
    good.unlink()


def _word_document(path: Path) -> None:
    """A Word file renamed .xlsx: a zip whose content types are wordprocessingml."""
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", "<w:document/>")


@pytest.mark.parametrize(
    "case, make, says",
    [
        ("corrupt", _corrupt, "hỏng"),
        ("empty", lambda p: p.write_bytes(b""), "rỗng"),
        ("pdf", lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"), "PDF"),
        ("word_document", _word_document, "Word"),
    ],
)
def test_readable(tmp_path, case, make, says):
    path = tmp_path / "05800_bieu_giam_ngheo_xa_phu_thinh.xlsx"  # the code in the name resolves the commune
    make(path)
    ins = inspect(path)
    f = the_failure(ins, "readable", None)
    assert f["row"] is None
    assert says in f["message"]
    assert ins.commune is not None and PHU_THINH in ins.commune
    assert ins.villages.is_empty()


# --- table_found / required_columns -----------------------------------------------------------


def test_a_list_of_people_is_refused_naming_the_labels_seen(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.append(["DANH SÁCH CÁN BỘ PHỤ TRÁCH THÔN"])
    ws.append(["Họ và tên", "Chức vụ", "Điện thoại"])
    ws.append(["Nguyễn Văn Hùng", "Trưởng thôn", "0912 345 678"])
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    ins = inspect(path)
    f = the_failure(ins, "personal_list", None)  # a list of people: refused whole (names and phones stay in the file)
    for label in ("Họ và tên", "Chức vụ", "Điện thoại"):
        assert label in f["value"]
        assert label in f["message"]
    assert ins.villages.is_empty()


def test_required_columns_missing_near_poor(tmp_path):
    header = HEADER[:4]
    path = plan_xlsx(tmp_path / "bieu.xlsx", [r[:4] for r in GOOD], header=header)
    ins = inspect(path)
    f = the_failure(ins, "required_columns", None, expected="near_poor_households")
    assert "Số hộ cận nghèo" in f["message"]  # the missing column, named for the auditor
    assert "Tổng số hộ" in f["value"] and "Số hộ nghèo" in f["value"]  # what was found


# --- which commune -----------------------------------------------------------------------------


def test_commune_resolved_unknown_name(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND XÃ HOA MẶT TRỜI")
    ins = inspect(path)
    f = the_failure(ins, "commune_resolved", "A1")  # the title cell that named it
    assert f["commune_code"] is None
    assert ins.commune is None
    assert f["message"].startswith("Không xác định được xã/phường ở ô A1 (") and f["source_sheet"] == "Phụ lục"


def test_commune_resolved_legacy_name_split_lists_candidates(tmp_path):
    # Phường Cam Giá (before 2025) was split between Phường Gia Sàng and Phường Tích Lương
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND PHƯỜNG CAM GIÁ")
    ins = inspect(path)
    f = the_failure(ins, "commune_resolved", "A1")  # the title cell that named it
    assert "05467" in f["expected"] and "05500" in f["expected"]
    assert "Gia Sàng" in f["message"] and "Tích Lương" in f["message"]
    assert ins.commune is None


def test_commune_resolved_ambiguous_without_province(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND XÃ TÂN THÀNH")
    ins = inspect(path, province=None)
    f = the_failure(ins, "commune_resolved", "A1")  # the title cell that named it
    assert "05923" in f["expected"] and "06445" in f["expected"]  # Thái Nguyên and Lạng Sơn
    # within province 19 the same title is Xã Tân Thành, 05923
    ins19 = inspect(path)
    assert failures(ins19) == [] and "05923" in ins19.commune


def test_wrong_province(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND XÃ PHÚ LINH")  # 00706, Tuyên Quang (08)
    ins = inspect(path)
    f = the_failure(ins, "wrong_province", "A1")
    assert "00706" in f["expected"]
    assert "Tuyên Quang" in f["message"]
    assert ins.commune is None
    assert failures(inspect(path, province="08")) == []


def test_legacy_unit_name(tmp_path):
    # Phường Cải Đan (before 2025) became part of Phường Sông Công (05518)
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND PHƯỜNG CẢI ĐAN")
    ins = inspect(path)
    f = the_failure(ins, "legacy_unit_name", "A1", value="Phường Cải Đan")
    assert "05518" in f["expected"]
    assert "Cải Đan" in f["message"] and "Sông Công" in f["message"]
    assert "05518" in ins.commune
    assert len(villages(ins)) == 2


def test_a_former_name_of_the_run_s_province_over_a_current_name_of_another():
    """Xã Thượng Hà was a commune of Cao Bằng, merged into Xã Cô Ba (01327); Lào Cai has a Xã Thượng Hà today. Within
    --province 04 a title naming its former district or its province is Cô Ba's former name (legacy_unit_name); one
    naming neither could be either, and says so (commune_resolved, both listed): taking the former name had let Hưng
    Yên take other provinces' plans, one over a commune's own file (independent probes, 12-06 and 12-07). Without
    --province, and within a province that had no such commune, the current name still wins."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    ref = load_reference()
    title = ["UBND XÃ THƯỢNG HÀ", "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"]
    for placed in (["UBND XÃ THƯỢNG HÀ, HUYỆN BẢO LẠC"], ["TỈNH CAO BẰNG", "UBND XÃ THƯỢNG HÀ"]):
        in_04 = Resolver(ref, "04").resolve("ke hoach xa thuong ha.xlsx", [*placed, title[1]], [])
        assert (in_04.unit and in_04.unit.commune_code, in_04.rule, in_04.value) == ("01327", "legacy_unit_name", "Xã Thượng Hà")
    either = Resolver(ref, "04").resolve("ke hoach xa thuong ha.xlsx", title, [])
    assert (either.unit, either.rule) == (None, "commune_resolved")
    assert either.candidates == ["Xã Thượng Hà (Tỉnh Lào Cai, 02968)", "Xã Cô Ba (Tỉnh Cao Bằng, 01327)"]
    assert Resolver(ref, None).resolve("ke hoach.xlsx", title, []).unit.commune_code == "02968"
    in_19 = Resolver(ref, "19").resolve("ke hoach.xlsx", title, [])
    assert (in_19.unit, in_19.rule, in_19.candidates) == (None, "wrong_province", ["Xã Thượng Hà (Tỉnh Lào Cai, 02968)"])
    # the targets workbook names a former commune without its type word ("Phi Hải", now part of Xã Quảng Uyên)
    named = Resolver(ref, "04").resolve_name("Phi Hải")
    assert (named.unit.commune_code, named.rule) == ("01576", "legacy_unit_name")


def test_a_former_unit_under_its_own_type_word_is_not_a_current_unit_of_another_type():
    """"UBND PHƯỜNG TÂY SƠN" is the former ward of Pleiku and An Khê (split between them), not Xã Tây Sơn of the former
    Bình Định; "Thị trấn Ngô Mây" became Xã Phù Cát, not Xã Ngô Mây. The accent-folded current names took them, with no
    word: a ward's plan was published as Xã Tây Sơn's and its real plan set aside (independent probe, Gia Lai, 12-06)."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    within = Resolver(load_reference(), "52")

    def of(title: str):
        return within.resolve("ke hoach.xlsx", [title, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [])

    split = of("UBND PHƯỜNG TÂY SƠN")
    assert (split.unit, split.rule) == (None, "commune_resolved")
    assert [c[-6:-1] for c in split.candidates] == ["23575", "23617"]
    assert split.value == "Phường Tây Sơn: đơn vị cũ, nay thuộc nhiều xã, phường"  # not the title block, motto and all
    town = of("UBND THỊ TRẤN NGÔ MÂY")
    assert (town.unit.commune_code, town.rule) == ("21853", "legacy_unit_name")
    for title in ("UBND XÃ TÂY SƠN", "UBND XA TAY SON"):  # the current commune, typed or folded
        assert (of(title).unit.commune_code, of(title).rule) == ("21808", None)
    # a name not found is quoted without the national motto that shares its row
    assert of("UBND XÃ HOA MẶT TRỜI   CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM").value == "UBND XÃ HOA MẶT TRỜI"
    # a current name under another type word that no former unit explains still finds its commune, as a last resort
    assert of("UBND PHƯỜNG IA KO").unit.commune_name == "Xã Ia Ko"



def test_a_file_whose_code_and_title_name_two_communes_is_not_given_to_either():
    """Đức Lương's plan saved as "05665_xa_van_lang_bo_sung.xlsx" became Văn Lăng's: its 31 villages counted twice in
    the province, Văn Lăng's own file set aside (independent probe). The contract makes any ambiguity the error
    commune_resolved, listing the candidates. A title naming the code's unit, or a former unit of it, agrees."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    within = Resolver(load_reference(), "19")
    title = ["UBND XÃ ĐỨC LƯƠNG", "KẾ HOẠCH PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"]
    mixed = within.resolve("05665_xa_van_lang_bo_sung.xlsx", title, [])
    assert (mixed.unit, mixed.rule) == (None, "commune_resolved")
    assert [c[-6:-1] for c in mixed.candidates] == ["05665", "05776"] and mixed.value == "mã 05665; UBND XÃ ĐỨC LƯƠNG"
    assert within.resolve("bieu.xlsx", title, ["05665"]).rule == "commune_resolved"  # a code in a cell, the same
    agrees = within.resolve("05776_bo_sung.xlsx", title, [])
    assert (agrees.unit.commune_code, agrees.rule) == ("05776", None)
    assert within.resolve("05665.xlsx", ["UBND XÃ VĂN LĂNG"], []).unit.commune_code == "05665"

def test_a_shorter_name_inside_another_province_s_current_name_is_not_the_run_s():
    """Within --province 33, "UBND XÃ ĐÔNG TRÀ BỒNG" (Quảng Ngãi today) became Hưng Yên's Đông Tiền Hải through the
    former "Xã Đông Trà", the first words of the name: the Quảng Ngãi plan replaced the Hưng Yên commune's own file and
    the province's poor rose by two thirds (independent probe, national run). The longest name wins: wrong_province.
    The same name whole (Thượng Hà, above) is still the run's former commune."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    title = ["UBND XÃ ĐÔNG TRÀ BỒNG", "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"]
    got = Resolver(load_reference(), "33").resolve("bieu giam ngheo xa dong tra bong.csv", title, [])
    assert (got.unit, got.rule) == (None, "wrong_province") and got.candidates == ["Xã Đông Trà Bồng (Tỉnh Quảng Ngãi, 21127)"]


def test_a_type_word_comma_or_district_is_no_part_of_a_folded_name():
    """A national run (independent probe): "UBND PHƯỜNG BÌNH THỌ, THÀNH PHỐ THỦ ĐỨC" was Xã Phương Bình of Cần Thơ (the
    type word folded into a name), "UBND phường Hội Nghĩa, Thành phố Tân Uyên" Xã Nghĩa Thành (a name across the comma),
    "UBND PHƯỜNG 12, QUẬN GÒ VẤP" Phường Gò Vấp (its file name's "go vap"), each accepted without a word and the last
    over Gò Vấp's own plan. Each is a former ward: its new unit, with legacy_unit_name; the numbered ward by its district."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    national = Resolver(load_reference(), None)
    for file_name, title, code in (
        ("KH giam ngheo binh tho.xlsx", "UBND PHƯỜNG BÌNH THỌ, THÀNH PHỐ THỦ ĐỨC", "26824"),
        ("KH giam ngheo hoi nghia.ods", "UBND phường Hội Nghĩa, Thành phố Tân Uyên", "25915"),
        ("KH giam ngheo phuong 12 go vap.xlsx", "UBND PHƯỜNG 12, QUẬN GÒ VẤP", "26882"),
    ):
        got = national.resolve(file_name, [title, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [])
        assert (got.unit and got.unit.commune_code, got.rule) == (code, "legacy_unit_name"), (title, got)
    # the current units themselves, typed or folded, as before
    assert national.resolve("x.xlsx", ["UBND XÃ PHƯƠNG BÌNH", "KẾ HOẠCH"], []).unit.commune_code == "31426"
    assert national.resolve("x.xlsx", ["UBND XA NGHIA THANH, TP HO CHI MINH"], []).unit.commune_code == "26617"


def test_abbreviated_former_towns_island_districts_and_longer_former_names():
    """A national run's needless refusals (independent probe): "UBND TT. Pác Miầu" (thị trấn abbreviated), "UBND huyện
    Lý Sơn" (the island district, a special zone today), "UBND xã An Hòa Tây, Huyện Ba Tri" (a former commune, offered
    as Xã An Hòa of two other provinces: the longest name wins)."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    national = Resolver(load_reference(), None)
    for title, code, rule in (("UBND TT. Pác Miầu, huyện Bảo Lâm", "01290", "legacy_unit_name"),
                              ("UBND TT Chợ Chu", "05569", "legacy_unit_name"),
                              ("UBND huyện Lý Sơn", "21548", None),
                              ("UBND xã An Hòa Tây, Huyện Ba Tri", "29167", "legacy_unit_name"),
                              ("UBND P.Bến Thành", "26743", None)):
        got = national.resolve("KH GN 01.xlsx", [title, "KẾ HOẠCH PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [])
        assert (got.unit and got.unit.commune_code, got.rule) == (code, rule), (title, got)
    assert national.resolve("x.xlsx", ["UBND XÃ AN HÒA"], []).rule == "commune_resolved"  # the current name, two provinces


def test_a_national_run_takes_the_province_a_title_names():
    """35 files of a national run named their province ("UBND xã Tân Tiến, tỉnh Đắk Lắk", a "TỈNH ĐẮK LẮK" line) and
    were refused as commune_resolved among seven Xã Tân Tiến (independent probe). The province the title names, by its
    current or former name, decides among the same-named units; a title naming none is still ambiguous."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    national = Resolver(load_reference(), None)
    for title in (["UBND XÃ TÂN TIẾN, tỉnh Đắk Lắk"], ["TỈNH ĐẮK LẮK", "UBND XÃ TÂN TIẾN"]):
        got = national.resolve("ke hoach.xlsx", [*title, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [])
        assert (got.unit and got.unit.commune_code, got.rule) == ("24526", None), got
    before_2025 = national.resolve("x.xlsx", ["UBND TỈNH BẮC KẠN", "UBND XÃ TÂN THÀNH"], [])  # now Thái Nguyên
    assert before_2025.unit.commune_code == "05923"
    assert national.resolve("x.xlsx", ["UBND XÃ TÂN TIẾN"], []).rule == "commune_resolved"


@pytest.mark.parametrize("province, file_name, title, want", [
    # a former unit by its district, however written: "Q.", "H.", "TX.", "TP.", a city's bare name
    (None, "x.xlsx", "UBND PHƯỜNG 12, Q. GÒ VẤP", "26882"),
    (None, "x.xlsx", "UBND TT. Tiệm Tôm, H. Ba Tri", "29167"),
    (None, "x.xlsx", "UBND Phường 10, Vũng Tàu", "26536"),
    (None, "x.xlsx", "UBND Phường 2, TX. Gò Công", "28297"),
    (None, "x.xlsx", "UBND Phường 9, TP. Cà Mau", "32002"),
    # a former commune with its district over today's commune of its name elsewhere
    (None, "x.xlsx", "UBND xã Vĩnh Hòa, huyện Ninh Giang, tỉnh Hải Dương", "11203"),
    # a former unit named as such beside the current one
    (None, "x.xlsx", "UBND xã Ba Tri (xã Vĩnh Hòa cũ)", "29110"),
    (None, "x.xlsx", "UBND HUYỆN ĐẢO CÔ TÔ", "07192"),
    (None, "29176_ke hoach.xlsx", "KẾ HOẠCH", "29167"),  # a former unit's code
    # within a province: another province's file, never one of the run's by a folded or former name
    ("33", "x.xlsx", "UBND xã Tân Tiến, tỉnh Đắk Lắk", "wrong_province"),
    ("19", "x.xlsx", "UBND xã Tân Thạnh, tỉnh Long An", "wrong_province"),
    ("19", "x.xlsx", "UBND XÃ TÂN THẠNH", "wrong_province"),
    ("91", "x.xlsx", "UBND HUYỆN ĐẢO CÔ TÔ", "wrong_province"),
    ("31", "x.xlsx", "UBND xã Ba Tri (xã Vĩnh Hòa cũ)", "wrong_province"),
    ("33", "x.xlsx", "UBND X. Hưng Long", "commune_resolved"),  # HCM's today, Hưng Yên's before: either
    # a numbered former ward of the run's province is not one of another province's named by its district
    ("68", "x.xlsx", "UBND PHƯỜNG 12, Q. GÒ VẤP", "wrong_province"),
    ("66", "x.xlsx", "UBND Phường 2, TX. Gò Công", "wrong_province"),
    ("68", "x.xlsx", "UBND PHƯỜNG 12, TP. ĐÀ LẠT", "24778"),
    (None, "x.xlsx", "UBND xã Hạ Long, huyện Vân Đồn", "06994"),
    # prose is no unit named as written ("tỷ lệ hộ" is no Phường Lê Hồ of Ninh Bình): the file name decides
    ("42", "bieu giam ngheo xa ky van.xlsx", "KẾ HOẠCH PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO", "18787"),
    (None, "bieu giam ngheo xa ky van.xlsx", "KẾ HOẠCH PHẤN ĐẤU GIẢM TỶ LỆ HỘ NGHÈO", "18787"),
])
def test_which_commune_a_second_national_probe_named(province, file_name, title, want):
    """A second national probe's cases (independent, 12-07): each was given to a wrong commune without a word, or
    refused though the title settles it. In a --province run, Hưng Yên took 19 files of other provinces, one
    ("UBND X. Hưng Long", HCM's) over Phường Đường Hào's own plan."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    got = Resolver(load_reference(), province).resolve(file_name, [title, "KẾ HOẠCH PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [])
    assert (got.unit.commune_code if got.unit else got.rule) == want, got


@pytest.mark.parametrize("province, lines, want", [
    ("33", ["UBND XÃ NAM TIỀN HẢI"], "13063"),  # was Xã Nam Cường, as the former Xã Nam Tiến of Huyện Tiền Hải
    (None, ["UBND TỈNH HƯNG YÊN", "UBND XÃ NAM TIỀN HẢI"], "13063"),
    ("33", ["ỦY BAN NHÂN DÂN XÃ NAM TIỀN HẢI", "Kính gửi: Sở Nông nghiệp", "UBND XÃ NAM TIỀN HẢI"], "13063"),  # named twice
    (None, ["UBND THÀNH PHỐ CẦN THƠ", "UBND XÃ AN THẠNH"], "31615"),  # was Vĩnh Long's Xã Thạnh Phú
    (None, ["UBND TỈNH CÀ MAU", "UBND XÃ KHÁNH AN"], "32059"),  # was An Giang's Xã Khánh Bình
])
def test_a_current_name_holding_a_former_name_and_its_district_is_the_current_unit(province, lines, want):
    """"Xã Nam Tiền Hải" reads "Nam Tiến" and "Tiền Hải" too: a former commune with its former district, which won over
    the current unit named as written; that file then superseded Xã Nam Cường's own plan (independent probe, Hưng Yên;
    two more in a national run). A former name and its district inside the current unit's name place nothing."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    got = Resolver(load_reference(), province).resolve("x.xlsx", [*lines, "PHỤ LỤC PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"], [])
    assert (got.unit.commune_code, got.rule) == (want, None), got


@pytest.mark.parametrize("province, lines, want", [
    (None, ["UBND XÃ CHÂU THÀNH", "TỈNH TIỀN GIANG"], "28519"),  # was Tây Ninh's 25585, without a word
    ("82", ["UBND XÃ CÁI BÈ", "HUYỆN CÁI BÈ, TỈNH TIỀN GIANG"], "28360"),  # was wrong_province "Tỉnh Tây Ninh"
    ("80", ["UBND PHƯỜNG LONG AN", "TỈNH LONG AN"], "27694"),
])
def test_a_former_province_is_the_province_most_of_its_units_are_in(province, lines, want):
    """The official list gives Tân An's Phường 4 (now Tây Ninh's Phường Long An) as Tiền Giang's: that one row made
    every title naming "Tỉnh Tiền Giang" Tây Ninh's, where its 164 other units say Đồng Tháp (independent probe,
    national run)."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    got = Resolver(load_reference(), province).resolve("x.xlsx", [*lines, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [])
    assert (got.unit.commune_code if got.unit else got.rule) == want, got


def test_a_unit_that_kept_its_name_is_no_old_name_whatever_district_the_title_names():
    """"UBND XÃ LONG HÒA / HUYỆN CHÂU THÀNH, TỈNH TRÀ VINH": Vĩnh Long's Xã Long Hòa kept its name ("Giữ nguyên"), and
    the file was told it used an old unit name (independent probe, national run). A former name that is not the unit's
    today still is one."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver

    national = Resolver(load_reference(), None)
    kept = national.resolve("x.xlsx", ["UBND XÃ LONG HÒA", "HUYỆN CHÂU THÀNH, TỈNH TRÀ VINH", "KẾ HOẠCH NĂM 2026"], [])
    assert (kept.unit.commune_code, kept.rule) == ("29413", None)
    renamed = national.resolve("x.xlsx", ["UBND PHƯỜNG 12, Q. GÒ VẤP", "KẾ HOẠCH NĂM 2026"], [])
    assert (renamed.unit.commune_code, renamed.rule) == ("26882", "legacy_unit_name")


def test_an_unresolved_file_quotes_its_naming_line_and_whole_candidates():
    """A national run's refusals quoted the plan's first title line, not the line naming the commune, and a list of 40
    former "Phường 1" was cut in the middle of a name at 500 characters (independent probe)."""
    from giamngheo.reference import load_reference
    from giamngheo.resolve import Resolver
    from giamngheo.submissions import candidates

    national = Resolver(load_reference(), None)
    got = national.resolve("x.xlsx", ["KẾ HOẠCH PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026", "Đơn vị: UBND xã Phúc Lộc"], [])
    assert (got.rule, got.value) == ("commune_resolved", "Đơn vị: UBND xã Phúc Lộc")
    units = [f"Phường {n} (Thành phố Hồ Chí Minh, {27000 + n})" for n in range(40)]
    said = candidates(units)
    assert len(said) <= 500 and said.endswith("; Phường 10 (Thành phố Hồ Chí Minh, 27010); … và 29 đơn vị khác")


# --- values of one village row ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["abc", "5 hộ", "12a", "?"])
def test_numeric(tmp_path, text):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", text, 5, 4, 1, 1], GOOD[1]])
    ins = inspect(path)
    f = the_failure(ins, "numeric", "C5", value=text, field="total_households")
    assert text in f["message"]


def test_integer(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", 120, 5.5, 4, 1, 1], GOOD[1]])
    ins = inspect(path)
    f = the_failure(ins, "integer", "D5", value="5.5", field="poor_households")
    assert "5,5" in f["message"]  # Vietnamese decimal mark for the auditor


def test_non_negative(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", 120, 5, -4, 1, 1], GOOD[1]])
    ins = inspect(path)
    the_failure(ins, "non_negative", "E5", value="-4", field="near_poor_households")


@pytest.mark.parametrize("total, value", [(0, "0"), (None, ""), ("-", "-")])
def test_total_positive(tmp_path, total, value):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", total, 0, 0, 0, 0], GOOD[1]])
    ins = inspect(path)
    the_failure(ins, "total_positive", "C5", value=value, field="total_households")


def test_formula_without_value(tmp_path):
    def formula(ws):
        ws["E5"] = "=C5-D5-111"  # openpyxl stores the formula and no cached value

    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, after=formula)
    ins = inspect(path)
    f = the_failure(ins, "formula_without_value", "E5", field="near_poor_households")
    assert "C5-D5-111" in f["value"]
    assert "C5-D5-111" in f["message"]


def test_excel_error_values_are_reported_at_their_cells(tmp_path):
    """A broken formula's saved error ("#REF!", "#DIV/0!") is no figure: calamine gives such a cell as empty, and a
    "#REF!" in the total households read as a village with none (total_positive, and the poor "above" a total of 0)."""
    def broken(ws):
        ws["C5"] = "#REF!"  # openpyxl writes these as cells of type "e", as Excel does
        ws["D6"] = "#DIV/0!"

    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", GOOD, after=broken))
    assert rules(ins) == {"numeric"} and rejected(ins)
    got = {f["cell"]: f for f in failures(ins)}
    assert sorted(got) == ["C5", "D6"]
    assert (got["C5"]["field"], got["C5"]["value"], got["D6"]["field"], got["D6"]["value"]) == (
        "total_households", "#REF!", "poor_households", "#DIV/0!")
    assert "Excel báo lỗi công thức" in got["C5"]["message"] and "#REF!" in got["C5"]["message"]
    assert "formula error" in got["D6"]["message_en"]


def test_an_excel_error_in_a_name_or_a_rate_is_no_text(tmp_path):
    """An error value reads as empty where text is read: a village named "#REF!" is a row with no name; a stated rate of
    "#DIV/0!" is no rate to compare (the rate is computed from the counts)."""
    header = [*HEADER[:4], "Tỷ lệ hộ nghèo (%)", *HEADER[4:]]
    rows = [[1, "#REF!", 120, 5, 4.17, 4, 1, 1], [2, "Thôn Đồng Tâm", 200, 8, "#DIV/0!", 6, 2, 1]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows, header=header))
    assert [(f["rule"], f["cell"]) for f in failures(ins)] == [("village_named", "B5")]


def test_excel_error_values_of_an_xls(tmp_path, monkeypatch):
    """An .xls keeps an error as a BOOLERR record, or as the saved result of a formula: read from its records."""
    import struct

    xlwt = pytest.importorskip("xlwt")
    records = pytest.importorskip("xlwt.BIFFRecords")

    def saved_div0(self, row, col, xf_index, rpn, calc_flags=0):  # xlwt saves "" as a formula's result; Excel, "#DIV/0!"
        result = bytes([2, 0, 0x07, 0, 0, 0, 0xFF, 0xFF])
        self._rec_data = struct.pack("<3H", row, col, xf_index) + result + struct.pack("<HL", calc_flags & 3, 0) + rpn

    monkeypatch.setattr(records.FormulaRecord, "__init__", saved_div0)
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Phụ lục", cell_overwrite_ok=True)
    for r, row in enumerate([[TITLE], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], [], HEADER, *GOOD]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.row(4).set_cell_error(2, "#REF!")
    ws.row(5).set_cell_error(4, 0x2A)  # "#N/A" (xlwt knows it by its code only)
    ws.write(5, 3, xlwt.Formula("E6/0"))
    wb.save(str(tmp_path / "bieu.xls"))
    ins = inspect(tmp_path / "bieu.xls")
    assert sorted((f["rule"], f["cell"], f["value"]) for f in failures(ins)) == [
        ("numeric", "C5", "#REF!"), ("numeric", "D6", "#DIV/0!"), ("numeric", "E6", "#N/A")]


def test_excel_error_values_of_an_ods(tmp_path):
    """LibreOffice saves a formula whose result is an error as an empty string marked calcext:value-type="error", its
    error as the cell's text: calamine gives it as empty (a stand-in value 0 in other writers' files)."""
    import zipfile

    rows = [[1, "Thôn Na Thành", "§ERR§", 5, 4, 1, 1], GOOD[1]]
    grid = Grid([[TITLE], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], [], HEADER, *rows], "Phụ lục")
    written = write_book(tmp_path / "viet.ods", grid)
    content = zipfile.ZipFile(written).read("content.xml")
    content = content.replace(b'<office:document-content ', b'<office:document-content '
                              b'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ', 1)
    content = content.replace(b'office:value-type="string"><text:p>\xc2\xa7ERR\xc2\xa7</text:p>',
                              b'table:formula="of:=[.A9]/0" office:value-type="string" office:string-value="" '
                              b'calcext:value-type="error"><text:p>#DIV/0!</text:p>')
    assert b"#DIV/0!" in content
    path = tmp_path / "bieu.ods"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            out.writestr(item, content if item.filename == "content.xml" else src.read(item.filename))
    f = the_failure(inspect(path), "numeric", "C5", value="#DIV/0!", field="total_households")
    assert "Excel báo lỗi công thức" in f["message"]


def test_a_formula_without_a_saved_value_in_an_ods(tmp_path):
    """`<table:table-cell table:formula="of:=1+1"/>`, no result saved (a program writing the file, not LibreOffice):
    calamine gives 0, and the count was read as no poor household, the commune accepted (auditors judge, Hà Nội). As an
    .xlsx's such cell: formula_without_value at its cell."""
    import zipfile

    rows = [[1, "Thôn Na Thành", 120, "§F§", 4, 1, 1], GOOD[1]]
    grid = Grid([[TITLE], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], [], HEADER, *rows], "Phụ lục")
    written = write_book(tmp_path / "viet.ods", grid)
    content = zipfile.ZipFile(written).read("content.xml")
    content, n = re.subn(rb'<table:table-cell [^>]*office:value-type="string"[^>]*><text:p>\xc2\xa7F\xc2\xa7</text:p>'
                         rb'</table:table-cell>', b'<table:table-cell table:formula="of:=1+1"/>', content)
    assert n == 1
    path = tmp_path / "bieu.ods"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            out.writestr(item, content if item.filename == "content.xml" else src.read(item.filename))
    assert sorted((f["rule"], f["cell"], f["value"]) for f in failures(inspect(path))) == [
        ("formula_without_value", "D5", "=1+1")]


@pytest.mark.parametrize(
    "moves, rows, want",
    [
        (["Thoát nghèo"], [[1, "Thôn Na Thành", 120, 6, 9, 5, 2], [2, "Thôn Đồng Tâm", 200, 8, 2, 1, 7]], [("E5", "9", "6")]),
        # each part within the start, together above it: reported at the start's cell
        (
            ["Thoát nghèo", "Chuyển sang hộ cận nghèo"],
            [[1, "Thôn Na Thành", 120, 6, 4, 3, 5, 4], [2, "Thôn Đồng Tâm", 200, 8, 2, 0, 1, 7]],
            [("D5", "7", "6")],
        ),
    ],
)
def test_decrease_le_start(tmp_path, moves, rows, want):
    """More households leaving poverty than were poor at the start, the balance kept by newly poor (6 − 9 + 5 = 2): the
    results were accepted (independent probe, 12-06)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in [[TITLE], ["BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO CUỐI NĂM 2026"], [],
                 ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo đầu kỳ", *moves, "Phát sinh mới", "Số hộ nghèo cuối kỳ"], *rows]:
        ws.append(line)
    wb.save(tmp_path / "ket qua.xlsx")
    ins = inspect(tmp_path / "ket qua.xlsx")
    got = [(f["cell"], f["value"], f["expected"]) for f in failures(ins, "decrease_le_start")]
    assert got == want and rules(ins) == {"decrease_le_start"} and rejected(ins)
    assert "nhiều hơn số hộ đầu kỳ (6)" in failures(ins)[0]["message"]


def test_poor_le_total(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", 120, 130, 4, 1, 1], GOOD[1]])
    the_failure(inspect(path), "poor_le_total", "D5", value="130", expected="120")


def test_near_poor_le_total(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [GOOD[0], [2, "Thôn Đồng Tâm", 200, 8, 201, 2, 1]])
    the_failure(inspect(path), "near_poor_le_total", "E6", value="201", expected="200")


def test_poor_plus_near_poor_le_total(tmp_path):
    path = plan_xlsx(tmp_path / "bieu.xlsx", [[1, "Thôn Na Thành", 120, 70, 60, 1, 1], GOOD[1]])
    f = the_failure(inspect(path), "poor_plus_near_poor_le_total", "E5", value="130", expected="120")
    # the sum no cell holds, with its parts: E5 holds 60 (auditor's trace judge, Cần Thơ)
    assert f["message"] == "Ô E5: hộ nghèo cộng hộ cận nghèo (70 + 60 = 130) lớn hơn tổng số hộ (120).", f["message"]


def test_reduction_le_baseline(tmp_path):
    rows = [[1, "Thôn Na Thành", 120, 5, 4, 6, 1], [2, "Thôn Đồng Tâm", 200, 8, 6, 2, 7]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    assert rules(ins) == {"reduction_le_baseline"}
    got = sorted((f["cell"], f["field"], f["value"], f["expected"], f["severity"]) for f in failures(ins))
    assert got == [
        ("F5", "poor_reduction_target", "6", "5", "error"),
        ("G6", "near_poor_reduction_target", "7", "6", "error"),
    ]
    assert all(f["cell"] in f["message"] for f in failures(ins))
    assert rejected(ins)


def test_village_named(tmp_path):
    rows = [GOOD[0], [2, None, 100, 2, 2, 0, 0], [3, "Thôn Đồng Tâm", 200, 8, 6, 2, 1]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    the_failure(ins, "village_named", "B6")


# --- unique village names ---------------------------------------------------------------------------


def test_unique_village_exact_repeat(tmp_path):
    rows = [GOOD[0], [2, "Thôn Na Thành", 200, 8, 6, 2, 1]]
    f = the_failure(inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows)), "unique_village", "B6", value="Thôn Na Thành",
                    expected="5, 6")
    assert "Thôn Na Thành" in f["message"]


def test_unique_village_tone_placement_is_the_same_village(tmp_path):
    rows = [[1, "Thôn Thuỷ Lợi", 120, 5, 4, 1, 1], [2, "Thôn Thủy Lợi", 200, 8, 6, 2, 1]]
    the_failure(inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows)), "unique_village", "B6", value="Thôn Thủy Lợi")


def test_unique_village_case_spaces_and_nfd_are_the_same_village(tmp_path):
    nfd = unicodedata.normalize("NFD", "Xóm Đình")
    rows = [[1, "Xóm Đình", 120, 5, 4, 1, 1], [2, "Thôn 3", 100, 1, 1, 0, 0], [3, "  XÓM  ĐÌNH ", 90, 1, 1, 0, 0],
            [4, nfd, 80, 1, 1, 0, 0]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    assert rules(ins) == {"unique_village"}
    assert sorted(f["cell"] for f in failures(ins)) == ["B7", "B8"]
    assert rejected(ins)


def test_accents_make_different_villages(tmp_path):
    rows = [[1, "Na Thành", 120, 5, 4, 1, 1], [2, "Nà Thành", 200, 8, 6, 2, 1], [3, "Nả Thành", 90, 1, 1, 0, 0]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    assert failures(ins) == []
    assert [v[0] for v in villages(ins)] == ["Na Thành", "Nà Thành", "Nả Thành"]


def test_same_name_in_two_sections_is_not_a_duplicate(tmp_path):
    rows = [
        ["I", "Xã Phú Thịnh (cũ)", 320, 13, 10, 3, 2],
        [1, "Thôn 1", 120, 5, 4, 1, 1],
        [2, "Thôn 2", 200, 8, 6, 2, 1],
        ["II", "Xã Phú Lạc (cũ)", 150, 3, 3, 1, 1],
        [1, "Thôn 1", 100, 2, 2, 1, 1],
        [2, "Thôn 2", 50, 1, 1, 0, 0],
        [None, "Tổng cộng", 470, 16, 13, 4, 3],
    ]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    assert failures(ins) == []
    assert [(v[0], v[1]) for v in villages(ins)] == [
        ("Thôn 1", "I. Xã Phú Thịnh (cũ)"), ("Thôn 2", "I. Xã Phú Thịnh (cũ)"),
        ("Thôn 1", "II. Xã Phú Lạc (cũ)"), ("Thôn 2", "II. Xã Phú Lạc (cũ)"),
    ]


def test_same_name_twice_within_a_section_is_a_duplicate(tmp_path):
    rows = [
        ["I", "Xã Phú Thịnh (cũ)", 320, 13, 10, 3, 2],
        [1, "Thôn 1", 120, 5, 4, 1, 1],
        [2, "Thôn 2", 200, 8, 6, 2, 1],
        ["II", "Xã Phú Lạc (cũ)", 150, 3, 3, 1, 1],
        [1, "Thôn 1", 100, 2, 2, 1, 1],
        [2, "Thôn 1", 50, 1, 1, 0, 0],
        [None, "Tổng cộng", 470, 16, 13, 4, 3],
    ]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    the_failure(ins, "unique_village", "B10", value="Thôn 1", expected="9, 10")


# --- declared totals ----------------------------------------------------------------------------------


def test_total_row_matches_sum_grand_total(tmp_path):
    rows = GOOD + [[None, "Tổng cộng", 330, 13, 10, 3, 2]]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    f = the_failure(ins, "total_row_matches_sum", "C7", value="330", expected="320", field="total_households")
    assert "330" in f["message"] and "320" in f["message"]
    assert sum(v[2] for v in villages(ins)) == 320  # the rows are used


def test_total_row_matches_sum_section_subtotal(tmp_path):
    rows = [
        ["I", "Xã Phú Thịnh (cũ)", 320, 13, 10, 3, 2],
        [1, "Thôn 1", 120, 5, 4, 1, 1],
        [2, "Thôn 2", 200, 8, 6, 2, 1],
        ["II", "Xã Phú Lạc (cũ)", 150, 30, 3, 1, 1],  # poor: the villages below hold 3
        [1, "Thôn 3", 100, 2, 2, 1, 1],
        [2, "Thôn 4", 50, 1, 1, 0, 0],
        [None, "Tổng cộng", 470, 16, 13, 4, 3],
    ]
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    the_failure(ins, "total_row_matches_sum", "D8", value="30", expected="3", field="poor_households")
    # subtotals and the grand total are never village rows, never counted twice
    assert [v[0] for v in villages(ins)] == ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4"]
    assert ins.villages["total_households"].sum() == 470


def test_total_first_row_matches_sum(tmp_path):
    rows = [[None, "Toàn xã", 320, 14, 10, 3, 2]] + GOOD
    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", rows))
    the_failure(ins, "total_row_matches_sum", "D5", value="14", expected="13")


# --- stated rates -----------------------------------------------------------------------------------------

RATE_HEADER = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)", "Số hộ cận nghèo",
               "Chỉ tiêu giảm hộ nghèo", "Tỷ lệ giảm (%)"]
#                A       B            C              D               E                      F
#                G                          H


def rate_xlsx(path: Path, rows: list[list], formats: dict[str, str] | None = None) -> Path:
    def fmt(ws):
        for row in ws.iter_rows(min_row=FIRST_ROW):
            for cell in row:
                if formats and cell.column_letter in formats:
                    cell.number_format = formats[cell.column_letter]

    return plan_xlsx(path, rows, header=RATE_HEADER, after=fmt)


def test_rate_matches_counts_wrong_rate(tmp_path):
    rows = [[1, "Thôn A", 5441, 43, 0.79, 10, 43, 0.79], [2, "Thôn B", 200, 8, 4.0, 6, 2, 1.0],
            [3, "Thôn C", 300, 9, 5.0, 6, 2, 0.67]]
    ins = inspect(rate_xlsx(tmp_path / "bieu.xlsx", rows))
    f = the_failure(ins, "rate_matches_counts", "E7", field="poor_rate")
    assert float(f["value"]) == 5.0
    assert float(f["expected"]) == 3.0
    assert "E7" in f["message"]
    assert not rejected(ins)


def test_rate_one_decimal_is_not_flagged(tmp_path):
    # 43 / 5441 = 0.790 %, shown with one decimal as 0.8; 9 / 300 = 3.0
    rows = [[1, "Thôn A", 5441, 43, 0.8, 10, 43, 0.8], [2, "Thôn B", 200, 8, 4.0, 6, 2, 1.0],
            [3, "Thôn C", 300, 9, 3.0, 6, 2, 0.7]]
    assert failures(inspect(rate_xlsx(tmp_path / "bieu.xlsx", rows))) == []


def test_rate_excel_percentage_cells_are_understood(tmp_path):
    # 0.0079 in a 0.00% cell is 0.79 %
    rows = [[1, "Thôn A", 5441, 43, 0.0079, 10, 43, 0.0079], [2, "Thôn B", 200, 8, 0.04, 6, 2, 0.01],
            [3, "Thôn C", 300, 9, 0.03, 6, 2, 0.0067]]
    ins = inspect(rate_xlsx(tmp_path / "bieu.xlsx", rows, {"E": "0.00%", "H": "0.00%"}))
    assert failures(ins) == []


def test_rate_excel_percentage_cell_wrong_is_flagged(tmp_path):
    rows = [[1, "Thôn A", 5441, 43, 0.0079, 10, 43, 0.0079], [2, "Thôn B", 200, 8, 0.04, 6, 2, 0.01],
            [3, "Thôn C", 300, 9, 0.05, 6, 2, 0.0067]]
    ins = inspect(rate_xlsx(tmp_path / "bieu.xlsx", rows, {"E": "0.00%", "H": "0.00%"}))
    f = the_failure(ins, "rate_matches_counts", "E7", field="poor_rate")
    assert float(f["expected"]) == 3.0


def test_rate_over_poor_households_for_the_whole_column_is_not_flagged(tmp_path):
    # "Tỷ lệ giảm" = reduction / poor households * 100, in every row of the column
    rows = [[1, "Thôn A", 1000, 40, 4.0, 10, 10, 25.0], [2, "Thôn B", 200, 8, 4.0, 6, 2, 25.0],
            [3, "Thôn C", 300, 9, 3.0, 6, 3, 33.3]]
    assert failures(inspect(rate_xlsx(tmp_path / "bieu.xlsx", rows))) == []


# --- hidden content -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_hidden_row_inside_the_table(tmp_path, fmt):
    """A hidden village row (openpyxl, xlwt, odfpy: table:visibility="collapse") is read and flagged."""
    rows = [[TITLE], ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], [], HEADER, *GOOD, [3, "Thôn Khuổi Mu", 90, 2, 1, 0, 0]]
    ins = inspect(write_book(tmp_path / f"bieu.{fmt}", Grid(rows, "Phụ lục", hidden_rows={6})))
    # hidden rows are read like the rest
    assert [v[0] for v in villages(ins)] == ["Thôn Na Thành", "Thôn Đồng Tâm", "Thôn Khuổi Mu"]
    assert rules(ins) == {"hidden_content"}
    (f,) = failures(ins)
    assert (f["cell"], f["row"], f["severity"]) == ("A6", 6, "warning")
    assert "A6" in f["message"] or "dòng 6" in f["message"]
    assert not rejected(ins)


def test_hidden_column_inside_the_table(tmp_path):
    def hide(ws):
        ws.column_dimensions["G"].hidden = True

    ins = inspect(plan_xlsx(tmp_path / "bieu.xlsx", GOOD, after=hide))
    assert rules(ins) == {"hidden_content"}
    (f,) = failures(ins)
    assert f["severity"] == "warning" and f["column"] == 7 and f["field"] == "near_poor_reduction_target"
    assert "G" in f["message"]
    assert ins.villages["near_poor_reduction_target"].to_list() == [1, 1]
    assert not rejected(ins)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_table_on_a_hidden_sheet_is_read_and_flagged(tmp_path, fmt):
    letter = Grid([[TITLE], ["Kính gửi: Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên"]], "Công văn")
    table = Grid([["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO NĂM 2026"], HEADER, *GOOD], "Phụ lục", hidden=True)
    ins = inspect(write_book(tmp_path / f"bieu.{fmt}", [letter, table]))
    assert [v[0] for v in villages(ins)] == ["Thôn Na Thành", "Thôn Đồng Tâm"]
    assert rules(ins) == {"hidden_content"}
    (f,) = failures(ins)
    assert f["severity"] == "warning" and f["source_sheet"] == "Phụ lục" and f["cell"] is None
    assert "Phụ lục" in f["message"]
    assert not rejected(ins)


# --- messages -----------------------------------------------------------------------------------------------


def test_messages_are_one_line(tmp_path):
    """The message is one sentence for the auditor: no line breaks carried over from title cells."""
    path = plan_xlsx(tmp_path / "bieu.xlsx", GOOD, title="UBND PHƯỜNG CAM GIÁ")
    for f in failures(inspect(path)):
        assert "\n" not in f["message"], f["message"]
        assert "\n" not in f["message_en"], f["message_en"]


# --- wrong_year ------------------------------------------------------------------------------


def test_wrong_year_names_both_years(tmp_path):
    """At the title line naming the year (it had no cell though the line's was known; bundles judge, Lào Cai)."""
    path = plan_xlsx(tmp_path / "p.xlsx", GOOD)  # "… NĂM 2026"
    f = the_failure(inspect_file(path, province=PROVINCE, year=2027), "wrong_year", "A2", value="2026", expected="2027")
    assert "2026" in f["message"] and "2027" in f["message"]


@pytest.mark.parametrize("line", [
    "Phú Thịnh, ngày 15 tháng 12 năm 2025",  # the signing date
    "Căn cứ Kế hoạch số 45/KH-UBND năm 2025 của UBND tỉnh",  # a citation
    "Giai đoạn 2022 - 2025 và kết quả cuối năm 2025",  # a period, the year's end
])
def test_other_years_in_the_title_are_not_the_report_year(tmp_path, line):
    def above(ws):
        ws.insert_rows(1)
        ws["A1"] = line
    path = plan_xlsx(tmp_path / "p.xlsx", GOOD, after=above)
    ins = inspect_file(path, province=PROVINCE, year=2026)
    assert ins.data.year == 2026
    assert "wrong_year" not in rules(ins)


def test_a_recomputed_rate_is_quoted_with_two_decimals():
    """"tính từ số hộ được 3,2" for 3,20: the forms show rates with two decimals (independent probe, Gia Lai)."""
    import polars as pl

    from giamngheo.failures import finish

    failure = pl.DataFrame(
        {
            "source_file": ["f.xlsx"],
            "source_sheet": ["S"],
            "row": [24],
            "column": [5],
            "commune_code": ["05800"],
            "field": ["poor_rate"],
            "rule": ["rate_matches_counts"],
            "value": ["3,14"],
            "expected": ["3.2"],
            "detail": [None],
            "kind": ["plan"],
        },
        schema_overrides={"detail": pl.Utf8},
    )
    row = finish(failure, "r").row(0, named=True)
    assert "được 3,20" in row["message"] and "3.20" in row["message_en"] and row["expected"] == "3.2"


@pytest.mark.parametrize("cells", [{"E5": "=ROUND(D5/C5*100,2)", "E6": "=ROUND(D6/C6*100,2)"}, {"C7": "=SUM(C5:C6)"}])
def test_a_formula_without_value_in_a_cell_only_checked_rejects_nothing(tmp_path, cells):
    """Rates "=ROUND(D5/C5*100,2)" or a "Tổng cộng" "=SUM(C5:C6)" saved by a program that stores no value: every figure
    was there, and the plan was rejected (formula_without_value, an error; legacy formats judge, Quảng Trị). A rate is
    recomputed from its counts and a total's rows are summed: the warning formula_not_used at each cell."""
    rows = [[1, "Thôn Na Thành", 200, 10, 5.0, 8, 2], [2, "Thôn Pác Cáp", 100, 4, 4.0, 3, 1],
            [None, "Tổng cộng", 300, 14, 4.67, 11, 3]]

    def formulas(ws):
        for cell, formula in cells.items():
            ws[cell] = formula

    header = ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Tỷ lệ hộ nghèo (%)", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo"]
    path = plan_xlsx(tmp_path / "bieu.xlsx", rows, after=formulas, header=header)
    ins = inspect(path)
    said = ins.failures.filter(ins.failures["rule"] != "rate_matches_counts")
    assert sorted(said.select("rule", "cell", "severity").rows()) == [("formula_not_used", c, "warning") for c in sorted(cells)]
    assert "chỉ để đối chiếu" in said["message"][0] and next(iter(cells.values())) in said["message"][0]
