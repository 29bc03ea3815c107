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

    def save(self) -> None:
        if not self.dirty:
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
        self.dirty = False


def signature_of(stat: os.stat_result) -> Signature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def cache_key(root: Path, config_bytes: bytes) -> str:
    """What the cached payloads depend on: storykit, the exact settings, the work tree.
    Computable without validating the settings (a matching key implies they were valid)."""
    from storykit import __version__

    digest = hashlib.sha1(config_bytes).hexdigest()
    return f"{__version__}:{digest}:{root}"
