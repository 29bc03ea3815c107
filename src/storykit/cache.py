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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storykit.atomic import write_atomic

CACHE_FORMAT = 2
RACY_SECONDS = 2.0

Signature = tuple[int, int, int]  # size, mtime_ns, inode


@dataclass
class ItemCache:
    """Payloads (plain JSON data) per file name, valid for one storykit version and config."""

    path: Path
    key: str
    entries: dict[str, tuple[Signature, dict[str, Any]]]
    dirty: bool = False
    settings: dict[str, Any] | None = None  # what a lean reader needs from the config

    @classmethod
    def open(cls, path: Path, key: str) -> ItemCache:
        entries: dict[str, tuple[Signature, dict[str, Any]]] = {}
        try:
            raw = json.loads(path.read_bytes())
            if raw.get("format") == CACHE_FORMAT and raw.get("key") == key:
                for name, (size, mtime, inode, payload) in raw["entries"].items():
                    entries[name] = ((int(size), int(mtime), int(inode)), payload)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            entries = {}
        return cls(path=path, key=key, entries=entries)

    def get(self, name: str, signature: Signature) -> dict[str, Any] | None:
        hit = self.entries.get(name)
        if hit is not None and hit[0] == signature:
            return hit[1]
        return None

    def put(self, name: str, signature: Signature, payload: dict[str, Any]) -> None:
        if signature[1] / 1e9 > time.time() - RACY_SECONDS:
            self.forget(name)
            return
        self.entries[name] = (signature, payload)
        self.dirty = True

    def forget(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        for name in list(self.entries):
            if name not in names:
                self.forget(name)

    def save(self, *, force: bool = False) -> None:
        """Write the cache, and the order index beside it, if anything changed (or `force`)."""
        if not (self.dirty or force):
            return
        data = {
            "format": CACHE_FORMAT,
            "key": self.key,
            "settings": self.settings,
            "entries": {
                name: [sig[0], sig[1], sig[2], payload]
                for name, (sig, payload) in self.entries.items()
            },
        }
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data, separators=(",", ":")).encode())
            order: list[Any] = []
            for name, (sig, payload) in self.entries.items():
                item = payload.get("item")
                order += [name, *sig, item["rank"] if item is not None else None]
            index = {"format": CACHE_FORMAT, "key": self.key, "entries": order}
            write_atomic(order_file(self.path), json.dumps(index, separators=(",", ":")).encode())
        self.dirty = False


@dataclass
class OrderIndex:
    """The rank of each file, written with the cache: all that placing an item needs, in a
    fifth of the cache's size. A flat list `name, size, mtime_ns, inode, rank, …` (rank null
    for an invalid file); the id of a valid item is the one its file name gives."""

    entries: dict[str, list[Any]]

    @classmethod
    def open(cls, cache_path: Path, key: str) -> OrderIndex | None:
        """The index, or None when it is missing, corrupt or for another version/config."""
        try:
            raw = json.loads(order_file(cache_path).read_bytes())
            if raw.get("format") != CACHE_FORMAT or raw.get("key") != key:
                return None
            flat = raw["entries"]
            if not isinstance(flat, list) or len(flat) % 5:
                return None
            return cls({flat[i]: flat[i + 1 : i + 5] for i in range(0, len(flat), 5)})
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def get(self, name: str, signature: Signature) -> tuple[bool, str | None]:
        """(found, rank): found is False unless the file is indexed as it is now; the rank
        is None for a file that is not a valid item."""
        hit = self.entries.get(name)
        if hit is None or (hit[0], hit[1], hit[2]) != signature:
            return False, None
        rank = hit[3]
        return (True, rank) if rank is None or isinstance(rank, str) else (False, None)


def order_file(cache_path: Path) -> Path:
    return cache_path.with_name(cache_path.name.replace("items-cache", "order-cache", 1))


def signature_of(stat: os.stat_result) -> Signature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def cache_key(root: Path, config_bytes: bytes) -> str:
    """What the cached payloads depend on: storykit, the exact settings, the work tree.
    Computable without validating the settings (a matching key implies they were valid)."""
    from storykit import __version__

    digest = hashlib.sha1(config_bytes).hexdigest()
    return f"{__version__}:{digest}:{root}"
