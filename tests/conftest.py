"""Shared fixtures: one Prefect test server for the session, the sample provinces, a flow runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TUYEN_QUANG = FIXTURES / "tuyen-quang-2026"
THAI_NGUYEN = ROOT / "data" / "raw" / "thai-nguyen-2026"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A temporary Prefect API for the whole session; subprocesses reach it through PREFECT_API_URL."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect_home"))
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        url = PREFECT_API_URL.value()
        os.environ["PREFECT_API_URL"] = url
        try:
            yield url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture(scope="session")
def run_flow(prefect_server):
    """Run the consolidation flow in-process: run_flow(raw, out, **RunOptions fields)."""
    from flows.consolidate import consolidate

    def run(raw, out, **kwargs):
        kwargs.setdefault("workers", 2)
        kwargs = {k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()}
        return consolidate(str(raw), str(out), **kwargs)

    return run


def copy_tuyen_quang(dest: Path) -> Path:
    """The development province copied with its arrival order: the superseded file is older."""
    shutil.copytree(TUYEN_QUANG, dest)
    raw = dest / "raw"
    for path in raw.rglob("*"):
        if path.is_file():
            os.utime(path, (1_780_000_000, 1_780_000_000))
    old = raw / "cu_00691_phuong_ha_giang_2.xlsx"
    os.utime(old, (1_770_000_000, 1_770_000_000))
    return dest


@pytest.fixture(scope="session")
def tuyen_quang_run(run_flow, tmp_path_factory):
    """The development province consolidated once for the session: (truth folder, out folder, summary)."""
    base = tmp_path_factory.mktemp("tq")
    root = copy_tuyen_quang(base / "tuyen-quang-2026")
    out = base / "out"
    summary = run_flow(root / "raw", out, targets=root / "targets.xlsx", province="08")
    return root, out, summary


@pytest.fixture(scope="session")
def thai_nguyen_run(run_flow, tmp_path_factory):
    """The repository's sample province consolidated once for the session, its analyst workbook
    written in a side process as in a national run (92 files are below the size that gets one)."""
    import flows.consolidate

    base = tmp_path_factory.mktemp("tn")
    raw = base / "communes"
    shutil.copytree(THAI_NGUYEN / "communes", raw)
    out = base / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(flows.consolidate, "WORTH_IT_FILES", 0)
        summary = run_flow(raw, out, targets=THAI_NGUYEN / "chi_tieu_giao_2026.xlsx", province="19")
    return THAI_NGUYEN, out, summary


FLOW_FIXTURES = {"prefect_server", "run_flow", "tuyen_quang_run", "thai_nguyen_run"}


def pytest_collection_modifyitems(config, items):
    """A test that uses a Prefect flow, directly or through a fixture, is marked `flow` (it starts the
    temporary API and takes seconds), so `pytest -m "not slow and not flow"` stays the fast loop."""
    for item in items:
        if FLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.flow)
