"""What is under --raw and not read is reported: a named pipe was passed over in silence (and opening one would wait
for ever), a folder that cannot be listed only reached the manifest."""

from __future__ import annotations

import os

import pytest

from giamngheo.discover import Skipped, discover_files
from giamngheo.failures import finish
from giamngheo.frames import file_failures, skipped_failures


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_not_read(tmp_path):
    (tmp_path / "05800_phu_thinh.xlsx").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    os.mkfifo(tmp_path / "bieu.xlsx")
    entries, skipped = discover_files(tmp_path)
    assert [e.rel for e in entries] == ["05800_phu_thinh.xlsx"] and skipped == [Skipped("bieu.xlsx", "not_a_file")]
    said = finish(skipped_failures(skipped), "r").select("source_file", "rule", "severity", "message").rows()
    assert said == [
        (
            "bieu.xlsx",
            "readable",
            "error",
            "Không đọc được tệp: không phải tệp thông thường (ống dẫn, socket hay thiết bị), không được đọc.",
        )
    ]


def test_a_folder_that_cannot_be_listed_is_reported():
    said = finish(skipped_failures([Skipped("xa phu thinh", "unreadable_dir"), Skipped("thumbs.db", "ignored")]), "r")
    assert said.select("source_file", "rule").rows() == [("xa phu thinh", "readable")]
    assert "không có quyền đọc" in said["message"][0]


def _entry(path):
    from giamngheo.discover import FileEntry

    return FileEntry(path.name, path, 0, 0.0)


class _NoPool:
    def run(self, jobs):
        assert not jobs, "nothing to parse"
        return []


def test_a_file_the_system_will_not_hand_over_is_not_called_damaged(tmp_path, monkeypatch):
    """A permission refused, or a file gone between finding it and reading it, said "tệp bị hỏng" (the file is damaged):
    an analyst would ask the commune for a new file. It says what it is, and is never cached (the next run tries again)."""
    from giamngheo import reading
    from giamngheo.cache import ParseCache

    locked, gone = tmp_path / "05800_phu_thinh.xlsx", tmp_path / "05803_tan_cuong.xlsx"
    locked.write_bytes(b"x")

    def refuse(path):
        if path == locked:
            raise PermissionError(13, "Permission denied")
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(reading, "file_sha256", refuse)
    records = reading.read_files([_entry(locked), _entry(gone)], ParseCache(None), _NoPool())
    for r in records:
        r.failures = list(r.data.failures)  # as submissions.resolve_files hands them on
    said = finish(file_failures(records), "r")
    assert said["rule"].to_list() == ["readable", "readable"]
    assert "không có quyền đọc" in said["message"][0] and "bị hỏng" not in said["message"][0]
    assert "lần chạy sau sẽ đọc lại" in said["message"][1]
    assert all(r.data.is_readable_failure(reading.TRANSIENT) for r in records)


def test_a_read_error_inside_the_parser_is_not_called_damaged(tmp_path, monkeypatch):
    from giamngheo import parse
    from giamngheo.readers.grid import Limits

    def fail(path, limits):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(parse, "read_workbook", fail)
    failure = parse.parse_workbook(tmp_path / "x.xlsx", Limits()).failures[0]
    assert (failure["rule"], failure["detail"]) == ("readable", "io_error")


def test_a_file_whose_name_is_no_utf8_is_read(tmp_path):
    """A name with a byte that is no UTF-8 (an old archive tool's): the file was found, then calamine, given the name
    as text, found no such file; it was reported unreadable and an older copy counted instead (fuzz probe)."""
    from layouts.grids import Grid, write_book

    from giamngheo.parse import parse_workbook
    from giamngheo.readers.grid import Limits

    rows = [
        ["KẾ HOẠCH GIẢM NGHÈO NĂM 2026"],
        ["STT", "Tên thôn", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"],
        [1, "Thôn Nà Thành", 212, 9, 7],
    ]
    written = write_book(tmp_path / "plain.xlsx", Grid(rows, "Phụ lục"))
    os.rename(written, os.path.join(os.fsencode(tmp_path), b"bad\xff05800_phu_thinh.xlsx"))
    (entry,), _ = discover_files(tmp_path)
    assert entry.rel == "bad\\xff05800_phu_thinh.xlsx"
    result = parse_workbook(entry.path, Limits())
    assert result.failures == [] and [t.kind for t in result.tables] == ["plan"]


def test_a_hidden_spreadsheet_is_read_and_office_litter_is_not(tmp_path):
    """".05455_phuong_quyet_thang.xlsx", a valid plan, was passed over (manifest 'ignored', no failure): its commune
    counted as not submitted (fuzz probe). Lock and temporary files of office programs are still no reports."""
    for name in (".05455_phuong_quyet_thang.xlsx", "~$bieu.xlsx", ".~lock.bieu.xlsx#", "._bieu.xlsx", ".hidden_notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    entries, skipped = discover_files(tmp_path)
    assert [e.rel for e in entries] == [".05455_phuong_quyet_thang.xlsx"]
    assert {s.rel for s in skipped if s.reason == "ignored"} == {
        ".hidden_notes.txt",
        "._bieu.xlsx",
        ".~lock.bieu.xlsx#",
        "~$bieu.xlsx",
    }


def test_a_file_changed_between_its_hashing_and_its_parsing_is_neither_used_nor_cached(tmp_path):
    """A run hashes a file, then parses it: a commune's correction copied over it in between was published (and cached)
    under the first content's SHA-256, and the next run, the old file back, took the new figures from the cache
    (operations probe, 12-06). Such a file is reported (readable: changed), never cached, read again next run."""
    from giamngheo import reading
    from giamngheo.cache import ParseCache, encode
    from giamngheo.parallel import parse_one
    from giamngheo.parsed import packed
    from giamngheo.readers.grid import Limits

    path = tmp_path / "05800_phu_thinh.csv"
    path.write_text("STT;Tên thôn;Tổng số hộ;Số hộ nghèo;Số hộ cận nghèo\n1;Thôn Na Thành;120;14;4\n", encoding="utf-8")

    class CorrectedMeanwhile:
        def run(self, jobs):
            path.write_text(path.read_text(encoding="utf-8").replace(";14;", ";24;"), encoding="utf-8")
            return [encode(packed(parse_one(job, Limits()))) for job in jobs]

    cache = ParseCache(tmp_path / "parsed.sqlite")
    (record,) = reading.read_files([_entry(path)], cache, CorrectedMeanwhile())
    assert record.data.is_readable_failure(("changed",)) and record.data.tables == []
    record.failures = list(record.data.failures)
    said = finish(file_failures([record]), "r")["message"].to_list()
    assert len(said) == 1 and "thay đổi trong lúc đang đọc" in said[0]
    assert cache.get(record.sha256, f"|{reading.key_id()}") is None


def test_a_download_not_finished_is_reported_not_read(tmp_path):
    """"Xã Võ Nhai - phân bổ chỉ tiêu (1).csv.crdownload", 60 % of the file and newer, superseded the whole one: a
    village cut mid-row was read with its near-poor 18 as 0 (independent probe). A browser's name for a download not
    finished is never a report: reported, not read."""
    for name in ("bieu (1).csv.crdownload", "bieu.xlsx.part", "05800_phu_thinh.csv"):
        (tmp_path / name).write_bytes(b"x")
    entries, skipped = discover_files(tmp_path)
    assert [e.rel for e in entries] == ["05800_phu_thinh.csv"]
    assert [(s.rel, s.reason) for s in skipped] == [("bieu (1).csv.crdownload", "partial_download"),
                                                    ("bieu.xlsx.part", "partial_download")]
    said = finish(skipped_failures(skipped), "r").select("rule", "severity", "message").rows()
    assert said[0] == ("readable", "error", "Không đọc được tệp: tệp đang tải về dở (tên tệp của trình duyệt khi chưa tải xong), "
                       "không được đọc.")


@pytest.mark.parametrize("trash", ["$RECYCLE.BIN/S-1-5-21-1004", ".Trash-1000/files", ".Trashes/501", "#recycle", "RECYCLER"])
def test_a_recycle_bin_is_not_read(tmp_path, trash):
    """A deleted, edited copy of a commune's plan in the shared drive's recycle bin replaced its live plan (a later file
    time), and a deleted draft made a commune that sent nothing accepted (intake folder judge, Nghệ An). The bin is
    listed as skipped, never read."""
    (tmp_path / "Thang 3").mkdir()
    (tmp_path / "Thang 3" / "bieu giam ngheo.xlsx").write_bytes(b"x")
    deleted = tmp_path / trash
    deleted.mkdir(parents=True)
    (deleted / "$R7QK2LM.xlsx").write_bytes(b"y")
    entries, skipped = discover_files(tmp_path)
    assert [e.rel for e in entries] == ["Thang 3/bieu giam ngheo.xlsx"]
    assert [(s.rel, s.reason) for s in skipped] == [(trash.split("/")[0], "trash")]
