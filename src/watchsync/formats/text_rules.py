"""Token rules of a step line: a pattern, what its match means, and an index to skip hopeless rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from watchsync.formats.text_where import Where

_END = r"(?=[\s,;]|$)"


@dataclass(frozen=True)
class Rule:
    """One kind of token: ``parse(where, col, match)`` turns a match of ``pattern`` into its value."""

    kind: str
    pattern: re.Pattern[str]
    parse: Callable[[Where, int, re.Match[str]], Any]
    keys: frozenset[str]  # every ASCII character a match can have at its :class:`Rules` key position


def rule(kind: str, pattern: str, parse: Callable[[Where, int, re.Match[str]], Any], keys: str,
         flags: int = re.IGNORECASE | re.ASCII) -> Rule:
    """A rule whose pattern must end at a token boundary; ``keys`` are matched in either case if ignored."""
    cased = keys + keys.swapcase() if flags & re.IGNORECASE else keys
    return Rule(kind, re.compile(pattern + _END, flags), parse, frozenset(cased))


class Rules:
    """Rules in the order they are tried, indexed by the character at a key position of the text.

    The index only skips rules that cannot match there; for a non-ASCII key (where case-insensitive
    matching goes beyond ASCII) every rule is tried. The key "" is the end of the text.
    """

    def __init__(self, *rules: Rule) -> None:
        self.every = rules
        self._by_key = {key: tuple(rule for rule in rules if key in rule.keys)
                        for key in ["", *map(chr, range(128))]}

    def at(self, key: str) -> tuple[Rule, ...]:
        """The rules that may match with ``key`` at their key position, in order."""
        return self._by_key.get(key, self.every)
