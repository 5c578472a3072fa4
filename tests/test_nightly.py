"""The nightly deployment runs at 02:00 Vietnam time (not UTC) with the run's parameters."""

from pathlib import Path

import pytest

from flows.nightly import nightly_deployment


def test_default_schedule_is_two_am_in_vietnam(tmp_path):
    deployment = nightly_deployment(raw=tmp_path / "raw", out=tmp_path / "out", province="19")
    (schedule,) = deployment.schedules
    assert schedule.schedule.cron == "0 2 * * *"
    assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert deployment.parameters["raw"] == str((tmp_path / "raw").resolve())
    assert deployment.parameters["province"] == "19"
    assert deployment.parameters["wait_seconds"] > 0


def test_schedule_and_timezone_are_configurable(tmp_path):
    deployment = nightly_deployment(raw=Path("r"), out=Path("o"), cron="30 22 * * 1-5", timezone="UTC", name="weekdays")
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone, deployment.name) == ("30 22 * * 1-5", "UTC", "weekdays")


def test_serve_refuses_what_would_fail_every_night(tmp_path, capsys):
    """A missing --raw folder was served (a job failing every night); a bad --cron or --timezone ended in a traceback
    and exit 1, where the README says 2 (operations probe, 12-06). Refused before anything is served."""
    from giamngheo.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    for args, said in (([ "--raw", str(tmp_path / "missing")], "không phải là thư mục"),
                       (["--raw", str(raw), "--cron", "hai giờ sáng"], "không phải lịch cron"),
                       (["--raw", str(raw), "--timezone", "Asia/Ha_Noi"], "không phải múi giờ"),
                       (["--raw", str(raw), "--targets", str(tmp_path / "chi_tieu.xlsx")], "không phải là tệp")):
        assert main(["serve", *args, "--out", str(tmp_path / "out")]) == 2
        assert said in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "serve"])
def test_an_out_folder_inside_raw_is_refused(tmp_path, capsys, command):
    """--out inside --raw: the first run wrote no feedback copy (--raw is never written to), the second read the first's
    reports as the communes' and made a ward that sent nothing "rejected" (independent probe, Cà Mau). Refused, exit 2,
    before anything is written; the flow called from Python refuses it too."""
    from flows.consolidate import consolidate
    from giamngheo.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    for out in (raw / "out", raw):
        assert main([command, "--raw", str(raw), "--out", str(out)]) == 2
        assert "nằm trong --raw" in capsys.readouterr().err
    assert sorted(p.name for p in raw.iterdir()) == []
    with pytest.raises(ValueError, match="nằm trong --raw"):
        consolidate.fn(raw=str(raw), out=str(raw / "out"))


@pytest.mark.slow  # starts a Prefect server (~10 s)
def test_serve_s_server_is_the_api_it_uses_and_ends_with_it(tmp_path):
    """serve started `prefect server start` on its port and then, its settings read before, a temporary server of its
    own over the same database; a SIGKILL of serve left the port's server running, and the next serve registered on it
    without a word (operations probe, Lâm Đồng). One server, the one Prefect's settings name, gone when serve is."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = ("import sys, time; from flows.nightly import scheduling_server\n"
              "from prefect.settings import PREFECT_API_URL\n"
              f"with scheduling_server({port}) as url:\n"
              "    print(url == PREFECT_API_URL.value(), flush=True); time.sleep(600)\n")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "ph")}
    env.pop("PREFECT_API_URL", None)
    serve = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env,
                             cwd=Path(__file__).resolve().parents[1])
    try:
        assert serve.stdout.readline().strip() == "True"  # the settings name the port's server
        health = f"http://127.0.0.1:{port}/api/health"
        with urllib.request.urlopen(health, timeout=5) as response:
            assert response.status == 200
        serve.send_signal(signal.SIGKILL)
        serve.wait(10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(health, timeout=2).close()
            except OSError:
                break  # the server went with serve
            time.sleep(1)
        else:
            raise AssertionError("the port's server outlived serve")
    finally:
        serve.kill()


def test_an_empty_raw_never_replaces_a_run_that_read_files(tmp_path, capsys):
    """A share that failed to mount: the run found no file and published every commune missing over the province's
    figures, every night until noticed (operations judge, Lâm Đồng). Refused by `run` (exit 2) and by the flow itself
    (a nightly run fails), the published run left as it was; the first run of an empty --raw still runs."""
    import json

    from flows.consolidate import consolidate
    from giamngheo.cli import main
    from giamngheo.options import EmptyRaw, empty_raw

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    out.mkdir()
    assert empty_raw(raw, out) is None  # no run yet
    manifest = json.dumps({"run_id": "r1", "files": [{"path": "05800.xlsx"}]})
    (out / "manifest.json").write_text(manifest, encoding="utf-8")
    assert main(["run", "--raw", str(raw), "--out", str(out)]) == 2
    assert "không có tệp nào, lần chạy trước (r1) đọc 1 tệp" in capsys.readouterr().err
    with pytest.raises(EmptyRaw):
        consolidate.fn(raw=str(raw), out=str(out), use_cache=False)
    assert (out / "manifest.json").read_text(encoding="utf-8") == manifest and not (out / "runs").exists()
    (raw / "05800.xlsx").write_bytes(b"")
    assert empty_raw(raw, out) is None
