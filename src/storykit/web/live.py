"""Live pages: the server learns from the operating system (inotify, through watchfiles)
that an item file, a sprint file, HEAD or a branch changed — by the board, a CLI command,
`git pull` or `git checkout` — and tells every open page, which fetches itself again. No
polling: an idle server sleeps until the kernel reports a change (docs/architecture.md,
"The browser board")."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from watchfiles import Change, awatch

from storykit.locations import common_dir
from storykit.project import Project

DEBOUNCE_MS = 250  # changes this close together are one (a commit writes several files)
PING_SECONDS = 25.0  # an idle stream says it is alive (proxies and browsers time out)
_GIT_NAMES = ("HEAD", "packed-refs", "ORIG_HEAD", "MERGE_HEAD")


class Changes:
    """A counter of what the watcher saw; each open page's stream waits on it."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = asyncio.Condition()

    async def bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    async def after(self, seen: int, timeout: float) -> int:
        """The version once it is past `seen`, or `seen` after `timeout` seconds."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version > seen), timeout)
            return self.version


def watched(project: Project) -> tuple[list[Path], _Filter]:
    folder = project.root / project.config.backlog_dir
    paths = [folder]
    gits: list[Path] = []
    git_dir = project.git_dir
    if git_dir is not None:
        gits = list(dict.fromkeys([git_dir, common_dir(git_dir)]))
        paths += gits
    return paths, _Filter(folder, gits)


class _Filter:
    """What counts as a change: anything in the backlog folder; in git's folders HEAD
    and the branches, not git's objects nor storykit's own caches."""

    def __init__(self, folder: Path, gits: list[Path]) -> None:
        self.folder = str(folder)
        self.gits = [str(g) for g in gits]

    def __call__(self, change: Change, path: str) -> bool:
        if path.startswith(self.folder + "/"):
            return True
        for git in self.gits:
            if path.startswith(git + "/"):
                rel = path[len(git) + 1 :]
                return rel in _GIT_NAMES or (rel.startswith("refs/") and not rel.endswith(".lock"))
        return False


async def watch(project: Project, changes: Changes, stop: asyncio.Event) -> None:
    paths, keep = watched(project)
    async for _ in awatch(
        *paths, watch_filter=keep, debounce=DEBOUNCE_MS, step=100, stop_event=stop
    ):
        await changes.bump()


async def stream(changes: Changes, stop: asyncio.Event) -> AsyncIterator[str]:
    """Server-sent events: `change` with the version each time something changed."""
    seen = changes.version
    yield f"retry: 1000\nevent: hello\ndata: {seen}\n\n"
    while not stop.is_set():
        now = await changes.after(seen, PING_SECONDS)
        if now == seen:
            yield ": ping\n\n"
        else:
            seen = now
            yield f"event: change\ndata: {now}\n\n"
