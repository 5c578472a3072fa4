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
    assert "không phải là thư mục (is not a folder)" in missing.stderr  # Vietnamese first, as every message
    (tmp_path / "not_a_folder").write_text("x")
    busy = _run("run", "--raw", str(tmp_path), "--out", str(tmp_path / "not_a_folder"))
    assert busy.returncode == 3


@pytest.mark.parametrize(
    "option, value, said",
    [("--province", "99", "không có tỉnh mã 99"), ("--deadline", "2026-13-45", "YYYY-MM-DD"), ("--workers", "0", "từ 1 trở lên"),
     ("--deadline", "ketqua=2026-11-15", "loại báo cáo 'ketqua' không có"), ("--deadline", "results=2026-11-31", "YYYY-MM-DD")],
)
def test_a_bad_argument_is_refused_before_the_run(tmp_path, option, value, said):
    """--province 99 ran to the end (every file of another province, exit 0); --deadline 2026-13-45 ran and lost the
    analyst workbook (a ValueError in the ledger); --workers 0 was taken."""
    (tmp_path / "raw").mkdir()
    done = _run("run", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), option, value)
    assert done.returncode == 2 and said in done.stderr and not (tmp_path / "out").exists()


def test_python_dash_m_runs_the_command_as_the_readme_says(tmp_path):
    """`python -m flows.consolidate --raw … --out …` (the README) did nothing and exited 0: a scheduler set up from that line
    would have reported success every night with no output (operations probe, 12-06)."""
    root = Path(__file__).resolve().parents[1]
    for module in ("flows.consolidate", "giamngheo"):
        args = [sys.executable, "-m", module] + ([] if module == "flows.consolidate" else ["run"])
        missing = subprocess.run([*args, "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "out")], cwd=root,
                                 capture_output=True, text=True, timeout=120)
        assert missing.returncode == 2 and "missing" in missing.stderr, (module, missing.stderr[-500:])


def _as_an_ordinary_user() -> list[str]:
    """The command prefix under which permission bits apply: none for a user, root's override dropped for root."""
    import os
    import shutil

    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    if not shutil.which("setpriv") or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("root that cannot drop its override: permission bits cannot be made to apply")
    return prefix


def test_a_part_of_out_that_cannot_be_written_is_said_before_the_run(tmp_path):
    """A read-only runs/ in --out ran the whole flow, then failed at the last rename with a traceback, exit 1; a read-only
    lock file was a traceback too (operations probe, Lâm Đồng). Said before the run, one line, exit 3."""
    (tmp_path / "raw").mkdir()
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / "runs").chmod(0o555)
    try:
        done = subprocess.run([*_as_an_ordinary_user(), str(GIAMNGHEO), "run", "--raw", str(tmp_path / "raw"), "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
    finally:
        (out / "runs").chmod(0o755)
    assert done.returncode == 3, done.stderr[-800:]
    assert f"không ghi được vào {out / 'runs'}" in done.stderr and "Traceback" not in done.stderr


def test_a_read_only_parse_cache_is_read_without(tmp_path):
    """A read-only .cache/parsed.sqlite failed the run inside a Prefect task, three tracebacks, exit 1 (operations probe,
    Lâm Đồng). The cache is a saving only: the run reads every file without it."""
    from giamngheo.cache import ParseCache

    path = tmp_path / ".cache" / "parsed.sqlite"
    ParseCache(path).close()
    path.chmod(0o444)
    path.parent.chmod(0o555)
    script = ("import sys; from pathlib import Path; from giamngheo.cache import ParseCache; "
              "c = ParseCache(Path(sys.argv[1])); c.put_many([('ab' * 32, 'auto', b'x')]); "
              "print(c.get('ab' * 32, 'auto'))")
    try:
        done = subprocess.run([*_as_an_ordinary_user(), sys.executable, "-c", script, str(path)], capture_output=True,
                              text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
    assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr[-800:]
