"""Reading the whole backlog through the read cache and its indexes (`cache.py`): files
unchanged since they were cached are not parsed again; placing an item needs only the
order index, a twentieth of the cache. A speed-up only: what it returns is what parsing
every file would give.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from storykit.errors import Diagnostic, RepoStateError
from storykit.locations import cache_file
from storykit.model.naming import id_from_file_name, ids_in_names
from storykit.storage.cache import (
    INDEXES,
    ItemCache,
    ItemIndex,
    Signature,
    cache_key,
    index_file,
    signature_of,
)
from storykit.storage.parallel import forked_map

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from storykit.project import Project


class Files(Protocol):
    """What the cache reads through: the item store's folder and its parser (store.py
    hands itself in; this module never imports it)."""

    project: Project
    folder: Path

    def entries(self) -> list[os.DirEntry[str]]: ...

    def remember_ids(self, ids: dict[str, str], duplicates: dict[str, list[str]]) -> None: ...

    def parse_file(self, path: Path, rel: str | None = None) -> dict[str, Any]: ...


# Beyond this many files changed since an index was written, read the whole cache instead
# (and rewrite them all): parsing a few files beats loading it, many files do not.
INDEX_MISSES = 64


class CachedReads:
    """The whole backlog of one store, read through the cache."""

    def __init__(self, store: Files) -> None:
        self.store = store

    def indexed(self, kind: str) -> list[tuple[str, str, Any]]:
        """(rel, id, value) of every valid item, the value as `cache.INDEXES[kind]` keeps it.

        Read from that index when it covers nearly every file (the few files changed since
        are parsed, and left for the next full read to cache); otherwise from the whole
        cache, which is then written again together with the indexes.
        """
        value_of = INDEXES[kind]
        index = self._open_index(kind)
        prefix = self.store.project.rel(self.store.folder) + "/"
        if index is not None:
            found: list[tuple[str, str, Any]] = []
            changed: list[str] = []
            ids: dict[str, str] = {}
            duplicates: dict[str, list[str]] = {}
            for entry in self.store.entries():
                item_id = id_from_file_name(entry.name)
                if item_id is not None:
                    note_id(ids, duplicates, item_id, entry.name)
                try:
                    signature = signature_of(entry.stat(follow_symlinks=False))
                except OSError:
                    signature = (-1, -1, -1)  # never indexed: parsed below, which reports it
                hit, value = index.get(entry.name, signature)
                if not hit:
                    changed.append(entry.name)
                    if len(changed) > INDEX_MISSES:
                        break
                elif value is not None and item_id is not None:  # a valid item's id is its name's
                    found.append((prefix + entry.name, item_id, value))
            else:
                self.store.remember_ids(ids, duplicates)
                for name in changed:
                    payload = self.store.parse_file(self.store.folder / name, prefix + name)
                    item = payload.get("item")
                    if item is not None:
                        found.append((prefix + name, item["id"], value_of(item)))
                return found
        return [
            (rel, payload["item"]["id"], value_of(payload["item"]))
            for rel, payload in self.payloads(index_stale=True)
            if "item" in payload
        ]

    def payloads(self, *, index_stale: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
        """(rel, payload) of every item file; unchanged files come from the cache."""
        cache = self._open_cache()
        names: set[str] = set()
        prefix = self.store.project.rel(self.store.folder) + "/"
        entries = self.store.entries()
        self.store.remember_ids(*ids_of(ids_in_names([entry.name for entry in entries])))
        found: list[tuple[str, dict[str, Any] | None]] = []
        missed: list[tuple[int, str, os.DirEntry[str], Signature]] = []
        for entry in entries:
            rel = prefix + entry.name
            names.add(entry.name)
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError as exc:
                problem = Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}")
                found.append((rel, {"problems": [problem.to_json()]}))
                continue
            signature = signature_of(stat)
            payload = cache.get(entry.name, signature) if cache else None
            if payload is None:
                missed.append((len(found), rel, entry, signature))
            found.append((rel, payload))
        folder = self.store.folder
        parsed = forked_map(
            lambda miss: self.store.parse_file(folder / miss[2].name, miss[1]), missed
        )
        for (at, rel, entry, signature), payload in zip(missed, parsed, strict=True):
            found[at] = (rel, payload)
            if cache is not None and not entry.is_symlink():
                cache.put(entry.name, signature, payload)
        for rel, payload in found:
            assert payload is not None
            yield rel, payload
        if cache is not None:
            cache.keep_only(names)
            missing = not all(index_file(cache.path, kind).exists() for kind in INDEXES)
            cache.save(force=(index_stale or missing) and bool(cache.entries))

    def key(self) -> str:
        return cache_key(self.store.project.root, self.store.project.config_path.read_bytes())

    def _open_index(self, kind: str) -> ItemIndex | None:
        try:
            state = self.store.project.state_dir
        except RepoStateError:
            return None
        return ItemIndex.open(cache_file(state, self.store.project.root), self.key(), kind)

    def _open_cache(self) -> ItemCache | None:
        try:
            state = self.store.project.state_dir
        except RepoStateError:
            return None
        cache = ItemCache.open(cache_file(state, self.store.project.root), self.key())
        cache.settings = self.settings()
        return cache

    def settings(self) -> dict[str, Any]:
        """The settings the lean commands read with the cache (what decides their answer
        beyond the items)."""
        config = self.store.project.config
        return {
            "backlog_dir": config.backlog_dir,
            "closed": list(config.workflow.closed),
            "statuses": list(config.workflow.statuses),
            "in_progress": config.workflow.in_progress,
            "score": config.priority.expression,
        }


def ids_of(named: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """{ID: first file name} and {ID: every file name} for IDs that several files claim,
    from (file name, ID) in name order (`naming.ids_in_names`)."""
    found = {item_id: name for name, item_id in named}
    duplicates: dict[str, list[str]] = {}
    if len(found) < len(named):  # some ID has several files: the first name stands
        found = {}
        for name, item_id in named:
            note_id(found, duplicates, item_id, name)
    return found, duplicates


def note_id(
    found: dict[str, str], duplicates: dict[str, list[str]], item_id: str, name: str
) -> None:
    if item_id in found:
        duplicates.setdefault(item_id, [found[item_id]]).append(name)
    else:
        found[item_id] = name
