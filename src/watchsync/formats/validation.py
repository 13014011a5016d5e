"""Pydantic validation errors in plain words, for one-line format errors."""

from __future__ import annotations

from pydantic_core import ErrorDetails

_BOUNDS = {"less_than_equal": ("le", "at most"), "greater_than_equal": ("ge", "at least"),
           "greater_than": ("gt", "above"), "less_than": ("lt", "below")}
_LENGTHS = {"string_too_long": ("max_length", "at most {} characters long"),
            "string_too_short": ("min_length", "at least {} characters long"),
            "too_long": ("max_length", "at most {} items"), "too_short": ("min_length", "at least {} items")}


def validation_message(first: ErrorDetails) -> str:
    """One pydantic error detail in plain words (``seconds must be at most 86400``)."""
    field_name = str(first["loc"][-1]) if first["loc"] else "value"
    if first["type"] in _BOUNDS:
        key, words = _BOUNDS[first["type"]]
        bound = first.get("ctx", {}).get(key)
        return f"{field_name} must be {words} {bound:g}" if isinstance(bound, float | int) else str(first["msg"])
    if first["type"] in _LENGTHS:
        key, words = _LENGTHS[first["type"]]
        limit = first.get("ctx", {}).get(key)
        return f"{field_name} must be {words.format(limit)}" if isinstance(limit, int) else str(first["msg"])
    return str(first["msg"]).removeprefix("Value error, ")
