"""Shared pieces of the command line: errors, config loading, output helpers.

The configuration (pydantic models) is imported on first use, so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from watchsync.errors import WatchsyncError

if TYPE_CHECKING:
    from watchsync.config import Config
    from watchsync.model.athlete import Athlete

Handler = Callable[[argparse.Namespace], int]


class CliError(WatchsyncError):
    """An error to print as one line, with an exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


NO_CONFIG_HINT = ("create one at {where} (`watchsync config example` prints a start), or pass --config FILE "
                  "or set WATCHSYNC_CONFIG")


#: Set when a command runs on the embedded example configuration (no config file anywhere).
USING_EMBEDDED_CONFIG = False


def login_needed(message: str, athlete: str | None) -> str:
    """``message`` (``not logged in: run `watchsync login```) naming the athlete; on the embedded example
    the login is refused, so the way there is said first (probe docs11)."""
    from watchsync.garmin.errors import login_hint_for

    text = login_hint_for(message, athlete) if athlete else message
    if USING_EMBEDDED_CONFIG:
        text += " (after creating a configuration file: `watchsync config example` starts one; `login` refuses " \
                "the embedded example's athlete)"
    return text


def config_from(args: argparse.Namespace) -> Config:
    """Load the configuration named by the global options.

    Without any config file, commands that act on Garmin or run the daemon (``config_required``,
    see :func:`watchsync.cli.build_parser`) refuse, so that the example athlete's zones never
    reach a real watch; reading commands use the embedded example and say so on stderr.
    """
    from watchsync.config import ConfigError, find_config_file, load_config, user_config_file

    global USING_EMBEDDED_CONFIG
    USING_EMBEDDED_CONFIG = find_config_file(args.config) is None
    if USING_EMBEDDED_CONFIG:
        where = user_config_file()
        if getattr(args, "config_required", False):
            raise CliError("no configuration file: this command needs your own athletes and zones; "
                           + NO_CONFIG_HINT.format(where=where), 2)
        if not getattr(args, "_embedded_said", False):
            args._embedded_said = True
            print("watchsync: no configuration file found; using the embedded example (athlete 'anna'); "
                  + NO_CONFIG_HINT.format(where=where), file=sys.stderr)
    try:
        return load_config(args.config, state_dir=args.state_dir)
    except ConfigError as error:
        raise CliError(str(error), 2) from None


def athlete_from(args: argparse.Namespace, config: Config | None = None) -> Athlete:
    """The athlete named by ``--athlete`` (or the config's first)."""
    from watchsync.config import ConfigError

    config = config or config_from(args)
    try:
        return config.athlete(getattr(args, "athlete", None))
    except ConfigError as error:
        raise CliError(str(error), 2) from None


def print_json(data: Any) -> None:
    """Data as indented JSON on stdout."""
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def add_athlete_option(parser: argparse.ArgumentParser) -> None:
    """``--athlete NAME``."""
    parser.add_argument("--athlete", metavar="NAME", help="athlete profile from the config (default: the first)")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a bar on stderr when it is a terminal."""
    from tqdm import tqdm

    with tqdm(total=0, unit="op", desc=description, file=sys.stderr, disable=not sys.stderr.isatty(),
              leave=False) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield progress
