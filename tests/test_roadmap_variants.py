"""Roadmaps in layouts a probe of hand-made files found misread (the sample generator writes none of them): a row of
the poor's rate among the targets (read as a support of households: non-integer, the whole roadmap rejected), the
poor's stock at the start of each year among the targets (read as a second reduction: false roadmap_matches_plan and
roadmap_within_baseline), a year's header with an aside ("Năm 2026 (năm kế hoạch)": the year lost). Each fails on the
previous code."""

from __future__ import annotations

from pathlib import Path

import pytest

from layouts.grids import Grid, write_book

from giamngheo.parse import parse_workbook
from giamngheo.readers.grid import Limits

YEARS = ["Năm 2026", "Năm 2027", "Năm 2028", "Năm 2029", "Năm 2030"]


def _roadmap(path: Path, extra: list | None = None, years=YEARS) -> Path:
    return _sheet(path, [
        ["UBND XÃ THANH MAI"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "Đơn vị tính", *years],
        ["I", "Mục tiêu giảm nghèo"],
        *([extra] if extra else []),
        [1, "Số hộ nghèo giảm", "Hộ", 22, 20, 15, 12, 10],
        [2, "Số hộ cận nghèo giảm", "Hộ", 6, 5, 5, 4, 3],
        ["II", "Kinh phí thực hiện"],
        [1, "Tổng kinh phí", "Triệu đồng", 900.5, 795, 700, 615, 530],
    ])


def _items(path: Path) -> tuple[dict, list[dict]]:
    """{(item, year): value} of the roadmap's tables, and the file's failures."""
    data = parse_workbook(path, Limits())
    found = {}
    for t in data.tables:
        assert t.kind == "roadmap", t.kind
        for item, year, num in zip(t.rows["item"], t.rows["year"], t.rows["value__num"]):
            assert (item, year) not in found, f"{item} {year} twice"
            found[(item, year)] = num
    return found, data.failures


def test_a_rate_row_among_the_targets(tmp_path):
    items, failures = _items(
        _roadmap(tmp_path / "lo trinh.xlsx", [None, "Tỷ lệ hộ nghèo cuối năm (%)", "%", 2.5, 2.1, 1.8, 1.5, 1.2])
    )
    assert items[("poor_reduction", "2026")] == 22 and items[("budget_total", "2030")] == 530
    assert not any("ty_le" in item for item, _ in items)


def test_the_poor_at_the_start_of_each_year_among_the_targets(tmp_path):
    items, failures = _items(_roadmap(tmp_path / "lo trinh.xlsx", [None, "Số hộ nghèo đầu năm", "Hộ", 112, 90, 70, 55, 43]))
    assert [k for k in items if k[1] == "2026"] == [
        ("poor_reduction", "2026"),
        ("near_poor_reduction", "2026"),
        ("budget_total", "2026"),
    ]
    assert items[("poor_reduction", "2026")] == 22
    assert [(f["rule"], f["row"], f["value"]) for f in failures] == [("row_not_used", 6, "Số hộ nghèo đầu năm")]


def test_a_year_with_an_aside(tmp_path):
    years = ["Năm 2026 (năm kế hoạch)", "Năm 2027", "Năm 2028", "Năm 2029", "Năm 2030"]
    items, failures = _items(_roadmap(tmp_path / "lo trinh.xlsx", years=years))
    assert items[("poor_reduction", "2026")] == 22 and sorted({y for _, y in items}) == ["2026", "2027", "2028", "2029", "2030"]


# ---- money in đồng, the period's totals (each fails on the code before 2026-12-06)

def _sheet(path: Path, lines: list, merges=()) -> Path:
    return write_book(path, Grid(lines, "Lộ trình", merges=list(merges)))


def _in_million_vnd(path: Path) -> dict:
    """{(item, year): (value, unit)} as the roadmap's figures take them (transforms.roadmap.roadmap_items)."""
    import polars as pl

    from transforms.roadmap import roadmap_items

    data = parse_workbook(path, Limits())
    typed = pl.concat([pl.DataFrame({"table_id": i, "row": t.rows["row"], "row_kind": t.rows["kind"], "year": t.rows["year"],
                                     "item": t.rows["item"], "item_label": t.rows["item_label"], "item_kind": t.rows["item_kind"],
                                     "unit": t.rows["unit"], "value": pl.Series(t.rows["value__num"], dtype=pl.Float64)})
                       for i, t in enumerate(data.tables)])
    tables = pl.DataFrame({"table_id": range(len(data.tables)), "commune_code": "05800", "source_file": "f", "source_sheet": "s"})
    items = roadmap_items(typed.lazy(), tables.lazy()).collect()
    return {(r["item"], r["year"]): (r["value"], r["unit"]) for r in items.iter_rows(named=True)}


def test_a_budget_in_dong_by_its_unit_cell(tmp_path):
    # 900,500,000 đồng was published as 900,500,000 million VND
    path = _sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "Đơn vị tính", *YEARS],
        ["I", "Chỉ tiêu giảm nghèo"], [1, "Số hộ nghèo giảm", "Hộ", 31, 20, 15, 12, 10],
        ["II", "Kinh phí thực hiện"], [1, "Tổng kinh phí", "Đồng", 900500000, 795000000, 700000000, 615000000, 530000000],
        [2, "Huy động xã hội", "Đồng", 50000000, 45000000, 40000000, 35000000, 30000000],
    ])
    items = _in_million_vnd(path)
    assert items[("budget_total", "2026")] == (900.5, "million_vnd") and items[("budget_social", "2030")] == (30.0, "million_vnd")
    assert items[("poor_reduction", "2026")] == (31.0, "households")


def test_a_budget_in_dong_by_the_title_or_its_label(tmp_path):
    path = _sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], ["Đơn vị tính: hộ; đồng"],
        ["Năm", "Số hộ thoát nghèo", "Tổng kinh phí", "Vốn lồng ghép (nghìn đồng)"],
        *[[y, 10 + i, 750_000_000, 50_000] for i, y in enumerate(YEARS)],
    ])
    items = _in_million_vnd(path)
    assert items[("budget_total", "2026")] == (750.0, "million_vnd") and items[("budget_integrated", "2027")] == (
        50.0,
        "million_vnd",
    )
    assert items[("poor_reduction", "2028")] == (12.0, "households")


def test_the_whole_periods_column_and_row_are_its_totals(tmp_path):
    across, failures = _items(_sheet(tmp_path / "ngang.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", *YEARS, "Cả giai đoạn"],
        [1, "Số hộ nghèo giảm", 45, 20, 15, 12, 10, 102], [2, "Tổng kinh phí", 900.5, 795, 700, 615, 530, 3540.5],
    ]))
    assert across[("poor_reduction", "total")] == 102 and across[("budget_total", "total")] == 3540.5 and failures == []
    down, failures = _items(_sheet(tmp_path / "doc.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["Năm", "Số hộ thoát nghèo", "Tổng kinh phí (triệu đồng)"],
        *[[y, 10 + i, 500] for i, y in enumerate(YEARS)],
        ["Tổng giai đoạn 2026-2030", 60, 2500],
    ]))
    assert down[("poor_reduction", "total")] == 60 and down[("budget_total", "total")] == 2500 and failures == []


def test_a_line_after_the_years_that_is_no_total_is_reported(tmp_path):
    down, failures = _items(_sheet(tmp_path / "doc.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["Năm", "Số hộ thoát nghèo", "Tổng kinh phí (triệu đồng)"],
        *[[y, 10 + i, 500] for i, y in enumerate(YEARS)],
        ["Bình quân mỗi năm", 12, 500],
    ]))
    assert ("poor_reduction", "total") not in down
    assert [(f["rule"], f["row"], f["value"]) for f in failures] == [("row_not_used", 10, "Bình quân mỗi năm")]


def test_a_roadmap_in_thousand_dong_with_a_local_budget_goes_through_the_checks(tmp_path):
    """Money in another unit than million VND failed the roadmap's row checks (a KeyError: the table rejected as
    `checkable`) — the tests above read the figures without the checks. A "Ngân sách địa phương" column was dropped
    without a word (its "địa phương" read as a name column's label), and every year's sources fell short of the total."""
    import polars as pl

    from test_deprivations import steps

    path = _sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], ["Đơn vị tính: hộ; nghìn đồng"],
        ["Năm", "Số hộ thoát nghèo", "Tổng kinh phí", "Ngân sách trung ương", "Ngân sách địa phương"],
        *[[y, 10 + i, 1_500_000, 1_200_000, 300_000] for i, y in enumerate(YEARS)],
    ])
    failures, tables, _ = steps([path])
    assert failures.filter(pl.col("kind") == "roadmap").is_empty(), failures.select("rule", "message").rows()
    roadmap = tables["roadmap.parquet"].filter(pl.col("year") == 2026)
    assert dict(roadmap.select("item", "value").iter_rows()) == {
        "poor_reduction": 10, "budget_total": 1500, "budget_central": 1200, "budget_local": 300}
    assert set(roadmap.filter(pl.col("item_kind") == "budget")["unit"]) == {"million_vnd"}


def test_years_under_a_merged_period_with_a_figure_like_a_year():
    """"Giai đoạn 2026-2030" merged over the years' row (a probe's file, kept as a fixture): a column of "years" down
    was found first among the figures, it named no item, and the roadmap was no table at all (table_found)."""
    path = Path(__file__).parent / "fixtures" / "roadmap" / "phu_lac_years_under_merged_period.xlsx"
    items = _in_million_vnd(path)
    assert items[("poor_reduction", "2026")] == (47.0, "households") and items[("near_poor_reduction", "2026")] == (
        2.0,
        "households",
    )
    assert items[("budget_total", "2026")] == (3120.0, "million_vnd")


def test_a_signature_under_the_roadmap(tmp_path):
    """"Người lập biểu" under the table, in the numbering column, made that column the labels' (its numbering "I", "1",
    "-" counted as labels too): 4 of a probe's 5 roadmaps were lost, three of them then read as an older plan (12-06)."""
    path = _sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ THANH MAI"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "Đơn vị tính", *YEARS],
        ["I", "Mục tiêu giảm nghèo"],
        ["1", "Số hộ nghèo giảm", "Hộ", 22, 20, 15, 12, 10],
        ["2", "Số hộ cận nghèo giảm", "Hộ", 6, 5, 5, 4, 3],
        ["II", "Kinh phí thực hiện"],
        ["1", "Tổng kinh phí", "Triệu đồng", 900, 795, 700, 615, 530],
        ["-", "Ngân sách xã", "Triệu đồng", 100, 95, 100, 15, 30],
        [], [], ["Người lập biểu", None, None, None, "KT. CHỦ TỊCH"],
    ])
    items, failures = _items(path)
    assert items[("poor_reduction", "2026")] == 22 and items[("budget_total", "2030")] == 530
    assert len({year for _, year in items}) == 5


def test_households_to_borrow_are_a_support_and_bare_sources_are_the_contracts(tmp_path):
    """"Vay vốn tín dụng ưu đãi | Hộ" among the supports was a budget line in million VND (its "vốn"), its households
    added to each year's sources: 52 false budget_sources_sum warnings in 17 communes, 0.00001 million VND in a roadmap
    in đồng (independent probe, Lai Châu). "Kinh phí / Trong đó / Trung ương | Địa phương" were budget_trung_uong and
    budget_dia_phuong, the central budget split across two items in the province's sums."""
    import polars as pl

    from test_deprivations import steps

    across = _sheet(tmp_path / "ngang.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "ĐVT", *YEARS],
        ["I", "Giảm nghèo"], [1, "Số hộ nghèo giảm", "Hộ", 21, 8, 28, 6, 5],
        ["II", "Hỗ trợ hộ nghèo, hộ cận nghèo"], [1, "Cấp thẻ BHYT", "Hộ", 8, 6, 8, 2, 11],
        [2, "Vay vốn tín dụng ưu đãi", "Hộ", 10, 8, 3, 0, 13],
        ["III", "Kinh phí thực hiện"], [None, "Tổng kinh phí", "Đồng", 1_000_000_000, 900_000_000, 0, 0, 0],
        ["-", "Ngân sách trung ương", "Đồng", 600_000_000, 500_000_000, 0, 0, 0],
        ["-", "Vốn vay Ngân hàng Chính sách xã hội", "Đồng", 400_000_000, 400_000_000, 0, 0, 0],
    ])
    down = _sheet(tmp_path / "doc.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"],
        ["Năm", "Số hộ nghèo giảm", "Kinh phí (triệu đồng)", None, None],
        [None, None, "Tổng số", "Trong đó", None],
        [None, None, None, "Trung ương", "Địa phương"],
        *[[y, 10 + i, 300, 200, 100] for i, y in enumerate(YEARS)],
    ], merges=[(3, 3, 3, 5), (4, 4, 4, 5), (3, 1, 5, 1), (3, 2, 5, 2), (4, 3, 5, 3)])
    items, _ = _items(across)
    assert items[("support_credit", "2026")] == 10 and items[("support_health_insurance", "2030")] == 11
    assert items[("budget_policy_bank_loan", "2027")] == 400_000_000
    items, _ = _items(down)
    assert items[("budget_central", "2026")] == 200 and items[("budget_local", "2026")] == 100
    failures, tables, _ = steps([across])
    assert failures.filter(pl.col("kind") == "roadmap").is_empty(), failures.select("rule", "message").rows()
    credit = tables["roadmap.parquet"].filter(pl.col("item") == "support_credit")
    assert set(credit["unit"]) == {"households"} and credit["value"].to_list() == [10, 8, 3, 0, 13]


@pytest.mark.parametrize("central", ["Trung ương", "TW"])
def test_a_source_of_two_letters_is_no_column_number(tmp_path, central):
    """"Ngân sách nhà nước" over "Trung ương | Ngân sách tỉnh | Xã": "Xã" folds to "xa", two letters, and was dropped as
    a column's number ("A", "(2)"): the commune's budget published as budget_ngan_sach_nha_nuoc, budget_commune absent
    every year, with no failure (layouts judge, Điện Biên). "TW" alike."""
    down = _sheet(tmp_path / "doc.xlsx", [
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"],
        ["Năm", "Số hộ nghèo giảm", "Kinh phí thực hiện (triệu đồng)", None, None, None],
        [None, None, "Tổng số", "Ngân sách nhà nước", None, None],
        [None, None, None, central, "Ngân sách tỉnh", "Xã"],
        *[[y, 10 + i, 300, 200, 60, 40] for i, y in enumerate(YEARS)],
    ], merges=[(3, 3, 3, 6), (4, 4, 4, 6), (3, 1, 5, 1), (3, 2, 5, 2), (4, 3, 5, 3)])
    items, _ = _items(down)
    assert (items[("budget_central", "2026")], items[("budget_province", "2026")], items[("budget_commune", "2030")]) == (
        200, 60, 40)


def test_a_roadmap_none_of_whose_years_can_be_read_is_still_a_roadmap(tmp_path):
    """Years typed as garbage ("Năm 20x6", "abc", "2O28"): read as a year-end report the commune never sent, with its
    "Ngân sách xã" as the villages' names, and the plan's villages warned of a report they are missing from
    (independent probe, Cà Mau). It is the commune's roadmap: its total kept, each row said unused, no year given."""
    down, failures = _items(_sheet(tmp_path / "31882_lo_trinh.xlsx", [
        ["UBND XÃ VĨNH THANH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], ["Đơn vị tính: hộ; triệu đồng"],
        ["Năm", "Số hộ nghèo giảm", "Số hộ cận nghèo giảm", "Hỗ trợ nhà ở xây mới", "Tổng kinh phí", "Ngân sách xã"],
        *[[y, 10 + i, 3, 1, 500, 40] for i, y in enumerate(["Năm 20x6", "abc", "####", "2O28", "năm ???"])],
        ["Cộng", 60, 15, 5, 2500, 200],
    ]))
    assert down[("poor_reduction", "total")] == 60 and down[("budget_total", "total")] == 2500
    assert not [k for k in down if k[1] != "total"]
    assert [(f["rule"], f["row"]) for f in failures] == [("row_not_used", r) for r in range(5, 10)]


def test_whose_reduction_a_column_is_under_a_group_naming_both(tmp_path):
    """"Số hộ thoát nghèo, thoát cận nghèo" merged over "Hộ nghèo | Hộ cận nghèo": the near-poor's column was read as a
    second poor reduction each year, the near-poor's lost, the province's poor reduction the two added (judge, Quảng
    Ninh). The group names a reduction; the column's own words say whose."""
    down, failures = _items(_sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ HẢI HÒA"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["Năm", "Số hộ thoát nghèo, thoát cận nghèo", None, "Kinh phí (triệu đồng)"],
        [None, "Hộ nghèo", "Hộ cận nghèo", "Tổng số"],
        *[[y, 2, 3, 175.5] for y in YEARS],
    ], merges=[(4, 1, 5, 1), (4, 2, 4, 3)]))
    assert down[("poor_reduction", "2026")] == 2 and down[("near_poor_reduction", "2026")] == 3
    assert down[("budget_total", "2030")] == 175.5 and failures == []


def test_a_support_counted_in_persons_is_reported_not_summed_as_households(tmp_path):
    """"Đào tạo nghề (người)", or a unit cell "Người": persons trained, stored as households and summed with the
    households of others (reports judge, Hưng Yên). Reported (row_not_used); households stay households."""
    extra = [["II", "Hỗ trợ"], [1, "Đào tạo nghề (người)", None, 15, 10, 0, 10, 3],
             [2, "Hỗ trợ việc làm", "Người", 5, 5, 5, 5, 5], [3, "Hỗ trợ nhà ở (hộ)", None, 2, 2, 1, 1, 0]]
    path = _sheet(tmp_path / "lo trinh.xlsx", [
        ["UBND XÃ THANH MAI"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [], ["STT", "Nội dung", "Đơn vị tính", *YEARS],
        ["I", "Mục tiêu giảm nghèo"], [1, "Số hộ nghèo giảm", "Hộ", 22, 20, 15, 12, 10], *extra])
    items, failures = _items(path)
    assert {item for item, _ in items} == {"poor_reduction", "support_housing"}
    assert sorted((f["rule"], f["value"]) for f in failures) == [
        ("row_not_used", "Hỗ trợ việc làm"), ("row_not_used", "Đào tạo nghề (người)")]
