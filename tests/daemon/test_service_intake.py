"""Daemon intake in-process: workout and plan files → store rows and outbox, files moved, clear rejections."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from watchsync.daemon.intake import AthleteInbox, Intake
from watchsync.daemon.intake_files import ERROR_SUFFIX
from watchsync.formats.fit_workout import read_fit_workout
from watchsync.garmin.client import GarminClient
from watchsync.garmin.sync import SyncService
from watchsync.model.athlete import Athlete
from watchsync.store import Store

EASY = "name: Easy run 30 min\nsport: running\n- 30m RPE 3 easy\n"
EASY_LONGER = "name: Easy run 30 min\nsport: running\n- 40m RPE 3 easy\n"


def plan_text(*, athlete: str | None = None, start: str | None = "2030-03-04") -> str:
    header = ['name = "Two weeks"'] + ([f'athlete = "{athlete}"'] if athlete else []) \
        + ([f"start = {start}"] if start else [])
    return "\n".join([*header, "", "[[weeks]]", 'focus = "build"', "[[weeks.days.tue]]", 'workout = "easy.txt"',
                      "[[weeks.days.thu]]", 'text = """', "name: Strides 6x", "sport: running",
                      "- 20m RPE 3", "6x", "- 20s RPE 9", "- 60s RPE 2", '"""',
                      "[[weeks]]", 'focus = "build"', "[[weeks.days.tue]]", 'workout = "easy.txt"', ""])


class Setup:
    def __init__(self, tmp_path: Path) -> None:
        self.state = tmp_path / "state"
        self.inbox = tmp_path / "inbox"
        self.inbox.mkdir()
        self.store = Store.open(self.state / "store.sqlite3")
        self.athlete = Athlete(name="anna", lthr=171)
        unused = GarminClient(tmp_path / "tokens", "http://127.0.0.1:9")  # intake never calls Garmin
        self.sync = SyncService(self.store, lambda: unused, self.athlete)
        self.queued: list[str] = []
        self.intake = Intake(self.store, {"anna": AthleteInbox(self.athlete, self.inbox, self.sync)}, self.state,
                             on_queued=self.queued.append)

    def drop(self, name: str, text: str) -> Path:
        path = self.inbox / name
        path.write_text(text, encoding="utf-8")
        self.intake.accept("anna", path)
        return path

    def pending(self) -> list[tuple[str, str, date | None]]:
        return [(item.op, item.workout_key, item.date) for item in self.store.list_outbox("anna")]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    made = Setup(tmp_path)
    yield made
    made.store.close()


def test_workout_file_is_queued_archived_and_moved(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    assert setup.pending() == [("push", "easy-run-30-min", None)]
    row = setup.store.get_workout("anna", "easy-run-30-min")
    assert row is not None and row.payload["name"] == "Easy run 30 min"
    assert (setup.inbox / "processed" / "easy.txt").read_text() == EASY
    assert not (setup.inbox / "easy.txt").exists()
    archived = read_fit_workout(setup.state / "fit" / "anna" / "easy-run-30-min.fit")
    assert archived.name == "Easy run 30 min"
    assert setup.queued == ["anna"]


def test_same_name_new_content_queues_one_update_of_the_same_key(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    first = setup.store.get_workout("anna", "easy-run-30-min")
    setup.drop("easy.txt", EASY_LONGER)
    second = setup.store.get_workout("anna", "easy-run-30-min")
    assert first is not None and second is not None and first.content_hash != second.content_hash
    assert setup.pending() == [("push", "easy-run-30-min", None)]  # one waiting push, refreshed
    kept = sorted(p.read_text() for p in (setup.inbox / "processed").iterdir())
    assert kept == sorted([EASY, EASY_LONGER])  # the second one timestamped, nothing lost


def test_unchanged_workout_already_on_garmin_queues_nothing(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    item = setup.store.list_outbox("anna")[0]
    setup.store.set_remote_id("anna", "easy-run-30-min", 42)
    setup.store.mark_done(item.id)
    setup.drop("again.txt", EASY)
    assert setup.pending() == []
    assert (setup.inbox / "processed" / "again.txt").exists()


def test_broken_workout_is_rejected_with_name_line_and_column(setup: Setup) -> None:
    setup.drop("bad.txt", "name: Bad\nsport: running\n- 10q RPE 3\n")
    note = (setup.inbox / "rejected" / ("bad.txt" + ERROR_SUFFIX)).read_text()
    assert "bad.txt:3:" in note and "10q" in note
    assert str(setup.inbox) not in note  # the inbox path is gone once the file moved
    assert (setup.inbox / "rejected" / "bad.txt").exists()
    assert setup.pending() == [] and setup.queued == []


def test_workout_the_athlete_cannot_resolve_is_rejected(setup: Setup) -> None:
    setup.drop("tempo.txt", "name: Tempo\nsport: running\n- 20m 4:30/km Pace\n- 20m 95% Pace\n")
    note = (setup.inbox / "rejected" / ("tempo.txt" + ERROR_SUFFIX)).read_text()
    # the step is named, never a made-up "tempo.txt:1:1" (line 1 is the name line; probe journey11)
    assert "tempo.txt: step 2: " in note and ":1:1:" not in note and "threshold" in note.lower()


def test_watcher_refusal_is_written_beside_the_file(setup: Setup) -> None:
    junk = setup.inbox / "junk.bin"
    junk.write_bytes(b"\0" * 10)
    setup.intake.reject("anna", junk, "unsupported file type ('.bin')")
    assert "junk.bin: unsupported file type" in (setup.inbox / "rejected" / ("junk.bin" + ERROR_SUFFIX)).read_text()


def test_plan_pushes_its_own_workouts_and_schedules_every_session(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    setup.drop("plan.toml", plan_text())
    assert sorted(setup.pending(), key=str) == sorted([
        ("push", "easy-run-30-min", None),
        ("push", "strides-6x", None),
        ("schedule", "easy-run-30-min", date(2030, 3, 5)),
        ("schedule", "strides-6x", date(2030, 3, 7)),
        ("schedule", "easy-run-30-min", date(2030, 3, 12)),
    ], key=str)
    assert (setup.inbox / "processed" / "plan.toml").exists()


def test_plan_session_naming_a_file_keeps_the_file_version(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    setup.drop("easy.txt", EASY_LONGER)  # processed/easy.txt still holds the first version
    setup.drop("plan.toml", plan_text())
    row = setup.store.get_workout("anna", "easy-run-30-min")
    assert row is not None and row.payload["steps"][0]["duration"]["seconds"] == 40 * 60


@pytest.mark.parametrize(("text", "expected"), [
    (plan_text(start=None), "plan.toml:1: no start date"),
    (plan_text(athlete="bob"), "plan.toml:1: the plan is for athlete 'bob'"),
    ('name = "x"\nstart = 2030-03-04\n[[weeks]]\nfocus = "build"\n[[weeks.days.tue]]\nworkout = "nope.txt"\n',
     "plan.toml:5: week 1 day tue: unknown workout 'nope.txt'"),
])
def test_unusable_plan_is_rejected_and_nothing_is_queued(setup: Setup, text: str, expected: str) -> None:
    setup.drop("easy.txt", EASY)
    before = setup.pending()
    setup.drop("plan.toml", text)
    assert expected in (setup.inbox / "rejected" / ("plan.toml" + ERROR_SUFFIX)).read_text()
    assert setup.pending() == before
    assert setup.store.list_schedules("anna") == []


def _live_schedules(setup: Setup) -> list[tuple[str, date]]:
    rows = setup.store.list_schedules("anna", states=("pending", "scheduled"))
    return sorted((row.workout_key, row.date) for row in rows)


def test_plan_dropped_again_after_an_edit_moves_only_what_changed(setup: Setup) -> None:
    setup.drop("easy.txt", EASY)
    setup.drop("plan.toml", plan_text())
    edited = plan_text()
    week2_at = edited.rindex("[[weeks.days.tue]]")
    edited = edited[:week2_at] + edited[week2_at:].replace("[[weeks.days.tue]]", "[[weeks.days.wed]]", 1)
    setup.drop("plan.toml", edited)
    assert _live_schedules(setup) == sorted([("easy-run-30-min", date(2030, 3, 5)), ("strides-6x", date(2030, 3, 7)),
                                             ("easy-run-30-min", date(2030, 3, 13))])


def test_plan_with_a_toml_syntax_error_is_reported_at_its_line(setup: Setup) -> None:
    broken = plan_text().replace('focus = "build"', 'focus = "build', 1)
    setup.drop("plan.toml", broken)
    note = (setup.inbox / "rejected" / ("plan.toml" + ERROR_SUFFIX)).read_text()
    assert "plan.toml:5" in note and "plan file, not a workout" not in note


def test_a_failed_fit_archive_write_does_not_reject_a_queued_file(setup: Setup,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    (setup.state / "fit").write_text("a file where the FIT archive directory should be")
    setup.drop("easy.txt", EASY)
    assert setup.pending() == [("push", "easy-run-30-min", None)]
    assert (setup.inbox / "processed" / "easy.txt").read_text() == EASY
    assert not (setup.inbox / "rejected").exists()
    assert setup.queued == ["anna"]
    assert any("FIT archive of easy.txt for anna not written" in r.getMessage() for r in caplog.records)


def test_a_bug_below_intake_is_never_blamed_on_the_coach_file(setup: Setup, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    # A ValueError from deep inside (not an InputError) is a bug: the file stays, no rejection note.
    def broken(*_args: object) -> None:
        raise ValueError("bug in a lower layer")

    monkeypatch.setattr("watchsync.daemon.intake.prepare", broken)
    path = setup.drop("easy.txt", EASY)
    assert path.exists()
    assert not (setup.inbox / "rejected").exists()
    assert setup.pending() == []
    assert "internal error" in caplog.text and "bug in a lower layer" in caplog.text
    assert "easy.txt" in setup.intake.internal_errors["anna"]
    monkeypatch.undo()
    setup.intake.accept("anna", path)  # once the fault is gone, the same file goes through
    assert setup.pending() == [("push", "easy-run-30-min", None)]


def test_a_host_fault_keeps_the_file_in_the_inbox_for_a_retry(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from watchsync.daemon.inbox import RetryLater

    def full(*_: object, **__: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(setup.sync, "enqueue_push", full)
    with pytest.raises(RetryLater):
        setup.drop("easy.txt", EASY)
    assert (setup.inbox / "easy.txt").exists() and not (setup.inbox / "rejected").exists()
    assert setup.intake.fault is not None and "full" in setup.intake.fault
    monkeypatch.undo()
    setup.intake.accept("anna", setup.inbox / "easy.txt")  # the fault cleared: the retry goes through
    assert (setup.inbox / "processed" / "easy.txt").exists() and setup.intake.fault is None
    assert setup.pending() == [("push", "easy-run-30-min", None)]


def test_a_file_removed_during_intake_still_wakes_the_worker(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    path = setup.inbox / "easy.txt"
    path.write_text(EASY)
    setup.intake._on_queued = lambda athlete: (path.unlink(), setup.queued.append(athlete))  # the race
    caplog.set_level("INFO", logger="watchsync.daemon.intake")
    setup.intake.accept("anna", path)
    assert setup.queued == ["anna"] and setup.pending() == [("push", "easy-run-30-min", None)]
    assert "removed from the inbox meanwhile" in caplog.text and "failed" not in caplog.text


def test_a_newer_version_saved_over_the_file_during_intake_stays_to_be_taken_next(
        setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    path = setup.inbox / "easy.txt"
    path.write_text(EASY)
    newer = setup.inbox.parent / "easy.txt.new"
    newer.write_text(EASY_LONGER)
    # an editor, a sync client or "save twice" renames the new version over the file while it is taken in
    setup.intake._on_queued = lambda athlete: (newer.replace(path), setup.queued.append(athlete))
    caplog.set_level("INFO", logger="watchsync.daemon.intake")
    setup.intake.accept("anna", path)
    assert path.read_text() == EASY_LONGER  # not moved away unread
    assert not (setup.inbox / "processed" / "easy.txt").exists()
    assert "a newer version replaced the file meanwhile" in caplog.text
    setup.intake._on_queued = setup.queued.append
    setup.intake.accept("anna", path)  # the watcher delivers the new version next
    assert (setup.inbox / "processed" / "easy.txt").read_text() == EASY_LONGER
    assert [key for _op, key, _day in setup.pending()] == ["easy-run-30-min"]  # one push, of the newest


def test_a_fix_saved_over_a_file_while_it_is_refused_stays_to_be_taken_next(
        setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    path = setup.inbox / "easy.txt"
    path.write_text(EASY.replace("- 30m", "- 30"))  # '30' is not a length
    fixed = setup.inbox.parent / "easy.txt.fixed"
    fixed.write_text(EASY)
    take = setup.intake._take

    def take_while_the_coach_saves(inbox: AthleteInbox, taken: Path) -> str:
        try:
            return take(inbox, taken)
        finally:
            fixed.replace(taken)  # the fix lands while the old version is being refused

    setup.intake._take = take_while_the_coach_saves  # type: ignore[method-assign]
    caplog.set_level("INFO", logger="watchsync.daemon.intake")
    setup.intake.accept("anna", path)
    assert path.read_text() == EASY and not (setup.inbox / "rejected").exists()
    assert "a newer version replaced the file meanwhile" in caplog.text
    setup.intake._take = take  # type: ignore[method-assign]
    setup.intake.accept("anna", path)  # the watcher delivers the fix next
    assert (setup.inbox / "processed" / "easy.txt").read_text() == EASY


def test_a_file_taken_back_and_refused_again_has_the_new_note_beside_it(setup: Setup) -> None:
    path = setup.inbox / "easy.txt"
    path.write_text(EASY.replace("- 30m", "- 30"))
    setup.intake.accept("anna", path)
    rejected = setup.inbox / "rejected" / "easy.txt"
    note = rejected.with_name("easy.txt" + ERROR_SUFFIX)
    assert "'30 easy' is not a length" in note.read_text()
    rejected.replace(path)  # the coach takes it back, the note stays in rejected/
    path.write_text(EASY.replace("- 30m", "- 30m RPE 11"))  # and makes another mistake
    setup.intake.accept("anna", path)
    assert "RPE" in note.read_text() and "'30 easy' is not a length" not in note.read_text()
    assert sorted(p.name for p in (setup.inbox / "rejected").iterdir()) == ["easy.txt", "easy.txt" + ERROR_SUFFIX]


def test_a_state_database_locked_by_another_program_keeps_the_file_for_a_retry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from watchsync.daemon.inbox import RetryLater
    from watchsync.store import db

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)  # SQLite waits this long for the lock first
    locked = Setup(tmp_path)
    holder = sqlite3.connect(locked.state / "store.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # a sqlite3 shell left in a transaction, a backup tool
        path = locked.inbox / "easy.txt"
        path.write_text(EASY)
        with pytest.raises(RetryLater):
            locked.intake.accept("anna", path)
        assert path.exists() and locked.intake.fault_kind == "busy"
        assert locked.intake.internal_errors == {}  # a fault of the host, not a bug
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    locked.intake.accept("anna", path)  # the retry after the lock is gone
    assert (locked.inbox / "processed" / "easy.txt").exists() and locked.intake.fault is None
    locked.store.close()


def test_a_huge_bad_line_is_quoted_by_a_short_excerpt(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING", logger="watchsync.daemon.intake")
    setup.drop("huge.txt", "name: Huge\nsport: running\n- 10m RPE 3 " + "x" * 900_000 + "\n")
    note = (setup.inbox / "rejected" / f"huge.txt{ERROR_SUFFIX}").read_text()
    assert "huge.txt:3:" in note and len(note) < 2_000
    assert all(len(record.getMessage()) < 2_000 for record in caplog.records)


def test_a_garmin_connect_workout_json_is_taken_in_as_a_workout(setup: Setup) -> None:
    from watchsync.daemon.inbox import rejection_reason

    fixture = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "connect" / \
        "cyberjunky_sample_workout.json"
    if not fixture.is_file():
        pytest.skip("shared fixtures not found")
    assert rejection_reason("export.json", 100, 1000) is None  # a coach's export from Connect
    setup.drop("export.json", fixture.read_text(encoding="utf-8"))
    [(op, _key, _day)] = setup.pending()
    assert op == "push" and (setup.inbox / "processed" / "export.json").exists()


def test_archived_fit_files_are_private(setup: Setup) -> None:
    import stat

    setup.drop("easy.txt", EASY)
    archived = setup.state / "fit" / "anna" / "easy-run-30-min.fit"
    assert stat.S_IMODE(archived.stat().st_mode) == 0o600
    assert stat.S_IMODE(setup.state.stat().st_mode) == 0o700
    assert stat.S_IMODE((setup.state / "store.sqlite3").stat().st_mode) == 0o600


def test_one_intake_file_is_resolved_once(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import import_module

    module = import_module("watchsync.prepare")  # the module: `watchsync.prepare` is the function
    calls: list[str] = []
    real = module.resolve

    def counting(workout, athlete):  # type: ignore[no-untyped-def]
        calls.append(workout.name)
        return real(workout, athlete)

    monkeypatch.setattr(module, "resolve", counting)
    setup.drop("easy.txt", EASY)
    assert setup.pending() == [("push", "easy-run-30-min", None)]
    assert calls == ["Easy run 30 min"]  # compile, plan_push and enqueue_push share one resolution


def test_a_plan_refused_by_lint_leads_its_note_with_its_error(setup: Setup) -> None:
    repo = Path(__file__).resolve().parents[2]
    text = (repo / "tests" / "plan" / "data" / "lint" / "long-run-spike.toml").read_text()
    setup.drop("spike.toml", text.replace('library = "../../../../workouts"', f'library = "{repo / "workouts"}"')
               .replace('name = "long-run spike"', 'name = "long-run spike"\nstart = 2030-03-04'))
    note = (setup.inbox / "rejected" / ("spike.toml" + ERROR_SUFFIX)).read_text()
    reasons = [line.strip() for line in note.splitlines() if line.startswith("  ")]
    assert reasons[0].startswith("spike.toml:") and ": error: " in reasons[0] and "long-run-spike" in reasons[0]
    assert reasons.count(reasons[0]) == 1  # the error once, then the way past it, the warnings' count and totals
    assert any("add 'force = true' at the top of the file" in reason for reason in reasons)
    assert any("warning(s) besides (watchsync plan lint spike.toml lists them)" in r for r in reasons)
    assert not any(": warning: " in reason for reason in reasons)  # the warnings did not refuse it
    assert any(reason.startswith("week") and "long run" in reason for reason in reasons)  # the weekly totals
    assert setup.pending() == []


def test_a_heart_rate_band_above_the_athletes_max_is_said_at_intake(setup: Setup) -> None:
    # "- 15m @ 182-198bpm" for a max HR of 188 went to the watch in silence (probe icu18)
    from watchsync.daemon.status import intake_warnings

    setup.drop("hot.txt", "name: Hot\nsport: running\n- 15m @ 182-198bpm\n")
    assert (setup.inbox / "processed" / "hot.txt").exists()  # taken in: said, not refused
    [kept] = intake_warnings(setup.store, "anna")
    assert kept["file"] == "hot.txt" and "182-198 bpm reaches above anna's max HR" in kept["warnings"][0]


def test_a_file_taken_in_with_warnings_says_them_in_the_log_the_store_and_a_notice(
        setup: Setup, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """journey8 #2: `- 400m RPE 8` (400 minutes) went to Garmin with nothing said anywhere."""
    from datetime import UTC, datetime, timedelta

    from watchsync.config import default_config
    from watchsync.daemon.alerts import Alerts
    from watchsync.daemon.notifications import Notice
    from watchsync.daemon.status import intake_warnings

    with caplog.at_level("WARNING"):
        setup.drop("intervals.txt", "name: Intervals\nsport: running\n6x\n- 400m RPE 8\n- 2m RPE 2\n")
    assert (setup.inbox / "processed" / "intervals.txt").exists() and setup.queued == ["anna"]
    assert any("intake intervals.txt for anna" in r.message and "'400m' is 6h40m" in r.message
               for r in caplog.records)
    [kept] = intake_warnings(setup.store, "anna")
    assert kept["file"] == "intervals.txt" and "'400m' is 6h40m" in kept["warnings"][0]
    assert kept["warnings"][0].startswith("intervals.txt:")  # by its name, as a rejection names it (docs11)

    class Sink:
        def __init__(self) -> None:
            self.notices: list[Notice] = []

        def submit(self, notice: Notice) -> bool:
            if any(n.key == notice.key for n in self.notices):
                return False
            self.notices.append(notice)
            return True

        def already_sent(self, key: str) -> bool:
            return any(n.key == key for n in self.notices)

    sink = Sink()
    alerts = Alerts(default_config(state_dir=tmp_path / "alerts"), setup.store, sink,  # type: ignore[arg-type]
                    now=lambda: datetime.now(UTC) - timedelta(minutes=5))
    alerts.check()
    alerts.check()
    told = [n for n in sink.notices if n.key.startswith("warned:")]
    assert [n.title for n in told] == ["watchsync: intervals.txt taken in with warnings (anna)"]
    assert "'400m' is 6h40m" in told[0].body
