"""What is under --raw and not read is reported: a named pipe was passed over in silence (and opening one would wait
for ever), a folder that cannot be listed only reached the manifest."""

from __future__ import annotations

import os

import pytest

from giamngheo.discover import Skipped, discover_files
from giamngheo.failures import finish
from giamngheo.frames import skipped_failures


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_not_read(tmp_path):
    (tmp_path / "05800_phu_thinh.xlsx").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    os.mkfifo(tmp_path / "bieu.xlsx")
    entries, skipped = discover_files(tmp_path)
    assert [e.rel for e in entries] == ["05800_phu_thinh.xlsx"] and skipped == [Skipped("bieu.xlsx", "not_a_file")]
    said = finish(skipped_failures(skipped), "r").select("source_file", "rule", "severity", "message").rows()
    assert said == [("bieu.xlsx", "readable", "error", "Không đọc được tệp: không phải tệp thông thường (ống dẫn, socket hay thiết bị), "
                     "không được đọc.")]


def test_a_folder_that_cannot_be_listed_is_reported():
    said = finish(skipped_failures([Skipped("xa phu thinh", "unreadable_dir"), Skipped("thumbs.db", "ignored")]), "r")
    assert said.select("source_file", "rule").rows() == [("xa phu thinh", "readable")]
    assert "không có quyền đọc" in said["message"][0]
