"""Issue 12, point by point: the local server behaves as Garmin does, and the adapter survives it.

Everything goes through the real garminconnect code path over HTTP (docs/garmin.md has the sources).
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from watchsync.formats.connect_json import find_marker, workout_to_connect
from watchsync.formats.connect_json_read import compare_connect
from watchsync.formats.text import parse_text
from watchsync.garmin.client import MFA_EXPIRED, NO_TOKENS, GarminClient
from watchsync.garmin.errors import AuthRequired, RateLimited, Rejected, Transient, Unreachable
from watchsync.garmin.readback import compare_executed, garmin_name
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Exercise, Repeat, RepeatUntil, RepsDuration, Sport, Step, Workout
from watchsync.store import Store
from watchsync.testing.garmin.helpers import fake_token_dir
from watchsync.testing.garmin.server import Account, Fault, LocalGarminServer
from watchsync.testing.garmin.state import ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "connect"
GARMIN_ANSWERS = ["kaiord_WorkoutRunningNestedRepeatsOutput.json", "kaiord_WorkoutSwimmingAllStrokesOutput.json",
                  "cyberjunky_sample_workout.json"]
ANNA = Athlete(name="anna", max_hr=188, resting_hr=48, lthr=171, threshold_pace="4:30/km", ftp=230)
EMAIL, PASSWORD, MFA_CODE = "runner@example.com", "local-password", "402917"
NAMED_REPEAT = "name: Hills\nsport: running\n- 10m RPE 3\nMain set 4x\n- 2m RPE 8\n- 2m RPE 2\n- 10m RPE 3\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.sqlite3") as opened:
        yield opened


def service_for(store: Store, server: LocalGarminServer, token_dir: Path, athlete: Athlete = ANNA) -> SyncService:
    client = GarminClient(token_dir, server.url, max_retries=1, sleep=lambda _s: None)
    return SyncService(store, lambda: client, athlete, now=lambda: datetime(2030, 3, 4, tzinfo=UTC))


def document(name: str) -> dict[str, Any]:
    path = FIXTURES / name
    if not path.is_file():  # the shared fixtures live beside the checkout, not in it
        pytest.skip(f"Garmin Connect fixture {path} not found (clone shared/ beside the repo)")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def key_sets(workout: dict[str, Any]) -> list[tuple[str, frozenset[str]]]:
    """The field names of every object of a workout, in walk order."""
    found = [("workout", frozenset(workout))]

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            found.append((step["type"], frozenset(step)))
            walk(step.get("workoutSteps") or [])
    for segment in workout["workoutSegments"]:
        found.append(("segment", frozenset(segment)))
        walk(segment["workoutSteps"])
    return found


# 1 and 8: what Garmin keeps, and what it accepts ---------------------------------------------------

@pytest.mark.parametrize("name", GARMIN_ANSWERS)
def test_garmins_own_documents_are_stored_with_exactly_garmins_fields(garmin_client: GarminClient,
                                                                       name: str) -> None:
    sent = document(name)
    stored = garmin_client.get_workout(int(garmin_client.create_workout(copy.deepcopy(sent))["workoutId"]))
    expected = key_sets(sent)
    if name.startswith("cyberjunky"):  # a 2018 answer: Garmin has added fields since; compare what it had
        assert all(theirs <= ours for (_, theirs), (_, ours) in zip(expected, key_sets(stored), strict=True))
    else:
        assert key_sets(stored) == expected
    assert compare_executed(sent, stored).semantic == []


def test_swimming_is_display_order_3_with_pool_length_and_strokes(garmin_client: GarminClient) -> None:
    sent = document("kaiord_WorkoutSwimmingAllStrokesOutput.json")
    sent["sportType"]["displayOrder"] = 4  # what watchsync used to send
    stored = garmin_client.get_workout(int(garmin_client.create_workout(sent)["workoutId"]))
    assert stored["sportType"] == {"sportTypeId": 4, "sportTypeKey": "swimming", "displayOrder": 3}
    assert (stored["poolLength"], stored["poolLengthUnit"]["unitKey"]) == (25.0, "meter")
    strokes = [s["strokeType"]["strokeTypeKey"] for s in stored["workoutSegments"][0]["workoutSteps"][:5]]
    sent_strokes = [s["strokeType"]["strokeTypeKey"] for s in sent["workoutSegments"][0]["workoutSteps"][:5]]
    assert strokes == sent_strokes and {"fly", "backstroke", "breaststroke"} <= set(strokes)
    sent["poolLength"] = 50.0
    difference = compare_executed(sent, stored)
    assert difference.semantic == ["workout: pool length (50.0, 'meter') sent, (25.0, 'meter') stored"]


def _numbering(steps: list[dict[str, Any]]) -> list[Any]:
    return [(s["stepOrder"], s["childStepId"], _numbering(s["workoutSteps"]) if "workoutSteps" in s else None)
            for s in steps]


def _restart_orders(steps: list[dict[str, Any]]) -> None:
    """Step orders as kaiord's client sends them (restarting in each repeat, no childStepId)."""
    for order, step in enumerate(steps, start=1):
        step["stepOrder"], step["childStepId"] = order, None
        _restart_orders(step.get("workoutSteps", []))


def test_garmins_no_pool_shape_is_accepted_and_a_segment_keeps_no_pool(garmin_client: GarminClient) -> None:
    run = document("kaiord_WorkoutRunningNestedRepeatsOutput.json")  # as Garmin's list items give a ride
    run["poolLength"], run["poolLengthUnit"] = 0.0, {"unitId": None, "unitKey": None, "factor": None}
    stored = garmin_client.get_workout(int(garmin_client.create_workout(run)["workoutId"]))
    assert (stored["poolLength"], stored["poolLengthUnit"]) == (None, None)  # as Garmin's detail answer
    swim = document("kaiord_WorkoutSwimmingAllStrokesOutput.json")
    swim["workoutSegments"][0]["poolLength"] = 25
    swim["workoutSegments"][0]["poolLengthUnit"] = {"unitId": 1, "unitKey": "meter", "factor": 100}
    stored = garmin_client.get_workout(int(garmin_client.create_workout(swim)["workoutId"]))
    assert (stored["poolLength"], stored["workoutSegments"][0]["poolLength"]) == (25.0, None)
    swim["poolLength"] = 0.0  # a swim's pool given as 0 with a unit is no "no pool": refused
    with pytest.raises(Rejected, match="poolLength must be a positive number"):
        garmin_client.create_workout(swim)


def _tri_step(order: int, condition: tuple[int, str], value: float, **extra: Any) -> dict[str, Any]:
    return {"type": "ExecutableStepDTO", "stepOrder": order, "stepType": {"stepTypeId": 3, "stepTypeKey": "interval"},
            "endCondition": {"conditionTypeId": condition[0], "conditionTypeKey": condition[1]},
            "endConditionValue": value, "targetType": {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target"},
            **extra}


def test_a_multi_sport_workout_is_stored_as_garmin_stored_kaiords_triathlon(garmin_client: GarminClient) -> None:
    """kaiord's triathlon payload (WorkoutMultisportTriathlonInput.gcn) and Garmin's answer to it
    (…Output.gcn): orders through the workout, the swim segment's pool kept, multi_sport display
    order 4, a null equipment id stored as none, a bare unit key stored as Garmin's whole unit."""
    pool = {"poolLength": 25, "poolLengthUnit": {"unitId": 1, "unitKey": "meter", "factor": 100}}
    sent = {"workoutName": "Triathlon", "sportType": {"sportTypeId": 10, "sportTypeKey": "multi_sport"}, **pool,
            "workoutSegments": [
                {"segmentOrder": 1, "sportType": {"sportTypeId": 2, "sportTypeKey": "cycling"},
                 "workoutSteps": [_tri_step(1, (2, "time"), 1800.0)]},
                {"segmentOrder": 2, "sportType": {"sportTypeId": 1, "sportTypeKey": "running"},
                 "workoutSteps": [_tri_step(1, (3, "distance"), 5000.0)]},
                {"segmentOrder": 3, "sportType": {"sportTypeId": 4, "sportTypeKey": "swimming"}, **pool,
                 "workoutSteps": [_tri_step(1, (3, "distance"), 400.0, preferredEndConditionUnit={"unitKey": "meter"},
                                            strokeType={"strokeTypeId": 1, "strokeTypeKey": "mixed"},
                                            equipmentType={"equipmentTypeId": None, "equipmentTypeKey": None,
                                                           "displayOrder": None})]}]}

    stored = garmin_client.get_workout(int(garmin_client.create_workout(sent)["workoutId"]))

    assert stored["sportType"] == {"sportTypeId": 10, "sportTypeKey": "multi_sport", "displayOrder": 4}
    segments = stored["workoutSegments"]
    assert [segment["workoutSteps"][0]["stepOrder"] for segment in segments] == [1, 2, 3]
    assert [(s["poolLength"], (s["poolLengthUnit"] or {}).get("unitKey")) for s in segments] == [
        (None, None), (None, None), (25.0, "meter")]
    swim = segments[2]["workoutSteps"][0]
    assert swim["preferredEndConditionUnit"] == {"unitId": 1, "unitKey": "meter", "factor": 100.0}
    assert swim["equipmentType"] == {"equipmentTypeId": 0, "equipmentTypeKey": None, "displayOrder": 0}
    assert swim["strokeType"]["strokeTypeKey"] == "any_stroke"  # Garmin trusts the id over the key


@pytest.mark.parametrize(("condition", "where"), [((3, "distance"), "repeat"), ((7, "iterations"), "step")])
def test_iterations_end_a_repeat_group_and_nothing_else(garmin_client: GarminClient, condition: tuple[int, str],
                                                        where: str) -> None:
    sent = document("kaiord_WorkoutRunningNestedRepeatsOutput.json")
    steps = sent["workoutSegments"][0]["workoutSteps"]
    step = next(s for s in steps if (s["type"] == "RepeatGroupDTO") == (where == "repeat"))
    step["endCondition"] = {"conditionTypeId": condition[0], "conditionTypeKey": condition[1]}
    message = "ends after its numberOfIterations" if where == "repeat" else "ends only a RepeatGroupDTO"
    with pytest.raises(Rejected, match=message):
        garmin_client.create_workout(sent)


def test_step_orders_and_child_ids_are_numbered_as_garmin_numbers_them(garmin_client: GarminClient) -> None:
    # kaiord's nested-repeats payload restarts stepOrder in each repeat and sends no childStepId; Garmin's
    # answer for it (the Output document) numbers depth-first and gives each repeat group an id
    answer = document("kaiord_WorkoutRunningNestedRepeatsOutput.json")
    sent = copy.deepcopy(answer)
    _restart_orders(sent["workoutSegments"][0]["workoutSteps"])
    stored = garmin_client.create_workout(sent)
    assert _numbering(stored["workoutSegments"][0]["workoutSteps"]) == _numbering(
        answer["workoutSegments"][0]["workoutSteps"])


def test_steps_all_without_orders_are_numbered_in_submission_order_and_some_without_are_refused(
        garmin_client: GarminClient) -> None:
    # Garmin's 400 (a 2026 capture, probe connect14): "... unique step orders, or all be unset and rely on
    # submission structure order": a payload with none is stored as one numbered depth-first
    answer = document("kaiord_WorkoutRunningNestedRepeatsOutput.json")
    sent = copy.deepcopy(answer)
    for step in _walk_steps(sent["workoutSegments"][0]["workoutSteps"]):
        del step["stepOrder"]
    stored = garmin_client.create_workout(copy.deepcopy(sent))
    assert _numbering(stored["workoutSegments"][0]["workoutSteps"]) == _numbering(
        answer["workoutSegments"][0]["workoutSteps"])
    sent["workoutSegments"][0]["workoutSteps"][0]["stepOrder"] = 1
    with pytest.raises(Rejected, match="or all be unset"):
        garmin_client.create_workout(sent)


def test_secondary_targets_and_lap_button_numbers_are_kept(garmin_client: GarminClient) -> None:
    sent = document("kaiord_WorkoutRunningNestedRepeatsOutput.json")
    stored = garmin_client.get_workout(int(garmin_client.create_workout(copy.deepcopy(sent))["workoutId"]))
    steps = stored["workoutSegments"][0]["workoutSteps"]
    assert (steps[0]["endCondition"]["conditionTypeKey"], steps[0]["endConditionValue"]) == ("lap.button", 1000.0)
    assert steps[3]["secondaryTargetType"]["workoutTargetTypeKey"] == "heart.rate.zone"
    assert (steps[3]["secondaryTargetValueOne"], steps[3]["secondaryTargetValueTwo"]) == (160.0, 175.0)
    steps[3]["secondaryTargetValueTwo"] = 180.0
    assert compare_executed(sent, stored).semantic == ["step 4: secondaryTargetValueTwo 175.0 sent, 180.0 stored"]


def test_repeat_groups_keep_no_description_and_the_push_is_not_refused(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="watchsync.garmin.sync_ops")  # debug: expected, not news
    service = service_for(store, garmin_server, garmin_token_dir)
    service.enqueue_push(parse_text(NAMED_REPEAT))
    [outcome] = service.drain().outcomes
    assert (outcome.status, outcome.action) == ("done", "created"), outcome.message
    [stored] = garmin_server.workouts()
    repeat = stored["workoutSegments"][0]["workoutSteps"][1]
    assert repeat["type"] == "RepeatGroupDTO" and "description" not in repeat
    assert "cosmetic difference kept" in caplog.text and "'Main set' sent, None stored" in caplog.text
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "cosmetic difference" in r.getMessage())


def test_names_are_cut_at_256_utf16_units_and_the_workout_is_still_found(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    name = "Long " + "🏔" * 150  # 155 characters (watchsync allows 200) but 305 UTF-16 units
    service = service_for(store, garmin_server, garmin_token_dir)
    key = service.enqueue_push(parse_text(f"name: {name}\nsport: running\n- 30m RPE 3\n"))
    assert service.drain().outcomes[0].status == "done"
    [stored] = garmin_server.workouts()
    # 253 units and "...": 5 + 2 x 124 = 253 units (no half emoji)
    assert stored["workoutName"] == garmin_name(name) == name[:129] + "..."
    store.set_remote_id("anna", key, None)  # as after a crash between create and record
    store.enqueue("anna", "push", key, now=datetime(2030, 3, 4, tzinfo=UTC))
    assert service_for(store, garmin_server, garmin_token_dir).drain().outcomes[0].action == "adopted"
    assert len(garmin_server.workouts()) == 1


def test_a_long_ascii_name_is_stored_as_garmin_stored_kaiords_edge_case(garmin_client: GarminClient) -> None:
    # kaiord's WorkoutEdgeCasesOutput.gcn: Garmin's GET answer for a 499-character name is its first
    # 253 characters and "..."
    name = ("EDGE-TEST-" * 50)[:499]
    document_ = workout_to_connect(parse_text(f"name: {name[:200]}\nsport: running\n- 30m 140-150bpm\n"))
    document_["workoutName"] = name  # past watchsync's own 200-character limit, as another client sends it
    stored = garmin_client.create_workout(document_)
    assert stored["workoutName"] == name[:253] + "..." == garmin_name(name)
    assert len(stored["workoutName"]) == 256
    assert garmin_name(name[:256]) == name[:256]  # 256 units fit: nothing is cut


def test_a_semantic_difference_is_refused_with_a_one_line_diff() -> None:
    sent = document("cyberjunky_sample_workout.json")
    stored = copy.deepcopy(sent)
    stored["workoutSegments"][0]["workoutSteps"][1]["numberOfIterations"] = 5
    stored["workoutName"] = "renamed"
    found = compare_executed(sent, stored)
    assert found.summary() == "step 2: repeat count 6 sent, 5 stored"
    assert found.cosmetic == ["name 'Simple session' sent, 'renamed' stored"]


def test_a_repeat_until_a_time_is_pushed_as_garmin_stores_it_and_read_back_without_a_difference(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    # Garmin's HIIT "Repeat Until Time Is": endCondition time, the seconds, numberOfIterations null (docs/garmin.md)
    amrap = Workout(name="AMRAP", sport=Sport.CARDIO, steps=[Repeat(
        count=10, until=RepeatUntil(kind="time", value=600, unit="s"),
        steps=[Step(duration=RepsDuration(reps=10), exercise=Exercise(category="PUSH_UP", name="PUSH_UP"))])])
    service = service_for(store, garmin_server, garmin_token_dir)
    service.enqueue_push(amrap)
    [outcome] = service.drain().outcomes
    assert (outcome.status, outcome.action) == ("done", "created"), outcome.message
    [stored] = garmin_server.workouts()
    [group] = stored["workoutSegments"][0]["workoutSteps"]
    assert (group["endCondition"]["conditionTypeKey"], group["endConditionValue"], group["numberOfIterations"]) == (
        "time", 600.0, None)
    sent = workout_to_connect(amrap)
    assert compare_executed(sent, stored).semantic == []
    counted = copy.deepcopy(stored)  # a Garmin that made it a count would be refused
    counted["workoutSegments"][0]["workoutSteps"][0].update(
        numberOfIterations=10, endConditionValue=10.0, endCondition={"conditionTypeId": 7})
    assert compare_executed(sent, counted).semantic == ["step 1: repeat count None sent, 10 stored",
                                                        "step 1: repeat end condition 2 sent, 7 stored",
                                                        "step 1: repeat endConditionValue 600.0 sent, 10.0 stored"]


def test_a_generic_exercise_reaches_garmin_with_its_name(store: Store, garmin_server: LocalGarminServer,
                                                         garmin_token_dir: Path) -> None:
    # probe connect10: "- 45s Plank" went as category PLANK with exerciseName null, which Garmin's
    # catalogue (garminconnect.exercises: ("Plank", "PLANK", "PLANK"), no category-only row) has no entry for
    core = parse_text("name: Core\nsport: strength\n- 45s Plank\n- 10 reps Push-up\n- 15 reps Squat 20kg\n")
    service = service_for(store, garmin_server, garmin_token_dir)
    service.enqueue_push(core)
    [outcome] = service.drain().outcomes
    assert (outcome.status, outcome.action) == ("done", "created"), outcome.message
    [stored] = garmin_server.workouts()
    kept = [(step["category"], step["exerciseName"]) for step in stored["workoutSegments"][0]["workoutSteps"]]
    assert kept == [("PLANK", "PLANK"), ("PUSH_UP", "PUSH_UP"), ("SQUAT", "SQUAT")]


def test_a_null_target_and_no_target_are_the_same_to_read_back(garmin_client: GarminClient) -> None:
    # Garmin's "Core Workout 7" answer keeps "targetType": null where no target was sent; watchsync sends no.target
    sent = workout_to_connect(parse_text("name: Open\nsport: running\n- 30m\n"))
    stored = garmin_client.get_workout(int(garmin_client.create_workout(copy.deepcopy(sent))["workoutId"]))
    stored["workoutSegments"][0]["workoutSteps"][0]["targetType"] = None
    assert compare_executed(sent, stored).semantic == []
    assert compare_connect(sent, stored) == []
    stored["workoutSegments"][0]["workoutSteps"][0]["targetType"] = {"workoutTargetTypeId": 4}
    assert compare_executed(sent, stored).semantic == ["step 1: targetType 1 sent, 4 stored"]


def test_garmins_minus_one_weight_on_an_unweighted_step_is_no_weight_to_read_back(garmin_client: GarminClient) -> None:
    # a live-tested client: Garmin stamps "weightValue": -1 on every step it returns, runs included (probe connect14)
    sent = workout_to_connect(parse_text("name: Reps\nsport: strength\n- 3x10 Squat 20kg\n- 5m\n"))
    stored = garmin_client.get_workout(int(garmin_client.create_workout(copy.deepcopy(sent))["workoutId"]))
    steps = list(_walk_steps(stored["workoutSegments"][0]["workoutSteps"]))
    unweighted = [step for step in steps if step["type"] == "ExecutableStepDTO" and step.get("weightValue") is None]
    assert unweighted
    for step in unweighted:
        step["weightValue"] = -1.0
    assert compare_executed(sent, stored).semantic == []
    assert compare_connect(sent, stored) == []
    unweighted[0]["weightValue"] = 5.0  # a real weight where none was sent still differs
    assert len(compare_executed(sent, stored).semantic) == 1
    assert len(compare_connect(sent, stored)) == 1


def _walk_steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        yield from _walk_steps(step.get("workoutSteps") or [])


# 2: the marker survives Garmin's cut, and adoption finds it ---------------------------------------

def test_the_marker_survives_a_long_description_and_an_unanswered_create_is_adopted(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    notes = ("Long notes. " * 167)[:1995]  # with the marker over 2,000 characters: Garmin keeps the first 2,000
    workout = parse_text("name: Wordy\nsport: running\n- 30m RPE 3\n").model_copy(update={"description": notes})
    service = service_for(store, garmin_server, garmin_token_dir)
    service.enqueue_push(workout)
    garmin_server.inject(Fault.DROP_AFTER_WRITE)  # the create is applied, its answer lost
    assert service.drain().outcomes[0].status == "retry"
    [stored] = garmin_server.workouts()
    assert len(stored["description"]) == 2000 and find_marker(stored["description"]) is not None
    later = service_for(store, garmin_server, garmin_token_dir)
    later._now = lambda: datetime(2030, 3, 5, tzinfo=UTC)  # a day later: the retry is due
    [outcome] = later.drain().outcomes
    assert (outcome.status, outcome.action) == ("done", "adopted")
    assert len(garmin_server.workouts()) == 1


# 3: a login without usable tokens is a failed login ----------------------------------------------

def test_a_login_that_only_gets_a_web_cookie_fails_and_saves_nothing(garmin_server: LocalGarminServer,
                                                                       tmp_path: Path,
                                                                       no_login_pauses: None) -> None:
    garmin_server.refuse_di_exchange()
    client = GarminClient(tmp_path / "tokens", garmin_server.url)
    with pytest.raises(AuthRequired) as raised:
        client.login_with_credentials(EMAIL, PASSWORD)
    assert str(raised.value) == NO_TOKENS
    assert garmin_server.stats.web_sessions == 1  # garminconnect really fell back to JWT_WEB
    assert not (tmp_path / "tokens" / "garmin_tokens.json").exists()


# 4: an unreachable Garmin is transient, never "run watchsync login" --------------------------------

def test_login_from_tokens_while_garmin_is_down_is_unreachable(garmin_server: LocalGarminServer,
                                                                garmin_token_dir: Path,
                                                                no_login_pauses: None) -> None:
    url = garmin_server.url
    garmin_server.stop()
    with pytest.raises(Unreachable) as raised:
        GarminClient(garmin_token_dir, url).login_from_tokens()
    assert "watchsync login" not in str(raised.value)


def test_a_credential_login_while_garmin_is_down_is_unreachable(garmin_server: LocalGarminServer,
                                                                 tmp_path: Path, no_login_pauses: None) -> None:
    url = garmin_server.url
    garmin_server.stop()
    with pytest.raises(Unreachable):
        GarminClient(tmp_path, url).login_with_credentials(EMAIL, PASSWORD)


def test_an_unreachable_message_never_carries_a_service_ticket() -> None:
    import requests

    from watchsync.garmin.client import normalize_error

    raw = requests.ConnectionError("HTTPSConnectionPool(host='connect.garmin.com', port=443): Max retries exceeded "
                                   "with url: /app?ticket=ST-123456-secret (Caused by NewConnectionError)")
    error = normalize_error(raw)
    assert isinstance(error, Unreachable) and "ST-123456" not in str(error)
    assert str(error) == "Garmin unreachable: cannot connect (connect.garmin.com)"  # plain words, not a repr


@pytest.mark.parametrize(("cause", "words"), [
    ("Failed to establish a new connection: [Errno 111] Connection refused", "connection refused"),
    ("Failed to resolve 'connect.garmin.com' ([Errno -3] Temporary failure in name resolution)",
     "the name does not resolve (DNS)"),
    ("Read timed out. (read timeout=30)", "no answer in time"),
    ("Connection aborted., RemoteDisconnected('Remote end closed connection without response')",
     "connection dropped"),
])
def test_a_connection_failure_is_said_in_plain_words(cause: str, words: str) -> None:
    import requests

    from watchsync.garmin.client import normalize_error

    raw = requests.ConnectionError(f"HTTPSConnectionPool(host='connect.garmin.com', port=443): Max retries exceeded "
                                   f"with url: /x (Caused by {cause})")
    assert str(normalize_error(raw)) == f"Garmin unreachable: {words} (connect.garmin.com)"


def test_a_drain_while_garmin_is_down_retries_soon_and_does_not_park(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path, no_login_pauses: None) -> None:
    url = garmin_server.url
    garmin_server.stop()
    client = GarminClient(garmin_token_dir, url, max_retries=0, sleep=lambda _s: None)
    now = [datetime(2030, 3, 4, tzinfo=UTC)]
    service = SyncService(store, lambda: client, ANNA, now=lambda: now[0])
    service.enqueue_push(parse_text("name: Easy\nsport: running\n- 30m RPE 3\n"))
    waits = []
    for _attempt in range(6):  # the usual backoff would have grown to 16 minutes by now
        result = service.drain()
        assert result.parked is None and store.parked_reason("anna") is None
        [item] = store.list_outbox("anna")
        waits.append((item.not_before - now[0]).total_seconds())
        now[0] = item.not_before
    assert max(waits) <= 30, waits
    assert "unreachable" in (item.last_error or "").lower()


def test_a_failing_token_endpoint_is_not_a_rejected_login(garmin_client: GarminClient,
                                                          garmin_server: LocalGarminServer) -> None:
    garmin_server.expire_access_tokens()
    garmin_server.inject_auth(Fault.SERVER_ERROR, 2)  # garminconnect's own refresh, then ours
    with pytest.raises(Transient) as raised:
        garmin_client.list_workouts()
    assert not isinstance(raised.value, AuthRequired)
    assert garmin_client.list_workouts() == []  # the endpoint is back: refreshed, no login needed


# 5: a 403 on one item refuses that item only -------------------------------------------------------

def test_a_403_on_one_workout_refuses_it_and_the_queue_goes_on(store: Store, garmin_server: LocalGarminServer,
                                                               tmp_path: Path) -> None:
    garmin_server.add_account(Account("ben@example.com", "ben-password", display_name="ben", profile_id=777))
    ben = GarminClient(fake_token_dir(tmp_path / "ben", garmin_server.url, email="ben@example.com"),
                       garmin_server.url)
    bens_id = int(ben.create_workout(json.loads(json.dumps(document("cyberjunky_sample_workout.json"))))["workoutId"])
    service = service_for(store, garmin_server, fake_token_dir(tmp_path / "anna", garmin_server.url))
    first = service.enqueue_push(parse_text("name: First\nsport: running\n- 30m RPE 3\n"))
    service.enqueue_push(parse_text("name: Second\nsport: running\n- 40m RPE 3\n"))
    store.set_remote_id("anna", first, bens_id)  # a stale id that belongs to another account
    result = service.drain()
    assert [(o.key, o.status) for o in result.outcomes] == [("first", "refused"), ("second", "done")]
    assert "HTTP 403" in result.outcomes[0].message and result.parked is None
    assert store.parked_reason("anna") is None
    with pytest.raises(Rejected):
        GarminClient(tmp_path / "anna", garmin_server.url).get_workout(bens_id)


# 6: MFA sessions expire, and their state is dropped ------------------------------------------------

def test_an_expired_mfa_session_drops_the_saved_state(garmin_server: LocalGarminServer, tmp_path: Path,
                                                      no_login_pauses: None) -> None:
    garmin_server.set_account(Account(EMAIL, PASSWORD, mfa_code=MFA_CODE))
    assert GarminClient(tmp_path, garmin_server.url).login_with_credentials(EMAIL, PASSWORD) == "needs_mfa"
    garmin_server.travel(601)  # Garmin forgets a pending MFA login after 10 minutes
    with pytest.raises(AuthRequired) as raised:
        GarminClient(tmp_path, garmin_server.url).resume_mfa(MFA_CODE)
    assert str(raised.value) == MFA_EXPIRED
    assert not (tmp_path / "garmin_mfa_state.json").exists()


# 7: token lifetimes, and faults on the sign-in and token routes ----------------------------------

def test_access_tokens_last_4_hours_and_refresh_tokens_30_days(garmin_client: GarminClient,
                                                              garmin_server: LocalGarminServer,
                                                              garmin_token_dir: Path) -> None:
    assert (ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_SECONDS) == (4 * 3600, 30 * 86400)
    garmin_server.travel(3 * 3600)
    garmin_client.list_workouts()
    assert garmin_server.stats.token_refreshes == 0
    garmin_server.travel(2 * 3600)  # 5 h: the access token is over, the refresh token is not
    garmin_client.list_workouts()
    assert garmin_server.stats.token_refreshes >= 1
    garmin_server.travel(31 * 86400)
    with pytest.raises(AuthRequired):  # a real rejection: a person must log in
        GarminClient(garmin_token_dir, garmin_server.url).login_from_tokens()


@pytest.mark.parametrize(("fault", "expected"), [(Fault.RATE_LIMIT, RateLimited), (Fault.CHALLENGE, RateLimited),
                                                 (Fault.DROP, Unreachable), (Fault.SERVER_ERROR, Transient)])
def test_faults_on_the_sign_in_routes_are_never_a_rejected_login(garmin_server: LocalGarminServer, tmp_path: Path,
                                                                 no_login_pauses: None, fault: Fault,
                                                                 expected: type[Exception]) -> None:
    garmin_server.inject_auth(fault, 10)
    with pytest.raises(expected) as raised:
        GarminClient(tmp_path, garmin_server.url).login_with_credentials(EMAIL, PASSWORD)
    assert not isinstance(raised.value, AuthRequired)
    assert not (tmp_path / "garmin_tokens.json").exists()


def test_fault_rates_reach_the_sign_in_routes_with_auth_on(garmin_server: LocalGarminServer, tmp_path: Path,
                                                           no_login_pauses: None) -> None:
    garmin_server.set_faults("429=1,auth=1")  # as `watchsync server --faults 429=1,auth=1`
    assert garmin_server.faults.auth
    with pytest.raises(RateLimited):
        GarminClient(tmp_path, garmin_server.url).login_with_credentials(EMAIL, PASSWORD)
    assert garmin_server.stats.credential_logins == 0  # refused before the credentials were looked at


def test_a_blocked_mobile_sign_in_falls_back_to_the_portal_flow(garmin_server: LocalGarminServer, tmp_path: Path,
                                                                no_login_pauses: None) -> None:
    garmin_server.inject_auth(Fault.CHALLENGE)  # Cloudflare blocks the mobile sign-in page
    client = GarminClient(tmp_path, garmin_server.url)
    assert client.login_with_credentials(EMAIL, PASSWORD) == "ok"
    assert garmin_server.stats.count("POST", "/portal/api/login") == 1
    assert garmin_server.stats.count("POST", "/mobile/api/login") == 0
    assert GarminClient(tmp_path, garmin_server.url).list_workouts() == []


# 10: one Garmin account per athlete ------------------------------------------------------------------

def test_each_account_sees_only_its_own_workouts(garmin_server: LocalGarminServer, tmp_path: Path) -> None:
    garmin_server.add_account(Account("ben@example.com", "ben-password", display_name="ben", profile_id=777))
    anna = GarminClient(fake_token_dir(tmp_path / "anna", garmin_server.url), garmin_server.url)
    ben = GarminClient(fake_token_dir(tmp_path / "ben", garmin_server.url, email="ben@example.com"),
                       garmin_server.url)
    anna.create_workout(document("cyberjunky_sample_workout.json"))
    assert [w["workoutName"] for w in anna.list_workouts()] == ["Simple session"]
    assert ben.list_workouts() == [] and ben.whoami()["profile_id"] == 777


def test_two_athletes_on_one_shared_account_never_adopt_each_others_workout(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    # probe server13: ben's "Easy" (his HR band) took anna's same-named workout over, so her calendar ran his zones
    ben = Athlete(name="ben", max_hr=200, resting_hr=45, lthr=180)
    anna_easy = parse_text("name: Easy\nsport: running\n- 40m 140-150bpm\n")
    ben_easy = parse_text("name: Easy\nsport: running\n- 40m 150-160bpm\n")
    anna, bens = service_for(store, garmin_server, garmin_token_dir), service_for(store, garmin_server,
                                                                                  garmin_token_dir, ben)
    anna.enqueue_push(anna_easy)
    assert [o.action for o in anna.drain().outcomes] == ["created"]
    bens.enqueue_push(ben_easy)
    assert [o.action for o in bens.drain().outcomes] == ["created"]  # not "adopted" and updated
    ids = {row.athlete: row.remote_id for row in store.list_workouts()}
    assert len(garmin_server.workouts()) == 2 and ids["anna"] != ids["ben"]
    assert not bens.reconcile().adopted and not anna.reconcile().adopted
    lows = {w["workoutId"]: w["workoutSegments"][0]["workoutSteps"][0]["targetValueOne"]
            for w in garmin_server.workouts()}
    assert (lows[ids["anna"]], lows[ids["ben"]]) == (140, 150)


def test_a_workout_read_back_from_garmin_has_no_marker_in_its_description(
        store: Store, garmin_server: LocalGarminServer, garmin_token_dir: Path) -> None:
    from watchsync.formats.connect_json_read import workout_from_connect

    workout = parse_text("name: Notes\nsport: trail_running\n- 30m RPE 3\n").model_copy(
        update={"description": "Stay on the ridge"})
    service = service_for(store, garmin_server, garmin_token_dir)
    service.enqueue_push(workout)
    assert service.drain().outcomes[0].status == "done"
    [stored] = garmin_server.workouts()
    assert stored["description"].startswith("[ws:")
    back = workout_from_connect(stored)
    assert (back.description, back.sport) == ("Stay on the ridge", workout.sport)


def test_list_items_and_schedule_answers_have_garmins_shape(garmin_client: GarminClient) -> None:
    sent = document("kaiord_WorkoutSwimmingAllStrokesOutput.json")
    workout_id = int(garmin_client.create_workout(copy.deepcopy(sent))["workoutId"])
    [item] = garmin_client.list_workouts()
    assert "updateDate" in item and "updatedDate" not in item and "workoutSegments" not in item
    schedule = garmin_client.get_schedule(garmin_client.schedule_workout(workout_id, datetime(2030, 3, 4).date()))
    assert "workoutId" not in schedule  # Garmin's schedule answer nests the workout instead
    assert schedule["workout"]["workoutId"] == workout_id and schedule["workout"]["workoutSegments"]
    assert len(schedule["createdDate"]) == 10 and schedule["calendarDate"] == "2030-03-04"
