"""Moving inbox files to processed/ and rejected/: atomic, never overwriting, never deleting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchsync.daemon.intake_files import move_to_processed, move_to_rejected

STAMPED = re.compile(r"^hills\.\d{8}T\d{6}(-\d+)?\.txt$")


def _drop(inbox: Path, name: str, text: str) -> Path:
    path = inbox / name
    path.write_text(text, encoding="utf-8")
    return path


def test_processed_keeps_name_and_content(tmp_path: Path) -> None:
    source = _drop(tmp_path, "hills.txt", "Warmup\n- 10m RPE 3\n")
    moved = move_to_processed(source, tmp_path)
    assert moved == tmp_path / "processed" / "hills.txt"
    assert moved.read_text(encoding="utf-8") == "Warmup\n- 10m RPE 3\n"
    assert not source.exists()


def test_the_newest_version_keeps_the_plain_name_older_ones_get_timestamps_and_none_is_lost(tmp_path: Path) -> None:
    """probe journey10: the plain name held the oldest version, which a plan naming ``hills.txt`` read."""
    contents = [f"version {n}\n" for n in range(4)]
    moved = [move_to_processed(_drop(tmp_path, "hills.txt", text), tmp_path) for text in contents]
    assert {path.name for path in moved} == {"hills.txt"}
    assert (tmp_path / "processed" / "hills.txt").read_text(encoding="utf-8") == contents[-1]
    kept = sorted((tmp_path / "processed").iterdir())
    older = [path for path in kept if path.name != "hills.txt"]
    assert len(kept) == len(contents) and all(STAMPED.match(path.name) for path in older), [p.name for p in kept]
    assert sorted(path.read_text(encoding="utf-8") for path in kept) == sorted(contents)


def test_rejected_file_gets_an_explanation_beside_it(tmp_path: Path) -> None:
    source = _drop(tmp_path, "tempo.toml", "sport = 'running\n")
    errors = ["tempo.toml:1:9: unterminated string (expected a closing ')", "tempo.toml:3:1: no steps"]
    moved = move_to_rejected(source, tmp_path, errors)
    assert moved == tmp_path / "rejected" / "tempo.toml"
    assert moved.read_text(encoding="utf-8") == "sport = 'running\n"
    note = (tmp_path / "rejected" / "tempo.toml.error.txt").read_text(encoding="utf-8")
    lines = note.splitlines()
    assert lines[0] == "watchsync could not use this file:"
    for error in errors:
        assert any(line.strip() == error for line in lines)
    assert "inbox" in note.lower()


def test_rejecting_the_same_name_twice_keeps_both_files_and_notes(tmp_path: Path) -> None:
    first = move_to_rejected(_drop(tmp_path, "hills.txt", "a"), tmp_path, ["hills.txt:1:1: first problem"])
    second = move_to_rejected(_drop(tmp_path, "hills.txt", "b"), tmp_path, ["hills.txt:2:1: second problem"])
    assert first != second
    assert STAMPED.match(second.name)
    assert (first.read_text(), second.read_text()) == ("a", "b")
    first_note = first.with_name(first.name + ".error.txt").read_text(encoding="utf-8")
    second_note = second.with_name(second.name + ".error.txt").read_text(encoding="utf-8")
    assert "first problem" in first_note and "second problem" in second_note


def test_a_taken_note_name_is_not_overwritten(tmp_path: Path) -> None:
    rejected = tmp_path / "rejected"
    rejected.mkdir()
    (rejected / "hills.txt.error.txt").write_text("someone else's file", encoding="utf-8")
    moved = move_to_rejected(_drop(tmp_path, "hills.txt", "x"), tmp_path, ["hills.txt:1:1: bad"])
    assert moved == rejected / "hills.txt"
    assert (rejected / "hills.txt.error.txt").read_text(encoding="utf-8") == "someone else's file"
    notes = [p for p in rejected.iterdir() if p.name.startswith("hills.") and p.name.endswith(".error.txt")]
    assert len(notes) == 2
    assert any("hills.txt:1:1: bad" in p.read_text(encoding="utf-8") for p in notes)


def test_missing_source_raises_and_leaves_no_placeholder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        move_to_processed(tmp_path / "gone.txt", tmp_path)
    assert list((tmp_path / "processed").iterdir()) == []


def test_a_rejection_note_keeps_a_long_problem_whole() -> None:
    from watchsync.daemon.intake_files import rejection_note

    problem = "kai-strength.toml:7:1: unknown exercise 'ROW/BENT_OVER' " + "(did you mean one of " * 12 + "CATEGORY)"
    assert 240 < len(problem) < 1000
    note = rejection_note([problem])
    assert problem in note and "more characters" not in note


def test_a_second_rejected_file_of_a_name_says_which_copy_its_note_is_about(tmp_path: Path) -> None:
    # probe journey10: rejected/split3.<time>.txt.error.txt named split3.txt, a different (first) copy
    move_to_rejected(_drop(tmp_path, "split3.txt", "v1\n"), tmp_path, ["split3.txt:1:1: first problem"])
    second = move_to_rejected(_drop(tmp_path, "split3.txt", "v2\n"), tmp_path, ["split3.txt:4:3: second problem"])
    assert second.name != "split3.txt"
    note = second.with_name(second.name + ".error.txt").read_text(encoding="utf-8")
    assert "second problem" in note and f"kept here as {second.name}" in note
    first = (tmp_path / "rejected" / "split3.txt.error.txt").read_text(encoding="utf-8")
    assert "first problem" in first and "kept here as" not in first
