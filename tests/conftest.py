"""Every test runs as a user who has a configuration file (the example one) in the user config dir.

Without any config file, reading commands print a note on stderr and Garmin commands refuse
(tests/cli/test_cli_install.py covers that, with its own empty ``XDG_CONFIG_HOME``); the rest of
the suite must not depend on the machine's ``~/.config/watchsync``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
