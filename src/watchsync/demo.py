"""``make demo``: the whole story on embedded defaults, unattended, everything started is stopped.

1. compile the workout library for the example athlete of ``config.example.toml`` (FIT files);
2. start the local Garmin-Connect-compatible server and the real daemon (a subprocess) on a
   temporary inbox and state directory;
3. drop a generated 6-week base-building plan and a few coach files (one deliberately broken) into
   the inbox, and show what got scheduled;
4. simulate the runner completing (or not) the first three weeks on the server, let the daemon's
   poller fetch and score them, and print the compliance report (and write the HTML page);
5. show the notifications the coach got (a local sink stands in for ntfy/e-mail) and the URL of the
   dashboard the daemon serves; with ``--serve`` (``make demo-serve``) keep serving it until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from watchsync.compile import Compiled, compile_paths, output_path
from watchsync.config import default_config
from watchsync.describe import format_seconds, format_table
from watchsync.model.athlete import Athlete
from watchsync.model.workout import Sport, Workout
from watchsync.plan.generate import GenerateOptions, generate_plan
from watchsync.plan.model import Plan
from watchsync.plan.write import write_plan_toml
from watchsync.prepare import workout_key
from watchsync.resolve import resolve
from watchsync.rules import planned_seconds, speeds_for
from watchsync.testing.garmin.helpers import fake_token_dir, running_server
from watchsync.testing.garmin.server import LocalGarminServer
from watchsync.testing.garmin.state import CONNECT_TYPE_OF_SPORT
from watchsync.testing.notify_sink import NotifySink, running_sink
from watchsync.testing.simulate import Behaviour, simulate_activity

REPO = Path(__file__).resolve().parents[2]
WEEKS_DONE = 3
TIMEOUT_S = 60.0


COACH_FILES: dict[str, str] = {
    "tempo-hills.txt": """name: Tempo hills
sport: trail_running
description: Steady climbing at a tempo effort; easy back down.
Warmup
- 15m RPE 3 easy
Climbs 4x
- 4m RPE 6 steady climb
- 3m RPE 2 easy back down
Cooldown
- 10m RPE 2-3
""",
    "mobility-20.toml": """name = "Mobility 20 min"
sport = "mobility"
text = '''
- 10m RPE 1 hips and ankles
- 10m RPE 2 hamstrings and calves
'''
""",
    "broken-intervals.txt": """name: Broken intervals
sport: running
Main set 5x
- 3m RPE 11 too hard to exist
- 2m RPE 2 jog
""",
}


def step(title: str) -> None:
    """A section header on stdout."""
    print(f"\n== {title}", flush=True)


def compile_library(library: Path, out_dir: Path, athlete: Athlete) -> int:
    """Compile every workout in ``library``; print a summary table; return the number of failures."""
    rows: list[list[str]] = []
    failures = 0
    started = time.perf_counter()
    for result in compile_paths([library], athlete):
        if not isinstance(result, Compiled):
            failures += 1
            print(result.error, file=sys.stderr)
            continue
        target = output_path(result.path, [library], out_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(result.fit)
        resolved = result.resolved
        seconds = planned_seconds(resolved, speeds_for(athlete))
        rows.append([str(result.path.relative_to(library)), resolved.sport.value,
                     str(len(resolved.flat_steps())), format_seconds(seconds), f"{len(result.fit)} B"])
    print(format_table(["workout", "sport", "steps", "time", "FIT"], rows))
    print(f"compiled {len(rows)} workouts for {athlete.name} in {time.perf_counter() - started:.2f} s "
          f"-> {out_dir} ({failures} failed)")
    return failures


def wait_for(what: str, condition: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    """Poll ``condition`` until it holds; a clear error after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def drop(inbox: Path, name: str, text: str) -> None:
    """Write a file the way editors and `cp` do it safely: a temporary name, then a rename into place."""
    temporary = inbox / f".{name}.tmp"
    temporary.write_text(text, "utf-8")
    os.replace(temporary, inbox / name)


@contextmanager
def daemon_process(config_file: Path, state: Path, log_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The real daemon (``watchsync daemon``) as a subprocess; SIGTERM and wait on exit."""
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "watchsync", "--config", str(config_file), "--state-dir", str(state), "daemon"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def free_port() -> int:
    """A loopback port free right now (for the dashboard)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(path: Path, server_url: str, inbox: Path, *, web_port: int | None = None,
                 notify_url: str | None = None) -> None:
    """The demo's configuration: the embedded default athlete, the local server, a quick poller."""
    athlete_table = default_config().athlete()
    lines = [f'[garmin]\nendpoint = "{server_url}"\n',
             f'[daemon]\ninbox = "{inbox}"\npoll_minutes = 0.05\nquiet_seconds = 0.3\n']
    if web_port is not None:
        lines.append(f'[web]\nlisten = "127.0.0.1:{web_port}"\n')
    if notify_url is not None:
        lines.append(f'[notify]\nurls = ["{notify_url}"]\ncheck_seconds = 0.5\n')
    lines.append(f"[athletes.{athlete_table.name}]")
    for key in ("max_hr", "resting_hr", "lthr", "ftp"):
        lines.append(f"{key} = {getattr(athlete_table, key)}")
    lines.append(f'threshold_pace = "{int(athlete_table.threshold_pace or 270) // 60}:'
                 f'{int(athlete_table.threshold_pace or 270) % 60:02d}/km"')
    path.write_text("\n".join(lines) + "\n", "utf-8")


#: How the simulated runner handled the runs of the first weeks, in turn (None: skipped). Other
#: sessions (cross-training, core, strength, drills) are done as planned, but for one missed.
RUN_BEHAVIOURS: tuple[Behaviour | None, ...] = (
    "follows", "too_hard", "follows", "cut_short", "follows", "late", "skips_intervals", "follows",
    "swapped_bike", "follows", None, "follows",
)
#: Behaviours where the watch ran the scheduled workout, so Garmin links the activity to it.
LINKED: frozenset[Behaviour] = frozenset({"follows", "too_hard", "cut_short", "late", "skips_intervals"})


def simulate_weeks(server: LocalGarminServer, plan: Plan, start: date, athlete: Athlete, today: date) -> int:
    """Post activities for the plan's first weeks to the server; returns how many were posted."""
    remote_ids = {w["workoutName"]: int(w["workoutId"]) for w in server.workouts()}
    posted = runs = others = 0
    rows: list[list[str]] = []
    last_day = min(start + timedelta(weeks=WEEKS_DONE), today)
    done = [s for s in plan.sessions(start) if s.date < last_day]
    is_run = [s.workout.sport.family == "run" and "drills" not in s.workout.tags for s in done]
    latest_run = max((i for i, run in enumerate(is_run) if run), default=None)  # this week's news for the coach
    for index, session in enumerate(done):
        workout: Workout = session.workout
        behaviour: Behaviour | None
        if index == latest_run:  # the last run is done too hard: news (older runs are history to a fresh daemon)
            behaviour, runs = "too_hard", runs + 1
        elif is_run[index]:
            behaviour, runs = RUN_BEHAVIOURS[runs % len(RUN_BEHAVIOURS)], runs + 1
        else:
            behaviour, others = (None if others == 5 else "follows"), others + 1
        if behaviour is None:
            rows.append([session.date.isoformat(), workout.name, "skipped (missed)"])
            continue
        days_late = 2 if behaviour == "late" else 0
        begin = datetime.combine(session.date + timedelta(days=days_late), datetime.min.time()).replace(hour=7)
        simulated = simulate_activity(resolve(workout, athlete), athlete, start=begin, behaviour=behaviour,
                                      seed=posted)
        sport = Sport.CYCLING if behaviour == "swapped_bike" else workout.sport
        rpe = simulated.summary["workout_rpe"]
        server.add_activity(
            simulated.fit, start_time=begin, activity_type=CONNECT_TYPE_OF_SPORT[sport], name=workout.name,
            duration_s=simulated.summary["duration_s"], distance_m=simulated.summary["distance_m"],
            associated_workout_id=remote_ids.get(workout.name) if behaviour in LINKED else None,
            direct_workout_rpe=round(rpe * 10) if rpe else None)
        posted += 1
        rows.append([begin.date().isoformat(), workout.name, behaviour.replace("_", " ")])
    print(format_table(["date", "session", "what the runner did"], rows))
    return posted


def check_dashboard(url: str, athlete: str) -> list[str]:
    """GET each kind of page once; the lines to print (a failure is a ``RuntimeError``)."""
    pages = ["", "status", f"athletes/{athlete}", f"athletes/{athlete}/week/{date.today()}",
             f"athletes/{athlete}/season", f"athletes/{athlete}.ics"]
    lines = []
    for page in pages:
        try:
            with urllib.request.urlopen(url + page, timeout=30) as answer:
                size = len(answer.read())
        except OSError as error:
            raise RuntimeError(f"demo: the dashboard page {url + page} failed: {error}") from None
        lines.append(f"  {url + page}  ({size // 1024} KiB)")
    return lines


def wait_for_ctrl_c(url: str) -> None:
    """Keep everything running until Ctrl-C (SIGINT) or SIGTERM, also when started with SIGINT ignored."""
    stop = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    print(f"\nDashboard: {url}  (serving until Ctrl-C)", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("\nstopping", flush=True)


def show_notifications(sink: NotifySink) -> None:
    received = sink.received()
    print(f"{len(received)} notifications (apprise json:// to a local sink; ntfy, e-mail, Matrix work alike):")
    for message in received:
        print(f"  - {message.get('title')}: {str(message.get('message')).splitlines()[0]}")


def run_story(workdir: Path, library: Path, html: Path, *, serve: bool = False) -> int:
    """Server + daemon + plan + coach files + simulated weeks + report + dashboard."""
    from watchsync.report import render_html, render_terminal, wants_color
    from watchsync.services.report import store_report
    from watchsync.store import Store

    shutil.rmtree(workdir, ignore_errors=True)
    state, inbox_root = workdir / "state", workdir / "inbox"
    config_file = workdir / "config.toml"
    athlete = default_config().athlete()
    today = date.today()
    start = today - timedelta(days=today.weekday(), weeks=WEEKS_DONE)
    inbox = inbox_root / athlete.name
    inbox.mkdir(parents=True)

    port = free_port()
    dashboard = f"http://127.0.0.1:{port}/"
    with running_server() as server, running_sink() as sink:
        step(f"2. Local Garmin server at {server.url}; daemon on inbox {inbox}")
        write_config(config_file, server.url, inbox_root, web_port=port, notify_url=sink.url)
        fake_token_dir(state / "tokens" / athlete.name, server.url)
        # what a real calendar also holds: a race (Garmin gives events no id) and a weigh-in
        server.add_calendar_item("event", start + timedelta(weeks=6, days=5), "Trail race 30 km")
        server.add_calendar_item("weight", start + timedelta(days=1))
        plan = generate_plan(GenerateOptions(library=library, weeks=6, start=start, runs_per_week=4,
                                             cross_training=("bike", "xc_ski"), athlete=athlete.name,
                                             speeds=speeds_for(athlete)))
        sessions = list(plan.sessions(start))
        with daemon_process(config_file, state, workdir / "daemon.log") as daemon:
            step("3. The coach drops a 6-week base-building plan and three workout files (one broken)")
            drop(inbox, "base-6-weeks.toml", write_plan_toml(plan, str(library)))
            for name, text in COACH_FILES.items():
                drop(inbox, name, text)
            expected = len({(workout_key(s.workout), s.date) for s in sessions})
            wait_for("the plan's sessions on the Garmin calendar", lambda: len(server.schedules()) >= expected)
            wait_for("the coach files to be processed",
                     lambda: len(list((inbox / "processed").glob("*"))) >= len(COACH_FILES)
                     and (inbox / "rejected" / "broken-intervals.txt.error.txt").exists())
            print(f"{len(server.workouts())} workouts and {len(server.schedules())} calendar entries at Garmin "
                  f"for {athlete.name}, weeks of {start} to {start + timedelta(weeks=6, days=-1)}")
            print(f"processed: {', '.join(sorted(p.name for p in (inbox / 'processed').iterdir()))}")
            print(f"rejected:  {(inbox / 'rejected' / 'broken-intervals.txt.error.txt').read_text().strip()}")

            step(f"4. The runner trains for {WEEKS_DONE} weeks (simulated activities appear at Garmin)")
            posted = simulate_weeks(server, plan, start, athlete, today)
            with Store.open(state / "watchsync.sqlite3") as store:
                wait_for("the daemon's poller to fetch and score the activities",
                         lambda: len(store.list_activities(athlete.name)) >= posted)
            if daemon.poll() is not None:
                raise RuntimeError(f"demo: the daemon stopped early (see {workdir / 'daemon.log'})")

            step("5. Compliance report")
            with Store.open(state / "watchsync.sqlite3") as store:
                report = store_report(store, athlete, today=today)
            print(render_terminal(report, color=wants_color(sys.stdout)))
            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(report), "utf-8")
            print(f"\nHTML report: {html}\ndaemon log: {workdir / 'daemon.log'}")

            step("6. What the coach sees: notifications and the dashboard")
            wait_for("the notifications of the rejected file and the too-hard easy run",
                     lambda: any("rejected" in str(m.get("title")) for m in sink.received())
                     and any("too hard" in str(m.get("title")) for m in sink.received()))
            show_notifications(sink)
            print(f"dashboard served by the daemon at {dashboard}:")
            print("\n".join(check_dashboard(dashboard, athlete.name)))
            if serve:
                wait_for_ctrl_c(dashboard)
            else:
                print(f"Dashboard: {dashboard} (stops with the demo; `make demo-serve` keeps it open)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the demo."""
    parser = argparse.ArgumentParser(prog="watchsync-demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", type=Path, default=REPO / "workouts")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "demo")
    parser.add_argument("--serve", action="store_true", default=os.environ.get("DEMO_SERVE") == "1",
                        help="keep the daemon and its dashboard running until Ctrl-C (also DEMO_SERVE=1)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    athlete = default_config(state_dir=args.out / "state").athlete()
    step(f"1. Compile the workout library for {athlete.name} (LTHR {athlete.effective_lthr})")
    if compile_library(args.library.resolve(), args.out / "fit", athlete):
        return 1
    try:
        code = run_story(args.out / "run", args.library.resolve(), args.out / "report.html", serve=args.serve)
    except (TimeoutError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"demo finished in {time.monotonic() - started:.1f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
