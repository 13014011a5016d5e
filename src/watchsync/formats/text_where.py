"""Where a text-syntax line is: errors and model values placed at a column of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from watchsync.formats.errors import WorkoutFormatError
from watchsync.formats.validation import validation_message
from watchsync.model.workout import Sport


@dataclass
class Where:
    """A line of a file, and the sport its workout is for."""

    path: str
    line: int
    sport: Sport

    def error(self, col: int, problem: str, expected: str | None = None) -> WorkoutFormatError:
        return WorkoutFormatError(self.path, self.line, col, problem, expected)


def build[M: BaseModel](where: Where, col: int, token: str, model: type[M], **values: Any) -> M:
    """``model(**values)``, with a validation failure reported at ``col``."""
    try:
        return model(**values)
    except ValidationError as error:
        raise where.error(col, f"{token!r}: {validation_message(error.errors()[0])}") from None
