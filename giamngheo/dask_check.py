"""Whether an existing Dask cluster can run giamngheo with its per-file limits.

A file that hangs or eats memory is parsed in a process of its own, given a time limit and killed
past it. A daemonic process may not start child processes, so on a cluster whose workers are
daemonic (Dask's default) a batch would be parsed in the worker itself, and one hanging file would
hold its worker for good. Such a cluster is refused before the run starts.
"""

from __future__ import annotations

import multiprocessing


def _is_daemonic() -> bool:
    return multiprocessing.current_process().daemon


def daemonic_workers(address: str, timeout: float = 5.0) -> list[str]:
    """Addresses of the cluster's workers that run as daemonic processes."""
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        answers = client.run(_is_daemonic)
    return sorted(worker for worker, daemonic in answers.items() if daemonic)


def refusal(address: str) -> str | None:
    """Why the cluster at `address` cannot be used (Vietnamese, then English), or None when it can."""
    try:
        daemonic = daemonic_workers(address)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the cluster is reported, not raised
        return (f"không kết nối được cụm Dask {address} ({type(exc).__name__}). "
                f"Cannot reach the Dask cluster at {address} ({type(exc).__name__}: {exc}).")
    if not daemonic:
        return None
    return (
        f"cụm Dask {address} có {len(daemonic)} worker chạy ở chế độ daemon: một tệp bị treo sẽ giữ worker mãi mãi "
        "(không giới hạn được thời gian đọc từng tệp). Hãy khởi động worker với DASK_DISTRIBUTED__WORKER__DAEMON=False.\n"
        f"The Dask cluster at {address} has {len(daemonic)} daemonic worker(s) ({', '.join(daemonic[:5])}): they cannot "
        "start the parsing processes that give each file its time limit, so one hanging file would hold its worker. "
        "Start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (or `dask worker --no-nanny`)."
    )
