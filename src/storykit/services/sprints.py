"""Sprints: `storykit sprint new|add|remove|start|close` — one commit each, the sprint
file and every item it moves together."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from storykit import clock
from storykit.errors import InvalidDataError, UsageError
from storykit.model.catalogue import SPRINT_ORDER, type_fields
from storykit.model.sprints import Sprint
from storykit.model.timebox import (
    DATE_RANGE_MESSAGE,
    date_in_range,
    sprint_too_long,
    timebox_delta,
)
from storykit.services.update import load_many, plan_update
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace, ids_text
from storykit.storage.atomic import Changeset
from storykit.storage.sprint_files import LoadedSprint, SprintStore
from storykit.storage.store import LoadedFile


@dataclass(frozen=True)
class SprintOutcome:
    """What a sprint command did: the sprint as it is now, and the commit's outcome (the
    items it moved among `outcome.items`)."""

    sprint: Sprint
    outcome: Outcome


def parse_date(text: str, option: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date like 2026-12-07") from None
    if not date_in_range(value):
        raise UsageError(f"{option} {text!r}: {DATE_RANGE_MESSAGE}")
    return value


def sprint_end(start: dt.date, end: str | None, length: str | None, default: str) -> dt.date:
    """`--end DATE`, or the last day of `--length` (10d, 2w) from the start."""
    if end is not None and length is not None:
        raise UsageError("give either --end or --length, not both")
    if end is not None:
        last = parse_date(end, "--end")
    else:
        length = length or default
        if not re.fullmatch(r"[1-9][0-9]{0,2}[dw]", length):
            raise UsageError(f"--length {length!r} must be days or weeks, like 10d or 2w")
        last = start + timebox_delta(length) - dt.timedelta(days=1)
        if not date_in_range(last):
            raise UsageError(f"the sprint would end {last}: {DATE_RANGE_MESSAGE}")
    too_long = sprint_too_long((last - start).days + 1)
    if too_long is not None:
        raise UsageError(too_long, hint="plan in sprints of a few weeks (--length 2w)")
    return last


def new_sprint(
    ws: Workspace,
    name: str,
    options: CommitOptions,
    *,
    start: str,
    end: str | None = None,
    length: str | None = None,
    goal: str | None = None,
    capacity: float | None = None,
) -> SprintOutcome:
    first = parse_date(start, "--start")
    last = sprint_end(first, end, length, ws.project.config.sprint_length)
    store = SprintStore(ws.project)
    fields: dict[str, Any] = {
        "name": name.strip(),
        "start": first,
        "end": last,
        "goal": goal.strip() if goal else None,
        "capacity": int(capacity) if capacity and float(capacity).is_integer() else capacity,
    }

    def build() -> Plan:
        existing = store.load_all()
        clash = [s for s in existing.sprints if s.name.casefold() == fields["name"].casefold()]
        if clash:
            raise UsageError(
                f"there is already a sprint {clash[0].name!r} ({clash[0].rel})",
                hint="give the new sprint another name",
            )
        path = store.path_for(fields["name"])
        document = store.new_document(fields, _newline(ws, ws.project.rel(path)))
        if path.exists():
            raise UsageError(
                f"{ws.project.rel(path)} already exists", hint="give the sprint another name"
            )
        try:
            sprint = store.validate_document(document, path)
        except InvalidDataError as exc:
            problems = "\n  ".join(d.message for d in exc.diagnostics)
            raise InvalidDataError(f"cannot create sprint {name!r}:\n  {problems}") from None
        changes = Changeset()
        changes.write(path, document.dump(), expected=None)
        subject = f"new sprint {sprint.name}: {first} → {last}"
        return Plan(changes, "sprint-new", None, subject=subject, ids=[])

    return after_change(store, fields["name"], ws.apply(build, options))


def add_items(
    ws: Workspace, name: str, queries: list[str], options: CommitOptions
) -> SprintOutcome:
    """Put items in a sprint (one commit)."""
    return _move(ws, name, queries, options, adding=True)


def remove_items(
    ws: Workspace, name: str, queries: list[str], options: CommitOptions
) -> SprintOutcome:
    """Take items out of a sprint (one commit)."""
    return _move(ws, name, queries, options, adding=False)


def _move(
    ws: Workspace, name: str, queries: list[str], options: CommitOptions, *, adding: bool
) -> SprintOutcome:
    store = SprintStore(ws.project)

    def build() -> Plan:
        sprint = store.find(name).sprint
        if adding and sprint.model.closed is not None:
            raise UsageError(
                f"sprint {sprint.name!r} is closed",
                hint="add the items to a sprint that is planned or active",
            )
        items = load_many(ws, queries)
        if not adding:
            strangers = [i.item.id for i in items if i.item.model.sprint != sprint.name]
            if strangers:
                raise UsageError(
                    f"{ids_text(strangers)} {'is' if len(strangers) == 1 else 'are'} not in "
                    f"sprint {sprint.name!r}; nothing was changed",
                    hint=f"`storykit list --sprint {_quoted(sprint.name)}` lists its items",
                )
        changes = Changeset()
        verb = "sprint-add" if adding else "sprint-remove"
        plans = [
            (one, set_sprint(ws, one, sprint.name if adding else None, verb, changes))
            for one in items
        ]
        moved = [one.item.id for one in items if one.path in changes.writes]
        word = "add to" if adding else "remove from"
        subject = f"{word} sprint {sprint.name}: {ids_text(moved)}"
        items_now = [p.item for _, p in plans if p.item is not None]
        return Plan(changes, verb, None, subject=subject, items=items_now, ids=moved)

    return after_change(store, name, ws.apply(build, options))


def start_sprint(ws: Workspace, name: str, options: CommitOptions) -> SprintOutcome:
    """Record the moment the sprint starts: what it holds then is its commitment."""
    store = SprintStore(ws.project)

    def build() -> Plan:
        loaded = store.find(name)
        model = loaded.sprint.model
        if model.closed is not None:
            raise UsageError(f"sprint {model.name!r} is closed ({model.closed})")
        if model.started is not None:
            raise UsageError(
                f"sprint {model.name!r} was already started ({model.started})",
                hint="its commitment was taken then; `storykit sprint show` shows it",
            )
        changes = Changeset()
        sprint = _write_sprint(store, loaded, "started", clock.now(), changes)
        return Plan(changes, "sprint-start", None, subject=f"start sprint {sprint.name}", ids=[])

    return after_change(store, name, ws.apply(build, options))


def close_sprint(
    ws: Workspace, name: str, options: CommitOptions, carry_over: str | None = None
) -> SprintOutcome:
    """Record the moment the sprint closes; its unfinished items move to `carry_over` (or
    leave the sprint), in the same commit."""
    store = SprintStore(ws.project)
    workflow = ws.project.config.workflow

    def build() -> Plan:
        loaded = store.find(name)
        model = loaded.sprint.model
        if model.closed is not None:
            raise UsageError(f"sprint {model.name!r} was already closed ({model.closed})")
        target: str | None = None
        if carry_over is not None:
            following = store.find(carry_over).sprint
            if following.name == model.name:
                raise UsageError("--carry-over names the sprint being closed")
            if following.model.closed is not None:
                raise UsageError(f"sprint {following.name!r} is closed: nothing can move there")
            target = following.name
        changes = Changeset()
        _write_sprint(store, loaded, "closed", clock.now(), changes)
        unfinished = [
            item
            for item in ws.store.load_all().items
            if item.model.sprint == model.name and item.model.status not in workflow.closed
        ]
        loaded_items = load_many(ws, [item.id for item in unfinished])
        plans = [
            (one, set_sprint(ws, one, target, "sprint-close", changes)) for one in loaded_items
        ]
        moved = [p.item for _, p in plans if p.item is not None]
        where = f"{len(moved)} unfinished to {target}" if target else f"{len(moved)} unfinished out"
        subject = f"close sprint {model.name}" + (f" ({where})" if moved else "")
        return Plan(changes, "sprint-close", None, subject=subject, items=moved,
                    ids=[item.id for item in moved])  # fmt: skip

    return after_change(store, name, ws.apply(build, options))


def after_change(store: SprintStore, name: str, outcome: Outcome) -> SprintOutcome:
    """The sprint as it is after the change (read again: `build` hands nothing back)."""
    return SprintOutcome(store.find(name).sprint, outcome)


def _write_sprint(
    store: SprintStore, loaded: LoadedSprint, key: str, value: Any, changes: Changeset
) -> Sprint:
    loaded.document.set(key, value, SPRINT_ORDER)
    sprint = store.validate_document(loaded.document, loaded.path)
    changes.write(loaded.path, loaded.document.dump(), expected=loaded.raw)
    return sprint


def set_sprint(
    ws: Workspace, loaded: LoadedFile, name: str | None, verb: str, changes: Changeset
) -> Plan:
    document = loaded.document
    if name is None:
        document.delete("sprint")
    else:
        document.set("sprint", name, type_fields(loaded.item.type))
    return plan_update(ws, loaded, document, verb, changes)


def _newline(ws: Workspace, rel: str) -> str:
    return ws.repo.checkout_newline(rel) if ws.project.git_dir is not None else "\n"


def _quoted(name: str) -> str:
    return f'"{name}"' if re.search(r"\s", name) else name
