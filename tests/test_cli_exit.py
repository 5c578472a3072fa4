"""The `giamngheo` command ends with os._exit after its exit handlers: output and exit codes survive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
import pytest

pytestmark = pytest.mark.slow  # starts processes

GIAMNGHEO = Path(sys.executable).with_name("giamngheo")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(GIAMNGHEO), *args], capture_output=True, text=True, timeout=120)


def test_everything_printed_reaches_a_pipe():
    """Piped stdout is block-buffered: a quick exit that skipped the flush would lose the tail."""
    done = _run("rules", "--markdown")
    assert done.returncode == 0
    assert done.stdout.count("\n") > 40
    from giamngheo.docs import rules_markdown

    assert done.stdout == rules_markdown()


def test_exit_codes_are_kept(tmp_path):
    missing = _run("run", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2
    assert "is not a folder" in missing.stderr
    (tmp_path / "not_a_folder").write_text("x")
    busy = _run("run", "--raw", str(tmp_path), "--out", str(tmp_path / "not_a_folder"))
    assert busy.returncode == 3
