"""Store commands: ``store check``, ``store backup``, ``store recover`` (see docs/systemd.md, "When the disk fails").

Exit codes: 0 sound / done, 1 damaged or failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
from typing import Any

from watchsync.cli.common import CliError, config_from, print_json

EXAMPLES = """examples:
  watchsync store check             # quick integrity check of the state database
  watchsync store check --full      # full check (reads every page)
  watchsync store backup            # a consistent copy into <state-dir>/backups/
  watchsync store recover           # rebuild a damaged store (stop the daemon first)
"""


def register(commands: Any) -> None:
    """Add the store commands to the sub-command parser."""
    store = commands.add_parser("store", help="the state database: integrity check, backup, recovery",
                                epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="integrity check of the state database (exit 1 when damaged)")
    check.add_argument("--full", action="store_true", help="read every page (slower) instead of the quick check")
    check.add_argument("--json", action="store_true", help="the result as JSON")
    check.set_defaults(handler=run_check)
    backup = actions.add_parser("backup", help="copy the state database into <state-dir>/backups/ (VACUUM INTO)")
    backup.add_argument("--json", action="store_true", help="the result as JSON")
    backup.set_defaults(handler=run_backup)
    recover = actions.add_parser("recover", help="rebuild a damaged store from the newest backup plus readable rows")
    recover.add_argument("--force", action="store_true", help="rebuild even when the integrity check passes")
    recover.add_argument("--json", action="store_true", help="the result as JSON")
    recover.set_defaults(handler=run_recover)


def run_check(args: argparse.Namespace) -> int:
    from watchsync.store import Store, StoreError, StoreFault

    path = config_from(args).store_path
    if not path.exists():
        raise CliError(f"{path}: no state database yet (nothing to check)")
    try:
        with Store.open(path) as store:
            problems = store.check(full=args.full)
    except StoreFault as error:
        problems = [str(error)]
    except StoreError as error:
        raise CliError(str(error)) from None
    if args.json:
        print_json({"store": str(path), "ok": not problems, "problems": problems})
    elif problems:
        print(f"{path}: damaged: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""))
        print("to repair: stop the daemon, then run `watchsync store recover`")
    else:
        print(f"{path}: ok")
    return 1 if problems else 0


def run_backup(args: argparse.Namespace) -> int:
    from watchsync.store import Store, StoreError
    from watchsync.store.backup import take_backup

    path = config_from(args).store_path
    try:
        with Store.open(path, check=True) as store:
            target = take_backup(store)
    except StoreError as error:
        raise CliError(str(error)) from None
    if args.json:
        print_json({"store": str(path), "backup": str(target)})
    else:
        print(f"backup written: {target}")
    return 0


def run_recover(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from watchsync.daemon.status import GLOBAL, PID_KEY, process_exists
    from watchsync.store import Store, StoreError
    from watchsync.store.recover import recover

    config = config_from(args)
    path = config.store_path
    try:
        with Store.open(path) as store:
            pid = store.kv_get(GLOBAL, PID_KEY)
    except StoreError:
        pid = None
    if isinstance(pid, int) and process_exists(pid):
        raise CliError(f"a watchsync daemon (pid {pid}) is using {path}: stop it first "
                       f"(systemctl stop watchsync)")
    try:
        result = recover(path, force=args.force)
    except (StoreError, OSError) as error:
        raise CliError(f"recovery failed: {error}") from None
    if args.json:
        print_json(asdict(result))
    else:
        print("\n".join(result.lines()))
    return 0
