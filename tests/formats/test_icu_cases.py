"""Real intervals.icu texts (``../shared/fixtures/icu``) read through the command line as their
``expected/`` files say: steps, lengths, repeat counts, target kinds and ranges, cadence, ramps."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from watchsync.cli import main

REPO = Path(__file__).resolve().parents[2]
ICU = Path(os.environ.get("WATCHSYNC_ICU_FIXTURES") or REPO.parent / "shared" / "fixtures" / "icu")
CASES = sorted((ICU / "cases").glob("*.txt")) if (ICU / "cases").is_dir() else []


@pytest.fixture(autouse=True)
def _embedded_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("WATCHSYNC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    monkeypatch.setenv("WATCHSYNC_STATE_DIR", str(tmp_path / "state"))


def _expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ICU / "expected" / f"{case.stem}.json").read_text("utf-8"))
    return data


# --- the expected files' vocabulary, from the model's JSON ---------------------------------------


def _target(target: dict[str, Any] | None) -> dict[str, Any] | None:
    if target is None or target["kind"] == "open":
        return None
    kind = target["kind"]
    if kind in ("hr_zone", "pace_zone", "power_zone"):
        zones = {"kind": kind, "zone": target["zone"]}
        if target.get("zone_high") is not None:
            zones["zone_high"] = target["zone_high"]
        return zones
    if kind == "pace":  # seconds per km, as a set: a range may be written either way
        return {"kind": "pace_abs", "per_km": sorted([round(target["fast"], 3), round(target["slow"], 3)])}
    return {"kind": "power_w" if kind == "power" else kind, "low": target["low"], "high": target["high"]}


def _expected_target(target: dict[str, Any] | None) -> dict[str, Any] | None:
    if target is None:
        return None
    if target["kind"] == "pace_abs":
        per_km = 1000 / target["per_m"]
        return {"kind": "pace_abs", "per_km": sorted([round(target["low_s"] * per_km, 3),
                                                      round(target["high_s"] * per_km, 3)])}
    if "low" in target:
        return {"kind": target["kind"], "low": min(target["low"], target["high"]),
                "high": max(target["low"], target["high"])}
    return target


def _ours(block: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "repeat":
        return {"repeat": block["count"],
                "steps": [_ours(one, other) for one, other in zip(block["steps"], wanted.get("steps", []),
                                                                  strict=False)]}
    duration = block["duration"]
    step: dict[str, Any] = {}
    if duration["kind"] == "time":
        step["duration_s"] = duration["seconds"]
    elif duration["kind"] == "distance":
        step["distance_m"] = round(duration["meters"], 3)
    elif duration["kind"] == "lap_button":
        step["lap"] = True
    step["target"] = _target(block.get("target"))
    secondary = block.get("secondary")
    if secondary is not None and secondary["kind"] == "cadence":
        step["cadence_rpm"] = [secondary["low"], secondary["high"]]
    if block.get("ramp"):
        step["ramp"] = True
    if "intensity" in wanted:
        step["intensity"] = block["intensity"]
    if "placeholder" in wanted:
        planned = block.get("planned")
        step["planned"] = planned and (planned.get("seconds") or planned.get("meters"))
    return step


def _theirs(block: dict[str, Any]) -> dict[str, Any]:
    if "repeat" in block:
        return {"repeat": block["repeat"], "steps": [_theirs(step) for step in block["steps"]]}
    step = {key: block[key] for key in ("duration_s", "lap", "cadence_rpm", "ramp", "intensity") if key in block}
    if "distance_m" in block:
        step["distance_m"] = round(block["distance_m"], 3)
    step["target"] = _expected_target(block.get("target"))
    if "placeholder" in block:
        step["planned"] = _length(block["placeholder"])
    return step


def _length(text: str) -> float:
    """The expected files' placeholders: ``9m``, ``2m``, ``15'``, ``2km``."""
    if text.endswith("km"):
        return float(text[:-2]) * 1000
    return float(text.rstrip("m'")) * 60


# --- the tests -----------------------------------------------------------------------------------


def test_the_shared_cases_are_there() -> None:
    if not CASES:
        pytest.skip(f"intervals.icu fixtures not found at {ICU} (set WATCHSYNC_ICU_FIXTURES)")
    assert len(CASES) >= 18


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_every_case_is_understood_as_its_expected_file_says(case: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    expected = _expected(case)
    assert main(["validate", "--json", "--sport", expected["sport"], str(case)]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["ok"], result["error"]
    workout = result["workout"]
    assert workout["sport"] == expected["sport"]
    wanted = [_theirs(block) for block in expected["steps"]]
    got = [_ours(block, want) for block, want in zip(workout["steps"], expected["steps"], strict=False)]
    assert len(workout["steps"]) == len(expected["steps"])
    assert got == wanted
    assert any("sport " + expected["sport"] + " from --sport" in m for m in result["messages"])


@pytest.mark.parametrize("case", CASES[:6], ids=[case.stem for case in CASES[:6]])
def test_a_sport_folder_stands_in_for_sport_and_show_resolves_them(case: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sport = _expected(case)["sport"]
    folder = tmp_path / sport
    folder.mkdir()
    copy = folder / case.name
    shutil.copy(case, copy)
    assert main(["validate", str(copy)]) == 0
    assert f"sport {sport} from the folder '{sport}'" in capsys.readouterr().err
    assert main(["show", "--json", str(copy)]) == 0  # the example athlete has an FTP, LTHR and paces
    resolved = json.loads(capsys.readouterr().out)
    kinds = {step["target"]["kind"] for step in _flat(resolved["steps"])}
    assert kinds <= {"open", "power", "power_zone", "hr_bpm", "speed", "cadence"}


def _flat(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        out.extend(_flat(block["steps"]) if block["type"] == "repeat" else [block])
    return out


def test_the_athletes_sport_is_the_last_fallback_and_without_it_the_error_says_where_a_sport_can_come_from(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "pasted.txt"
    text.write_text("Main set 4x\n- 2m 95%\n- 2m 55%\n", "utf-8")
    assert main(["validate", str(text)]) == 0  # the example athlete's sport: trail_running
    assert f"{text}: sport trail_running from the athlete's sport setting" in capsys.readouterr().err
    config = tmp_path / "config.toml"
    config.write_text("[athletes.bo]\nmax_hr = 185\n", "utf-8")
    assert main(["--config", str(config), "validate", str(text)]) == 1
    err = capsys.readouterr().err
    assert f"{text}:2:1: no sport for this workout" in err
    assert "--sport" in err and "sport folder" in err


def test_the_name_comes_from_the_first_free_text_line_else_the_file_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prose = tmp_path / "vo2.txt"
    prose.write_text("VO2max intervals, run hard but controlled\n\nMain set 4x\n- 3m Z5 HR\n- 2m Z1 HR\n", "utf-8")
    bare = tmp_path / "easy-run.txt"
    bare.write_text("- 40m Z2 HR\n", "utf-8")
    assert main(["validate", "--json", "--sport", "run", str(prose), str(bare)]) == 0
    first, second = json.loads(capsys.readouterr().out)
    assert first["workout"]["name"] == "VO2max intervals, run hard but controlled"
    assert any("name from the first free-text line" in m for m in first["messages"])
    assert second["workout"]["name"] == "easy-run"
    assert any("name from the file name" in m for m in second["messages"])


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_every_case_is_written_back_as_text_that_reads_the_same(case: Path) -> None:
    from watchsync.formats.load import load_workout
    from watchsync.formats.text import format_text, parse_text
    from watchsync.model.workout import Sport

    workout = load_workout(case, sport=Sport(_expected(case)["sport"]))
    assert parse_text(format_text(workout)) == workout
