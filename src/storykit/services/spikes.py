"""Spikes: timeboxed research worth what its outcome records (`storykit spike …`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from storykit import clock
from storykit.errors import InvalidDataError, UsageError
from storykit.model.catalogue import ITEM_TYPES, type_fields
from storykit.model.ids import mint_id
from storykit.model.rank import keys_between, places
from storykit.model.timebox import deadline, timebox_delta
from storykit.model.workflow import overdue_since
from storykit.services.editing import EditSession
from storykit.services.update import apply_status, load_for_update, plan_update
from storykit.services.workspace import (
    CommitOptions,
    Move,
    Outcome,
    Plan,
    Workspace,
    subject_of,
)
from storykit.storage.atomic import Changeset
from storykit.storage.store import LoadedFile, StoredItem

OUTCOME_TEMPLATE = """\

# Write the outcome of spike {id}: {title}
# Question: {question}
# What did you learn? What should the team do next? Record it above these lines.
# Lines starting with # are ignored. An empty outcome cancels: nothing is changed.
"""


@dataclass(frozen=True)
class Overdue:
    item: StoredItem
    since: dt.datetime


def parse_follow_up(text: str) -> tuple[str, str]:
    """`"story: Send emoji"` → ("story", "Send emoji")."""
    match = re.match(r"^\s*([a-z]+)\s*:\s*(.+?)\s*$", text)
    if not match or match.group(1) not in ITEM_TYPES:
        raise UsageError(
            f"--follow-up {text!r} must be TYPE: TITLE",
            hint=f'e.g. --follow-up "story: Send emoji" (types: {", ".join(ITEM_TYPES)})',
        )
    return match.group(1), match.group(2)


def start_spike(ws: Workspace, query: str, options: CommitOptions) -> Outcome:
    """Status in progress, with the time it started."""

    def build() -> Plan:
        loaded = _load_spike(ws, query)
        apply_status(ws, loaded.document, loaded.item, ws.project.config.workflow.in_progress)
        return plan_update(ws, loaded, loaded.document, "start")

    return ws.apply(build, options)


def close_spike(
    ws: Workspace,
    query: str,
    options: CommitOptions,
    *,
    outcome: str | None = None,
    decision: str | None = None,
    follow_ups: list[str] | None = None,
    place: str = "bottom",
) -> Outcome:
    """Record the outcome, mark the spike done and create its follow-ups: one commit.
    Without an outcome, it is written in the editor (kept if the command then fails).
    The follow-ups land where any new item lands, at the bottom of the open backlog,
    unless `place` is `top` or `after-spike` (where the spike was)."""
    if place not in FOLLOW_UP_PLACES:
        raise UsageError(
            f"--follow-ups-at must be one of {', '.join(FOLLOW_UP_PLACES)}, not {place!r}"
        )
    wanted = [parse_follow_up(text) for text in follow_ups or []]
    if outcome is not None:
        return _close(ws, query, options, outcome, decision, wanted, place)
    loaded = _load_spike(ws, query)
    ws.preflight(options, [loaded.path])
    spike = loaded.item
    template = OUTCOME_TEMPLATE.format(
        id=spike.id, title=spike.model.title, question=spike.model.question or "-"
    )
    instead = f'give it with `storykit spike close {spike.id} --outcome "what we learned"`'
    with EditSession(f"{spike.id}-outcome.txt", instead) as session:
        written = session.edit_text(template)
        outcome = "\n".join(
            line for line in written.splitlines() if not line.lstrip().startswith("#")
        ).strip()
        return _close(ws, query, options, outcome, decision, wanted, place)


def _close(
    ws: Workspace,
    query: str,
    options: CommitOptions,
    outcome: str,
    decision: str | None,
    wanted: list[tuple[str, str]],
    place: str,
) -> Outcome:
    if not outcome.strip():
        raise InvalidDataError(
            "the outcome is empty: the spike was not closed and nothing was changed",
            hint='give it with --outcome "what we learned", or write it in the editor',
        )

    def build() -> Plan:
        loaded = _load_spike(ws, query)
        spike = loaded.item
        order = type_fields("spike")
        doc = loaded.document
        doc.set("outcome", outcome.strip(), order)
        if decision:
            doc.set("decision", decision.strip(), order)
        changes = Changeset()
        created, landed = _follow_up_items(ws, spike, outcome.strip(), wanted, changes, place)
        for item in created:
            doc.list_append("follow_ups", item.id, order)
        apply_status(ws, doc, spike, ws.project.config.workflow.done)
        plan = plan_update(ws, loaded, doc, "close")
        for path, content in changes.writes.items():
            assert content is not None
            plan.writes.write(path, content, expected=None)
        plan.items, plan.moves = created, landed
        return plan

    return ws.apply(build, options)


def extend_spike(ws: Workspace, query: str, extra: str, options: CommitOptions) -> Outcome:
    """Add `extra` (4h, 1d, 1w) to the spike's timebox."""
    try:
        added = timebox_delta(extra)
    except ValueError:
        raise UsageError(f"--timebox {extra!r} must look like 4h, 2d or 1w") from None

    def build() -> Plan:
        loaded = _load_spike(ws, query)
        spike = loaded.item.model
        current = timebox_delta(spike.timebox) if spike.timebox else dt.timedelta()
        new = format_timebox(current + added)
        loaded.document.set("timebox", new, type_fields("spike"))
        plan = plan_update(ws, loaded, loaded.document, "extend")
        plan.subject = subject_of(
            "extend", loaded.item, f"timebox {spike.timebox or 'none'} → {new}"
        )
        return plan

    return ws.apply(build, options)


@dataclass(frozen=True)
class Deadline:
    """When a spike's timebox runs out (None: not started, or no timebox), and whether
    it already has."""

    at: dt.datetime | None
    overdue: bool
    left: dt.timedelta  # until it runs out (zero once it has)


def deadline_of(ws: Workspace, item: StoredItem) -> Deadline:
    now = clock.now()
    model = item.model
    at = deadline(getattr(model, "started", None), getattr(model, "timebox", None), now.tzinfo)
    late = overdue_since(model, now, ws.project.config.workflow) is not None
    left = max(at - now, dt.timedelta()) if at else dt.timedelta()
    return Deadline(at.astimezone(ws.project.config.zone) if at else None, late, left)


def overdue_spikes(ws: Workspace) -> list[Overdue]:
    """In-progress spikes past `started + timebox`, in rank order."""
    now = clock.now()
    workflow = ws.project.config.workflow
    found = []
    for item in ws.store.load_all().items:
        since = overdue_since(item.model, now, workflow)
        if since is not None:
            found.append(Overdue(item, since))
    return found


def format_timebox(delta: dt.timedelta) -> str:
    """The largest whole unit: 168h → 1w, 48h → 2d, 52h → 52h."""
    hours = int(delta.total_seconds() // 3600)
    if hours and hours % 168 == 0:
        return f"{hours // 168}w"
    if hours and hours % 24 == 0:
        return f"{hours // 24}d"
    return f"{hours}h"


FOLLOW_UP_PLACES = ("bottom", "top", "after-spike")


def _load_spike(ws: Workspace, query: str) -> LoadedFile:
    loaded = load_for_update(ws, query)
    if loaded.item.type != "spike":
        raise UsageError(
            f"{loaded.item.id} is a {loaded.item.type}, not a spike",
            hint=f"use `storykit status {loaded.item.id} …` for other items",
        )
    return loaded


def _follow_up_items(
    ws: Workspace,
    spike: StoredItem,
    outcome: str,
    wanted: list[tuple[str, str]],
    changes: Changeset,
    place: str,
) -> tuple[list[StoredItem], list[Move]]:
    """Draft items, each linked back to the spike, at the bottom of the backlog (or its
    top, or right after the spike), and where they landed as `storykit list` numbers it
    (the spike, now done, has no place)."""
    if not wanted:
        return [], []
    ranked, closed = ws.ranked()
    ranks = [key for key, _ in ranked]
    if place == "top":
        low, high = None, (ranks[0] if ranks else None)
    elif place == "after-spike":
        low, high = spike.model.rank, next((key for key in ranks if key > spike.model.rank), None)
    else:
        low, high = (ranks[-1] if ranks else None), None
    keys = keys_between(low, high, len(wanted))
    taken = set(ws.store.ids())
    epic_parent = _epic_parent(ws, spike)
    created = []
    for (item_type, title), key in zip(wanted, keys, strict=True):
        new_id = mint_id(ws.project.config.prefix, taken)
        taken.add(new_id)
        fields: dict[str, Any] = {
            "id": new_id,
            "type": item_type,
            "title": title,
            "status": ws.project.config.workflow.initial,
            "rank": key,
            "created": clock.today(),
        }
        if epic_parent and item_type in ("story", "tech", "spike"):
            fields["parent"] = epic_parent
        fields["depends_on"] = [spike.id]
        fields["description"] = (
            f"Follow-up of spike {spike.id} ({spike.model.title}).\n\nOutcome:\n{outcome}\n"
        )
        path, content, item = ws.new_item(fields, f"the follow-up {title!r}")
        changes.write(path, content, expected=None)
        created.append(item)
    now = places([*ranked, *((item.model.rank, item.id) for item in created)], closed | {spike.id})
    return created, [Move(item, None, now.get(item.id)) for item in created]


def _epic_parent(ws: Workspace, spike: StoredItem) -> str | None:
    """The spike's parent if it is a (valid) epic: follow-ups belong to it too."""
    parent_id = spike.model.parent
    ids = ws.store.ids()
    if not parent_id or parent_id not in ids:
        return None
    try:
        parent = ws.store.read(ws.store.path_of(parent_id)).item
    except InvalidDataError:
        return None
    return parent.id if parent.type == "epic" else None
