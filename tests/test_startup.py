"""The command line starts light: heavy libraries load only in the commands that need them.

Each check runs in a fresh interpreter and reads its ``sys.modules`` afterwards (no timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("garminconnect", "fit_tool", "fitdecode", "fitfast", "numpy", "watchdog", "icalendar", "requests")
REPORT = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def modules_after(code: str) -> set[str]:
    """Top-level and dotted names in ``sys.modules`` after running ``code`` in a new interpreter."""
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules or any(m.startswith(f"{name}.") for m in modules)]


def test_building_the_parser_loads_no_heavy_library() -> None:
    modules = modules_after("import watchsync.cli\nfrom watchsync.cli import build_parser\nbuild_parser()")
    assert "watchsync.cli.workouts" in modules  # the command modules were really imported
    assert loaded(modules, HEAVY) == []


def test_help_loads_neither_pydantic_nor_the_configuration() -> None:
    modules = modules_after("from watchsync.cli import build_parser\nbuild_parser().format_help()")
    assert loaded(modules, ("pydantic", "watchsync.config", "watchsync.model")) == []


def test_validating_a_workout_loads_no_heavy_library() -> None:
    code = ("from watchsync.cli import main\n"
            "assert main(['validate', 'workouts/runs/easy-30.txt']) == 0")
    modules = modules_after(code)
    assert "watchsync.formats.text" in modules  # the workout was really parsed
    assert loaded(modules, HEAVY) == []


def test_analyzing_a_file_loads_neither_garmin_nor_the_store_nor_the_report_nor_the_fit_profile(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Sport, Step, TimeDuration, Workout
    from watchsync.testing.simulate import simulate_activity

    athlete = Athlete(name="a", lthr=170)
    workout = Workout(name="Easy", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=1200))])
    fit = tmp_path / "run.fit"
    fit.write_bytes(simulate_activity(workout, athlete, start=datetime(2025, 3, 3, 7, tzinfo=UTC)).fit)
    modules = modules_after(f"from watchsync.cli import main\nassert main(['analyze', {str(fit)!r}]) == 0")
    assert "watchsync.services.activities" in modules  # the file was really analysed
    assert loaded(modules, ("garminconnect", "requests", "fit_tool", "watchsync.garmin.client", "watchsync.store",
                            "watchsync.report.build", "watchsync.report.model", "watchsync.services.report")) == []


def test_the_command_line_skips_pydantics_plugin_scan() -> None:
    code = ("import os\nfrom watchsync.cli import main\n"
            "assert main(['validate', 'workouts/runs/easy-30.txt']) == 0\n"
            "assert os.environ['PYDANTIC_DISABLE_PLUGINS'] == '__all__'\n"
            "from pydantic.plugin import _loader\nassert _loader._plugins is None  # never scanned")
    assert "pydantic" in modules_after(code)
