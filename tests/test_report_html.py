"""The auditor's report: HTML page, workbook and Prefect artifacts, built from a tiny inline run folder."""

from __future__ import annotations

import json
import re
import zipfile
from html import escape
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from giamngheo.reports.artifacts_prefect import artifact_key, failure_table, publish_prefect_artifacts, summary_markdown
from giamngheo.reports.html_report import write_html_report
from giamngheo.vn import vn_dec, vn_int
from giamngheo.reports.report_workbook import safe_text, write_report_workbook

RUN_ID = "20260601T000000000Z-1"
SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://x")'

PROVINCE = {
    "run_id": RUN_ID, "year": 2026, "province_code": "19", "province_name": "Tỉnh Thái Nguyên",
    "communes_expected": 4, "communes_accepted": 2, "communes_rejected": 1, "communes_missing": 1,
    "total_households": 505840, "poor_households": 17523, "near_poor_households": 15803,
    "poor_rate_pct": 3.46, "near_poor_rate_pct": 3.12, "poor_reduction_target": 3376, "near_poor_reduction_target": 2611,
    "planned_poor_reduction_pp": 0.67, "communes_meeting_target": 1, "communes_below_target": 1,
    "poor_households_start": 10392, "poor_households_end": 7983, "near_poor_households_end": 9237,
    "total_households_end": 315564, "communes_met_target_actual": 1, "communes_missed_target_actual": 1,
    "communes_with_results": 2, "poor_rate_start_pct": 3.33, "poor_rate_end_pct": 2.53, "actual_poor_reduction_pp": 0.8,
}
COMMUNES = [  # code, name, status, total, poor, rate, planned pp, assigned pp, meets
    ("01840", "Phường Đức Xuân", "accepted", 5441, 43, 0.79, 0.09, 0.06, True),
    ("01879", "Xã Cao Minh", "accepted", 7028, 183, 2.6, 0.28, 0.31, False),
    ("02071", "Xã Nghĩa Tá", "rejected", None, None, None, None, 0.5, None),
]
FAILURE_COLUMNS = ("source_file", "source_sheet", "cell", "row", "column", "commune_code", "commune_name", "field",
                   "rule", "severity", "value", "expected", "message", "message_en")
FAILURES = [
    ("02071_xa_nghia_ta.xls", "Sheet1", "D9", 9, 4, "02071", "Xã Nghĩa Tá", "poor_households", "numeric", "error", "7 hộ", None,
     "Ô D9 (Số hộ nghèo): giá trị “7 hộ” không phải là số.", "Cell D9 (poor households): “7 hộ” is not a number."),
    ("02071_xa_nghia_ta.xls", "Sheet1", "C46", 46, 3, "02071", "Xã Nghĩa Tá", "total_households", "total_row_matches_sum",
     "warning", "5.441", "5.053", "Ô C46 (Tổng số hộ): dòng tổng ghi 5.441 nhưng cộng các dòng được 5.053.", "Cell C46: total."),
    (f"{SCRIPT}.xlsx", HYPERLINK, "E19", 19, 5, "01879", f"Xã {SCRIPT}", "total_households", "formula_without_value", "error",
     HYPERLINK, "@SUM(A1)", f"Ô E19 chứa công thức {HYPERLINK} {SCRIPT}", "Cell E19 holds a formula."),
    ("01879_xa_cao_minh.xlsx", "Biểu 01", "E31", 31, 5, "01879", f"Xã {SCRIPT}", "near_poor_households", "non_negative", "error",
     "-10", ">= 0", "Ô E31 (Số hộ cận nghèo): số hộ không được âm (-10).", "Cell E31: negative."),
    ("PL gui So.xlsx", None, None, None, None, None, None, None, "commune_resolved", "error", "+cmd|' /C calc'!A0", "—",
     "Không xác định được xã/phường của tệp.", "The commune could not be identified."),
]


def _failures(rows) -> pl.DataFrame:
    frame = pl.DataFrame([dict(zip(FAILURE_COLUMNS, r)) for r in rows], schema={
        c: (pl.Int32 if c in ("row", "column") else pl.Utf8) for c in FAILURE_COLUMNS}, orient="row")
    return frame.with_columns(pl.lit(RUN_ID).alias("run_id"))


def make_run(folder: Path, failures=FAILURES, results: bool = True) -> Path:
    """A finished run folder written from the inline rows above (no pipeline, no Prefect)."""
    folder.mkdir(parents=True, exist_ok=True)
    pl.DataFrame([PROVINCE]).write_parquet(folder / "provinces.parquet")
    pl.DataFrame(
        [dict(run_id=RUN_ID, year=2026, province_code="19", commune_code=c, commune_name=n, status=s, total_households=t,
              poor_households=p, poor_rate_pct=r, planned_poor_reduction_pp=pp, assigned_poor_reduction_pp=a,
              meets_assigned_target=m, source_file=f"{c}.xlsx") for c, n, s, t, p, r, pp, a, m in COMMUNES],
        schema_overrides={"total_households": pl.Int64, "poor_households": pl.Int64, "poor_rate_pct": pl.Float64,
                          "planned_poor_reduction_pp": pl.Float64, "meets_assigned_target": pl.Boolean},
    ).write_parquet(folder / "communes.parquet")
    _failures(failures).write_parquet(folder / "validation_failures.parquet")
    if results:
        pl.DataFrame({
            "commune_code": ["01840", "01879"], "commune_name": ["Phường Đức Xuân", "Xã Cao Minh"], "status": ["accepted"] * 2,
            "actual_poor_reduction_pp": [0.12, -0.05], "assigned_poor_reduction_pp": [0.06, 0.31],
            "meets_assigned_target_actual": [True, False], "assessment": ["met", "missed"],
        }).write_parquet(folder / "results_communes.parquet")
    manifest = {"run_id": RUN_ID, "started_at": "2026-06-01T00:00:00+00:00", "finished_at": "2026-06-01T00:00:05+00:00",
                "year": 2026, "package_version": "0.1.0", "reference_version": "test",
                "files": [{"path": f"{SCRIPT}.xlsx", "commune_code": "01879", "kind": "plan", "status": "accepted",
                           "layout": "xlsx"},
                          {"path": "02071_xa_nghia_ta.xls", "commune_code": "02071", "kind": "plan", "status": "rejected"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture()
def run_dir(tmp_path) -> Path:
    return make_run(tmp_path / "run")


@pytest.fixture()
def page(run_dir) -> str:
    path = write_html_report(run_dir)
    assert path == run_dir / "bao_cao_kiem_tra.html" and path.exists()
    return path.read_text(encoding="utf-8")


def test_page_is_self_contained(page):
    assert "<script" not in page.lower()  # no scripts at all, inline or linked
    assert not re.search(r"<link\b|@import|url\(|\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", page, re.I)
    # the only web address on the page is the escaped text of the hostile cell
    assert page.count("http://") == page.count("HYPERLINK(&quot;http://x&quot;)") >= 1
    assert "https://" not in page
    assert page.count("<style>") == 1 and '<meta charset="utf-8">' in page


def test_page_lists_every_failure(page):
    for row in FAILURES:
        record = dict(zip(FAILURE_COLUMNS, row))
        for key in ("source_file", "cell", "rule", "message", "message_en"):
            if record[key] is not None:
                assert escape(str(record[key]), quote=True) in page, (key, record[key])
    assert page.count('<tr class="error">') == 4 and page.count('<tr class="warning">') == 1


def test_files_received_name_their_kinds_in_vietnamese(page):
    """The list of files showed the kinds' ids ("plan") to the reader (analyst workbook judge, Hải Phòng)."""
    files = page[page.index('id="tep"'):]
    assert "<td>Kế hoạch</td>" in files and "<td>plan</td>" not in files


def test_page_escapes_hostile_text(page):
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HYPERLINK not in page and escape(HYPERLINK, quote=True) in page


def test_page_shows_province_figures_in_vietnamese_format(page):
    assert "Tỉnh Thái Nguyên" in page and "năm 2026" in page and RUN_ID in page
    for text in ("505.840", "17.523", "3,46%", "15.803", "3,12%", "3.376 hộ", "0,67 điểm %", "3,33% → 2,53%", "0,80 điểm %"):
        assert text in page, text
    assert "01/06/2026 07:00" in page  # run date in Vietnam time


def test_page_has_the_charts_and_groups_errors_first(page):
    assert page.count("<svg") >= 5  # status bar, plan vs target, poor rates, rules, actual vs target
    for label in ("Kế hoạch giảm của từng xã so với chỉ tiêu giao", "Tỷ lệ hộ nghèo các xã/phường", "Số lỗi theo quy tắc",
                  "Giảm thực tế so với chỉ tiêu giao"):
        assert f'aria-label="{label}"' in page
    nghia_ta = page[page.index('id="xa-02071"'):]
    assert nghia_ta.index("numeric") < nghia_ta.index("total_row_matches_sum")
    # the no-JS severity filter keys on these classes
    assert '<details class="commune has-error has-warning" id="xa-02071" open>' in page
    assert '<tr class="file has-error no-warning">' in page and "#sev-error:checked ~ .groups tr.warning" in page
    # communes with errors come first, and the unresolved file is listed too
    assert page.index('id="xa-chua-xac-dinh"') < page.index('id="xa-01879"')


def test_page_without_results_or_failures(tmp_path):
    page = write_html_report(make_run(tmp_path / "clean", failures=[], results=False)).read_text(encoding="utf-8")
    assert "Không có lỗi nào" in page
    assert 'aria-label="Giảm thực tế so với chỉ tiêu giao"' not in page


def test_page_of_an_empty_folder(tmp_path):
    """A run that died before writing its tables still gets a page, not a traceback."""
    (tmp_path / "empty").mkdir()
    page = write_html_report(tmp_path / "empty").read_text(encoding="utf-8")
    assert "Không có số liệu tỉnh" in page and "Không có lỗi nào" in page


def test_large_run_stays_usable(tmp_path):
    many = [(f"{i:05d}.xlsx", "Sheet1", f"D{i % 90 + 5}", i % 90 + 5, 4, f"{i % 130:05d}", f"Xã {i % 130}", "poor_households",
             "numeric", "error" if i % 3 else "warning", str(i), None, f"Lỗi số {i}", f"Failure {i}") for i in range(2000)]
    page = write_html_report(make_run(tmp_path / "big", failures=many)).read_text(encoding="utf-8")
    assert page.count('<tr class="error">') + page.count('<tr class="warning">') == 2000
    assert page.count('<details class="commune') == 130
    assert "<details class=\"commune has-error has-warning\" id=\"xa-00000\" open" not in page  # folded when large
    assert "Lỗi số 1999" in page


def test_workbook_holds_every_failure_as_inert_text(run_dir):
    path = write_report_workbook(run_dir)
    assert path == run_dir / "bao_cao_kiem_tra.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Lỗi"]
    ws = wb["Lỗi"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Mã xã", "Xã/phường", "Tệp", "Trang tính", "Ô"] and "Nội dung" in header
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(FAILURES)
    messages = {r[header.index("Nội dung")].value for r in rows}
    assert safe_text(FAILURES[0][12]) in messages
    hostile = next(r for r in rows if r[header.index("Ô")].value == "E19")
    for cell in (hostile[header.index("Giá trị")], hostile[header.index("Trang tính")]):
        assert cell.data_type == "s" and cell.value == "'" + HYPERLINK
    assert hostile[header.index("Cần là")].value == "'@SUM(A1)"
    assert hostile[header.index("Tệp")].value == f"{SCRIPT}.xlsx"
    assert hostile[0].fill.fgColor.rgb.endswith("FBE3E0")  # errors shaded
    negative = next(r for r in rows if r[header.index("Ô")].value == "E31")
    assert negative[header.index("Giá trị")].value == "-10"  # a plain number cannot run; it is shown as typed
    with zipfile.ZipFile(path) as z:  # nothing is stored as a formula anywhere
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)
    summary = [c.value for row in wb["Tổng hợp"].iter_rows() for c in row if c.value is not None]
    assert "Theo quy tắc" in summary and "Theo xã/phường" in summary and "Công thức có giá trị" in summary


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3+cmd", "'-2+3+cmd"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("\uff1d1+1", "'\uff1d1+1"), (HYPERLINK, "'" + HYPERLINK),
        ("-10", "-10"), ("+5", "+5"), ("-1.234,5", "-1.234,5"), ("Xã Nà Thành", "Xã Nà Thành"), ("a=b", "a=b"),
        ("", ""), (None, ""), (12, "12"), ("\x00=bad\x07", "'=bad"),
    ],
)
def test_safe_text(value, expected):
    assert safe_text(value) == expected


def test_vietnamese_number_format():
    assert (vn_int(5441), vn_int(505840), vn_int(None)) == ("5.441", "505.840", "—")
    assert (vn_dec(0.79), vn_dec(1234.5), vn_dec(-0.05), vn_dec(float("nan"))) == ("0,79", "1.234,50", "-0,05", "—")
    # half-up as Excel's ROUND, on the number as written: 0.145 is 0.14499... as a binary float
    assert (vn_dec(0.145), vn_dec(2.675), vn_dec(-0.125), vn_int(2.5), vn_int(1234.5)) == ("0,15", "2,68", "-0,13", "3", "1.235")


def test_every_page_formats_numbers_alike():
    """The run's summary, trace, diff, the charts and the workbook lines write a number one way (giamngheo.vn): the
    summary's count of 2.5 households was '2' where a chart wrote '3', and its rates had no thousands mark."""
    from giamngheo import diff_text, summary, trace
    from giamngheo.reports import analyst_cells, report_charts

    for module in (summary, trace, diff_text, analyst_cells, report_charts):
        assert getattr(module, "vn_int") is vn_int
    assert summary.vn_pct(1234.5) == "1.234,50"


def test_artifacts_are_a_no_op_outside_a_flow(run_dir, monkeypatch):
    import prefect.artifacts

    def refuse(*args, **kwargs):
        raise AssertionError("no artifact may be created outside a flow run")

    monkeypatch.setattr(prefect.artifacts, "create_table_artifact", refuse)
    monkeypatch.setattr(prefect.artifacts, "create_markdown_artifact", refuse)
    assert publish_prefect_artifacts(run_dir) is None


def test_artifact_contents(run_dir):
    rows = failure_table(pl.read_parquet(run_dir / "validation_failures.parquet"))
    assert sum(r["so_loi"] for r in rows) == len(FAILURES) and rows[0]["muc_do"] == "Lỗi"
    md = summary_markdown(run_dir)
    assert "505.840" in md and "3,46%" in md and "bao_cao_kiem_tra.html" in md
    for key in (artifact_key("giamngheo-loi", "19"), artifact_key("Giảm nghèo", "Toàn quốc!")):
        assert re.fullmatch(r"[a-z0-9-]+", key)


def test_a_commune_with_two_reports_shows_the_status_of_each(tmp_path):
    """Plan accepted, year-end results rejected: the failure group says so for each report, not "accepted" alone."""
    folder = make_run(tmp_path / "run")
    results = pl.read_parquet(folder / "results_communes.parquet")
    results.with_columns(pl.when(pl.col("commune_code") == "01879").then(pl.lit("rejected")).otherwise(pl.col("status"))
                         .alias("status")).write_parquet(folder / "results_communes.parquet")
    page = write_html_report(folder).read_text(encoding="utf-8")
    group = page[page.index('id="xa-01879"'):]
    summary = group[: group.index("</summary>")]
    assert "Kế hoạch: chấp nhận" in summary and "Báo cáo kết quả: bị từ chối" in summary, summary
    nghia_ta = page[page.index('id="xa-02071"'):]
    assert ">Bị từ chối</span>" in nghia_ta[: nghia_ta.index("</summary>")], "one report: its status alone, as before"
    # the counts by commune too: "Chấp nhận" with errors read as a contradiction (reports judge, Hưng Yên)
    by_commune = page[page.index("Theo xã/phường"):page.index('id="danh-sach"')]
    assert "Kế hoạch: chấp nhận; Báo cáo kết quả: bị từ chối" in by_commune
    ws = openpyxl.load_workbook(write_report_workbook(folder))["Tổng hợp"]
    assert "Kế hoạch: chấp nhận; Báo cáo kết quả: bị từ chối" in [c.value for row in ws.iter_rows() for c in row]


def test_values_read_as_the_messages_beside_them(tmp_path):
    """"Giá trị 245.5" beside "… 245,5 …" in its message: 2.455 to a Vietnamese reader (reports judge, Hưng Yên). A rule's
    numbers carry Vietnamese marks in the workbook and the page, as in the message; a year or a code stays as stored."""
    rows = [("02071_xa_nghia_ta.xls", "Sheet1", "D9", 9, 4, "02071", "Xã Nghĩa Tá", "poor_households", "integer", "error",
             "245.5", None, "Ô D9 (Số hộ nghèo): 245,5 không phải số nguyên.", "Cell D9: 245.5 is not whole."),
            ("02071_xa_nghia_ta.xls", "Sheet1", "C46", 46, 3, "02071", "Xã Nghĩa Tá", "total_households",
             "total_row_matches_sum", "warning", "5256.5", "5441", "…", "…"),
            ("02071_xa_nghia_ta.xls", "Sheet1", "A2", 2, 1, "02071", "Xã Nghĩa Tá", None, "wrong_year", "error", "2025", "2026",
             "…", "…")]
    run = make_run(tmp_path / "run", failures=rows)
    ws = openpyxl.load_workbook(write_report_workbook(run))["Lỗi"]
    header = [c.value for c in ws[1]]
    shown = {r[header.index("Ô")].value: (r[header.index("Giá trị")].value, r[header.index("Cần là")].value)
             for r in ws.iter_rows(min_row=2)}
    assert shown == {"D9": ("245,5", None), "C46": ("5.256,5", "5.441"), "A2": ("2025", "2026")}
    page = write_html_report(run).read_text(encoding="utf-8")
    assert '<code class="val">245,5</code>' in page and '<code class="val">5.256,5</code>' in page
    assert '<code class="val">2025</code>' in page and "245.5</code>" not in page
