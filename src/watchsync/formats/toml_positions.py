"""Where keys are in TOML source: tomllib keeps no positions, so errors are placed by this scan.

:func:`key_positions` walks the (already validated) source once and records where every key and
array element starts.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

KeyPath = tuple[str | int, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE = re.compile(r"[^,\]}\n#]*")  # a number, date, boolean ... up to its end


class Position(NamedTuple):
    """1-based line and column of a key (or array element) and of its value."""

    line: int
    col: int
    value_line: int
    value_col: int


@dataclass
class _Scanner:
    """Walks valid TOML text recording positions; never validates (tomllib did)."""

    text: str
    i: int = 0
    positions: dict[KeyPath, Position] = field(default_factory=dict)
    current_aot: dict[KeyPath, int] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def where(self, index: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def record(self, path: KeyPath, key_index: int, value_index: int) -> None:
        self.positions.setdefault(path, Position(*self.where(key_index), *self.where(value_index)))

    def skip(self, newlines: bool) -> None:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip(False)
            char = self.text[self.i]
            if char in "\"'":
                end = self._string_end(self.i)
                parts.append(tomllib.loads(f"k = {self.text[self.i:end]}")["k"])
                self.i = end
            else:
                m = _BARE_KEY.match(self.text, self.i)
                assert m is not None
                parts.append(m.group(0))
                self.i = m.end()
            self.skip(False)
            if self.text[self.i] != ".":
                return parts
            self.i += 1

    def _string_end(self, start: int) -> int:
        text = self.text
        quote = text[start]
        if text.startswith(quote * 3, start):
            end = start + 3
            while True:
                if quote == '"' and text[end] == "\\":
                    end += 2
                    continue
                if text.startswith(quote * 3, end):
                    end += 3
                    while end < len(text) and text[end] == quote:
                        end += 1
                    return end
                end += 1
        end = start + 1
        while text[end] != quote:
            end += 2 if quote == '"' and text[end] == "\\" else 1
        return end + 1

    def value(self, path: KeyPath) -> None:
        char = self.text[self.i]
        if char in "\"'":
            self.i = self._string_end(self.i)
        elif char == "[":
            self.i += 1
            index = 0
            while True:
                self.skip(True)
                if self.text[self.i] == "]":
                    self.i += 1
                    return
                self.record((*path, index), self.i, self.i)
                self.value((*path, index))
                index += 1
                self.skip(True)
                if self.text[self.i] == ",":
                    self.i += 1
        elif char == "{":
            self.i += 1
            while True:
                self.skip(False)
                if self.text[self.i] == "}":
                    self.i += 1
                    return
                self.pair(path)
                self.skip(False)
                if self.text[self.i] == ",":
                    self.i += 1
        else:
            m = _BARE_VALUE.match(self.text, self.i)
            assert m is not None
            self.i = m.end()

    def pair(self, table: KeyPath) -> None:
        start = self.i
        path = (*table, *self.key())
        self.skip(False)
        self.i += 1  # '='
        self.skip(False)
        self.record(path, start, self.i)
        self.value(path)

    def resolve(self, names: list[str]) -> KeyPath:
        path: KeyPath = ()
        for name in names:
            path = (*path, name)
            if path in self.current_aot:
                path = (*path, self.current_aot[path])
        return path

    def header(self) -> KeyPath:
        start = self.i
        array = self.text.startswith("[[", self.i)
        self.i += 2 if array else 1
        names = self.key()
        self.i += 2 if array else 1
        if not array:
            table = self.resolve(names)
            self.record(table, start, start)
            return table
        parent = self.resolve(names[:-1])
        array_path = (*parent, names[-1])
        self.record(array_path, start, start)
        index = self.current_aot.get(array_path, -1) + 1
        for known in [p for p in self.current_aot if p[: len(array_path)] == array_path and p != array_path]:
            del self.current_aot[known]
        self.current_aot[array_path] = index
        self.record((*array_path, index), start, start)
        return (*array_path, index)

    def document(self) -> dict[KeyPath, Position]:
        table: KeyPath = ()
        while True:
            self.skip(True)
            if self.i >= len(self.text):
                return self.positions
            if self.text[self.i] == "[":
                table = self.header()
            else:
                self.pair(table)


def key_positions(source: str) -> dict[KeyPath, Position]:
    """Position of every key and array element of valid TOML ``source``, by key path."""
    return _Scanner(source).document()
