"""Workout commands: validate, show, compile, import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from watchsync.cli.common import CliError, add_athlete_option, athlete_from, print_json


def register(commands: Any) -> None:
    """Add the workout commands to the sub-command parser."""
    validate = commands.add_parser("validate", help="check workout files; one error line per problem")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    validate.add_argument("--json", action="store_true", help="results as JSON, with each parsed workout")
    _add_sport_option(validate)
    add_athlete_option(validate)
    validate.set_defaults(handler=run_validate)

    show = commands.add_parser("show", help="step table with resolved targets and estimates")
    show.add_argument("file", type=Path, metavar="FILE")
    add_athlete_option(show)
    _add_sport_option(show)
    show.add_argument("--json", action="store_true", help="the resolved workout as JSON")
    show.set_defaults(handler=run_show)

    compile_ = commands.add_parser("compile", help="compile workouts to FIT files (one per workout)")
    compile_.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    compile_.add_argument("-o", "--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_athlete_option(compile_)
    _add_sport_option(compile_)
    compile_.add_argument("--json", action="store_true", help="results as JSON")
    compile_.set_defaults(handler=run_compile)

    import_ = commands.add_parser("import", help="import a FIT workout or Garmin Connect workout JSON "
                                                 "into the text or TOML format")
    import_.add_argument("file", type=Path, metavar="FILE.fit|FILE.json")
    import_.add_argument("-o", "--out", type=Path, required=True, metavar="DIR", help="output folder")
    import_.add_argument("--format", choices=("txt", "toml"), default="txt",
                         help="output format (default txt; TOML where the text syntax cannot say it all)")
    import_.set_defaults(handler=run_import)


def _add_sport_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sport", metavar="SPORT", type=_sport,
                        help="sport of text files without a 'sport:' line (default: their folder's sport, "
                             "else the athlete's 'sport' setting)")


def _sport(text: str) -> Any:
    from watchsync.model.workout import Sport, parse_sport

    try:
        return parse_sport(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown sport {text!r} (expected one of "
                                         f"{', '.join(sport.value for sport in Sport)}, or an alias)") from None


class _AthleteDefaults(Mapping[str, str]):
    """The athlete's pace units by sport family, and its sport: the config is read only when a text
    needs them (a text with a ``sport:`` line and units on its paces never loads it)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._athlete: Any = None

    def load(self) -> Any:
        """The athlete (the config read once)."""
        if self._athlete is None:
            self._athlete = athlete_from(self._args)
        return self._athlete

    def sport(self) -> str | None:
        sport: str | None = self.load().sport
        return sport

    def __getitem__(self, family: str) -> str:
        unit: str = self.load().pace_unit(family)
        return unit

    def __iter__(self) -> Iterator[str]:
        return iter(self.load().pace_unit_defaults())

    def __len__(self) -> int:
        return len(self.load().pace_unit_defaults())


def _athlete_defaults(args: argparse.Namespace) -> dict[str, Any]:
    """What the athlete's settings give texts that lack them: their sport and pace units (read lazily)."""
    lazy = _AthleteDefaults(args)
    return {"athlete_sport": lazy.sport, "pace_units": lazy}


def _print_messages(messages: list[str]) -> None:
    for message in messages:
        print(message, file=sys.stderr)


def run_validate(args: argparse.Namespace) -> int:
    """Exit 0 when every workout is valid, 1 otherwise."""
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workouts

    messages: list[str] = []
    defaults = _athlete_defaults(args)
    if args.config is not None or getattr(args, "athlete", None) is not None:
        defaults["pace_units"].load()  # asked for: a broken config or an unknown athlete is said, not ignored
    results = load_workouts(args.paths, sport=args.sport, messages=messages, **defaults)
    if not results:
        raise CliError("no workout files found (looked for *.txt, *.toml, *.fit, *.json)")
    refused = _refused_for_the_athlete(args, results)
    failures = [(path, r) for path, r in results if isinstance(r, WorkoutFormatError) or path in refused]
    if args.json:
        print_json([{"path": str(path), "ok": not isinstance(r, WorkoutFormatError) and path not in refused,
                     "error": str(r) if isinstance(r, WorkoutFormatError) else refused.get(path),
                     "messages": [m for m in messages if m.startswith(f"{path}:")],
                     "workout": None if isinstance(r, WorkoutFormatError) else r.model_dump(mode="json",
                                                                                            exclude_none=True)}
                    for path, r in results])
    else:
        _print_messages(messages)
        for path, error in failures:
            print(refused.get(path, error), file=sys.stderr)
        print(f"{len(results) - len(failures)} valid, {len(failures)} invalid", file=sys.stderr)
    return 1 if failures else 0


def _refused_for_the_athlete(args: argparse.Namespace, results: list[tuple[Path, Any]]) -> dict[Path, str]:
    """With ``--athlete``, the workouts that athlete's profile cannot resolve, as the daemon's intake refuses them
    (a % FTP target for a runner without an FTP was "1 valid", then rejected in the inbox; probe journey11)."""
    if getattr(args, "athlete", None) is None:
        return {}
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.resolve import ResolveError, resolve

    athlete = athlete_from(args)
    refused = {}
    for path, workout in results:
        if not isinstance(workout, WorkoutFormatError):
            try:
                resolve(workout, athlete)
            except ResolveError as error:
                refused[path] = f"{path}: {error}"
    return refused


def _load_one(args: argparse.Namespace, path: Path) -> Any:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workout

    if path.is_dir():  # not "unknown workout file type '(none)'" (probe fitwkt7 #5)
        raise CliError(f"{path}: a folder; show takes one workout file (validate and compile take folders)")
    messages: list[str] = []
    try:
        workout = load_workout(path, sport=getattr(args, "sport", None), messages=messages, **_athlete_defaults(args))
    except WorkoutFormatError as error:
        raise CliError(str(error)) from None
    _print_messages(messages)
    return workout


def run_show(args: argparse.Namespace) -> int:
    """Print the step table of one workout resolved for an athlete."""
    from watchsync.describe import format_seconds, format_table, step_rows
    from watchsync.formats.connect_json import connect_sport_note
    from watchsync.resolve import ResolveError, band_notes, resolve

    athlete = athlete_from(args)
    workout = _load_one(args, args.file)
    try:
        resolved = resolve(workout, athlete)
    except ResolveError as error:
        raise CliError(f"{args.file}: {error}") from None
    for band_note in band_notes(resolved, athlete):
        print(f"{args.file}: note: {band_note}", file=sys.stderr)
    if args.json:
        print_json(resolved.model_dump(mode="json"))
        return 0
    from watchsync.model.units import format_distance
    from watchsync.rules import LAP_BUTTON_SECONDS, planned_meters, planned_seconds, speeds_for

    seconds = planned_seconds(resolved, speeds_for(athlete))
    meters = planned_meters(resolved, speeds_for(athlete))
    print(f"{resolved.name}  ({resolved.sport.value}, for {athlete.name})")
    note = connect_sport_note(resolved.sport)
    if note:
        print(f"note: {note}")
    if resolved.pool_length is not None:
        print(f"pool: {resolved.pool_length:g} {resolved.pool_length_unit}")
    if resolved.description:
        print(resolved.description)
    rows = [["  " * r.depth + r.label, r.intensity, r.duration, r.target, r.cue]
            for r in step_rows(resolved, athlete.units)]
    print(format_table(["step", "intensity", "duration", "target", "cue"], rows))
    print(f"estimated: {format_seconds(seconds)}, {format_distance(meters, athlete.units)} (lap-button steps count "
          f"their planned length, else {LAP_BUTTON_SECONDS:.0f} s; distance at the sport's easy speed, or a row's "
          "or walk's at its pace target)")
    return 0


def run_compile(args: argparse.Namespace) -> int:
    """Write one FIT file per workout; exit 1 if any failed."""
    from watchsync.compile import Compiled, compile_paths, output_path

    athlete = athlete_from(args)
    report: list[dict[str, Any]] = []
    failed = 0
    said: list[str] = []  # which sport or name a text took, and warnings, as validate says them
    for result in compile_paths(args.paths, athlete, sport=args.sport, messages=said):
        if not args.json:
            for message in said:
                print(message, file=sys.stderr)
        said.clear()
        if isinstance(result, Compiled):
            target = output_path(result.path, args.paths, args.out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(result.fit)
            report.append({"path": str(result.path), "fit": str(target), "bytes": len(result.fit),
                           "notes": list(result.notes)})
            if not args.json:
                print(f"{result.path} -> {target} ({len(result.fit)} bytes)")
                for note in result.notes:
                    print(f"{result.path}: note: {note}", file=sys.stderr)
        else:
            failed += 1
            report.append({"path": str(result.path), "error": result.error})
            if not args.json:
                print(result.error, file=sys.stderr)
    if args.json:
        print_json(report)
    if not report:
        raise CliError("no workout files found (looked for *.txt, *.toml, *.fit, *.json)")
    return 1 if failed else 0


def run_import(args: argparse.Namespace) -> int:
    """Convert a FIT workout or Garmin Connect workout JSON into editable text or TOML workout files.

    A multi-sport workout (Connect segments, FIT ``workout_session`` legs) becomes one file per leg
    (``<name>-1-<sport>.txt`` ...).
    """
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import CONNECT_SUFFIX, decode_text, load_workout

    messages: list[str] = []
    try:
        if args.file.suffix.lower() == CONNECT_SUFFIX:
            from watchsync.formats.connect_json_read import read_connect_file

            workouts = read_connect_file(decode_text(_read_small(args.file), str(args.file)), str(args.file),
                                         messages)
        elif args.file.suffix.lower() == ".fit":
            from watchsync.formats.fit_workout_read import read_fit_workouts

            _read_small(args.file)  # the size limit and a readable file, as for every other import
            workouts = read_fit_workouts(args.file, messages)
        else:
            workouts = [load_workout(args.file, messages=messages)]
    except WorkoutFormatError as error:
        raise CliError(str(error)) from None
    _print_messages(messages)
    args.out.mkdir(parents=True, exist_ok=True)
    for index, workout in enumerate(workouts, start=1):
        stem = args.file.stem if len(workouts) == 1 else f"{args.file.stem}-{index}-{workout.sport.value}"
        suffix, text = _written(workout, args.format, args.file)
        target = args.out / f"{stem}.{suffix}"
        target.write_text(text, "utf-8")
        print(f"{args.file} -> {target}")
    return 0


def _read_small(path: Path) -> bytes:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import MAX_BYTES

    try:
        data = path.read_bytes()
    except OSError as error:
        raise WorkoutFormatError(str(path), 1, 1, f"cannot read the file: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise WorkoutFormatError(str(path), 1, 1, f"file is larger than {MAX_BYTES} bytes")
    return data


def _written(workout: Any, wanted: str, source: Path) -> tuple[str, str]:
    """(suffix, text): the text syntax when asked and it can say everything, else TOML."""
    from watchsync.formats.text import TextSyntaxLimit, format_text
    from watchsync.formats.toml_workout import format_toml

    if wanted == "txt":
        try:
            return "txt", format_text(workout)
        except TextSyntaxLimit as limit:
            print(f"watchsync: {source}: {limit}; writing TOML instead", file=sys.stderr)
    return "toml", format_toml(workout)
