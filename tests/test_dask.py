"""The same flow on Prefect's Dask task runner (a LocalCluster of 2 worker processes) gives the same outputs."""

from __future__ import annotations

import polars as pl

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
