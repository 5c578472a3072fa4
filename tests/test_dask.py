"""The same flow on Prefect's Dask task runner (a LocalCluster of 2 worker processes) gives the same outputs."""

from __future__ import annotations

import polars as pl
import pytest

from conftest import THAI_NGUYEN


def test_dask_local_cluster_gives_identical_outputs(thai_nguyen_run, prefect_server, tmp_path):
    from flows.consolidate import with_dask

    root, threads_out, _ = thai_nguyen_run
    raw = threads_out.parent / "communes"  # the copy the threaded run read
    dask_out = tmp_path / "out"
    with_dask(workers=2)(str(raw), str(dask_out), targets=str(THAI_NGUYEN / "chi_tieu_giao_2026.xlsx"), province="19")
    for name in ("villages", "communes", "provinces", "validation_failures", "results_villages", "results_communes", "lineage"):
        a = pl.read_parquet(threads_out / f"{name}.parquet").drop("run_id", "history", strict=False)
        b = pl.read_parquet(dask_out / f"{name}.parquet").drop("run_id", "history", strict=False)
        assert a.equals(b), name


def test_a_hanging_file_times_out_on_dask_workers(prefect_server, tmp_path, monkeypatch):
    """On the LocalCluster a batch is parsed in a child process of the Dask worker, so a file that
    hangs is reported as timed out after its own limit and the other files are read."""
    import json
    import shutil
    import time

    from flows.consolidate import with_dask

    raw = tmp_path / "raw"
    raw.mkdir()
    files = sorted(p for p in (THAI_NGUYEN / "communes").rglob("*") if p.suffix in (".xlsx", ".xls", ".csv"))[:4]
    for f in files:
        shutil.copy(f, raw / f.name)
    monkeypatch.setenv("GIAMNGHEO_FAULT", f"hang:{files[1].name}")  # before the cluster starts: workers inherit it
    started = time.monotonic()
    with_dask(workers=2)(str(raw), str(tmp_path / "out"), limits={"file_timeout_seconds": 3})
    assert time.monotonic() - started < 90
    failures = pl.read_parquet(tmp_path / "out" / "validation_failures.parquet")
    unreadable = failures.filter(pl.col("rule") == "readable")
    assert unreadable["source_file"].to_list() == [files[1].name]
    assert "3 s" in unreadable["value"][0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    layouts = {f["path"]: f["layout"] for f in manifest["files"]}
    assert set(layouts) == {f.name for f in files}
    assert all(layouts[f.name] for f in files if f != files[1])  # the others were read: a table was found


def _cluster_answer(daemon: bool) -> str | None:
    import dask
    from distributed import LocalCluster

    from giamngheo.dask_check import refusal

    with dask.config.set({"distributed.worker.daemon": daemon}):
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            return refusal(cluster.scheduler_address)


@pytest.mark.slow
def test_a_cluster_of_daemonic_workers_is_refused_with_a_clear_message():
    """Their workers cannot start the parsing processes that time a hanging file out (issue 20)."""
    why = _cluster_answer(daemon=True)
    assert why and "daemon" in why and "DASK_DISTRIBUTED__WORKER__DAEMON=False" in why
    assert _cluster_answer(daemon=False) is None


@pytest.mark.slow
def test_run_refuses_an_unreachable_or_daemonic_cluster_before_writing(tmp_path, capsys):
    from giamngheo.cli import EXIT_USAGE, main

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    code = main(["run", "--raw", str(raw), "--out", str(out), "--dask-address", "tcp://127.0.0.1:9"])
    assert code == EXIT_USAGE
    assert "Dask" in capsys.readouterr().err
    assert not any(p.suffix == ".parquet" for p in out.rglob("*"))
