"""The backlog as it was at a revision (or is in the working tree), for history and diffs.

Blobs are parsed once: payloads are cached by blob SHA, which never goes stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from storykit.errors import Diagnostic
from storykit.locations import base_name, is_item_file
from storykit.model.naming import id_from_file_name
from storykit.model.rank import places
from storykit.repository.history import History
from storykit.storage.atomic import save_json
from storykit.storage.store import ItemStore, StoredItem

_BLOB_CACHE_FORMAT = 5  # as CACHE_FORMAT


@dataclass
class Snapshot:
    """Valid items by ID, their order, and the files that could not be read."""

    label: str  # the revision as given ("main", "main...feature"), or "working tree"
    commit: str | None  # None: the working tree
    items: dict[str, StoredItem] = field(default_factory=dict)
    invalid: dict[str, list[Diagnostic]] = field(default_factory=dict)  # path -> problems
    merge_base: bool = False  # the commit is the merge-base of the revisions in `label`

    @property
    def named(self) -> str:
        """As a header names it: `main (1a2b3c4d)`, `main (merge-base 1a2b3c4d)`."""
        if self.commit is None:
            return self.label
        short = self.commit[:8]
        if self.commit.startswith(self.label.lower()):
            return short
        return f"{self.label} ({'merge-base ' if self.merge_base else ''}{short})"

    def order(self) -> list[str]:
        ranked = sorted(self.items.values(), key=StoredItem.sort_key)
        return [item.id for item in ranked]

    def places(self, closed: tuple[str, ...]) -> dict[str, int]:
        """{ID: place in the open backlog} (`rank.places`)."""
        shut = {i for i, item in self.items.items() if item.model.status in closed}
        return places(((item.model.rank, i) for i, item in self.items.items()), shut)


class BlobPayloads:
    """Parsed payloads of item-file blobs, by SHA, persisted in `.git/storykit/`."""

    def __init__(self, store: ItemStore, history: History) -> None:
        self.store = store
        self.history = history
        self.path: Path | None = None
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            self.path = store.project.state_dir / "blobs-cache.json"
            raw = json.loads(self.path.read_bytes())
            if raw.get("format") == _BLOB_CACHE_FORMAT and raw.get("key") == store.cache_key():
                self.entries = dict(raw["entries"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.entries = {}

    def get_many(self, blobs: dict[str, str]) -> dict[str, dict[str, Any]]:
        """{path: payload} for {path: blob SHA}."""
        found = self.get_pairs(set(blobs.items()))
        return {path: found[(path, sha)] for path, sha in blobs.items()}

    def get_pairs(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Payloads of (path, blob SHA) pairs; the file name matters to validation, so both
        are the key. Blobs not yet known are read in one batch."""
        missing = sorted(pair for pair in pairs if f"{pair[1]} {pair[0]}" not in self.entries)
        if missing:
            raw = self.history.read_blobs(sorted({sha for _, sha in missing}))
            for path, sha in missing:
                self.entries[f"{sha} {path}"] = self.store.parse_bytes(raw.get(sha, b""), path)
            self.dirty = True
        return {pair: self.entries[f"{pair[1]} {pair[0]}"] for pair in pairs}

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        data = {
            "format": _BLOB_CACHE_FORMAT,
            "key": self.store.cache_key(),
            "entries": self.entries,
        }
        save_json(self.path, data, durable=False)
        self.dirty = False


def snapshot_at(store: ItemStore, payloads: BlobPayloads, commit: str, label: str) -> Snapshot:
    files = _item_blobs(store, payloads, commit)
    snapshot = Snapshot(label, commit)
    for path, payload in payloads.get_many(files).items():
        _add(snapshot, store, path, payload)
    return snapshot


def places_at_each(
    store: ItemStore, payloads: BlobPayloads, commits: list[str], closed: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """{commit: {ID: place in the open backlog}} at each of `commits` (full SHAs), from the
    items' rank, ID and status alone (`rank.places`, no item models): their trees read by
    one git process, the file versions not yet known parsed in one batch."""
    folder = PurePosixPath(store.project.config.backlog_dir).as_posix()
    trees = payloads.history.trees_files(commits, folder)
    files = {
        commit: {path: sha for path, sha in tree.items() if is_item_file(base_name(path))}
        for commit, tree in trees.items()
    }
    known = payloads.get_pairs({pair for tree in files.values() for pair in tree.items()})
    found = {}
    for commit, tree in files.items():
        items = [known[pair]["item"] for pair in tree.items() if "item" in known[pair]]
        shut = {item["id"] for item in items if item["status"] in closed}
        found[commit] = places({(item["rank"], item["id"]) for item in items}, shut)
    return found


def _item_blobs(store: ItemStore, payloads: BlobPayloads, commit: str) -> dict[str, str]:
    """{path: blob SHA} of the item files in the backlog folder at `commit`."""
    folder = store.project.config.backlog_dir
    tree = payloads.history.tree_files(commit, folder)
    return {path: sha for path, sha in tree.items() if is_item_file(base_name(path))}


def snapshot_worktree(store: ItemStore) -> Snapshot:
    backlog = store.load_all()
    snapshot = Snapshot("working tree", None)
    for item in backlog.items:
        snapshot.items.setdefault(item.id, item)
    for problem in backlog.problems:
        snapshot.invalid.setdefault(problem.path, []).append(problem)
    return snapshot


def _add(snapshot: Snapshot, store: ItemStore, path: str, payload: dict[str, Any]) -> None:
    if "item" in payload:
        item = store.item_from_payload(payload, path)
        snapshot.items.setdefault(item.id, item)
    else:
        snapshot.invalid[path] = [Diagnostic(**d) for d in payload["problems"]]


def item_id_of(path: str) -> str | None:
    return id_from_file_name(base_name(path))
