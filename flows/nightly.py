"""The nightly consolidation: the same flow, registered as a Prefect deployment on a cron schedule.

Times are Vietnam time (Asia/Ho_Chi_Minh, UTC+7) unless told otherwise: a bare
cron in Prefect is UTC, and "02:00" must mean 02:00 in the province.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prefect.schedules import Cron

from flows.consolidate import consolidate

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def nightly_deployment(
    raw: Path,
    out: Path,
    targets: Path | None = None,
    province: str | None = None,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    name: str = "nightly",
    deadline: str | None = None,
):
    """The consolidation as a deployment that runs on `cron` in `timezone` with these parameters."""
    parameters = {
        "raw": str(Path(raw).resolve()),
        "out": str(Path(out).resolve()),
        "targets": str(Path(targets).resolve()) if targets else None,
        "province": province,
        "deadline": deadline,
        # a scheduled run waits for an analyst's run on the same folder instead of giving up
        "wait_seconds": 3600.0,
    }
    return consolidate.to_deployment(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        description=f"Consolidate {parameters['raw']} into {parameters['out']} every day ({cron}, {timezone}).",
        tags=["giamngheo", "nightly"],
    )


def _stop_with_parent() -> None:
    """In the server's process before it starts (Linux): SIGTERM when `serve` ends, however it ends. A SIGKILL of serve
    left the server on its port, serving an old database, and the next serve registered on it without a word
    (operations probe, Lâm Đồng). Elsewhere nothing is done."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def scheduling_server(port: int = 4200):
    """A Prefect API whose scheduler runs: PREFECT_API_URL if set, else a local `prefect server start`.

    Prefect's ephemeral mode (no server) runs flows but never creates scheduled
    runs, so a nightly schedule needs a real server; this starts one for the
    lifetime of `giamngheo serve` and stops it afterwards.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_stop_with_parent,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"could not start a local Prefect server on port {port}")
            time.sleep(1)
        os.environ["PREFECT_API_URL"] = url
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # the settings were read when Prefect was imported: without this the serving process started a temporary
        # server of its own beside this one, over the same database (operations probe, Lâm Đồng)
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None) if os.environ.get("PREFECT_API_URL") == url else None
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def serve_nightly(port: int = 4200, **kwargs) -> None:
    """Register the deployment and run its schedule in this process until stopped (Ctrl-C)."""
    with scheduling_server(port) as url:
        print(
            f"giamngheo: Prefect API {url}; lịch chạy {kwargs.get('cron', DEFAULT_CRON)} "
            f"({kwargs.get('timezone', DEFAULT_TIMEZONE)})",
            flush=True,
        )
        from prefect import serve

        serve(nightly_deployment(**kwargs))


if __name__ == "__main__":
    from giamngheo.cli import main

    raise SystemExit(main(["serve", *__import__("sys").argv[1:]]))
