"""Which of a commune's files is used: a broken resubmission (damaged, unreadable, no table) never wins over a file that
gives a table, and is still reported. Before 2026-12-06 a damaged later copy won, and the commune's good figures were
lost: its year-end results vanished from results_communes.parquet, its plan was rejected."""

from __future__ import annotations

import os

import polars as pl
import pytest
from layouts.grids import Grid, write_book

from test_any_table import run_steps

PLAN = [
    ["UBND XÃ PHÚ THỊNH"],
    ["BIỂU PHÂN BỔ CHỈ TIÊU GIẢM NGHÈO NĂM 2026"],
    [],
    ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Chỉ tiêu giảm hộ nghèo", "Chỉ tiêu giảm hộ cận nghèo"],
    [1, "Thôn Na Thành", 120, 5, 4, 1, 1],
    [2, "Thôn Đồng Tâm", 200, 8, 6, 2, 1],
]


def _plan(path):
    return write_book(path, Grid(PLAN))


def _status(tables) -> list[tuple]:
    return (
        tables["communes.parquet"]
        .filter(pl.col("commune_code") == "05800")
        .select("status", "poor_households", "source_file")
        .rows()
    )


def test_a_damaged_resubmission_does_not_replace_the_good_file(tmp_path):
    good = _plan(tmp_path / "05800_phu_thinh.xlsx")
    broken = tmp_path / "05800_phu_thinh (gui lai).xlsx"
    broken.write_bytes(good.read_bytes()[:700])  # a truncated copy, sent later
    os.utime(good, (1_700_000_000, 1_700_000_000))
    os.utime(broken, (1_800_000_000, 1_800_000_000))
    failures, tables = run_steps([good, broken])
    assert _status(tables) == [("accepted", 13, good.name)]
    said = failures.filter(pl.col("source_file") == broken.name).select("rule", "severity").rows()
    assert sorted(said) == [("readable", "error"), ("superseded_submission", "warning")]
    # the good file is the older one: never "replaced by a later submission" (operations probe, 12-06)
    (message,) = failures.filter((pl.col("source_file") == broken.name) & (pl.col("rule") == "superseded_submission"))["message"]
    assert f"lấy từ bản nộp {good.name}" in message and "bản nộp sau:" not in message


def test_a_damaged_file_alone_rejects_its_commune(tmp_path):
    broken = tmp_path / "05800_phu_thinh.xlsx"
    broken.write_bytes(_plan(tmp_path / "good.xlsx").read_bytes()[:700])
    failures, tables = run_steps([broken])
    assert _status(tables) == [("rejected", None, broken.name)]
    assert failures.filter(pl.col("source_file") == broken.name)["rule"].to_list() == ["readable"]


def test_a_run_without_province_says_which_province_would_read_its_unresolved_files():
    """A province's files run without --province: the communes whose names other provinces share are commune_resolved
    errors, as the contract says. The summary names the province nearly every other commune belongs to."""
    import polars as pl

    from giamngheo.summary import province_hint

    communes = pl.DataFrame(
        {
            "province_code": ["19"] * 9 + ["08"],
            "province_name": ["Tỉnh Thái Nguyên"] * 9 + ["Tỉnh Tuyên Quang"],
            "status": ["accepted"] * 8 + ["rejected", "accepted"],
        }
    )
    failures = pl.DataFrame(
        {
            "rule": ["commune_resolved", "commune_resolved", "integer"],
            "source_file": ["xa phu luong.xlsx", "bieu.xlsx", "a.xlsx"],
            "expected": ["Xã Phú Lương (Tỉnh Tuyên Quang, 02611); Xã Phú Lương (Tỉnh Thái Nguyên, 05611)", "—", None],
        }
    )
    hint = province_hint(communes, failures)
    assert hint is not None and hint.startswith("Gợi ý: 1 tệp") and "--province 19" in hint
    assert province_hint(communes.with_columns(pl.lit("08").alias("province_code")).head(2), failures) is None  # too few to say
    assert province_hint(communes, failures.head(0)) is None


def test_the_summary_names_the_files_whose_commune_was_not_found():
    """A national run said only "1 lỗi (error)" of a file set aside, its province blocks "0 bị từ chối" (independent
    probe, national run): the summary names each such file and the provinces its name is in."""
    import polars as pl

    from giamngheo.summary import unresolved_files

    failures = pl.DataFrame({
        "rule": ["commune_resolved", "commune_resolved", "commune_resolved", "integer"],
        "source_file": ["Xa Thanh Phu.xlsx", "bieu.xlsx", "chi tieu.xlsx", "a.xlsx"],
        "cell": ["A1", None, "B6", "D7"],
        "kind": [None, None, "targets", "plan"],  # a targets workbook's row: not a commune's file
        "expected": ["Xã Thạnh Phú (Tỉnh Đồng Tháp, 28771); Xã Thạnh Phú (Tỉnh Vĩnh Long, 29197)", "—", "—", None],
    })
    said = unresolved_files(failures, province_fixed=False)
    assert said.startswith("Không xác định được xã của 2 tệp, không tính vào số liệu: Xa Thanh Phu.xlsx (tên có ở Tỉnh "
                           "Đồng Tháp, Tỉnh Vĩnh Long); bieu.xlsx.") and "--province" in said
    assert "--province" not in unresolved_files(failures) and unresolved_files(failures.tail(1)) is None


def test_an_annex_dated_by_the_plan_it_is_attached_to_wins_by_that_date(tmp_path):
    """An annex's only date is often that of the plan it is attached to ("(Kèm theo Kế hoạch số 15/KH-UBND ngày 20/5/2026)"):
    a corrected annex, attached to the later plan, wins over the first even when its file is older on disk. Before, such a
    line was skipped as a citation, and the older figures were published (independent probe, 12-06)."""
    first = [PLAN[0], PLAN[1], ["(Kèm theo Kế hoạch số 12/KH-UBND ngày 12/5/2026 của UBND xã Phú Thịnh)"], *PLAN[3:]]
    corrected = [PLAN[0], PLAN[1], ["(Kèm theo Kế hoạch số 15/KH-UBND ngày 20/5/2026 của UBND xã Phú Thịnh)"], *PLAN[3:5],
                 [2, "Thôn Đồng Tâm", 200, 10, 6, 2, 1]]
    old = write_book(tmp_path / "05800_phu_thinh.xlsx", Grid(first))
    new = write_book(tmp_path / "05800_phu_thinh_ban_sua.xlsx", Grid(corrected))
    os.utime(new, (1_700_000_000, 1_700_000_000))  # the corrected copy is the older file on disk
    os.utime(old, (1_800_000_000, 1_800_000_000))
    failures, tables = run_steps([old, new])
    assert _status(tables) == [("accepted", 15, new.name)]
    assert failures.filter(pl.col("rule") == "superseded_submission")["source_file"].to_list() == [old.name]


def test_a_signed_date_comes_before_the_date_of_the_plan_an_annex_is_attached_to():
    from giamngheo.layout.dates import document_date as _document_date

    attached = "(Kèm theo Kế hoạch số 15/KH-UBND ngày 20/5/2026)"
    assert _document_date([attached, "Phú Thịnh, ngày 25 tháng 5 năm 2026"]) == [2026, 5, 25]
    assert _document_date([attached]) == [2026, 5, 20]
    assert _document_date(["Căn cứ Quyết định số 1/QĐ-UBND ngày 02/3/2025", "Theo Công văn ngày 5/4/2026"]) is None


def test_a_cut_off_date_is_not_the_documents_date():
    """"(Số liệu rà soát đến ngày 10/12/2026)" was read as the date the report was signed, which orders a commune's
    submissions (independent probe, Nghệ An). A date after "đến", "tính đến", "từ" is the figures', not the document's."""
    from giamngheo.layout.dates import document_date as _document_date

    assert _document_date(["(Số liệu rà soát đến ngày 10/12/2026)"]) is None
    assert _document_date(["(Số liệu tính đến ngày 31/12/2026)", "Nam Đàn, ngày 15 tháng 12 năm 2026"]) == [2026, 12, 15]
    assert _document_date(["Phú Thịnh, ngày 20 tháng 5 năm 2026"]) == [2026, 5, 20]
    assert _document_date(["Cẩm Tú, ngày 17 tháng 5 năm 2026"]) == [2026, 5, 17]  # a place ending as "từ" would


def test_a_table_of_the_groups_sent_after_the_annex_never_replaces_it(tmp_path):
    """Communes send "phân loại hộ nghèo" after their annex: the households by group, no planned reduction, with or
    without "Tổng số hộ". Read as a plan and the later submission, it replaced the annex: the commune rejected for the
    missing column, or accepted with its planned cuts gone (independent probe, Điện Biên). The annex stays in use; the
    table is said to be superseded."""
    plan = _plan(tmp_path / "05800_phu_thinh.xlsx")
    by_group = [PLAN[0], ["BIỂU TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO THEO NHÓM ĐỐI TƯỢNG NĂM 2026"], [],
                ["STT", "Tên thôn", "Số hộ nghèo", "Trong đó: hộ DTTS", "Hộ không có KNLĐ"],
                [1, "Thôn Na Thành", 5, 3, 1], [2, "Thôn Đồng Tâm", 8, 6, 2]]
    with_total = [row[:2] + [total] + row[2:] for row, total in zip(by_group, [None, None, None, "Tổng số hộ", 120, 200])]
    for rows in (by_group, with_total):
        later = write_book(tmp_path / "05800_phan_loai_ho_ngheo.xlsx", Grid(rows))
        os.utime(plan, (1_700_000_000, 1_700_000_000))
        os.utime(later, (1_800_000_000, 1_800_000_000))
        failures, tables = run_steps([plan, later])
        row = tables["communes.parquet"].filter(pl.col("commune_code") == "05800").row(0, named=True)
        assert (row["status"], row["poor_reduction_target"], row["source_file"]) == ("accepted", 3, plan.name)
        said = failures.filter(pl.col("source_file") == later.name)["rule"].to_list()
        assert said == ["superseded_submission"], said


@pytest.mark.parametrize("name, kind, table", [
    ("05800_danh_sach_ho_2026.xlsx", "households", "households_communes.parquet"),
    ("05800 lo trinh giam ngheo 2026-2030.xlsx", "roadmap", "roadmap_communes.parquet"),
    ("Bieu thieu hut 05800.xlsx", "deprivations", "deprivations_communes.parquet"),
])
def test_a_broken_file_named_for_a_kind_is_that_kind_s_submission(tmp_path, name, kind, table):
    """"05800_danh_sach_ho_2026.xlsx" cut in half beside the plan: recorded as the plan's superseded copy, "superseded by"
    the plan, the commune's list "never received" in the ledger, and alone of its kind in the run, no table of the kind
    (hostile-file judge, Cao Bằng). It is the commune's report of that kind, received and rejected for being unreadable;
    the plan is untouched."""
    plan = _plan(tmp_path / "05800_phu_thinh.xlsx")
    broken = tmp_path / name
    broken.write_bytes(plan.read_bytes()[:700])
    os.utime(plan, (1_700_000_000, 1_700_000_000))
    os.utime(broken, (1_800_000_000, 1_800_000_000))
    failures, tables = run_steps([plan, broken])
    assert _status(tables) == [("accepted", 13, plan.name)]
    said = failures.filter(pl.col("source_file") == broken.name).select("rule", "kind").rows()
    assert said == [("readable", kind)]
    assert tables[table].select("commune_code", "status", "source_file").rows() == [("05800", "rejected", name)]


def test_a_table_less_roadmap_is_the_roadmap_s_whatever_its_section_rows_say(tmp_path):
    """A roadmap whose years the reader does not know ("Năm I … Năm V"): its section row "I. Chỉ tiêu giảm nghèo" names
    the plan's words too, so the file named no one kind and was the plan's superseded copy, the commune's roadmap never
    received (independent probe, Gia Lai). Its path names the roadmap first: the roadmap's submission, rejected."""
    plan = _plan(tmp_path / "05800_phu_thinh.xlsx")
    roadmap = write_book(tmp_path / "lo_trinh_05800_phu_thinh.xlsx", Grid([
        ["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
        ["STT", "Nội dung", "ĐVT", "Năm I", "Năm II", "Năm III", "Năm IV", "Năm V"],
        ["I", "Chỉ tiêu giảm nghèo"], [1, "Số hộ nghèo giảm", "hộ", 3, 3, 2, 2, 1],
        ["II", "Kinh phí"], [1, "Tổng kinh phí", "triệu đồng", 100, 90, 80, 70, 60],
    ], "Lộ trình"))
    os.utime(plan, (1_700_000_000, 1_700_000_000))
    os.utime(roadmap, (1_800_000_000, 1_800_000_000))
    failures, tables = run_steps([plan, roadmap])
    assert _status(tables) == [("accepted", 13, plan.name)]
    said = failures.filter(pl.col("source_file") == roadmap.name).select("rule", "kind").rows()
    assert said == [("table_found", "roadmap")]
    assert tables["roadmap_communes.parquet"].select("commune_code", "status", "source_file").rows() == [
        ("05800", "rejected", roadmap.name)]


def test_a_workbook_of_two_communes_is_refused_without_saying_a_sheet_was_used(tmp_path):
    """A sheet per commune in one workbook: refused whole (commune_resolved, both named), and sheet_not_used said the
    first sheet "được dùng" when nothing of the file was used (independent probe, national run)."""
    other = [["UBND XÃ CAO MINH"], *PLAN[1:4], [1, "Thôn Na Thành", 90, 7, 3, 2, 1], [2, "Thôn Đồng Tâm", 140, 9, 5, 2, 1]]
    book = write_book(tmp_path / "hai xa.xlsx", [Grid(PLAN, "Biểu 01"), Grid(other, "Biểu 02")])
    failures, tables = run_steps([book])
    said = failures.filter(pl.col("source_file") == book.name)
    assert said["rule"].to_list() == ["commune_resolved"]
    assert "05800" in said["expected"][0] and "01879" in said["expected"][0]


def test_a_sheet_with_figures_no_table_was_read_from_is_said(tmp_path):
    """A roadmap in the plan's workbook whose years the reader did not know was lost without a word (independent probe,
    Gia Lai): a visible sheet with figures from which nothing was read is a warning, of the kind its name names."""
    roadmap = [["UBND XÃ PHÚ THỊNH"], ["LỘ TRÌNH GIẢM NGHÈO GIAI ĐOẠN 2026 - 2030"], [],
               ["STT", "Nội dung", "ĐVT", "Năm I", "Năm II", "Năm III", "Năm IV", "Năm V"],
               [1, "Số hộ nghèo giảm", "hộ", 3, 3, 2, 2, 1], [2, "Tổng kinh phí", "triệu đồng", 100, 90, 80, 70, 60]]
    signed = [["Phú Thịnh, ngày 20 tháng 5 năm 2026"], ["Người lập biểu", None, "Chủ tịch"], ["Trang", 2]]
    book = write_book(tmp_path / "05800_ke_hoach.xlsx", [Grid(PLAN, "KH 2026"), Grid(roadmap, "Lộ trình"), Grid(signed, "Ký")])
    failures, tables = run_steps([book])
    assert _status(tables) == [("accepted", 13, book.name)]
    said = failures.filter(pl.col("rule") == "sheet_not_read")
    assert said.select("source_sheet", "kind", "severity").rows() == [("Lộ trình", "roadmap", "warning")]
    assert said["message"][0].startswith("Trang tính “Lộ trình” có số liệu nhưng không đọc được bảng nào")


def test_a_document_sent_with_the_spreadsheet_is_its_companion(tmp_path):
    """The signed scan (PDF) or the plan's text (Word) beside the commune's spreadsheet was a readable error on an
    accepted commune ("1 lỗi", 0 rejected) and a superseded submission (independent probe, Khánh Hòa): a warning that
    names the spreadsheet used. A document alone is still an unreadable report."""
    plan = _plan(tmp_path / "05800_phu_thinh.xlsx")
    scan = tmp_path / "05800_ke_hoach_ky.pdf"
    scan.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    failures, tables = run_steps([plan, scan])
    assert _status(tables) == [("accepted", 13, plan.name)]
    said = failures.filter(pl.col("source_file") == scan.name)
    assert said.select("rule", "severity").rows() == [("companion_document", "warning")]
    assert said["message"][0] == (f"Tệp {scan.name} không phải bảng tính (PDF), không đọc; số liệu của xã lấy từ bảng tính "
                                  f"{plan.name} gửi cùng.")
    alone, tables = run_steps([scan])
    assert alone.filter(pl.col("source_file") == scan.name).select("rule", "severity").rows() == [("readable", "error")]


def test_a_companion_names_the_spreadsheet_sent_with_it(tmp_path):
    """A March cover letter in the March folder beside the plan: its message named the November results as sent with it
    too, every spreadsheet of the commune (intake folder judge, Nghệ An). The spreadsheets in its own folder are named
    where there are any."""
    from test_results_variants import _book

    march, november = tmp_path / "Thang 3", tmp_path / "Thang 11"
    march.mkdir()
    november.mkdir()
    plan = _plan(march / "05800_phu_thinh.xlsx")
    results = _book(november / "05800_ket_qua.xlsx", "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM 2026", [
        ["STT", "Thôn", "Tổng số hộ", "Hộ nghèo đầu kỳ", "Thoát nghèo", "Phát sinh mới", "Hộ nghèo cuối kỳ"]],
        [[1, "Thôn Na Thành", 120, 5, 1, 0, 4], [2, "Thôn Đồng Tâm", 200, 8, 2, 0, 6]])
    letter = march / "05800_cong_van.pdf"
    letter.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    failures, tables = run_steps([plan, results, letter], root=tmp_path)
    assert tables["results_communes.parquet"].filter(pl.col("commune_code") == "05800")["status"].to_list() == ["accepted"]
    said = failures.filter(pl.col("source_file") == "Thang 3/05800_cong_van.pdf")
    assert said.select("rule", "expected").rows() == [("companion_document", "Thang 3/05800_phu_thinh.xlsx")]
    alone = tmp_path / "05800_to_trinh.pdf"  # in no spreadsheet's folder: every spreadsheet it may go with
    alone.write_bytes(letter.read_bytes())
    failures, _ = run_steps([plan, results, alone], root=tmp_path)
    assert failures.filter(pl.col("source_file") == alone.name)["expected"].to_list() == [
        "Thang 11/05800_ket_qua.xlsx, Thang 3/05800_phu_thinh.xlsx"]


def test_a_document_naming_no_commune_is_the_companion_of_the_one_commune_in_its_folder(tmp_path):
    """"Email 15-3/Cong van.pdf" beside one ward's workbook: a commune_resolved error and a readable error about a
    cover letter, and the summary asked the province to name the commune in it (intake folder judge, Nghệ An). A
    document naming no commune, in a folder of one commune's spreadsheets, is that commune's companion; in a folder of
    several communes it is still unresolved."""
    folder = tmp_path / "Email 15-3"
    folder.mkdir()
    plan = _plan(folder / "05800_phu_thinh.xlsx")
    letter = folder / "Cong van.pdf"
    letter.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    failures, tables = run_steps([plan, letter], root=tmp_path)
    assert _status(tables) == [("accepted", 13, "Email 15-3/05800_phu_thinh.xlsx")]
    said = failures.filter(pl.col("source_file") == "Email 15-3/Cong van.pdf")
    assert said.select("rule", "severity", "commune_code").rows() == [("companion_document", "warning", "05800")]
    other = write_book(folder / "ke hoach bac kan.xlsx", Grid([["UBND PHƯỜNG BẮC KẠN"], *PLAN[1:]]))
    failures, _ = run_steps([plan, other, letter], root=tmp_path)
    said = failures.filter(pl.col("source_file") == "Email 15-3/Cong van.pdf")
    assert sorted(said["rule"]) == ["commune_resolved", "readable"]


def test_an_archive_of_the_commune_s_files_is_said_to_be_extracted(tmp_path):
    """A .zip of the commune's files, beside them extracted: a readable error on an accepted commune; alone, "không
    phải bảng tính (zip archive)" said nothing of what to do (intake folder judge, Nghệ An). Beside the spreadsheet it is a
    companion; alone it asks to be extracted. RAR and 7z alike."""
    import zipfile

    plan = _plan(tmp_path / "05800_phu_thinh.xlsx")
    archive = tmp_path / "05800_phu_thinh.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(plan, plan.name)
    failures, tables = run_steps([plan, archive])
    assert _status(tables) == [("accepted", 13, plan.name)]
    said = failures.filter(pl.col("source_file") == archive.name)
    assert said.select("rule", "severity").rows() == [("companion_document", "warning")]
    alone, _ = run_steps([archive])
    said = alone.filter(pl.col("source_file") == archive.name).row(0, named=True)
    assert (said["rule"], said["severity"]) == ("readable", "error")
    assert "tệp nén zip, không phải bảng tính: hãy giải nén" in said["message"], said["message"]
    rar = tmp_path / "05800_phu_thinh.rar"
    rar.write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(64))
    alone, _ = run_steps([rar])
    assert "tệp nén RAR" in alone.filter(pl.col("source_file") == rar.name)["message"][0]
