"""Errors for malformed workout files: one line each, ``path:line:col: problem (expected ...)``."""

from __future__ import annotations

from collections.abc import Sequence

from watchsync.errors import InputError


class WorkoutFormatError(InputError):
    """A problem at one place of a workout file (1-based line and column)."""

    def __init__(self, path: str, line: int, col: int, problem: str, expected: str | None = None) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.problem = problem
        self.expected = expected
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        suffix = f" (expected {self.expected})" if self.expected else ""
        return f"{self.path}:{self.line}:{self.col}: {self.problem}{suffix}"

    @property
    def errors(self) -> list[WorkoutFormatError]:
        """Every problem carried by this exception, one per line of output."""
        return [self]

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.line, self.col, self.problem, self.expected))


class WorkoutErrors(WorkoutFormatError):
    """Several problems in one file; behaves as the first one, ``str()`` lists them all."""

    def __init__(self, errors: Sequence[WorkoutFormatError]) -> None:
        if not errors:
            raise ValueError("WorkoutErrors needs at least one error")
        self._errors = [one for error in errors for one in error.errors]
        first = self._errors[0]
        super().__init__(first.path, first.line, first.col, first.problem, first.expected)

    def __str__(self) -> str:
        return "\n".join(WorkoutFormatError.__str__(error) for error in self._errors)

    @property
    def errors(self) -> list[WorkoutFormatError]:
        return list(self._errors)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self._errors,))


def raise_collected(errors: Sequence[WorkoutFormatError]) -> None:
    """Raise nothing, the single error, or a :class:`WorkoutErrors` holding all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise WorkoutErrors(errors)
