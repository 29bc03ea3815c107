"""A sprint's planning summary: capacity against planned points, the balance of user
stories, technical stories and spikes, and warnings that name the command that fixes them
(pure: items in, summary out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from storykit.model.points import number

BALANCED = ("story", "tech", "spike")  # the kinds of work a sprint balances
TOP = 10  # "the top of the backlog": this many open items in rank order


class Kinded(Protocol):
    """An item as planning and balance read it: its ID, type and fields."""

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    def field(self, name: str) -> Any: ...


@dataclass(frozen=True)
class Warning:
    code: str  # over-capacity, unestimated, not-ready, no-timebox, technical-work-overshadowed
    message: str
    fix: str  # the command that fixes it

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "fix": self.fix}


@dataclass
class Planning:
    capacity: float | None
    planned: float
    balance: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "capacity": number(self.capacity),
            "planned": number(self.planned),
            "balance": self.balance,
            "warnings": [w.to_json() for w in self.warnings],
        }


def plan_summary(
    sprint: str,
    capacity: float | None,
    items: Sequence[Kinded],
    backlog: Sequence[Kinded],
    statuses: list[str],
    ready: str,
    closed: tuple[str, str],
) -> Planning:
    """`items`: the sprint's items; `backlog`: every item in rank order; an item in a
    status before `ready` in the workflow's `statuses` is not ready."""
    not_ready = statuses[: statuses.index(ready)] if ready in statuses else []
    points = {item.id: _points(item) for item in items}
    planned = sum(points.values())
    summary = Planning(capacity, planned, balance(items))
    quoted = f'"{sprint}"' if " " in sprint else sprint
    warn = summary.warnings.append
    if capacity is not None and planned > capacity:
        warn(
            Warning(
                "over-capacity",
                f"{number(planned)} points planned, {number(planned - capacity)} over the "
                f"capacity of {number(capacity)}",
                f"storykit sprint remove {quoted} ID…",
            )
        )
    for item in items:
        status = item.field("status")
        if status in closed:
            continue
        if item.field("points") is None and item.type != "epic":
            warn(
                Warning(
                    "unestimated",
                    f"{item.id} has no points",
                    f"storykit set {item.id} points=3",
                )
            )
        if status in not_ready:
            warn(
                Warning(
                    "not-ready",
                    f"{item.id} is {status}, not {ready}",
                    f"storykit status {item.id} {ready}",
                )
            )
        if item.type == "spike" and not item.field("timebox"):
            warn(
                Warning(
                    "no-timebox",
                    f"spike {item.id} has no timebox",
                    f"storykit set {item.id} timebox=2d",
                )
            )
    technical = [i for i in items if i.type in ("tech", "spike")]
    top = [i for i in backlog if i.field("status") not in closed][:TOP]
    waiting = [i.id for i in top if i.type in ("tech", "spike") and i.field("sprint") != sprint]
    if items and not technical and waiting:
        warn(
            Warning(
                "technical-work-overshadowed",
                f"no technical story or spike in the sprint, while the top {TOP} of the "
                f"backlog holds {', '.join(waiting)}",
                f"storykit sprint add {quoted} {waiting[0]}",
            )
        )
    return summary


def balance(items: Sequence[Kinded]) -> dict[str, dict[str, Any]]:
    """{story, tech, spike, other: {count, points, share of the points}} of some items."""
    points = {item.id: _points(item) for item in items}
    total = sum(points.values())
    found: dict[str, dict[str, Any]] = {}
    for kind in (*BALANCED, "other"):
        mine = [i for i in items if (i.type if i.type in BALANCED else "other") == kind]
        share = sum(points[i.id] for i in mine) / total if total else 0.0
        found[kind] = {
            "count": len(mine),
            "points": number(sum(points[i.id] for i in mine)),
            "share": round(share, 2),
        }
    return found


def _points(item: Kinded) -> float:
    value = item.field("points")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
