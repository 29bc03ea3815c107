"""What the board changes, each through the service the CLI calls for it — the same
gates, the same lock, one file and one commit per change: a drag within a column is
`storykit rank ID --before/--after`, a drag to another column `storykit status`, a saved
form `storykit set`, a new item `storykit TYPE new`, a closed spike `storykit spike close`.
A failure comes back as an `ActionError`: its message and hint, and the fields it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from storykit.errors import InvalidDataError, StorykitError, UsageError
from storykit.model.catalogue import FIELDS, ITEM_TYPES, type_fields
from storykit.services.workspace import CommitOptions, Outcome, Workspace
from storykit.web.pages import HIDDEN_IN_FORM, form_text, many_lines, new_form, version_of

STALE = "this item changed on disk since the page showed it; nothing was saved"
STALE_HINT = "reload the page to see it as it is now, then make your change again"


@dataclass
class ActionError(Exception):
    message: str
    hint: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)  # messages by field name
    status: int = 422

    def to_json(self) -> dict[str, object]:
        return {"error": self.message, "hint": self.hint, "fields": self.fields}


def failure(exc: StorykitError, names: list[str] | tuple[str, ...] = ()) -> ActionError:
    """A service's refusal as the page shows it: each problem next to its field."""
    if isinstance(exc, InvalidDataError):  # each problem, from its diagnostic or its line
        lines = [d.message for d in exc.diagnostics] or exc.message.splitlines()[1:]
    else:
        lines = [exc.message]
    fields: dict[str, list[str]] = {}
    for line in (line.strip() for line in lines):
        match = re.match(r"^([a-z_][a-z0-9_-]*)(?:\[\d+\])?:", line)
        if match and match.group(1) in names:
            fields.setdefault(match.group(1), []).append(line)
    return ActionError(exc.message, exc.hint, fields)


def rank(ws: Workspace, item_id: str, before: str | None, after: str | None) -> Outcome:
    from storykit.services.ranking import Placement, move_items

    if (before is None) == (after is None):
        raise ActionError("a move names the item it goes before or after", status=400)
    placement = Placement("before", before) if before else Placement("after", after)
    try:
        return move_items(ws, [item_id], placement, CommitOptions())
    except StorykitError as exc:
        raise failure(exc) from None


def move_status(ws: Workspace, item_id: str, status: str) -> Outcome:
    from storykit.services.update import change_status

    try:
        return change_status(ws, [item_id], status, CommitOptions())
    except StorykitError as exc:
        raise failure(exc) from None


def save(ws: Workspace, item_id: str, form: Mapping[str, str], version: str) -> Outcome:
    """The edit form's changed fields, as `storykit set` takes them, unless the file
    changed since the page loaded it."""
    from storykit.services.setting import SetGroup, set_fields

    try:
        loaded = ws.store.read(ws.store.find(item_id))
    except StorykitError as exc:
        raise failure(exc) from None
    item = loaded.item
    if version != version_of(loaded.raw):
        raise ActionError(STALE, STALE_HINT, status=409)
    names = [n for n in type_fields(item.type) if n not in HIDDEN_IN_FORM]
    assignments: list[str] = []
    for name in names:
        if name not in form:
            continue
        text = form[name].replace("\r\n", "\n")
        before = form_text(name, item.field(name))
        if text.strip() == before.strip():
            continue
        assignments += _assignments(name, text, item.field(name))
    if not assignments:
        raise ActionError("nothing changed", "change a field, then save", status=400)
    try:
        return set_fields(ws, [SetGroup([item.id], assignments)], CommitOptions())
    except StorykitError as exc:
        raise failure(exc, names) from None


def _assignments(name: str, text: str, old: object) -> list[str]:
    """`set`'s assignments that make `name` hold `text`: a whole value, or for a list the
    old values taken out and the new ones put in, in order (one per line for a list of
    text, whose values may hold commas; else comma-separated)."""
    if not FIELDS[name].many:
        return [f"{name}={text.strip()}"]
    if many_lines(name):
        values = [line.strip() for line in text.split("\n") if line.strip()]
    else:
        values = [part.strip() for part in text.split(",") if part.strip()]
    olds = [str(v) for v in old] if isinstance(old, list | tuple) else []
    if not values:
        return [f"{name}="]
    return [f"{name}-={v}" for v in olds] + [f"{name}+={v}" for v in values]


def create(ws: Workspace, item_type: str, form: Mapping[str, str]) -> Outcome:
    from storykit.services.create import create_item

    if item_type not in ITEM_TYPES:
        raise ActionError(f"unknown item type {item_type!r}", status=404)
    names = [i["name"] for i in new_form(ws, item_type)]
    values: dict[str, object] = {}
    for name in names:
        text = form.get(name, "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if FIELDS[name].many:
            split = text.split("\n") if many_lines(name) else text.split(",")
            values[name] = [part.strip() for part in split if part.strip()]
        else:
            values[name] = text
    try:
        return create_item(ws, item_type, values, CommitOptions())
    except StorykitError as exc:
        raise failure(exc, names) from None


def close_spike(ws: Workspace, item_id: str, form: Mapping[str, str]) -> Outcome:
    from storykit.services.spikes import close_spike as close

    outcome = form.get("outcome", "").replace("\r\n", "\n").strip()
    if not outcome:
        raise ActionError(
            "a spike is closed with its outcome", "write what you learned", {"outcome": []}
        )
    decision = form.get("decision", "").strip() or None
    follow_ups = [line.strip() for line in form.get("follow_ups", "").splitlines() if line.strip()]
    try:
        return close(
            ws, item_id, CommitOptions(), outcome=outcome, decision=decision, follow_ups=follow_ups
        )
    except UsageError as exc:
        raise failure(exc, ("outcome", "decision", "follow_ups")) from None
    except StorykitError as exc:
        raise failure(exc, ("outcome", "decision")) from None
