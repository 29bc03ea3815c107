"""`storykit set`: fields of items, several groups of items in one commit, or a CSV of
them (`--from-file`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from storykit.errors import Diagnostic, InvalidDataError, StorykitError, UsageError
from storykit.model.catalogue import type_fields
from storykit.model.relations import article
from storykit.model.values import ValueProblem
from storykit.services.update import (
    FIXED,
    apply_status,
    assign,
    changed_subject,
    combined,
    load_many,
    plan_update,
)
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset
from storykit.storage.store import LoadedFile

_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)(\+=|-=|=)(.*)$", re.DOTALL)


def parse_assignment(text: str) -> tuple[str, str, str]:
    match = _ASSIGN_RE.match(text)
    if not match:
        raise UsageError(
            f"{text!r} is not FIELD=VALUE",
            hint="e.g. `points=5`, `tags+=ux`, `tags-=ux`, `owner=` (clears it)",
        )
    return match.group(1), match.group(2), match.group(3)


@dataclass(frozen=True)
class SetGroup:
    """Items and the assignments they all take; `where` locates the group in a file
    (`estimates.csv:3`) for messages."""

    queries: list[str]
    assignments: list[str]
    where: str = ""


def set_groups(arguments: list[str]) -> list[SetGroup]:
    """`A B points=3 C points=5 owner=dana` → (A B: points=3), (C: points=5 owner=dana):
    each group is items then their assignments (an assignment holds `=`, an ID never)."""
    groups: list[SetGroup] = []
    queries: list[str] = []
    assignments: list[str] = []
    for text in arguments:
        if "=" in text:
            if not queries:
                raise UsageError("name the item to change first: `storykit set SK-7K2M points=5`")
            assignments.append(text)
        else:
            if assignments:
                groups.append(SetGroup(queries, assignments))
                queries, assignments = [], []
            queries.append(text)
    if queries and not assignments:
        if not groups and len(queries) > 1:
            parse_assignment(queries[-1])  # says what FIELD=VALUE looks like
        raise UsageError(
            f"nothing to set for {', '.join(queries)}",
            hint="give FIELD=VALUE after the items: `storykit set SK-7K2M points=5`",
        )
    if queries:
        groups.append(SetGroup(queries, assignments))
    return groups


def groups_from_csv(text: str, rel: str) -> list[SetGroup]:
    """`set --from-file`: a CSV whose header names `id` then the fields (as the left side
    of an assignment: `points`, `tags+`, `x-jira`), one row per item; an empty cell
    leaves that field as it is. A bad header or row is `rel:line:col: error: …`."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:  # an unclosed quote, say
        problem = Diagnostic(rel, reader.line_num, 1, f"not CSV: {exc}")
        raise InvalidDataError(f"{rel}: nothing was changed", [problem], hint=CSV_HINT) from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise InvalidDataError(f"{rel}: the file is empty", hint=CSV_HINT)
    header = [cell.strip() for cell in rows[0]]
    problems: list[Diagnostic] = []
    if not header or header[0].casefold() != "id":
        problems.append(Diagnostic(rel, 1, 1, "the first column must be `id`"))
    for at, name in enumerate(header[1:], start=1):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*[+-]?", name):
            column = 1 + sum(len(cell) + 1 for cell in rows[0][:at])
            problems.append(Diagnostic(rel, 1, column, f"{name!r} is not a field name"))
    groups: list[SetGroup] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            column = 1 + sum(len(cell) + 1 for cell in row[: len(header)])
            problems.append(Diagnostic(rel, line, column, "more cells than the header names"))
            continue
        if not row[0].strip():
            problems.append(Diagnostic(rel, line, 1, "the id cell is empty"))
            continue
        assignments = [
            f"{name}={cell}"
            for name, cell in zip(header[1:], row[1:], strict=False)
            if cell.strip()
        ]
        if assignments:
            groups.append(SetGroup([row[0].strip()], assignments, f"{rel}:{line}"))
    if problems:
        raise InvalidDataError(f"{rel}: nothing was changed", problems, hint=CSV_HINT)
    if not groups:
        raise UsageError(f"{rel}: no row sets anything", hint=CSV_HINT)
    return groups


CSV_HINT = "a header like `id,points,owner` and one row per item: `SK-7K2M,5,dana`"


def set_fields(ws: Workspace, groups: list[SetGroup], options: CommitOptions) -> Outcome:
    """`storykit set ID… FIELD=VALUE… [ID… FIELD=VALUE…]…` — every value validated like
    the file; each group's assignments to each of its items, in one commit."""
    if not groups or not all(group.assignments for group in groups):
        raise UsageError("nothing to set", hint="e.g. `storykit set SK-7K2M points=5 tags+=ux`")
    parsed = [[parse_assignment(text) for text in group.assignments] for group in groups]

    def build() -> Plan | None:
        plans: list[tuple[LoadedFile, Plan]] = []
        changes = Changeset()
        seen: dict[str, str] = {}
        told: list[str] = []  # each group's assignments and the items they went to
        for group, assignments in zip(groups, parsed, strict=True):
            with _located(group.where):
                loads = load_many(ws, group.queries)
                for loaded in loads:
                    item_id = loaded.item.id
                    if item_id in seen:
                        raise UsageError(
                            f"{item_id} is named twice (also {seen[item_id]})",
                            hint="give each item once, with all its fields",
                        )
                    seen[item_id] = group.where or "earlier on the command line"
                    plans.append((loaded, _set_one(ws, loaded, assignments, changes)))
            ids = ", ".join(loaded.item.id for loaded in loads)
            told.append(f"{' '.join(group.assignments)} on {ids}")
        if len(groups) == 1:
            many = "set " + " ".join(groups[0].assignments) + " on {ids}"
        else:
            joined = "; ".join(told)
            many = f"set {joined}" if len(joined) <= 60 else "set fields of {ids}"
        return combined(plans, changes, "set", many)

    return ws.apply(build, options)


@contextlib.contextmanager
def _located(where: str) -> Iterator[None]:
    """A failure of a group read from a file names the line that gave it
    (`estimates.csv:3: no item 'SK-NOPE'`)."""
    try:
        yield
    except StorykitError as exc:
        if where:
            exc.message = f"{where}: {exc.message}"
        raise


def _set_one(
    ws: Workspace,
    loaded: LoadedFile,
    parsed: list[tuple[str, str, str]],
    changes: Changeset,
) -> Plan:
    doc = loaded.document
    item = loaded.item
    order = type_fields(item.type)
    allowed = set(type_fields(item.type)) | set(ws.project.config.custom_fields)
    status: str | None = None
    problems: list[str] = []
    for name, op, text in parsed:
        if name in FIXED:
            raise UsageError(
                f"{name} cannot be changed with set",
                hint=f"use `storykit edit {item.id}` to change an item's {name}",
            )
        if name not in allowed and not name.startswith("x-"):
            raise UsageError(
                f"{article(item.type)} has no field {name!r}",
                hint=f"its fields: {', '.join(sorted(allowed - set(FIXED)))}",
            )
        if name == "status":
            if op != "=" or not text:
                raise UsageError("status takes one value: status=ready")
            status = text.strip()
            continue
        try:
            assign(ws, doc, item, name, op, text, order)
        except ValueProblem as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidDataError(f"invalid values for {item.id}:\n  " + "\n  ".join(problems))
    if status is not None:
        apply_status(ws, doc, item, status)
    plan = plan_update(ws, loaded, doc, "set", changes)
    if plan.item is not None:
        plan.subject = changed_subject("set", loaded.item, plan.item)
    return plan
