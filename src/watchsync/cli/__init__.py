"""The ``watchsync`` command line: a thin layer over the library.

Heavy libraries are imported inside the command handlers so that ``--help`` and ``validate``
start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from watchsync import __version__
from watchsync.cli.common import CliError, Handler
from watchsync.errors import WatchsyncError


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full argument parser, one sub-command per capability.

    With ``command`` (a command word), only the sub-commands of the module that defines it: it parses
    that command as the full parser does, without building the thirty other parsers (:func:`main`).
    """
    parser = argparse.ArgumentParser(
        prog="watchsync",
        description="Structured workouts as text files → Garmin FIT files and Garmin Connect.",
        epilog=EXAMPLES[()], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"watchsync {__version__}")
    parser.add_argument("--config", type=Path, help="configuration file (default: see README)")
    parser.add_argument("--state-dir", type=Path, help="state directory (tokens, store, archives)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules(command):
        module.register(commands)
    accept_global_options_anywhere(parser)
    registered = set(commands.choices)
    for path in CONFIG_REQUIRED:
        if path[0] in registered:
            _subparser(parser, path).set_defaults(config_required=True)
    for path, text in EXAMPLES.items():
        if path and path[0] not in registered:
            continue
        sub = _subparser(parser, path)
        if path and sub.epilog is None:
            sub.epilog, sub.formatter_class = text, argparse.RawDescriptionHelpFormatter
    return parser


#: ``examples:`` shown at the end of ``--help`` (global options go before or after the command).
EXAMPLES: dict[tuple[str, ...], str] = {
    (): """examples:
  watchsync validate workouts/runs/*.txt
  watchsync show workouts/runs/easy-45.txt --athlete anna
  watchsync login --config ~/.config/watchsync/config.toml
  watchsync plan generate --weeks 6 --start 2030-01-07 -o plan.toml
  watchsync status || echo "watchsync needs attention"
  watchsync completion bash > ~/.local/share/bash-completion/completions/watchsync

Global options (--config, --state-dir) are accepted before or after the command.""",
    ("validate",): "examples:\n  watchsync validate workouts/runs/*.txt\n  watchsync validate hills.txt --json",
    ("show",): "examples:\n  watchsync show workouts/runs/easy-45.txt\n  watchsync show intervals.txt --json",
    ("compile",): "examples:\n  watchsync compile workouts/runs -o fit/",
    ("login",): "examples:\n  WATCHSYNC_GARMIN_EMAIL=me@example.com watchsync login --athlete anna\n"
                "  watchsync login --mfa-code 123456",
    ("push",): "examples:\n  watchsync push workouts/runs --dry-run\n  watchsync push hills.txt --json",
    ("schedule",): "examples:\n  watchsync schedule hills.txt --date 2030-01-08\n"
                   "  watchsync schedule hills.txt --date 2030-01-08 --json",
    ("unschedule",): "examples:\n  watchsync unschedule hills.txt --date 2030-01-08",
    ("delete",): "examples:\n  watchsync delete hills.txt --json",
    ("plan", "generate"): "examples:\n  watchsync plan generate --weeks 6 -o plan.toml",
    ("plan", "show"): "examples:\n  watchsync plan show plan.toml\n  watchsync plan show plan.toml --json",
    ("plan", "apply"): "examples:\n  watchsync plan apply plan.toml --dry-run\n  watchsync plan apply plan.toml",
    ("activities", "sync"): "examples:\n  watchsync activities sync --since 2030-01-01\n"
                            "  watchsync activities sync --json",
    ("daemon",): "examples:\n  watchsync daemon --log-level debug   # normally run by systemd: docs/systemd.md",
    ("activities",): "examples:\n  watchsync activities sync --athlete anna\n"
                     "  watchsync activities sync --since 2026-10-01   # backfill a season",
    ("analyze",): "examples:\n  watchsync analyze run.fit\n"
                  "  watchsync analyze run.fit --workout workouts/runs/hill-repeats.txt\n"
                  "  watchsync analyze run.fit --json --athlete ben",
    ("report",): "examples:\n  watchsync report\n  watchsync report --week 2026-12-07 --html week.html\n"
                 "  watchsync report --plan plans/base.toml --csv > season.csv",
    ("config", "path"): "examples:\n  watchsync config path\n  watchsync --config ./config.toml config path --json",
    ("config", "example"): "examples:\n  watchsync config example > ~/.config/watchsync/config.toml",
    ("config", "password"): "examples:\n  watchsync config password   # paste the line into [web] of the config",
    ("logout",): "examples:\n  watchsync logout --athlete ben",
    ("whoami",): "examples:\n  watchsync whoami\n  watchsync whoami --athlete ben --json",
    ("list",): "examples:\n  watchsync list\n  watchsync list --json --athlete ben",
    ("sync",): "examples:\n  watchsync sync\n  watchsync sync --athlete ben --json",
    ("server",): "examples:\n  watchsync server --port 8765\n  watchsync server --faults '429=0.2,500=0.1,drop=0.05'",
    ("plan",): "examples:\n  watchsync plan generate --weeks 8 -o plans/base.toml\n"
               "  watchsync plan lint plans/base.toml\n  watchsync plan apply plans/base.toml --dry-run",
    ("plan", "lint"): "examples:\n  watchsync plan lint plans/base.toml\n  watchsync plan lint plans/ben.toml --json",
    ("plan", "ics"): "examples:\n  watchsync plan ics plans/base.toml -o base.ics",
    ("store", "check"): "examples:\n  watchsync store check\n  watchsync store check --full",
    ("store", "backup"): "examples:\n  watchsync store backup",
    ("store", "recover"): "examples:\n  watchsync store recover",
    ("import",): "examples:\n  watchsync import export.json -o workouts/imported\n"
                 "  watchsync import Workout.fit -o workouts --format toml",
}


#: Commands that act on Garmin Connect or run the daemon: they refuse to run on the embedded example config.
CONFIG_REQUIRED: tuple[tuple[str, ...], ...] = (
    ("login",), ("push",), ("schedule",), ("unschedule",), ("delete",), ("sync",), ("plan", "apply"), ("daemon",))


def _subparser(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser:
    """The parser of the sub-command at ``path`` (``()``: the top parser)."""
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def accept_global_options_anywhere(parser: argparse.ArgumentParser) -> None:
    """``--config``/``--state-dir`` after any sub-command too (``watchsync validate X --config c.toml``).

    ``SUPPRESS`` as default keeps a value given before the sub-command.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for sub in set(action.choices.values()):
            known = {option for own in sub._actions for option in own.option_strings}
            if "--config" not in known:
                sub.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="configuration file")
            if "--state-dir" not in known:
                sub.add_argument("--state-dir", type=Path, default=argparse.SUPPRESS,
                                 help="state directory (tokens, store, archives)")
            accept_global_options_anywhere(sub)


def _command_modules(command: str | None = None) -> list[ModuleType]:
    from watchsync.cli import registry

    if command is None:
        return registry.command_modules()
    return [registry.module_of(command)]


#: The global options that take a value (they may come before the command word).
_GLOBAL_VALUE_OPTIONS = ("--config", "--state-dir")


def command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when only global options (spelled in full) come before it; None for
    anything else (``--help``, ``--version``, an abbreviation, a typo), which the full parser answers."""
    from watchsync.cli.registry import COMMANDS

    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_VALUE_OPTIONS:
            next(args, None)
        elif not arg.startswith(tuple(f"{option}=" for option in _GLOBAL_VALUE_OPTIONS)):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    # the command line uses no pydantic plugin: skip pydantic's scan of every installed package for one
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # numpy's OpenBLAS starts a thread per core on import (tens of ms of start-up, CPU taken from the
    # command itself); watchsync does no matrix algebra that those threads would speed up
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser(command_word(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CliError as error:
        print(f"watchsync: {error}", file=sys.stderr)
        return error.exit_code
    except WatchsyncError as error:  # a damaged store, a fault a command did not word itself: one line
        print(f"watchsync: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("watchsync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python's exit-time flush quiet
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
