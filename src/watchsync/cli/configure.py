"""``watchsync config``: where the configuration is looked for, and the example to start one from."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from watchsync.cli.common import print_json

EXAMPLES = """examples:
  watchsync config path
  mkdir -p ~/.config/watchsync && watchsync config example > ~/.config/watchsync/config.toml
  watchsync config password          # the [web] password_hash line for the dashboard
"""


def register(commands: Any) -> None:
    """Add the ``config`` command."""
    config = commands.add_parser("config", help="where the configuration is read from; an example to start one",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    path = actions.add_parser("path", help="the config file in use (or where to create one) and the state directory")
    path.add_argument("--json", action="store_true", help="as JSON")
    path.set_defaults(handler=run_path)
    example = actions.add_parser("example", help="print the example configuration (config.example.toml)")
    example.set_defaults(handler=run_example)
    password = actions.add_parser("password", help="ask for a dashboard password twice (no echo) and print its "
                                  "[web] password_hash line")
    password.set_defaults(handler=run_password)


def run_path(args: argparse.Namespace) -> int:
    from watchsync.config import default_state_dir, find_config_file, user_config_file

    found = find_config_file(args.config)
    shown = {"config": str(found) if found else None, "create_at": None if found else str(user_config_file()),
             "state_dir": str(args.state_dir or default_state_dir())}
    if args.json:
        print_json(shown)
    elif found:
        print(f"config     {found}\nstate dir  {shown['state_dir']}")
    else:
        print(f"config     none (the embedded example is used); create {shown['create_at']}\n"
              f"state dir  {shown['state_dir']}")
    return 0


def run_example(args: argparse.Namespace) -> int:
    from watchsync.config import embedded_default_text

    sys.stdout.write(embedded_default_text())
    return 0


def run_password(args: argparse.Namespace) -> int:
    from watchsync.cli.common import CliError
    from watchsync.web.password import main

    if not sys.stdin.isatty():
        raise CliError("a dashboard password is asked in a terminal (it is never read from a pipe)", 2)
    try:
        return main()
    except (EOFError, KeyboardInterrupt):
        raise CliError("no password given", 2) from None
