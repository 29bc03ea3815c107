"""Points as storykit shows them."""

from __future__ import annotations


def number(value: float | None) -> int | float | None:
    """Points as JSON and text show them: 3, not 3.0; 0.5 stays (two decimals at most)."""
    if value is None:
        return None
    value = round(value, 2)
    return int(value) if float(value).is_integer() else value


def points_text(value: float) -> str:
    """`5 points`, `1 point`, `0.5 points`."""
    shown = number(value)
    return f"{shown} point{'' if shown == 1 else 's'}"
