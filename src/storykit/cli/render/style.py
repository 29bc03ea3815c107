"""How the terminal shows things, shared by every renderer in cli/: whether to colour at
all, the colours of types and statuses, points as a person writes them. Imports nothing of
cli/ (the renderers import it)."""

from __future__ import annotations

import os
import sys

from storykit.model.catalogue import TYPES
from storykit.model.points import number

_STATUS_STYLE = {
    "draft": "dim",
    "ready": "cyan",
    "in-progress": "yellow",
    "done": "green",
    "dropped": "dim strike",
}
_TYPE_STYLE = {item_type: spec.style for item_type, spec in TYPES.items()}


def styled() -> bool:
    """Colours on a terminal, unless NO_COLOR is set or the terminal is `dumb`."""
    return (
        sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM", "") != "dumb"
    )


def type_style(item_type: str) -> str:
    """How a terminal shows a type's name (the catalogue's style)."""
    return _TYPE_STYLE.get(item_type, "")


def status_style(status: str) -> str:
    return _STATUS_STYLE.get(status, "")


def format_points(points: float | None) -> str:
    if points is None:
        return ""
    return str(number(points))
