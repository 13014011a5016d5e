"""The connectapi routes of the local server: workouts, schedules, calendar, activities, profile.

Every account sees its own: another account's workout, schedule or activity id answers 403 (as
Garmin answers for an id the token's account may not see), an unknown one 404. A workout update
answers 200 with an empty body, as Garmin does.
"""

from __future__ import annotations

import calendar
import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

from watchsync.testing.garmin.auth import SsoDesk
from watchsync.testing.garmin.state import (
    ServerState,
    activity_day,
    garmin_time,
    month_grid,
    summary,
)
from watchsync.testing.garmin.validate import WorkoutRejected, normalized_workout
from watchsync.testing.garmin.wire import Request, Response, Route, RouteKind, error_response, json_response

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ACTIVITY_PAGE = 20
WORKOUT_PAGE = 100


class BadRequest(ValueError):
    """A malformed parameter: HTTP 400 with this message."""


class ApiRoutes:
    """Handlers for what garminconnect calls on connectapi."""

    def __init__(self, state: ServerState, desk: SsoDesk, page_cap: int | None = None,
                 list_legs: bool = False) -> None:
        self._state = state
        self._desk = desk
        self._page_cap = page_cap
        self._list_legs = list_legs

    def _page(self, request: Request, default_limit: int) -> tuple[int, int]:
        """``start`` and ``limit`` of a listing, the limit held to the page cap (if one is set)."""
        start, limit = _int_query(request, "start", 0), _int_query(request, "limit", default_limit)
        return start, limit if self._page_cap is None else min(limit, self._page_cap)

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
            Route("DELETE", "/activity-service/activity/{id}", api, self.delete_activity),
            Route("GET", "/download-service/files/activity/{id}", api, self.download_activity),
        ]

    def social_profile(self, request: Request) -> Response:
        account = self._account(request)
        return json_response({"id": account.profile_id, "profileId": account.profile_id,
                              "displayName": account.display_name, "fullName": account.full_name,
                              "userName": account.email})

    def user_settings(self, request: Request) -> Response:
        return json_response({"id": self._account(request).profile_id,
                              "userData": {"measurementSystem": "metric", "timeFormat": "time_twenty_four_hr"}})

    def _account(self, request: Request) -> Any:
        account = self._desk.by_profile(request.owner or 0)
        if account is None:
            raise BadRequest("the token's account no longer exists")
        return account

    def create_workout(self, request: Request) -> Response:
        account = self._account(request)
        return json_response(self._state.put_workout(_checked_workout(request), owner=account.profile_id,
                                                     display_name=account.display_name))

    def get_workout(self, request: Request) -> Response:
        with self._state.lock:
            refused = self._not_yours(request, self._state.workouts, "workout")
            return refused or json_response(self._state.workouts[_id(request)])

    def update_workout(self, request: Request) -> Response:
        workout = _checked_workout(request)
        account = self._account(request)
        with self._state.lock:
            refused = self._not_yours(request, self._state.workouts, "workout")
            if refused:
                return refused
            self._state.put_workout(workout, _id(request), owner=account.profile_id,
                                    display_name=account.display_name)
        return Response(200, b"", "application/json")  # Garmin answers an update 200 with no body

    def delete_workout(self, request: Request) -> Response:
        with self._state.lock:
            refused = self._not_yours(request, self._state.workouts, "workout")
            if refused:
                return refused
            self._state.delete_workout(_id(request))
        return Response(204)

    def _not_yours(self, request: Request, table: dict[int, dict[str, Any]], kind: str) -> Response | None:
        """404 for an unknown id, 403 for another account's, None for the caller's own."""
        entry = table.get(_id(request))
        if entry is None:
            return _missing(kind, request)
        owner = entry.get("ownerId")
        if owner is None and "workoutId" in entry:  # a schedule: owned through its workout
            owner = self._state.workouts.get(entry["workoutId"], {}).get("ownerId")
        if owner != request.owner:
            return error_response(403, "Forbidden")
        return None

    def list_workouts(self, request: Request) -> Response:
        start, limit = self._page(request, WORKOUT_PAGE)
        with self._state.lock:
            workouts = [summary(self._state.workouts[key]) for key in sorted(self._state.workouts)
                        if self._state.workouts[key]["ownerId"] == request.owner]
        return json_response(workouts[start:start + limit])

    def schedule(self, request: Request) -> Response:
        try:
            body = request.json()
            if not isinstance(body["date"], str) or not _ISO_DAY.fullmatch(body["date"]):
                raise ValueError(body["date"])  # Garmin parses a Java LocalDate: "2030-03-04", never "20300304"
            day = date.fromisoformat(body["date"])
        except (ValueError, KeyError, TypeError):
            raise BadRequest('schedule body must be {"date": "YYYY-MM-DD"}') from None
        with self._state.lock:
            refused = self._not_yours(request, self._state.workouts, "workout")
            return refused or json_response(self._state.add_schedule(_id(request), day))

    def get_schedule(self, request: Request) -> Response:
        with self._state.lock:
            refused = self._not_yours(request, self._state.schedules, "schedule")
            return refused or json_response(self._state.schedule_view(_id(request)))

    def unschedule(self, request: Request) -> Response:
        with self._state.lock:
            refused = self._not_yours(request, self._state.schedules, "schedule")
            if refused:
                return refused
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
                workout = self._state.workouts[entry["workoutId"]]
                if first <= day <= last and workout["ownerId"] == request.owner:
                    items.append({"id": entry["workoutScheduleId"], "itemType": "workout",
                                  "workoutId": entry["workoutId"], "title": workout["workoutName"],
                                  "date": entry["calendarDate"],
                                  "sportTypeKey": workout["sportType"]["sportTypeKey"]})
            for activity in self._state.activities.values():
                if first <= activity_day(activity) <= last and activity.get("ownerId") == request.owner:
                    items.append({"id": activity["activityId"], "itemType": "activity",
                                  "activityTypeId": activity["activityType"]["typeId"],
                                  "title": activity["activityName"],
                                  "date": activity_day(activity).isoformat(),
                                  "duration": activity["duration"], "distance": activity["distance"]})
            items += [{key: value for key, value in item.items() if key != "ownerId"}
                      for item in self._state.other_items
                      if item.get("ownerId") == request.owner and first <= date.fromisoformat(item["date"]) <= last]
        items.sort(key=lambda item: (item["date"], item["itemType"], item["id"] or 0))
        weekday_of_first, days = calendar.monthrange(year, month0 + 1)
        days_before = 31 if month0 == 0 else calendar.monthrange(year, month0)[1]  # December has 31
        return json_response({"year": year, "month": month0, "startDayOfMonth": (weekday_of_first + 1) % 7,
                              "numOfDaysInMonth": days, "numOfDaysInPrevMonth": days_before,
                              "calendarItems": items})

    def search_activities(self, request: Request) -> Response:
        start, limit = self._page(request, ACTIVITY_PAGE)
        first, last = _date_query(request, "startDate"), _date_query(request, "endDate")
        kind = request.query.get("activityType")
        with self._state.lock:
            found = [
                _list_item(activity) for activity in self._state.activities.values()
                if activity.get("ownerId") == request.owner
                and (first is None or activity_day(activity) >= first)
                and (last is None or activity_day(activity) <= last)
                and (kind is None or activity["activityType"]["typeKey"] == kind)
                and (self._list_legs or activity.get("parentId") is None)  # Garmin lists the parent alone
            ]
        found.sort(key=lambda item: (item["startTimeGMT"], item["activityId"]), reverse=True)
        return json_response(found[start:start + limit])

    def get_activity(self, request: Request) -> Response:
        with self._state.lock:
            refused = self._not_yours(request, self._state.activities, "activity")
            if refused:
                return refused
            activity = self._state.activities[_id(request)]
            local = datetime.fromisoformat(activity["startTimeLocal"])
            gmt = datetime.fromisoformat(activity["startTimeGMT"])
            details = {
                "activityId": activity["activityId"], "activityName": activity["activityName"],
                "activityTypeDTO": activity["activityType"],
                "isMultiSportParent": "childIds" in activity,
                "summaryDTO": {"startTimeLocal": garmin_time(local), "startTimeGMT": garmin_time(gmt),
                               "duration": activity["duration"], "distance": activity["distance"],
                               "directWorkoutRpe": activity["directWorkoutRpe"]},
                "metadataDTO": {"associatedWorkoutId": activity["associatedWorkoutId"],
                                "hasSplits": False, "manualActivity": bool(activity.get("manualActivity")),
                                "childIds": list(activity.get("childIds", []))},
            }
            if activity.get("parentId") is not None:
                details["parentId"] = activity["parentId"]
            return json_response(details)

    def delete_activity(self, request: Request) -> Response:
        """garminconnect's ``delete_activity``: gone from the list, its details and download 404 after."""
        with self._state.lock:
            refused = self._not_yours(request, self._state.activities, "activity")
            if refused:
                return refused
            self._state.delete_activity(_id(request))
        return Response(204)

    def download_activity(self, request: Request) -> Response:
        activity_id = _id(request)
        with self._state.lock:
            refused = self._not_yours(request, self._state.activities, "activity")
            if refused:
                return refused
            fit = self._state.fit_bytes(activity_id)
        if fit is None:  # entered by hand: "there is no original file" (gcexport.py)
            return _missing("activity file", request)
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
            if key not in ("associatedWorkoutId", "directWorkoutRpe", "ownerId", "childIds")}


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

