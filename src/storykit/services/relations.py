"""Writes that `check` would reject are refused at write time (docs/architecture.md,
"The unit of work"): a reference to no item, a parent of the wrong type, a dependency cycle, an
invalid rank key, a sprint that no sprint file names — in the words `check` uses
(`model/relations.py`, `model/sprints.py`).

Only what a change brings in is refused: a problem the item already had (a reference left
dangling by a merge, say) is `check`'s to report, and does not block an unrelated change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storykit import yamlio
from storykit.errors import Diagnostic, InvalidDataError
from storykit.model.catalogue import REFERENCE_FIELDS
from storykit.model.naming import id_from_file_name
from storykit.model.rank import is_valid_key
from storykit.model.relations import (
    cycle_message,
    dangling,
    dependency_cycles,
    invalid_rank,
    wrong_parent,
)

if TYPE_CHECKING:
    from storykit.storage.atomic import Changeset
    from storykit.storage.store import ItemStore

Fields = dict[str, Any]
Problem = tuple[Path, list[str | int], str]  # the file, where in it, the message


def refuse_broken_relations(
    store: ItemStore, writes: Changeset, written: dict[Path, Fields]
) -> None:
    """Raise InvalidDataError (exit 1) if the change would break a rule between items.
    `written`: each written file's new fields (deleted files are absent)."""
    problems: list[Problem] = []
    removed = {
        id_from_file_name(path.name)
        for path, content in writes.writes.items()
        if content is None and path not in writes.renamed_sources()
    }
    new_by_id = {str(fields["id"]): (path, fields) for path, fields in written.items()}
    ids = (set(store.ids()) - removed) | set(new_by_id)
    old = {path: _old_fields(store, writes, path) for path in written}
    grown_deps = False
    sprints: set[str] | None = None  # the sprints' names, read when a change needs them
    for path, fields in written.items():
        before = old[path]
        names = set(fields) | set(before)
        changed = {name for name in names if fields.get(name) != before.get(name)}
        if "rank" in changed and not is_valid_key(str(fields["rank"])):
            problems.append((path, ["rank"], invalid_rank(str(fields["rank"]))))
        for name in REFERENCE_FIELDS:
            if name not in changed:
                continue
            value = fields.get(name)
            values = [value] if isinstance(value, str) else list(value or [])
            had = before.get(name)
            had_values = {had} if isinstance(had, str) else set(had or [])
            for index, ref in enumerate(values):
                if ref in ids or ref in had_values:
                    continue
                loc: list[str | int] = [name] if isinstance(value, str) else [name, index]
                where = name if isinstance(value, str) else f"{name}[{index}]"
                problems.append((path, loc, dangling(where, ref)))
        named = fields.get("sprint")
        if "sprint" in changed and isinstance(named, str):
            if sprints is None:
                sprints = _sprint_names(store)
            if named not in sprints:
                from storykit.model.sprints import unknown_sprint  # its models: when needed

                unknown = unknown_sprint(str(fields["id"]), named, sprints)
                problems.append((path, ["sprint"], unknown))
        parent = fields.get("parent")
        if parent and ({"parent", "type"} & changed) and parent in ids:
            parent_type = _type_of(store, new_by_id, parent)
            message = wrong_parent(str(fields["type"]), parent, parent_type)
            if message:
                problems.append((path, ["parent"], message))
        if "depends_on" in changed and set(fields.get("depends_on") or []) - set(
            before.get("depends_on") or []
        ):
            grown_deps = True
        if before and "type" in changed:
            problems += _children_of_the_wrong_type(store, new_by_id, fields)
    if grown_deps:
        problems += _new_cycles(store, new_by_id, removed)
    if problems:
        raise _refusal(store, writes, problems)


def _sprint_names(store: ItemStore) -> set[str]:
    from storykit.storage.sprint_files import SprintStore

    return {sprint.name for sprint in SprintStore(store.project).load_all().sprints}


def _old_fields(store: ItemStore, writes: Changeset, path: Path) -> Fields:
    raw = writes.original_of(path)
    if raw is None:
        return {}
    payload = store.parse_bytes(raw, store.project.rel(path))
    return dict(payload.get("item", {}))


def _type_of(store: ItemStore, new_by_id: dict[str, tuple[Path, Fields]], item_id: str) -> str:
    if item_id in new_by_id:
        return str(new_by_id[item_id][1]["type"])
    path = store.path_of(item_id)
    payload = store.parse_bytes(store.read_raw(path), store.project.rel(path))
    return str(payload.get("item", {}).get("type", ""))


def _children_of_the_wrong_type(
    store: ItemStore, new_by_id: dict[str, tuple[Path, Fields]], parent: Fields
) -> list[Problem]:
    """An item whose type changed may no longer be a fit parent for its children."""
    found: list[Problem] = []
    for rel, payload in store.records():
        child = payload.get("item", {})
        if child.get("parent") != parent["id"] or child.get("id") in new_by_id:
            continue
        message = wrong_parent(str(child["type"]), str(parent["id"]), str(parent["type"]))
        if message:
            found.append((store.project.root / rel, ["parent"], message))
    return found


def _new_cycles(
    store: ItemStore, new_by_id: dict[str, tuple[Path, Fields]], removed: set[str | None]
) -> list[Problem]:
    """Dependency cycles through an item the change wrote."""
    graph: dict[str, Sequence[str]] = {}
    for _, payload in store.records():
        fields = payload.get("item", {})
        if fields.get("id") not in removed:
            graph[str(fields["id"])] = list(fields.get("depends_on") or [])
    for item_id, (_, fields) in new_by_id.items():
        graph[item_id] = list(fields.get("depends_on") or [])
    found: list[Problem] = []
    for cycle in dependency_cycles(graph):
        first = next((i for i in cycle if i in new_by_id), None)
        if first is not None:
            found.append((new_by_id[first][0], ["depends_on"], cycle_message(cycle)))
    return found


def _refusal(store: ItemStore, writes: Changeset, problems: list[Problem]) -> InvalidDataError:
    diagnostics = []
    for path, loc, message in problems:
        rel = store.project.rel(path)
        content = writes.writes.get(path) or store.read_raw(path)
        try:
            line, col = yamlio.read_document(content, rel).position(loc)
        except InvalidDataError:
            line, col = 1, 1
        diagnostics.append(Diagnostic(rel, line, col, message))
    return InvalidDataError(
        "nothing was written: the change would break the backlog's rules "
        "(`storykit check` would report it)",
        diagnostics,
    )
