"""`storykit rm`: delete items created by mistake (`drop` closes work that was real)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storykit import yamlio
from storykit.errors import InvalidDataError, StorykitError
from storykit.model.catalogue import REFERENCE_FIELDS
from storykit.model.naming import id_from_file_name
from storykit.model.relations import references
from storykit.services.update import load_for_update, plan_update
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace, ids_text
from storykit.storage.atomic import Changeset
from storykit.storage.store import StoredItem


@dataclass(frozen=True)
class Reference:
    """`referrer`'s `field` names a removed item."""

    referrer: StoredItem
    field: str
    target: str


def remove_items(ws: Workspace, queries: list[str], force: bool, options: CommitOptions) -> Outcome:
    """Delete the items' files in one commit. Refused while other items refer to them,
    unless `force`, which removes those references in the same commit."""

    def build() -> Plan:
        paths = list(ws.store.find_each(queries))
        ids = {id_from_file_name(path.name) or "": path for path in paths}
        backlog = ws.store.load_all()
        removed = [item for item in backlog.items if item.path in paths]
        references = _references(backlog.items, set(ids))
        _refuse_invalid_referrers(ws, backlog.invalid, paths, set(ids))
        if references and not force:
            raise InvalidDataError(
                "nothing was removed: other items refer to "
                + ids_text(sorted({ref.target for ref in references}))
                + ":\n  "
                + "\n  ".join(
                    f"{ref.referrer.id} ({ref.field}) → {ref.target}" for ref in references
                ),
                hint="run it again with --force to remove those references in the same "
                "commit, or close the work with `storykit drop` instead",
            )
        changes = Changeset()
        for path in paths:
            changes.delete(path, expected=ws.store.read_raw(path))
        cleaned = _remove_references(ws, references, set(ids), changes)
        subject = _subject(removed, paths)
        return Plan(
            changes,
            "rm",
            removed[0] if len(removed) == 1 and len(paths) == 1 else None,
            subject=subject,
            items=removed if len(paths) > 1 else [],
            others=cleaned,
            ids=sorted(ids),
        )

    return ws.apply(build, options)


def _references(items: list[StoredItem], removed: set[str]) -> list[Reference]:
    found = []
    for item in items:
        if item.id in removed:
            continue
        found += [
            Reference(item, name, target)
            for name, target in references(item.field)
            if target in removed
        ]
    return found


_ID_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _refuse_invalid_referrers(
    ws: Workspace, invalid: list[str], paths: Sequence[Path], removed: set[str]
) -> None:
    """An item file that is not valid may still name a removed item: found in its fields
    when it reads as YAML, else anywhere in its text. storykit cannot edit such a file
    safely, so the removal waits until it is fixed (`--force` included)."""
    found = []
    for rel in invalid:
        path = ws.project.root / rel
        if path in paths:
            continue
        try:
            raw = ws.store.read_raw(path)
        except (OSError, StorykitError):
            continue
        for field_name, target in _raw_references(raw, rel, removed):
            found.append(f"{rel} ({field_name}) → {target}")
    if found:
        raise InvalidDataError(
            "nothing was removed: files that are not valid items refer to the removed "
            "items:\n  " + "\n  ".join(found),
            hint="fix those files (`storykit check` says what is wrong), then remove again",
        )


def _raw_references(raw: bytes, rel: str, removed: set[str]) -> list[tuple[str, str]]:
    """(field, ID) of the removed IDs a file's reference fields name; for a file that is
    not YAML, any removed ID its text holds as a word ("text")."""
    data: Any = yamlio.fast_load(raw)
    if data is None:
        try:
            data = yamlio.read_document(raw, rel).to_plain()
        except InvalidDataError:
            text = raw.decode("utf-8", "replace")
            words = set(_ID_TOKEN.findall(text))
            return [("text", target) for target in sorted(removed & words)]
    if not isinstance(data, dict):
        return []
    found = []
    for name in REFERENCE_FIELDS:
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        found += [(name, str(v)) for v in values if isinstance(v, str) and v in removed]
    return found


def _remove_references(
    ws: Workspace, references: list[Reference], removed: set[str], changes: Changeset
) -> list[StoredItem]:
    """Take the removed IDs out of every item that names them; the items as they become."""
    cleaned = []
    for referrer in dict.fromkeys(ref.referrer.id for ref in references):
        loaded = load_for_update(ws, referrer)
        doc = loaded.document
        for name in REFERENCE_FIELDS:
            value = doc.get(name) if name in doc else None
            if isinstance(value, str) and value in removed:
                doc.delete(name)
            elif isinstance(value, list):
                for target in [v for v in value if v in removed]:
                    doc.list_remove(name, target)
                if not doc.get(name):
                    doc.delete(name)
        try:
            plan = plan_update(ws, loaded, doc, "rm", changes)
        except InvalidDataError as exc:
            raise InvalidDataError(
                f"nothing was removed: {exc.message}",
                hint=f"give {referrer} what it needs first (or remove it too)",
            ) from None
        if plan.item is not None:
            cleaned.append(plan.item)
    return cleaned


def _subject(removed: list[StoredItem], paths: list[Path]) -> str:
    if len(paths) == 1 and len(removed) == 1:
        item = removed[0]
        return f"rm {item.type} {item.id}: {item.model.title}"
    ids = [id_from_file_name(path.name) or path.name for path in paths]
    return f"rm {ids_text(ids)}"
