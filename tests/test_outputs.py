"""Publishing a run in --out: one switch of `current`, the copying fallback, and recovery's clean-up.

The SIGKILL tests (test_crash_safety.py) kill real publishes; these check the mechanism's
other paths quickly, without a flow: a folder published by an older version (regular files
at the top), a file system without symbolic links, and debris left by a killed run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from giamngheo import outputs


def stage(out: Path, run_id: str, files: dict[str, str]) -> None:
    """A staged run: manifest.json naming it, and the given top-level files (text)."""
    staging = outputs.staging_dir(out, run_id)
    (staging / "manifest.json").write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")


def top(out: Path) -> dict[str, str]:
    """What a reader of --out sees: every published name present at the top, read through any link."""
    return {n: (out / n).read_text(encoding="utf-8") for n in outputs.PUBLISHED if (out / n).is_file()}


def test_a_run_is_published_by_switching_current(tmp_path):
    out = tmp_path / "out"
    stage(out, "run-1", {"villages.parquet": "v1", "diff.json": "d1"})
    outputs.commit(out, "run-1")
    stage(out, "run-2", {"villages.parquet": "v2"})
    outputs.commit(out, "run-2")

    assert os.readlink(out / outputs.CURRENT) == f"{outputs.RUNS}/run-2"
    assert os.readlink(out / "villages.parquet") == f"{outputs.CURRENT}/villages.parquet"
    assert top(out) == {"villages.parquet": "v2", "manifest.json": json.dumps({"run_id": "run-2"})}
    assert not os.path.lexists(out / "diff.json"), "a name the new run lacks must not show the old run's file"
    assert (out / outputs.RUNS / "run-1" / "diff.json").read_text(encoding="utf-8") == "d1", "earlier runs are kept"


def test_a_folder_published_by_copying_is_taken_over_without_a_gap(tmp_path):
    """An --out written by copying (regular files at the top): `current` first points at the run they
    are from, so every name shows that run until the switch."""
    out = tmp_path / "out"
    stage(out, "run-1", {"villages.parquet": "v1"})
    outputs.commit(out, "run-1")
    for name in ("villages.parquet", "manifest.json", outputs.CURRENT):  # as an older version left it
        (out / name).unlink()
    (out / "villages.parquet").write_text("v1", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"run_id": "run-1"}), encoding="utf-8")

    outputs.adopt_copied_run(out)
    outputs.link_atomically(out / "villages.parquet", f"{outputs.CURRENT}/villages.parquet")
    assert top(out)["villages.parquet"] == "v1"

    stage(out, "run-2", {"villages.parquet": "v2"})
    outputs.commit(out, "run-2")
    assert top(out)["villages.parquet"] == "v2" and (out / "villages.parquet").is_symlink()


def test_without_symbolic_links_files_are_replaced_one_by_one(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_symlinks_work", lambda out: False)
    out = tmp_path / "out"
    stage(out, "run-1", {"villages.parquet": "v1", "diff.json": "d1"})
    outputs.commit(out, "run-1")
    stage(out, "run-2", {"villages.parquet": "v2"})
    outputs.commit(out, "run-2")

    assert not (out / "villages.parquet").is_symlink() and not os.path.lexists(out / outputs.CURRENT)
    assert top(out) == {"villages.parquet": "v2", "manifest.json": json.dumps({"run_id": "run-2"})}


@pytest.mark.parametrize("symlinks", [True, False])
def test_recovery_finishes_a_publish_and_clears_what_a_killed_run_left(tmp_path, monkeypatch, symlinks):
    if not symlinks:
        monkeypatch.setattr(outputs, "_symlinks_work", lambda out: False)
    out = tmp_path / "out"
    stage(out, "run-1", {"villages.parquet": "v1"})
    outputs.commit(out, "run-1")
    # a run killed after saving runs/run-2 and writing its journal, with debris of every kind
    stage(out, "run-2", {"villages.parquet": "v2"})
    os.replace(out / outputs.STAGING / "run-2", out / outputs.RUNS / "run-2")
    (out / outputs.JOURNAL_NAME).write_text(json.dumps({"run_id": "run-2"}), encoding="utf-8")
    (out / (outputs.JOURNAL_NAME + ".tmp")).write_text("{", encoding="utf-8")
    (out / ".new-communes.parquet").write_text("half", encoding="utf-8")
    (out / ".old-feedback").mkdir()
    stage(out, "run-3", {"villages.parquet": "never published"})

    assert outputs.recover(out) == "run-2"
    assert top(out)["villages.parquet"] == "v2"
    left = sorted(p.name for p in out.iterdir() if p.name.startswith((".new-", ".old-", outputs.JOURNAL_NAME)))
    staged = list((out / outputs.STAGING).iterdir()) if (out / outputs.STAGING).exists() else []
    assert left == [] and staged == []


@pytest.mark.slow  # starts a second interpreter
def test_the_lock_is_reentrant_within_a_process_and_refuses_another(tmp_path):
    """The command line takes the lock before the flow starts; the flow's own lock then finds it held."""
    import subprocess
    import sys

    out = tmp_path / "out"
    with outputs.run_lock(out):
        with outputs.run_lock(out):
            pass
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from giamngheo import outputs\n"
             "try:\n    outputs.run_lock(Path(sys.argv[1])).__enter__()\nexcept outputs.OutputBusy as e:\n"
             "    print('busy', e); sys.exit(3)", str(out)],
            capture_output=True, text=True, timeout=60,
        )
        assert other.returncode == 3 and "another run is using" in other.stdout, other.stdout + other.stderr
    with outputs.run_lock(out):  # released: taken again
        pass


def test_a_full_disk_ends_the_run_in_one_line_and_frees_the_staged_outputs(tmp_path, monkeypatch, capsys):
    """A full disk under --out ended a run in ~170 lines of traceback, exit 1, its staged outputs left on the full disk
    (operations judge, Lạng Sơn): one line, exit 3, the staging removed, the outputs published before untouched."""
    import errno

    import flows.consolidate
    from giamngheo.cli import EXIT_OUTPUT, main

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "ke hoach.xlsx").write_bytes(b"x")
    (out / ".staging" / "r2").mkdir(parents=True)
    (out / ".staging" / "r2" / "villages.parquet").write_bytes(b"half")
    (out / "communes.parquet").write_bytes(b"published")

    def full(**_):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("Invalid thrift: transport error") from exc  # as polars says it, the cause chained

    monkeypatch.setattr(flows.consolidate, "consolidate", full)
    assert main(["run", "--raw", str(raw), "--out", str(out), "--no-progress"]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "hết chỗ trống trên ổ đĩa" in err and "Traceback" not in err
    assert not (out / ".staging").exists() and (out / "communes.parquet").read_bytes() == b"published"

    def broken(**_):
        raise ValueError("a bug")  # any other crash is not said to be the disk

    monkeypatch.setattr(flows.consolidate, "consolidate", broken)
    with pytest.raises(ValueError):
        main(["run", "--raw", str(raw), "--out", str(out), "--no-progress"])
