"""``show``, ``plan show``, ``plan lint`` and ``report`` agree on every planned time and distance
(one home for the rules: watchsync.rules), over the whole workout library."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from watchsync.cli import main

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "workouts"
WORKOUTS = sorted(p for p in LIBRARY.rglob("*") if p.suffix in {".txt", ".toml"} and "plans" not in p.parts)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str, codes: tuple[int, ...] = (0,)) -> str:
    capsys.readouterr()
    code = main(["--state-dir", str(tmp_path / "state"), *argv])
    out = capsys.readouterr().out
    assert code in codes, out
    return out


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    """A plan holding every library workout once, one a day from Monday 2030-03-04."""
    lines = ['name = "Every workout"', f'library = "{LIBRARY}"', "start = 2030-03-04"]
    for week in range(0, len(WORKOUTS), 7):
        lines += ["[[weeks]]", 'focus = "build"', "[weeks.days]"]
        lines += [f'{DAYS[i]} = ["{path.relative_to(LIBRARY).as_posix()}"]'
                  for i, path in enumerate(WORKOUTS[week:week + 7])]
    path = tmp_path / "every.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_library_is_there() -> None:
    assert len(WORKOUTS) >= 15


def test_show_plan_show_lint_and_report_agree(plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shown: dict[str, tuple[float, float]] = {}  # name -> (minutes, km) as `show` prints them
    for path in WORKOUTS:
        out = cli(capsys, tmp_path, "show", str(path))
        name = out.splitlines()[0].split("  (")[0]
        estimate = re.search(r"estimated: (?:(\d+)h)?(\d+)m(?:\d+s)?(?:, ([\d.]+) km)?", out)
        assert estimate, out
        minutes = 60 * int(estimate.group(1) or 0) + int(estimate.group(2))
        shown[name] = (minutes, float(estimate.group(3) or 0))

    table = cli(capsys, tmp_path, "plan", "show", str(plan))
    entries = [part for line in table.splitlines() if re.match(r"  (mon|tue|wed|thu|fri|sat|sun)  ", line)
               for part in line[7:].split(" · ")]
    in_plan = {m.group(1): int(m.group(2)) for m in (re.fullmatch(r"(.+) \((\d+) min\)", e) for e in entries) if m}
    assert set(in_plan) == set(shown)
    for name, minutes in in_plan.items():
        assert abs(minutes - shown[name][0]) <= 1, name  # both rounded to the minute

    report = json.loads(cli(capsys, tmp_path, "report", "--plan", str(plan), "--json"))["report"]
    planned = {row["name"]: row for row in report["sessions"]}
    assert set(planned) == set(shown)
    for name, row in planned.items():
        if row["metric"] == "duration":
            assert abs(row["planned"] / 60 - shown[name][0]) <= 1, name
        else:
            assert abs(row["planned"] / 1000 - shown[name][1]) <= 0.051, name

    lint = json.loads(cli(capsys, tmp_path, "plan", "lint", str(plan), "--json", codes=(0, 1)))
    weeks = report["summary"]["weeks"]
    assert len(weeks) == len(lint["weeks"])
    for linted, summarised in zip(lint["weeks"], weeks, strict=True):
        assert linted["minutes"] * 60 == pytest.approx(summarised["totals"]["planned_seconds"], abs=1e-6)
