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
