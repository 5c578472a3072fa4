"""Approval and acknowledgement (issue 19): the journal's chain, the state replayed from it, the
annotation of a run's tables, the commands; one real flow end to end."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import THAI_NGUYEN

from giamngheo import approval, journal, outputs
from giamngheo.approval_commands import Refused, acknowledge, approve, diff_against_approved
from giamngheo.cli import EXIT_JOURNAL_ALTERED, EXIT_OK, EXIT_REFUSED, main

# ---------------------------------------------------------------- the journal


def _append_many(out: str, who: str, n: int) -> None:
    for i in range(n):
        journal.append(Path(out), {"action": "note", "by": who, "i": i})


def test_chain_covers_every_field_and_verify_names_the_altered_entry(tmp_path):
    for i in range(4):
        journal.append(tmp_path, {"action": "approve", "by": f"a{i}", "figures": {"poor_households": i}})
    assert journal.verify(tmp_path).ok and journal.verify(tmp_path).entries == 4
    path = tmp_path / journal.JOURNAL
    original = path.read_bytes()
    lines = original.splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [1, 2, 3, 4]
    assert json.loads(lines[0])["prev"] == journal.GENESIS
    assert all(json.loads(lines[i])["prev"] == json.loads(lines[i - 1])["hash"] for i in range(1, 4))

    # a figure altered in place: the entry no longer matches its own hash
    path.write_bytes(original.replace(b'"poor_households":2', b'"poor_households":7'))
    verdict = journal.verify(tmp_path)
    assert (verdict.ok, verdict.bad_line) == (False, 3)

    # altered and re-hashed: the next entry's `prev` gives it away
    entry = json.loads(lines[1])
    entry["by"] = "someone else"
    entry["hash"] = journal.entry_hash(entry)
    path.write_bytes(b"\n".join([lines[0], journal.canonical(entry), *lines[2:]]) + b"\n")
    assert journal.verify(tmp_path).bad_line == 2

    # an entry removed
    path.write_bytes(b"\n".join([lines[0], lines[2], lines[3]]) + b"\n")
    assert journal.verify(tmp_path).bad_line == 2

    # the last entry's `by` changed (the chain covers the last entry through its own hash)
    path.write_bytes(original.replace(b'"by":"a3"', b'"by":"a9"'))
    assert journal.verify(tmp_path).bad_line == 4


def test_verify_command_names_the_altered_line(tmp_path, capsys):
    for i in range(3):
        journal.append(tmp_path, {"action": "approve", "by": f"a{i}"})
    assert main(["journal", "verify", "--out", str(tmp_path)]) == EXIT_OK
    path = tmp_path / journal.JOURNAL
    path.write_bytes(path.read_bytes().replace(b'"by":"a1"', b'"by":"x1"'))
    assert main(["journal", "verify", "--out", str(tmp_path)]) == EXIT_JOURNAL_ALTERED
    assert "mục 2" in capsys.readouterr().err


def test_verify_holds_the_journal_to_what_each_run_read(tmp_path):
    """A chain cut at its end, or swapped for another valid chain, is still a valid chain: the runs' records say not."""
    for i in range(3):
        journal.append(tmp_path, {"action": "approve", "by": f"a{i}"})
    path = tmp_path / journal.JOURNAL
    whole = path.read_bytes()
    for run_id, seen in (("r1", 2), ("r2", 3)):
        (tmp_path / "runs" / run_id).mkdir(parents=True)
        (tmp_path / "runs" / run_id / "manifest.json").write_text(
            json.dumps({"journal": journal.anchor(journal.read(tmp_path)[:seen])})
        )
    assert journal.verify(tmp_path).ok
    path.write_bytes(b"\n".join(whole.splitlines()[:2]) + b"\n")  # the last entry cut
    verdict = journal.verify(tmp_path)
    assert (verdict.ok, verdict.bad_line, verdict.entries) == (False, 3, 2) and "r2" in verdict.reason
    path.unlink()  # the whole journal deleted
    assert journal.verify(tmp_path).bad_line == 1
    for i in range(3):  # another chain of three in its place: it differs from what r1 read, in its first two entries
        journal.append(tmp_path, {"action": "approve", "by": f"b{i}"})
    verdict = journal.verify(tmp_path)
    assert (verdict.ok, verdict.bad_line, verdict.entries) == (False, 1, 0) and "1–2" in verdict.reason
    (tmp_path / "runs" / "r2" / "manifest.json").unlink()
    assert journal.verify(tmp_path).bad_line == 1  # r1 read two entries, and not these


def test_an_entry_altered_and_the_chain_rehashed_is_placed_after_what_runs_vouch_for(tmp_path, capsys):
    """Entry 2 altered and every hash recomputed from it on: verify said "altered at entry 4, 3 entries before it intact"
    (the last entry the run had read; operations probe, Lâm Đồng). A run that read two entries vouches for them; the
    alteration is placed in entries 3-4, none of them vouched for."""
    for i in range(4):
        journal.append(tmp_path, {"action": "approve", "by": f"a{i}"})
    for run_id, seen in (("r1", 2), ("r2", 4)):
        (tmp_path / "runs" / run_id).mkdir(parents=True)
        (tmp_path / "runs" / run_id / "manifest.json").write_text(
            json.dumps({"journal": journal.anchor(journal.read(tmp_path)[:seen])}))
    entries = journal.read(tmp_path)
    entries[2]["by"] = "someone else"
    for n in range(2, 4):  # re-chained from the altered entry on
        entries[n]["prev"] = entries[n - 1]["hash"]
        entries[n]["hash"] = journal.entry_hash(entries[n])
    (tmp_path / journal.JOURNAL).write_bytes(b"".join(journal.canonical(e) + b"\n" for e in entries))
    verdict = journal.verify(tmp_path)
    assert (verdict.ok, verdict.bad_line, verdict.entries) == (False, 3, 2) and "3–4" in verdict.reason
    assert main(["journal", "verify", "--out", str(tmp_path)]) == EXIT_JOURNAL_ALTERED
    assert "2 mục trước đó còn nguyên" in capsys.readouterr().err


@pytest.mark.slow  # starts two processes
def test_two_processes_appending_at_once_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(tmp_path), who, 25)) for who in ("an", "binh")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    entries = journal.read(tmp_path)
    assert len(entries) == 50
    assert sorted((e["by"], e["i"]) for e in entries) == sorted((w, i) for w in ("an", "binh") for i in range(25))
    assert journal.verify(tmp_path).ok


# ---------------------------------------------------------------- state and annotation (pure)


def _approval_entry(
    code: str, figures: dict, sha: str = "a" * 64, at: str = "2026-03-01T00:00:00+00:00", by: str = "Lan"
) -> dict:
    return {"action": "approve", "by": by, "at": at, "run_id": "r1", "approvals": [
        {"kind": "plan", "commune_code": code, "source_file": f"{code}.xlsx", "sha256": sha, "figures": figures}]}


def _communes() -> pl.DataFrame:
    return pl.DataFrame({
        "run_id": ["r2"] * 3, "commune_code": ["00001", "00002", "00003"], "status": ["accepted"] * 3,
        "poor_households": [10, 20, 30], "poor_rate_pct": [1.25, 2.5, 3.0], "meets_assigned_target": [True, None, False],
        "source_file": ["00001.xlsx", "00002.xlsx", "00003.xlsx"],
    })


def test_replay_keeps_the_latest_approval_and_annotation_names_moved_figures():
    figs = {"status": "accepted", "poor_households": 10, "poor_rate_pct": 1.25, "meets_assigned_target": True}
    entries = [
        _approval_entry("00001", figs, at="2026-03-01T00:00:00+00:00", by="Lan"),
        _approval_entry(
            "00002", {"status": "accepted", "poor_households": 19, "poor_rate_pct": 2.5, "meets_assigned_target": None}
        ),
        _approval_entry("00001", figs, at="2026-03-02T00:00:00+00:00", by="Minh"),
    ]
    state = approval.replay(entries)
    assert state.approvals[("plan", "00001")]["by"] == "Minh"
    sha = pl.DataFrame({"source_file": ["00001.xlsx", "00002.xlsx"], "sha256": ["a" * 64, "b" * 64]})
    out = approval.annotate_communes(_communes(), "plan", state, sha).sort("commune_code")
    assert out["approval"].to_list() == ["approved", "changed_since_approval", "not_approved"]
    assert out["approved_by"].to_list() == ["Minh", "Lan", None]
    assert out["approval_changes"].to_list() == [None, "poor_households, sha256", None]
    assert out.schema["approved_at"] == pl.Datetime("us", "UTC")
    assert out.columns[: len(_communes().columns)] == _communes().columns
    # annotating twice gives the same table (the report side process may annotate what the run annotated)
    assert approval.annotate_communes(out, "plan", state, sha).equals(out)


def test_a_list_s_correction_leaves_the_plan_approved():
    """One household removed from a list made the plan approved with --kind plan "changed_since_approval": the list's
    counts shown on the plan's row were compared as the plan's (judge, Quảng Ninh). The list's own approval says it."""
    figs = {"status": "accepted", "poor_households": 10, "list_poor_households": 9, "list_near_poor_households": 4}
    state = approval.replay([_approval_entry("00001", figs)])
    now = _communes().with_columns(pl.lit(8).alias("list_poor_households"), pl.lit(4).alias("list_near_poor_households"))
    sha = pl.DataFrame({"source_file": ["00001.xlsx"], "sha256": ["a" * 64]})
    out = approval.annotate_communes(now, "plan", state, sha).filter(pl.col("commune_code") == "00001")
    assert out.select("approval", "approval_changes").row(0) == ("approved", None)
    now = now.with_columns(pl.when(pl.col("commune_code") == "00001").then(11).otherwise(pl.col("poor_households"))
                           .alias("poor_households"))
    out = approval.annotate_communes(now, "plan", state, sha).filter(pl.col("commune_code") == "00001")
    assert out.select("approval", "approval_changes").row(0) == ("changed_since_approval", "poor_households")


def test_acknowledgement_holds_while_the_value_does_and_never_for_errors():
    failures = pl.DataFrame(
        {
            "commune_code": ["00001", "00001", "00001", "00002"],
            "rule": ["total_row_matches_sum", "rate_matches_counts", "numeric", "total_row_matches_sum"],
            "cell": ["C46", "F9", "D9", "C46"],
            "field": ["total_households", "poor_rate_pct", "poor_households", "total_households"],
            "severity": ["warning", "warning", "error", "warning"],
            "value": ["5441", "3,50", "7 hộ", "5441"],
        }
    )
    acks = [
        {"commune_code": "00001", "rule": r, "cell": c, "field": f, "value": v}
        for r, c, f, v in (
            ("total_row_matches_sum", "C46", "total_households", "5441"),
            ("rate_matches_counts", "F9", "poor_rate_pct", "3,40"),
            ("numeric", "D9", "poor_households", "7 hộ"),
        )
    ]
    state = approval.replay([{"action": "acknowledge", "by": "Hoa", "reason": "đã xác minh", "acknowledgements": acks}])
    out = approval.annotate_failures(failures, state)
    # the first holds; the second's cell changed value (lapsed); an error is never acknowledged; another commune's is not
    assert out["acknowledged"].to_list() == [True, False, False, False]
    assert out["acknowledged_by"].to_list() == ["Hoa", None, None, None]
    assert out["acknowledged_reason"].to_list() == ["đã xác minh", None, None, None]
    assert approval.open_failures(out).height == 3


def test_commune_tables_are_the_kinds_declared_commune_outputs():
    assert approval.COMMUNE_TABLES["plan"] == "communes.parquet"
    assert approval.COMMUNE_TABLES["results"] == "results_communes.parquet"
    assert journal.JOURNAL not in outputs.PUBLISHED


# ---------------------------------------------------------------- commands on a run folder (no flow)


def _fake_run(out: Path, run_id: str, poor: int, sha: str, failures: pl.DataFrame | None = None) -> Path:
    """A published run as the flow leaves it: runs/<id>/ with `current` pointing at it."""
    run_dir = out / "runs" / run_id
    run_dir.mkdir(parents=True)
    communes = _communes().with_columns(pl.lit(run_id).alias("run_id"), pl.Series("poor_households", [poor, 20, 30]),
                                        pl.Series("status", ["accepted", "accepted", "rejected"]))
    communes.write_parquet(run_dir / "communes.parquet")
    files = [{"path": f"0000{i}.xlsx", "sha256": (sha if i == 1 else str(i) * 64)} for i in (1, 2, 3)]
    (run_dir / "manifest.json").write_text(json.dumps({"run_id": run_id, "files": files}), encoding="utf-8")
    if failures is not None:
        failures.write_parquet(run_dir / "validation_failures.parquet")
    current = out / "current"
    if current.is_symlink():
        current.unlink()
    current.symlink_to(f"runs/{run_id}")
    return run_dir


def test_approve_then_diff_against_approved_and_refusals(tmp_path, capsys):
    out = tmp_path / "out"
    _fake_run(out, "r1", 10, "a" * 64)
    assert main(["approve", "--out", str(out), "--commune", "1", "2", "--by", "Lan", "--note", "chốt quý I"]) == EXIT_OK
    entry = journal.read(out)[-1]
    assert entry["by"] == "Lan" and entry["run_id"] == "r1" and entry["files"]["00001.xlsx"] == "a" * 64
    assert {a["commune_code"] for a in entry["approvals"]} == {"00001", "00002"}
    # a rejected commune has no figures to approve; nothing is written
    assert main(["approve", "--out", str(out), "--commune", "00003", "--by", "Lan"]) == EXIT_REFUSED
    # no --by at all: argparse's usage and exit 2, where the README says every refusal exits 4 (operations probe)
    assert main(["approve", "--out", str(out), "--commune", "00001"]) == EXIT_REFUSED
    assert "thiếu người phê duyệt" in capsys.readouterr().err
    assert main(["acknowledge", "--out", str(out), "--commune", "00001", "--rule", "outlier", "--reason", "x"]) == EXIT_REFUSED
    assert len(journal.read(out)) == 1
    assert diff_against_approved(out)["changed"] == []

    _fake_run(out, "r2", 11, "c" * 64)  # a corrected file: another SHA-256, one figure moved
    d = diff_against_approved(out)
    (c,) = d["changed"]
    assert c["commune_code"] == "00001" and c["approved_by"] == "Lan"
    assert {x["field"]: (x["approved"], x["current"]) for x in c["changes"]} == {
        "poor_households": (10, 11), "sha256": ("a" * 64, "c" * 64)}
    assert main(["diff", "--out", str(out), "--against", "approved"]) == EXIT_OK
    assert "poor_households" in capsys.readouterr().out

    staging = tmp_path / "staged"
    shutil.copytree(out / "runs" / "r2", staging)
    approval.annotate_staged(staging, out)
    annotated = pl.read_parquet(staging / "communes.parquet").sort("commune_code")
    assert annotated["approval"].to_list() == ["changed_since_approval", "approved", "not_approved"]

    assert main(["approve", "--out", str(out), "--all-accepted", "--by", "Minh"]) == EXIT_OK
    assert diff_against_approved(out)["changed"] == [] and journal.verify(out).ok


def test_acknowledging_an_error_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    failures = pl.DataFrame({"commune_code": ["00001", "00001"], "rule": ["integer", "total_row_matches_sum"],
                             "cell": ["D13", "C46"], "field": ["poor_households", "total_households"],
                             "severity": ["error", "warning"], "value": ["3.5", "5441"], "source_file": ["00001.xlsx"] * 2})
    _fake_run(out, "r1", 10, "a" * 64, failures)
    assert main(["acknowledge", "--out", str(out), "--commune", "00001", "--rule", "integer", "--cell", "D13",
                 "--by", "Hoa", "--reason", "x"]) == EXIT_REFUSED
    assert "error" in capsys.readouterr().err
    assert not (out / journal.JOURNAL).exists()
    with pytest.raises(Refused):
        acknowledge(out, "00001", "total_row_matches_sum", "Hoa", "x", cell="Z99")
    entry = acknowledge(out, "00001", "total_row_matches_sum", "Hoa", "dòng tổng cũ", cell="c46")
    assert entry["acknowledgements"][0]["value"] == "5441" and entry["reason"] == "dòng tổng cũ"
    with pytest.raises(Refused):
        approve(out, "Lan")  # neither communes nor --all-accepted


def test_an_out_that_cannot_be_written_refuses_with_one_line_and_the_journal_as_it_was(tmp_path, capsys, monkeypatch):
    """A read-only --out: approve and acknowledge ended in a traceback, exit 1 (operations judge, Lạng Sơn). One line,
    exit 3, as `run` says it; a disk full mid-entry leaves the journal as it was, never a cut-off line."""
    import errno
    import os as os_

    from giamngheo.cli import EXIT_OUTPUT

    out = tmp_path / "out"
    failures = pl.DataFrame({"commune_code": ["00001"], "rule": ["total_row_matches_sum"], "cell": ["C46"],
                             "field": ["total_households"], "severity": ["warning"], "value": ["5441"],
                             "source_file": ["00001.xlsx"]})
    _fake_run(out, "r1", 10, "a" * 64, failures)
    assert main(["approve", "--out", str(out), "--commune", "1", "--by", "Lan"]) == EXIT_OK
    before = (out / journal.JOURNAL).read_bytes()
    real_write = os_.write

    def half_then_full(fd, data):  # the first half of the entry written, then no space
        if len(data) > 64:
            real_write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(journal.os, "write", half_then_full)
    assert main(["approve", "--out", str(out), "--commune", "2", "--by", "Lan"]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "không ghi được vào --out" in err and "No space left on device" in err
    assert (out / journal.JOURNAL).read_bytes() == before and journal.verify(out).ok
    monkeypatch.setattr(journal.os, "write", real_write)

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(journal, "append", read_only)
    assert main(["acknowledge", "--out", str(out), "--commune", "1", "--rule", "total_row_matches_sum", "--by", "Hoa",
                 "--reason", "x"]) == EXIT_OUTPUT
    assert "Read-only file system" in capsys.readouterr().err


# ---------------------------------------------------------------- end to end: real runs


SMALL = ["05710_phuong_linh_son.xlsx", "02083_xa_yen_phong.xlsx", "05851_xa_quan_chu.xlsx", "bieu giam ngheo xa phu thinh.xlsx"]
PHU_THINH = "bieu giam ngheo xa phu thinh.xlsx"  # 05800: warnings total_row_matches_sum at C46 (5441), F46 and H46 (43)


def _sheet_values(path: Path, sheet: str) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.mark.flow
def test_approve_correct_rerun_acknowledge_and_survive_cache_clear_and_pruning(run_flow, tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name in SMALL:
        shutil.copy2(THAI_NGUYEN / "communes" / name, raw / name)
    targets = THAI_NGUYEN / "chi_tieu_giao_2026.xlsx"
    first = run_flow(raw, out, targets=targets, province="19")
    communes = pl.read_parquet(out / "communes.parquet")
    assert set(communes["approval"]) == {"not_approved"}
    assert pl.read_parquet(out / "validation_failures.parquet")["acknowledged"].to_list() == [False] * 5

    assert main(["approve", "--out", str(out), "--all-accepted", "--by", "Nguyễn Thị Lan", "--note", "chốt số liệu"]) == EXIT_OK
    for cell in ("C46", "F46"):
        assert main(["acknowledge", "--out", str(out), "--commune", "05800", "--rule", "total_row_matches_sum", "--cell", cell,
                     "--by", "Trần Hoa", "--reason", "xã đã giải trình dòng tổng"]) == EXIT_OK
    assert main(["acknowledge", "--out", str(out), "--commune", "05851", "--rule", "integer", "--by", "Trần Hoa",
                 "--reason", "x"]) == EXIT_REFUSED

    # rerun, nothing changed: approved, acknowledged, and the acknowledged warnings are not counted as open
    second = run_flow(raw, out, targets=targets, province="19")
    communes = pl.read_parquet(out / "communes.parquet").sort("commune_code")
    assert dict(zip(communes["commune_code"], communes["approval"])) == {
        "02083": "approved", "05710": "approved", "05800": "approved", "05851": "not_approved"}
    assert set(communes.drop_nulls("approved_by")["approved_by"]) == {"Nguyễn Thị Lan"}
    failures = pl.read_parquet(out / "validation_failures.parquet")
    acked = failures.filter(pl.col("acknowledged"))
    assert sorted(acked["cell"]) == ["C46", "F46"] and set(acked["acknowledged_by"]) == {"Trần Hoa"}
    assert second.failures_by_severity == {"error": 1, "warning": 2} and second.acknowledged == 2
    html = (out / "bao_cao_kiem_tra.html").read_text(encoding="utf-8")
    assert "Đã giải trình" in html and "Trần Hoa" in html and "xã đã giải trình dòng tổng" in html
    assert 'class="badge approved"' in html
    rows = _sheet_values(out / "bao_cao_tong_hop.xlsx", "Xã, phường")
    header = next(r for r in rows if "Phê duyệt số liệu" in r)
    column = header.index("Phê duyệt số liệu")
    assert "Đã phê duyệt" in [r[column] for r in rows] and "Chưa phê duyệt" in [r[column] for r in rows]

    # the commune corrects a village (and its total row), changes a warned total; the cache is cleared,
    # the first run (the one approved) pruned
    book = openpyxl.load_workbook(raw / PHU_THINH)
    sheet = book["Phụ lục"]
    assert (sheet["D6"].value, sheet["D46"].value, sheet["F46"].value) == (3, 127, 43)
    sheet["D6"], sheet["D46"], sheet["F46"] = 4, 128, 44
    book.save(raw / PHU_THINH)
    assert main(["cache", "clear", "--out", str(out)]) == EXIT_OK
    shutil.rmtree(out / "runs" / first.run_id)
    run_flow(raw, out, targets=targets, province="19")
    assert all(f["parsed"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"])
    communes = pl.read_parquet(out / "communes.parquet").sort("commune_code")
    assert dict(zip(communes["commune_code"], communes["approval"])) == {
        "02083": "approved", "05710": "approved", "05800": "changed_since_approval", "05851": "not_approved"}
    moved = communes.filter(pl.col("commune_code") == "05800")["approval_changes"].item().split(", ")
    assert {"poor_households", "poor_rate_pct", "sha256"} <= set(moved) and "total_households" not in moved
    # the analyst workbook and the HTML report say what moved in words, not as field ids
    from openpyxl import load_workbook

    sheet = load_workbook(out / "bao_cao_tong_hop.xlsx", read_only=True)["Xã, phường"]
    [shown] = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str) and "nội dung tệp đã nộp" in c]
    assert "Số hộ nghèo" in shown and "poor_households" not in shown and "sha256" not in shown
    html = (out / "bao_cao_kiem_tra.html").read_text(encoding="utf-8")
    assert shown in html and "poor_households, " not in html and "Thời điểm (giờ Việt Nam)" in html
    failures = pl.read_parquet(out / "validation_failures.parquet")
    state = {
        r["cell"]: r["acknowledged"] for r in failures.filter(pl.col("rule") == "total_row_matches_sum").iter_rows(named=True)
    }
    assert state == {"C46": True, "F46": False, "H46": False}  # F46 now holds 44: its acknowledgement lapsed

    d = diff_against_approved(out)
    (changed,) = d["changed"]
    figures = {c["field"]: (c["approved"], c["current"]) for c in changed["changes"]}
    assert changed["commune_code"] == "05800" and figures["poor_households"] == (127, 128)
    capsys.readouterr()
    assert main(["diff", "--out", str(out), "--against", "approved"]) == EXIT_OK
    text = capsys.readouterr().out
    assert "05800" in text and "127 → 128" in text

    # the journal: intact, then one line tampered with
    assert main(["journal", "verify", "--out", str(out)]) == EXIT_OK
    path = out / journal.JOURNAL
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3 and all(json.loads(x)["by"] for x in lines)
    path.write_bytes(b"\n".join([lines[0], lines[1].replace("Trần Hoa".encode(), "Ai Đó".encode()), lines[2]]) + b"\n")
    assert main(["journal", "verify", "--out", str(out)]) == EXIT_JOURNAL_ALTERED
    assert "mục 2" in capsys.readouterr().err
    # the last entry cut away: the rest is a valid chain, but the last run read three entries
    path.write_bytes(b"\n".join(lines[:2]) + b"\n")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["journal"]["entries"] == 3
    assert main(["journal", "verify", "--out", str(out)]) == EXIT_JOURNAL_ALTERED
    assert "chỉ còn 2" in capsys.readouterr().err


def test_report_side_process_reads_staged_tables_annotated(tmp_path):
    """The analyst workbook's side process may read the staged tables before the run annotates them."""
    out = tmp_path / "out"
    figs = {"status": "accepted", "poor_households": 10, "poor_rate_pct": 1.25, "meets_assigned_target": True}
    journal.append(out, _approval_entry("00001", figs))
    staging = out / ".staging" / "r2"
    staging.mkdir(parents=True)
    plain = approval.ensure_annotated(_communes(), "communes.parquet", staging)
    assert plain["approval"].to_list() == ["approved", "not_approved", "not_approved"]  # judged by the file's name
    moved = _communes().with_columns(pl.Series("source_file", ["00001_v2.xlsx", "00002.xlsx", "00003.xlsx"]))
    assert approval.ensure_annotated(moved, "communes.parquet", staging)["approval"][0] == "changed_since_approval"
    assert "approval" not in approval.ensure_annotated(_communes(), "villages.parquet", staging).columns
    # the flow writes the files' SHA-256s first (flows/consolidate.py): a corrected file under the same name is seen
    (staging / "manifest.json").write_text(json.dumps({"files": [{"path": "00001.xlsx", "sha256": "b" * 64}]}), encoding="utf-8")
    corrected = approval.ensure_annotated(_communes(), "communes.parquet", staging)
    assert corrected["approval"][0] == "changed_since_approval" and "sha256" in corrected["approval_changes"][0]


def test_run_to_run_diff_ignores_approval_columns(tmp_path):
    from giamngheo.diff import diff_runs

    out = tmp_path / "out"
    a, b = _fake_run(out, "r1", 10, "a" * 64), _fake_run(out, "r2", 10, "a" * 64)
    figs = {"status": "accepted", "poor_households": 10, "poor_rate_pct": 1.25, "meets_assigned_target": True}
    state = approval.replay([_approval_entry("00001", figs)])
    annotated = approval.annotate_communes(pl.read_parquet(b / "communes.parquet"), "plan", state, pl.DataFrame(
        {"source_file": ["00001.xlsx"], "sha256": ["a" * 64]}))
    annotated.write_parquet(b / "communes.parquet")
    assert annotated["approval"][0] == "approved"
    assert diff_runs(a, b)["plan"]["communes"] == []


def test_acknowledged_warnings_leave_the_manifest_counts_and_the_feedback_copies(tmp_path):
    """counts.failures counts the open failures (as the run summary does), the acknowledged apart; a file whose
    only failure is an acknowledged warning gets no feedback copy (nothing more is asked of the commune)."""
    out, staging, raw = tmp_path / "out", tmp_path / "out" / ".staging" / "r2", tmp_path / "raw"
    staging.mkdir(parents=True)
    raw.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    for name in ("00001.xlsx", "00002.xlsx"):
        wb.save(raw / name)
    failures = pl.DataFrame({"commune_code": ["00001", "00002"], "rule": ["total_row_matches_sum"] * 2, "cell": ["C46", "C46"],
                             "field": ["total_households"] * 2, "severity": ["warning"] * 2, "value": ["5441", "5441"],
                             "source_file": ["00001.xlsx", "00002.xlsx"], "source_sheet": ["Sheet"] * 2, "row": [46, 46],
                             "column": [3, 3], "message": ["m", "m"]})
    failures.write_parquet(staging / "validation_failures.parquet")
    acknowledge_entry = {"action": "acknowledge", "by": "Hoa", "reason": "đã xác minh", "acknowledgements": [
        {"commune_code": "00001", "rule": "total_row_matches_sum", "cell": "C46", "field": "total_households", "value": "5441"}]}
    journal.append(out, acknowledge_entry)
    manifest = {"files": [], "counts": {"failures": {"warning": 2}}}
    approval.annotate_staged(staging, out, manifest)
    assert manifest["counts"]["failures"] == {"warning": 1} and manifest["counts"]["acknowledged_warnings"] == 1
    (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    from giamngheo.reports.feedback import write_feedback_report

    written = write_feedback_report(staging, raw).written
    assert [p.name for p in written] == ["00002_00002.xlsx"]


def test_the_workbook_ledger_gives_each_kind_its_own_approval(tmp_path):
    """The commune sheet gives the plan's approval: a roadmap changed since its approval read "Đã phê duyệt" there
    (independent analyst's probe). The ledger's row of each commune and kind says that kind's."""
    from giamngheo.reports.analyst import _with_approvals

    out = tmp_path / "out"
    figs = {"status": "accepted", "poor_households": 10, "poor_rate_pct": 1.25, "meets_assigned_target": True}
    journal.append(out, _approval_entry("00001", figs))
    roadmap = {"kind": "roadmap", "commune_code": "00001", "source_file": "00001_lo_trinh.xlsx", "sha256": "r" * 64,
               "figures": {"status": "accepted", "poor_reduction_total": 40}}
    journal.append(out, {**_approval_entry("00001", figs), "approvals": [roadmap]})
    run_dir = out / "runs" / "r2"
    run_dir.mkdir(parents=True)
    _communes().write_parquet(run_dir / "communes.parquet")
    pl.DataFrame({"commune_code": ["00001", "00002"], "status": ["accepted"] * 2, "poor_reduction_total": [45, 30],
                  "source_file": ["00001_lo_trinh.xlsx", "00002_lo_trinh.xlsx"]}
                 ).write_parquet(run_dir / "roadmap_communes.parquet")
    files = [{"path": "00001.xlsx", "sha256": "a" * 64}, {"path": "00001_lo_trinh.xlsx", "sha256": "s" * 64}]
    (run_dir / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    ledger = pl.DataFrame({"commune_code": ["00001", "00001", "00002", "00003"],
                           "kind": ["plan", "roadmap", "roadmap", "roadmap"],
                           "status": ["accepted", "accepted", "accepted", "missing"]})
    got = _with_approvals(ledger, run_dir)
    assert got.select("kind", "approval").rows() == [
        ("plan", "approved"), ("roadmap", "changed_since_approval"), ("roadmap", "not_approved"), ("roadmap", None)]
    assert "tệp" in got["approval_changes"][1]  # what moved, in words: the file's content (and the figure)
