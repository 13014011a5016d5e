"""Workout commands: validate, show, compile, import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from watchsync.cli.common import CliError, add_athlete_option, athlete_from, print_json


def register(commands: Any) -> None:
    """Add the workout commands to the sub-command parser."""
    validate = commands.add_parser("validate", help="check workout files; one error line per problem")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    validate.add_argument("--json", action="store_true", help="results as JSON")
    validate.set_defaults(handler=run_validate)

    show = commands.add_parser("show", help="step table with resolved targets and estimates")
    show.add_argument("file", type=Path, metavar="FILE")
    add_athlete_option(show)
    show.add_argument("--json", action="store_true", help="the resolved workout as JSON")
    show.set_defaults(handler=run_show)

    compile_ = commands.add_parser("compile", help="compile workouts to FIT files (one per workout)")
    compile_.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    compile_.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_athlete_option(compile_)
    compile_.add_argument("--json", action="store_true", help="results as JSON")
    compile_.set_defaults(handler=run_compile)

    import_ = commands.add_parser("import", help="import a FIT workout into the text or TOML format")
    import_.add_argument("file", type=Path, metavar="FILE.fit")
    import_.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    import_.add_argument("--format", choices=("txt", "toml"), default="txt", help="output format")
    import_.set_defaults(handler=run_import)


def run_validate(args: argparse.Namespace) -> int:
    """Exit 0 when every workout is valid, 1 otherwise."""
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workouts

    results = load_workouts(args.paths)
    if not results:
        raise CliError("no workout files found (looked for *.txt, *.toml, *.fit)")
    failures = [(path, r) for path, r in results if isinstance(r, WorkoutFormatError)]
    if args.json:
        print_json([{"path": str(path), "ok": not isinstance(r, WorkoutFormatError),
                     "error": str(r) if isinstance(r, WorkoutFormatError) else None} for path, r in results])
    else:
        for _path, error in failures:
            print(error, file=sys.stderr)
        print(f"{len(results) - len(failures)} valid, {len(failures)} invalid", file=sys.stderr)
    return 1 if failures else 0


def _load_one(path: Path) -> Any:
    from watchsync.formats.errors import WorkoutFormatError
    from watchsync.formats.load import load_workout

    try:
        return load_workout(path)
    except WorkoutFormatError as error:
        raise CliError(str(error)) from None


def run_show(args: argparse.Namespace) -> int:
    """Print the step table of one workout resolved for an athlete."""
    from watchsync.describe import format_seconds, format_table, step_rows
    from watchsync.resolve import ResolveError, resolve

    athlete = athlete_from(args)
    workout = _load_one(args.file)
    try:
        resolved = resolve(workout, athlete)
    except ResolveError as error:
        raise CliError(f"{args.file}: {error}") from None
    if args.json:
        print_json(resolved.model_dump(mode="json"))
        return 0
    from watchsync.rules import LAP_BUTTON_SECONDS, planned_meters, planned_seconds, speeds_for

    seconds = planned_seconds(resolved, speeds_for(athlete))
    meters = planned_meters(resolved, speeds_for(athlete))
    print(f"{resolved.name}  ({resolved.sport.value}, for {athlete.name})")
    if resolved.description:
        print(resolved.description)
    rows = [["  " * r.depth + r.label, r.intensity, r.duration, r.target, r.cue]
            for r in step_rows(resolved, athlete.units)]
    print(format_table(["step", "intensity", "duration", "target", "cue"], rows))
    print(f"estimated: {format_seconds(seconds)}, {meters / 1000:.1f} km (lap-button steps counted as "
          f"{LAP_BUTTON_SECONDS:.0f} s; distance at the sport's easy speed)")
    return 0


def run_compile(args: argparse.Namespace) -> int:
    """Write one FIT file per workout; exit 1 if any failed."""
    from watchsync.compile import Compiled, compile_paths, output_path

    athlete = athlete_from(args)
    report: list[dict[str, Any]] = []
    failed = 0
    for result in compile_paths(args.paths, athlete):
        if isinstance(result, Compiled):
            target = output_path(result.path, args.paths, args.out)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(result.fit)
            report.append({"path": str(result.path), "fit": str(target), "bytes": len(result.fit)})
            if not args.json:
                print(f"{result.path} -> {target} ({len(result.fit)} bytes)")
        else:
            failed += 1
            report.append({"path": str(result.path), "error": result.error})
            if not args.json:
                print(result.error, file=sys.stderr)
    if args.json:
        print_json(report)
    if not report:
        raise CliError("no workout files found (looked for *.txt, *.toml, *.fit)")
    return 1 if failed else 0


def run_import(args: argparse.Namespace) -> int:
    """Convert a FIT workout into an editable text or TOML workout file."""
    from watchsync.formats.text import TextSyntaxLimit, format_text
    from watchsync.formats.toml_workout import format_toml

    workout = _load_one(args.file)
    suffix = args.format
    try:
        text = format_text(workout) if suffix == "txt" else format_toml(workout)
    except TextSyntaxLimit as limit:
        print(f"watchsync: {args.file}: {limit}; writing TOML instead", file=sys.stderr)
        suffix, text = "toml", format_toml(workout)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{args.file.stem}.{suffix}"
    target.write_text(text, "utf-8")
    print(f"{args.file} -> {target}")
    return 0
