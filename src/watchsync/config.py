"""Configuration: a TOML file, ``WATCHSYNC_*`` environment overrides, systemd/platformdirs paths.

Lookup order for the file: ``--config``, ``$WATCHSYNC_CONFIG``, ``$CONFIGURATION_DIRECTORY/config.toml``
(systemd), the user config dir (platformdirs), else the embedded default (``config.example.toml``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from watchsync.errors import InputError
from watchsync.model.athlete import Athlete

APP = "watchsync"
ENV_PREFIX = "WATCHSYNC_"


class ConfigError(InputError):
    """The configuration cannot be used; the message names the file and the problem."""


class GarminSettings(BaseModel):
    """Where Garmin calls go."""

    model_config = ConfigDict(extra="forbid")
    endpoint: str | None = None
    max_retries: int = Field(default=5, ge=0, le=20)
    #: Longest wait between tries while Garmin is unreachable (a network outage, a server still booting).
    unreachable_retry_seconds: float = Field(default=30, gt=0, le=60)


class DaemonSettings(BaseModel):
    """The daemon's inbox and timers."""

    model_config = ConfigDict(extra="forbid")
    inbox: Path | None = None
    poll_minutes: float = Field(default=15, gt=0)
    polling: bool = False
    max_file_bytes: int = Field(default=1_048_576, gt=0)
    quiet_seconds: float = Field(default=1.0, ge=0)
    settle_seconds: float = Field(default=0.25, ge=0)
    summary_time: str = "21:00"


class WebSettings(BaseModel):
    """The dashboard: off unless ``listen`` is set; a non-loopback address needs a password."""

    model_config = ConfigDict(extra="forbid")
    listen: str | None = None
    user: str = "coach"
    #: ``scrypt$...`` from ``watchsync config password`` (the hash, never the password).
    password_hash: SecretStr | None = None


class NotifySettings(BaseModel):
    """Apprise notification targets and how often they may speak."""

    model_config = ConfigDict(extra="forbid")
    #: Apprise URLs (secrets inside them are never logged); none: no notifications.
    urls: list[SecretStr] = Field(default_factory=list)
    #: An apprise text config (one URL a line, 0600) for URLs that hold a password or token.
    urls_file: Path | None = None
    #: Garmin unreachable for longer than this raises one message.
    unreachable_minutes: float = Field(default=60, gt=0)
    #: At most this many messages an hour; the rest wait their turn (nothing is dropped).
    max_per_hour: int = Field(default=20, ge=1)
    #: A weekly digest per athlete, e.g. "sun 20:00"; none when absent.
    digest: str | None = None
    #: How often the daemon looks for new events.
    check_seconds: float = Field(default=30, gt=0)


class AthleteSettings(BaseModel):
    """Per-athlete daemon settings that are not part of the training profile."""

    model_config = ConfigDict(extra="forbid")
    inbox: Path | None = None
    token_dir: Path | None = None


class Config(BaseModel):
    """The whole configuration, with resolved paths."""

    model_config = ConfigDict(extra="forbid")
    source: str = "<embedded default>"
    garmin: GarminSettings = Field(default_factory=GarminSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    athletes: dict[str, Athlete] = Field(default_factory=dict)
    athlete_settings: dict[str, AthleteSettings] = Field(default_factory=dict)
    state_dir: Path

    def athlete(self, name: str | None = None) -> Athlete:
        """The named athlete, or the only/first one when no name is given."""
        if not self.athletes:
            raise ConfigError(f"{self.source}: no [athletes.NAME] table")
        if name is None:
            return next(iter(self.athletes.values()))
        try:
            return self.athletes[name]
        except KeyError:
            known = ", ".join(sorted(self.athletes))
            raise ConfigError(f"{self.source}: unknown athlete {name!r} (known: {known})") from None

    def token_dir(self, athlete: str) -> Path:
        """Where this athlete's Garmin tokens live (inside the state directory by default)."""
        settings = self.athlete_settings.get(athlete)
        if settings and settings.token_dir:
            return settings.token_dir
        return self.state_dir / "tokens" / athlete

    def inbox_dir(self, athlete: str) -> Path | None:
        """This athlete's inbox: explicit, else ``<daemon.inbox>/<athlete>``."""
        settings = self.athlete_settings.get(athlete)
        if settings and settings.inbox:
            return settings.inbox
        return self.daemon.inbox / athlete if self.daemon.inbox else None

    @property
    def store_path(self) -> Path:
        """The SQLite state store."""
        return self.state_dir / "watchsync.sqlite3"


def default_state_dir() -> Path:
    """``$WATCHSYNC_STATE_DIR``, systemd's ``$STATE_DIRECTORY``, else the platform's user state dir."""
    for variable in (f"{ENV_PREFIX}STATE_DIR", "STATE_DIRECTORY"):
        value = os.environ.get(variable)
        if value:
            return Path(value.split(":")[0])
    from platformdirs import user_state_dir

    return Path(user_state_dir(APP))


def find_config_file(explicit: Path | None = None) -> Path | None:
    """The config file to read, or None for the embedded default."""
    if explicit is not None:
        return explicit
    if os.environ.get(f"{ENV_PREFIX}CONFIG"):
        return Path(os.environ[f"{ENV_PREFIX}CONFIG"])
    systemd_dir = os.environ.get("CONFIGURATION_DIRECTORY")
    candidates = [Path(systemd_dir.split(":")[0]) / "config.toml"] if systemd_dir else []
    from platformdirs import user_config_dir

    candidates.append(Path(user_config_dir(APP)) / "config.toml")
    return next((path for path in candidates if path.is_file()), None)


def user_config_file() -> Path:
    """Where a configuration file of one's own goes: under systemd its ``$CONFIGURATION_DIRECTORY`` (the
    place looked at first for a service), else platformdirs' user config dir."""
    systemd_dir = os.environ.get("CONFIGURATION_DIRECTORY")
    if systemd_dir:
        return Path(systemd_dir.split(":")[0]) / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP)) / "config.toml"


def embedded_default_text() -> str:
    """The packaged default configuration (same as ``config.example.toml``)."""
    from importlib import resources  # only without a config file of one's own

    return resources.files("watchsync").joinpath("data/default_config.toml").read_text("utf-8")


def default_config(state_dir: Path | None = None) -> Config:
    """The embedded default configuration (the demo's), ignoring any user file."""
    return _build(tomllib.loads(embedded_default_text()), "<embedded default>", state_dir)


def load_config(path: Path | str | None = None, *, state_dir: Path | str | None = None) -> Config:
    """Read, override from the environment, and validate the configuration (paths as ``Path`` or ``str``)."""
    file = find_config_file(Path(path) if path is not None else None)
    state_dir = Path(state_dir) if state_dir is not None else None
    if file is None:
        source, text = "<embedded default>", embedded_default_text()
    else:
        source = str(file)
        try:
            text = file.read_text("utf-8")
        except OSError as error:
            raise ConfigError(f"{file}: cannot read ({error.strerror})") from None
        except UnicodeDecodeError as error:
            raise ConfigError(f"{file}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: {error}") from None
    return _build(raw, source, state_dir)


def _build(raw: dict[str, Any], source: str, state_dir: Path | None) -> Config:
    _apply_env(raw)
    athletes: dict[str, Athlete] = {}
    settings: dict[str, AthleteSettings] = {}
    try:
        for name, table in dict(raw.pop("athletes", {})).items():
            profile = dict(table)
            extra = {key: profile.pop(key) for key in ("inbox", "token_dir") if key in profile}
            try:
                athletes[name] = Athlete(name=name, **profile)
                settings[name] = AthleteSettings(**extra)
            except ValidationError as error:
                raise ConfigError(f"{source}: {_problems(error, f'athletes.{name}.')}") from None
        return Config(
            source=source,
            athletes=athletes,
            athlete_settings=settings,
            state_dir=state_dir or default_state_dir(),
            **raw,
        )
    except ValidationError as error:
        raise ConfigError(f"{source}: {_problems(error)}") from None


def _problems(error: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in item['loc']) or 'config'}: {item['msg']}" for item in error.errors()
    )


_ENV_KEYS: dict[str, tuple[str, str]] = {
    "ENDPOINT": ("garmin", "endpoint"),
    "INBOX": ("daemon", "inbox"),
    "POLL_MINUTES": ("daemon", "poll_minutes"),
    "POLLING": ("daemon", "polling"),
}


def _apply_env(raw: dict[str, Any]) -> None:
    for suffix, (section, key) in _ENV_KEYS.items():
        value = os.environ.get(ENV_PREFIX + suffix)
        if value is not None:
            raw.setdefault(section, {})[key] = value
