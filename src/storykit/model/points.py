"""Points as storykit shows them."""

from __future__ import annotations


def number(value: float | None) -> int | float | None:
    """Points as JSON and text show them: 3, not 3.0; 0.5 stays (two decimals at most)."""
    if value is None:
        return None
    value = round(value, 2)
    return int(value) if float(value).is_integer() else value
