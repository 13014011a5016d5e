"""The library face: ``watchsync.__all__`` is pinned, every name resolves, the import stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import watchsync

FACE = [
    "__version__",
    "WatchsyncError", "InputError",
    "Config", "load_config", "default_config", "Athlete",
    "Workout", "load_workout", "parse_text", "PreparedWorkout", "prepare", "read_fit_workout",
    "GarminSession",
    "analyze_activity", "ScoredActivity", "Store", "store_report", "ComplianceReport",
    "Plan", "load_plan", "GenerateOptions", "generate_plan", "lint_plan",
]


def test_all_is_pinned() -> None:
    assert sorted(watchsync.__all__) == sorted(FACE)


def test_every_public_name_resolves_to_a_documented_object() -> None:
    for name in FACE[1:]:
        value = getattr(watchsync, name)
        assert value.__doc__, f"{name} has no docstring"
    assert set(FACE) <= set(dir(watchsync))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        watchsync.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_every_error_derives_from_the_root() -> None:
    from watchsync.config import ConfigError
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.garmin.errors import GarminError
    from watchsync.plan.model import PlanError
    from watchsync.resolve import ResolveError
    from watchsync.store import StoreError

    for kind in (ConfigError, WorkoutFormatError, PlanError, ResolveError):
        assert issubclass(kind, watchsync.InputError) and not issubclass(kind, ValueError)
    for kind in (GarminError, StoreError):
        assert issubclass(kind, watchsync.WatchsyncError) and not issubclass(kind, watchsync.InputError)


def test_importing_the_package_loads_no_model() -> None:
    code = "import sys, watchsync; print(sorted(m for m in sys.modules if m.startswith(('watchsync.', 'pydantic'))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['watchsync._quiet_fit_tool']"  # stdlib only: fit-tool's logging without its side effect


def test_the_lazy_map_and_all_name_the_same_things() -> None:
    assert set(watchsync._FACE) == set(watchsync.__all__) - {"__version__"}


def test_paths_may_be_given_as_strings(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_text("name: Easy\nsport: running\n- 30m RPE 3\n", encoding="utf-8")
    (tmp_path / "c.toml").write_text("[athletes.anna]\nlthr = 171\n", encoding="utf-8")
    assert watchsync.load_workout(str(tmp_path / "w.txt")).name == "Easy"
    config = watchsync.load_config(str(tmp_path / "c.toml"), state_dir=str(tmp_path / "state"))
    assert list(config.athletes) == ["anna"] and config.state_dir == tmp_path / "state"
    prepared = watchsync.prepare(watchsync.load_workout(str(tmp_path / "w.txt")), config.athlete("anna"))
    (tmp_path / "w.fit").write_bytes(prepared.fit)
    assert watchsync.read_fit_workout(str(tmp_path / "w.fit")).name == "Easy"
    with watchsync.Store.open(str(tmp_path / "state" / "watchsync.sqlite3")) as store:
        assert store.path == tmp_path / "state" / "watchsync.sqlite3"
    library = Path(__file__).resolve().parents[1] / "workouts"
    options = watchsync.GenerateOptions(library=str(library), weeks=4, start=None)  # type: ignore[arg-type]
    assert options.library == library
    plan_file = library / "plans" / "base-4-weeks.toml"
    assert watchsync.load_plan(str(plan_file)).weeks


def test_a_public_function_stays_itself_after_its_module_is_imported() -> None:
    """journey8: `import watchsync.compile` imports the module watchsync.prepare, which used to replace
    the function watchsync.prepare on the package ('module' object is not callable)."""
    _in_a_fresh_python("import watchsync.compile, watchsync\n"
                       "from watchsync.prepare import PreparedWorkout\n"
                       "w = watchsync.parse_text('name: t\\nsport: running\\n- 10m RPE 3\\n')\n"
                       "athlete = watchsync.Athlete(name='a', lthr=170)\n"
                       "assert isinstance(watchsync.prepare(w, athlete), PreparedWorkout)\n")


def _in_a_fresh_python(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_using_the_library_leaves_the_callers_logging_alone() -> None:
    """library3 #4: fit-tool's import called logging.basicConfig, so the caller's own did nothing."""
    _in_a_fresh_python("import logging, watchsync\n"
                       "w = watchsync.parse_text('name: t\\nsport: running\\n- 10m RPE 3\\n')\n"
                       "assert watchsync.prepare(w, watchsync.Athlete(name='a', lthr=170)).fit\n"
                       "assert logging.getLogger().handlers == [], logging.getLogger().handlers\n")


def test_loose_inputs_get_clear_errors_or_just_work(tmp_path: Path) -> None:
    """library3 #6: a sport given as text, a config that is not UTF-8, an Athlete for GarminSession.open."""
    assert watchsync.parse_text("name: t\n- 10m RPE 3\n", sport="trail").sport.value == "trail_running"
    broken = tmp_path / "latin1.toml"
    broken.write_bytes("[athletes.zoë]\nlthr = 170\n".encode("latin-1"))
    try:
        watchsync.load_config(broken)
    except watchsync.WatchsyncError as error:
        assert "not UTF-8" in str(error) and str(broken) in str(error)
    else:
        raise AssertionError("a latin-1 config was read")
    config = watchsync.default_config(state_dir=tmp_path / "state")
    with watchsync.GarminSession.open(config, config.athlete("anna")) as session:
        assert session.athlete.name == "anna"
