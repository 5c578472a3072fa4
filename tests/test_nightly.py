"""The nightly deployment runs at 02:00 Vietnam time (not UTC) with the run's parameters."""

from pathlib import Path

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
