"""Every test runs as a user who has a configuration file (the example one) in the user config dir.

Without any config file, reading commands print a note on stderr and Garmin commands refuse
(tests/cli/test_cli_install.py covers that, with its own empty ``XDG_CONFIG_HOME``); the rest of
the suite must not depend on the machine's ``~/.config/watchsync``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from watchsync.cli import main
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer

EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "config.example.toml"


@pytest.fixture(scope="session")
def _user_config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("xdg-config")
    (home / "watchsync").mkdir()
    shutil.copy(EXAMPLE_CONFIG, home / "watchsync" / "config.toml")
    return home


@pytest.fixture(autouse=True)
def _example_config(monkeypatch: pytest.MonkeyPatch, _user_config_home: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(_user_config_home))


#: ``run(*argv) -> (exit code, stdout, stderr)`` of the command line, in-process.
CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def garmin_server() -> Iterator[LocalGarminServer]:
    """A local Garmin server on a free loopback port."""
    with running_server() as started:
        yield started


@pytest.fixture
def cli_for(tmp_path: Path, garmin_server: LocalGarminServer, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> Callable[[str], CliRun]:
    """``cli_for(athletes_toml)``: the command line on a config with those athletes, pointed at the local
    server, with anna logged in (fake tokens) and a state directory under ``tmp_path``."""
    for name in ("WATCHSYNC_ENDPOINT", "WATCHSYNC_CONFIG", "WATCHSYNC_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)

    def make(athletes: str) -> CliRun:
        config = tmp_path / "config.toml"
        config.write_text(f'[garmin]\nendpoint = "{garmin_server.url}"\n{athletes}')
        state = tmp_path / "state"
        fake_token_dir(state / "tokens" / "anna", garmin_server.url)

        def invoke(*argv: str) -> tuple[int, str, str]:
            capsys.readouterr()
            code = main(["--config", str(config), "--state-dir", str(state), *argv])
            out, err = capsys.readouterr()
            return code, out, err
        return invoke
    return make
