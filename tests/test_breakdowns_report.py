"""The breakdowns in the reports: who the poor are per commune, and the plans relying on households without
labour capacity (an analyst sheet, a second sheet and an HTML section), from a finished run folder; nothing
without breakdowns."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import openpyxl
import polars as pl
from test_analyst import make_run

from giamngheo.kinds import KIND_BY_NAME
from giamngheo.kinds.breakdowns_report import breakdown_section, breakdown_sheets
from giamngheo.reports.analyst import write_analyst_workbook
from giamngheo.reports.html_report import write_html_report
from transforms.breakdowns import commune_shares, share_totals

BREAKDOWNS = ["poor_ethnic_minority", "near_poor_ethnic_minority", "poor_no_labour", "near_poor_no_labour", "poor_merit"]
COUNTS = [*BREAKDOWNS, "poor_households", "near_poor_households", "poor_reduction_target"]
SHEET, RELYING = "Cơ cấu hộ nghèo", "KH vượt hộ có khả năng LĐ"
BEYOND = "Kế hoạch vượt số hộ có khả năng LĐ (hộ)"

# the real ward of the issue: 21 of its 38 poor households cannot work, its plan lifts 15 (17 can: feasible);
# Phú Thịnh plans 12 of its 9 able to work (3 beyond); Hà Hiệu 40 of 30 (10 beyond); Na Rì gives only its merit
# households; Không Báo gives nothing; Bị Loại is rejected
COMMUNES = [
    {
        "commune_code": "01843",
        "commune_name": "Phường Bắc Kạn",
        "poor_households": 38,
        "near_poor_households": 40,
        "poor_no_labour": 21,
        "poor_reduction_target": 15,
        "poor_ethnic_minority": 19,
    },
    {
        "commune_code": "05800",
        "commune_name": "Xã Phú Thịnh",
        "poor_households": 30,
        "near_poor_households": 20,
        "poor_no_labour": 21,
        "poor_reduction_target": 12,
        "poor_ethnic_minority": 24,
        "near_poor_ethnic_minority": 5,
    },
    {
        "commune_code": "05801",
        "commune_name": "Xã Hà Hiệu",
        "poor_households": 1200,
        "near_poor_households": 300,
        "poor_no_labour": 1170,
        "poor_reduction_target": 40,
        "poor_ethnic_minority": 1190,
        "poor_merit": 3,
    },
    {"commune_code": "05802", "commune_name": "Xã Na Rì", "poor_households": 800, "poor_merit": 2, "poor_reduction_target": 100},
    {"commune_code": "05803", "commune_name": "Xã Không Báo", "poor_households": 10, "poor_reduction_target": 2},
    {
        "commune_code": "05806",
        "commune_name": "Xã Bị Loại",
        "status": "rejected",
        "poor_households": 5,
        "poor_ethnic_minority": 3,
    },
]


def _frame(rows: list[dict]) -> pl.DataFrame:
    base = {"commune_name": None, "status": "accepted", **{f: None for f in COUNTS}}
    return pl.DataFrame([{**base, **r} for r in rows], schema_overrides={f: pl.Int64 for f in COUNTS})


def _communes(tmp_path, rows: list[dict]):
    _frame(rows).write_parquet(tmp_path / "communes.parquet")
    return tmp_path


def test_shares_are_half_up_and_totals_are_over_the_communes_that_give_each_figure():
    shares = commune_shares(
        _frame([*COMMUNES, {"commune_code": "05809", "poor_households": 800, "poor_ethnic_minority": 1}]).lazy()
    )
    by_code = {r["commune_code"]: r for r in shares.collect().iter_rows(named=True)}
    assert by_code["05809"]["poor_ethnic_minority_share_pct"] == 0.13  # 0.125: half-up, not to even
    assert by_code["05800"]["relies_on_no_labour"] is True and by_code["01843"]["relies_on_no_labour"] is False
    assert by_code["05802"]["relies_on_no_labour"] is None  # no households without labour given: not judged
    total = share_totals(commune_shares(_frame(COMMUNES).lazy())).collect().row(0, named=True)
    assert total["poor_households"] == 2068 and total["poor_merit"] == 5 and total["near_poor_no_labour"] is None
    # 1233 DTTS of the 1268 poor of the three communes that say, not of the 2068 (Na Rì gives only its merit households)
    assert (total["poor_ethnic_minority"], total["poor_ethnic_minority_share_pct"], total["poor_ethnic_minority_communes"]) == (
        1233,
        97.24,
        3,
    )
    assert (total["poor_no_labour_share_pct"], total["near_poor_ethnic_minority_share_pct"]) == (95.58, 25.0)  # 1212/1268; 5/20
    assert (total["relies_on_no_labour"], total["beyond_able_to_work"]) == (2, 13)


def test_sheets_show_shares_flags_and_a_totals_row(tmp_path):
    sheets = breakdown_sheets(_communes(tmp_path, COMMUNES))
    assert [s.name for s in sheets] == [SHEET, RELYING] and all(len(s.name) <= 31 for s in sheets)
    table = sheets[0].frame
    assert table["Mã xã"].to_list() == ["01843", "05800", "05801", "05802"]  # accepted communes that give a breakdown
    assert table["Tỷ lệ DTTS/hộ nghèo (%)"].to_list() == [50.0, 80.0, 99.17, None]
    assert table["Tỷ lệ DTTS/hộ cận nghèo (%)"].to_list() == [None, 25.0, None, None]
    assert table["Tỷ lệ không có khả năng LĐ (%)"].to_list() == [55.26, 70.0, 97.5, None]
    assert table["Hộ nghèo có khả năng LĐ"].to_list() == [17, 9, 30, None]
    assert table[BEYOND].to_list() == [None, 3, 10, None]
    assert table["Hộ nghèo có người có công"].to_list() == [None, None, 3, 2]
    totals = sheets[0].totals
    assert totals["Hộ nghèo"] == 2068 and totals["Hộ nghèo DTTS"] == 1233 and totals["Tỷ lệ DTTS/hộ nghèo (%)"] == 97.24
    assert totals[BEYOND] == 13 and totals["Kế hoạch giảm hộ nghèo"] == 167  # a number in a column of households
    assert sheets[0].notes[0].endswith("dòng tổng: 2 xã vượt, 13 hộ.")
    assert (
        "hộ DTTS chiếm 97,24 % (3 xã)" in sheets[0].notes[1]
        and "không có khả năng lao động chiếm 95,58 % (3 xã)" in sheets[0].notes[1]
    )
    relying = sheets[1].frame  # most beyond first
    assert relying.select("Mã xã", "Hộ nghèo", "Có khả năng LĐ", "Kế hoạch giảm", "Vượt (hộ)").rows() == [
        ("05801", 1200, 30, 40, 10), ("05800", 30, 9, 12, 3)]


def test_no_second_sheet_when_every_plan_is_feasible(tmp_path):
    sheets = breakdown_sheets(_communes(tmp_path, COMMUNES[:1]))
    assert [s.name for s in sheets] == [SHEET] and sheets[0].totals[BEYOND] == 0
    assert "Không xã nào có kế hoạch vượt" in breakdown_section(tmp_path)


def test_section_charts_the_ethnic_minority_share_and_lists_the_plans(tmp_path):
    html = breakdown_section(_communes(tmp_path, [*COMMUNES, {"commune_code": "05807", "commune_name": "<script>x</script>",
                                                              "poor_households": 4, "poor_ethnic_minority": 1}]))
    section = ET.fromstring(html)  # well-formed: every coordinate a number, every name escaped
    assert section.get("id") == "co-cau-ho-ngheo" and "<script>" not in html
    svg = section.find(".//svg")
    for element in svg.iter():  # every coordinate a number a browser reads (no decimal comma)
        for a in ("x", "y", "width", "height", "x1", "x2", "y1", "y2"):
            if element.get(a) is not None:
                float(element.get(a))
    assert [float(r.get("width")) for r in svg.iter("rect")] == [
        327.3,
        264.0,
        165.0,
        82.5,
    ]  # 99.17, 80, 50, 25 % of 330 units, highest first
    labels = [t.text for t in svg.iter("text")]
    assert labels[:2] == ["Xã Hà Hiệu", "99,17%"] and "Toàn tỉnh 97,01%" in labels  # 1234 of 1272, over the four that say
    line = svg.find("line")
    assert float(line.get("x1")) == round(210 + 330 * 0.9701, 1)
    rows = [[td.text for td in tr] for tr in section.iter("tr")][1:]
    assert rows == [["Xã Hà Hiệu", "1.200", "1.170", "30", "40", "10"], ["Xã Phú Thịnh", "30", "21", "9", "12", "3"]]
    assert "Xã Bị Loại" not in html and "Xã Không Báo" not in html and "Xã Na Rì" not in html  # Na Rì: no DTTS, no plan judged


def test_no_breakdowns_no_sheet_nor_section(tmp_path):
    run = _communes(tmp_path, [{"commune_code": "05803", "poor_households": 10, "poor_reduction_target": 2},
                               {"commune_code": "05806", "status": "rejected", "poor_households": 5, "poor_ethnic_minority": 3}])
    assert breakdown_sheets(run) == [] and breakdown_section(run) == ""
    assert breakdown_sheets(tmp_path / "nothing here") == [] and breakdown_section(tmp_path / "nothing here") == ""


def _with_breakdowns(run, rows: dict[str, dict]):
    """The analyst test run's communes.parquet given breakdowns (commune code -> fields)."""
    communes = pl.read_parquet(run / "communes.parquet")
    extra = pl.DataFrame([{"commune_code": c, **{f: v.get(f) for f in BREAKDOWNS}} for c, v in rows.items()],
                         schema={"commune_code": pl.String, **{f: pl.Int64 for f in BREAKDOWNS}})
    communes.join(extra, on="commune_code", how="left").write_parquet(run / "communes.parquet")


def test_the_workbook_and_the_report_of_a_run(tmp_path):
    """The analyst run of test_analyst (01840: 71 poor, plans 21; 01843: 211 poor, plans 4; 01849 rejected)."""
    run = make_run(tmp_path, results=False)
    _with_breakdowns(run, {"01840": {"poor_ethnic_minority": 40, "poor_no_labour": 60}, "01843": {"poor_merit": 1},
                           "01849": {"poor_ethnic_minority": 1}})
    wb = openpyxl.load_workbook(write_analyst_workbook(run))
    assert SHEET in wb.sheetnames and RELYING in wb.sheetnames
    rows = [r for r in wb[SHEET].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    col = {h: i for i, h in enumerate(rows[header])}
    data, total = rows[header + 1:-1], rows[-1]
    assert [r[col["Mã xã"]] for r in data] == ["01840", "01843"]
    assert data[0][col["Tỷ lệ DTTS/hộ nghèo (%)"]] == 56.34 and data[0][col[BEYOND]] == 10  # 40/71; plans 21 of 11 able
    assert total[col["Xã, phường"]] == "Tổng cộng" and total[col["Hộ nghèo"]] == 282
    assert total[col["Tỷ lệ DTTS/hộ nghèo (%)"]] == 56.34 and total[col[BEYOND]] == 10  # over 01840 alone
    html = write_html_report(run).read_text(encoding="utf-8")
    assert html.count('id="co-cau-ho-ngheo"') == 1 and "56,34%" in html


def test_a_run_without_breakdowns_has_neither(tmp_path):
    run = make_run(tmp_path, results=False)
    _with_breakdowns(run, {"01849": {"poor_ethnic_minority": 1}})  # only the rejected commune says
    wb = openpyxl.load_workbook(write_analyst_workbook(run))
    assert SHEET not in wb.sheetnames and RELYING not in wb.sheetnames
    assert 'id="co-cau-ho-ngheo"' not in write_html_report(run).read_text(encoding="utf-8")


def test_the_plan_kind_declares_them():
    plan = KIND_BY_NAME["plan"]
    assert plan.report_sheets is breakdown_sheets and plan.report_section is breakdown_section
