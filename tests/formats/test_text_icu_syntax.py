"""intervals.icu syntax beyond the basics: ramps either way, zone ranges, second targets, timed
prompts, ``intensity=``, spaced lengths, unit slips, swims; and the writer reading all of it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.text import format_text, parse_text
from watchsync.model.athlete import Athlete
from watchsync.model.workout import (
    CadenceTarget,
    DistanceDuration,
    Exercise,
    HeartRateDuration,
    HeartRatePercentLthrTarget,
    HeartRatePercentMaxTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    Intensity,
    LapButton,
    OpenTarget,
    PacePercentTarget,
    PaceTarget,
    PaceZoneTarget,
    PowerPercentFtpTarget,
    PowerTarget,
    PowerZoneTarget,
    Prompt,
    Repeat,
    RepsDuration,
    RpeTarget,
    SpeedTarget,
    Sport,
    Step,
    TimeDuration,
    Workout,
)
from watchsync.resolve import ResolveError, resolve


def steps(text: str, sport: str = "running") -> list[Step | Repeat]:
    return parse_text(f"name: t\nsport: {sport}\n{text}").steps


def step(text: str, sport: str = "running") -> Step:
    [only] = steps(text, sport)
    assert isinstance(only, Step)
    return only


def test_a_descending_ramp_is_a_range_that_remembers_its_direction() -> None:
    down = step("- 10m ramp 55-40% 85rpm", "cycling")
    assert (down.target, down.ramp, down.secondary) == (PowerPercentFtpTarget(low=40, high=55), "down",
                                                        CadenceTarget(low=85, high=85))
    assert step("- 10m ramp 60-40% HR").target == HeartRatePercentMaxTarget(low=40, high=60)
    up = step("- 10m ramp 6:30-5:30/km Pace")  # the pace gets faster: intensity rises
    assert (up.ramp, up.target) == ("up", PaceTarget(fast=330, slow=390))
    assert step("- 10m ramp z1-z3 Pace").target == PaceZoneTarget(zone=1, zone_high=3)
    assert step("- 10m 50%-40%", "cycling").target == PowerPercentFtpTarget(low=40, high=50)  # a plain range


def test_a_ramp_reaches_the_watch_as_its_range_and_a_note() -> None:
    from watchsync.formats.connect_json import workout_to_connect

    workout = parse_text("name: r\nsport: cycling\n- 10m ramp 55-40% 85rpm\n")
    resolved = resolve(workout, Athlete(name="a", ftp=200))
    [sent] = workout_to_connect(resolved)["workoutSegments"][0]["workoutSteps"]
    assert (sent["targetValueOne"], sent["targetValueTwo"]) == (80.0, 110.0)
    assert sent["secondaryTargetType"]["workoutTargetTypeKey"] == "cadence"
    assert "ramp down" in sent["description"]


@pytest.mark.parametrize(("line", "expected"), [
    ("- 10m Z1-Z2 HR", HeartRateZoneTarget(zone=1, zone_high=2)),
    ("- 10m z2-z3 Pace", PaceZoneTarget(zone=2, zone_high=3)),
    ("- 10m Z3-Z4", PowerZoneTarget(zone=3, zone_high=4)),
    ("- 10m Z7 Pace", PaceZoneTarget(zone=7)),
    ("- 10m Z2", PowerZoneTarget(zone=2)),  # bare: power in every sport
    ("- 10m 75%", PowerPercentFtpTarget(low=75, high=75)),
    ("- 10m 5:00 Pace", PaceTarget(fast=300, slow=300)),  # no unit: the sport's (km for runs)
])
def test_zones_and_bare_targets_in_a_run(line: str, expected: object) -> None:
    assert step(line).target == expected


def test_zone_ranges_resolve_from_the_low_zones_floor_to_the_high_zones_ceiling() -> None:
    anna = Athlete(name="anna", lthr=170, threshold_pace="4:00/km", ftp=250)
    workout = parse_text("name: z\nsport: running\n- 10m Z1-Z2 HR\n- 10m Z3 HR\n- 10m Z2-Z3\n")
    first, second, third = resolve(workout, anna).flat_steps()
    assert first.target == HeartRateTarget(low=round(0.70 * 170), high=round(0.89 * 170))
    assert second.target == HeartRateZoneTarget(zone=3)  # one zone: the watch's own
    assert third.target == PowerTarget(low=round(0.56 * 250), high=round(0.90 * 250))
    with pytest.raises(ResolveError, match="power zone range needs ftp"):
        resolve(workout, Athlete(name="b"))


def test_a_power_target_never_resolves_to_another_kind() -> None:
    workout = parse_text("name: p\nsport: running\n- 10m 80%\n")
    with pytest.raises(ResolveError, match="% FTP target needs ftp"):
        resolve(workout, Athlete(name="no-ftp", lthr=170))


def test_swims_take_pace_zones_and_percentages_from_the_css() -> None:
    workout = parse_text("name: s\nsport: swim\npool: 25m\n- 400mtr Z1 Pace\n- 100mtr 1:40 Pace\n"
                         "- 100mtr 90% Pace stroke=free equipment=pull_buoy\n")
    assert workout.pool_length == 25
    swimmer = Athlete(name="s", threshold_pace="3:30/km", swim_threshold_pace="1:40/100m")
    zone, absolute, percent = resolve(workout, swimmer).flat_steps()
    css = 100 / 100  # metres per second at 1:40/100m
    assert zone.target == SpeedTarget(low=round(css * 0.65, 3), high=round(css * 0.77, 3))
    assert isinstance(absolute.target, SpeedTarget) and absolute.target.low < css < absolute.target.high
    assert percent.target == SpeedTarget(low=round(css * 0.9 * 0.98, 3), high=round(css * 0.9 * 1.02, 3))
    assert (percent.stroke, percent.equipment) == ("free", "pull_buoy")
    with pytest.raises(ResolveError, match="swim_threshold_pace"):
        resolve(workout, Athlete(name="runner", threshold_pace="3:30/km"))


def test_timed_prompts_intensity_tags_and_press_lap_placeholders() -> None:
    prompted = step("- First prompt 33^Second prompt at 33s <!> 10m ramp 4:30-5:00/km pace")
    assert prompted.name == "First prompt"
    assert prompted.prompts == [Prompt(at_seconds=33, text="Second prompt at 33s")]
    sprint = step("- Start sprint 30^ Relax 60^ Final push <!> 1m30 120%", "cycling")
    assert [p.at_seconds for p in sprint.prompts] == [30, 60]
    assert step("- 90s intensity=recovery").intensity is Intensity.RECOVERY
    assert step("- 5m Z2 HR intensity=rest").intensity is Intensity.REST
    lap = step("- Press lap 2km")
    assert (lap.duration, lap.planned) == (LapButton(), DistanceDuration(meters=2000))


@pytest.mark.parametrize(("line", "length"), [
    ("- 15 min RPE 3", TimeDuration(seconds=900)),
    ("- 45 sec", TimeDuration(seconds=45)),
    ("- 2 km Z2 HR", DistanceDuration(meters=2000)),
    ("- 1 hour Z1 HR", TimeDuration(seconds=3600)),
    ("- 400 meters Z4 Pace", DistanceDuration(meters=400)),
    ("- 100y Z2 Pace", DistanceDuration(meters=91.44)),
    ("- 1m30 Z2 HR", TimeDuration(seconds=90)),
    ("- 90 s", TimeDuration(seconds=90)),
    ("- 1h30 Z2 HR", TimeDuration(seconds=5400)),
    ("- 1h 30m Z2 HR", TimeDuration(seconds=5400)),
    ("- 10 m Z2 HR", TimeDuration(seconds=600)),
])
def test_spaced_and_spelled_out_lengths_are_lengths_never_lap_button_cues(line: str, length: object) -> None:
    assert step(line).duration == length


@pytest.mark.parametrize(("line", "length", "name"), [
    ("- Zone 4 HR 1m Z4 HR", TimeDuration(seconds=60), "Zone 4 HR"),  # intervals.icu forum t/1163: 1 minute
    ("- Easy run zone 2 HR 40m", TimeDuration(seconds=2400), "Easy run zone 2 HR"),
    ("- 30m keep below 150 HR", TimeDuration(seconds=1800), "keep below 150 HR"),
    ("- 1hr easy", TimeDuration(seconds=3600), "easy"),
    ("- 2hrs easy", TimeDuration(seconds=7200), "easy"),
])
def test_hr_after_a_space_is_heart_rate_talk_and_glued_hr_is_hours(line: str, length: object, name: str) -> None:
    read = step(line, "running")
    assert (read.duration, read.name) == (length, name)


def test_a_number_without_a_unit_is_refused_with_a_suggestion() -> None:
    with pytest.raises(WorkoutFormatError, match=r"'15 easy' is not a length \(expected a length like 15m"):
        steps("- 15 easy")
    with pytest.raises(WorkoutFormatError, match=r"'10x100mtr' is not a length \(expected '10x 100mtr'"):
        steps("- 10x100mtr", "swim")
    with pytest.raises(WorkoutFormatError, match=r"'\(20m\)' is not a length"):
        steps("- easy (20m)")


def test_remarks_in_brackets_are_cue_text() -> None:
    remark = step("- 3m Z4 HR (2min rest)")
    assert (remark.duration, remark.name) == (TimeDuration(seconds=180), "(2min rest)")


def test_a_length_that_looks_like_metres_is_warned_about() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\n- 400m RPE 8\n- 50m Z2 HR\n", warnings=warnings)
    assert workout.flat_steps()[0].duration == TimeDuration(seconds=24_000)  # what intervals.icu reads too
    [warning] = warnings
    assert (warning.line, warning.col) == (3, 3)
    assert "'400m' is 6h40m" in warning.problem and warning.expected == "400mtr for metres"


def test_a_blank_line_between_a_repeat_header_and_its_steps_keeps_them_in_the_repeat() -> None:
    repeat, after = steps("Main Set 5x\n\n- 3m 120%\n- 2m Z1\n\n- 5m 50%\n", "cycling")
    assert isinstance(repeat, Repeat) and (repeat.count, len(repeat.steps)) == (5, 2)
    assert isinstance(after, Step)
    # the warning says which steps are repeated: those up to the next blank line (probe icu14 #1)
    _, said = _warned("Main Set 3x\n\n- 3m 120%\n\n- 2m Z1\n", "cycling")
    assert said == ["a blank line after the repeat header 'Main Set 3x': watchsync repeats the steps below it up to "
                    "the next blank line 3 times, intervals.icu is reported to run them once"]


def test_a_step_line_repeat_and_markdown_headings() -> None:
    [repeat] = steps("- 3x 30s 110% 100rpm", "cycling")
    assert isinstance(repeat, Repeat) and repeat.count == 3
    [spaced] = steps("- 5 x 3 min Z4 HR")
    assert isinstance(spaced, Repeat) and spaced.count == 5
    assert spaced.steps[0] == Step(duration=TimeDuration(seconds=180), target=HeartRateZoneTarget(zone=4))
    blocks = steps("Main set 3x\n- 1m 100%\n# Recovery\n- 5m 50%\n", "cycling")
    assert [type(b).__name__ for b in blocks] == ["Repeat", "Step"]  # a heading ends the repeat block


def test_the_writer_reads_every_new_field_back() -> None:
    workout = Workout(name="all", sport=Sport.POOL_SWIM, pool_length=25, pool_length_unit="yd", steps=[
        Step(duration=TimeDuration(seconds=600), target=PowerPercentFtpTarget(low=40, high=55), ramp="down",
             secondary=CadenceTarget(low=85, high=95)),
        Step(duration=TimeDuration(seconds=600), target=PaceTarget(fast=300, slow=330), ramp="up"),
        Step(duration=TimeDuration(seconds=600), target=HeartRateZoneTarget(zone=1, zone_high=2), ramp="up"),
        Step(duration=LapButton(), planned=TimeDuration(seconds=540), target=PowerZoneTarget(zone=2)),
        Step(duration=DistanceDuration(meters=100), name="Go", stroke="fly", equipment="fins",
             prompts=[Prompt(at_seconds=10, text="Relax"), Prompt(at_seconds=20, text="Push")]),
    ])
    text = format_text(workout)
    assert "ramp 55-40% FTP 85-95rpm" in text and "pool: 25yd" in text
    assert parse_text(text) == workout


def test_a_pace_without_a_unit_takes_the_athletes_unit_for_the_sport(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from watchsync.cli import main

    config = tmp_path / "config.toml"
    config.write_text('[athletes.mi]\nunits = "imperial"\nthreshold_pace = "7:00/mi"\n'
                      'pace_units = { swim = "100y" }\n', "utf-8")
    run, swim = tmp_path / "run", tmp_path / "swim"
    run.mkdir()
    swim.mkdir()
    (run / "a.txt").write_text("- 10m 8:00 Pace\n", "utf-8")
    (swim / "b.txt").write_text("- 100y 1:30 Pace\n", "utf-8")
    assert main(["--config", str(config), "validate", "--json", str(run / "a.txt"), str(swim / "b.txt")]) == 0
    first, second = (r["workout"]["steps"][0]["target"] for r in json.loads(capsys.readouterr().out))
    assert first["fast"] == pytest.approx(480 / 1.609344)  # per mile
    assert second["fast"] == pytest.approx(90 / 0.9144 * 10)  # per 100 yards
    assert step("- 100mtr 1:40 Pace", "swim").target == PaceTarget(fast=1000, slow=1000, per="100m")  # default


def test_running_cadence_in_steps_per_minute_is_a_cadence_and_a_lone_at_sign_is_no_cue() -> None:
    stepped = step("- 1km Z2 HR 170-180spm")
    assert (stepped.secondary, stepped.name) == (CadenceTarget(low=170, high=180), None)
    assert step("- 10min @ 75%").name is None


# --- texts as pasted from forums and write-ups ----------------------------------------------------


def test_a_markdown_separator_is_ignored() -> None:  # quick guide: "Visual separators --- ... ignored"
    assert steps("---\n- 10m 60%\n  ---  \n- 5m 50%", "cycling") == steps("- 10m 60%\n- 5m 50%", "cycling")


def test_a_single_step_cadence_in_spm() -> None:
    assert step("- 5km Z2 HR 170spm").secondary == CadenceTarget(low=170, high=170)


@pytest.mark.parametrize(("text", "meters"), [("200 yards", 182.88), ("100yards", 91.44), ("1 yard", 0.9144),
                                              ("2 miles", 3218.688), ("1mile", 1609.344)])
def test_distances_in_words(text: str, meters: float) -> None:
    assert step(f"- {text} Z2 HR").duration == DistanceDuration(meters=meters)


def test_unicode_spaces_dashes_and_quotes_read_as_their_ascii() -> None:
    ascii_text = "- 10m Z2 HR\n- 10m 85-90%\n- 10m Z2-Z3 HR\n- 5' Z2 HR\n- 30\" 100%\n- RPE 9 – all out 30s"
    pasted = "- 10m\u00a0Z2 HR\n- 10m 85–90%\n- 10m Z2–Z3 HR\n- 5’ Z2 HR\n- 30” 100%\n- RPE 9 – all out 30s"
    assert steps(pasted, "cycling") == steps(ascii_text, "cycling")
    assert step("- RPE 9 – all out 30s").name == "all out"  # a dash between words stays cue punctuation


def test_a_bare_zero_target_is_a_rest() -> None:  # swim sets: "- 20s 0"
    rest = step("- 20s 0", "pool_swim")
    assert (rest.intensity, rest.name, rest.target) == (Intensity.REST, None, OpenTarget())
    assert step("- 20s 0 @active", "pool_swim").intensity is Intensity.ACTIVE


def test_pool_length_line() -> None:
    workout = parse_text("name: s\nsport: pool_swim\npool length: 25yd\n- 100y Z2 Pace\n")
    assert (workout.pool_length, workout.pool_length_unit) == (25, "yd")


@pytest.mark.parametrize("text", ["- 10m 7:00/mi Pace", "- 50yd 1:40/100y Pace", "- 10m ramp 8:30-7:45/mi Pace",
                                  "- 400mtr 1:25/400m Pace"])
def test_a_pace_per_mile_or_per_yards_is_written_back_as_written(text: str) -> None:
    workout = parse_text(f"name: p\nsport: running\n{text}\n")
    assert parse_text(format_text(workout)) == workout
    assert text.split()[-2].split("/")[1] in format_text(workout)


def test_a_rest_appended_after_the_length_is_cue_text_with_a_warning() -> None:
    # intervals.icu accepts "- 200mtr 95% Pace 30s rest" and exports no rest step (third-party live test)
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: s\nsport: pool_swim\n- 200mtr 95% Pace 30s rest\n", warnings=warnings)
    [only] = workout.steps
    assert isinstance(only, Step) and only.duration == DistanceDuration(meters=200) and only.name == "30s rest"
    assert [w.col for w in warnings] == [19] and "not a rest step" in warnings[0].problem
    assert parse_text(format_text(workout)) == workout
    assert step("- 30s rest").intensity is Intensity.REST  # on its own line it is the rest


@pytest.mark.parametrize("text", ["275 W", "275w", "275 w - 275 W"])
def test_watts_written_with_a_space(text: str) -> None:
    assert step(f"- 10m {text}", "cycling").target == PowerTarget(low=275, high=275)


# --- second probe of real texts (texts as MCP servers, plan generators and coaches write them) -----


@pytest.mark.parametrize("line", ["- 10s 0% Pace Rest", "- 10s 0% Pace intensity=rest", "- 10s 0%"])
def test_a_zero_percent_target_is_a_rest(line: str) -> None:
    rest = steps(f"8x\n- 50mtr 77% Pace\n{line}", "pool_swim")[0]
    assert isinstance(rest, Repeat)
    second = rest.steps[1]
    assert isinstance(second, Step) and second.target == OpenTarget() and second.intensity is Intensity.REST


def test_a_zero_length_rest_ends_on_the_lap_button_and_any_other_zero_length_is_refused() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: s\nsport: pool_swim\n- 0.0km 0% Pace Rest\n", warnings=warnings)
    assert workout.flat_steps()[0].duration == LapButton() and "zero length" in warnings[0].problem
    with pytest.raises(WorkoutFormatError, match="length '0m' must be above zero"):
        steps("- 0m RPE 3")


def test_a_dash_count_alone_repeats_nothing_and_says_so() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: b\nsport: running\nBuild\n- 4x\n- 30s 95% Pace\n- 30s Z1 HR\n", warnings=warnings)
    assert [type(block) for block in workout.steps] == [Step, Step]
    assert "repeats nothing" in warnings[0].problem and (warnings[0].line, warnings[0].col) == (4, 3)


def test_a_header_right_above_a_count_line_names_the_repeat() -> None:
    [repeat] = steps("Técnica (Drills)\n6x\n- 50mtr Drill\n- 15s recovery", "pool_swim")
    assert isinstance(repeat, Repeat) and (repeat.name, repeat.count, len(repeat.steps)) == ("Técnica (Drills)", 6, 2)
    workout = parse_text("name: s\nsport: pool_swim\nTécnica (Drills)\n6x\n- 50mtr Drill\n")
    assert parse_text(format_text(workout)) == workout


@pytest.mark.parametrize("name", ["Plank hold (3 x 45s)", "Bulgarian split squat (2 x 8 each)"])
def test_a_bracketed_remark_is_text_whatever_it_holds(name: str) -> None:
    only = step(f"- {name}", "strength")
    assert (only.name, only.duration) == (name, LapButton())
    assert step("- 400mtr (1° 72%, 2° 75%, 3° 78% Pace)", "pool_swim").target == OpenTarget()


def test_grams_in_a_cue_and_kms() -> None:
    fuel = step("- FUEL PER 10: 10g 1km 70% LTHR")
    assert (fuel.name, fuel.duration) == ("FUEL PER 10: 10g", DistanceDuration(meters=1000))
    assert step("- 0.1kms 95% Pace", "pool_swim").duration == DistanceDuration(meters=100)


def test_timed_prompts_written_after_the_step_leave_the_step_its_length_and_target() -> None:
    after = step("- 10m ramp 50-90% Pace 30^Halfway <!>")
    before = step("- 30^Halfway <!> 10m ramp 50-90% Pace")
    assert after == before and after.duration == TimeDuration(seconds=600) and after.prompts[0].text == "Halfway"


def test_fifty_minutes_in_a_pool_is_warned_about_as_metres() -> None:
    warnings: list[WorkoutFormatError] = []
    parse_text("name: s\nsport: pool_swim\n- 50m Z1 Pace\n- 10m Z1 Pace\n", warnings=warnings)
    assert [(w.line, w.expected) for w in warnings] == [(3, "50mtr for metres")]


def test_a_pace_unit_written_after_the_word_pace() -> None:
    assert step("- Tempo 10m 7:15-7:00 Pace /mi").target == step("- Tempo 10m 7:15-7:00/mi Pace").target


def test_a_pace_out_of_range_is_said_in_paces() -> None:
    with pytest.raises(WorkoutFormatError, match=r"'7:15-7:00 Pace' \(per 100m\) is 72:30/km: a pace must be at most "
                                                 r"60:00/km"):
        steps("- 10m 7:15-7:00 Pace", "pool_swim")
    with pytest.raises(WorkoutFormatError, match=r"'0:30/km Pace' is 0:30/km: a pace must be slower than 1:00/km"):
        steps("- 10m 0:30/km Pace")


@pytest.mark.parametrize(("header", "intensity"), [
    ("Échauffement", Intensity.WARMUP), ("Calentamiento", Intensity.WARMUP), ("Aufwärmen", Intensity.WARMUP),
    ("Rozcvička", Intensity.WARMUP), ("Retour au calme", Intensity.COOLDOWN),
    ("Vuelta a la calma", Intensity.COOLDOWN), ("Auslaufen", Intensity.COOLDOWN), ("Uitlopen", Intensity.COOLDOWN),
    ("Récupération", Intensity.RECOVERY), ("Einfahren", Intensity.WARMUP), ("Ausfahren", Intensity.COOLDOWN),
    ("Einschwimmen", Intensity.WARMUP), ("Ausschwimmen", Intensity.COOLDOWN),
    # letters NFKD cannot take apart (ø, ł) were dropped: "Nedkjøling" never read as a cool-down (probe icu15)
    ("Nedkjøling", Intensity.COOLDOWN), ("Nedkøling", Intensity.COOLDOWN), ("Schładzanie", Intensity.COOLDOWN),
    ("Varm-op", Intensity.WARMUP)])
def test_section_headers_in_other_languages_set_the_intensity(header: str, intensity: Intensity) -> None:
    workout = parse_text(f"name: w\nsport: running\n\n{header}\n- 10m Z1 HR\n\n- 20m Z2 HR\n")
    first, second = workout.flat_steps()
    assert (first.intensity, second.intensity) == (intensity, Intensity.ACTIVE)
    assert workout.description is None  # a header, not prose


@pytest.mark.parametrize("cue", ["Récup", "récupération trot", "Trabpause", "trote suave", "klusem", "herstel"])
def test_recovery_words_in_other_languages_mark_a_repeats_recovery(cue: str) -> None:
    workout = parse_text(f"name: w\nsport: running\n\n5x\n- 3m 95% Pace\n- 90s {cue} 70% Pace\n")
    [repeat] = workout.steps
    assert isinstance(repeat, Repeat)
    assert [s.intensity for s in repeat.steps] == [Intensity.INTERVAL, Intensity.RECOVERY]


def test_a_spaced_number_and_unit_beside_the_length_is_cue_text_with_a_warning() -> None:
    # a Czech generator spaces units on purpose so that intervals.icu reads them as text
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: w\nsport: running\n- zóna 4 tempo, 2 m klus mezi 5m Z4 HR\n- 10m Z2 HR 2 m\n",
                         warnings=warnings)
    first, second = workout.flat_steps()
    assert (first.name, first.duration) == ("zóna 4 tempo, 2 m klus mezi", TimeDuration(seconds=300))
    assert (second.name, second.duration) == ("2 m", TimeDuration(seconds=600))
    assert [w.problem for w in warnings] == ["'2 m' is read as text: the step's length is '5m'",
                                             "'2 m' is read as text: the step's length is '10m'"]
    assert parse_text(format_text(workout)) == workout


@pytest.mark.parametrize("line", ["- 10m 5m Z2 HR", "- 30s 30s", "- 5m 1h Z1 HR", "- 5m Z2 HR 5m"])
def test_two_time_lengths_that_are_not_one_compound_length_are_refused(line: str) -> None:
    with pytest.raises(WorkoutFormatError, match=r"already has a length .* \(expected one length per step\)"):
        parse_text(f"name: w\nsport: running\n{line}\n")


@pytest.mark.parametrize(("line", "seconds"), [("- 1h 30m Z2 HR", 5400), ("- 1h30 15s Z1 HR", 5415),
                                               ("- 5m 30s Z3 HR", 330)])
def test_hours_minutes_and_seconds_written_apart_are_one_length(line: str, seconds: float) -> None:
    [step] = parse_text(f"name: w\nsport: running\n{line}\n").flat_steps()
    assert step.duration == TimeDuration(seconds=seconds)


def test_an_about_length_is_the_length_or_the_planned_length_of_a_lap_button_step() -> None:
    lap, timed = parse_text("name: w\nsport: running\n- Easy ~5m press lap\n- ~10m Z2 HR\n").flat_steps()
    assert (lap.duration, lap.planned, lap.name) == (LapButton(), TimeDuration(seconds=300), "Easy")
    assert timed.duration == TimeDuration(seconds=600)


# probe-icu4: French validator texts ("- 10m ramp 65-50% 85rpm.") end a step line with a full stop
@pytest.mark.parametrize(("line", "target", "duration"), [
    ("- 10m 85rpm.", CadenceTarget(low=85, high=85), TimeDuration(seconds=600)),
    ("- 10m Z2 HR.", HeartRateZoneTarget(zone=2), TimeDuration(seconds=600)),
    ("- 10m 75%.", PowerPercentFtpTarget(low=75, high=75), TimeDuration(seconds=600)),
    ("- 2km.", OpenTarget(), DistanceDuration(meters=2000)),
    ("- 2km! 5:00/km Pace:", PaceTarget(fast=300, slow=300), DistanceDuration(meters=2000)),
])
def test_a_sentences_closing_punctuation_ends_a_token(line: str, target: object, duration: object) -> None:
    [step] = steps(line)
    assert isinstance(step, Step)
    assert (step.target, step.duration, step.name) == (target, duration, None)


def test_a_decimal_point_is_no_sentence_end() -> None:
    [step] = steps("- 10.5km Z2 HR. Relaxed.")
    assert isinstance(step, Step)
    assert (step.duration, step.target, step.name) == (DistanceDuration(meters=10500), HeartRateZoneTarget(zone=2),
                                                       "Relaxed.")


def test_a_section_title_then_a_blank_line_still_heads_its_steps_but_prose_does_not() -> None:
    workout = parse_text("Tempo Tuesday\n\nWarmup\n\n- 10m 50%\n\nCooldown\n\n- 10m 45%\n", sport=Sport.CYCLING)
    assert workout.name == "Tempo Tuesday"  # prose then a blank line: the name, not a section
    assert [step.intensity for step in workout.flat_steps()] == [Intensity.WARMUP, Intensity.COOLDOWN]


def test_a_text_of_bullets_has_no_steps_and_says_why() -> None:
    with pytest.raises(WorkoutFormatError, match=r"no steps \(lines starting with '\*' or '•' are text"):
        parse_text("Core\n• 3x12 Squat\n* 30s Plank\n", sport=Sport.STRENGTH)


def test_two_lengths_in_a_pool_say_that_a_bare_m_is_minutes() -> None:  # watt-mind/coach#168
    with pytest.raises(WorkoutFormatError, match=r"already has a length '100m' \(expected one length per step; "
                                                 r"'100m' is 100 minutes: 100mtr for metres\)"):
        steps("- 100m Interval 1 150s 50%", sport="pool_swim")


def test_a_misspelt_timed_exercise_is_warned_about_and_stays_text() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: s\nsport: strength\n- 45s Plnak\n- 30s rest\n- 45s Plank\n", warnings=warnings)
    misspelt, rest, plank = workout.flat_steps()
    assert (misspelt.exercise, misspelt.name) == (None, "Plnak")
    assert plank.exercise is not None and rest.exercise is None
    assert [(w.line, w.problem, w.expected) for w in warnings] == [
        (3, "'Plnak' is no exercise watchsync knows: the step has none, its text stays the cue", "'Plank'")]


def test_a_weight_on_a_timed_step_that_names_no_exercise_is_text_not_a_refusal() -> None:
    """probe icu15: a Danish plan generator's "- Thruster 12.5kg ×10 1m freeride" refused the whole file
    ("weight needs an exercise"); without the weight the line was kept. "Thruster" is the catalogue's
    "Thrusters" and "KB Swing" its kettlebell swing; words that are no exercise keep the weight as text."""
    warnings: list[WorkoutFormatError] = []
    text = ("name: s\nsport: strength\n3x\n- Thruster 12.5kg ×10 1m freeride\n- KB Swing 16kg ×15 1m freeride\n"
            "- Moonwalk lunge 20kg 1m\n")
    thruster, swing, sandbag = parse_text(text, warnings=warnings).flat_steps()[:3]
    assert (thruster.exercise, thruster.weight_kg) == (Exercise(category="SQUAT", name="THRUSTERS"), 12.5)
    assert (swing.exercise, swing.weight_kg) == (Exercise(category="HIP_RAISE", name="KETTLEBELL_SWING"), 16.0)
    assert (sandbag.exercise, sandbag.weight_kg, sandbag.name) == (None, None, "Moonwalk lunge 20kg")
    assert [(w.line, w.col, w.problem) for w in warnings] == [
        (6, 18, "weight '20kg' is read as text: the step names no exercise of Garmin's catalogue")]
    with pytest.raises(WorkoutFormatError, match="weight '20kg' needs an exercise"):
        parse_text("name: s\nsport: strength\n- 1m 20kg\n")


@pytest.mark.parametrize(("line", "target", "cue"), [
    ("- 90RPM 1m 90rpm", CadenceTarget(low=90, high=90), "90RPM"),  # intervals.icu forum t/1163 (Add Step dialog)
    ("- Tempo 85% 20m 85%", PowerPercentFtpTarget(low=85, high=85), "Tempo 85%"),
    ("- Z2 to Z3 HR Range 1m Z2-Z3 HR", PowerZoneTarget(zone=2), "to Z3 HR Range"),  # Z2 is power: another kind
])
def test_a_target_before_the_length_said_again_after_it_is_cue_text_with_a_warning(
        line: str, target: object, cue: str) -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text(f"name: t\nsport: cycling\n{line}\n", "t.txt", warnings=warnings)
    [read] = workout.steps
    assert isinstance(read, Step) and (read.target, read.name) == (target, cue)
    assert warnings and "before the length is read as text" in warnings[0].problem


@pytest.mark.parametrize(("line", "warned"), [
    ("- 10m Z1 LTHR", "'Z1' is a power zone: 'LTHR' after it is text"),  # intervals.icu forum t/4725
    ("- 10m 50-68-% LTHR", "'50-68-%' looks like a target but is not one"),  # same thread, a reply
    ("- 10m RPEE 2", "'RPEE' is read as text, and the step has no RPE"),  # a slip of RPE
    ("- 20x RPE 3 easy", "'20x' repeats a step that ends on the lap button 20 times"),  # a slip of 20m
])
def test_a_target_that_is_probably_not_what_was_meant_is_warned_about(line: str, warned: str) -> None:
    warnings: list[WorkoutFormatError] = []
    parse_text(f"name: t\nsport: running\n{line}\n", "t.txt", warnings=warnings)
    assert [w.problem for w in warnings if warned in w.problem]
    assert not [w for w in warnings if warned not in w.problem]


@pytest.mark.parametrize(("line", "target"), [
    ("- 10m Z2 HR)", HeartRateZoneTarget(zone=2)),  # a bracket ends a token: no power zone 2 and text 'HR)'
    ("- 10m 80% Pace)", PacePercentTarget(low=80, high=80)),
    ("- 10m **Z2 HR**", HeartRateZoneTarget(zone=2)),  # Markdown bold, which intervals.icu ignores
    ("- Warm up 20m Z1（含 3×1m 加速）", PowerZoneTarget(zone=1)),  # full-width brackets: a remark
])
def test_brackets_and_markdown_around_a_target_leave_it_what_it_is(line: str, target: object) -> None:
    assert step(line).target == target


def test_a_full_width_bracketed_target_is_a_remark_like_an_ascii_one() -> None:
    read = step("- 10m（Z2 HR）")
    assert (read.duration, read.target, read.name) == (TimeDuration(seconds=600), OpenTarget(), "(Z2 HR)")


@pytest.mark.parametrize("header", ["Main Set 4x:", "**Main Set 4x**", "Main Set (4x)", "Main Set – 4x"])
def test_a_repeat_count_with_a_colon_brackets_or_markdown_repeats(header: str) -> None:
    [block] = steps(f"{header}\n- 1m Z4 HR\n- 1m Z1 HR")
    assert isinstance(block, Repeat) and (block.count, block.name) == (4, "Main Set")


def test_a_cool_down_step_left_inside_a_repeat_block_is_warned_about() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\nMain set 5x\n- 3m Z4 HR\n- 2m Z1 HR\n- 10m cooldown Z1 HR\n",
                         "t.txt", warnings=warnings)
    [block] = workout.steps
    assert isinstance(block, Repeat) and len(block.steps) == 3  # read as written: intervals.icu repeats it too
    assert [w.problem for w in warnings] == ["a cooldown step inside the 5x block is repeated 5 times"]


def test_a_warm_down_header_is_a_cool_down() -> None:
    [only] = steps("Warm Down\n- 5m Z1 HR")
    assert isinstance(only, Step) and only.intensity is Intensity.COOLDOWN


def test_a_second_target_of_a_kind_after_words_is_text_and_one_right_after_the_first_is_refused() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: r\nsport: cycling\n- 15m 55% FTP con 2x30s 80% FTP\n", "r.txt", warnings=warnings)
    [read] = workout.steps  # a Spanish plan app's ride: 'with 2x30s at 80% FTP' is a remark
    assert isinstance(read, Step) and read.target == PowerPercentFtpTarget(low=55, high=55)
    assert read.name == "con 2x30s 80% FTP" and "is read as text" in warnings[0].problem
    with pytest.raises(WorkoutFormatError, match="already has a target '70%'"):
        steps("- 10m 70% 80%", "cycling")


@pytest.mark.parametrize(("line", "sport", "length", "name"), [
    ("- MAIN SET: fins 4x25 m side kick 50mtr 88-91% Pace", "pool_swim", DistanceDuration(meters=50),
     "MAIN SET: fins 4x25 m side kick"),  # a plan converter's "verified format" swim line
    ("- Broken 4x50 200mtr Z2 Pace", "pool_swim", DistanceDuration(meters=200), "Broken 4x50"),
    ("- Tempo 3x10 m 30m 85%", "running", TimeDuration(seconds=1800), "Tempo 3x10 m"),
    ("- 2x20 workout 20m 90%", "cycling", TimeDuration(seconds=1200), "2x20 workout"),
])
def test_sets_beside_the_steps_own_length_are_text_outside_strength(line: str, sport: str, length: object,
                                                                     name: str) -> None:
    warnings: list[WorkoutFormatError] = []
    pool = "pool: 25m\n" if sport == "pool_swim" else ""
    workout = parse_text(f"name: t\nsport: {sport}\n{pool}{line}\n", "t.txt", warnings=warnings)
    [read] = workout.steps
    assert isinstance(read, Step) and (read.duration, read.name) == (length, name)
    assert any("is read as text: the step's length is" in w.problem for w in warnings), warnings


def test_sets_without_a_length_or_an_exercise_outside_strength_are_refused_for_their_length() -> None:
    with pytest.raises(WorkoutFormatError, match="'2x20' is no length in a cycling workout"):
        steps("- 2x20 sweetspot 88-93%", "cycling")
    [core] = steps("- 3x10 Squat", "running")  # sets of a known exercise in a run: a core finisher
    assert isinstance(core, Repeat) and core.count == 3
    with pytest.raises(WorkoutFormatError, match="already has a length"):  # strength keeps its rule
        steps("- 3x12 Squat 30m", "strength")


def test_a_header_that_reads_as_a_step_is_warned_about() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: cycling\n4x\n- 3m 100%\n2m 50%\n\n- 10m 50%\n", "t.txt", warnings=warnings)
    block = workout.steps[0]
    assert isinstance(block, Repeat) and len(block.steps) == 1  # read as intervals.icu reads it: a header
    assert [(w.line, w.problem) for w in warnings] == [
        (5, "'2m 50%' reads as a section header, not a step (a step line starts with '- ')")]
    quiet: list[WorkoutFormatError] = []
    parse_text("name: t\nsport: cycling\nWarmup\n- 10m 50%\nMain set 4x\n- 3m 100%\n", "t.txt", warnings=quiet)
    assert quiet == []


@pytest.mark.parametrize(("line", "kind", "bpm"), [("- Pwr Z2 until HR above 184", "hr_above", 184),
                                                   ("- Z1 until HR below 120", "hr_below", 120),
                                                   ("- Z1 until HR<120", "hr_below", 120)])
def test_until_takes_words_for_its_direction(line: str, kind: str, bpm: int) -> None:
    read = step(line, "cycling")
    assert read.duration == HeartRateDuration(kind=kind, bpm=bpm)


def test_until_without_a_direction_says_what_is_missing() -> None:
    with pytest.raises(WorkoutFormatError, match="'until' needs a direction and a heart rate"):
        steps("- Pwr Z2 until HR 121", "cycling")


def test_a_cue_starting_with_warm_up_or_cool_down_words_sets_the_steps_intensity() -> None:
    read = steps("- Warm up 10m 47-75% LTHR\n- Calentamiento 30m Z1 HR\n- 20m Z2 HR\n- Vuelta a la calma 10m Z1 HR")
    assert steps("Entrada en calor\n- 10m Z1 HR")[0].intensity is Intensity.WARMUP  # Rioplatense Spanish
    assert [s.intensity for s in read if isinstance(s, Step)] == [
        Intensity.WARMUP, Intensity.WARMUP, Intensity.ACTIVE, Intensity.COOLDOWN]
    [block] = steps("4x\n- Cool down 1m Z1 HR")  # inside a repeat the repeat's rules hold
    assert isinstance(block, Repeat) and block.steps[0].intensity is Intensity.INTERVAL


def test_a_text_without_step_lines_is_told_so_before_any_empty_repeat() -> None:
    with pytest.raises(WorkoutFormatError, match="the workout has no steps") as caught:  # 80/20 Endurance's text
        steps("5:00 in Zone 1\n5 x 4:00 @ CV/2:00 in Zone 1\n5:00 in Zone 1")
    assert "repeat" not in caught.value.problem
    with pytest.raises(WorkoutFormatError, match="repeat '4x' has no steps"):  # with steps elsewhere: the repeat
        steps("- 10m Z1 HR\n4x\nCooldown\n- 5m Z1 HR")


def test_a_count_glued_to_a_bracket_is_text_not_a_repeat() -> None:
    read = step("- Over-unders 3x(2/1) 12m 95%", "cycling")  # intervals.icu: text before the length
    assert (read.duration, read.name) == (TimeDuration(seconds=720), "Over-unders 3x(2/1)")
    [block] = steps("- 3x 1m 95%", "cycling")  # the count with a space stays a one-step repeat
    assert isinstance(block, Repeat) and block.count == 3


def test_a_notes_paragraph_before_the_steps_names_the_workout_by_its_first_sentence_and_is_kept_whole() -> None:
    notes = ("Hill reps build strength and power that translates directly to the race's terrain. Outdoors: find "
             "a hill of 6-8%. Treadmill: set a fixed incline (5-6%) for the entire session, hard reps at 10-12 km/h.")
    workout = parse_text(f"{notes}\n\nsport: trail_running\nMain set 6x\n- Uphill 2m Z4 HR\n- Down 3m Z1 HR\n")
    assert workout.name == "Hill reps build strength and power that translates directly to the race's terrain"
    assert workout.description == notes  # nothing the coach wrote is lost
    prose = "word " * 40  # no sentence end within 100 characters: the first words and an ellipsis
    named = parse_text(f"{prose}\n\nsport: running\n- 10m Z2 HR\n")
    assert named.name.endswith("…") and len(named.name) <= 101 and named.description == prose.strip()
    assert parse_text("Easy run\n\nsport: running\n- 10m Z2 HR\n").name == "Easy run"  # a title stays the name


def test_a_blank_line_after_a_repeat_header_is_warned_about_once() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\nStrides 5x\n\n\n- Stride 20s 95% Pace\n- 40s Z1 HR\n", "t.txt",
                         warnings=warnings)
    [block] = workout.steps
    assert isinstance(block, Repeat) and block.count == 5  # watchsync's reading: the author's intent
    assert [w.line for w in warnings] == [4] and "intervals.icu is reported to run them once" in warnings[0].problem
    quiet: list[WorkoutFormatError] = []
    parse_text("name: t\nsport: running\nWarmup\n\n- 10m Z1 HR\n", "t.txt", warnings=quiet)
    assert quiet == []  # after a title: nothing differs


def test_a_target_without_its_percent_sign_is_text_with_a_warning() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\n- Warmup 2km 130-145 HR\n- 5m 88-92 LTHR\n- 10m 70-80% HR\n",
                         "t.txt", warnings=warnings)  # a C# generator writes every HR step the first way
    assert [isinstance(s, Step) and s.target == OpenTarget() for s in workout.steps] == [True, True, False]
    assert [(w.line, w.col, w.problem.split(" is not")[0], w.expected) for w in warnings] == [
        (3, 14, "'130-145 HR'", "130-145% HR or 130-145bpm"), (4, 6, "'88-92 LTHR'", "88-92% LTHR")]


def test_a_warm_up_or_cool_down_label_written_as_a_step_is_warned_about() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\n- Warmup\n- 10m Z2 HR\n- Cool down\n- Rest\n", "t.txt",
                         warnings=warnings)  # a JS plan formatter writes its labels so
    assert all(isinstance(s, Step) for s in workout.steps) and len(workout.steps) == 4  # read as written
    assert [(w.line, w.problem) for w in warnings] == [
        (3, "'- Warmup' has no length: a step that waits for the lap button"),
        (5, "'- Cool down' has no length: a step that waits for the lap button")]  # "- Rest": a rest until ready


@pytest.mark.parametrize(("line", "low", "high"), [("- 10m 10-11km/h", 10 / 3.6, 11 / 3.6),
                                                   ("- 5m 6 mph", 6 * 0.44704, 6 * 0.44704),
                                                   ("- 3m 12kph", 12 / 3.6, 12 / 3.6)])
def test_a_treadmill_speed_in_km_h_or_mph_is_a_speed_target(line: str, low: float, high: float) -> None:
    target = step(line, "treadmill").target
    assert isinstance(target, SpeedTarget)
    assert (target.low, target.high) == (pytest.approx(low), pytest.approx(high))


def test_a_yard_pool_is_written_and_shown_in_yards() -> None:
    from watchsync.describe import step_rows

    text = "name: y\nsport: pool_swim\npool: 25yd\n- Freestyle 400y Z3 Pace\n- 100mtr easy\n"
    workout = parse_text(text)
    written = format_text(workout)
    assert "- 400yd Z3 Pace Freestyle" in written and "100mtr" in written  # metres stay metres
    assert parse_text(written) == workout
    rows = step_rows(workout)
    assert [row.duration for row in rows] == ["400 yd", "100 m"]
    metric = parse_text(text.replace("25yd", "25m"))
    assert "365.76mtr" in format_text(metric)  # in a metre pool a yard length is its metres


def test_a_notes_line_holding_a_count_is_text_not_an_empty_repeat() -> None:
    warnings: list[WorkoutFormatError] = []  # a race-plan importer's swim: its prose summary, then the steps
    workout = parse_text("name: s\nsport: pool_swim\npool: 25yd\nWarm Up:\n1 x (300 FS with fins in Z1),\n"
                         "4 x (50 Drill in Z1 + 10 sec rests),\n\n- 300yd 1:50 Pace free with fins intensity=warmup\n",
                         "s.txt", warnings=warnings)
    [step] = workout.steps  # never repeated 4 times: the blank line ends a line of prose
    assert isinstance(step, Step) and step.duration == DistanceDuration(meters=300 * 0.9144)
    assert "4 x (50 Drill in Z1 + 10 sec rests)," in (workout.description or "")
    assert [w.line for w in warnings] == [5, 6] and all("kept as text" in w.problem for w in warnings)
    with pytest.raises(WorkoutFormatError, match="repeat '6x' has no steps"):  # a title with its count: an error
        steps("- 10m 50%\nMain set 6x\n\nCooldown\n- 10m 40%", "cycling")


def test_rpe_out_of_ten_and_ramp_as_the_first_word_of_a_cue() -> None:
    assert step("- 20m RPE 6/10 tempo", "cycling").target == RpeTarget(low=6, high=6)  # a French ride's text
    assert step("- 20m RPE 5-6/10", "cycling").target == RpeTarget(low=5, high=6)
    ramp_text = step("- Ramp warm-up 10m 50-75%", "cycling")
    assert (ramp_text.name, ramp_text.ramp) == ("Ramp warm-up", None)  # text before the length is the cue
    keyword = step("- 10m ramp 50-75%", "cycling")
    assert keyword.ramp == "up" and not keyword.name
    assert step("- ramp 10m 75-50%", "cycling").ramp == "down"  # right before its length: still the keyword


def test_a_pace_per_100_yards_is_read_in_a_yard_pool() -> None:
    read = parse_text("name: y\nsport: pool_swim\npool: 25yd\n- 100yd 1:40-1:50/100yd Pace\n").steps[0]
    assert isinstance(read, Step) and isinstance(read.target, PaceTarget)
    assert (read.target.per, read.target.fast) == ("100y", pytest.approx(100 * 1000 / 91.44))  # 1:40/100yd


def test_a_yard_pool_reads_a_bare_swim_pace_per_100_yards_and_warns_of_part_lengths() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: y\nsport: pool_swim\npool: 25yd\n- 300mtr 1:32 Pace\n- 100yd Z2 Pace\n", "y.txt",
                         warnings=warnings)  # a generator that writes yards as 'mtr' in a yard pool
    first = workout.steps[0]
    assert isinstance(first, Step) and isinstance(first.target, PaceTarget) and first.target.per == "100y"
    assert [(w.line, w.problem) for w in warnings] == [(4, "300 m is 13.12 lengths of the 25 yd pool")]
    metric: list[WorkoutFormatError] = []
    parse_text("name: m\nsport: pool_swim\npool: 25m\n- 110y easy\n- 100mtr 1:40 Pace\n", "m.txt", warnings=metric)
    assert [w.problem for w in metric] == ["110 yd is 4.02 lengths of the 25 m pool"]
    third: list[WorkoutFormatError] = []  # probe fitwkt6: "100 m is 3.00 lengths of the 33.33 m pool"
    parse_text("name: t\nsport: pool_swim\npool: 33.33m\n- 100mtr\n- 50mtr\n", "t.txt", warnings=third)
    assert [w.problem for w in third] == ["50 m is 1.50 lengths of the 33.33 m pool"]


def test_a_stroke_or_swim_equipment_outside_a_swim_is_refused_where_it_is_written() -> None:
    # probe fitwkt6: "- 10m stroke=free equipment=fins" in a run gave a running step a swim-stroke target
    with pytest.raises(WorkoutFormatError, match=r"x.txt:3:7: 'stroke=free' belongs to a swim, not a running step"):
        parse_text("name: x\nsport: running\n- 10m stroke=free\n", "x.txt")
    with pytest.raises(WorkoutFormatError, match=r"x.txt:3:11: 'equipment=paddles' belongs to a swim, not a cycling"):
        parse_text("name: x\nsport: cycling\n- 5m 200w equipment=paddles\n", "x.txt")
    swim = parse_text("name: x\nsport: pool_swim\n- 100mtr stroke=free equipment=fins\n", "x.txt")
    refused = r"a stroke or swim equipment belongs to a swim \(pool_swim, open_water_swim\), not to sport running"
    with pytest.raises(ValueError, match=refused):
        Workout(name="x", sport=Sport.RUNNING, steps=swim.steps)  # a TOML or an import: refused by the model


def test_a_bare_number_after_the_length_is_warned_about_as_a_target_without_its_unit() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: x\nsport: running\n- 3m 150\n- 10m 4 laps easy\n- 5m 140bpm\n", "x.txt",
                         warnings=warnings)
    first = workout.steps[0]
    assert isinstance(first, Step) and first.target == OpenTarget() and first.name == "150"  # read as written
    assert [(w.line, w.col, w.expected) for w in warnings] == [(3, 6, "a unit: 150bpm, 150W, 150% or 150rpm")]


@pytest.mark.parametrize("line", ["- 5m 120% MMP", "- 5m MMP 120%"])
def test_mmp_is_refused_on_either_side_of_its_percentage(line: str) -> None:
    with pytest.raises(WorkoutFormatError, match="MMP targets"):
        steps(line, "cycling")


def test_minutes_and_seconds_with_an_apostrophe_are_a_length() -> None:
    """``10'30`` (a French coach's 10 min 30 s; the quick guide writes ``1'30"``) times the step: it is
    never a step that waits for the lap button with ``10'30`` as its cue."""
    for text in ("- 10'30 60%", "- 10'30\" 60%", "- 10m30 60%"):
        [step] = parse_text(f"name: t\nsport: cycling\n{text}\n").steps
        assert step.duration == TimeDuration(seconds=630), text


@pytest.mark.parametrize(("line", "message", "hint"), [
    ("- 5k 60%", "'5k' is not a length", "5km (kilometres) or 5mtr"),
    ("- 1:30 60%", "'1:30' is neither a length nor a pace", "a length like 1m30s, or a pace with its unit like "
                                                             "1:30/km Pace"),
    ("- 1:00:00 60%", "'1:00:00' is neither a length nor a pace", "a length like 1h,"),
])
def test_a_length_written_as_a_race_or_a_clock_is_refused_with_what_to_write(line: str, message: str,
                                                                              hint: str) -> None:
    with pytest.raises(WorkoutFormatError) as caught:
        parse_text(f"name: t\nsport: running\n{line}\n", path="t.txt")
    assert message in str(caught.value) and hint in str(caught.value) and "t.txt:3:" in str(caught.value)


def test_a_pace_without_the_word_pace_is_read_and_warned_about() -> None:
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\n- 10m 6:00/km easy\n- 10m 5:00/km Pace\n", warnings=warnings)
    assert [type(step.target).__name__ for step in workout.steps] == ["PaceTarget", "PaceTarget"]
    assert [(w.line, "without 'Pace'" in str(w)) for w in warnings] == [(3, True)]


def test_a_count_glued_to_a_length_in_a_header_over_steps_is_said() -> None:
    warnings: list[WorkoutFormatError] = []
    text = "name: t\nsport: running\nPlan: 5x1km at threshold\n\nStrides 6x20s\n- 20s 110% Pace\n- 40s Z1 HR\n"
    workout = parse_text(text, warnings=warnings)
    assert len(workout.steps) == 2  # no repeat: as written
    assert [(w.line, w.col) for w in warnings if "in a header is no repeat" in str(w)] == [(5, 9)]
    assert "'6x' on its own" in str(warnings[0])


def test_a_repeat_whose_steps_lost_their_dashes_says_so() -> None:
    with pytest.raises(WorkoutFormatError) as caught:
        parse_text("name: t\nsport: cycling\n- 10m 45%\n4x\n10m 70%\n8m 84%\n", path="forum.txt")
    assert "forum.txt:4:1: repeat '4x' has no steps" in str(caught.value)
    assert "'- 10m 70%': the lines under it are steps without their '- '" in str(caught.value)


def test_a_pace_glued_to_at_and_wu_cd_cues_and_walking_are_read() -> None:
    workout = parse_text("name: t\nsport: walking\n-15m wu 55%\n- 2km @5:00/km Pace\n- ~5m @80% HR\n-10m cd 55%\n")
    assert workout.sport is Sport.OTHER
    warm, paced, about, cool = workout.steps
    assert (warm.intensity, cool.intensity) == (Intensity.WARMUP, Intensity.COOLDOWN)
    assert paced.target == PaceTarget(fast=300, slow=300)  # widened when resolved
    assert about.duration == TimeDuration(seconds=300) and isinstance(about.target, HeartRatePercentMaxTarget)


@pytest.mark.parametrize(("line", "said"), [("- 5m 70% HRmax", "'70%' is a power % of FTP: 'HRmax' after it"),
                                            ("- 10m HR Z2", "'HR Z2' is a power target"),
                                            ("- 10m Z1 LTHR", "'Z1' is a power zone: 'LTHR' after it")])
def test_a_heart_rate_word_on_the_wrong_side_of_a_power_target_is_said(line: str, said: str) -> None:
    warnings: list[WorkoutFormatError] = []
    [step] = parse_text(f"name: t\nsport: running\n{line}\n", warnings=warnings).steps
    assert isinstance(step.target, PowerPercentFtpTarget | PowerZoneTarget)  # as intervals.icu reads it
    assert any(said in str(warning) for warning in warnings), warnings


def test_a_markdown_heading_names_the_workout_and_a_footnote_after_the_steps_does_not(tmp_path: Path) -> None:
    from watchsync.formats.load import load_workout

    table = "## Great Workout\n| Step | Value |\n|----|----|\n| 1 | 100 |\n\n- Warmup 5m 100w\n- Main 10m 170w\n"
    assert parse_text(f"sport: cycling\n{table}").name == "Great Workout"
    footnote = tmp_path / "tempo-60.txt"
    footnote.write_text("sport: cycling\nWarmup\n- 10m 60%\n\nMain Set 4x\n- 4m 105%\n- 4m 50%\n\n"
                        "Total: 60 min, TSS ~65\n", encoding="utf-8")
    workout = load_workout(footnote)
    assert workout.name == "tempo-60" and workout.description == "Total: 60 min, TSS ~65"
    assert parse_text("sport: cycling\nTempo for Tuesday\n\n- 10m 60%\n").name == "Tempo for Tuesday"


def test_a_header_that_says_more_than_a_title_leads_its_first_steps_notes() -> None:
    text = ("name: t\nsport: running\nWarmup\n- 10m Z1 HR\n\nTest 30 min a tope - apretá LAP al minuto 10\n"
            "- 30m Z4 HR\n- 5m Z2 HR\n\nMain set 3x\n- 1m Z5 HR\n- 1m Z1 HR\n")
    warm, test, after, repeat = parse_text(text).steps
    assert warm.notes is None  # a title says nothing more than its intensity
    assert test.notes == "Test 30 min a tope - apretá LAP al minuto 10" and after.notes is None
    assert isinstance(repeat, Repeat) and repeat.name == "Main set" and repeat.steps[0].notes is None


def test_a_pool_line_after_the_steps_sets_the_pool_and_its_pace_unit() -> None:
    """icu11 #1: intervals.icu's guides put `pool length:` anywhere, often last; a yard pool's paces
    were read per 100 m (9 % fast) when the line came after the steps."""
    text = "Main set 4x\n- 100yd 1:30 Pace\n- 15s 0\n\nPool length: 25y\n"
    last = parse_text(text, name="t", sport=Sport.POOL_SWIM)
    first = parse_text("Pool length: 25y\n" + text.replace("\n\nPool length: 25y\n", "\n"), name="t",
                       sport=Sport.POOL_SWIM)
    assert (last.pool_length, last.pool_length_unit) == (25.0, "yd")
    assert last.steps == first.steps
    step = last.steps[0].steps[0]  # type: ignore[union-attr]
    assert step.target.per == "100y"


@pytest.mark.parametrize("header", ["*Main Set 5x*", "_Main Set 5x_", "<b>Main Set 5x</b>",
                                    '<p class="text-red">Main Set 5x</p>', "**Main Set 5x**"])
def test_a_repeat_header_in_markdown_or_html_formatting_still_repeats(header: str) -> None:
    [repeat] = parse_text(f"name: t\nsport: running\n{header}\n- 1m Z4 HR\n- 1m Z1 HR\n").steps
    assert isinstance(repeat, Repeat) and repeat.count == 5 and repeat.name == "Main Set"


def test_html_tags_leave_no_trace_in_a_steps_cue_and_underscores_in_names_stay() -> None:
    text = "name: t\nsport: strength\n- 3x10 SQUAT/GOBLET_SQUAT <i>slow down</i>\n- 1m <b>plank</b> hold\n"
    *squats, plank = parse_text(text).flat_steps()
    assert squats[0].exercise is not None and squats[0].exercise.name == "GOBLET_SQUAT"
    assert [squats[0].name, plank.name] == ["slow down", "plank hold"]


def test_a_range_on_a_freeride_step_stays_in_its_cue() -> None:
    warnings: list[WorkoutFormatError] = []
    ride, plain = parse_text("name: t\nsport: cycling\n- 30m freeride 75-85% 85-95rpm\n- 10m freeride\n",
                             warnings=warnings).steps
    assert ride.target == CadenceTarget(low=85, high=95) and ride.secondary is None
    assert ride.name == "freeride 75-85%" and isinstance(plain.target, OpenTarget)
    assert any("on a freeride step is kept as its cue" in str(w) for w in warnings)


def test_icus_target_smoothing_options_are_left_out_of_the_cue_and_said() -> None:
    warnings: list[WorkoutFormatError] = []
    steps = parse_text("name: t\nsport: cycling\n- 30s 120% power=3s\n- 8m 90% LTHR hr=1s\n- 10m 70% power=lap\n",
                       warnings=warnings).steps
    assert [step.name for step in steps] == [None, None, None]
    assert [type(step.target).__name__ for step in steps] == ["PowerPercentFtpTarget", "HeartRatePercentLthrTarget",
                                                             "PowerPercentFtpTarget"]
    assert sum("smoothing of the target" in str(w) for w in warnings) == 3


@pytest.mark.parametrize(("text", "said"), [
    ("Main set 4x\n• 10m 70%\n• 8m 84%\n", "repeat '4x' has no steps (expected '- 10m 70%': the lines under it"),
    ("1. 10m 70%\n2. 8m 84%\n", "the workout has no steps (expected step lines starting with '- ' (line 3 reads"
                                " as a step without it: '- 10m 70%'))"),
])
def test_steps_written_as_a_list_are_named_in_the_refusal(text: str, said: str) -> None:
    with pytest.raises(WorkoutFormatError) as caught:
        parse_text(f"name: t\nsport: cycling\n{text}", path="list.txt")
    assert said in str(caught.value)


def _warned(text: str, sport: str = "running") -> tuple[list[Step | Repeat], list[str]]:
    said: list[WorkoutFormatError] = []
    parsed = parse_text(f"name: t\nsport: {sport}\n{text}", warnings=said).steps
    return parsed, [warning.problem for warning in said]


# probe icu12 #1: a German coach's LLM-written bullet "- Bei Bedarf insgesamt 8,5km laufen" (code index id 68569527538)
@pytest.mark.parametrize(("line", "expected"), [
    ("- Bei Bedarf insgesamt 8,5km laufen", Step(duration=DistanceDuration(meters=8500),
                                                  name="Bei Bedarf insgesamt laufen")),
    ("- 1,5h Z2 HR", Step(duration=TimeDuration(seconds=5400), target=HeartRateZoneTarget(zone=2))),
    ("- 10m 62,5-70,5% LTHR", Step(duration=TimeDuration(seconds=600),
                                   target=HeartRatePercentLthrTarget(low=62.5, high=70.5))),
])
def test_a_decimal_comma_is_read_as_a_point_and_said(line: str, expected: Step) -> None:
    [read], said = _warned(line)
    assert read == expected
    assert said and all("(a decimal comma)" in problem for problem in said)


def test_a_thousands_separator_is_refused_with_the_whole_number() -> None:
    with pytest.raises(WorkoutFormatError) as error:
        steps("- 1,500mtr easy", "pool_swim")
    assert error.value.expected == "1500mtr (no thousands separator)"  # not "500mtr"


# probe icu12 #2: "- 6km Z1 HR; if fresh extend to 8km" (the same source): intervals.icu takes the line
@pytest.mark.parametrize(("line", "length", "cue"), [
    ("- 6km Z1 HR; if fresh extend to 8km", DistanceDuration(meters=6000), "if fresh extend to 8km"),
    ("- 45m Z2 HR, about 8km", TimeDuration(seconds=2700), "about 8km"),
])
def test_a_second_length_after_words_is_a_remark_said_as_such(line: str, length: object, cue: str) -> None:
    [read], said = _warned(line)
    assert isinstance(read, Step) and (read.duration, read.name) == (length, cue)
    assert said == [f"'8km' after the words following the step's length '{line.split()[1]}' is read as text"]
    with pytest.raises(WorkoutFormatError, match="already has a length"):
        steps("- 6km 8km Z1 HR")  # two lengths with nothing between them stay an error


# probe icu12 #3: "- Squats 3x8, pause 60s" (the same source, a strength description it validates)
@pytest.mark.parametrize("line", ["- Squats 3x8, pause 60s", "- Squats 3x8 Pause 60s", "- Squats 3x8 descanso 60s",
                                  "- Squats 3x8 récup 60s", "- Squats 3x8 (rest 60s)", "- Squats 3x8 (60s Pause)"])
def test_the_rest_between_sets_in_other_words_and_in_brackets(line: str) -> None:
    [sets], said = _warned(line, "strength")
    assert isinstance(sets, Repeat) and sets.count == 3 and sets.skip_last_rest
    squat, rest = sets.steps
    assert isinstance(squat, Step) and isinstance(rest, Step)
    assert (squat.name, rest.intensity, rest.duration) == ("Squats", Intensity.REST, TimeDuration(seconds=60))
    assert said == []


# probe icu12 (debatable readings made visible): counts intervals.icu does not read, targets neither syntax has
@pytest.mark.parametrize(("header", "said"), [("Main Set x3", "'x3'"), ("Repeat 3 times", "'3 times'"),
                                              ("Hill reps 3 sets", "'3 sets'"),
                                              ("Circuito (3 Rondas)", "'3 Rondas'"),  # probe icu17
                                              ("Core (3 rounds)", "'3 rounds'"),
                                              ("Strides (4 reps)", "'4 reps'")])  # probe review17
def test_a_count_written_otherwise_in_a_header_is_said_not_repeated(header: str, said: str) -> None:
    read, problems = _warned(f"{header}\n- 1m 100%\n- 1m 50%\n", "cycling")
    assert [type(block) for block in read] == [Step, Step]  # run once, as intervals.icu runs them
    assert problems == [f"{said} in a header is no repeat count: the steps under it run once"]


@pytest.mark.parametrize("token", ["Z5+", "<150bpm", ">250w", "160bpm+"])
def test_a_target_neither_syntax_has_is_text_and_said(token: str) -> None:
    [read], problems = _warned(f"- 10m {token}")
    assert isinstance(read, Step) and read.target == OpenTarget() and read.name == token
    assert problems == [f"'{token}' looks like a target but is not one: it is read as text"]


@pytest.mark.parametrize(("line", "sport", "said"), [
    # probe icu15: a Danish plan generator writes its zone 1 as ">5:35/km" (slower than 5:35/km)
    ("- Varm-op 10m >5:35/km Pace", "running",
     "'>5:35/km' looks like a pace target but is not one (a watch has no bound): it is read as text"),
    ("- 400mtr <1:50/100m Pace", "pool_swim",
     "'<1:50/100m' looks like a pace target but is not one (a watch has no bound): it is read as text"),
    ("- 10m > 5:35/km Pace", "running",  # spaced, the pace is a band around 5:35: the opposite of a bound
     "'>' is read as text: the target after it is a band around its value, not a bound"),
])
def test_a_bound_on_a_pace_is_said_not_dropped_without_a_word(line: str, sport: str, said: str) -> None:
    [read], problems = _warned(line, sport)
    assert isinstance(read, Step) and problems == [said]


def test_targets_only_in_a_bracketed_remark_are_said_and_a_swims_power_target_too() -> None:
    # probe icu15: a Spanish swim library's "- 400mtr (1° 72%, 2° 75%, 3° 78% Pace)" lost every target
    # without a word; a triathlon coach's "- 300mtr Z1" is a power zone in a swim, as intervals.icu reads it
    [read], problems = _warned("- 400mtr (1° 72%, 2° 75%, 3° 78% Pace)", "pool_swim")
    assert isinstance(read, Step) and read.target == OpenTarget()
    assert problems == ["'(1° 72%, 2° 75%, 3° 78% Pace)' is a remark in brackets, read as text: the step has no target"]
    [read], problems = _warned("- 10m Z2 HR (112-132 bpm)", "running")
    assert problems == []  # a target outside the brackets: the remark only repeats it
    [read], problems = _warned("- 20m (conversational pace)", "running")
    assert problems == []  # probe review13: a word alone in brackets is a cue, not a target
    [read], problems = _warned("- 1m Thrusters 12.5kg", "running")  # exercises are looked up in gym sports only
    assert problems == ["weight '12.5kg' is read as text: a running step has no exercise"]
    [read], problems = _warned("- 300mtr Z1", "pool_swim")
    assert isinstance(read, Step) and read.target == PowerZoneTarget(zone=1)
    assert problems == ["'Z1' is a power target, as in intervals.icu (a bare zone or % is power in every sport): "
                        "a swimmer has no power meter"]


def test_a_markdown_tables_rule_is_ignored_and_half_a_mile_is_shown_in_miles() -> None:
    from watchsync.describe import describe_duration

    [read], problems = _warned("|---|:---:|\n- 0.5mi 50%", "cycling")
    assert isinstance(read, Step) and read.name is None and problems == []
    assert describe_duration(read.duration) == "0.5 mi"


# probe icu13: rowing, strength circuits, climbs, treadmill incline, swim send-offs, long runs
def test_a_pace_without_a_unit_in_a_rowing_workout_is_per_500_m() -> None:
    row = step("- 10m 2:05 Pace", "rowing")  # rowing reads as cardio; 2:05/km would be twice a world record
    assert row.target == PaceTarget(fast=250, slow=250, per="500m")
    assert Athlete(name="a", pace_units={"other": "km"}).pace_unit("cardio") == "km"  # the athlete's setting wins
    assert Athlete(name="a").pace_unit("cardio") == "500m"
    from watchsync.describe import step_rows  # probe icu15: show gave a rower 4:05/km-4:15/km
    rows = step_rows(parse_text("name: r\nsport: rowing\n- 2000mtr 1:58-2:02 Pace\n"))
    assert rows[0].target == "1:58/500m-2:02/500m"


@pytest.mark.parametrize(("line", "reps", "name"), [("- 12 Air squats", 12, "Air squats"),
                                                    ("- 10x Push ups", 10, "Push ups")])
def test_a_count_before_an_exercise_is_its_reps_in_strength(line: str, reps: int, name: str) -> None:
    [read], said = _warned(line, "strength")
    assert isinstance(read, Step) and read.duration == RepsDuration(reps=reps) and read.name == name
    assert read.exercise is not None
    assert said == [f"'{line.split()[1]}' before {name!r} is read as {reps} reps"]


def test_a_count_before_words_that_name_no_exercise_is_refused_as_before() -> None:
    with pytest.raises(WorkoutFormatError, match="'5 rounds' is not a length"):
        steps("- 5 rounds of fun", "cardio")


def test_a_climb_after_the_length_is_text_and_its_minutes_are_not_said() -> None:
    [read], said = _warned("- 1h30m Z2 HR 1000m D+", "trail_running")
    assert isinstance(read, Step) and read.duration == TimeDuration(seconds=5400) and read.name == "1000m D+"
    assert said == ["'1000m D+' is read as text: a climb, not the step's length"]  # not "'1000m' is 16h40m"
    assert step("- 10m climb").duration == TimeDuration(seconds=600)  # a length of its own stays the length


def test_a_treadmill_incline_is_no_power_target() -> None:
    [read], said = _warned("- 5m 6% incline 5:30/km Pace", "treadmill")
    assert isinstance(read, Step) and isinstance(read.target, PaceTarget) and read.secondary is None
    assert read.name == "6% incline"
    assert said == ["'6% incline' is read as text: a treadmill's incline is no watch target (intervals.icu reads "
                    "'6%' as power)"]


@pytest.mark.parametrize("line", ["- 100mtr @1:45", "- 100mtr on 1:45"])
def test_a_swim_send_off_is_text_and_said(line: str) -> None:
    [read], said = _warned(line, "pool_swim")
    assert isinstance(read, Step) and read.duration == DistanceDuration(meters=100)
    assert len(said) == 1 and "(a send-off) is read as text" in said[0]


@pytest.mark.parametrize(("minutes", "said"), [(168, False), (180, False), (150, True), (400, True), (420, True)])
def test_a_long_run_in_minutes_is_not_taken_for_metres(minutes: int, said: bool) -> None:
    [read], problems = _warned(f"- {minutes}m Z1 HR", "trail_running")
    assert isinstance(read, Step) and read.duration == TimeDuration(seconds=minutes * 60)
    assert bool(problems) is said  # a round distance (a multiple of 50) or more than 6 hours is asked about


@pytest.mark.parametrize(("line", "target", "col"), [
    ("- 30m 68% HR Z2 Aerobic Base", HeartRatePercentMaxTarget(low=68, high=68), 14),  # an Italian generator
    ("- 2km Z3 HR Finale Progressione Z3", HeartRateZoneTarget(zone=3), 33),
    ("- 10m 5:00/km Pace Z1-Z2", PaceTarget(fast=300, slow=300), 20),
])
def test_a_bare_zone_after_a_heart_rate_or_pace_target_is_a_label_not_a_power_target(
        line: str, target: object, col: int) -> None:
    warnings: list[WorkoutFormatError] = []
    [only] = parse_text(f"name: t\nsport: running\n{line}\n", warnings=warnings).steps
    assert isinstance(only, Step)
    assert (only.target, only.secondary) == (target, None)  # no power alert on a runner's watch (probe icu16)
    assert only.name is not None and line.split()[-1] in only.name.split()
    [warning] = warnings
    assert (warning.line, warning.col) == (3, col) and "read as text" in warning.problem


def test_a_zone_written_as_power_after_a_heart_rate_target_stays_the_second_target() -> None:
    both = step("- 10m Z2 HR Z3 Power")
    assert (both.target, both.secondary) == (HeartRateZoneTarget(zone=2), PowerZoneTarget(zone=3))


@pytest.mark.parametrize(("line", "target", "secondary"), [
    ("- 10m 5:00 min/km", PaceTarget(fast=300, slow=300), None),
    ("- 1km Z1 HR 5:50-6:10 min/km Riscaldamento (<145 bpm)", HeartRateZoneTarget(zone=1),  # an Italian generator
     PaceTarget(fast=350, slow=370)),
    ("- 2km Z3 HR 5:00-5:10min/km", HeartRateZoneTarget(zone=3), PaceTarget(fast=300, slow=310)),
])
def test_a_pace_in_minutes_per_km_is_a_pace_target(line: str, target: object, secondary: object) -> None:
    # "5:50-6:10 min/km" is a pace as plainly as 5:50-6:10/km: a real generator writes it on half its runs,
    # which were refused whole (probe icu16)
    warnings: list[WorkoutFormatError] = []
    [only] = parse_text(f"name: t\nsport: running\n{line}\n", warnings=warnings).steps
    assert isinstance(only, Step) and (only.target, only.secondary) == (target, secondary)
    [warning] = warnings
    assert "without 'Pace'" in warning.problem and warning.expected is not None and " min" not in warning.expected


def test_the_word_pace_without_a_value_is_said_to_give_no_target() -> None:
    warnings: list[WorkoutFormatError] = []
    text = "name: t\nsport: running\nStrides 6x\n- 20s Fast Pace\n- 60s Z1 Pace\n- 10m easy pace\n"
    workout = parse_text(text, warnings=warnings)
    strides = workout.steps[0]
    assert isinstance(strides, Repeat) and isinstance(strides.steps[0], Step)
    assert strides.steps[0].target == OpenTarget()  # as written: no value, no target (probe icu16)
    assert [(w.line, w.col, "'Pace' without a value" in w.problem) for w in warnings] == [(4, 12, True)]


def test_a_wrapped_opening_sentence_names_the_workout_whole() -> None:
    text = ("Aerobic base run with strides to finish. Keep effort conversational throughout the\n"
            "main block. The strides are short.\n\nsport: running\n- 10m Z2 HR\n")
    workout = parse_text(text)
    assert workout.name == "Aerobic base run with strides to finish"  # the first sentence, not the first line
    assert workout.description is not None and "throughout the main block." in workout.description
    titled = parse_text("Easy run\nKeep it easy.\n\nsport: running\n- 10m Z2 HR\n")
    assert (titled.name, titled.description) == ("Easy run", "Keep it easy.")  # a title over a line of notes


@pytest.mark.parametrize("line", ["- 10m 5:50 min/km - 6:10 min/km", "- 10m 5:50 min/km-6:10 min/km",
                                  "- 10m 5:50-6:10 min/km"])
def test_a_pace_range_in_minutes_per_km_keeps_both_ends(line: str) -> None:
    # "5:50 min/km - 6:10 min/km" kept the fast end only, and glued was refused (probe review14)
    [only] = parse_text(f"name: t\nsport: running\n{line}\n").steps
    assert isinstance(only, Step) and only.target == PaceTarget(fast=350, slow=370)


def test_a_title_over_a_lower_case_note_stays_the_title() -> None:
    workout = parse_text("Tempo Tuesday\nwarm up well, then hold threshold.\n\nsport: running\n- 10m Z2 HR\n")
    assert (workout.name, workout.description) == ("Tempo Tuesday", "warm up well, then hold threshold.")


@pytest.mark.parametrize("line", ["- 30s 85% effort", "- 10m 90-95% effort uphill", "- 5m 80% esfuerzo"])
def test_a_share_of_effort_is_text_not_power(line: str) -> None:
    # "85% effort" gave a runner 186-205 W and an XC skier 207-218 W without a word (probe icu17)
    warnings: list[WorkoutFormatError] = []
    [only] = parse_text(f"name: t\nsport: running\n{line}\n", warnings=warnings).steps
    assert isinstance(only, Step) and only.target == OpenTarget()
    assert only.name is not None and "%" in only.name
    [warning] = warnings
    assert "a share of effort is a feeling" in warning.problem
    assert step("- 10m 85% power").target == PowerPercentFtpTarget(low=85, high=85)
    assert step("- 10m 90% intensity", "cycling").target == PowerPercentFtpTarget(low=90, high=90)
    assert step("- 8m 85% intensity").target == OpenTarget()  # a run's felt intensity (probe review16)


def test_a_times_sign_counts_as_an_x_and_hours_of_repeated_minutes_are_said() -> None:
    # "4 × 60 m acceleration runs": the count was dropped, and 4 x 60 m is four hours (probe icu17)
    warnings: list[WorkoutFormatError] = []
    text = "name: t\nsport: running\n- 4 × 60 m acceleration runs\n- 2 x 20 m Z3 HR\n"
    times, tempo = parse_text(text, warnings=warnings).steps
    assert isinstance(times, Repeat) and times.count == 4
    assert times.steps[0].duration == TimeDuration(seconds=3600)  # as intervals.icu reads 'm'
    assert isinstance(tempo, Repeat) and tempo.count == 2
    assert [(w.line, "4 times 60 minutes (4h00m in all)" in w.problem, w.expected) for w in warnings] == [
        (3, True, "60mtr for metres")]  # two 20-minute blocks are a tempo run: nothing said
    [sets] = steps("- 3×12 Squat", "strength")
    assert isinstance(sets, Repeat) and sets.count == 3 and sets.steps[0].duration == RepsDuration(reps=12)


@pytest.mark.parametrize(("line", "said"), [
    ("- 2m 4 easy jog", "RPE 4"), ("- 3m 150 easy", "a unit: 150bpm, 150W, 150% or 150rpm"),
    ("- 3m 150", "a unit: 150bpm, 150W, 150% or 150rpm"), ("- 10m 4 laps", None), ("- 5m 2 x hills", None),
    ("- 6m 4 fast strides", None), ("- 10m 3 hard hill sprints", None), ("- 30m 4 run 1 walk", None),
    ("- 20m 60 run 30 walk", None), ("- 10m 4 easy strides", None),  # counts and ratios (probe review15)
    ("- 5m 165 hard", "a unit: 165bpm, 165W, 165% or 165rpm"), ("- 5m 165 tempo", "a unit: 165bpm, 165W, 165% or "
                                                                 "165rpm"),
    ("- 3m 8 hard", "RPE 8"), ("- 10m 250 hard effort", "a unit: 250bpm, 250W, 250% or 250rpm"),  # review17
    ("- 5m 30 push up", None), ("- 2m 100 skip", None), ("- 10m 1 slow lap", None),  # counts (review18)
])
def test_a_bare_number_after_the_length_is_said_when_it_looks_like_a_target(line: str, said: str | None) -> None:
    # "- 2m 4 easy jog" and "- 3m 150 easy" passed in silence, open steps (probe coach11)
    warnings: list[WorkoutFormatError] = []
    parse_text(f"name: t\nsport: running\n{line}\n", warnings=warnings)
    assert [w.expected for w in warnings] == ([said] if said else [])


def test_a_spaced_length_read_as_text_is_said_once_as_text() -> None:
    # "'1000 m' is 16h40m" beside "'1000 m' is read as text": the first was not what happened (probe coach11)
    warnings: list[WorkoutFormatError] = []
    parse_text("name: t\nsport: ski_mountaineering\n- 80m RPE 3-4 skin up 1000 m, conversational\n",
               warnings=warnings)
    assert [w.problem for w in warnings] == ["'1000 m' is read as text: the step's length is '80m'"]


@pytest.mark.parametrize(("line", "count", "reps"), [
    ("- Bench Press: 4 sets × 8 reps", 4, 8), ("- 3 sets of 10 Squat", 3, 10), ("- Squat 5 sets x 5", 5, 5),
])
def test_sets_written_out_are_sets(line: str, count: int, reps: int) -> None:
    # "4 sets × 8 reps" ran one set; "3 sets of 10" was refused (probe icu17)
    [sets] = steps(line, "strength")
    assert isinstance(sets, Repeat) and sets.count == count
    [work] = sets.steps
    assert isinstance(work, Step) and work.duration == RepsDuration(reps=reps) and work.exercise is not None


@pytest.mark.parametrize(("line", "count", "seconds"), [
    ("- 3 sets of 45s Plank", 3, 45), ("- 2 sets x 1 min Side plank", 2, 60), ("- 3 sets of 30 sec Wall sit", 3, 30),
])
def test_sets_of_a_timed_hold_are_sets(line: str, count: int, seconds: int) -> None:
    # "3 sets of 45s Plank" ran one 45-second plank, its sets kept as text (probe coach12)
    [sets] = steps(line, "strength")
    assert isinstance(sets, Repeat) and sets.count == count
    [work] = sets.steps
    assert isinstance(work, Step) and work.duration == TimeDuration(seconds=seconds)
    assert "sets" not in (work.name or "")


@pytest.mark.parametrize(("line", "sport", "said"), [
    ("- 4x 60m strides", "running", "'4x 60m' is 4 times 60 minutes (4h00m in all)"),
    ("- 4 x 25 m free", "pool_swim", "'4 x 25 m' is 4 times 25 minutes (1h40m in all)"),
])
def test_repeated_bare_minutes_are_said_glued_and_in_a_swim(line: str, sport: str, said: str) -> None:
    # "4x 60m" (four hours) and a swim's "4 x 25 m" (100 minutes) went unsaid (probe review15)
    warnings: list[WorkoutFormatError] = []
    parse_text(f"name: t\nsport: {sport}\n{line}\n", warnings=warnings)
    assert any(said in w.problem for w in warnings), [w.problem for w in warnings]


@pytest.mark.parametrize(("text", "said"), [("- OFF", True), ("- Rest day", True), ("- 10m Rest day", False),
                                            ("- Rest\n- 10m Z2 HR", False)])
def test_a_day_off_written_as_a_workout_is_said(text: str, said: bool) -> None:
    # an AI coach library's "- OFF" compiled to a one-step lap-button workout, and plan lint then found no
    # rest day in a week of four (probe icu18)
    warnings: list[WorkoutFormatError] = []
    parse_text(f"name: Off Day\nsport: running\n{text}\n", warnings=warnings)
    assert any("a day off as a workout" in w.problem for w in warnings) is said


def test_a_heading_between_dashes_is_a_header_not_a_lap_button_step() -> None:
    # a Dutch generator ends every run with "--- Coaching (Delahaije) ---" over its notes: a step that waited
    # for the lap button after the cool-down, unsaid (probe icu19)
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: running\n- 10m Z1 HR\n- 20m Z2 HR\n\n--- Coaching (Delahaije) ---\n"
                         "Gevoel is leidend.\n", warnings=warnings)
    assert [s.duration for s in workout.flat_steps()] == [TimeDuration(seconds=600), TimeDuration(seconds=1200)]
    assert workout.description is not None and "Coaching (Delahaije)" in workout.description
    assert warnings == []


def test_markdown_section_titles_are_sections_not_the_workouts_name(tmp_path: Path) -> None:
    # "## Warmup" named the workout "Warmup" and its steps were not warm-up steps (probe icu19)
    from watchsync.formats.load import load_workout

    (tmp_path / "easy.txt").write_text("sport: running\n## Warmup\n- 10m Z1 HR\n## Main set\n- 20m Z2 HR\n"
                                       "## Cool Down\n- 5m Z1 HR\n")
    workout = load_workout(tmp_path / "easy.txt")
    assert workout.name == "easy"
    assert [s.intensity for s in workout.flat_steps()] == [Intensity.WARMUP, Intensity.ACTIVE, Intensity.COOLDOWN]
    (tmp_path / "x.txt").write_text("sport: running\n## Great Workout\n- 10m Z1 HR\n")
    assert load_workout(tmp_path / "x.txt").name == "Great Workout"
    # a first "# Recovery" titles the workout; "## Main set 3x" repeats its steps (probe review18)
    (tmp_path / "r.txt").write_text("# Recovery\nsport: running\n- 30m RPE 3\n## Main set 3x\n- 3m RPE 7\n"
                                    "- 2m RPE 2\n")
    recovery = load_workout(tmp_path / "r.txt")
    assert recovery.name == "Recovery" and recovery.flat_steps()[0].intensity is Intensity.ACTIVE
    assert isinstance(recovery.steps[1], Repeat) and recovery.steps[1].count == 3


def test_a_repeat_inside_a_repeat_block_says_the_text_cannot_nest_it() -> None:
    # the hint said "'10x' without the dash, on a line before them", which ends the outer block (probe icu19)
    warnings: list[WorkoutFormatError] = []
    workout = parse_text("name: t\nsport: cycling\n2x\n- 10x\n- 30s 120%\n- 30s 50%\n- 5m 50%\n", warnings=warnings)
    [said] = [w for w in warnings if "repeats nothing" in w.problem]
    assert "a repeat inside a repeat block is not possible" in said.problem
    assert said.expected is not None and "10 rounds written out" in said.expected
    assert "without the dash" not in said.expected
    [block] = workout.steps
    assert isinstance(block, Repeat) and block.count == 2 and len(block.steps) == 3


def test_a_cadence_in_brackets_is_said_to_be_text() -> None:
    # "- 25m 55% FTP (95 rpm)": no cadence target, unsaid (probe icu19)
    warnings: list[WorkoutFormatError] = []
    parse_text("name: t\nsport: cycling\n- 25m 55% FTP (95 rpm)\n- 10m 60% 95rpm\n- 5m 50% (cadencia alta)\n",
               warnings=warnings)
    assert [(w.line, w.problem) for w in warnings] == [
        (3, "'(95 rpm)' is a remark in brackets, read as text: the watch gets no cadence target")]
