"""Answers of the history reports (`burndown`, `velocity`, `sprint list`) kept as printed
(and an SVG chart as written), so that asking again is a file read: no Typer, no Pydantic,
no git, no matplotlib.

A report is a function of the commit it is computed at, the settings, storykit itself,
how it is printed (the options, a terminal or not, its width, NO_COLOR) and "now" — and of
"now" only between thresholds: midnight in the project's time zone and the moments sprints
start or close. The full command stores its output with the window of "now" it holds
for (none with `--at`: "now" is then that commit's time); the lean path in `cli/` prints
it when everything matches, else the full command runs. Standard library only. Deleting
`.git/storykit/reports-cache.json` changes nothing but the time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from storykit.locations import (
    CONFIG_FILE,
    common_dir,
    find_git_dir,
    find_project_root,
    history_shape,
    package_fingerprint,
)
from storykit.storage.atomic import save_json

_FORMAT = 1
_KEPT = 32
SHA = re.compile(r"[0-9a-f]{40}")


def head_commit(git_dir: Path) -> str | None:
    """HEAD's commit read from the files git keeps it in (None when that is not simple:
    git then decides)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="ascii").strip()
        if SHA.fullmatch(head):
            return head
        if not head.startswith("ref: refs/"):
            return None
        ref = head.removeprefix("ref: ")
        common = common_dir(git_dir)
        if (common / "reftable").exists():
            return None
        loose = common / ref
        if loose.is_file():
            sha = loose.read_text(encoding="ascii").strip()
            return sha if SHA.fullmatch(sha) else None
        for line in (common / "packed-refs").read_text(encoding="ascii").splitlines():
            sha, _, name = line.partition(" ")
            if name == ref and SHA.fullmatch(sha):
                return sha
    except (OSError, UnicodeDecodeError):
        return None
    return None


def printing() -> str:
    """How output is printed: on a terminal (and its width) or not, NO_COLOR, TERM."""
    terminal = sys.stdout.isatty()
    width = shutil.get_terminal_size((80, 24)).columns if terminal else 0
    return f"{terminal}:{width}:{'NO_COLOR' in os.environ}:{os.environ.get('TERM', '')}"


class ReportCache:
    def __init__(self, root: Path, git_dir: Path) -> None:
        self.path = common_dir(git_dir) / "storykit" / "reports-cache.json"
        self.root = root
        self.git_dir = git_dir  # a linked worktree's own: its HEAD

    def commit(self, at: str | None) -> str | None:
        """The commit a report is asked at: HEAD, or `--at` given as a full SHA."""
        if at is None:
            return head_commit(self.git_dir)
        return at.lower() if SHA.fullmatch(at.lower()) else None

    def key(self, commit: str, request: list[str]) -> str | None:
        try:
            config = (self.root / CONFIG_FILE).read_bytes()
        except OSError:
            return None
        shape = history_shape(self.git_dir)
        parts = [package_fingerprint(), str(self.root), commit, shape, printing(), *request]
        digest = hashlib.sha1(config)
        for part in parts:
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def _entries(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
            if data.get("format") == _FORMAT and isinstance(data.get("entries"), dict):
                return dict(data["entries"])
        except (OSError, ValueError, AttributeError):
            pass
        return {}

    def get(self, key: str, now: float) -> tuple[str, str | None] | None:
        """(what was printed, the file written — an SVG chart — or None), if "now" is in
        the window the answer holds for."""
        entry = self._entries().get(key)
        if not isinstance(entry, dict) or not isinstance(entry.get("out"), str):
            return None
        window = entry.get("window")
        if window is not None:
            low, high, made = window
            if not low <= max(now, made) < high:
                return None
        written = entry.get("file")
        return str(entry["out"]), written if isinstance(written, str) else None

    def put(
        self,
        key: str,
        out: str,
        window: tuple[float, float, float] | None,
        written: str | None = None,
    ) -> None:
        entries = self._entries()
        entries.pop(key, None)
        entries[key] = {"out": out, "window": list(window) if window else None, "file": written}
        while len(entries) > _KEPT:
            entries.pop(next(iter(entries)))
        save_json(self.path, {"format": _FORMAT, "entries": entries}, durable=False)


def open_cache(start: Path) -> ReportCache | None:
    root = find_project_root(start)
    git_dir = find_git_dir(root) if root is not None else None
    if root is None or git_dir is None:
        return None
    return ReportCache(root, git_dir)
