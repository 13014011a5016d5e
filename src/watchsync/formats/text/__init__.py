"""The text step syntax: intervals.icu workout text plus RPE, bpm, strength and HR-duration steps.

A file is header lines (``name:``, ``sport:``, optional ``description:`` and ``tags: a, b``), then
sections. A section header is any other line that does not start with ``-``; ``Nx`` in it starts
a repeat block. A section ends at the next header or blank line. ``#`` starts a comment line.
A step is ``- [cue] [length] [target] [cue] [| notes]`` in any order::

    name: Hill repeats
    sport: trail_running
    Warmup
    - 15m RPE 3 easy, conversational
    Main set 6x
    - 60s RPE 8 uphill
    - RPE 2 jog back down press lap

Lengths: ``10m`` (minutes), ``30s``, ``1h2m30s``, ``1m30``, ``5'``, ``30"``, ``2km``, ``400mtr``,
``1mi``, ``100yd``, ``press lap``, ``until HR < 130``, ``12 reps``, ``200kcal``. ``5k`` is not a
length: it stays cue text ("5k pace"); write ``5km``. ``m`` always means minutes.

Targets: ``RPE 3``/``RPE 3-4``; ``Z2 HR``, ``Z2 Pace``, ``Z2 Power`` and bare ``Z2`` (power for
cycling, HR otherwise); ``70% HR`` (of max), ``95% LTHR``, ``78-82% Pace``, ``75% FTP`` and bare
``75%`` (cycling only); ``5:00/km Pace`` (``/mi``, ``/100m`` ... too; a range may be written in
either order); ``140-150bpm``, ``220w``, ``90rpm``, ``3.2-3.5m/s``. An RPE next to another target
goes to ``Step.rpe``; a cadence beside another target (``75% 90rpm``) goes to the notes, as the
model holds one target. ``ramp 50-75%`` keeps the range (watches cannot ramp) and "ramp" in the cue.

Strength: ``- 3x12 Squat 20kg rest 60s`` is a 3-set repeat of a 12-rep step (weights in kg or
lb) with an optional rest step between sets; ``- 45s Plank`` is a timed hold. Exercise names are
looked up in Garmin's catalogue (``CATEGORY/EXERCISE`` also works). Rep steps require a known
exercise; timed steps of strength and cardio workouts take one when their cue names one.

Intensity of a step, first rule that applies: an explicit ``@interval`` / ``@recovery`` / ... tag;
the section header's first word (Warmup, Cooldown, Recovery, Rest); a cue starting with "rest" →
rest; inside a repeat, a cue with a recovery word (recover, recovery, jog, walk, easy, float) or an
RPE of at most 2 on any step but the block's first → recovery, anything else → interval; else
active. Text after ``|`` is the step's notes; a cue longer than 200 characters becomes the notes.
A step with both a length and ``press lap`` ends on the lap button and keeps the length in its
notes. Nested repeats (other than strength sets inside a repeat) need TOML.

The package reads top-down: :mod:`.tokens` (what each token of a step line means), :mod:`.scan`
(a step line's tokens, and single lengths/targets), :mod:`.step` (one step line), :mod:`.document`
(a whole text) and :mod:`.write` (model → text). This module is their public face.
"""

from __future__ import annotations

from watchsync.formats.text.document import parse_text
from watchsync.formats.text.scan import parse_duration, parse_target
from watchsync.formats.text.write import TextSyntaxLimit, format_duration, format_target, format_text

__all__ = ["TextSyntaxLimit", "format_duration", "format_target", "format_text", "parse_duration", "parse_target",
           "parse_text"]
