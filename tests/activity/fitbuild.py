"""Small FIT activities built with fit-tool for edge cases real files show (pauses, 2 Hz, multisport...).

Times are Unix seconds; a device-relative time ``v`` (FIT "system time", below 0x10000000) is passed
as ``FIT_EPOCH + v``. Fields left ``None`` are not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.hr_message import HrMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.sport_message import SportMessage
from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer
from fit_tool.profile.profile_type import Sport as FitSport
from fit_tool.profile.profile_type import SubSport as FitSubSport

FIT_EPOCH = 631065600
MS = 1000


@dataclass
class Sample:
    """One record."""

    time: float
    heart_rate: int | None = None
    distance: float | None = None
    power: int | None = None
    cadence: int | None = None


@dataclass
class SessionSpec:
    """One session message (its laps: one lap covering it)."""

    sport: FitSport
    start: float
    timer: float | None
    elapsed: float | None
    sub_sport: FitSubSport = FitSubSport.GENERIC
    distance: float | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    avg_power: int | None = None
    ascent: int | None = None  # total_ascent, metres
    #: The summary's ``timestamp`` (Unix s) when it is not the session's end: a Summary-First file's
    #: creation time, say.
    stamp: float | None = None


@dataclass
class ActivitySpec:
    """A whole activity file (one FIT segment)."""

    sessions: list[SessionSpec]
    samples: list[Sample]
    timer: list[tuple[float, EventType]] = field(default_factory=list)
    time_created: float | None = None
    local_timestamp: float | None = None  # the activity message's local wall-clock end (as Unix s)
    end: float | None = None
    laps_only: bool = False  # each session's lap but no session message (some devices and exporters)
    #: HRM-Swim/Tri style ``hr`` messages: (time, event seconds, bpm) anchors and lists of beats per message
    hr_messages: list[tuple[float, list[float], list[int]]] = field(default_factory=list)
    declared_sport: tuple[FitSport, FitSubSport] | None = None  # a `sport` message after file_id
    #: as a multisport watch writes: each leg's `sport` message at its start, its lap and session at its end
    legs: bool = False
    #: as a handheld (Oregon 700) writes: laps without a ``start_time``, a session without lap indexes
    bare_laps: bool = False


def build(spec: ActivitySpec) -> bytes:
    """The FIT bytes of ``spec``: file_id, events, records, laps, sessions, activity."""
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    file_id.time_created = round((spec.time_created or spec.sessions[0].start) * MS)
    builder.add(file_id)
    if spec.declared_sport is not None:
        sport = SportMessage()
        sport.sport, sport.sub_sport = spec.declared_sport
        builder.add(sport)
    messages: list[tuple[float, Any]] = [(time, _event(time, kind)) for time, kind in spec.timer]
    messages += [(s.time, _record(s)) for s in spec.samples]
    messages += [(time, _hr(time, events, bpm)) for time, events, bpm in spec.hr_messages]
    if spec.legs:
        for index, session in enumerate(spec.sessions):
            leg_end = session.start + (session.elapsed or session.timer or 0)
            sport = SportMessage()
            sport.sport, sport.sub_sport = session.sport, session.sub_sport
            messages += [(session.start - 0.002, sport), (leg_end - 0.002, _lap(session, index)),
                         (leg_end - 0.001, _session(session, index))]
    builder.add_all([m for _, m in sorted(messages, key=lambda pair: pair[0])])
    end = spec.end or max(s.time for s in spec.samples) + 1
    for index, session in enumerate([] if spec.legs else spec.sessions):
        builder.add(_lap(session, index, start=not spec.bare_laps))
    for index, session in enumerate([] if spec.laps_only or spec.legs else spec.sessions):
        builder.add(_session(session, index, indexed=not spec.bare_laps))
    activity = ActivityMessage()
    activity.timestamp = round(end * MS)
    activity.num_sessions = 0 if spec.laps_only else len(spec.sessions)
    activity.event = Event.ACTIVITY
    activity.event_type = EventType.STOP
    if spec.local_timestamp is not None:
        activity.local_timestamp = round(spec.local_timestamp - FIT_EPOCH)
    builder.add(activity)
    data: bytes = builder.build().to_bytes()
    return data


def _hr(time: float, events: list[float], bpm: list[int]) -> HrMessage:
    """One ``hr`` message: its time, beats as whole ``event_timestamp`` values (s) and their bpm."""
    message = HrMessage()
    message.timestamp = round(time * MS)
    message.event_timestamp = events
    message.filtered_bpm = bpm
    return message


def _event(time: float, kind: EventType) -> EventMessage:
    message = EventMessage()
    message.timestamp = round(time * MS)
    message.event = Event.TIMER
    message.event_type = kind
    return message


def _record(sample: Sample) -> RecordMessage:
    message = RecordMessage()
    message.timestamp = round(sample.time * MS)
    for name in ("heart_rate", "distance", "power", "cadence"):
        value = getattr(sample, name)
        if value is not None:
            setattr(message, name, value)
    return message


def _totals(message: LapMessage | SessionMessage, session: SessionSpec, start: bool = True) -> None:
    if start:
        message.start_time = round(session.start * MS)
    end = session.stamp if session.stamp is not None else session.start + (session.elapsed or session.timer or 0)
    message.timestamp = round(end * MS)
    message.sport = session.sport
    message.sub_sport = session.sub_sport
    for name, value in (("total_timer_time", session.timer), ("total_elapsed_time", session.elapsed),
                        ("total_distance", session.distance), ("avg_heart_rate", session.avg_hr),
                        ("max_heart_rate", session.max_hr), ("avg_power", session.avg_power),
                        ("total_ascent", session.ascent)):
        if value is not None:
            setattr(message, name, value)


def _lap(session: SessionSpec, index: int, start: bool = True) -> LapMessage:
    message = LapMessage()
    message.message_index = index
    message.event = Event.LAP
    message.event_type = EventType.STOP
    _totals(message, session, start)
    return message


def _session(session: SessionSpec, index: int, indexed: bool = True) -> SessionMessage:
    message = SessionMessage()
    message.message_index = index
    message.event = Event.SESSION
    message.event_type = EventType.STOP
    if indexed:
        message.first_lap_index = index
        message.num_laps = 1
    _totals(message, session)
    return message


#: The athlete the analyze tests read: anna, HR-trained, in Oslo.
ANNA_MAX_HR, ANNA_REST_HR, ANNA_ZONE = 190, 50, "Europe/Oslo"


def anna_config(directory: Path, environment: Any) -> Path:
    """A config file of :data:`ANNA_MAX_HR` and her zone in ``directory`` (the analyze tests' athlete), with no
    configuration from the environment (``environment``: pytest's monkeypatch)."""
    for name in ("WATCHSYNC_CONFIG", "WATCHSYNC_ENDPOINT", "WATCHSYNC_STATE_DIR"):
        environment.delenv(name, raising=False)
    path = directory / "config.toml"
    path.write_text(f"[athletes.anna]\nmax_hr = {ANNA_MAX_HR}\nresting_hr = {ANNA_REST_HR}\nlthr = 170\n"
                    f'timezone = "{ANNA_ZONE}"\n', encoding="utf-8")
    return path
