"""The backlog's history as a timeline of dated changes, for sprint reports.

Every commit reachable from a revision that changed the backlog folder — on the first-
parent line or on a merged branch (`git log --full-history`) — becomes one `Change`: its
author date and what it did to each item's tracked fields (type, title, points, status,
sprint) and to each sprint file's recorded moments. A merge commit contributes only what
it changed unlike every parent (a conflict settled by hand); its branches' changes come
with their own commits, each once. The changes are ordered by author date, ties in
topological order (parents first).

The incremental cache (`.git/storykit/timeline-cache.json`) keeps each commit's change
and the ordered commits of the last few tips read, so a report after one more commit
reads one more commit. It is a speed-up only: without it the same timeline is rebuilt.
Its key holds the history's shape (shallow boundary, grafts, replace refs), which the same
commits do not. A timeline read in a shallow clone is `cut`: its first changes are not
what happened, and whoever reads it says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from storykit import yamlio
from storykit.errors import InvalidDataError, RepoStateError
from storykit.history.tipcache import TipCache
from storykit.locations import (
    CUT_SHORT,
    SPRINT_FOLDER,
    UNSHALLOW_HINT,
    is_item_file,
)
from storykit.model.burndown import Change, Timeline
from storykit.model.naming import id_from_file_name
from storykit.project import Project
from storykit.repository.history import History, LogCommit, RawChange

if TYPE_CHECKING:
    from collections.abc import Callable

TRACKED = ("type", "title", "points", "status", "sprint")
MOMENTS = ("name", "started", "closed")  # of a sprint file
_FORMAT = 5

Fields = dict[str, Any]
__all__ = ["Change", "Timeline", "read_timeline"]


def cut_short(what: str) -> RepoStateError:
    """The error of an answer that needs the whole history, in a shallow clone."""
    return RepoStateError(
        f"{CUT_SHORT}: {what} needs every commit, so its answer would be wrong",
        hint=UNSHALLOW_HINT,
    )


def read_timeline(project: Project, commit: str, history: Callable[[], History]) -> Timeline:
    """The timeline of `commit`'s history, through the cache (git is asked, through
    `history()`, only for what the cache does not hold)."""
    cache = _Cache(project)
    try:
        return _read(cache, project, history, commit)
    except (KeyError, ValueError, TypeError):  # a damaged cache: read it all again
        cache.forget()
        return _read(cache, project, history, commit)


def _read(
    cache: _Cache, project: Project, history_of: Callable[[], History], commit: str
) -> Timeline:
    order = cache.tips.get(commit)
    if order is None:
        history = history_of()
        base = cache.best_base(history, commit)
        known = cache.tips.get(base, []) if base else []
        revs = (commit, f"^{base}") if base else (commit,)
        folder = project.config.backlog_dir
        logged = history.log([f"{folder}/"], newest_first=False, revs=revs, full_history=True)
        fresh = [c for c in logged if c.sha not in cache.commits]
        cache.commits.update(_extract(history, folder, fresh))
        order = known + [c.sha for c in logged]
    timeline = Timeline([cache.change(sha) for sha in order], cut=cache.cut)
    cache.remember(commit, order)
    cache.save()
    return timeline


def _extract(history: History, folder: str, commits: list[LogCommit]) -> dict[str, list[Any]]:
    """Each commit's change as the cache stores it: [time, items, sprints, author, the
    commit it undoes]."""
    folder = PurePosixPath(folder).as_posix()  # `./backlog` and `backlog/` are `backlog`
    blobs = {
        sha
        for commit in commits
        for change in commit.changes
        for sha in (change.old, change.new, *change.others)
        if sha is not None and _kind(change.path, folder) is not None
    }
    raw = history.read_blobs(sorted(blobs))
    parsed: dict[str, Fields | None] = {}

    def fields(sha: str | None, kind: str) -> Fields | None:
        if sha is None:
            return None
        if sha not in parsed:
            parsed[sha] = _fields(raw.get(sha, b""), MOMENTS if kind == "sprint" else TRACKED)
        return parsed[sha]

    found: dict[str, list[Any]] = {}
    for commit in commits:
        items: dict[str, Fields | None] = {}
        sprints: dict[str, Fields | None] = {}
        by_id: dict[str, list[RawChange]] = {}
        for change in commit.changes:
            kind = _kind(change.path, folder)
            if kind == "sprint":
                if change.new is None:
                    sprints[change.path] = None
                else:
                    after = fields(change.new, kind)
                    if after is not None:
                        sprints[change.path] = after
            elif kind is not None:
                by_id.setdefault(kind, []).append(change)
        for item_id, changes in by_id.items():
            delta = _item_delta(changes, fields)
            if delta is not False:
                items[item_id] = delta  # type: ignore[assignment]
        time = dt.datetime.fromisoformat(commit.date).timestamp()
        found[commit.sha] = [time, items, sprints, commit.author, commit.undoes]
    return found


def _item_delta(changes: list[RawChange], fields: Any) -> Fields | bool | None:
    """What one commit did to one item (its file may have been renamed): the tracked
    fields that changed ({} if the file changed in nothing tracked: it was touched), None
    if it is gone, False if nothing at all. In a merge, only what differs from every
    parent."""
    olds = [c.old for c in changes if c.old is not None]
    news = [c.new for c in changes if c.new is not None]
    after = fields(news[0], "item") if news else None
    if not news:
        return None
    if after is None:
        return {}  # an unreadable version changes nothing but was touched
    parents: list[Fields | None] = [fields(olds[0], "item") if olds else None]
    for change in changes:
        parents.extend(fields(sha, "item") for sha in change.others)
    delta = {
        name: after.get(name)
        for name in TRACKED
        if all(parent is None or parent.get(name) != after.get(name) for parent in parents)
    }
    if all(parent is None for parent in parents):
        return dict(after)  # new (or readable for the first time): every field
    if not delta and len(parents) > 1:
        return False  # a merge that only brought its branches' changes
    return delta


def _kind(path: str, folder: str) -> str | None:
    """`sprint` for a sprint file, the item's ID for an item file, None for anything else
    (`path` as git writes it: relative, `/` between names; `folder` normalised alike)."""
    parent, _, name = path.rpartition("/")
    if not is_item_file(name):
        return None
    if parent == folder:
        return id_from_file_name(name)
    if parent == f"{folder}/{SPRINT_FOLDER}":
        return "sprint"
    return None


def _fields(raw: bytes, names: Iterable[str]) -> Fields | None:
    """The named fields of a file version (dates as ISO text), or None if it cannot be
    read. Values of the wrong shape count as absent: `check` reports them."""
    data = yamlio.fast_load(raw)
    if data is None:
        try:
            data = yamlio.read_document(raw, "").to_plain()
        except (InvalidDataError, AssertionError):
            return None
    out: Fields = {}
    for name in names:
        value = data.get(name)
        if name == "points":
            if isinstance(value, bool) or not isinstance(value, int | float):
                value = None
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif not isinstance(value, str):
            value = None
        out[name] = value
    return out


class _Cache(TipCache):
    def __init__(self, project: Project) -> None:
        super().__init__(project, "timeline-cache.json", project.config.backlog_dir, _FORMAT)

    def change(self, sha: str) -> Change:
        time, items, sprints, author, undoes = self.commits[sha]
        return Change(sha, float(time), items, sprints, str(author), str(undoes))
