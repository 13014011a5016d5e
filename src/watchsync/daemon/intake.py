"""Intake of one inbox file: validate, resolve, compile, queue for Garmin, then move the file.

A workout file (``.txt``, ``.toml``, ``.fit``, Garmin Connect ``.json``) is parsed, resolved for the inbox's athlete and
compiled to a FIT workout; its push is queued (workout row and outbox row in one transaction),
the FIT file is archived as ``<state_dir>/fit/<athlete>/<key>.fit`` and the file moves to
``processed/``. The archive is a by-product: once the push is queued, a failed archive write is
logged and the file is still processed (rejecting it would hide a push that goes ahead). The
workout's key is its name (see :func:`watchsync.prepare.workout_key`), so a file dropped
again with new content updates the same Garmin workout, and with the same content changes nothing.
A file dropped again under a new workout name replaces the workout its earlier version made: that
one's calendar entries move to the new workout and it is deleted at Garmin.

A plan file (TOML with ``[[weeks]]``, see :mod:`watchsync.plan.parse`) needs a ``start`` date and is
applied in one transaction: each session is scheduled on its date. Sessions given inline (``text``)
are pushed from the plan; sessions that name a workout file are looked up in ``processed/`` (or the
plan's ``library``) and pushed only when the athlete has no workout of that name yet, since a
workout dropped as a file is owned by that file. A plan with ``plan lint`` errors is rejected with
the lint report (issues and weekly totals) in its ``.error.txt``, unless the file says
``force = true``.

A problem in the file (an :class:`~watchsync.errors.InputError`) sends it to ``rejected/`` with
``<name>.error.txt`` saying what is wrong and where (``name:line:col``; a long line is quoted by a
short excerpt only). A fault of this host (disk full, read-only, damaged store, I/O error) is never
the coach's: the file stays in the inbox, the fault is logged and remembered, and the watcher
tries the file again on a backoff until the fault clears (:class:`~watchsync.daemon.inbox.RetryLater`).
Any other exception is a bug: logged as an internal error with its traceback, the file stays in
the inbox (a later rescan or change tries it again). A file removed while it is taken in is
logged as such; what was queued from it is pushed.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watchsync.daemon.inbox import RetryLater, file_version
from watchsync.daemon.intake_files import PROCESSED, excerpt, move_to_processed, move_to_rejected
from watchsync.daemon.status import WARNING_MARK, record_intake_warnings
from watchsync.errors import InputError
from watchsync.files import write_atomically
from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.load import FILE_NAME_SOURCE, is_plan_text, load_workout
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Workout
from watchsync.plan.library import Library
from watchsync.plan.lint import format_totals
from watchsync.plan.model import Plan, PlanError
from watchsync.plan.parse import load_plan
from watchsync.prepare import prepare, workout_key
from watchsync.resolve import band_notes
from watchsync.services.plan_apply import PlanRefused, queue_plan
from watchsync.store import Store, StoreFault, fault_kind
from watchsync.store.faults import FaultKind

logger = logging.getLogger(__name__)

FIT_ARCHIVE_DIR = "fit"


#: How a plan refused for its lint errors goes through all the same (the coach's explicit choice).
FORCE_HINT = "To apply the plan as it is, add 'force = true' at the top of the file and put it back in the inbox."


class IntakeRejected(InputError):
    """A file that cannot be used; ``errors`` are one-line ``name:line:col: problem`` messages."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class AthleteInbox:
    """What intake needs for one athlete: the profile, the inbox folder and the queue to write to."""

    athlete: Athlete
    inbox: Path
    sync: SyncService


class Intake:
    """The inbox watcher's callbacks: take a ready file, or reject one the watcher refused."""

    def __init__(self, store: Store, inboxes: Mapping[str, AthleteInbox], state_dir: Path,
                 on_queued: Callable[[str], None]) -> None:
        self._store = store
        self._inboxes = inboxes
        self._fit_dir = state_dir / FIT_ARCHIVE_DIR
        self._on_queued = on_queued
        #: The last internal error per athlete (a file left in the inbox because of it).
        self.internal_errors: dict[str, str] = {}
        #: The host fault that keeps files in the inbox now (None once a file went through again).
        self.fault: str | None = None
        self.fault_kind: FaultKind | None = None

    def accept(self, athlete: str, path: Path) -> None:
        """Queue what ``path`` holds for ``athlete`` and move it to ``processed/`` (or ``rejected/``).

        Raises :class:`RetryLater` when a fault of this host keeps the file in the inbox.
        """
        inbox = self._inboxes[athlete]
        taken = file_version(path)
        try:
            summary = self._take(inbox, path)
        except IntakeRejected as rejected:
            if not path.exists():
                logger.info("%s was removed from the inbox of %s during intake; nothing queued", path.name, athlete)
                return
            cause = host_fault_behind(rejected)
            if cause is not None:  # e.g. a read error wrapped as a format error: not the coach's fault
                self._internal(athlete, path, cause)
                return
            now = file_version(path)
            if now is not None and now != taken:  # the coach saved a fix over it meanwhile: taken next
                logger.info("%s for %s was refused (%s), but a newer version replaced the file meanwhile: it "
                            "stays in the inbox and is taken next", path.name, athlete, excerpt(rejected.errors[0]))
                return
            self._reject(inbox, path, rejected.errors)
            return
        except Exception as error:  # a bug or a fault of this host, never the coach's file
            self._internal(athlete, path, error)
            return
        self.fault = self.fault_kind = None
        self._on_queued(athlete)  # the push goes ahead whatever happens to the file now
        now = file_version(path)
        if now is not None and now != taken:  # a newer version was saved over it meanwhile: taken next
            logger.info("intake %s for %s: %s; a newer version replaced the file meanwhile: it stays in the inbox "
                        "and is taken next", path.name, athlete, summary)
            return
        try:
            moved = move_to_processed(path, inbox.inbox)
        except FileNotFoundError:
            logger.info("intake %s for %s: %s; the file was removed from the inbox meanwhile", path.name, athlete,
                        summary)
            return
        except OSError as error:
            logger.error("intake %s for %s: %s; but the file cannot be moved to processed/ (%s): it stays in the "
                         "inbox and is taken again (unchanged: no new push)", path.name, athlete, summary, error)
            raise RetryLater(str(error)) from None
        logger.info("intake %s for %s: %s; moved to %s", path.name, athlete, summary, moved.relative_to(inbox.inbox))

    def _internal(self, athlete: str, path: Path, error: Exception) -> None:
        """A fault of this host keeps the file for a retry; a bug leaves it in the inbox with its traceback."""
        if isinstance(error, FileNotFoundError) and not path.exists():
            logger.info("%s was removed from the inbox of %s during intake; nothing queued", path.name, athlete)
            return
        kind = fault_kind(error)
        if kind is not None:
            self.fault = str(error) if isinstance(error, StoreFault) else f"{kind}: {type(error).__name__}: {error}"
            self.fault_kind = kind
            logger.error("%s: %s stays in the inbox of %s and is tried again when that clears", error, path.name,
                         athlete)
            raise RetryLater(str(error)) from None
        logger.error("internal error during intake of %s for %s (the file stays in the inbox): %s: %s",
                     path.name, athlete, type(error).__name__, excerpt(str(error)), exc_info=True)
        self.internal_errors[athlete] = f"{path.name}: {type(error).__name__}: {excerpt(str(error))}"

    def reject(self, athlete: str, path: Path, reason: str) -> None:
        """A file the watcher refused (wrong type, too large): reject it with ``reason``."""
        self._reject(self._inboxes[athlete], path, [f"{path.name}: {reason}"])

    def _reject(self, inbox: AthleteInbox, path: Path, errors: list[str]) -> None:
        try:
            moved = move_to_rejected(path, inbox.inbox, errors)
        except FileNotFoundError:
            logger.info("%s was removed from the inbox of %s before it could be rejected (%s)", path.name,
                        inbox.athlete.name, excerpt(errors[0]))
            return
        except OSError as error:
            if fault_kind(error) is None:
                raise
            logger.error("cannot reject %s for %s (%s); it stays in the inbox and is tried again", path.name,
                         inbox.athlete.name, error)
            raise RetryLater(str(error)) from None
        more = sum(1 for error in errors[1:] if error.startswith(f"{path.name}:"))  # problems, not commentary
        logger.warning("rejected %s for %s: %s (see %s.error.txt)", path.name, inbox.athlete.name,
                       excerpt(errors[0]) + (f" (+{more} more)" if more else ""),
                       moved.relative_to(inbox.inbox))

    def _take(self, inbox: AthleteInbox, path: Path) -> str:
        plan_table = read_plan_table(path)
        if plan_table is None:
            return self._push_workout(inbox, path)
        library = None if "library" in plan_table else Library(inbox.inbox / PROCESSED, newest_only=True)
        return self._apply_plan(inbox, path, library)

    def _push_workout(self, inbox: AthleteInbox, path: Path) -> str:
        messages: list[str] = []
        try:
            workout = load_workout(path, athlete_sport=inbox.athlete.sport,  # a pasted text may name no sport
                                   pace_units=inbox.athlete.pace_unit_defaults(), messages=messages)
            prepared = prepare(workout, inbox.athlete)  # resolved once for every output
            fit = prepared.fit
            with self._store.transaction():
                action = inbox.sync.plan_push(prepared).action
                before = self._store.get_workout(inbox.athlete.name, prepared.key)
                key = inbox.sync.enqueue_push(prepared, source=path)
                # a version named after its file (no name line) is no rename of a named one: a tail
                # written after the file was taken, a stray copy; both are kept, and that is said
                named_by_file = f"{path}: name from {FILE_NAME_SOURCE}" in messages
                replaced = [] if named_by_file else self._replace_renamed(inbox, path, key)
                kept = self._earlier_names(inbox, path, key) if named_by_file else []
        except WorkoutFormatError as error:
            raise IntakeRejected([_relabel(one, path) for one in error.errors]) from None
        except InputError as error:
            raise IntakeRejected([f"{path.name}: {error}"]) from None  # no line to point at
        self._archive_fit(inbox, path, key, fit)
        said = [message for message in messages if WARNING_MARK in message]
        said += [f"{path}{WARNING_MARK}{note}" for note in band_notes(prepared.resolved, inbox.athlete)]
        if action != "unchanged" and before is not None and before.source_path not in (None, str(path)):
            said.append(self._same_name(inbox, path, key, workout.name, Path(str(before.source_path))))
        said += [f"{path}{WARNING_MARK}this version has no name line (named {key!r} after the file); the workout "
                 f"{old!r} an earlier version made is kept (add 'name: {old}' to replace it)" for old in kept]
        self._said(inbox, path, said)
        renamed = f"; replaces {', '.join(repr(old) for old in replaced)} (renamed)" if replaced else ""
        return (f"workout {key!r} unchanged" if action == "unchanged" else f"workout {key!r} queued ({action})") \
            + renamed

    def _said(self, inbox: AthleteInbox, path: Path, warnings: list[str]) -> None:
        """A file taken in with warnings (``- 400m`` read as 400 minutes, a target read as text): what
        ``watchsync validate`` says is logged and kept for the status page and the notifications."""
        if not warnings:
            return
        prefix = f"{path}:"  # the file by its name, as a rejection names it (not the inbox's whole path)
        warnings = [f"{path.name}:{w[len(prefix):]}" if w.startswith(prefix) else w for w in warnings]
        for warning in warnings:
            logger.warning("intake %s for %s: %s", path.name, inbox.athlete.name, excerpt(warning))
        record_intake_warnings(self._store, inbox.athlete.name, path.name, warnings)

    def _same_name(self, inbox: AthleteInbox, path: Path, key: str, name: str, other: Path) -> str:
        """Two files with one workout name are one workout (the name is its key): the second changed
        the first's, and its calendar entries run the second now (probe journey10: two "Intervals")."""
        days = sorted(s.date.isoformat() for s in self._store.list_schedules(inbox.athlete.name,
                                                                             states=("pending", "scheduled"))
                      if s.workout_key == key)
        return (f"{path}{WARNING_MARK}replaces workout {name!r}, which {other.name} made (the same name)"
                + (f"; its calendar entries ({', '.join(days)}) run this version now" if days else "")
                + " (give this file another name: line to keep both)")

    def _earlier_names(self, inbox: AthleteInbox, path: Path, key: str) -> list[str]:
        """Workouts an earlier version of this file made under another name."""
        return [row.key for row in self._store.list_workouts(inbox.athlete.name)
                if row.source_path == str(path) and row.key != key]

    def _replace_renamed(self, inbox: AthleteInbox, path: Path, key: str) -> list[str]:
        """Workouts an earlier version of this file made under another name: their calendar entries
        move to ``key`` and they are deleted at Garmin (a renamed workout replaces, never adds)."""
        athlete = inbox.athlete.name
        old_keys = self._earlier_names(inbox, path, key)
        for old in old_keys:
            for schedule in self._store.list_schedules(athlete, states=("pending", "scheduled")):
                if schedule.workout_key == old:
                    inbox.sync.enqueue_schedule(key, schedule.date)
            inbox.sync.enqueue_delete(old)
        return old_keys

    def _archive_fit(self, inbox: AthleteInbox, path: Path, key: str, fit: bytes) -> None:
        target = self._fit_dir / inbox.athlete.name / f"{key}.fit"
        try:
            write_atomically(target, fit, mode=0o600)
        except OSError as error:
            logger.error("FIT archive of %s for %s not written (%s); its push is queued all the same", path.name,
                         inbox.athlete.name, error)

    def _apply_plan(self, inbox: AthleteInbox, path: Path, library: Library | None) -> str:
        try:
            plan = load_plan(path, library)
            if plan.athlete is not None and plan.athlete != inbox.athlete.name:
                raise PlanError(path.name, 1, f"the plan is for athlete {plan.athlete!r}, but it was put into "
                                              f"the inbox of {inbox.athlete.name!r}")
            scheduled = self._queue_plan(inbox, plan, path)
        except PlanRefused as refused:  # the lint errors (the log and the message show the first line), the
            report = refused.report     # way past them, how many warnings besides, and the weekly totals
            errors = [issue.format(path.name) for issue in report.errors]
            warnings = len(report.issues) - len(errors)
            raise IntakeRejected([*errors, "", FORCE_HINT, "",
                                  f"{warnings} warning(s) besides (watchsync plan lint {path.name} lists them); "
                                  "the weekly totals:", *format_totals(report).splitlines()]) from None
        except PlanError as error:
            raise IntakeRejected([_relabel_plan(error, path)]) from None
        except WorkoutFormatError as error:
            raise IntakeRejected([_relabel(one, path) for one in error.errors]) from None
        except InputError as error:
            raise IntakeRejected([f"{path.name}: {error}"]) from None  # no line to point at
        return f"plan {plan.name!r} applied: {scheduled} calendar changes queued"

    def _queue_plan(self, inbox: AthleteInbox, plan: Plan, path: Path) -> int:
        """Queue the plan's calendar changes (moves, additions, removals) in one transaction.

        Workouts written inline in the plan are pushed from it; a session naming a workout file
        uses the athlete's workout of that name when there is one, since a workout dropped as a
        file is owned by that file (the copy in ``processed/`` may be an older version). An inline
        workout that changes one a dropped file made is said (the plan wins, as the newer drop).
        """
        replaced: list[str] = []

        def owned_by_plan(workout: Workout) -> bool:
            row = self._store.get_workout(inbox.athlete.name, workout_key(workout))
            if row is None:
                return True
            inline = any(s.session.text is not None and workout_key(s.workout) == workout_key(workout)
                         for s in plan.sessions())
            if inline and row.source_path is not None and inbox.sync.plan_push(workout).action != "unchanged":
                replaced.append(f"its workout {workout.name!r} replaces the one {Path(row.source_path).name} made "
                                "(the same name)")
            return inline

        result = queue_plan(plan, inbox.sync, should_push=owned_by_plan)
        self._said(inbox, path, [f"{path}{WARNING_MARK}{warning}" for warning in [*replaced, *result.warnings]])
        return len(result.changes)


def host_fault_behind(error: BaseException) -> Exception | None:
    """The host fault (disk, store) in ``error``'s chain of causes, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, Exception) and fault_kind(current) is not None:
            return current
        current = current.__cause__ or current.__context__
    return None


def read_plan_table(path: Path) -> dict[str, Any] | None:
    """The top-level table of a plan file (TOML with ``[[weeks]]``), or None for anything else.

    A plan with a TOML syntax error gives an empty table, so that the plan reader reports the error
    with its position.
    """
    if path.suffix.lower() != ".toml":
        return None
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None  # the workout reader reports what is wrong, with its position
    if not is_plan_text(text):
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _relabel(error: WorkoutFormatError, path: Path) -> str:
    """The error with the file's name instead of its inbox path (the file is about to move)."""
    return str(WorkoutFormatError(path.name, error.line, error.col, error.problem, error.expected)) \
        if error.path == str(path) else str(error)


def _relabel_plan(error: PlanError, path: Path) -> str:
    if error.path != str(path):
        return str(error)
    return str(PlanError(path.name, error.line, error.problem, week=error.week, day=error.day, col=error.col))
