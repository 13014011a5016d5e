"""Command modules beyond the workout commands, in ``--help`` order."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

_MODULES: tuple[str, ...] = ("plan", "garmin", "activities", "daemon", "store", "configure", "completion")


def extra_modules() -> list[ModuleType]:
    """Import and return the command modules (each defines ``register(subparsers)``)."""
    return [import_module(f"watchsync.cli.{name}") for name in _MODULES]
