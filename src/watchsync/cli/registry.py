"""The command modules, in ``--help`` order, and the module of each command."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

_MODULES: tuple[str, ...] = ("workouts", "plan", "garmin", "activities", "daemon", "store", "configure", "completion")

#: The module registering each command, so that running one command builds only its module's parsers
#: (``tests/cli/test_cli_parser.py`` checks it against what the modules register).
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("validate", "show", "compile", "import"), "workouts"),
    "plan": "plan",
    **dict.fromkeys(("login", "logout", "whoami", "push", "list", "schedule", "unschedule", "delete", "sync",
                     "server"), "garmin"),
    **dict.fromkeys(("activities", "analyze", "report"), "activities"),
    **dict.fromkeys(("daemon", "status"), "daemon"),
    "store": "store", "config": "configure", "completion": "completion",
}


def command_modules() -> list[ModuleType]:
    """Import and return every command module (each defines ``register(subparsers)``)."""
    return [import_module(f"watchsync.cli.{name}") for name in _MODULES]


def module_of(command: str) -> ModuleType:
    """The command module that registers ``command`` (a key of :data:`COMMANDS`)."""
    return import_module(f"watchsync.cli.{COMMANDS[command]}")
