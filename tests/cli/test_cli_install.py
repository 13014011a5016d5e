"""The first hour of an install: no config, global options anywhere, --json everywhere data is printed,
completion, examples in --help, a progress bar on a season's sync."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_cli_activities import configure, simulate, upload

from watchsync.cli import main
from watchsync.testing.garmin.helpers import running_server

REPO = Path(__file__).resolve().parents[2]
EASY = REPO / "workouts" / "runs" / "easy-45.txt"
PLAN = REPO / "workouts" / "plans" / "base-4-weeks.toml"


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no config file anywhere."""
    for name in ("WATCHSYNC_CONFIG", "CONFIGURATION_DIRECTORY", "WATCHSYNC_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty-config"))
    return tmp_path / "state"


@pytest.mark.parametrize("argv", [
    ["login"], ["push", str(EASY)], ["schedule", str(EASY), "--date", "2030-01-08"], ["plan", "apply", str(PLAN)],
    ["daemon"], ["delete", str(EASY)],
])
def test_commands_that_reach_garmin_refuse_without_a_config(argv: list[str], no_config: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*argv, "--state-dir", str(no_config)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("watchsync: no configuration file") and "watchsync config example" in err
    assert err.count("\n") == 1
    assert not (no_config / "tokens").exists()


def test_reading_commands_use_the_embedded_example_and_say_so(no_config: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(EASY), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["name"] and "embedded example (athlete 'anna')" in err and err.count("\n") == 1


def test_config_example_starts_a_config_that_login_accepts(no_config: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path", "--json"]) == 0
    where = json.loads(capsys.readouterr().out)
    assert where["config"] is None and where["create_at"].startswith(str(tmp_path / "empty-config"))
    assert main(["config", "example"]) == 0
    target = Path(where["create_at"])
    target.parent.mkdir(parents=True)
    target.write_text(capsys.readouterr().out)
    assert main(["config", "path", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["config"] == str(target)
    assert main(["show", str(EASY)]) == 0 and "embedded" not in capsys.readouterr().err


def test_global_options_are_accepted_after_the_command_everywhere(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[athletes.zed]\nlthr = 160\nmax_hr = 180\n")
    assert main(["show", str(EASY), "--athlete", "zed", "--config", str(config), "--json"]) == 0
    assert main(["validate", str(EASY), "--config", str(config)]) == 0
    assert main(["plan", "show", str(PLAN), "--config", str(config), "--athlete", "zed"]) == 0
    assert main(["show", str(EASY), "--athlete", "zed"]) == 2  # without it: the example config has no zed
    capsys.readouterr()
    assert main(["store", "check", "--state-dir", str(tmp_path / "s"), "--config", str(config)]) == 1
    assert "no state database yet" in capsys.readouterr().err


def test_plan_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", str(PLAN), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["weeks"]) == 4 and shown["weeks"][0]["week"] == 1
    assert {s["day"] for s in shown["sessions"]} <= {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert abs(sum(s["minutes"] for s in shown["sessions"] if s["week"] == 1) - shown["weeks"][0]["minutes"]) < 1


def test_schedule_unschedule_delete_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with running_server() as server:
        options = configure(tmp_path, server)
        day = "2030-01-08"
        assert main([*options, "schedule", str(EASY), "--date", day, "--json"]) == 0
        scheduled = json.loads(capsys.readouterr().out)
        assert (scheduled["action"], scheduled["date"], scheduled["errors"]) == ("scheduled", day, [])
        assert isinstance(scheduled["schedule_id"], int) and len(server.schedules()) == 1
        assert main([*options, "unschedule", str(EASY), "--date", day, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["action"] == "unscheduled" and server.schedules() == []
        assert main([*options, "delete", str(EASY), "--json"]) == 0
        deleted = json.loads(capsys.readouterr().out)
        assert (deleted["action"], deleted["already"]) == ("deleted", False) and server.workouts() == []


def test_activities_sync_json_and_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with running_server() as server:
        options = configure(tmp_path, server)
        days = [date.today() - timedelta(days=n) for n in (3, 2, 1)]
        ids = [upload(server, simulate(EASY, day, seed=n), day) for n, day in enumerate(days)]
        calls: list[tuple[int, int]] = []
        from watchsync.cli import common

        real = common.progress_bar

        def watched(description: str):  # type: ignore[no-untyped-def]
            import contextlib

            @contextlib.contextmanager
            def wrapper():  # type: ignore[no-untyped-def]
                with real(description) as progress:
                    yield lambda done, total: (calls.append((done, total)), progress(done, total))
            return wrapper()

        monkeypatch.setattr("watchsync.cli.activities.progress_bar", watched)
        main([*options, "status"])  # exit 3: the daemon is not running
        assert "activity sync   never" in capsys.readouterr().out
        assert main([*options, "activities", "sync", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [f["activity_id"] for f in shown["fetched"]] == ids and (shown["failed"], shown["legs"]) == (0, 0)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    main([*options, "status"])  # a sync from the command line is a sync too (probe server12)
    assert "activity sync   never" not in capsys.readouterr().out


def test_completion_and_examples() -> None:
    done = subprocess.run([sys.executable, "-m", "watchsync", "completion", "bash"], capture_output=True, text=True,
                          check=True)
    assert "_shtab_watchsync" in done.stdout and "recover" in done.stdout and "--state-dir" in done.stdout
    helped = subprocess.run([sys.executable, "-m", "watchsync", "--help"], capture_output=True, text=True, check=True)
    assert "examples:" in helped.stdout and "accepted before or after the command" in helped.stdout
    for command in (["push"], ["plan", "show"], ["activities", "sync"], ["store"], ["status"]):
        shown = subprocess.run([sys.executable, "-m", "watchsync", *command, "--help"], capture_output=True,
                               text=True, check=True)
        assert "examples:" in shown.stdout, command


def test_under_systemd_a_missing_config_is_to_be_made_in_the_configuration_directory(
        no_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # probe docs11: with $CONFIGURATION_DIRECTORY set and no file in it, `config path` named ~/.config
    service = tmp_path / "etc-watchsync"
    service.mkdir()
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(service))
    assert main(["config", "path", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["create_at"] == str(service / "config.toml")
