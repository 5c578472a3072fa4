"""The submission ledger, built from a small run folder: missing communes, resubmissions, status, timeliness."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from giamngheo.reference import load_reference
from giamngheo.reports.ledger import deadlines_of, ledger_summary, submissions_table

PROVINCE = "19"  # Thái Nguyên: 92 communes in the official list


def _file(path, code, kind, status, modified, superseded_by=None, **extra):
    return {
        "path": path,
        "size": 1,
        "sha256": path,
        "commune_code": code,
        "kind": kind,
        "layout": "xlsx",
        "status": status,
        "parsed": True,
        "seconds": 0.0,
        "superseded_by": superseded_by,
        "modified": modified,
        **extra,
    }


FILES = [
    # 01840: sent twice, the second version is used
    _file("tháng 5/01840_lan_1.xlsx", "01840", "plan", "superseded", "2026-05-20T03:00:00+00:00", {"plan": "01840_lan_2.xlsx"}),
    _file("01840_lan_2.xlsx", "01840", "plan", "accepted", "2026-05-28T10:00:00+00:00"),
    # 01843: rejected, sent at 23:59 on the deadline day, Vietnam time
    _file("01843.xlsx", "01843", "plan", "rejected", "2026-05-31T16:59:00+00:00"),
    # 01849: plan and results in one workbook, one minute past midnight in Vietnam: late. The manifest's
    # file status says rejected, the outputs say accepted: the outputs win.
    _file("01849.xlsx", "01849", "plan+results", "rejected", "2026-05-31T17:01:00+00:00"),
    # 01879: a file with no recognisable table counts as its commune's plan
    _file("01879 hỏng.xlsx", "01879", None, "rejected", "2026-05-01T00:00:00+00:00"),
    # not the province's: ignored
    _file("khong_ro.xlsx", None, None, "unresolved", "2026-05-01T00:00:00+00:00"),
    _file("tinh_khac.xlsx", "00706", "plan", "wrong_province", "2026-05-01T00:00:00+00:00"),
]


def make_run(tmp_path, files=FILES, deadline="2026-05-31", targets=None):
    run = tmp_path / "runs" / "20260601T000000000Z-00001"
    run.mkdir(parents=True)
    manifest = {
        "run_id": run.name,
        "started_at": "2026-06-01T00:00:00+00:00",
        "finished_at": "2026-06-01T00:01:00+00:00",
        "parameters": {"province": PROVINCE, "deadline": deadline},
        "year": 2026,
        "files": files,
        "targets": targets,
    }
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    pl.DataFrame(
        {
            "run_id": [run.name] * 3,
            "province_code": [PROVINCE] * 3,
            "commune_code": ["01840", "01843", "01849"],
            "commune_name": ["Phường Đức Xuân", "Phường Bắc Kạn", "Xã Phong Quang"],
            "status": ["accepted", "rejected", "accepted"],
        }
    ).write_parquet(run / "communes.parquet")
    pl.DataFrame(
        {
            "run_id": [run.name],
            "province_code": [PROVINCE],
            "commune_code": ["01849"],
            "commune_name": ["Xã Phong Quang"],
            "status": ["accepted"],
        }
    ).write_parquet(run / "results_communes.parquet")
    return run


def _row(table, code, kind="plan"):
    rows = table.filter((pl.col("commune_code") == code) & (pl.col("kind") == kind)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_every_commune_of_the_province_has_a_row_per_kind(tmp_path):
    table = submissions_table(make_run(tmp_path))
    expected = {u.commune_code for u in load_reference().province_units(PROVINCE)}
    assert table.height == 2 * len(expected)
    assert set(table["commune_code"]) == expected
    assert table.group_by("commune_code").len()["len"].unique().to_list() == [2]
    assert set(table["run_id"]) == {"20260601T000000000Z-00001"}
    assert "00706" not in set(table["commune_code"])


def test_year_end_results_are_not_listed_before_any_arrives(tmp_path):
    """In the plans' season no commune has sent its year-end results: the ledger listed every commune as missing them
    (92 rows of "chưa nộp" in the analyst workbook) while the run's summary rightly left results out. The plan is owed
    from the start; results once the run holds a file of them, and then by every commune."""
    plans_only = [f for f in FILES if f["kind"] != "plan+results"]
    table = submissions_table(make_run(tmp_path / "plans", plans_only))
    communes = {u.commune_code for u in load_reference().province_units(PROVINCE)}
    assert set(table["kind"]) == {"plan"} and table.height == len(communes)
    assert "results" not in ledger_summary(table)
    one_result = plans_only + [_file("ket_qua/01840.xlsx", "01840", "results", "accepted", "2026-12-20T03:00:00+00:00")]
    table = submissions_table(make_run(tmp_path / "year_end", one_result))
    assert table.filter(pl.col("kind") == "results").height == len(communes)
    assert _row(table, "01840", "results")["received"] and not _row(table, "01843", "results")["received"]


def test_a_roadmap_is_owed_by_every_commune_once_one_arrives(tmp_path):
    """31 of 38 communes sent a 2026-2030 roadmap and the workbook said "31/31 xã (100,00%)", "chưa nộp 0" (independent
    probe, Lai Châu): the ledger listed only those who sent one. Every kind is owed by every commune once the run holds
    a file of it, as the year-end results are; none is listed before."""
    roadmap = FILES + [_file("lo_trinh/01840.xlsx", "01840", "roadmap", "accepted", "2026-05-20T03:00:00+00:00")]
    table = submissions_table(make_run(tmp_path, roadmap))
    communes = {u.commune_code for u in load_reference().province_units(PROVINCE)}
    assert table.filter(pl.col("kind") == "roadmap").height == len(communes)
    assert _row(table, "01840", "roadmap")["received"] and not _row(table, "01843", "roadmap")["received"]
    summary = ledger_summary(table)["roadmap"]
    assert (summary["received"], summary["expected"], summary["missing"]) == (1, len(communes), len(communes) - 1)
    assert "roadmap" not in set(submissions_table(make_run(tmp_path / "none"))["kind"])


def test_a_targets_workbook_listing_some_communes_sets_who_is_expected(tmp_path):
    """provinces.parquet counts as expected the province's communes its targets workbook lists; the ledger listed
    the whole official list, so its "missing" disagreed with the province row (province probe, 12-06). Now it
    expects the listed communes, and lists any other commune that sent a report."""
    listed = ["01840", "01843", "01864", "01882"]
    table = submissions_table(make_run(tmp_path, targets={"path": "chi_tieu.xlsx", "sha256": "x", "communes": listed}))
    plans = table.filter(pl.col("kind") == "plan")
    assert set(plans["commune_code"]) == set(listed) | {"01849", "01879"}  # 01849 and 01879 sent a file
    assert ledger_summary(table)["plan"]["missing"] == 2  # 01864, 01882
    without = submissions_table(make_run(tmp_path / "all", targets={"path": "chi_tieu.xlsx", "sha256": "x"}))
    assert without.filter(pl.col("kind") == "plan").height == 92  # a workbook that names no commune: the official list


def test_missing_commune(tmp_path):
    row = _row(submissions_table(make_run(tmp_path)), "01864")
    assert row["commune_name"] == "Xã Bằng Thành"
    assert (row["received"], row["files_received"], row["status"]) == (False, 0, "missing")
    assert row["version_in_use"] is None and row["file_in_use"] is None and row["on_time"] is None
    assert row["superseded_files"] == []


def test_resubmission_is_numbered_and_the_superseded_file_listed(tmp_path):
    row = _row(submissions_table(make_run(tmp_path)), "01840")
    assert row["received"] is True
    assert row["files_received"] == 2
    assert row["version_in_use"] == 2
    assert row["file_in_use"] == "01840_lan_2.xlsx"
    assert row["superseded_files"] == ["tháng 5/01840_lan_1.xlsx"]
    assert row["received_at"].isoformat() == "2026-05-28T10:00:00+00:00"
    assert row["status"] == "accepted"


def test_submissions_are_numbered_as_they_came_whatever_their_dates(tmp_path):
    """The one in use is the version whose document is latest; its number is the order it came in ("Lần nộp được
    dùng"): an older document sent later is the second submission, not the first (operations judge, Lạng Sơn)."""
    files = [
        _file(
            "moi_sua.xlsx",
            "01840",
            "plan",
            "superseded",
            "2026-05-30T00:00:00+00:00",
            {"plan": "ban_dung.xlsx"},
            document_date="2026-05-10",
        ),
        _file("ban_dung.xlsx", "01840", "plan", "accepted", "2026-05-29T00:00:00+00:00", document_date="2026-05-25"),
    ]
    row = _row(submissions_table(make_run(tmp_path, files)), "01840")
    assert (row["files_received"], row["version_in_use"], row["file_in_use"]) == (2, 1, "ban_dung.xlsx")


def test_files_that_came_together_are_numbered_by_their_documents(tmp_path):
    """A folder copied at once (a checkout, a USB stick): the same second, so the document dates order them."""
    files = [
        _file("ban_dung.xlsx", "01840", "plan", "accepted", "2026-05-29T00:00:00.100000+00:00", document_date="2026-05-25"),
        _file("thang 5/cu.xlsx", "01840", "plan", "superseded", "2026-05-29T00:00:00.900000+00:00",
              {"plan": "ban_dung.xlsx"}, document_date="2026-05-10"),
    ]
    row = _row(submissions_table(make_run(tmp_path, files)), "01840")
    assert (row["files_received"], row["version_in_use"], row["file_in_use"]) == (2, 2, "ban_dung.xlsx")


def test_status_comes_from_the_outputs_then_the_manifest(tmp_path):
    table = submissions_table(make_run(tmp_path))
    assert _row(table, "01843")["status"] == "rejected"
    assert _row(table, "01849", "plan")["status"] == "accepted"
    assert _row(table, "01849", "results")["status"] == "accepted"
    assert _row(table, "01849", "results")["file_in_use"] == "01849.xlsx"
    broken = _row(table, "01879", "plan")  # in no output: the manifest says rejected
    assert (broken["received"], broken["status"], broken["file_in_use"]) == (True, "rejected", "01879 hỏng.xlsx")
    assert _row(table, "01879", "results")["status"] == "missing"


def test_on_time_is_judged_at_the_end_of_the_deadline_day_in_vietnam(tmp_path):
    table = submissions_table(make_run(tmp_path))
    assert _row(table, "01840")["on_time"] is True
    assert _row(table, "01843")["on_time"] is True  # 23:59 in Hà Nội
    assert _row(table, "01849")["on_time"] is False  # 00:01 the next day
    assert _row(table, "01864")["on_time"] is None


def test_deadline_argument_overrides_the_manifest_and_none_means_unknown(tmp_path):
    run = make_run(tmp_path, deadline=None)
    assert submissions_table(run)["on_time"].null_count() == submissions_table(run).height
    assert _row(submissions_table(run, date(2026, 5, 25)), "01840")["on_time"] is False


def test_summary_completeness_and_timeliness(tmp_path):
    summary = ledger_summary(submissions_table(make_run(tmp_path)))
    assert summary["communes_expected"] == 92
    plan = summary["plan"]
    assert (plan["expected"], plan["received"], plan["missing"]) == (92, 4, 88)
    assert (plan["accepted"], plan["rejected"], plan["resubmitted"]) == (2, 2, 1)
    assert plan["completeness_pct"] == pytest.approx(4.35)  # 4 / 92
    assert (plan["on_time"], plan["late"], plan["timeliness_pct"]) == (3, 1, 75.0)
    results = summary["results"]
    assert (results["received"], results["completeness_pct"], results["timeliness_pct"]) == (1, 1.09, 0.0)


def test_summary_without_deadline_has_no_timeliness(tmp_path):
    summary = ledger_summary(submissions_table(make_run(tmp_path, deadline=None)))
    assert summary["plan"]["timeliness_pct"] is None and summary["plan"]["on_time"] is None


def test_ledger_writes_as_parquet(tmp_path):
    table = submissions_table(make_run(tmp_path))
    table.write_parquet(tmp_path / "submissions.parquet")
    back = pl.read_parquet(tmp_path / "submissions.parquet")
    assert back.schema == table.schema
    assert back.equals(table)


def test_the_run_summary_counts_each_kinds_rejected_communes(tmp_path):
    """A commune whose year-end results were rejected (its plan accepted) showed nowhere in the printed summary:
    "Bị từ chối" listed plans only, and provinces.communes_rejected counts plans (probe, 12-06)."""
    from giamngheo.summary import RunSummary

    ledger = {"results": {"expected": 38, "received": 20, "accepted": 19, "rejected": 1, "completeness_pct": 52.63},
              "plan": {"expected": 38, "received": 20, "accepted": 20, "rejected": 0, "completeness_pct": 52.63}}
    said = RunSummary("r", tmp_path, tmp_path, [], [], [], {}, 20, 20, ledger=ledger).render()
    assert "Nộp bài (Kết quả cuối năm): 20/38 xã (52,63%); bị từ chối 1" in said
    assert "Nộp bài (Kế hoạch): 20/38 xã (52,63%)\n" in said


def test_a_file_with_no_table_beside_a_commune_s_results_is_its_plan_rejected(tmp_path):
    """A commune's plan, damaged, beside its year-end results: it was listed as a superseded results report and the
    plan as never sent, while the commune table had the plan rejected; the summary said both (independent probe).
    The plan is owed by every commune: the file is its plan, received and rejected."""
    files = [
        _file("05857_phuong_phuc_thuan.xlsx", "05857", None, "rejected", "2026-05-20T03:00:00+00:00"),
        _file("ket_qua/05857.xlsx", "05857", "results", "accepted", "2026-11-20T03:00:00+00:00"),
    ]
    table = submissions_table(make_run(tmp_path, files=files))
    plan = _row(table, "05857")
    assert (plan["received"], plan["file_in_use"], plan["status"]) == (True, "05857_phuong_phuc_thuan.xlsx", "rejected")
    assert _row(table, "05857", "results")["file_in_use"] == "ket_qua/05857.xlsx"


def test_each_kind_is_judged_against_its_own_deadline(tmp_path):
    """One --deadline for every kind made every year-end report late in the plans' season, 0 % on time (independent
    probe): "plan=…,results=…" gives each its day; a kind without one takes the plain date, if any."""
    files = [_file("01840.xlsx", "01840", "plan", "accepted", "2026-06-10T03:00:00+00:00"),
             _file("ket_qua/01840.xlsx", "01840", "results", "accepted", "2026-11-10T03:00:00+00:00")]
    run = make_run(tmp_path, files=files, deadline="plan=2026-06-15,results=2026-11-15")
    table = submissions_table(run)
    assert (_row(table, "01840")["on_time"], _row(table, "01840", "results")["on_time"]) == (True, True)
    late = submissions_table(run, "2026-06-15")  # one day for both, as before
    assert (_row(late, "01840")["on_time"], _row(late, "01840", "results")["on_time"]) == (True, False)
    assert deadlines_of("2026-06-15,results=2026-11-15") == {"*": date(2026, 6, 15), "results": date(2026, 11, 15)}


def test_a_byte_identical_copy_sent_later_does_not_make_the_report_late(tmp_path):
    """The same file again in a later e-mail folder became version 2 in use, and the commune late (independent probe):
    a report is received when its content first came."""
    files = [_file("01840.xlsx", "01840", "plan", "superseded", "2026-05-20T03:00:00+00:00", {"plan": "Email 20-6/01840.xlsx"},
                   sha256="same"),
             _file("Email 20-6/01840.xlsx", "01840", "plan", "accepted", "2026-06-20T03:00:00+00:00", sha256="same")]
    row = _row(submissions_table(make_run(tmp_path, files=files)), "01840")
    assert (row["file_in_use"], row["received_at"].isoformat(), row["on_time"]) == (
        "Email 20-6/01840.xlsx", "2026-05-20T03:00:00+00:00", True)


def test_a_copy_sent_again_after_the_first_is_gone_stays_on_time(tmp_path):
    """The same bytes touched after the deadline, or re-sent under another name with the first copy removed, made an
    on-time report late: the ledger knew only the files of the run (independent probe, An Giang). Each run's manifest
    carries when each content first came, from the run before."""
    from giamngheo.reports.ledger import with_first_seen

    first = [_file("01840.xlsx", "01840", "plan", "accepted", "2026-05-20T03:00:00+00:00", sha256="same")]
    first = with_first_seen(first, [])
    assert first[0]["first_seen"] == "2026-05-20T03:00:00+00:00"
    touched = [_file("01840 (gui lai).xlsx", "01840", "plan", "accepted", "2026-07-01T03:00:00+00:00", sha256="same"),
               _file("01843.xlsx", "01843", "plan", "accepted", "2026-07-01T03:00:00+00:00", sha256="new")]
    again = with_first_seen(touched, first)
    assert [f["first_seen"] for f in again] == ["2026-05-20T03:00:00+00:00", "2026-07-01T03:00:00+00:00"]
    third = with_first_seen(touched, again)  # carried on: the first run's own manifest is no longer needed
    assert third[0]["first_seen"] == "2026-05-20T03:00:00+00:00"
    table = submissions_table(make_run(tmp_path, files=third))
    assert (_row(table, "01840")["on_time"], _row(table, "01843")["on_time"]) == (True, False)
    assert _row(table, "01840")["received_at"].isoformat() == "2026-05-20T03:00:00+00:00"


def test_a_file_dated_after_the_run_was_received_when_the_run_read_it(tmp_path):
    """A commune computer's clock ahead: a plan modified "17/12" read by a run on 07/12 was received after the run
    and late against a deadline of 10/12 (analyst workbook judge, Hải Phòng). It was there when the run read it."""
    from datetime import datetime, timezone

    from giamngheo.reports.ledger import with_first_seen

    run = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
    files = with_first_seen([_file("01840.xlsx", "01840", "plan", "accepted", "2026-12-17T03:00:00+00:00", sha256="x")], [], run)
    assert files[0]["first_seen"] == "2026-12-07T02:00:00+00:00"


def test_a_companion_document_is_no_version_of_any_report(tmp_path):
    """A ward's plan, with its cover letter (.docx) and signed scan (.pdf), and its year-end results: the ledger said 3
    files received and version 3 of each report in use, the scan and the letter superseded versions of both (intake
    folder judge, Nghệ An). A companion is none of them."""
    from types import SimpleNamespace

    from giamngheo.submissions import file_status

    files = [_file("Email 15-3/01840_ke_hoach.xlsx", "01840", "plan", "accepted", "2026-03-15T03:00:00+00:00"),
             _file("Email 15-3/Cong van.docx", "01840", None, "companion", "2026-03-15T03:00:00+00:00"),
             _file("Email 15-3/Ban ky.pdf", "01840", None, "companion", "2026-03-15T03:00:00+00:00"),
             _file("Thang 11/01840_ket_qua.xlsx", "01840", "results", "accepted", "2026-11-10T03:00:00+00:00")]
    table = submissions_table(make_run(tmp_path, files))
    for kind, path in (("plan", "Email 15-3/01840_ke_hoach.xlsx"), ("results", "Thang 11/01840_ket_qua.xlsx")):
        row = _row(table, "01840", kind)
        assert (row["files_received"], row["version_in_use"], row["superseded_files"], row["file_in_use"]) == (1, 1, [], path)
    letter = SimpleNamespace(resolution=SimpleNamespace(unit=object(), rule=None), kinds=set(), used_for=lambda k: False,
                             failures=[{"rule": "companion_document"}], commune_code="01840")
    assert file_status(letter, {}) == "companion"
    assert file_status(SimpleNamespace(**{**vars(letter), "failures": [{"rule": "superseded_submission"}]}), {}) == "superseded"


def test_another_commune_s_file_of_the_same_bytes_lends_no_time(tmp_path):
    """Two communes' empty files (or the province's blank form) are the same bytes: the late one took the first one's
    time and was said on time (intake folder judge, Nghệ An). The same content of the same commune only."""
    from giamngheo.reports.ledger import with_first_seen

    files = [_file("17110 Hoang Mai.xlsx", "17110", "plan", "rejected", "2026-04-25T03:00:00+00:00", sha256="empty"),
             _file("17113 Lam Thanh.xlsx", "17113", "plan", "rejected", "2026-05-20T03:00:00+00:00", sha256="empty")]
    seen = with_first_seen(files, [])
    assert [f["first_seen"] for f in seen] == ["2026-04-25T03:00:00+00:00", "2026-05-20T03:00:00+00:00"]
