"""The read cache in `.git/storykit/`: parsed items keyed by each file's size, mtime and inode.

A speed-up only: a missing, corrupt or stale cache is rebuilt silently, and deleting it
changes no output. Files modified in the last few seconds are never cached, so an edit that
keeps size and mtime granularity ("racily clean", as git calls it) is always seen.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storykit.model.catalogue import FIELDS
from storykit.storage.atomic import json_pieces, write_atomic

CACHE_FORMAT = 8  # bumped whenever what a cache holds changes (8: dates as files write them)
RACY_SECONDS = 2.0

Signature = tuple[int, int, int]  # size, mtime_ns, inode


class ItemCache:
    """Payloads (plain JSON data) per file name, valid for one storykit version and config."""

    def __init__(
        self,
        path: Path,
        key: str,
        entries: dict[str, list[Any]],  # name → [size, mtime_ns, inode, payload], as stored
        settings: dict[str, Any] | None = None,  # what a lean reader needs from the config
    ) -> None:
        self.path, self.key, self.entries, self.settings = path, key, entries, settings
        self.dirty = False

    @classmethod
    def open(cls, path: Path, key: str) -> ItemCache:
        """The cache at `path`, empty when it is missing, corrupt or for another key; the
        settings it was written with come back too (for a lean reader)."""
        entries: dict[str, list[Any]] = {}
        settings = None
        try:
            raw = json.loads(path.read_bytes())
            if raw.get("format") == CACHE_FORMAT and raw.get("key") == key:
                if isinstance(raw["entries"], dict):  # each entry is checked when it is used
                    entries = raw["entries"]
                settings = raw.get("settings")
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            entries, settings = {}, None
        return cls(path=path, key=key, entries=entries, settings=settings)

    def get(self, name: str, signature: Signature) -> dict[str, Any] | None:
        hit: Any = self.entries.get(name)
        if _sound(hit) and (hit[0], hit[1], hit[2]) == signature:
            payload: dict[str, Any] = hit[3]
            return payload
        return None

    def put(self, name: str, signature: Signature, payload: dict[str, Any]) -> None:
        if not settled(signature[1]):
            self.forget(name)
            return
        self.entries[name] = [*signature, payload]
        self.dirty = True

    def forget(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        for name in list(self.entries):
            if name not in names:
                self.forget(name)

    def save(self, *, force: bool = False) -> None:
        """Write the cache, and the summary index beside it, if anything changed (or
        `force`)."""
        if not (self.dirty or force):
            return
        sound = {name: entry for name, entry in self.entries.items() if _sound(entry)}
        data = {
            "format": CACHE_FORMAT,
            "key": self.key,
            "settings": self.settings,
            "entries": sound,
        }
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json_pieces(data), durable=False)
            for kind, value_of in INDEXES.items():
                flat: list[Any] = []
                for name, (size, mtime, inode, payload) in sound.items():
                    item = payload.get("item")
                    flat += [name, size, mtime, inode, value_of(item) if item is not None else None]
                index = {"format": CACHE_FORMAT, "key": self.key, "settings": self.settings}
                index["entries"] = flat
                write_atomic(index_file(self.path, kind), json_pieces(index), durable=False)
        self.dirty = False


def _sound(entry: Any) -> bool:
    """Whether a cache entry has its shape (the file is read as JSON: anything may be in
    it); one that has not is a file to parse again."""
    return type(entry) is list and len(entry) == 4 and type(entry[3]) is dict


# What the lean `list` (cli/lean/listing.py) needs of an item: a fifth of the cache's size.
SUMMARY_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.listed)


def summarize(item: dict[str, Any]) -> dict[str, Any]:
    """The summary of a cached item (its plain fields, unset ones left out)."""
    return {name: item[name] for name in SUMMARY_FIELDS if name in item}


def _rank_of(item: dict[str, Any]) -> str:
    return str(item["rank"])


# The indexes written beside the cache, by kind: what each keeps of a valid item. `order`
# (the rank: all that placing an item needs, a twentieth of the cache) and `summary` (the
# lines of `list`).
INDEXES: dict[str, Callable[[dict[str, Any]], Any]] = {"order": _rank_of, "summary": summarize}


def _valid_value(kind: str, value: Any) -> bool:
    if kind == "order":
        return isinstance(value, str)
    return isinstance(value, dict) and all(
        isinstance(value.get(key), str) for key in ("id", "type", "status", "rank", "title")
    )


class ItemIndex:
    """One of INDEXES, read back: written with the cache under the same key and signatures,
    as a flat list `name, size, mtime_ns, inode, value, …` (value null for an invalid
    file), with the settings a lean reader needs."""

    def __init__(
        self, kind: str, entries: dict[str, list[Any]], settings: dict[str, Any] | None
    ) -> None:
        self.kind, self.entries, self.settings = kind, entries, settings

    @classmethod
    def open(cls, cache_path: Path, key: str, kind: str) -> ItemIndex | None:
        """The index, or None when it is missing, corrupt or for another version/config."""
        try:
            raw = json.loads(index_file(cache_path, kind).read_bytes())
            if raw.get("format") != CACHE_FORMAT or raw.get("key") != key:
                return None
            flat = raw["entries"]
            if not isinstance(flat, list) or len(flat) % 5:
                return None
            entries = {flat[i]: flat[i + 1 : i + 5] for i in range(0, len(flat), 5)}
            return cls(kind, entries, raw.get("settings"))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def get(self, name: str, signature: Signature) -> tuple[bool, Any]:
        """(found, value): found is False unless the file is indexed as it is now; the
        value is None for a file that is not a valid item."""
        hit = self.entries.get(name)
        if hit is None or (hit[0], hit[1], hit[2]) != signature:
            return False, None
        value = hit[3]
        if value is None or _valid_value(self.kind, value):
            return True, value
        return False, None


def index_file(cache_path: Path, kind: str) -> Path:
    """`items-cache.json` → `items-order.json`, `items-summary.json`."""
    return cache_path.with_name(cache_path.name.replace("items-cache", f"items-{kind}", 1))


def settled(mtime_ns: int) -> bool:
    """Whether a file last modified then is old enough to be kept by its signature: one
    changed again within its mtime's granularity would keep the same one ("racily clean",
    as git calls it)."""
    return mtime_ns / 1e9 <= time.time() - RACY_SECONDS


def signature_of(stat: os.stat_result) -> Signature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def cache_key(root: Path, config_bytes: bytes) -> str:
    """What the cached payloads depend on: storykit, the exact settings, the work tree.
    Computable without validating the settings (a matching key implies they were valid)."""
    from storykit import __version__

    digest = hashlib.sha1(config_bytes).hexdigest()
    return f"{__version__}:{digest}:{root}"
