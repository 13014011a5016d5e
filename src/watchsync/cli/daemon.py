"""Daemon commands: ``daemon`` (run the service in the foreground) and ``status``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from watchsync.cli.common import CliError, config_from, print_json


def register(commands: Any) -> None:
    """Add the daemon commands to the sub-command parser."""
    daemon = commands.add_parser(
        "daemon", help="watch the inboxes, push and schedule on Garmin Connect, poll activities (foreground)")
    _add_global_options(daemon)
    daemon.add_argument("--log-level", default="info", metavar="LEVEL",
                        help="debug, info, warning or error (default: info)")
    daemon.set_defaults(handler=run_daemon)

    status = commands.add_parser(
        "status", help="per athlete: auth, outbox, last push and sync, errors; daemon alive; store health",
        description="Exit codes: 0 all well; 1 the daemon runs but something needs attention (store fault, "
                    "athlete parked or not logged in); 2 bad usage or configuration; 3 no daemon is running.",
        epilog="examples:\n  watchsync status\n  watchsync status --json | jq .athletes\n"
               "  watchsync status >/dev/null || echo unhealthy",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_global_options(status)
    status.add_argument("--json", action="store_true", help="the status as JSON")
    status.set_defaults(handler=run_status)


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """Accept ``--config``/``--state-dir`` after the command too (SUPPRESS keeps a value given before it)."""
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="configuration file")
    parser.add_argument("--state-dir", type=Path, default=argparse.SUPPRESS, help="state directory")


def run_daemon(args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT; exit 0 on a clean stop."""
    from watchsync.daemon.logging_setup import configure_logging, parse_level
    from watchsync.daemon.service import DaemonConfigError, DaemonError, run

    try:
        level = parse_level(args.log_level)
    except ValueError as error:
        raise CliError(str(error), 2) from None
    configure_logging(level)
    config = config_from(args)
    try:
        return run(config, reload=lambda: config_from(args))
    except DaemonConfigError as error:  # exit 2: systemd's RestartPreventExitStatus=2 stops the restart loop
        raise CliError(str(error), 2) from None
    except DaemonError as error:
        raise CliError(str(error)) from None


def run_status(args: argparse.Namespace) -> int:
    """Print the daemon's and each athlete's state from the store."""
    from watchsync.daemon.status import collect_status, format_status
    from watchsync.store import StoreError

    config = config_from(args)
    try:
        report = collect_status(config)
    except StoreError as error:
        raise CliError(str(error)) from None
    if args.json:
        print_json(report.as_json())
    else:
        sys.stdout.write(format_status(report))
    return report.exit_code
