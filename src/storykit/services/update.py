"""Changing items: `status` (and start/done/drop), `edit`, and what every change to an
item shares (assignments, gates, the plan that writes it); `set` is in setting.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from storykit import clock, yamlio
from storykit.config import WorkflowConfig
from storykit.errors import Diagnostic, InvalidDataError, UsageError
from storykit.model.catalogue import type_fields
from storykit.model.diffs import field_diffs
from storykit.model.naming import id_from_file_name
from storykit.model.values import is_list_field, parse_scalar, parse_value
from storykit.model.workflow import (
    GateProblem,
    fixing_commands,
    gate_problems,
    missing_fields,
    needed_fields,
)
from storykit.services.create import resolve_reference
from storykit.services.editing import EditSession
from storykit.services.workspace import (
    CommitOptions,
    Outcome,
    Plan,
    Workspace,
    ids_text,
)
from storykit.storage.atomic import Changeset
from storykit.storage.store import LoadedFile, StoredItem

FIXED = ("id", "type")  # fields `set` never changes
SHORTCUTS = {"start": "in_progress", "done": "done", "drop": "dropped"}


def change_status(
    ws: Workspace, queries: list[str], status: str, options: CommitOptions
) -> Outcome:
    """`storykit status ID… STATUS`, with the workflow's gates; several items in one
    commit."""

    def build() -> Plan | None:
        plans: list[tuple[LoadedFile, Plan]] = []
        changes = Changeset()
        for loaded in load_many(ws, queries):
            target = canonical_status(ws.project.config.workflow, status)
            apply_status(ws, loaded.document, loaded.item, target)
            plan = plan_update(ws, loaded, loaded.document, "status", changes)
            plan.subject = f"{loaded.item.id} → {target}: {loaded.item.model.title}"
            plans.append((loaded, plan))
        return combined(plans, changes, "status", "{ids} → " + target)

    return ws.apply(build, options)


def load_many(ws: Workspace, queries: list[str]) -> list[LoadedFile]:
    """The items named (each once, in the order given), read for changing."""
    return [
        _read_for_update(ws, path, query) for path, query in ws.store.find_each(queries).items()
    ]


def combined(
    plans: list[tuple[LoadedFile, Plan]], changes: Changeset, verb: str, many: str
) -> Plan:
    """One plan for the same change to several items: about the item when there is one
    (its own subject), else about them all (`many`, where `{ids}` names those it changes)."""
    if len(plans) == 1:
        return plans[0][1]
    items = [plan.item for _, plan in plans if plan.item is not None]
    written = [loaded.item.id for loaded, _ in plans if loaded.path in changes.writes]
    subject = many.replace("{ids}", ids_text(written))
    return Plan(changes, verb, None, subject=subject, items=items)


def changed_subject(verb: str, before: StoredItem, after: StoredItem) -> str:
    """`set SK-7K2M points 3 → 5, owner alice: Send emojis in messages`."""
    return f"{verb} {after.id} {describe(before, after)}: {after.model.title}"


def describe(before: StoredItem, after: StoredItem) -> str:
    """What a change did, for a commit subject: `points 3 → 5, owner alice, tags +ux`."""
    old = {**before.model.model_dump(), **before.extras}
    new = {**after.model.model_dump(), **after.extras}
    return ", ".join(change.short() for change in field_diffs(old, new)) or "nothing"


def canonical_status(workflow: WorkflowConfig, status: str) -> str:
    """A status as the workflow spells it (typed in any case), or a usage error."""
    for name in workflow.statuses:
        if name.casefold() == status.strip().casefold():
            return name
    raise UsageError(
        f"{status!r} is not a status",
        hint=f"the workflow's statuses: {', '.join(workflow.statuses)}",
    )


def shortcut_status(ws: Workspace, shortcut: str) -> str:
    """The status that `start`, `done` or `drop` moves to in this project's workflow."""
    return str(getattr(ws.project.config.workflow, SHORTCUTS[shortcut]))


def edit_item(ws: Workspace, query: str, options: CommitOptions) -> Outcome:
    """`storykit edit ID` — also the way to repair an invalid file."""
    path = ws.store.find(query)
    rel = ws.project.rel(path)
    raw = ws.store.read_raw(path)
    ws.preflight(options, [path])

    def validate(body: bytes) -> tuple[bytes, StoredItem]:
        doc = yamlio.read_document(body, rel)
        checked = ws.store.validate_document(doc, path)
        _check_gates(ws.project.config.workflow, checked, None, doc, rel)
        return body, ws.store.renamed_for_title(checked)

    before = _valid_or_none(ws, path)
    instead = f"change fields with `storykit set {id_from_file_name(path.name)} FIELD=VALUE`"
    with EditSession(path.name, instead) as session:
        content, result = session.edit_until_valid(raw, validate)
        if result is None or content == raw:
            return Outcome(before, changed=False)
        new_item = result[1]

        def build() -> Plan:
            changes = Changeset()
            _write(changes, path, new_item.path, content, raw)
            subject = changed_subject("edit", before, new_item) if before else ""
            return Plan(changes, "edit", new_item, subject=subject)

        return ws.apply(build, options)


def _valid_or_none(ws: Workspace, path: Path) -> StoredItem | None:
    try:
        return ws.store.read(path).item
    except InvalidDataError:
        return None


def load_for_update(ws: Workspace, query: str) -> LoadedFile:
    return _read_for_update(ws, ws.store.find(query), query)


def _read_for_update(ws: Workspace, path: Path, query: str) -> LoadedFile:
    try:
        return ws.store.read(path)
    except InvalidDataError as exc:
        exc.hint = f"fix the file first, e.g. with `{ws.edit_command(query)}`"
        raise


def assign(
    ws: Workspace,
    doc: yamlio.Document,
    item: StoredItem,
    name: str,
    op: str,
    text: str,
    order: Sequence[str],
) -> None:
    if op == "=":
        if text == "":
            needed = needed_fields(item.type, item.model.status, ws.project.config.workflow)
            if name in needed:
                raise UsageError(
                    f"{name} is required for a {item.model.status} {item.type} "
                    "and cannot be cleared"
                )
            doc.delete(name)
        else:
            value = parse_value(name, text)
            if isinstance(value, list):
                value = [resolve_reference(ws, name, v) for v in value]
            else:
                value = resolve_reference(ws, name, value)
            doc.set(name, value, order)
        return
    if not is_list_field(name) and not (name in doc and isinstance(doc.get(name), list)):
        raise UsageError(f"{name} is not a list; use {name}=VALUE")
    value = parse_scalar(name, text)
    if op == "+=":
        value = resolve_reference(ws, name, value)
        if value not in (doc.get(name) or []):
            doc.list_append(name, value, order)
        return
    if not doc.list_remove(name, value):
        raise UsageError(f"{value!r} is not in {name} of {item.id}")
    if not doc.get(name):
        doc.delete(name)


def apply_status(ws: Workspace, doc: yamlio.Document, item: StoredItem, status: str) -> None:
    workflow = ws.project.config.workflow
    status = canonical_status(workflow, status)
    order = type_fields(item.type)
    doc.set("status", status, order)
    if item.type == "spike" and item.model.started is None and status == workflow.in_progress:
        doc.set("started", clock.now(), order)


def plan_update(
    ws: Workspace,
    loaded: LoadedFile,
    doc: yamlio.Document,
    verb: str,
    changes: Changeset | None = None,
) -> Plan:
    """The plan that writes `doc` over the loaded file (renamed when the title changed):
    validated, gates checked; no writes when nothing changed. `changes`: the changeset of
    a change to several items, which this one joins."""
    content = doc.dump()
    try:
        new_item = ws.store.validate_document(doc, loaded.path)
    except InvalidDataError as exc:
        messages = [d.message for d in exc.diagnostics]
        raise InvalidDataError(
            f"{loaded.item.id} was not changed:\n  " + "\n  ".join(messages),
            hint=_filling(ws, loaded.item, doc),
        ) from None
    _check_gates(ws.project.config.workflow, new_item, loaded.item, None, loaded.rel)
    new_item = ws.store.renamed_for_title(new_item)
    changes = Changeset() if changes is None else changes
    if content == loaded.raw and new_item.path == loaded.path:
        return Plan(changes, verb, loaded.item)
    _write(changes, loaded.path, new_item.path, content, loaded.raw)
    return Plan(changes, verb, new_item)


def _write(changes: Changeset, old: Path, new: Path, content: bytes, raw: bytes) -> None:
    """Write in place, or as a rename when the title (and so the slug) changed."""
    if new == old:
        changes.write(old, content, expected=raw)
    else:
        changes.rename(old, new, content, expected=raw)


def _check_gates(
    workflow: WorkflowConfig,
    item: StoredItem,
    before: StoredItem | None,
    doc: yamlio.Document | None,
    rel: str,
) -> None:
    """Refuse a change that leaves the item short of what its status requires.

    Gaps the item already had in an unchanged status are left to `check`.
    """
    problems = gate_problems(item.model, item.model.status, workflow)
    if before is not None:
        old = {p.field for p in gate_problems(before.model, item.model.status, workflow)}
        if before.model.status == item.model.status:
            problems = [p for p in problems if p.field not in old]
    if not problems:
        return
    raise _gate_error(item, problems, doc, rel)


def gate_refusal(ws: Workspace, item: StoredItem, status: str) -> InvalidDataError | None:
    """Why the gates would refuse moving `item` to `status` (the error the move would
    raise), read from its fields alone: no file is parsed. None when they let it pass."""
    moved = dataclasses.replace(item, model=item.model.model_copy(update={"status": status}))
    workflow = ws.project.config.workflow
    problems = gate_problems(moved.model, status, workflow)
    return _gate_error(moved, problems, None, item.rel) if problems else None


def _gate_error(
    item: StoredItem, problems: list[GateProblem], doc: yamlio.Document | None, rel: str
) -> InvalidDataError:
    lines = [f"{p.message}: `{p.fix}`" for p in problems]
    diagnostics = []
    if doc is not None:
        line, col = doc.position(["status"])
        diagnostics = [Diagnostic(rel, line, col, f"status: {p.message}") for p in problems]
    commands = fixing_commands(item.id, [p.field for p in problems])
    hint = None
    if len(problems) > 1:
        hint = "all at once: " + " then ".join(f"`{c}`" for c in commands)
    return InvalidDataError(
        f"{item.id} cannot be {item.model.status}:\n  " + "\n  ".join(lines), diagnostics, hint
    )


def _filling(ws: Workspace, item: StoredItem, doc: yamlio.Document) -> str | None:
    """The commands that give the item every field its new status needs, or None when
    the change failed for another reason."""
    data = doc.to_plain()
    if not isinstance(data, dict):
        return None
    status = str(data.get("status") or item.model.status)
    missing = missing_fields(item.type, data, status, ws.project.config.workflow)
    if not missing:
        return None
    commands = " then ".join(f"`{c}`" for c in fixing_commands(item.id, missing))
    return f"give it what {status} needs: {commands}"
