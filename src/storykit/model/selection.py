"""Which items `list` shows, and which spikes are overdue: pure rules over field values,
shared by the full command (models) and the lean one (cache payloads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from storykit.model.timebox import deadline_passed

Getter = Callable[[str], Any]  # a field's value by name (None when unset)


@dataclass(frozen=True)
class ListFilter:
    type: str | None = None
    status: str | None = None
    tag: str | None = None
    parent: str | None = None  # a full ID
    all: bool = False


def selects(get: Getter, filters: ListFilter, closed: Collection[str]) -> bool:
    """Whether `list` with `filters` shows the item: open ones unless `all` or a status is
    asked for; then every filter given must match."""
    status = get("status")
    return (
        (filters.all or filters.status is not None or status not in closed)
        and (filters.type is None or get("type") == filters.type)
        and (filters.status is None or status == filters.status)
        and (filters.tag is None or filters.tag in (get("tags") or ()))
        and (filters.parent is None or get("parent") == filters.parent)
    )


def overdue_since(get: Getter, in_progress: str, now: dt.datetime) -> dt.datetime | None:
    """When an in-progress spike's timebox ran out, if it has (calendar time)."""
    if get("type") != "spike" or get("status") != in_progress:
        return None
    return deadline_passed(get("started"), get("timebox"), now)
