"""The tables of a TOML workout file, validated by pydantic, and what each key expects."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from watchsync.model.workout import Intensity


class _Table(BaseModel):
    """A table that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid")


class FileTable(_Table):
    """The whole file: its header keys and either ``steps`` or ``text``."""

    name: str
    sport: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    pool_length: int | float | None = None
    pool_length_unit: str = "m"
    steps: list[dict[str, Any]] | None = None
    text: str | None = None


class StepTable(_Table):
    """One step; lengths, targets and weights may be text-syntax strings."""

    intensity: Intensity = Intensity.ACTIVE
    duration: str | dict[str, Any] | None = None
    target: str | dict[str, Any] | None = None
    rpe: str | int | float | dict[str, Any] | None = None
    name: str | None = None
    notes: str | None = None
    exercise: str | dict[str, Any] | None = None
    weight: str | None = None
    weight_kg: int | float | None = None
    secondary: str | dict[str, Any] | None = None
    ramp: str | None = None
    planned: str | dict[str, Any] | None = None
    prompts: list[dict[str, Any]] = Field(default_factory=list)
    stroke: str | None = None
    equipment: str | None = None


class RepeatTable(_Table):
    """A repeat block of step (or repeat) tables."""

    repeat: int
    steps: list[dict[str, Any]]
    name: str | None = None
    skip_last_rest: bool = False
    until: dict[str, Any] | None = None


#: What a key expects, for errors that name a wrong value or type.
EXPECTED: dict[str, str] = {
    "duration": 'a length like "10m" or a table like { kind = "time", seconds = 600 }',
    "target": 'a target like "RPE 3" or "Z2 HR", or a table like { kind = "hr_zone", zone = 2 }',
    "rpe": '"RPE 3", "3-4" or a number 1 to 10',
    "exercise": 'an exercise name like "Goblet squat" or "SQUAT/GOBLET_SQUAT"',
    "weight": '"20kg" or "45lb"',
    "intensity": ", ".join(i.value for i in Intensity),
    "steps": "an array of step or repeat tables",
    "tags": "an array of strings",
    "secondary": 'a target like "90rpm" (a second target, of another kind than target)',
    "planned": 'a length like "10m" (the planned length of a lap-button step)',
}
