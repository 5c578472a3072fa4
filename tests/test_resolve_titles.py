"""Finding a file's commune from its title and name when the title holds words of prose or former units (layouts
judge, Điện Biên): a commune's name inside prose, a former ward written with other accents than a current ward
elsewhere, and a line of the former units merged into the commune."""

from __future__ import annotations

import pytest

from giamngheo.reference import load_reference
from giamngheo.resolve import Resolver

RESULTS_TITLES = ["TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026", "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO NĂM 2026"]


@pytest.fixture(scope="module")
def ref():
    return load_reference()


@pytest.mark.parametrize("province", [None, "11"])
def test_a_name_inside_prose_is_no_commune_over_a_former_name_as_written(ref, province):
    """"TỔNG HỢP DIỄN BIẾN HỘ NGHÈO" ("dien bien ho ngheo") holds Xã Biển Hồ of Gia Lai untyped: it beat the former
    "UBND XÃ LAO XẢ PHÌNH" (now Xã Sín Chải) and the file's name, and the results were another province's."""
    name = "Ket qua ra soat 2026 - Xa Sin Chai.xlsx"
    found = Resolver(ref, province).resolve(name, ["UBND XÃ LAO XẢ PHÌNH", *RESULTS_TITLES], [])
    assert (found.unit and found.unit.commune_code, found.rule) == ("03226", "legacy_unit_name")
    plain = Resolver(ref, province).resolve(name, RESULTS_TITLES, [])
    assert (plain.unit and plain.unit.commune_code, plain.rule) == ("03226", None)


def test_a_former_ward_is_not_a_current_ward_of_other_accents_elsewhere(ref):
    """"UBND PHƯỜNG TÂN THANH" (merged whole into Phường Điện Biên Phủ) under --province 11 was ambiguous with the
    Phường Tân Thành of Hồ Chí Minh City and Cà Mau: accent-folded alike, written otherwise."""
    found = Resolver(ref, "11").resolve("Bieu phan bo chi tieu 2026 - Phuong Dien Bien Phu.xlsx", [
        "UBND PHƯỜNG TÂN THANH", "PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026"], [])
    assert (found.unit and found.unit.commune_code, found.rule) == ("03127", "legacy_unit_name")


@pytest.mark.parametrize("aside", ["(Tổng hợp số liệu của xã Thanh An, xã Noong Hẹt, xã Sam Mứn trước sắp xếp)",
                                   "(sáp nhập từ xã Thanh An, xã Noong Hẹt, xã Sam Mứn)"])
def test_a_line_of_the_former_units_names_no_other_commune(ref, aside):
    """"UBND Xã Thanh An" over "(… xã Thanh An, xã Noong Hẹt, xã Sam Mứn trước sắp xếp)": Sam Mứn is a commune today
    too, and the plan was refused as ambiguous at A1, which names Thanh An alone."""
    found = Resolver(ref, "11").resolve("Bieu phan bo chi tieu 2026 - Xa Thanh An.xlsx", [
        "UBND Xã Thanh An", "PHÂN BỔ CHỈ TIÊU GIẢM HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2026", aside], [])
    assert (found.unit and found.unit.commune_code) == "03352"


@pytest.mark.parametrize("title,code", [
    (["UBND XÃ CHÂU THÀNH", "(Sáp nhập từ thị trấn Châu Thành, xã Đa Lộc, xã Mỹ Chánh, xã Thanh Mỹ - huyện Châu Thành cũ)"],
     "29374"),
    (["UBND XÃ THẠNH PHÚ", "(Sáp nhập từ thị trấn Thạnh Phú, xã An Thạnh, xã Bình Thạnh, xã Mỹ An - huyện Thạnh Phú cũ)"],
     "29182"),
])
def test_a_merger_note_under_the_current_name_names_no_former_unit_of_the_file(ref, title, code):
    """"UBND XÃ CHÂU THÀNH" over "(Sáp nhập từ thị trấn Châu Thành, … - huyện Châu Thành cũ)": the note's split former
    town made the plan ambiguous (commune_resolved at A2), every file of the commune lost; where its former units all
    became the commune, a false legacy_unit_name (southern names judge, Vĩnh Long)."""
    found = Resolver(ref, "86").resolve("Ke hoach giam ngheo 2026.xlsx", [*title, "KẾ HOẠCH GIẢM NGHÈO NĂM 2026"], [])
    assert (found.unit and found.unit.commune_code, found.rule) == (code, None)
