"""Row types of the store and their construction from SQLite rows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

Op = Literal["push", "schedule", "unschedule", "delete"]
OutboxState = Literal["pending", "done", "parked"]
ScheduleState = Literal["pending", "scheduled", "unscheduling", "removed"]


@dataclass(frozen=True)
class WorkoutRow:
    id: int
    athlete: str
    key: str
    source_path: str | None
    content_hash: str
    remote_id: int | None
    payload: dict[str, Any]
    fit_path: str | None
    updated_at: datetime
    deleted: bool


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    athlete: str
    workout_key: str
    date: date
    remote_schedule_id: int | None
    state: ScheduleState


@dataclass(frozen=True)
class OutboxItem:
    id: int
    athlete: str
    op: Op
    workout_key: str
    date: date | None
    payload: Any
    attempts: int
    not_before: datetime
    last_error: str | None
    state: OutboxState
    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class ActivityRow:
    athlete: str
    activity_id: int
    start_time: datetime
    sport: str | None
    fit_path: str | None
    summary: dict[str, Any]
    analysed_at: datetime | None


@dataclass(frozen=True)
class ComplianceRow:
    athlete: str
    session_key: str
    date: date
    activity_id: int | None
    status: str
    scores: dict[str, Any]


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def workout_row(row: sqlite3.Row) -> WorkoutRow:
    return WorkoutRow(row["id"], row["athlete"], row["key"], row["source_path"], row["content_hash"],
                      row["remote_id"], json.loads(row["payload"]), row["fit_path"],
                      datetime.fromisoformat(row["updated_at"]), bool(row["deleted"]))


def schedule_row(row: sqlite3.Row) -> ScheduleRow:
    return ScheduleRow(row["id"], row["athlete"], row["workout_key"], date.fromisoformat(row["date"]),
                       row["remote_schedule_id"], row["state"])


def outbox_item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(row["id"], row["athlete"], row["op"], row["workout_key"],
                      date.fromisoformat(row["date"]) if row["date"] else None,
                      json.loads(row["payload"]) if row["payload"] is not None else None, row["attempts"],
                      datetime.fromisoformat(row["not_before"]), row["last_error"], row["state"],
                      datetime.fromisoformat(row["created_at"]), _time(row["done_at"]))


def activity_row(row: sqlite3.Row) -> ActivityRow:
    return ActivityRow(row["athlete"], row["activity_id"], datetime.fromisoformat(row["start_time"]),
                       row["sport"], row["fit_path"], json.loads(row["summary"]), _time(row["analysed_at"]))


def compliance_row(row: sqlite3.Row) -> ComplianceRow:
    return ComplianceRow(row["athlete"], row["session_key"], date.fromisoformat(row["date"]),
                         row["activity_id"], row["status"], json.loads(row["scores"]))
