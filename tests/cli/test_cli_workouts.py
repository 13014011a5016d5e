"""The workout commands through the real command line (``watchsync.cli.main``)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from garmin_fit_sdk import Decoder, Stream

from watchsync.cli import main

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "workouts"
HILLS = LIBRARY / "runs" / "hill-repeats.txt"


@pytest.fixture(autouse=True)
def _embedded_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("WATCHSYNC_STATE_DIR", str(tmp_path / "state"))


def _library_workouts() -> list[Path]:
    return sorted(p for p in LIBRARY.rglob("*") if p.suffix in {".txt", ".toml"} and "plans" not in p.parts)


def test_validate_accepts_every_library_workout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, _library_workouts())]) == 0
    assert f"{len(_library_workouts())} valid, 0 invalid" in capsys.readouterr().err


def test_validate_prints_one_located_line_per_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("name: ok\nsport: run\n- 10m RPE 3\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("name: bad\nsport: run\n- 10m RPE 3\n- 5q RPE 3\n")
    worse = tmp_path / "worse.txt"
    worse.write_text("name: worse\nsport: run\n- 10m RPE 11\n")
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    located = [line for line in err if line.startswith(str(tmp_path))]
    assert len(located) == 2
    assert any(line.startswith(f"{bad}:4:") for line in located)
    assert any(line.startswith(f"{worse}:3:") and "RPE" in line for line in located)
    assert err[-1] == "1 valid, 2 invalid"


def test_validate_says_a_pace_share_in_a_ride_that_compile_would_refuse(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # probe icu15: validate said "1 valid", compile refused it at "file:1:1" (the step is on line 5)
    ride = tmp_path / "ride.txt"
    ride.write_text("name: mixed\nsport: cycling\n- Warm up 15m Z2\nMain set 8x\n- 50mtr Z2 Pace\n- 10s rest\n")
    assert main(["validate", str(ride)]) == 1
    assert f"{ride}:5:9: a pace zone in a cycling workout" in capsys.readouterr().err
    assert main(["compile", str(ride), "--out", str(tmp_path / "fit")]) == 1
    assert f"{ride}:5:9: a pace zone in a cycling workout" in capsys.readouterr().err


def test_validate_says_the_text_syntax_warnings_of_a_toml_file_at_their_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # probe fitwkt7 #1: duration = "1000m" in a run compiled to 16h40m without a word (the text warns)
    track = tmp_path / "track.toml"
    track.write_text('name = "Track"\nsport = "running"\n\n[[steps]]\nrepeat = 5\nsteps = [\n'
                     '  { duration = "1000m", target = "3:50/km Pace" },\n'
                     '  { duration = "400mtr", target = "4:30/km" },\n]\n')
    embedded = tmp_path / "swim.toml"
    embedded.write_text('name = "Swim"\nsport = "pool_swim"\npool_length = 25\ntext = """\n- 8x 50m\n"""\n')
    assert main(["validate", str(track), str(embedded)]) == 0
    err = capsys.readouterr().err
    assert (f"{track}:7:16: warning: steps[0].steps[0].duration: '1000m' is 16h40m ('m' means minutes) "
            "(did you mean 1000mtr for metres?)") in err
    assert f"{track}:8:35: warning: steps[0].steps[1].target: '4:30/km' without 'Pace'" in err
    assert f"{embedded}:5:" in err and "'50m' is 50 minutes" in err
    assert err.splitlines()[-1] == "2 valid, 0 invalid"


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("name: a\nsport: run\n- 10m RPE 3\n")
    assert main(["validate", "--json", str(tmp_path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(r["path"], r["ok"], r["error"]) for r in result] == [(str(tmp_path / "a.txt"), True, None)]
    assert result[0]["workout"]["steps"][0]["target"] == {"kind": "rpe", "low": 3.0, "high": 3.0}


def test_show_resolves_rpe_for_the_athlete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(HILLS)]) == 0
    out = capsys.readouterr().out
    lthr = 171  # the example athlete of config.example.toml
    assert f"{round(0.85 * lthr)}-{round(0.89 * lthr)} bpm" in out  # RPE 3 warm-up band
    assert "RPE 8 – hard" in out and "6x" in out


def test_show_json_is_the_resolved_workout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--json", str(HILLS)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["steps"][0]["target"]["kind"] == "hr_bpm"
    assert data["steps"][1]["count"] == 6


def test_show_unknown_athlete_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--athlete", "zed", str(HILLS)]) == 2
    assert "unknown athlete 'zed'" in capsys.readouterr().err


def test_compile_writes_deterministic_fit_files_that_garmin_decodes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["compile", str(LIBRARY / "runs"), "--out", str(first)]) == 0
    assert main(["compile", str(LIBRARY / "runs"), "--out", str(second)]) == 0
    files = sorted(first.rglob("*.fit"))
    assert len(files) == len(list((LIBRARY / "runs").glob("*.txt")))
    for fit in files:
        assert fit.read_bytes() == (second / fit.relative_to(first)).read_bytes()
        messages, errors = Decoder(Stream.from_byte_array(bytearray(fit.read_bytes()))).read()
        assert errors == []
        assert messages["file_id_mesgs"][0]["type"] == "workout"


def test_compile_and_import_take_o_as_out(tmp_path: Path) -> None:
    assert main(["compile", str(LIBRARY / "runs" / "easy-30.txt"), "-o", str(tmp_path / "fit")]) == 0  # as --help shows
    [fit] = (tmp_path / "fit").rglob("*.fit")
    assert main(["import", str(fit), "-o", str(tmp_path / "back")]) == 0 and list((tmp_path / "back").iterdir())


def test_show_says_notes_that_open_with_the_name_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sprint.toml"
    path.write_text('name = "Sprints"\nsport = "running"\n[[steps]]\nduration = "30s"\nname = "all out"\n'
                    'notes = "all out. fast but relaxed"\n', encoding="utf-8")
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "all out. fast but relaxed" in out and "all out – all out" not in out


def test_show_gives_a_rides_speeds_in_km_h_and_a_skipped_last_rest(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    ride = tmp_path / "ride.txt"
    ride.write_text("name: Tempo ride\nsport: cycling\n- 10m 25-28km/h\n", encoding="utf-8")
    run = tmp_path / "run.txt"
    run.write_text("name: Treadmill\nsport: treadmill\n- 10m 10-12km/h\n", encoding="utf-8")
    circuit = tmp_path / "circuit.toml"
    circuit.write_text('name = "Circuit"\nsport = "strength"\n[[steps]]\nrepeat = 3\nskip_last_rest = true\n'
                       '[[steps.steps]]\nduration = "10 reps"\nexercise = "SQUAT/GOBLET_SQUAT"\n'
                       '[[steps.steps]]\nduration = "60s"\nintensity = "rest"\n', encoding="utf-8")

    assert main(["show", str(ride)]) == 0
    assert "25.0-28.0 km/h" in capsys.readouterr().out
    assert main(["show", str(run)]) == 0
    assert "5:00/km-6:00/km" in capsys.readouterr().out  # runners think in pace
    assert main(["show", str(circuit)]) == 0
    assert "3x" in (out := capsys.readouterr().out) and "last rest skipped" in out


def test_show_gives_a_length_written_in_miles_in_miles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    miles = tmp_path / "miles.txt"
    miles.write_text("name: Miles\nsport: running\n- 2mi RPE 3\n- 1.5mi RPE 5\n- 5km RPE 3\n", encoding="utf-8")
    assert main(["show", str(miles)]) == 0
    out = capsys.readouterr().out
    assert "2 mi" in out and "1.5 mi" in out and "5 km" in out and "3.21869" not in out


def test_compile_reports_failures_and_still_writes_the_rest(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "ok.txt").write_text("name: ok\nsport: run\n- 10m RPE 3\n")
    (source / "pace.txt").write_text("name: pace\nsport: run\n- 10m 78-82% Pace\n")
    config = tmp_path / "c.toml"
    config.write_text("[athletes.nopace]\nmax_hr = 190\n")
    code = main(["--config", str(config), "compile", str(source), "--out", str(tmp_path / "out")])
    assert code == 1
    assert (tmp_path / "out" / "ok.fit").exists() and not (tmp_path / "out" / "pace.fit").exists()
    assert "threshold_pace" in capsys.readouterr().err


def test_compile_says_where_the_watch_runs_a_repeats_last_rest_that_connect_skips(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    legs = tmp_path / "legs.txt"
    legs.write_text("name: Legs\nsport: strength\n- 3x10 Goblet squat 20kg rest 90s\n- 5m Plank\n")
    assert main(["compile", str(legs), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == (f"{legs}: note: repeat 1 (3x): the watch also runs the last rest of the "
                                       "FIT file's repeat (FIT has no 'skip last rest'; Garmin Connect skips it)\n")
    assert main(["compile", str(legs), "--out", str(tmp_path / "out"), "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert len(entry["notes"]) == 1
    assert main(["compile", str(HILLS), "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().err == ""


def test_a_weight_in_pounds_stays_in_pounds_through_show_compile_and_import(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    legs = tmp_path / "legs.txt"
    legs.write_text("name: Legs\nsport: strength\n- 3x5 Deadlift 135lb rest 2m\n")
    assert main(["show", str(legs)]) == 0
    assert "@ 135 lb" in capsys.readouterr().out
    assert main(["compile", str(legs), "--out", str(tmp_path / "out")]) == 0
    assert main(["import", str(tmp_path / "out" / "legs.fit"), "--out", str(tmp_path / "txt")]) == 0
    assert "- 5 reps Deadlift 135lb" in (tmp_path / "txt" / "legs.txt").read_text()  # pounds, not 61.23kg


def test_import_turns_a_fit_workout_back_into_text(tmp_path: Path) -> None:
    assert main(["compile", str(HILLS), "--out", str(tmp_path)]) == 0
    assert main(["import", str(tmp_path / "hill-repeats.fit"), "--out", str(tmp_path / "txt")]) == 0
    text = (tmp_path / "txt" / "hill-repeats.txt").read_text()
    assert text.startswith("name: Hill repeats (base phase)\nsport: trail_running")
    assert main(["validate", str(tmp_path / "txt" / "hill-repeats.txt")]) == 0


def test_bad_input_never_shows_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.fit"
    junk.write_bytes(b"\x00\xff" * 500)
    result = subprocess.run([sys.executable, "-m", "watchsync", "show", str(junk)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"watchsync: {junk}:")


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("validate", "show", "compile", "import"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: watchsync" in capsys.readouterr().out


def test_validate_skips_plans_in_folders_and_explains_when_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(LIBRARY)]) == 0
    capsys.readouterr()
    plan = LIBRARY / "plans" / "base-4-weeks.toml"
    assert main(["validate", str(plan)]) == 1
    assert f"{plan}:1:1: this is a plan file" in capsys.readouterr().err


def test_import_of_nested_repeats_falls_back_to_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "nested.toml"
    source.write_text('name = "Nested"\nsport = "run"\n[[steps]]\nrepeat = 2\n  [[steps.steps]]\n  repeat = 3\n'
                      '    [[steps.steps.steps]]\n    duration = "30s"\n    target = "RPE 8"\n'
                      '    [[steps.steps.steps]]\n    duration = "30s"\n    target = "RPE 2"\n')
    assert main(["compile", str(source), "--out", str(tmp_path / "fit")]) == 0
    assert main(["import", str(tmp_path / "fit" / "nested.fit"), "--out", str(tmp_path / "back")]) == 0
    assert "writing TOML instead" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "back" / "nested.toml")]) == 0


def test_import_writes_toml_when_the_text_would_not_read_back(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Garmin keeps a strength set of reps with no exercise (kaiord's WorkoutStrengthRepsOutput.gcn);
    the text syntax asks a set to name its exercise, so the imported file is TOML, which validates."""
    strength = {"sportTypeId": 5, "sportTypeKey": "strength_training", "displayOrder": 5}
    source = tmp_path / "reps.json"
    source.write_text(json.dumps({
        "workoutName": "Reps test", "sportType": strength,
        "workoutSegments": [{"segmentOrder": 1, "sportType": strength, "workoutSteps": [{
            "type": "ExecutableStepDTO", "stepOrder": 1,
            "stepType": {"stepTypeId": 3, "stepTypeKey": "interval", "displayOrder": 3},
            "endCondition": {"conditionTypeId": 10, "conditionTypeKey": "reps", "displayOrder": 10},
            "endConditionValue": 10.0,
            "targetType": {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target", "displayOrder": 1}}]}]}))
    assert main(["import", str(source), "--out", str(tmp_path / "back")]) == 0
    assert "the text would not read back (line 4: a strength step needs an exercise)" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "back" / "reps.toml")]) == 0


def test_compile_says_which_sport_a_text_without_one_took(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "nosport.txt"
    source.write_text("name: Easy\n- 10m RPE 3\n")
    assert main(["compile", str(source), "--out", str(tmp_path / "fit")]) == 0
    assert f"{source}: sport " in capsys.readouterr().err


def test_compile_says_which_texts_fit_cuts_to_its_254_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "long.txt"
    long_notes = "keep it relaxed and tall, " * 12  # 312 characters
    source.write_text(f"name: Long notes\nsport: running\ndescription: {'x' * 300}\n- 10m RPE 3 | {long_notes}\n")
    assert main(["compile", str(source), "--out", str(tmp_path / "fit")]) == 0
    err = capsys.readouterr().err
    assert "note: the description cut to FIT's 254 bytes from 300 (Garmin Connect gets it whole)" in err
    assert "note: step 1 notes cut to FIT's 254 bytes" in err


def test_validate_reads_a_config_or_athlete_it_is_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workout = str(LIBRARY / "runs" / "easy-30.txt")
    assert main(["validate", workout]) == 0  # needs no config: none read
    assert main(["--config", str(tmp_path / "missing.toml"), "validate", workout]) == 2
    assert "missing.toml: cannot read" in capsys.readouterr().err
    assert main(["validate", workout, "--athlete", "zed"]) == 2
    assert "unknown athlete 'zed'" in capsys.readouterr().err


def test_a_folder_scan_reads_garmin_connect_json_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "connect"
    if not fixtures.is_dir():
        pytest.skip("shared fixtures not found")
    assert main(["validate", str(fixtures)]) == 0
    assert f"{len(list(fixtures.glob('*.json')))} valid, 0 invalid" in capsys.readouterr().err


def test_show_times_an_erg_at_its_pace_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # probe fitwkt7 #3: "estimated: 5m, 4.0 km" (each distance step counted 60 s)
    erg = tmp_path / "erg.txt"
    erg.write_text("name: erg\nsport: rowing\n- 2000mtr 2:00/500m Pace 24spm\n- 4x 500mtr 1:50-1:45/500m Pace\n")
    assert main(["show", str(erg)]) == 0
    assert "estimated: 15m10s, 4.0 km" in capsys.readouterr().out


def test_show_of_a_folder_says_it_takes_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # probe fitwkt7 #5: "unknown workout file type '(none)'"
    assert main(["show", str(tmp_path)]) == 1
    assert f"{tmp_path}: a folder; show takes one workout file (validate and compile take folders)" in (
        capsys.readouterr().err)


def test_validate_for_an_athlete_refuses_what_their_profile_cannot_resolve(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a % FTP step for a runner without an FTP was "1 valid", then rejected in the daemon's inbox (probe journey11)
    workout = tmp_path / "ftp.txt"
    workout.write_text("name: Mixed\nsport: running\nWarmup\n- 10m Z1 HR\nMain set 2x\n- 6m 100%\n- 2m Z1 HR\n",
                       encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text("[athletes.cara]\nmax_hr = 185\nlthr = 168\n\n[athletes.ftp]\nmax_hr = 185\nftp = 250\n",
                      encoding="utf-8")
    assert main(["--config", str(config), "validate", "--athlete", "cara", str(workout)]) == 1
    err = capsys.readouterr().err
    assert f"{workout}: step 2.1: a % FTP target needs ftp in athlete 'cara'" in err and "0 valid, 1 invalid" in err
    assert main(["--config", str(config), "validate", "--athlete", "ftp", str(workout)]) == 0
    assert main(["--config", str(config), "validate", str(workout)]) == 0  # the syntax alone: valid
