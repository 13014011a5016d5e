"""What a compliance report shows: the plan summary, one row per session, one point per day."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from watchsync.compliance.summary import PlanSummary
from watchsync.model.units import Units

SessionStatus = Literal["green", "yellow", "orange", "red", "pending", "unplanned"]
DayStatus = Literal["green", "yellow", "orange", "red", "pending", "unplanned", "rest"]

#: Worst first: the status a calendar day shows when several sessions share it.
STATUS_SEVERITY: tuple[SessionStatus, ...] = ("red", "orange", "yellow", "pending", "green", "unplanned")


class StepRow(BaseModel):
    """One planned step as done (the drill-down ``analyze`` shows): time in its target band."""

    model_config = ConfigDict(frozen=True)

    index: int
    name: str | None
    target: str  # "140-152 bpm", "open"
    executions: int
    planned_executions: int = 0  # 0: not known (a score stored before it was kept)
    runs_known: bool = True  # False: steps laid along the timer (no laps), how often each ran is not known
    seconds: float
    inside: float | None
    above: float | None
    below: float | None


class SessionRow(BaseModel):
    """A planned session (done, missed or pending) or an unplanned activity, with its scores."""

    model_config = ConfigDict(frozen=True)

    day: date  # the planned date; an unplanned activity's own date
    session_id: str | None
    activity_id: str | None
    done_on: date | None  # the activity's date
    name: str
    sport: str
    status: SessionStatus
    metric: Literal["duration", "distance"] | None
    planned: float | None  # seconds or metres, by ``metric``
    done: float | None
    ratio: float | None
    in_target: float | None  # share of scored time inside the target band
    easy_above: float | None  # share of easy time above the ceiling
    rpe_prescribed: float | None
    rpe_reported: float | None
    days_late: int | None
    flags: list[str]
    steps: list[StepRow] = []  # the step-by-step drill-down of a done session
    easy_basis: list[str] = []  # what the easy-run judgement used (heart_rate, pace, rpe)
    substitute: bool = False  # cross-training done instead of the planned run
    activity_title: str | None = None  # the done activity's name at Garmin Connect ("Morning Run")
    ascent_m: float | None = None  # the done activity's total ascent (a trail runner's other volume)


class DayPoint(BaseModel):
    """One calendar day: its status, training load and the EWMA acute:chronic ratio at its end."""

    model_config = ConfigDict(frozen=True)

    day: date
    status: DayStatus
    load: float
    acwr: float | None


class ComplianceReport(BaseModel):
    """Everything the terminal, HTML, JSON and CSV renderers show."""

    model_config = ConfigDict(frozen=True)

    athlete: str
    today: date
    load_metric: Literal["trimp", "srpe"]
    acwr_flag: float
    acwr_min_history_days: int
    easy_share_target: float
    summary: PlanSummary
    sessions: list[SessionRow]
    days: list[DayPoint]
    units: Units = Units.METRIC  # the athlete's display units: distances in miles for an imperial athlete
    #: The first day of the athlete's load history, which every day's ACWR starts from (None: no activity).
    acwr_from: date | None = None

    def sessions_in_week(self, monday: date) -> list[SessionRow]:
        """Rows whose day falls in the week starting on ``monday``."""
        return [row for row in self.sessions if 0 <= (row.day - monday).days < 7]
