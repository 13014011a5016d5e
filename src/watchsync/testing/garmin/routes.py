"""The connectapi routes of the local server: workouts, schedules, calendar, activities, profile."""

from __future__ import annotations

import calendar
import io
import zipfile
from datetime import date, datetime
from typing import Any

from watchsync.testing.garmin.auth import Account
from watchsync.testing.garmin.state import (
    OWNER_ID,
    ServerState,
    activity_day,
    garmin_time,
    month_grid,
    summary,
)
from watchsync.testing.garmin.validate import WorkoutRejected, normalized_workout
from watchsync.testing.garmin.wire import Request, Response, Route, RouteKind, error_response, json_response

ACTIVITY_PAGE = 20
WORKOUT_PAGE = 100


class BadRequest(ValueError):
    """A malformed parameter: HTTP 400 with this message."""


class ApiRoutes:
    """Handlers for what garminconnect calls on connectapi."""

    def __init__(self, state: ServerState, account: Account) -> None:
        self._state = state
        self._account = account

    def routes(self) -> list[Route]:
        api = RouteKind.API
        return [
            Route("GET", "/userprofile-service/socialProfile", api, self.social_profile),
            Route("GET", "/userprofile-service/userprofile/user-settings", api, self.user_settings),
            Route("POST", "/workout-service/workout", api, self.create_workout),
            Route("GET", "/workout-service/workout/{id}", api, self.get_workout),
            Route("PUT", "/workout-service/workout/{id}", api, self.update_workout),
            Route("DELETE", "/workout-service/workout/{id}", api, self.delete_workout),
            Route("GET", "/workout-service/workouts", api, self.list_workouts),
            Route("POST", "/workout-service/schedule/{id}", api, self.schedule),
            Route("GET", "/workout-service/schedule/{id}", api, self.get_schedule),
            Route("DELETE", "/workout-service/schedule/{id}", api, self.unschedule),
            Route("GET", "/calendar-service/year/{year}/month/{month}", api, self.calendar_month),
            Route("GET", "/activitylist-service/activities/search/activities", api, self.search_activities),
            Route("GET", "/activity-service/activity/{id}", api, self.get_activity),
            Route("GET", "/download-service/files/activity/{id}", api, self.download_activity),
        ]

    def social_profile(self, request: Request) -> Response:
        account = self._account
        return json_response({"id": OWNER_ID, "profileId": OWNER_ID, "displayName": account.display_name,
                              "fullName": account.full_name, "userName": account.email})

    def user_settings(self, request: Request) -> Response:
        return json_response({"id": OWNER_ID, "userData": {"measurementSystem": "metric",
                                                           "timeFormat": "time_twenty_four_hr"}})

    def create_workout(self, request: Request) -> Response:
        return json_response(self._state.put_workout(_checked_workout(request)))

    def get_workout(self, request: Request) -> Response:
        with self._state.lock:
            workout = self._state.workouts.get(_id(request))
            return json_response(workout) if workout else _missing("workout", request)

    def update_workout(self, request: Request) -> Response:
        workout = _checked_workout(request)
        with self._state.lock:
            if _id(request) not in self._state.workouts:
                return _missing("workout", request)
            self._state.put_workout(workout, _id(request))
        return Response(204)

    def delete_workout(self, request: Request) -> Response:
        with self._state.lock:
            if _id(request) not in self._state.workouts:
                return _missing("workout", request)
            self._state.delete_workout(_id(request))
        return Response(204)

    def list_workouts(self, request: Request) -> Response:
        start, limit = _int_query(request, "start", 0), _int_query(request, "limit", WORKOUT_PAGE)
        with self._state.lock:
            workouts = [summary(self._state.workouts[key]) for key in sorted(self._state.workouts)]
        return json_response(workouts[start:start + limit])

    def schedule(self, request: Request) -> Response:
        try:
            body = request.json()
            day = date.fromisoformat(body["date"])
        except (ValueError, KeyError, TypeError):
            raise BadRequest('schedule body must be {"date": "YYYY-MM-DD"}') from None
        with self._state.lock:
            if _id(request) not in self._state.workouts:
                return _missing("workout", request)
            return json_response(self._state.add_schedule(_id(request), day))

    def get_schedule(self, request: Request) -> Response:
        with self._state.lock:
            if _id(request) not in self._state.schedules:
                return _missing("schedule", request)
            return json_response(self._state.schedule_view(_id(request)))

    def unschedule(self, request: Request) -> Response:
        with self._state.lock:
            if _id(request) not in self._state.schedules:
                return _missing("schedule", request)
            self._state.delete_schedule(_id(request))
        return Response(204)

    def calendar_month(self, request: Request) -> Response:
        year, month0 = _int_param(request, "year"), _int_param(request, "month")
        if not 0 <= month0 <= 11 or not 1 <= year <= 9999:
            raise BadRequest(f"no such month: year {year}, month {month0} (months are 0-based)")
        first, last = month_grid(year, month0)
        items: list[dict[str, Any]] = []
        with self._state.lock:
            for entry in self._state.schedules.values():
                day = date.fromisoformat(entry["calendarDate"])
                if first <= day <= last:
                    workout = self._state.workouts[entry["workoutId"]]
                    items.append({"id": entry["workoutScheduleId"], "itemType": "workout",
                                  "workoutId": entry["workoutId"], "title": workout["workoutName"],
                                  "date": entry["calendarDate"],
                                  "sportTypeKey": workout["sportType"]["sportTypeKey"]})
            for activity in self._state.activities.values():
                if first <= activity_day(activity) <= last:
                    items.append({"id": activity["activityId"], "itemType": "activity",
                                  "activityTypeId": activity["activityType"]["typeId"],
                                  "title": activity["activityName"],
                                  "date": activity_day(activity).isoformat(),
                                  "duration": activity["duration"], "distance": activity["distance"]})
        items.sort(key=lambda item: (item["date"], item["itemType"], item["id"]))
        weekday_of_first, days = calendar.monthrange(year, month0 + 1)
        return json_response({"year": year, "month": month0, "startDayOfMonth": (weekday_of_first + 1) % 7,
                              "numOfDaysInMonth": days, "calendarItems": items})

    def search_activities(self, request: Request) -> Response:
        start, limit = _int_query(request, "start", 0), _int_query(request, "limit", ACTIVITY_PAGE)
        first, last = _date_query(request, "startDate"), _date_query(request, "endDate")
        kind = request.query.get("activityType")
        with self._state.lock:
            found = [
                _list_item(activity) for activity in self._state.activities.values()
                if (first is None or activity_day(activity) >= first)
                and (last is None or activity_day(activity) <= last)
                and (kind is None or activity["activityType"]["typeKey"] == kind)
            ]
        found.sort(key=lambda item: (item["startTimeGMT"], item["activityId"]), reverse=True)
        return json_response(found[start:start + limit])

    def get_activity(self, request: Request) -> Response:
        with self._state.lock:
            activity = self._state.activities.get(_id(request))
            if activity is None:
                return _missing("activity", request)
            local = datetime.fromisoformat(activity["startTimeLocal"])
            gmt = datetime.fromisoformat(activity["startTimeGMT"])
            return json_response({
                "activityId": activity["activityId"], "activityName": activity["activityName"],
                "activityTypeDTO": activity["activityType"],
                "summaryDTO": {"startTimeLocal": garmin_time(local), "startTimeGMT": garmin_time(gmt),
                               "duration": activity["duration"], "distance": activity["distance"],
                               "directWorkoutRpe": activity["directWorkoutRpe"]},
                "metadataDTO": {"associatedWorkoutId": activity["associatedWorkoutId"],
                                "hasSplits": False, "manualActivity": False},
            })

    def download_activity(self, request: Request) -> Response:
        activity_id = _id(request)
        with self._state.lock:
            if activity_id not in self._state.activities:
                return _missing("activity", request)
            fit = self._state.fit_bytes(activity_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{activity_id}_ACTIVITY.fit", fit)
        return Response(200, buffer.getvalue(), "application/zip")


def _checked_workout(request: Request) -> dict[str, Any]:
    try:
        payload = request.json()
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    try:
        return normalized_workout(payload)
    except WorkoutRejected as error:
        raise BadRequest(str(error)) from None


def _list_item(activity: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in activity.items()
            if key not in ("associatedWorkoutId", "directWorkoutRpe")}


def _missing(kind: str, request: Request) -> Response:
    return error_response(404, f"{kind} {request.params.get('id')} not found")


def _id(request: Request) -> int:
    return _int_param(request, "id")


def _int_param(request: Request, name: str) -> int:
    raw = request.params[name]
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a number, got {raw!r}")
    return int(raw)


def _int_query(request: Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a non-negative integer, got {raw!r}")
    return int(raw)


def _date_query(request: Request, name: str) -> date | None:
    raw = request.query.get(name)
    try:
        return None if raw is None else date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be YYYY-MM-DD, got {raw!r}") from None

