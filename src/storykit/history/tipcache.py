"""The incremental cache both history readers keep (`timeline.py`, `codelinks.py`): one
value per commit read, and the ordered commits of the last few tips read, so that after one
more commit one more commit is read. A speed-up only: without it the same answer is
rebuilt. The key is the caller's (everything else that decides the values) and the
history's shape, which every such cache needs: the same commits show another history once
unshallowed, grafted or replaced. A file of another key or format is ignored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storykit.locations import history_shape, is_shallow
from storykit.project import Project
from storykit.repository.history import History
from storykit.storage.atomic import save_json

_TIPS_KEPT = 4


def head_of(project: Project, history: Callable[[], History]) -> str | None:
    """HEAD's commit: read from git's files when that is simple (no git runs), else asked
    of git through `history()`; None in a repository with no commit yet."""
    from storykit.history.reportcache import head_commit

    git_dir = project.git_dir
    head = head_commit(git_dir) if git_dir is not None else None
    if head is None:
        found = history().commit_and_time("HEAD")
        head = found[0] if found else None
    return head


class TipCache:
    def __init__(self, project: Project, name: str, key: str, version: int) -> None:
        self.path: Path | None = None
        git_dir = project.git_dir
        shape = history_shape(git_dir) if git_dir is not None else ""
        self.cut = git_dir is not None and is_shallow(git_dir)  # its history is cut short
        self.key, self.version = f"{key}\0{shape}", version
        self.commits: dict[str, list[Any]] = {}
        self.tips: dict[str, list[str]] = {}
        self.dirty = False
        try:
            self.path = project.state_dir / name
            data = json.loads(self.path.read_bytes())
            if data.get("format") == version and data.get("key") == self.key:
                self.commits = dict(data["commits"])
                self.tips = dict(data["tips"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass

    def forget(self) -> None:
        """Drop everything (a damaged file): the answer is read again from git."""
        self.commits, self.tips = {}, {}

    def best_base(self, history: History, tip: str) -> str | None:
        """The cached tip with the longest history that `tip` descends from."""
        for known in sorted(self.tips, key=lambda t: -len(self.tips[t])):
            if history.is_ancestor(known, tip):
                return known
        return None

    def remember(self, tip: str, order: list[str]) -> None:
        if next(reversed(self.tips), None) == tip:
            return
        self.tips.pop(tip, None)
        self.tips[tip] = order  # newest last
        while len(self.tips) > _TIPS_KEPT:
            self.tips.pop(next(iter(self.tips)))
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        kept = {sha for order in self.tips.values() for sha in order}
        commits = {sha: value for sha, value in self.commits.items() if sha in kept}
        data = {"format": self.version, "key": self.key, "commits": commits, "tips": self.tips}
        save_json(self.path, data, durable=False)
        self.dirty = False
