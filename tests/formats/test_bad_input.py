"""Malformed workout files: each gives one clear line ``path:line:col: problem`` and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.load import load_workout, load_workouts

BAD = Path(__file__).resolve().parent / "bad"

#: file -> (line, column, a phrase the message must contain)
EXPECTED: dict[str, tuple[int, int, str]] = {
    "bad-pace.txt": (3, 7, "bad pace '5:75/km Pace'"),
    "bad-unit.txt": (3, 3, "unknown unit 'q' in '10q'"),
    "binary-junk.txt": (3, 6, "binary data (control character 0x00)"),
    "blank-lines-only.workout": (1, 1, "empty file"),
    "empty.txt": (1, 1, "empty file"),
    "header-after-steps.txt": (4, 1, "header line 'name:' after the steps"),
    "junk.fit": (1, 1, "FIT"),
    "latin1.txt": (1, 10, "not UTF-8 text (byte 0xe9: saved in another encoding, such as Latin-1"),
    "missing-sport.txt": (3, 1, "no sport for this workout"),
    "custom-zone.txt": (3, 7, "custom zones like 'CZ2' are not supported"),
    "mmp.txt": (3, 6, "MMP targets"),
    "number-without-unit.txt": (3, 3, "'15' is not a length"),
    "prompt-without-end.txt": (3, 6, "timed prompt '30^' without its end"),
    "ramp-without-target.txt": (3, 7, "'ramp' needs a target range"),
    "negative-duration.txt": (3, 3, "negative length '-10m'"),
    "no-steps.txt": (3, 1, "no steps"),
    "over-a-day.txt": (3, 3, "is longer than a day"),
    "repeat-without-steps.txt": (5, 10, "repeat '6x' has no steps"),
    "rpe-eleven.txt": (4, 6, "RPE 11 is outside the scale"),
    "rpe-without-value.txt": (3, 7, "RPE needs a value"),
    "rpe-zero.txt": (3, 7, "RPE 0 is outside the scale"),
    "too-many-sets.txt": (3, 3, "sets must be 1 to 200"),
    "two-lengths.txt": (3, 7, "already has a length '10m'"),
    "two-targets.txt": (3, 13, "already has a target 'Z2 HR'"),
    "unknown-exercise.txt": (3, 8, "unknown exercise 'Squatt'; did you mean 'Squat'"),
    "unknown-intensity.txt": (3, 13, "unknown intensity '@sprint'"),
    "unknown-sport.txt": (2, 8, "unknown sport 'rnning'"),
    "until-without-hr.txt": (3, 3, "'until' needs a direction and a heart rate"),
    "weight-without-exercise.txt": (3, 7, "weight '20kg' needs an exercise"),
    "workout.csv": (1, 1, "unknown workout file type '.csv'"),
    "zero-duration.txt": (4, 3, "length '0m' must be above zero"),
    "zero-repeat.txt": (3, 1, "repeat count '0x' must be 1 to 200"),
    "zone-out-of-range.txt": (3, 7, "zone must be at most 7"),
    "toml-bad-duration-string.toml": (5, 16, "steps[1].duration: '10q': unknown unit"),
    "toml-bad-intensity.toml": (6, 13, "steps[0].intensity: wrong value 'sprint'"),
    "toml-missing-sport.toml": (1, 1, "sport: missing key"),
    "toml-nested-bad-target.toml": (13, 39, "steps[0].steps[1].target.zone: zone must be at most 7"),
    "toml-repeat-count-zero.toml": (5, 10, "steps[0].repeat: repeat count 0 must be 1 to 200"),
    "toml-repeat-without-steps.toml": (5, 25, "steps[1].steps: a repeat needs steps"),
    "toml-rpe-eleven.toml": (7, 7, "steps[0].rpe: 'RPE 11': RPE 11 is outside the scale"),
    "toml-steps-and-text.toml": (1, 1, "give either 'steps' or 'text'"),
    "toml-syntax.toml": (2, 9, "Invalid value"),
    "toml-tags-not-a-list.toml": (3, 8, "tags: wrong type (str)"),
    "toml-text-bad-line.toml": (6, 6, "RPE 12 is outside the scale"),
    "toml-too-deep.toml": (9, 15, "repeats nest too deep (at most 5 levels)"),
    "toml-unclosed-array.toml": (4, 24, "at the end of the file"),
    "toml-unclosed-string.toml": (1, 19, "a string not closed on its line (a missing quote?)"),
    "toml-unknown-exercise.toml": (6, 12, "unknown exercise 'Pushup plus plus'; did you mean 'Push-up Plus'"),
    "toml-unknown-key.toml": (6, 1, "steps[0].targe: unknown key"),
    "toml-wrong-type.toml": (5, 12, "steps[0].duration: wrong type (int)"),
}


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_one_located_line(name: str) -> None:
    line, col, phrase = EXPECTED[name]
    path = BAD / name
    with pytest.raises(WorkoutFormatError) as caught:
        load_workout(path)
    error = caught.value
    first = str(error.errors[0])
    assert (error.line, error.col) == (line, col), first
    assert first.startswith(f"{path}:{line}:{col}: "), first
    assert phrase in first
    assert "\n" not in first


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("name: Huge\nsport: running\n" + "- 10m RPE 3\n" * 100_000, encoding="utf-8")
    with pytest.raises(WorkoutFormatError, match=r"huge\.txt:1:1: file is larger than 1048576 bytes"):
        load_workout(huge)
    small_limit = tmp_path / "ok.txt"
    small_limit.write_text("name: Ok\nsport: running\n- 10m\n", encoding="utf-8")
    with pytest.raises(WorkoutFormatError, match="larger than 10 bytes"):
        load_workout(small_limit, max_bytes=10)


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(WorkoutFormatError, match="cannot read the file"):
        load_workout(tmp_path / "gone.txt")


def test_load_workouts_walks_directories_and_skips_dotfiles(tmp_path: Path) -> None:
    good = "name: Easy\nsport: running\n- 30m RPE 3\n"
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "easy.txt").write_text(good, encoding="utf-8")
    (tmp_path / "runs" / "bad.workout").write_text(good.replace("30m", "30q"), encoding="utf-8")
    (tmp_path / "bike.toml").write_text('name = "Ride"\nsport = "cycling"\ntext = "- 1h Z2"\n', encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text(good, encoding="utf-8")
    (tmp_path / ".swap.txt").write_text(good, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a workout", encoding="utf-8")
    results = dict(load_workouts([tmp_path]))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in results) == [
        "bike.toml", "runs/bad.workout", "runs/easy.txt"]
    assert isinstance(results[tmp_path / "runs" / "bad.workout"], WorkoutFormatError)
    assert not isinstance(results[tmp_path / "runs" / "easy.txt"], WorkoutFormatError)


def test_a_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffname: Bom\nsport: running\n- 5m\n".encode())
    assert load_workout(path).name == "Bom"


@pytest.mark.parametrize("line", ["- 1mı easy", "- 10m 5:00/mı Pace", "- 2kṁ RPE 3", "- 3x10 ſquat"])
def test_unicode_case_folding_lookalikes_never_crash(tmp_path: Path, line: str) -> None:
    """Case-insensitive matching is ASCII-only: 'ı' (dotless i) or 'ſ' (long s) is no 'i' or 's'."""
    path = tmp_path / "w.txt"
    path.write_text(f"name: x\nsport: run\n{line}\n", encoding="utf-8")
    try:
        load_workout(path)
    except WorkoutFormatError as error:
        assert str(error).startswith(f"{path}:3:") and "bug" not in str(error)


@pytest.mark.parametrize(("line", "problem"), [
    ("- 10m RPE 3 " + "a" * 1500, "notes must be at most 1000 characters long"),
    ("- 10m 1" + "a" * 3000, "(expected s, m (minutes)"),
    ("- 10m 5:" + "1" * 3000, "(expected m:ss/km, m:ss/mi or a swim"),
])
def test_a_huge_token_is_quoted_short_so_the_problem_shows(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "long.txt"
    path.write_text(f"name: Long\nsport: running\n{line}\n", encoding="utf-8")
    with pytest.raises(WorkoutFormatError) as caught:
        load_workout(path)
    message = str(caught.value)
    assert problem in message
    assert len(message) < len(str(path)) + 300, message
    assert "…" in message  # the quoted text says it was cut


def test_a_utf16_text_with_its_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows Notepad's "Unicode" (UTF-16 with FF FE) was refused as "not UTF-8 text (byte 0xff)" (probe journey11)
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
        path.write_bytes(bom + "name: Été\nsport: running\n- 10m Z2 HR\n".encode(encoding))
        workout = load_workout(path)
        assert workout.name == "Été" and len(workout.steps) == 1
