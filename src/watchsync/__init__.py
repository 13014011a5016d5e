"""watchsync: workouts as text files → Garmin FIT and Garmin Connect, plans, compliance, a daemon.

The library face (docs/library.md)::

    import watchsync

    config = watchsync.load_config()                      # or watchsync.default_config()
    athlete = config.athlete("anna")
    workout = watchsync.load_workout(Path("easy.txt"))     # text, TOML or FIT workout
    prepared = watchsync.prepare(workout, athlete)         # resolved once: .fit, .connect, .content_hash
    with watchsync.GarminSession.open(config, "anna") as garmin:
        garmin.schedule(prepared, date(2030, 3, 4))
    scored = watchsync.analyze_activity(Path("run.fit"), athlete, workout)

Names are imported on first use, so ``import watchsync`` stays light (the command line starts fast).
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
#: The oldest Python watchsync runs on (garminconnect 0.3 and the code itself need 3.12).
MIN_PYTHON = (3, 12)

if sys.version_info < MIN_PYTHON:  # this module parses on old Pythons so that the message is the first thing seen
    raise SystemExit(
        f"watchsync needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; this is Python "
        f"{sys.version_info[0]}.{sys.version_info[1]} ({sys.executable}). On Debian 12 / Raspberry Pi OS, install "
        "it with uv and a managed Python: `uv tool install --python 3.12 /path/to/watchsync` (a checkout or a wheel "
        "built from one; see README, \"Install\").")

from watchsync import _quiet_fit_tool  # noqa: E402  (after the version check, before any fit-tool import)

_quiet_fit_tool.install()

#: Public name → module that defines it.
_FACE: dict[str, str] = {
    # errors
    "WatchsyncError": "watchsync.errors",
    "InputError": "watchsync.errors",
    # configuration and athletes
    "Config": "watchsync.config",
    "load_config": "watchsync.config",
    "default_config": "watchsync.config",
    "Athlete": "watchsync.model.athlete",
    # workouts
    "Workout": "watchsync.model.workout",
    "load_workout": "watchsync.formats.load",
    "parse_text": "watchsync.formats.text",
    "PreparedWorkout": "watchsync.prepare",
    "prepare": "watchsync.prepare",
    "read_fit_workout": "watchsync.formats.fit_workout",
    # Garmin Connect
    "GarminSession": "watchsync.services.garmin",
    # activities and compliance
    "analyze_activity": "watchsync.services.analysis",
    "ScoredActivity": "watchsync.services.analysis",
    "Store": "watchsync.store",
    "store_report": "watchsync.services.report",
    "ComplianceReport": "watchsync.report.model",
    # plans
    "Plan": "watchsync.plan.model",
    "load_plan": "watchsync.plan.parse",
    "GenerateOptions": "watchsync.plan.generate",
    "generate_plan": "watchsync.plan.generate",
    "lint_plan": "watchsync.plan.lint",
}

__all__ = [
    "Athlete",
    "ComplianceReport",
    "Config",
    "GarminSession",
    "GenerateOptions",
    "InputError",
    "Plan",
    "PreparedWorkout",
    "ScoredActivity",
    "Store",
    "WatchsyncError",
    "Workout",
    "__version__",
    "analyze_activity",
    "default_config",
    "generate_plan",
    "lint_plan",
    "load_config",
    "load_plan",
    "load_workout",
    "parse_text",
    "prepare",
    "read_fit_workout",
    "store_report",
]

if TYPE_CHECKING:
    from watchsync.config import Config, default_config, load_config
    from watchsync.errors import InputError, WatchsyncError
    from watchsync.formats.fit_workout import read_fit_workout
    from watchsync.formats.load import load_workout
    from watchsync.formats.text import parse_text
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Workout
    from watchsync.plan.generate import GenerateOptions, generate_plan
    from watchsync.plan.lint import lint_plan
    from watchsync.plan.model import Plan
    from watchsync.plan.parse import load_plan
    from watchsync.prepare import PreparedWorkout, prepare
    from watchsync.report.model import ComplianceReport
    from watchsync.services.analysis import ScoredActivity, analyze_activity
    from watchsync.services.garmin import GarminSession
    from watchsync.services.report import store_report
    from watchsync.store import Store


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _FACE.get(name)
    if module is None:
        raise AttributeError(f"module 'watchsync' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The package, whose public names stay what they are: importing the submodule ``watchsync.prepare``
    (as ``watchsync.compile`` does) would otherwise make ``watchsync.prepare`` that module instead of
    the function (``'module' object is not callable``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FACE and isinstance(value, ModuleType) and _FACE[name] == value.__name__:
            return  # the submodule stays reachable as sys.modules["watchsync.prepare"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
