"""Workflow gates (DESIGN §3): what an item needs before it may reach a status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storykit.config import WorkflowConfig
from storykit.model.items import ItemBase, Spike, Story
from storykit.model.timebox import deadline_passed


@dataclass(frozen=True)
class GateProblem:
    field: str
    message: str
    fix: str  # the command that adds what is missing


def reaches(status: str, role_status: str, workflow: WorkflowConfig) -> bool:
    """True if `status` is at or past `role_status` in the workflow (dropped reaches nothing)."""
    if status == workflow.dropped:
        return False
    order = workflow.statuses
    return order.index(status) >= order.index(role_status)


def gate_problems(item: ItemBase, status: str, workflow: WorkflowConfig) -> list[GateProblem]:
    """Everything `item` lacks to be in `status`; gates are cumulative along the workflow."""
    if status not in workflow.statuses:
        return []
    problems: list[GateProblem] = []
    if reaches(status, workflow.ready, workflow) and isinstance(item, Story):
        if not item.acceptance_criteria:
            problems.append(
                GateProblem(
                    "acceptance_criteria",
                    f"a story needs acceptance criteria to be {workflow.ready}",
                    f'storykit set {item.id} acceptance_criteria+="…"',
                )
            )
        if item.points is None:
            problems.append(
                GateProblem(
                    "points",
                    f"a story needs points to be {workflow.ready}",
                    f"storykit set {item.id} points=3",
                )
            )
    if isinstance(item, Spike):
        if reaches(status, workflow.in_progress, workflow) and item.started is None:
            problems.append(
                GateProblem(
                    "started",
                    f"a spike records when it started to be {workflow.in_progress}",
                    f"storykit spike start {item.id}",
                )
            )
        if reaches(status, workflow.done, workflow) and not item.outcome:
            problems.append(
                GateProblem(
                    "outcome",
                    f"a spike needs an outcome to be {workflow.done}",
                    f'storykit spike close {item.id} --outcome "what we learned"',
                )
            )
    return problems


def overdue_since(item: ItemBase, now: dt.datetime, workflow: WorkflowConfig) -> dt.datetime | None:
    """When an in-progress spike's timebox ran out, if it has (calendar time)."""
    if not isinstance(item, Spike) or item.status != workflow.in_progress:
        return None
    return deadline_passed(item.started, item.timebox, now)
