"""The event watcher on its own: Garmin unreachable, a storage fault, a parked queue, digests, key sessions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest

from watchsync.config import default_config
from watchsync.daemon.alerts import Alerts, is_key_session, parse_digest
from watchsync.daemon.notifications import Notice
from watchsync.daemon.status import LAST_ACTIVITY_SYNC_KEY, calls_fail, calls_work
from watchsync.formats.text import parse_text
from watchsync.garmin.errors import NOT_LOGGED_IN, login_hint_for
from watchsync.store import Store


class Collect:
    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.keys: set[str] = set()

    def submit(self, notice: Notice) -> bool:
        if notice.key in self.keys:
            return False
        self.keys.update((notice.key, *notice.covers))
        self.notices.append(notice)
        return True

    def already_sent(self, key: str) -> bool:
        return key in self.keys


def _alerts(tmp_path: Path, clock: list[datetime]) -> tuple[Alerts, Collect, Store]:
    config = default_config(state_dir=tmp_path)
    config = config.model_copy(update={"notify": config.notify.model_copy(update={"unreachable_minutes": 60})})
    store = Store.open(config.store_path)
    sink = Collect()
    return Alerts(config, store, sink, now=lambda: clock[0]), sink, store  # type: ignore[arg-type]


def test_garmin_unreachable_is_told_once_after_the_set_time_and_again_after_recovery(tmp_path: Path) -> None:
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    clock = [start]
    alerts, sink, store = _alerts(tmp_path, clock)
    calls_work(store, "anna", start - timedelta(minutes=5))
    calls_fail(store, "anna", start)
    alerts.check()
    assert sink.notices == []
    clock[0] = start + timedelta(minutes=61)
    alerts.check()
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable"]
    assert "more than 60 minutes: anna (last contact 2026-01-05 07:55 UTC)" in sink.notices[0].body
    calls_work(store, "anna", clock[0])  # a call worked: the condition ends
    alerts.check()
    calls_fail(store, "anna", clock[0] + timedelta(minutes=1))
    clock[0] += timedelta(minutes=62)
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable", "watchsync: Garmin reachable again",
                                               "watchsync: Garmin unreachable"]
    store.close()


def test_a_restart_inside_an_outage_says_nothing_new_and_keeps_the_last_contact(tmp_path: Path) -> None:
    """journey11 #1: the restart's time was taken for a contact: "reachable again" (false), then a second
    "unreachable" giving the restart as the last contact."""
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    clock = [start + timedelta(minutes=61)]
    alerts, sink, store = _alerts(tmp_path, clock)
    calls_work(store, "anna", start - timedelta(minutes=1))
    calls_fail(store, "anna", start)
    alerts.check()
    restarted = Alerts(alerts.config, store, sink, now=lambda: clock[0])  # type: ignore[arg-type]
    for minutes in (62, 63, 130, 200):  # every call still fails
        clock[0] = start + timedelta(minutes=minutes)
        restarted.check()
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable"]
    assert "anna (last contact 2026-01-05 07:59 UTC)" in sink.notices[0].body
    calls_work(store, "anna", clock[0])
    restarted.check()
    assert [n.title for n in sink.notices][1:] == ["watchsync: Garmin reachable again"]
    store.close()


def test_a_fresh_start_waits_one_limit_after_the_first_failure_and_ends_only_on_a_success(tmp_path: Path) -> None:
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    clock = [start]
    alerts, sink, store = _alerts(tmp_path, clock)
    alerts.check()
    calls_fail(store, "anna", start + timedelta(minutes=30))  # no call ever worked: the clock starts here
    clock[0] = start + timedelta(minutes=61)
    alerts.check()
    assert sink.notices == []
    clock[0] = start + timedelta(minutes=91)
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable"]
    assert "anna (last contact never)" in sink.notices[0].body
    store.park("anna", "re-authentication needed: run `watchsync login`")  # an answer, but no call worked
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable",
                                               "watchsync: anna needs a new Garmin login"]
    store.close()


def test_an_athlete_never_logged_in_is_not_asked_for_a_new_login(tmp_path: Path) -> None:
    """journey11 #7: eve, added by SIGHUP without tokens, was told she "needs a new Garmin login"."""
    alerts, sink, store = _alerts(tmp_path, [datetime.now(UTC)])
    store.park("anna", login_hint_for(NOT_LOGGED_IN, "anna"))
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: anna needs a Garmin login (never logged in)"]
    store.close()


def test_a_login_fixed_after_a_long_park_is_no_garmin_unreachable(tmp_path: Path) -> None:
    """journey8 #4: parked overnight, logged in again: Garmin was never unreachable."""
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    clock = [start]
    alerts, sink, store = _alerts(tmp_path, clock)
    calls_work(store, "anna", start)
    store.park("anna", "re-authentication needed: run `watchsync login --athlete anna`")
    alerts.check()
    clock[0] = start + timedelta(hours=9)
    alerts.check()
    store.unpark("anna")
    calls_work(store, "anna", clock[0])  # the login from the new tokens worked
    clock[0] += timedelta(minutes=1)
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: anna needs a new Garmin login",
                                               "watchsync: anna is logged in again"]
    calls_fail(store, "anna", clock[0])  # and no call got through for an hour after the login: now it is
    clock[0] += timedelta(minutes=61)
    alerts.check()
    assert sink.notices[-1].title == "watchsync: Garmin unreachable"


def test_a_parked_queue_is_told_once_per_park(tmp_path: Path) -> None:
    clock = [datetime.now(UTC)]
    alerts, sink, store = _alerts(tmp_path, clock)
    store.park("anna", "re-authentication needed: run `watchsync login`")
    alerts.check()
    alerts.check()
    store.unpark("anna")
    alerts.check()
    clock[0] += timedelta(hours=2)
    store.park("anna", "re-authentication needed: run `watchsync login`")
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: anna needs a new Garmin login",
                                               "watchsync: anna is logged in again",
                                               "watchsync: anna needs a new Garmin login"]
    store.close()


def test_a_condition_whose_message_never_went_out_gets_no_all_clear(tmp_path: Path) -> None:
    clock = [datetime.now(UTC)]
    alerts, sink, store = _alerts(tmp_path, clock)
    sink.submit = lambda notice: False  # type: ignore[method-assign]  # the park's message never went out
    store.park("anna", "re-authentication needed: run `watchsync login`")
    alerts.check()
    store.unpark("anna")
    alerts.check()
    assert sink.notices == []
    store.close()


def test_a_storage_fault_is_told_and_never_raises(tmp_path: Path) -> None:
    clock = [datetime.now(UTC)]
    alerts, sink, store = _alerts(tmp_path, clock)
    store.close()  # every query now fails like a broken disk would
    alerts.check()
    alerts.check()
    assert [n.title for n in sink.notices] == ["watchsync: storage fault"]
    assert isinstance(sqlite3.ProgrammingError(), sqlite3.Error)


def test_digest_times_parse_and_key_sessions_are_hard_or_long() -> None:
    assert parse_digest("sun 20:00") == (6, 20, 0)
    assert parse_digest("Monday 7:05") == (0, 7, 5)
    with pytest.raises(ValueError, match="expected a weekday and a time"):
        parse_digest("someday 25:00")
    hills = parse_text("name: Hills\nsport: running\nMain set 6x\n- 60s RPE 8 up\n- 2m RPE 2 down\n", "hills.txt")
    easy = parse_text("name: Easy\nsport: running\n- 40m RPE 3\n", "easy.txt")
    long_run = parse_text("name: Long\nsport: running\ntags: long\n- 90m RPE 3\n", "long.txt")
    assert is_key_session(hills) and is_key_session(long_run) and not is_key_session(easy)
    strides = parse_text("name: Strides\nsport: running\n- 30m RPE 3\nStrides 6x\n- 20s RPE 9\n- 60s RPE 2\n",
                         "strides.txt")
    assert not is_key_session(strides)  # 2 minutes of hard running: an easy day's touch of speed


def _plan_this_week(store: Store, athlete_name: str, day: date) -> None:
    easy = parse_text("name: Easy\nsport: running\n- 30m RPE 3\n")
    store.upsert_workout(athlete_name, "easy", content_hash="h", payload=easy.model_dump(mode="json"))
    store.add_schedule(athlete_name, "easy", day)


def test_the_weekly_digest_goes_once_a_week_with_the_report_numbers_after_a_sync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """probe coach10: a digest sent at start-up, before the first activity sync, told "0.0 h of 7.1 h" for a
    week trained, and was the week's only one. It waits for a sync after it is due; an athlete with no plan
    and no activity this week gets none."""
    from watchsync.model.athlete import Athlete

    config = default_config(state_dir=tmp_path)
    config = config.model_copy(update={"notify": config.notify.model_copy(update={"digest": "sun 20:00"})})
    sunday = datetime(2026, 11, 29, 21, 0, tzinfo=UTC)  # an hour after the digest's time
    monday = date(2026, 11, 23)
    monkeypatch.setattr(Athlete, "now", lambda self: sunday)
    sink = Collect()
    with Store.open(config.store_path) as store:
        alerts = Alerts(config, store, sink)  # type: ignore[arg-type]
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, sunday.isoformat())
        alerts.check()
        assert not [n for n in sink.notices if n.key.startswith("digest:")]  # nothing planned, nothing done
        _plan_this_week(store, "anna", monday)
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, (sunday - timedelta(hours=2)).isoformat())
        alerts.check()
        assert not [n for n in sink.notices if n.key.startswith("digest:")]  # last synced before it was due
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, sunday.isoformat())
        store.kv_set("anna", "plan.weeks:Block", [[monday.isoformat(), "deload", None, 1]])  # as plan apply keeps it
        alerts.check()
        alerts.check()
    digests = [n for n in sink.notices if n.key.startswith("digest:")]
    assert len(digests) == 1
    assert digests[0].title == f"watchsync: anna, week of {monday}"
    assert digests[0].body.startswith("Deload week: less volume, no quality session.\nCompletion")
    assert "(0 done, " in digests[0].body and "0.0 h done of 0.5 h planned; easy share of running –" in digests[0].body


def test_a_digest_without_a_sync_goes_after_twelve_hours_saying_so_even_into_the_next_week(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """probe review13: with Garmin out of reach from Sunday evening, the week turned at midnight and last
    week's digest was never sent."""
    from watchsync.model.athlete import Athlete

    config = default_config(state_dir=tmp_path)
    config = config.model_copy(update={"notify": config.notify.model_copy(update={"digest": "sun 20:00"})})
    clock = [datetime(2026, 11, 30, 7, 0, tzinfo=UTC)]  # Monday 07:00: 11 hours after last week's digest time
    monkeypatch.setattr(Athlete, "now", lambda self: clock[0])
    sink = Collect()
    with Store.open(config.store_path) as store:
        _plan_this_week(store, "anna", date(2026, 11, 25))
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, datetime(2026, 11, 28, 18, 0, tzinfo=UTC).isoformat())
        alerts = Alerts(config, store, sink)  # type: ignore[arg-type]
        alerts.check()
        assert not [n for n in sink.notices if n.key.startswith("digest:")]
        clock[0] = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 13 hours: it goes, saying the figures are stale
        alerts.check()
    [digest] = [n for n in sink.notices if n.key.startswith("digest:")]
    assert digest.title == "watchsync: anna, week of 2026-11-23"
    assert "Activities were last synced Sat 11-28: the week's later ones are not in these figures." in digest.body


def test_a_rejected_file_is_told_once_with_its_note_never_before_the_note_is_written(tmp_path: Path) -> None:
    from watchsync.daemon.intake_files import rejection_note

    config = default_config(state_dir=tmp_path / "state")
    inbox = tmp_path / "inbox"
    config = config.model_copy(update={"daemon": config.daemon.model_copy(update={"inbox": inbox})})
    sink = Collect()
    with Store.open(config.store_path) as store:
        alerts = Alerts(config, store, sink)  # type: ignore[arg-type]
        alerts.check()  # notifications enabled now: later rejections are news
        folder = inbox / "anna" / "rejected"
        folder.mkdir(parents=True)
        (folder / "hills.txt").write_text("name: Hills\n")
        alerts.check()
        assert sink.notices == []  # moved, note not written yet
        (folder / "hills.txt.error.txt").write_text(rejection_note(["hills.txt:2:1: no steps (expected ...)"]))
        alerts.check()
        alerts.check()
    assert [(n.title, n.body.splitlines()[0]) for n in sink.notices] == [
        ("watchsync: hills.txt rejected (anna)",
         "The file hills.txt in the inbox of anna was rejected: hills.txt:2:1: no steps (expected ...)")]


def test_the_files_rejected_in_one_look_go_in_one_message_each_note_beside_its_file(tmp_path: Path) -> None:
    """journey11 #7: a copied folder of 12 bad files gave 12 messages in one second."""
    import time

    from watchsync.daemon.intake_files import rejection_note
    from watchsync.daemon.notifications import Notifier, Target

    config = default_config(state_dir=tmp_path / "state")
    inbox = tmp_path / "inbox"
    config = config.model_copy(update={"daemon": config.daemon.model_copy(update={"inbox": inbox})})
    folder = inbox / "anna" / "rejected"
    got: list[tuple[str, str]] = []

    def reject(*names: str) -> None:
        for name in names:
            (folder / name).write_text("name: Hills\n")
            (folder / f"{name}.error.txt").write_text(rejection_note([f"{name}:2:1: no steps (expected ...)"]))

    def sent(count: int) -> None:
        deadline = time.monotonic() + 10
        while len(got) < count:
            assert time.monotonic() < deadline, got
            time.sleep(0.02)

    def send(title: str, body: str) -> bool:
        got.append((title, body))
        return True

    with Store.open(config.store_path) as store:
        notifier = Notifier(store, [Target("#1", send)])
        notifier.start()
        alerts = Alerts(config, store, notifier)
        alerts.check()  # notifications enabled now: later rejections are news
        folder.mkdir(parents=True)
        reject(*(f"bad{n:02}.txt" for n in range(12)))
        alerts.check()
        alerts.check()
        sent(1)
        reject("late.txt")  # a later round: a message of its own
        alerts.check()
        sent(2)
        notifier.stop()
        again = Notifier(store, [Target("#1", send)])  # a restart: nothing is told twice
        Alerts(config, store, again).check()
        assert again._queue.empty()
    assert [title for title, _ in got] == ["watchsync: 12 files rejected (anna)", "watchsync: late.txt rejected (anna)"]
    lines = got[0][1].splitlines()
    assert lines[0] == "12 files in the inbox of anna were rejected:"
    assert lines[1:13] == [f"- bad{n:02}.txt: bad{n:02}.txt:2:1: no steps (expected ...)" for n in range(12)]
    assert "rejected/ (<file>.error.txt)" in lines[-1]
    assert all((folder / f"bad{n:02}.txt.error.txt").is_file() for n in range(12))


def _notices_after_sync(tmp_path: Path, runs: list[tuple[int, int, str]], *, backfill: bool,
                        workout: str = "- {minutes}m RPE 3 easy\n", done: str | None = None,
                        sport: str = "running") -> list[Notice]:
    """The notices after syncing ``runs`` (days ago, minutes, behaviour) of ``workout``'s steps (or ``done``'s, run
    for the planned ``workout``) done once notifications were on: by a reaching-back ``activities sync --since``
    (``backfill``), else by the daemon's poll."""
    from datetime import time

    from watchsync.garmin.client import GarminClient
    from watchsync.resolve import resolve
    from watchsync.services.activities import sync_activities
    from watchsync.testing.garmin.helpers import fake_token_dir, running_server
    from watchsync.testing.simulate import Behaviour, simulate_activity

    config = default_config(state_dir=tmp_path)
    athlete = config.athlete("anna")
    today = athlete.today()
    sink = Collect()
    with Store.open(config.store_path) as store:
        alerts = Alerts(config, store, sink)  # type: ignore[arg-type]
        alerts.check()  # notifications enabled: what is analysed from now on may be news
        with running_server() as server:
            for seed, (ago, minutes, behaviour) in enumerate(runs):
                day = today - timedelta(days=ago)
                run = resolve(parse_text(f"name: Easy {ago}\nsport: {sport}\n" + workout.format(minutes=minutes)),
                              athlete)
                store.upsert_workout("anna", f"easy-{ago}", content_hash=str(ago), payload=run.model_dump(mode="json"))
                store.add_schedule("anna", f"easy-{ago}", day)
                start = datetime.combine(day, time(7, 0), UTC)
                ran = run if done is None else resolve(
                    parse_text(f"name: Done {ago}\nsport: {sport}\n" + done.format(minutes=minutes)), athlete)
                simulated = simulate_activity(ran, athlete, start=start, behaviour=cast(Behaviour, behaviour),
                                              seed=seed)
                server.add_activity(simulated.fit, start_time=start, duration_s=simulated.summary["duration_s"])
            client = GarminClient(fake_token_dir(tmp_path / "tokens" / "anna", server.url), server.url)
            since = today - timedelta(days=max(ago for ago, _, _ in runs) + 1) if backfill else None
            sync_activities(store, client, athlete, fit_dir=tmp_path / "fit", since=since, today=today)
        alerts.check()
    return sink.notices


def test_a_backfilled_season_is_history_and_only_a_recent_activity_is_news(tmp_path: Path) -> None:
    notices = _notices_after_sync(tmp_path, [(30, 40, "too_hard"), (1, 40, "too_hard")], backfill=True)
    too_hard = [n.body for n in notices if n.key.startswith("too-hard:")]
    assert len(too_hard) == 1
    assert (date.today() - timedelta(days=1)).strftime("%m-%d") in too_hard[0]


def test_a_first_starts_sync_of_old_runs_is_history_too(tmp_path: Path) -> None:
    """The daemon's first sync lists 42 days: a run done too hard three weeks ago is no message for the
    coach's phone (a coach got 20 of them and the hour's budget was gone; probe coach9 #3)."""
    notices = _notices_after_sync(tmp_path, [(22, 40, "too_hard"), (12, 40, "too_hard"), (2, 40, "too_hard")],
                                  backfill=False)
    too_hard = [n.body for n in notices if n.key.startswith("too-hard:")]
    assert len(too_hard) == 1 and (date.today() - timedelta(days=2)).strftime("%m-%d") in too_hard[0]


def test_a_key_session_whose_intervals_were_run_easy_is_told(tmp_path: Path) -> None:
    """A skipped interval session showed "hard steps done easy" on the dashboard and sent nothing (coach9 #8)."""
    intervals = "- 10m RPE 3\nMain set 5x\n- 3m RPE 8\n- 2m RPE 2\n- {minutes}m RPE 2\n"
    notices = _notices_after_sync(tmp_path, [(1, 10, "skips_intervals"), (2, 10, "follows")], backfill=False,
                                  workout=intervals)
    told = [n for n in notices if n.key.startswith("hard-steps:")]
    assert len(told) == 1 and "key session was not done as planned" in told[0].title
    yesterday = (date.today() - timedelta(days=1)).strftime("%m-%d")
    assert "hard steps done easy" in told[0].body and yesterday in told[0].body


def test_hard_steps_run_too_hard_are_no_easy_run_done_too_hard_notice(tmp_path: Path) -> None:
    # "hard steps done too hard" holds "too hard": it was told as "anna's easy run was too hard"
    tempo = "- 10m RPE 3\n- 25m RPE 7 tempo\n- {minutes}m RPE 2\n"
    raced = "- 10m RPE 3\n- 25m RPE 10\n- {minutes}m RPE 2\n"
    notices = _notices_after_sync(tmp_path, [(1, 10, "follows")], backfill=False, workout=tempo, done=raced)
    assert not [n for n in notices if n.key.startswith("too-hard:")]


def test_an_easy_ride_done_too_hard_is_told_as_an_easy_session(tmp_path: Path) -> None:
    # "easy session done too hard" (a ride, a swim) sent nothing once only run and parts flags were told (review19)
    notices = _notices_after_sync(tmp_path, [(1, 60, "too_hard")], backfill=False, sport="cycling")
    told = [n for n in notices if n.key.startswith("too-hard:")]
    assert len(told) == 1 and "easy session was too hard" in told[0].title


def test_a_long_run_spike_against_too_short_a_history_is_not_told(tmp_path: Path) -> None:
    # the daemon's first sync sees 28 days, less than the 30-day look-back: the spike is "(short history)"
    notices = _notices_after_sync(tmp_path, [(5, 40, "follows"), (1, 80, "follows")], backfill=False)
    assert not [n for n in notices if n.key.startswith("spike:")]


@pytest.mark.parametrize(("clock", "due"), [("20:30", True), ("19:59", False)])
def test_the_digest_is_due_on_the_athletes_clock_not_the_servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 clock: str, due: bool) -> None:
    from zoneinfo import ZoneInfo

    from watchsync.model.athlete import Athlete

    zone = ZoneInfo("Pacific/Auckland")  # Sunday evening there is Sunday morning in UTC
    hours, minutes = map(int, clock.split(":"))
    sunday = datetime(2026, 11, 29, hours, minutes, tzinfo=zone)
    monkeypatch.setattr(Athlete, "now", lambda self: sunday)
    config = default_config(state_dir=tmp_path)
    config = config.model_copy(update={"notify": config.notify.model_copy(update={"digest": "sun 20:00"})})
    sink = Collect()
    with Store.open(config.store_path) as store:
        _plan_this_week(store, "anna", date(2026, 11, 25))
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, sunday.astimezone(UTC).isoformat())
        Alerts(config, store, sink).check()  # type: ignore[arg-type]
    digests = [n.title for n in sink.notices if n.key.startswith("digest:")]
    assert digests == (["watchsync: anna, week of 2026-11-23"] if due else [])


def test_a_missed_key_session_is_told_only_once_activities_were_synced_after_its_window(tmp_path: Path) -> None:
    from watchsync.resolve import resolve

    config = default_config(state_dir=tmp_path)
    athlete = config.athlete("anna")
    today = athlete.today()
    hills = resolve(parse_text("name: Hills\nsport: running\n- 10m RPE 3\n- 6x 1m RPE 8\n"), athlete)
    sink = Collect()
    with Store.open(config.store_path) as store:
        store.upsert_workout("anna", "hills", content_hash="h", payload=hills.model_dump(mode="json"))
        # its window closed yesterday; 6 days ago, not 7: the alerts' clock runs an hour ahead, and from 23:00
        # UTC on that is tomorrow, whose week before notifications began no longer holds a day 7 days ago
        store.add_schedule("anna", "hills", today - timedelta(days=6))
        alerts = Alerts(config, store, sink, now=lambda: datetime.now(UTC) + timedelta(hours=1))  # type: ignore[arg-type]
        alerts.check()
        assert not [n for n in sink.notices if n.key.startswith("missed:")]  # no sync yet: it may be unfetched
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, (datetime.now(UTC) - timedelta(days=3)).isoformat())
        alerts._report_seen.clear()
        alerts.check()
        assert not [n for n in sink.notices if n.key.startswith("missed:")]  # synced before the window closed
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, datetime.now(UTC).isoformat())
        alerts._report_seen.clear()
        alerts.check()
        told = [n.title for n in sink.notices if n.key.startswith("missed:")]
        assert told == ["watchsync: anna missed a key session"]


def test_a_key_session_told_as_missed_and_then_done_late_is_said_to_be_done_after_all(tmp_path: Path) -> None:
    """journey7 #8: the run was uploaded late (or done days late): the coach hears it, once."""
    from datetime import time

    from watchsync.garmin.client import GarminClient
    from watchsync.resolve import resolve
    from watchsync.services.activities import sync_activities
    from watchsync.testing.garmin.helpers import fake_token_dir, running_server
    from watchsync.testing.simulate import simulate_activity

    config = default_config(state_dir=tmp_path)
    athlete = config.athlete("anna")
    today = athlete.today()
    planned = today - timedelta(days=6)  # not 7: the alerts' clock an hour ahead is tomorrow from 23:00 UTC
    hills = resolve(parse_text("name: Hills\nsport: running\n- 10m RPE 3\n- 6x 1m RPE 8\n"), athlete)
    sink = Collect()
    with Store.open(config.store_path) as store:
        store.upsert_workout("anna", "hills", content_hash="h", payload=hills.model_dump(mode="json"))
        store.add_schedule("anna", "hills", planned)
        store.kv_set("anna", LAST_ACTIVITY_SYNC_KEY, datetime.now(UTC).isoformat())
        alerts = Alerts(config, store, sink, now=lambda: datetime.now(UTC) + timedelta(hours=1))  # type: ignore[arg-type]
        alerts.check()
        assert [n.key for n in sink.notices if n.key.startswith("missed:")] == [f"missed:anna:hills@{planned}"]

        start = datetime.combine(planned + timedelta(days=2), time(7), UTC)  # done two days late, uploaded now
        with running_server() as server:
            fit = simulate_activity(hills, athlete, start=start).fit
            server.add_activity(fit, start_time=start)
            client = GarminClient(fake_token_dir(tmp_path / "tokens", server.url), server.url)
            sync_activities(store, client, athlete, fit_dir=tmp_path / "fit", since=planned, today=today)
        alerts.check()
        alerts.check()
    done = [n for n in sink.notices if n.key.startswith("done-after-all:")]
    assert [n.title for n in done] == ["watchsync: anna did the key session after all"]
    assert "2 days late" in done[0].body and "no longer missed" in done[0].body


def test_a_file_or_folder_no_athletes_inbox_takes_in_is_told_once(tmp_path: Path) -> None:
    """journey8 #3: a file at the inbox's top, a folder of no athlete: nothing takes them in."""
    from watchsync.daemon.rejected import stray_entries

    root = tmp_path / "inbox"
    (root / "anna").mkdir(parents=True)
    (root / "bob").mkdir()
    (root / "bob" / "tempo.txt").write_text("name: t\nsport: running\n- 10m RPE 3\n", encoding="utf-8")
    (root / "stray.txt").write_text("name: s\nsport: running\n- 10m RPE 3\n", encoding="utf-8")
    (root / ".DS_Store").write_text("", encoding="utf-8")
    config = default_config(state_dir=tmp_path / "state")
    config = config.model_copy(update={"daemon": config.daemon.model_copy(update={"inbox": root})})

    assert [(e.name, "no athlete" in e.problem or "top of the inbox" in e.problem)
            for e in stray_entries(config)] == [("bob/", True), ("stray.txt", True)]
    sink = Collect()
    with Store.open(config.store_path) as store:
        alerts = Alerts(config, store, sink)  # type: ignore[arg-type]
        alerts.check()
        alerts.check()
    assert sorted(n.title for n in sink.notices if n.key.startswith("stray:")) == [
        "watchsync: bob/ is not taken in", "watchsync: stray.txt is not taken in"]


def test_a_notice_names_the_planned_day_too_when_the_session_was_done_on_another() -> None:
    """The dashboard lists a late session under its planned day, the notice named only the day it was done."""
    from watchsync.daemon.alerts import _when
    from watchsync.report.model import SessionRow

    row = SessionRow(day=date(2026, 12, 1), session_id="s", activity_id="a", done_on=date(2026, 12, 2),
                     name="Pre-run drills", sport="running", status="green", metric="duration", planned=600.0,
                     done=600.0, ratio=1.0, in_target=None, easy_above=None, rpe_prescribed=None, rpe_reported=None,
                     days_late=1, flags=[])
    assert _when(row) == "Wed 12-02 (planned Tue 12-01)"
    assert _when(row.model_copy(update={"done_on": row.day})) == "Tue 12-01"


def test_a_503_outage_with_a_restart_inside_is_told_once_and_the_queue_goes_at_the_first_success(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """journey11 #1 and #2 against the local Garmin server answering 503: a restart of the watcher inside
    the outage says nothing new, and the first successful call sends the push held on its 5xx backoff."""
    import threading
    import time
    import types

    import garminconnect.api.base

    from watchsync.daemon.worker import AthleteWorker
    from watchsync.garmin.client import GarminClient
    from watchsync.garmin.sync import SyncService
    from watchsync.model.athlete import Athlete
    from watchsync.testing.garmin.helpers import fake_token_dir, running_server

    monkeypatch.setattr(garminconnect.api.base, "time", types.SimpleNamespace(sleep=lambda _s: None))
    anna = Athlete(name="anna", lthr=171)
    config = default_config(state_dir=tmp_path)
    config = config.model_copy(update={  # unreachable after 0.6 s of failing calls
        "notify": config.notify.model_copy(update={"unreachable_minutes": 0.01}),
        "daemon": config.daemon.model_copy(update={"poll_minutes": 0.001})})
    store, sink = Store.open(config.store_path), Collect()
    alerts = Alerts(config, store, sink)  # type: ignore[arg-type]

    def until(condition: object, what: str) -> None:
        deadline = time.monotonic() + 10
        while not callable(condition) or not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)

    with running_server() as server:
        tokens = fake_token_dir(tmp_path / "tokens", server.url)

        def new_client() -> GarminClient:
            return GarminClient(tokens, server.url, sleep=lambda _s: None)

        stop = threading.Event()
        worker = AthleteWorker(store, anna, new_client, tokens, tmp_path / "state", stop)
        worker.start()
        try:
            worker.request_activity_sync()
            until(lambda: store.kv_get("anna", LAST_ACTIVITY_SYNC_KEY), "a first sync")
            server.set_faults("503=1.0")
            SyncService(store, new_client, anna).enqueue_push(parse_text("name: Easy\nsport: running\n- 30m RPE 3\n"))
            worker.wake()
            until(lambda: store.list_outbox("anna")[0].attempts >= 1, "the failed push")
            held = store.list_outbox("anna")[0].not_before
            assert held > datetime.now(UTC) + timedelta(seconds=20)  # a server error's backoff (30 s ±20 %)
            time.sleep(0.7)
            alerts.check()
            restarted = Alerts(config, store, sink)  # type: ignore[arg-type]
            worker.request_activity_sync()  # still 503
            until(lambda: "activity sync" in str(store.kv_get("anna", "daemon.last_error")), "a failed sync")
            restarted.check()
            assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable"]
            server.set_faults("")
            worker.request_activity_sync()  # the first successful call
            until(lambda: server.workouts(), "the push released by the first success")
            assert datetime.now(UTC) < held
            restarted.check()
        finally:
            stop.set()
            worker.wake()
            worker.join(5)
    assert [n.title for n in sink.notices] == ["watchsync: Garmin unreachable", "watchsync: Garmin reachable again"]
    store.close()
