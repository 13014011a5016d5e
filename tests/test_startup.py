"""The command line starts light: heavy libraries load only in the commands that need them.

Each check runs in a fresh interpreter and reads its ``sys.modules`` afterwards (no timing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("garminconnect", "fit_tool", "fitdecode", "fitfast", "numpy", "watchdog", "icalendar", "requests")
REPORT = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def modules_after(code: str, *, unset: tuple[str, ...] = ()) -> set[str]:
    """Top-level and dotted names in ``sys.modules`` after running ``code`` in a new interpreter
    (without the environment variables ``unset``)."""
    env = {name: value for name, value in os.environ.items() if name not in unset}
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}"], cwd=REPO_ROOT, env=env,
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


def test_the_help_command_loads_neither_pydantic_nor_numpy() -> None:
    code = ("import contextlib, io\nfrom watchsync.cli import main\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n    try:\n        main(['--help'])\n"
            "    except SystemExit as done:\n        assert done.code == 0\n"
            "assert 'validate' in out.getvalue(), out.getvalue()")
    modules = modules_after(code)
    assert loaded(modules, ("pydantic", "watchsync.config", "watchsync.model", *HEAVY)) == []


def test_validating_a_workout_loads_no_heavy_library() -> None:
    code = ("from watchsync.cli import main\n"
            "assert main(['validate', 'workouts/runs/easy-30.txt']) == 0")
    modules = modules_after(code)
    assert "watchsync.formats.text" in modules  # the workout was really parsed
    assert loaded(modules, HEAVY) == []
    # nor the other commands' modules: only the parsers of the command's own module are built
    assert loaded(modules, ("watchsync.cli.garmin", "watchsync.cli.plan", "watchsync.cli.activities",
                            "watchsync.cli.daemon", "watchsync.cli.store")) == []


def simulated_run(directory: Path, *, embedded: bool = True) -> Path:
    """A 20-minute run that followed a workout (embedded in the file, as a watch records it), or a
    plain run without one."""
    from watchsync.model.athlete import Athlete
    from watchsync.model.workout import Sport, Step, TimeDuration, Workout
    from watchsync.testing.simulate import simulate_activity

    athlete = Athlete(name="a", lthr=170)
    workout = Workout(name="Easy", sport=Sport.RUNNING, steps=[Step(duration=TimeDuration(seconds=1200))])
    fit = directory / ("run.fit" if embedded else "plain-run.fit")
    fit.write_bytes(simulate_activity(workout, athlete, start=datetime(2025, 3, 3, 7, tzinfo=UTC),
                                      embedded=embedded).fit)
    return fit


#: What only scoring against a workout needs: the workout model, its readers and the compliance scores.
SCORING = ("watchsync.model.workout", "watchsync.formats", "watchsync.prepare", "watchsync.resolve",
           "watchsync.compliance.score", "watchsync.compliance.match", "watchsync.compliance.easy",
           "watchsync.compliance.embedded", "watchsync.services.scoring", "watchsync.services.activities")


def test_analyzing_a_plain_run_loads_no_workout_model_nor_scoring(tmp_path: Path) -> None:
    fit = simulated_run(tmp_path, embedded=False)
    code = ("import contextlib, io\nfrom watchsync.cli import main\nout = io.StringIO()\n"
            f"with contextlib.redirect_stdout(out):\n    assert main(['analyze', {str(fit)!r}]) == 0\n"
            "assert 'avg HR' in out.getvalue() and 'against' not in out.getvalue(), out.getvalue()")
    modules = modules_after(code)
    assert {"watchsync.compliance.analysis", "watchsync.compliance.load", "numpy"} <= modules  # really analysed
    assert loaded(modules, SCORING) == []


def test_the_library_analyses_a_plain_run_without_the_workout_model(tmp_path: Path) -> None:
    fit = simulated_run(tmp_path, embedded=False)
    code = ("from pathlib import Path\nfrom watchsync.model.athlete import Athlete\n"
            "from watchsync.services.analysis import analyze_activity\n"
            f"scored = analyze_activity(Path({str(fit)!r}), Athlete(name='a', lthr=170))\n"
            "assert scored.score is None and scored.analysis.summary.duration_s == 1200, scored")
    assert loaded(modules_after(code), SCORING) == []


def test_analyzing_a_run_with_its_workout_still_scores_it(tmp_path: Path) -> None:
    fit = simulated_run(tmp_path)
    code = ("from pathlib import Path\nfrom watchsync.model.athlete import Athlete\n"
            "from watchsync.services.analysis import analyze_activity\n"
            f"scored = analyze_activity(Path({str(fit)!r}), Athlete(name='a', lthr=170))\n"
            "assert scored.score is not None and scored.score.workout == 'Easy', scored")
    assert "watchsync.compliance.score" in modules_after(code)


def test_validating_a_workout_with_its_own_sport_reads_no_configuration() -> None:
    code = ("from watchsync.cli import main\n"
            "assert main(['validate', 'workouts/runs/easy-30.txt']) == 0")  # 'sport: trail_running' in the text
    modules = modules_after(code)
    assert "watchsync.formats.text" in modules
    assert loaded(modules, ("watchsync.config", "watchsync.model.athlete", "tomllib", "platformdirs")) == []


def test_a_workout_without_a_sport_still_takes_the_athletes(tmp_path: Path) -> None:
    text = tmp_path / "easy.txt"
    text.write_text("name: Easy\n- 30m RPE 3\n", "utf-8")
    code = ("import contextlib, io\nfrom watchsync.cli import main\nerr = io.StringIO()\n"
            f"with contextlib.redirect_stderr(err):\n    assert main(['validate', {str(text)!r}]) == 0\n"
            "assert \"sport trail_running from the athlete's sport setting\" in err.getvalue(), err.getvalue()")
    assert "watchsync.config" in modules_after(code)  # the embedded example's athlete runs trails


def test_analyzing_a_file_loads_neither_garmin_nor_the_store_nor_the_report_nor_the_fit_profile(tmp_path: Path) -> None:
    fit = simulated_run(tmp_path)
    modules = modules_after(f"from watchsync.cli import main\nassert main(['analyze', {str(fit)!r}]) == 0")
    assert "watchsync.services.scoring" in modules  # the file was really analysed and scored
    assert loaded(modules, ("garminconnect", "requests", "fit_tool", "watchsync.garmin", "watchsync.store",
                            "watchsync.report.build", "watchsync.report.model", "watchsync.services.report",
                            "watchsync.services.activities")) == []  # the sync's module, with Garmin's errors
    # a valid file needs neither the tolerant decoder's fitdecode (nor its FIT profile) nor other commands
    assert loaded(modules, ("fitdecode", "watchsync.activity.tolerant", "watchsync.cli.workouts")) == []


def test_the_command_line_starts_no_blas_threads(tmp_path: Path) -> None:
    """numpy's OpenBLAS would start a thread per core on import: start-up time the command never uses."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the thread count from /proc (Linux)")
    fit = simulated_run(tmp_path)
    code = (f"from watchsync.cli import main\nassert main(['analyze', {str(fit)!r}]) == 0\n"
            "threads = open('/proc/self/status').read().split('Threads:')[1].split()[0]\n"
            "assert threads == '1', f'{threads} threads'")
    assert "numpy" in modules_after(code, unset=("OPENBLAS_NUM_THREADS",))


def test_the_command_line_skips_pydantics_plugin_scan() -> None:
    code = ("import os\nfrom watchsync.cli import main\n"
            "assert main(['validate', 'workouts/runs/easy-30.txt']) == 0\n"
            "assert os.environ['PYDANTIC_DISABLE_PLUGINS'] == '__all__'\n"
            "from pydantic.plugin import _loader\nassert _loader._plugins is None  # never scanned")
    assert "pydantic" in modules_after(code)
