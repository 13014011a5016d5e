"""Configuration loading: file lookup, embedded default, env overrides, errors."""

from pathlib import Path

import pytest

from watchsync.config import ConfigError, embedded_default_text, load_config

REPO = Path(__file__).resolve().parents[1]


def test_embedded_default_is_the_example_config() -> None:
    assert embedded_default_text() == (REPO / "config.example.toml").read_text("utf-8")


def test_embedded_default_has_the_example_athlete(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = load_config(state_dir=tmp_path)
    assert config.source == "<embedded default>"
    assert config.athlete().name == "anna"
    assert config.athlete("anna").lthr == 171
    assert config.store_path == tmp_path / "watchsync.sqlite3"
    assert config.token_dir("anna") == tmp_path / "tokens" / "anna"


def test_file_values_env_overrides_and_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    file = tmp_path / "c.toml"
    file.write_text('[daemon]\ninbox = "/srv/in"\npoll_minutes = 5\n[athletes.bo]\nmax_hr = 180\n'
                    '[athletes.cy]\nmax_hr = 175\ninbox = "/other"\n')
    monkeypatch.setenv("WATCHSYNC_POLL_MINUTES", "2")
    monkeypatch.setenv("WATCHSYNC_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    config = load_config(file)
    assert config.daemon.poll_minutes == 2
    assert config.garmin.endpoint == "http://127.0.0.1:9"
    assert config.state_dir == tmp_path / "state"
    assert config.inbox_dir("bo") == Path("/srv/in/bo")
    assert config.inbox_dir("cy") == Path("/other")
    with pytest.raises(ConfigError, match=r"unknown athlete 'zed'.*bo, cy"):
        config.athlete("zed")


def test_systemd_configuration_directory_is_searched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[athletes.sys]\nmax_hr = 181\n")
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path))
    assert load_config(state_dir=tmp_path).athlete().name == "sys"


@pytest.mark.parametrize(("text", "message"), [
    ("[athletes.a\nmax_hr=1", "c.toml: "),
    ("[athletes.a]\nmax_hr = 20\n", r"athletes\.a\.max_hr: "),
    ("[daemon]\npoll_minutes = -1\n", "daemon.poll_minutes"),
    ("[garmin]\npasword = 'x'\n", "garmin.pasword"),
])
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "c.toml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(file, state_dir=tmp_path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml", state_dir=tmp_path)
