"""The local Garmin Connect server over real HTTP: strictness, state, calendar, activities, faults."""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from garminconnect import exercises

from watchsync.formats.connect_ids import STEP_TYPES
from watchsync.testing.garmin.helpers import post_activity, running_server
from watchsync.testing.garmin.server import Fault, Faults, LocalGarminServer, parse_faults

FIT_BYTES = b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + bytes(range(256)) * 4


def _step(order: int, step_type: str = "interval", **extra: Any) -> dict[str, Any]:
    return {"type": "ExecutableStepDTO", "stepOrder": order,
            "stepType": {"stepTypeId": STEP_TYPES[step_type], "stepTypeKey": step_type},
            "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 300.0,
            "targetType": {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target"}, **extra}


def _repeat(order: int, iterations: int, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "RepeatGroupDTO", "stepOrder": order, "stepType": {"stepTypeId": 6, "stepTypeKey": "repeat"},
            "numberOfIterations": iterations, "workoutSteps": steps,
            "endCondition": {"conditionTypeId": 7, "conditionTypeKey": "iterations"}}


def workout(name: str = "Easy run", steps: list[dict[str, Any]] | None = None,
            sport: tuple[int, str] = (1, "running")) -> dict[str, Any]:
    sport_type = {"sportTypeId": sport[0], "sportTypeKey": sport[1]}
    return {"workoutName": name, "description": "base phase", "sportType": sport_type,
            "workoutSegments": [{"segmentOrder": 1, "sportType": dict(sport_type), "workoutSteps": steps or [
                _step(1, "warmup"), _repeat(2, 4, [_step(3), _step(4, "recovery")]), _step(5, "cooldown")]}]}


class Api:
    """Raw HTTP against the server with a bearer token, the way garminconnect sends it."""

    def __init__(self, server: LocalGarminServer) -> None:
        self.url = server.url
        self.session = requests.Session()
        token = self.session.post(f"{self.url}/_watchsync/tokens", json={}).json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=5, **kwargs)


@pytest.fixture
def api(garmin_server: LocalGarminServer) -> Api:
    return Api(garmin_server)


def create(api: Api, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = api("POST", "/workout-service/workout", json=payload or workout())
    assert answer.status_code == 200, answer.text
    created: dict[str, Any] = answer.json()
    return created


# lifecycle -------------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org"])
def test_refuses_to_listen_beyond_loopback(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        LocalGarminServer().start(host=host)


def test_stop_cuts_open_keep_alive_connections(garmin_server: LocalGarminServer) -> None:
    api = Api(garmin_server)
    assert api("GET", "/workout-service/workouts").status_code == 200
    garmin_server.stop()
    with pytest.raises(requests.ConnectionError):
        api("GET", "/workout-service/workouts")


def test_serve_prints_its_url_and_answers_there() -> None:
    code = "from watchsync.testing.garmin.server import serve; serve(0, None, '429=0')"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[5]
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(f"{url}/workout-service/workouts", timeout=5).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_watchsync_server_takes_an_account_per_athlete() -> None:
    # a coach of four runners could not give each their own account (probe coach11: two logins only)
    command = [sys.executable, "-m", "watchsync", "server", "--port", "0", "--account", "bea@example.com",
               "--account", "max@example.com"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert all(f"{email} / local-password" in line for email in
                   ("runner@example.com", "coach@example.com", "bea@example.com", "max@example.com")), line
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_an_accounts_profile_id_does_not_depend_on_the_order_of_the_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    # a restart on the same --state with another list gave carl bea's profile id, and her data (probe review15)
    from watchsync.testing.garmin import server as module

    made: list[list[Any]] = []

    class Recorder:
        def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
            made.append(accounts)

        def start(self, port: int) -> str:
            raise KeyboardInterrupt  # stop before serving

    monkeypatch.setattr(module, "LocalGarminServer", Recorder)
    for emails in (["bea@example.com", "carl@example.com"], ["carl@example.com"]):
        with contextlib.suppress(KeyboardInterrupt):
            module.serve(0, None, None, emails)
    first, second = ({account.email: account.profile_id for account in accounts} for accounts in made)
    assert first["carl@example.com"] == second["carl@example.com"] != first["bea@example.com"]


# workouts --------------------------------------------------------------------------------------

def test_create_assigns_an_id_and_get_returns_the_stored_workout(api: Api, garmin_server: LocalGarminServer) -> None:
    created = create(api)
    assert isinstance(created["workoutId"], int)
    fetched = api("GET", f"/workout-service/workout/{created['workoutId']}").json()
    assert fetched == created
    assert fetched["workoutSegments"][0]["workoutSteps"][1]["workoutSteps"][1]["stepType"]["stepTypeKey"] == "recovery"
    assert garmin_server.stats.count("POST", "/workout-service/workout") == 1
    assert [w["workoutId"] for w in garmin_server.workouts()] == [created["workoutId"]]


def test_update_keeps_id_and_schedules(api: Api, garmin_server: LocalGarminServer) -> None:
    created = create(api)
    workout_id = created["workoutId"]
    schedule = api("POST", f"/workout-service/schedule/{workout_id}", json={"date": "2024-05-02"}).json()
    answer = api("PUT", f"/workout-service/workout/{workout_id}", json=workout("Renamed") | {"workoutId": workout_id})
    assert (answer.status_code, answer.content) == (200, b"")  # Garmin: 200, no body
    assert api("GET", f"/workout-service/workout/{workout_id}").json()["workoutName"] == "Renamed"
    assert [s["workoutScheduleId"] for s in garmin_server.schedules()] == [schedule["workoutScheduleId"]]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_workout_is_404(api: Api, method: str) -> None:
    answer = api(method, "/workout-service/workout/424242", json=workout())
    assert answer.status_code == 404
    assert "424242" in answer.json()["message"]


def test_delete_removes_workout_and_its_calendar_entries(api: Api, garmin_server: LocalGarminServer) -> None:
    workout_id = create(api)["workoutId"]
    api("POST", f"/workout-service/schedule/{workout_id}", json={"date": "2024-05-02"})
    assert api("DELETE", f"/workout-service/workout/{workout_id}").status_code == 204
    assert garmin_server.workouts() == [] and garmin_server.schedules() == []


def test_list_pages_with_start_and_limit_without_steps(api: Api) -> None:
    ids = [create(api, workout(f"w{i}"))["workoutId"] for i in range(5)]
    page = api("GET", "/workout-service/workouts", params={"start": 1, "limit": 3}).json()
    assert [w["workoutId"] for w in page] == ids[1:4]
    assert all("workoutSegments" not in w for w in page)
    assert page[0]["description"] == "base phase"


def _broken(change: str) -> dict[str, Any]:
    payload = workout()
    steps = payload["workoutSegments"][0]["workoutSteps"]
    match change:
        case "sport":
            payload["sportType"] = {"sportTypeId": 99, "sportTypeKey": "running"}
        case "step type":
            steps[0]["stepType"] = {"stepTypeId": 42, "stepTypeKey": "warmup"}
        case "target":
            steps[0]["targetType"] = {"workoutTargetTypeId": 20, "workoutTargetTypeKey": "grade"}
        case "repeat without end":
            del steps[1]["endCondition"]
        case "hr end without compare":
            steps[0]["endCondition"] = {"conditionTypeId": 6, "conditionTypeKey": "heart.rate"}
            steps[0]["endConditionValue"] = 150
        case "walking":
            payload["sportType"] = {"sportTypeId": 17, "sportTypeKey": "walking"}
        case "iterations":
            steps[1]["numberOfIterations"] = 0
        case "empty repeat":
            steps[1]["workoutSteps"] = []
        case "no value":
            del steps[0]["endConditionValue"]
        case "range":
            steps[0]["targetType"] = {"workoutTargetTypeId": 4, "workoutTargetTypeKey": "heart.rate.zone"}
        case "name":
            payload["workoutName"] = ""
    return payload


@pytest.mark.parametrize(("change", "message"), [
    ("sport", "sportTypeId 99"), ("step type", "stepTypeId 42"),
    ("target", "workoutTargetTypeId 20"), ("repeat without end", "needs an endCondition"),
    ("hr end without compare", "endConditionCompare lt or gt"), ("walking", "no walking workouts"),
    ("iterations", "numberOfIterations"),
    ("empty repeat", "workoutSteps must be a non-empty list"), ("no value", "positive endConditionValue"),
    ("range", "zoneNumber or targetValueOne"), ("name", "workoutName"),
])
def test_invalid_workouts_are_400_with_a_message(api: Api, garmin_server: LocalGarminServer,
                                                 change: str, message: str) -> None:
    answer = api("POST", "/workout-service/workout", json=_broken(change))
    assert answer.status_code == 400
    assert message in answer.json()["message"]
    assert garmin_server.workouts() == []


def _garmins_own(change: str) -> dict[str, Any]:
    """What Garmin itself writes and accepts (docs/garmin.md), which a stricter stand-in refused."""
    payload = workout()
    steps = payload["workoutSegments"][0]["workoutSteps"]
    match change:
        case "duplicate order":
            steps[2]["stepOrder"] = 3
        case "restarting order":
            steps[0]["stepOrder"], steps[2]["stepOrder"] = 5, 1
        case "power from 0 W":
            steps[0]["targetType"] = {"workoutTargetTypeId": 9, "workoutTargetTypeKey": "power.lap"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 0.0, 136.0
        case "grade":
            steps[0]["targetType"] = {"workoutTargetTypeId": 7, "workoutTargetTypeKey": "grade"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 2, 6
        case "heart rate lap":
            steps[0]["targetType"] = {"workoutTargetTypeId": 8, "workoutTargetTypeKey": "heart.rate.lap"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 120, 140
        case "resistance":
            steps[0]["targetType"] = {"workoutTargetTypeId": 15, "workoutTargetTypeKey": "resistance"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 3, 5
        case "swim css offset":
            steps[0]["secondaryTargetType"] = {"workoutTargetTypeId": 17, "workoutTargetTypeKey": "swim.css.offset"}
            steps[0]["secondaryTargetValueOne"], steps[0]["secondaryTargetValueTwo"] = -3, 0
        case "power 3 s":  # garminconnect-js's transcription of Garmin's workout/types: ids 10-19
            steps[0]["targetType"] = {"workoutTargetTypeId": 10, "workoutTargetTypeKey": "power.3s"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 200, 240
        case "swim instruction":
            steps[0]["secondaryTargetType"] = {"workoutTargetTypeId": 18, "workoutTargetTypeKey": "swim.instruction"}
            steps[0]["secondaryTargetValueOne"] = 3
        case "medley by round":
            steps[0]["strokeType"] = {"strokeTypeId": 9, "strokeTypeKey": "individual_medley_by_round"}
        case "exact pace":  # Garmin's swim editor: the second value 0
            steps[0]["targetType"] = {"workoutTargetTypeId": 6, "workoutTargetTypeKey": "pace.zone"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = 1.1111, 0.0
        case "numbers as text":  # Connect's web editor (Taxuspt/garmin_mcp #71)
            steps[0]["targetType"] = {"workoutTargetTypeId": 4, "workoutTargetTypeKey": "heart.rate.zone"}
            steps[0]["targetValueOne"], steps[0]["targetValueTwo"] = "128", "142"
        case "fixed rest":
            steps[0]["endCondition"] = {"conditionTypeId": 8, "conditionTypeKey": "fixed.rest"}
        case "fixed repetition":
            steps[0]["endCondition"] = {"conditionTypeId": 9, "conditionTypeKey": "fixed.repetition"}
    return payload


@pytest.mark.parametrize("change", ["duplicate order", "restarting order", "power from 0 W", "grade",
                                    "heart rate lap", "resistance", "swim css offset", "fixed rest",
                                    "fixed repetition", "power 3 s", "swim instruction", "medley by round",
                                    "exact pace", "numbers as text"])
def test_what_garmin_itself_writes_is_accepted(api: Api, garmin_server: LocalGarminServer, change: str) -> None:
    answer = api("POST", "/workout-service/workout", json=_garmins_own(change))
    assert answer.status_code == 200, answer.text
    assert [w["workoutId"] for w in garmin_server.workouts()] == [answer.json()["workoutId"]]
    stored = answer.json()["workoutSegments"][0]["workoutSteps"][0]
    assert all(isinstance(stored.get(field), float | None) for field in ("targetValueOne", "targetValueTwo"))


def test_a_known_id_with_a_key_garmin_does_not_know_is_stored_as_the_ids_type(api: Api) -> None:
    # garmin_mcp #245 / PR #194: "power.between" with id 6 came back as id 6 pace.zone, HTTP 200
    payload = workout()
    step = payload["workoutSegments"][0]["workoutSteps"][0]
    step["targetType"] = {"workoutTargetTypeId": 6, "workoutTargetTypeKey": "power.between"}
    step["targetValueOne"], step["targetValueTwo"] = 200.0, 240.0
    step["endCondition"] = {"conditionTypeId": 2, "conditionTypeKey": "forever"}
    stored = create(api, payload)["workoutSegments"][0]["workoutSteps"][0]
    assert stored["targetType"]["workoutTargetTypeKey"] == "pace.zone"
    assert stored["endCondition"]["conditionTypeKey"] == "time"


def test_known_but_mismatched_id_is_stored_as_the_ids_type(api: Api) -> None:
    payload = workout()
    payload["workoutSegments"][0]["workoutSteps"][0]["stepType"] = {"stepTypeId": 3, "stepTypeKey": "warmup"}
    payload["sportType"] = {"sportTypeId": 2, "sportTypeKey": "running"}
    created = create(api, payload)
    assert created["workoutSegments"][0]["workoutSteps"][0]["stepType"]["stepTypeKey"] == "interval"
    assert created["sportType"]["sportTypeKey"] == "cycling"


# "Repeat Until Time Is" of Garmin's HIIT editor (a TypeScript client's payload, "Confirmed live"; its smoke
# script reads back numberOfIterations null and endConditionValue 600; docs/garmin.md)
def _until_time(**group: Any) -> dict[str, Any]:
    repeat = _repeat(1, 1, [_step(2, category="PUSH_UP", exerciseName="WEIGHTED_PUSH_UP", weightValue=9.0718474,
                                  endCondition={"conditionTypeId": 10, "conditionTypeKey": "reps"},
                                  endConditionValue=10)])
    repeat.update({"numberOfIterations": None, "endConditionValue": 600,
                   "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time", "displayOrder": 2}}, **group)
    return workout("AMRAP", [repeat], sport=(9, "hiit"))


def test_a_repeat_until_time_is_stored_as_sent(api: Api) -> None:
    created = create(api, _until_time())
    stored = api("GET", f"/workout-service/workout/{created['workoutId']}").json()
    [group] = stored["workoutSegments"][0]["workoutSteps"]
    assert group["numberOfIterations"] is None and group["endConditionValue"] == 600.0
    assert group["endCondition"] == {"conditionTypeId": 2, "conditionTypeKey": "time", "displayOrder": 2,
                                     "displayable": True}
    assert group["workoutSteps"][0]["category"] == "PUSH_UP"


@pytest.mark.parametrize(("group", "message"), [
    ({"numberOfIterations": 3}, "ending on time has numberOfIterations null, got 3"),
    ({"endConditionValue": None}, "ending on time needs a positive endConditionValue"),
    ({"endConditionValue": 0}, "ending on time needs a positive endConditionValue"),
    ({"endCondition": {"conditionTypeId": 3, "conditionTypeKey": "distance"}}, "or on a time, got distance"),
    ({"endCondition": None}, "needs an endCondition"),
])
def test_a_repeat_group_without_iterations_or_a_time_is_400(api: Api, group: dict[str, Any], message: str) -> None:
    answer = api("POST", "/workout-service/workout", json=_until_time(**group))
    assert answer.status_code == 400 and message in answer.json()["message"]


def test_a_null_or_missing_target_type_is_stored_as_null(api: Api) -> None:
    # Garmin's answer "Core Workout 7" (eiriklid/garmin_workout_json) keeps "targetType": null on every step;
    # the tool that made it sends none
    steps = [_step(1, targetType=None), _step(2)]
    del steps[1]["targetType"]
    stored = create(api, workout("Core", steps))["workoutSegments"][0]["workoutSteps"]
    assert [step["targetType"] for step in stored] == [None, None]


ZONE_TARGET = {"targetType": {"workoutTargetTypeId": 4, "workoutTargetTypeKey": "heart.rate.zone"}}


@pytest.mark.parametrize("sent", [3, 3.0, "3"])
def test_a_zone_and_a_repeat_count_sent_as_text_or_float_are_stored_as_whole_numbers(api: Api, sent: Any) -> None:
    """A builder's ``str(zone_number)`` (probe connect9 #1): Garmin "accepts strings OR numbers, returns only
    numbers" (kaiord's API findings, docs/garmin.md); the server stored "3" as sent."""
    group = _repeat(1, 2, [_step(2, **ZONE_TARGET, zoneNumber=sent)])
    group["numberOfIterations"] = sent
    stored = create(api, workout("Zones", [group]))["workoutSegments"][0]["workoutSteps"][0]
    assert stored["numberOfIterations"] == 3 and stored["workoutSteps"][0]["zoneNumber"] == 3
    assert isinstance(stored["workoutSteps"][0]["zoneNumber"], int)


@pytest.mark.parametrize("sent", ["abc", 0, -1, 2.5])
def test_a_zone_that_is_no_whole_number_from_1_is_400(api: Api, sent: Any) -> None:
    answer = api("POST", "/workout-service/workout", json=workout("Zones", [_step(1, **ZONE_TARGET, zoneNumber=sent)]))
    assert answer.status_code == 400 and "zoneNumber must be a whole number >= 1" in answer.text


def test_a_swim_drill_is_dropped_as_garmin_drops_it(api: Api) -> None:
    """Garmin's stored swim steps carry no ``drillType`` field (kaiord's all-strokes answer, 13 steps), so the
    server keeps none either (probe connect9 #3 asked; Garmin's answers say no)."""
    drill = {"drillTypeId": 1, "drillTypeKey": "kick", "displayOrder": 1}
    stored = create(api, workout("Kick", [_step(1, drillType=drill)], sport=(4, "swimming")))
    assert "drillType" not in stored["workoutSegments"][0]["workoutSteps"][0]


def test_sport_other_has_display_order_11(api: Api) -> None:
    # the segment of Garmin's "Core Workout 7" answer: {"sportTypeId": 3, "sportTypeKey": "other", "displayOrder": 11}
    created = create(api, workout("Other", sport=(3, "other")))
    assert created["sportType"] == {"sportTypeId": 3, "sportTypeKey": "other", "displayOrder": 11}
    assert created["workoutSegments"][0]["sportType"]["displayOrder"] == 11


def _strength(category: str, exercise: str) -> dict[str, Any]:
    step = _step(1, "interval", category=category, exerciseName=exercise, weightValue=20000.0,
                 endCondition={"conditionTypeId": 10, "conditionTypeKey": "reps"}, endConditionValue=12.0)
    return workout("Strength", [step], sport=(5, "strength_training"))


def test_strength_exercises_from_garminconnects_catalogue_are_accepted(api: Api) -> None:
    for entry in exercises.EXERCISES[::150]:
        create(api, _strength(entry["category"], entry["exercise"]))


@pytest.mark.parametrize(("sport", "category", "exercise"), [
    ((7, "yoga"), "POSE", "WARRIOR_ONE"), ((7, "yoga"), "HYPEREXTENSION", "COBRA"),
    ((8, "pilates"), "MOVE", "SAW"), ((8, "pilates"), "CORE", "THE_HUNDRED"),
])
def test_the_yoga_and_pilates_catalogues_of_garmins_editor_are_accepted(
        api: Api, sport: tuple[int, str], category: str, exercise: str) -> None:
    # Garmin's editor has yoga, pilates and mobility catalogues (maximecharriere/GarminExercises), the FIT
    # profile's poses and moves; the server refused POSE and MOVE and dropped COBRA (probe connect12)
    document = _strength(category, exercise)
    document["sportType"] = document["workoutSegments"][0]["sportType"] = {"sportTypeId": sport[0],
                                                                          "sportTypeKey": sport[1]}
    stored = create(api, document)["workoutSegments"][0]["workoutSteps"][0]
    assert (stored["category"], stored["exerciseName"]) == (category, exercise)


@pytest.mark.parametrize("category", ["NOT_A_CATEGORY", "UNASSIGNED", "OTHER"])
def test_invalid_strength_exercise_is_400(api: Api, category: str) -> None:
    # garmin_mcp PR #213: "category": "UNASSIGNED" gets "API Error 400 - Invalid category"
    answer = api("POST", "/workout-service/workout", json=_strength(category, "SQUAT"))
    assert answer.status_code == 400
    assert "exercise" in answer.json()["message"]


def test_a_free_text_exercise_without_a_category_is_stored_without_an_exercise(api: Api) -> None:
    # garmin_mcp #196 / PR #213: steps with only a free-text exerciseName upload fine; the editor then
    # shows "Choose an Exercise" (docs/garmin.md)
    stored = create(api, _strength(None, "Goblet Squat"))["workoutSegments"][0]["workoutSteps"][0]
    assert (stored["category"], stored["exerciseName"]) == (None, None)


def test_an_unknown_exercise_name_is_dropped_and_its_category_kept(api: Api) -> None:
    # a builder checked against Garmin Connect: "Garmin silently drops exerciseName values it doesn't
    # recognize rather than erroring" (docs/garmin.md)
    stored = create(api, _strength("SQUAT", "MOONWALK"))["workoutSegments"][0]["workoutSteps"][0]
    assert (stored["category"], stored["exerciseName"]) == ("SQUAT", None)


@pytest.mark.parametrize(("weight", "status"), [(-1.0, 200), (-5.0, 400)])
def test_a_weight_of_minus_one_is_no_weight_and_another_negative_is_400(api: Api, weight: float, status: int) -> None:
    document = _strength("SQUAT", "BARBELL_BACK_SQUAT")
    document["workoutSegments"][0]["workoutSteps"][0]["weightValue"] = weight
    assert api("POST", "/workout-service/workout", json=document).status_code == status


def test_non_json_body_is_400(api: Api) -> None:
    answer = api("POST", "/workout-service/workout", data=b"{not json")
    assert answer.status_code == 400


# schedules and calendar --------------------------------------------------------------------------

def test_every_schedule_call_adds_an_entry_and_delete_removes_one(api: Api, garmin_server: LocalGarminServer) -> None:
    workout_id = create(api)["workoutId"]
    first = api("POST", f"/workout-service/schedule/{workout_id}", json={"date": "2024-05-02"}).json()
    second = api("POST", f"/workout-service/schedule/{workout_id}", json={"date": "2024-05-02"}).json()
    assert first["workoutScheduleId"] != second["workoutScheduleId"]
    assert first["workout"]["workoutId"] == workout_id and first["calendarDate"] == "2024-05-02"
    fetched = api("GET", f"/workout-service/schedule/{first['workoutScheduleId']}").json()
    assert fetched["workoutScheduleId"] == first["workoutScheduleId"]
    assert api("DELETE", f"/workout-service/schedule/{first['workoutScheduleId']}").status_code == 204
    assert [s["workoutScheduleId"] for s in garmin_server.schedules()] == [second["workoutScheduleId"]]
    assert api("DELETE", f"/workout-service/schedule/{first['workoutScheduleId']}").status_code == 404


def test_schedule_needs_a_known_workout_and_a_date(api: Api) -> None:
    assert api("POST", "/workout-service/schedule/77", json={"date": "2024-05-02"}).status_code == 404
    workout_id = create(api)["workoutId"]
    assert api("POST", f"/workout-service/schedule/{workout_id}", json={"day": "2024-05-02"}).status_code == 400
    for day in ("20240502", "2024-5-2", 20240502):  # Garmin parses a Java LocalDate: YYYY-MM-DD only
        assert api("POST", f"/workout-service/schedule/{workout_id}", json={"date": day}).status_code == 400


def test_calendar_month_is_zero_based_and_spans_full_weeks(api: Api, garmin_server: LocalGarminServer) -> None:
    workout_id = create(api)["workoutId"]
    # June 2024 starts on a Saturday: its grid begins Sunday 26 May and ends Saturday 6 July.
    for day in ("2024-05-25", "2024-05-26", "2024-06-15", "2024-07-06", "2024-07-07"):
        api("POST", f"/workout-service/schedule/{workout_id}", json={"date": day})
    garmin_server.add_activity(FIT_BYTES, start_time=datetime(2024, 6, 3, 7, 0, tzinfo=UTC), name="Tempo")
    view = api("GET", "/calendar-service/year/2024/month/5").json()
    workouts = [item["date"] for item in view["calendarItems"] if item["itemType"] == "workout"]
    assert workouts == ["2024-05-26", "2024-06-15", "2024-07-06"]
    assert all(item["workoutId"] == workout_id and item["title"] == "Easy run"
               for item in view["calendarItems"] if item["itemType"] == "workout")
    assert [item["title"] for item in view["calendarItems"] if item["itemType"] == "activity"] == ["Tempo"]
    assert (view["numOfDaysInMonth"], view["startDayOfMonth"]) == (30, 6)
    assert api("GET", "/calendar-service/year/2024/month/12").status_code == 400


# activities ------------------------------------------------------------------------------------

def test_activities_search_newest_first_with_paging_and_dates(api: Api, garmin_server: LocalGarminServer) -> None:
    start = datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    ids = [garmin_server.add_activity(FIT_BYTES, start_time=start + timedelta(days=i), duration_s=1800)
           for i in range(25)]
    first_page = api("GET", "/activitylist-service/activities/search/activities").json()
    assert [a["activityId"] for a in first_page] == ids[::-1][:20]
    second = api("GET", "/activitylist-service/activities/search/activities", params={"start": 20}).json()
    assert [a["activityId"] for a in second] == ids[::-1][20:]
    window = api("GET", "/activitylist-service/activities/search/activities",
                 params={"startDate": "2024-03-02", "endDate": "2024-03-04"}).json()
    assert [a["activityId"] for a in window] == [ids[3], ids[2], ids[1]]


def test_activity_detail_carries_workout_link_and_rpe(api: Api, garmin_server: LocalGarminServer) -> None:
    local = timezone(timedelta(hours=2))
    activity_id = garmin_server.add_activity(
        FIT_BYTES, start_time=datetime(2024, 3, 1, 23, 30, tzinfo=local), activity_type="trail_running",
        name="Hills", duration_s=3600, distance_m=9000, associated_workout_id=100_000_001, direct_workout_rpe=70)
    detail = api("GET", f"/activity-service/activity/{activity_id}").json()
    assert detail["metadataDTO"]["associatedWorkoutId"] == 100_000_001
    assert detail["summaryDTO"]["directWorkoutRpe"] == 70
    assert detail["summaryDTO"]["startTimeLocal"].startswith("2024-03-01T23:30:00")
    assert detail["summaryDTO"]["startTimeGMT"].startswith("2024-03-01T21:30:00")
    assert detail["activityTypeDTO"]["typeKey"] == "trail_running"
    assert api("GET", "/activity-service/activity/1").status_code == 404


def test_download_is_a_zip_with_the_original_fit(api: Api, garmin_server: LocalGarminServer) -> None:
    activity_id = garmin_server.add_activity(FIT_BYTES, start_time=datetime(2024, 3, 1, tzinfo=UTC))
    answer = api("GET", f"/download-service/files/activity/{activity_id}")
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.namelist() == [f"{activity_id}_ACTIVITY.fit"]
        assert archive.read(f"{activity_id}_ACTIVITY.fit") == FIT_BYTES


def test_activities_can_be_fed_over_http(api: Api, garmin_server: LocalGarminServer) -> None:
    activity_id = post_activity(garmin_server.url, FIT_BYTES, start_time=datetime(2024, 3, 1, 7, tzinfo=UTC),
                                name="From the daemon", direct_workout_rpe=40)
    assert api("GET", f"/activity-service/activity/{activity_id}").json()["activityName"] == "From the daemon"
    bad = requests.post(f"{garmin_server.url}/_watchsync/activities", json={"fit_base64": "!!"}, timeout=5)
    assert bad.status_code == 400


def test_an_activity_fed_over_http_goes_to_the_account_its_email_names(garmin_server: LocalGarminServer) -> None:
    import base64

    from watchsync.testing.garmin.auth import Account

    garmin_server.add_account(Account("ben@example.com", "ben-password", display_name="ben", profile_id=777))
    body = {"fit_base64": base64.b64encode(FIT_BYTES).decode(), "start_time": "2024-03-01T07:00:00+00:00",
            "email": "ben@example.com"}
    answer = requests.post(f"{garmin_server.url}/_watchsync/activities", json=body, timeout=5)
    assert answer.status_code == 200
    assert garmin_server._state.activities[answer.json()["activityId"]]["ownerId"] == 777
    unknown = requests.post(f"{garmin_server.url}/_watchsync/activities", json={**body, "email": "x@example.com"},
                            timeout=5)
    assert unknown.status_code == 400 and "no account" in unknown.text


def test_add_activity_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown activity type"):
        LocalGarminServer().add_activity(FIT_BYTES, start_time=datetime(2024, 3, 1), activity_type="jousting")


def test_an_activity_entered_by_hand_has_no_file_and_says_so(api: Api, garmin_server: LocalGarminServer) -> None:
    # gcexport.py: "For manual activities (i.e., entered in online without a file upload), there is no original
    # file" (a 404); the details say metadataDTO.manualActivity (pe-st/garmin-connect-export's stored answers)
    body = {"manual": True, "activity_type": "strength_training", "duration_s": 3600,
            "start_time": "2024-03-01T18:00:00+00:00", "name": "Gym (entered by hand)"}
    answer = requests.post(f"{garmin_server.url}/_watchsync/activities", json=body, timeout=5)
    assert answer.status_code == 200, answer.text
    activity_id = answer.json()["activityId"]
    assert api("GET", f"/activity-service/activity/{activity_id}").json()["metadataDTO"]["manualActivity"] is True
    assert api("GET", f"/download-service/files/activity/{activity_id}").status_code == 404
    listed = api("GET", "/activitylist-service/activities/search/activities").json()
    assert [(a["activityId"], a["parentId"], a["parent"]) for a in listed] == [(activity_id, None, False)]
    for refused in ({**body, "activity_type": None}, {**body, "duration_s": 0},
                    {**body, "fit_base64": base64.b64encode(FIT_BYTES).decode()}, {**body, "manual": False}):
        answer = requests.post(f"{garmin_server.url}/_watchsync/activities", json=refused, timeout=5)
        assert answer.status_code == 400 and "bad activity" in answer.text


def test_deleting_a_multisport_activity_deletes_its_legs(api: Api, garmin_server: LocalGarminServer) -> None:
    triathlon = Path(os.environ.get("WATCHSYNC_FIXTURES") or Path(__file__).resolve().parents[3] / "shared"
                     / "fixtures" / "fit").parent / "fit2" / "muktihari_triathlon_summary_last.fit"
    if not triathlon.is_file():
        pytest.skip(f"fixture {triathlon} not found")
    parent = garmin_server.add_activity(triathlon.read_bytes(), start_time=datetime(2024, 3, 1, 8, tzinfo=UTC))
    legs = api("GET", f"/activity-service/activity/{parent}").json()["metadataDTO"]["childIds"]
    kinds = [api("GET", f"/activity-service/activity/{leg}").json()["activityTypeDTO"]["typeKey"] for leg in legs]
    assert kinds == ["open_water_swimming", "transition", "cycling", "transition", "running"]
    listed = api("GET", "/activitylist-service/activities/search/activities").json()
    assert [a["activityId"] for a in listed] == [parent]  # Garmin lists the parent alone (garmin-health-data #72)
    assert api("DELETE", f"/activity-service/activity/{parent}").status_code == 204
    assert {api("GET", f"/activity-service/activity/{leg}").status_code for leg in legs} == {404}


# auth ------------------------------------------------------------------------------------------

def test_api_routes_need_a_valid_bearer_token(api: Api, garmin_server: LocalGarminServer) -> None:
    anonymous = requests.get(f"{garmin_server.url}/workout-service/workouts", timeout=5)
    assert anonymous.status_code == 401
    forged = requests.get(f"{garmin_server.url}/workout-service/workouts", timeout=5,
                          headers={"Authorization": api.session.headers["Authorization"][:-4] + "AAAA"})
    assert forged.status_code == 401
    assert api("GET", "/workout-service/workouts").status_code == 200
    garmin_server.expire_access_tokens()
    assert api("GET", "/workout-service/workouts").status_code == 401


def test_refresh_tokens_rotate_and_are_single_use(garmin_server: LocalGarminServer) -> None:
    tokens = requests.post(f"{garmin_server.url}/_watchsync/tokens", json={}, timeout=5).json()
    client_id = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": tokens["refresh_token"]}
    url = f"{garmin_server.url}/di-oauth2-service/oauth/token"
    rotated = requests.post(url, data=form, auth=(client_id, ""), timeout=5)
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != tokens["refresh_token"]
    assert requests.post(url, data=form, auth=(client_id, ""), timeout=5).status_code == 400
    assert garmin_server.stats.token_refreshes == 1


# faults ----------------------------------------------------------------------------------------

def test_parse_faults_reads_the_cli_spec() -> None:
    faults = parse_faults("429=0.2,503=0.1,drop=0.05,drop_after=0.02,latency=0.05,seed=7")
    assert faults == Faults(rate_limit=0.2, server_error=0.1, error_status=503, drop=0.05,
                            drop_after_write=0.02, latency=0.05, seed=7)


@pytest.mark.parametrize(("spec", "message"), [("429", "expected key=number"), ("teapot=0.1", "unknown fault"),
                                               ("429=0.7,500=0.6", "at most 1"), ("drop=x", "drop=x")])
def test_parse_faults_names_the_bad_item(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_faults(spec)


def test_injected_429_and_5xx(api: Api, garmin_server: LocalGarminServer) -> None:
    garmin_server.set_faults(Faults(retry_after=7, error_status=503))
    garmin_server.inject(Fault.RATE_LIMIT)
    garmin_server.inject(Fault.SERVER_ERROR)
    limited = api("GET", "/workout-service/workouts")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert api("GET", "/workout-service/workouts").status_code == 503
    assert api("GET", "/workout-service/workouts").status_code == 200


def test_drop_before_loses_the_write_and_drop_after_applies_it(api: Api, garmin_server: LocalGarminServer) -> None:
    garmin_server.inject(Fault.DROP)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/workout-service/workout", json=workout())
    assert garmin_server.workouts() == []
    garmin_server.inject(Fault.DROP_AFTER_WRITE)
    assert api("GET", "/workout-service/workouts").status_code == 200  # reads pass a drop-after
    with pytest.raises(requests.ConnectionError):
        api("POST", "/workout-service/workout", json=workout())
    assert len(garmin_server.workouts()) == 1


def test_fault_rates_are_seeded_and_spare_test_routes(garmin_server: LocalGarminServer) -> None:
    def statuses() -> list[int]:
        api = Api(garmin_server)
        garmin_server.set_faults("429=0.3,500=0.2,seed=3")
        return [api("GET", "/workout-service/workouts").status_code for _ in range(200)]

    first = statuses()
    assert first == statuses()
    assert 40 <= first.count(429) <= 80 and 20 <= first.count(500) <= 60
    assert all(requests.post(f"{garmin_server.url}/_watchsync/tokens", json={}, timeout=5).ok for _ in range(20))


def test_latency_is_added_to_api_requests(api: Api, garmin_server: LocalGarminServer) -> None:
    garmin_server.set_faults(Faults(latency=0.05))
    began = time.perf_counter()
    api("GET", "/workout-service/workouts")
    assert time.perf_counter() - began >= 0.05


# persistence -----------------------------------------------------------------------------------

def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "garmin.json"
    with running_server(state) as server:
        api = Api(server)
        created = create(api)
        api("POST", f"/workout-service/schedule/{created['workoutId']}", json={"date": "2024-05-02"})
        activity_id = server.add_activity(FIT_BYTES, start_time=datetime(2024, 5, 2, tzinfo=UTC))
        token = api.session.headers["Authorization"]
    assert json.loads(state.read_text())["workouts"][0]["workoutId"] == created["workoutId"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    with running_server(state) as server:
        again = requests.Session()
        again.headers["Authorization"] = str(token)
        fetched = again.get(f"{server.url}/workout-service/workout/{created['workoutId']}", timeout=5)
        assert fetched.json() == created
        assert len(server.schedules()) == 1
        download = again.get(f"{server.url}/download-service/files/activity/{activity_id}", timeout=5)
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            assert archive.read(f"{activity_id}_ACTIVITY.fit") == FIT_BYTES
        assert create(Api(server))["workoutId"] > created["workoutId"]


def test_a_corrupt_state_file_is_a_one_line_error(tmp_path: Path) -> None:
    state = tmp_path / "garmin.json"
    state.write_text("{not json")
    with pytest.raises(ValueError, match="not a watchsync server state file") as raised:
        LocalGarminServer(state)
    assert "\n" not in str(raised.value)


def test_snapshots_are_copies(api: Api, garmin_server: LocalGarminServer) -> None:
    create(api)
    snapshot = garmin_server.workouts()
    original = copy.deepcopy(snapshot)
    snapshot[0]["workoutName"] = "changed"
    assert garmin_server.workouts() == original


def test_control_routes_drive_the_server_from_another_process(api: Api, garmin_server: LocalGarminServer) -> None:
    control = f"{garmin_server.url}/_watchsync"
    assert requests.post(f"{control}/faults", json={"spec": "500=1"}, timeout=5).status_code == 204
    assert api("GET", "/workout-service/workouts").status_code == 500
    assert requests.post(f"{control}/faults", json={"spec": "500=2"}, timeout=5).status_code == 400
    requests.post(f"{control}/faults", json={"spec": ""}, timeout=5)
    requests.post(f"{control}/tokens/expire", timeout=5)
    assert api("GET", "/workout-service/workouts").status_code == 401
    fresh = Api(garmin_server)
    requests.post(f"{control}/tokens/revoke", timeout=5)
    assert fresh("GET", "/workout-service/workouts").status_code == 401
    stats = requests.get(f"{control}/stats", timeout=5).json()
    counts = {(row["method"], row["route"]): row["count"] for row in stats["requests"]}
    assert counts[("GET", "/workout-service/workouts")] == 3
    assert stats["credential_logins"] == 0
