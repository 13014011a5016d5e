"""fit-tool's own validator (FULL profile scope) finds nothing wrong with what we write.

The writer skips that validator at run time for speed; this test keeps its checks in the suite. Its
known false finding (``num_valid_steps`` counting repeat steps, as Garmin devices write it) is the
only one ignored.
"""

from pathlib import Path

import pytest
from fit_tool.fit_file import FitFile
from fit_tool.validation import ProfileScope

from watchsync.compile import compile_workout
from watchsync.formats.load import load_workouts
from watchsync.model.athlete import Athlete

LIBRARY = Path(__file__).resolve().parents[2] / "workouts"
ATHLETES = [Athlete(name="hr", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230),
            Athlete(name="pace", max_hr=188, lthr=171, threshold_pace="4:30/km", ftp=230, targets="pace")]


@pytest.mark.parametrize("athlete", ATHLETES, ids=lambda a: a.name)
def test_library_files_pass_fit_tools_full_validation(athlete: Athlete) -> None:
    checked = 0
    for path, workout in load_workouts([LIBRARY]):
        assert not isinstance(workout, Exception), workout
        _resolved, data = compile_workout(workout, athlete)
        report = FitFile.from_bytes(data).validate(profile_scope=ProfileScope.FULL)
        problems = [f for f in report.errors if "num_valid_steps" not in str(f)]
        assert problems == [], f"{path}: {problems}"
        checked += 1
    assert checked >= 18
