"""Sprints as plain data: the model of a sprint file (built from the catalogue's sprint
fields), its state, and the moments that bound it in a time zone.

A sprint runs from its `start` day to its `end` day, both included, in the project's time
zone (`timezone` in `.storykit.toml`), so every clone computes the same report.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, create_model, model_validator

from storykit.model.catalogue import SPRINT_FIELDS
from storykit.model.items import annotation
from storykit.model.naming import SUFFIX, slugify
from storykit.model.timebox import sprint_too_long

State = Literal["planned", "active", "closed"]


class SprintBase(BaseModel):
    """What the sprint model adds to its fields: its days in order, a positive capacity."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    if TYPE_CHECKING:  # fields are built from the catalogue: read by their names

        def __getattr__(self, name: str) -> Any: ...

    @model_validator(mode="after")
    def _consistent(self) -> SprintBase:
        if self.end < self.start:
            raise ValueError(f"end: {self.end} is before start {self.start}")
        too_long = sprint_too_long((self.end - self.start).days + 1)
        if too_long is not None:
            raise ValueError(f"end: {too_long}")
        capacity = self.capacity
        if capacity is not None and (
            isinstance(capacity, bool) or not math.isfinite(capacity) or capacity <= 0
        ):
            raise ValueError("capacity: must be a number of points above 0")
        return self


_SPRINT_FIELD_TYPES: dict[str, Any] = {
    name: annotation(spec, "sprint") for name, spec in SPRINT_FIELDS.items()
}
SprintModel: type[SprintBase] = create_model(
    "Sprint", __base__=SprintBase, __doc__="One sprint file.", **_SPRINT_FIELD_TYPES
)


def sprint_file_name(name: str) -> str:
    """`Sprint 12` → `sprint-12.yaml`."""
    return (slugify(name) or "sprint") + SUFFIX


@dataclass(frozen=True)
class Sprint:
    """A valid sprint and where its file lives (repository-relative POSIX path)."""

    model: SprintBase
    rel: str

    @property
    def name(self) -> str:
        return str(self.model.name)

    def state(self, now: dt.datetime, zone: ZoneInfo) -> State:
        """From the recorded moments; a sprint never started or closed by the commands
        goes by its dates: planned until its first day is over (the burndown takes its
        commitment then, `burndown._start`), active until its last, closed after."""
        if self.model.closed is not None:
            return "closed"
        if self.model.started is not None:
            return "active"
        today = now.astimezone(zone).date()
        if today <= self.model.start:
            return "planned"
        return "active" if today <= self.model.end else "closed"

    def days(self) -> list[dt.date]:
        first, last = self.model.start, self.model.end
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def to_json(self) -> dict[str, Any]:
        data = self.model.model_dump(mode="json")
        return {**data, "file": self.rel}


def end_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The last moment of `day` in `zone` (an event at it is on that day)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=zone)


def moment(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A recorded moment as an aware date-time (a bare date: the start of that day)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return dt.datetime.combine(value, dt.time(), tzinfo=zone)


def unknown_sprint(item_id: str, name: str, names: set[str]) -> str:
    """What `check` (and a refused write) says of an item whose `sprint:` names no sprint."""
    close = sorted(n for n in names if n.casefold() == name.casefold())
    if close:
        fix = f'`storykit set {item_id} sprint="{close[0]}"`'
    else:
        fix = (
            f'`storykit sprint new "{name}" --start DATE` creates it, '
            f"`storykit set {item_id} sprint=` clears it"
        )
    return f"sprint: no sprint named {name!r} ({fix})"
