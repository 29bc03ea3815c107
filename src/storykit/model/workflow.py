"""Workflow gates: what an item needs before it may reach a status (each type declares its
gates in the catalogue), and when a spike is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storykit.model import selection
from storykit.model.catalogue import ALWAYS_REQUIRED, FIELDS, TYPES, required_fields
from storykit.model.items import ItemModel
from storykit.model.settings import Workflow


@dataclass(frozen=True)
class GateProblem:
    field: str
    message: str
    fix: str  # the command that adds what is missing


def reaches(status: str, role_status: str, workflow: Workflow) -> bool:
    """True if `status` is at or past `role_status` in the workflow (dropped reaches nothing)."""
    if status == workflow.dropped:
        return False
    order = workflow.statuses
    return order.index(status) >= order.index(role_status)


def gate_problems(item: ItemModel, status: str, workflow: Workflow) -> list[GateProblem]:
    """Everything `item` lacks to be in `status` (`gate_problems_of`)."""
    return gate_problems_of(_reader(item), status, workflow)


def gate_problems_of(get: selection.Getter, status: str, workflow: Workflow) -> list[GateProblem]:
    """Everything the item whose fields `get` reads lacks to be in `status`. Gates are
    cumulative along the workflow, except the in-progress one, which holds only while in
    progress: a spike closed without ever being started has no start time, and none is
    invented."""
    if status not in workflow.statuses:
        return []
    spec = TYPES[get("type")]
    problems: list[GateProblem] = []
    for role, needed in spec.gates.items():
        role_status = getattr(workflow, role)
        if not reaches(status, role_status, workflow):
            continue
        if role == "in_progress" and status != role_status:
            continue
        for name in needed:
            if get(name) in (None, "", []):
                field = FIELDS[name]
                problems.append(
                    GateProblem(
                        name,
                        f"{spec.article} {spec.name} {field.needs} to be {role_status}",
                        field.fix.format(id=get("id")),
                    )
                )
    return problems


def missing_fields(
    item_type: str, data: dict[str, object], status: str, workflow: Workflow
) -> list[str]:
    """Every field an item of this type lacks (in `data`, its plain values) to be in
    `status`: the fields its type requires there and those the gates ask for."""
    wanted = list(needed_fields(item_type, status, workflow)) if item_type in TYPES else []
    if item_type in TYPES and status in workflow.statuses:
        for role, names in TYPES[item_type].gates.items():
            role_status = getattr(workflow, role)
            if reaches(status, role_status, workflow) and (
                role != "in_progress" or status == role_status
            ):
                wanted += [name for name in names if name not in wanted]
    return [name for name in wanted if data.get(name) in (None, "", [])]


def fixing_commands(item_id: str, names: list[str]) -> list[str]:
    """The commands that fill `names`: one `storykit set ID a=… b=…` for all the fields
    `set` fills, then the others' own commands (`storykit spike start ID`)."""
    sets = [FIELDS[n].assignment for n in names if FIELDS[n].assignment is not None]
    others = [FIELDS[n].fix.format(id=item_id) for n in names if FIELDS[n].assignment is None]
    return ([f"storykit set {item_id} {' '.join(a for a in sets if a)}"] if sets else []) + others


def needed_fields(item_type: str, status: str, workflow: Workflow) -> tuple[str, ...]:
    """Fields an item of this type must have in `status`: in the initial (draft) status
    and once dropped only the basics, otherwise its type's own too."""
    if status in (workflow.initial, workflow.dropped):
        return ALWAYS_REQUIRED
    return required_fields(item_type)


def runs_out(item: ItemModel, workflow: Workflow, tz: dt.tzinfo | None) -> dt.datetime | None:
    """When an in-progress spike's timebox runs out (None for anything else)."""
    return selection.runs_out(_reader(item), workflow.in_progress, tz)


def overdue_since(item: ItemModel, now: dt.datetime, workflow: Workflow) -> dt.datetime | None:
    """When an in-progress spike's timebox ran out, if it has (calendar time)."""
    return selection.past(runs_out(item, workflow, now.tzinfo), now)


def _reader(item: ItemModel) -> selection.Getter:
    """The model's fields as the plain-data rules read them (None for a field its type
    does not have)."""
    return lambda name: getattr(item, name, None)
