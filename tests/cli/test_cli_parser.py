"""Running one command builds only its module's parsers, and parses every command line as the full
parser does: same values, same help, same errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from watchsync.cli import _subparser, build_parser, command_word, main
from watchsync.cli.registry import COMMANDS, command_modules

EASY = Path(__file__).resolve().parents[2] / "workouts" / "runs" / "easy-30.txt"


def _sub_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every sub-command path under ``parser`` (``("plan", "apply")`` ...)."""
    found = []
    for name, sub in _sub_commands(parser).items():
        found += [(*prefix, name), *_paths(sub, (*prefix, name))]
    return found


def test_every_command_is_registered_by_the_module_the_table_names() -> None:
    owners = {}
    for module in command_modules():
        commands = argparse.ArgumentParser().add_subparsers()
        module.register(commands)
        owners |= dict.fromkeys(commands.choices, module.__name__.rpartition(".")[2])
    assert owners == COMMANDS
    assert set(_sub_commands(build_parser())) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_commands_own_parser_helps_as_the_full_one(command: str) -> None:
    full, own = build_parser(), build_parser(command)
    assert set(_sub_commands(own)) < set(COMMANDS)  # really a smaller parser
    for path in [p for p in _paths(full) if p[0] == command]:
        assert _subparser(own, path).format_help() == _subparser(full, path).format_help(), path
        assert _subparser(own, path).get_default("config_required") == _subparser(full, path).get_default(
            "config_required"), path


@pytest.mark.parametrize("argv", [
    ["validate", "a.txt", "b.txt", "--json"],
    ["--config", "c.toml", "validate", "a.txt", "--sport", "run"],
    ["--config=c.toml", "--state-dir", "s", "show", "a.txt", "--athlete", "anna"],
    ["analyze", "run.fit", "--workout", "w.txt", "--config", "c.toml"],
    ["plan", "apply", "p.toml", "--dry-run"],
    ["--state-dir=s", "activities", "sync", "--since", "2030-01-01"],
    ["schedule", "w.txt", "--date", "2030-01-08"],
    ["--config", "validate", "show", "a.txt"],  # a config file named like a command
    ["store", "check"],
])
def test_a_command_line_parses_to_the_same_values(argv: list[str]) -> None:
    word = command_word(argv)
    assert word is not None
    assert vars(build_parser(word).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["--conf", "c.toml", "validate", "a.txt"],
                                  ["valid", "a.txt"], ["--config"], ["-h", "validate"]])
def test_anything_but_a_plain_command_goes_to_the_full_parser(argv: list[str]) -> None:
    assert command_word(argv) is None


@pytest.mark.parametrize("argv", [["validate"], ["validate", "a.txt", "--bogus"], ["plan", "apply"],
                                  ["analyze", "--workout"]])
def test_a_bad_command_line_fails_with_the_same_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    messages = []
    for parser in (build_parser(), build_parser(command_word(argv))):
        with pytest.raises(SystemExit) as failed:
            parser.parse_args(argv)
        messages.append((failed.value.code, capsys.readouterr().err))
    assert messages[0] == messages[1]
    assert messages[0][0] == 2 and "error:" in messages[0][1]


def test_main_runs_a_command_with_global_options_before_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--state-dir", "unused", "validate", str(EASY)]) == 0
    assert "1 valid, 0 invalid" in capsys.readouterr().err


def test_config_password_asks_in_a_terminal_only(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from watchsync.cli import main as cli_main
    from watchsync.web.auth import verify_password

    monkeypatch.setattr("sys.stdin", io.StringIO("from a pipe\n"))
    assert cli_main(["config", "password"]) == 2  # never read from a pipe, never a traceback
    assert "asked in a terminal" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["correct horse battery", "correct horse battery"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli_main(["config", "password"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith('password_hash = "scrypt$') and "correct horse" not in line
    assert verify_password("correct horse battery", line.split('"')[1])


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((prefix + name, sub))
                found += _commands(sub, prefix + name + " ")
    return found


def test_every_command_has_examples_that_parse_and_every_option_a_help_text() -> None:
    import shlex

    parser = build_parser()
    for name, sub in _commands(parser):
        assert sub.epilog and sub.epilog.startswith("examples:"), name  # README: every command's --help has them
        for line in sub.epilog.splitlines()[1:]:
            for part in line.split("&&"):
                words = shlex.split(part.split("#")[0].split(">")[0].split("|")[0])
                if words[:1] == ["watchsync"]:
                    parser.parse_args(words[1:])  # an example that does not parse exits 2 here
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings[0]} has no help text"
