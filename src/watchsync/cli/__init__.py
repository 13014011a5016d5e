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
from watchsync.cli import workouts
from watchsync.cli.common import CliError, Handler


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command per capability."""
    parser = argparse.ArgumentParser(
        prog="watchsync",
        description="Structured workouts as text files → Garmin FIT files and Garmin Connect.",
    )
    parser.add_argument("--version", action="version", version=f"watchsync {__version__}")
    parser.add_argument("--config", type=Path, help="configuration file (default: see README)")
    parser.add_argument("--state-dir", type=Path, help="state directory (tokens, store, archives)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules():
        module.register(commands)
    return parser


def _command_modules() -> list[ModuleType]:
    from watchsync.cli import registry

    return [workouts, *registry.extra_modules()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    # the command line uses no pydantic plugin: skip pydantic's scan of every installed package for one
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CliError as error:
        print(f"watchsync: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("watchsync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python's exit-time flush quiet
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
