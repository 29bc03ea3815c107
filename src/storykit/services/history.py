"""Reading history: `storykit log ID` and `storykit diff [A [B]]`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from storykit.errors import Diagnostic, InvalidDataError, UnknownItemError, UsageError
from storykit.locations import is_shallow
from storykit.model.diffs import FieldDiff, SprintScope, field_diffs, sprint_scope
from storykit.model.ids import looks_like_query, normalise_query
from storykit.model.naming import id_from_file_name
from storykit.model.rank import moved_items
from storykit.repository.history import History
from storykit.services.workspace import Move, Workspace
from storykit.storage.snapshot import (
    BlobPayloads,
    Snapshot,
    item_id_of,
    places_at_each,
    snapshot_at,
    snapshot_worktree,
)
from storykit.storage.store import StoredItem


@dataclass(frozen=True)
class ItemChange:
    before: StoredItem
    after: StoredItem
    changes: list[FieldDiff]

    @property
    def renamed(self) -> bool:
        return self.before.rel != self.after.rel


@dataclass
class BacklogDiff:
    base: Snapshot
    head: Snapshot
    added: list[StoredItem] = field(default_factory=list)
    removed: list[StoredItem] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    closed_spikes: list[StoredItem] = field(default_factory=list)
    invalid: list[tuple[str, str, list[Diagnostic]]] = field(default_factory=list)
    scope: list[SprintScope] = field(default_factory=list)  # points into and out of sprints

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved)


def diff_backlog(
    ws: Workspace, base: str | None = None, head: str | None = None, against: str | None = None
) -> BacklogDiff:
    """What changed in the whole backlog between two revisions. `base` may be a range as
    git writes it: `A..B` (A to B) or `A...B` (the merge-base of A and B to B, what a pull
    request shows); an empty side is HEAD. No revision: from the merge-base of HEAD with
    `against` (default: origin/HEAD, main or master) to the working tree."""
    history = History(ws.project.root)
    payloads = BlobPayloads(ws.store, history)
    if base is not None and head is None and ".." in base:
        base, head, merge_base = _range(base)
        if base is None:  # "...B" and "..B" start from HEAD
            base = "HEAD"
    else:
        merge_base = False
    if base is not None and against is not None:
        raise UsageError("give either revisions or --base, not both")
    if base is None:
        label, commit = history.default_base(against)
        merge_base = label != "HEAD"
    elif merge_base:
        tip = history.commit_of(head or "HEAD")
        commit = history.merge_base(history.commit_of(base), tip)
        label = f"{base}...{head or 'HEAD'}"
    else:
        commit, label = history.commit_of(base), base
    before = snapshot_at(ws.store, payloads, commit, label)
    before.merge_base = merge_base
    if head is None:
        after = snapshot_worktree(ws.store)
    else:
        after = snapshot_at(ws.store, payloads, history.commit_of(head), head)
    payloads.save()
    workflow = ws.project.config.workflow
    return compare(before, after, workflow.done, workflow.dropped)


def _range(text: str) -> tuple[str | None, str, bool]:
    """`A...B` → (A, B, True); `A..B` → (A, B, False); an empty end is HEAD."""
    merge_base = "..." in text
    left, _, right = text.partition("..." if merge_base else "..")
    if ".." in right or not (left or right):
        raise UsageError(f"{text!r} is not a range like main..feature or main...feature")
    return left or None, right or "HEAD", merge_base


def compare(before: Snapshot, after: Snapshot, done: str, dropped: str) -> BacklogDiff:
    diff = BacklogDiff(before, after)
    closed = (done, dropped)
    common = [i for i in after.order() if i in before.items]
    # An item whose file is invalid on one side was neither added nor removed: it is named
    # among the invalid files instead.
    invalid_before = {item_id_of(path) for path in before.invalid}
    invalid_after = {item_id_of(path) for path in after.invalid}
    diff.added = [
        after.items[i] for i in after.order() if i not in before.items and i not in invalid_before
    ]
    diff.removed = [
        before.items[i] for i in before.order() if i not in after.items and i not in invalid_after
    ]
    for item_id in common:
        old, new = before.items[item_id], after.items[item_id]
        changes = field_diffs(_fields(old), _fields(new))
        if changes or old.rel != new.rel:
            diff.changed.append(ItemChange(old, new, changes))
    # A move is told in the open backlog, as `storykit list` numbers it: among the items
    # open on both sides (an item closing or reopening is a status change, not a move).
    old_pos, new_pos = before.places(closed), after.places(closed)
    staying = [i for i in common if i in old_pos and i in new_pos]
    rekeyed = {i for i in staying if before.items[i].model.rank != after.items[i].model.rank}
    staying_before = sorted(staying, key=old_pos.__getitem__)
    moved = moved_items(staying_before, staying, rekeyed)
    diff.moved = [Move(after.items[i], old_pos[i], new_pos[i]) for i in staying if i in moved]
    for item_id in after.order():
        item = after.items[item_id]
        was = before.items.get(item_id)
        newly_done = was is None or was.model.status != done
        if item.type == "spike" and item.model.status == done and newly_done:
            diff.closed_spikes.append(item)
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = [
        (None, _fields(i)) for i in diff.added
    ]
    pairs += [(_fields(i), None) for i in diff.removed]
    pairs += [(_fields(c.before), _fields(c.after)) for c in diff.changed]
    diff.scope = sprint_scope(pairs, dropped)
    # A file broken on both sides is named once, as it is now.
    for path, problems in sorted(before.invalid.items()):
        if path not in after.invalid:
            diff.invalid.append(("base", path, problems))
    for path, problems in sorted(after.invalid.items()):
        diff.invalid.append(("head", path, problems))
    return diff


# --- item history ------------------------------------------------------------------------


@dataclass
class LogEntry:
    commit: str
    author: str
    date: str
    subject: str
    created: bool = False
    deleted: bool = False
    renamed: tuple[str, str] | None = None
    changes: list[FieldDiff] = field(default_factory=list)
    rank: tuple[int, int] | None = None
    invalid: list[Diagnostic] = field(default_factory=list)
    code: bool = False  # a commit of code that names the item (`log --code`)


@dataclass
class ItemLog:
    item_id: str
    entries: list[LogEntry]
    current: StoredItem | None = None  # the item as it is now (None: deleted or invalid)
    cut: bool = False  # a shallow clone: older commits are not there to show


def item_log(ws: Workspace, query: str, code: bool = False) -> ItemLog:
    """The item's commits, newest first, each as field-level changes (renames followed);
    with `code`, the commits of code that name it among them, by date."""
    found = _item_log(ws, query)
    if code:
        from storykit.services.tracing import Tracer

        named = Tracer(ws).code(found.item_id).commits
        seen = {entry.commit for entry in found.entries}
        found.entries += [
            LogEntry(c.sha, c.author, c.date, c.subject, code=True)
            for c in named
            if c.sha not in seen
        ]
        found.entries.sort(key=lambda e: dt.datetime.fromisoformat(e.date), reverse=True)
    return found


def _item_log(ws: Workspace, query: str) -> ItemLog:
    item_id = _item_id(ws, query)
    history = History(ws.project.root)
    payloads = BlobPayloads(ws.store, history)
    folder = ws.project.config.backlog_dir
    pathspecs = [f":(glob){folder}/{item_id}-*.yaml", f"{folder}/{item_id}.yaml"]
    commits = history.log(pathspecs)
    if not commits:
        raise UnknownItemError(
            f"no history for {item_id}: it was never committed",
            hint="commit it first, or check the ID with `storykit list --all`",
        )
    pairs = {
        (change.path, sha)
        for commit in commits
        for change in commit.changes
        for sha in (change.old, change.new, *change.others)
        if sha
    }
    parsed = payloads.get_pairs(pairs)
    entries = []
    moves: list[tuple[LogEntry, str, str]] = []  # (entry, before, after) of each rank move
    for commit in commits:
        old = next(((c.path, c.old) for c in commit.changes if c.old), None)
        new = next(((c.path, c.new) for c in commit.changes if c.new), None)
        if old is None and new is None:
            continue
        merge = any(c.others for c in commit.changes)
        if old is None and merge and commit.parent:
            # A merge of a branch that renamed the item: the first parent had it under its
            # old name (git's combined diff lists only the new one). Not created here.
            old = _file_at(history, commit.parent, folder, item_id)
            if old is not None:
                parsed.update(payloads.get_pairs({old}))
        entry = LogEntry(commit.sha, commit.author, commit.date, commit.subject)
        entry.created, entry.deleted = old is None, new is None
        renamed_by_branch = (
            merge
            and new is not None
            and any(c.path == new[0] and any(c.others) for c in commit.changes)
        )
        if old and new and old[0] != new[0] and not renamed_by_branch:
            entry.renamed = (old[0], new[0])
        old_payload = parsed[old] if old else None
        new_payload = parsed[new] if new else None
        if new_payload is not None and "problems" in new_payload:
            entry.invalid = [Diagnostic(**d) for d in new_payload["problems"]]
        old_fields = (old_payload or {}).get("item") or {}
        new_fields = (new_payload or {}).get("item") or {}
        if old_fields and new_fields:
            # A merge: only what it changed unlike every parent (its branches' own
            # commits show the rest, once).
            parents = [old_fields] + [
                (parsed[(c.path, sha)].get("item") or {}) if sha else {}
                for c in commit.changes
                for sha in c.others
            ]
            entry.changes = [
                diff
                for diff in field_diffs(old_fields, new_fields)
                if all(other.get(diff.field) != new_fields.get(diff.field) for other in parents)
            ]
            moved = all(other.get("rank") != new_fields.get("rank") for other in parents)
            if moved and commit.parent:
                moves.append((entry, commit.parent, commit.sha))
            if len(parents) > 1 and not entry.changes and not moved:
                continue
        entries.append(entry)
    _place_moves(ws, payloads, moves, item_id)
    payloads.save()
    git_dir = ws.project.git_dir
    cut = git_dir is not None and is_shallow(git_dir)
    return ItemLog(item_id, entries, _current(ws, item_id), cut)


def _file_at(history: History, commit: str, folder: str, item_id: str) -> tuple[str, str] | None:
    """(path, blob) of the item's file at `commit`, under whatever name it had there."""
    for path, sha in history.tree_files(commit, folder).items():
        if id_from_file_name(path.rpartition("/")[2]) == item_id:
            return path, sha
    return None


def _current(ws: Workspace, item_id: str) -> StoredItem | None:
    if item_id not in ws.store.ids():
        return None
    try:
        return ws.store.read(ws.store.path_of(item_id)).item
    except (InvalidDataError, OSError):
        return None


def _place_moves(
    ws: Workspace, payloads: BlobPayloads, moves: list[tuple[LogEntry, str, str]], item_id: str
) -> None:
    """Each rank move's places in the open backlog before and after it (left None when the
    item was closed on either side: closed items have no place), every revision read at
    once."""
    if not moves:
        return
    closed = ws.project.config.workflow.closed
    revisions = sorted({rev for _, before, after in moves for rev in (before, after)})
    at = places_at_each(ws.store, payloads, revisions, closed)
    for entry, before, after in moves:
        if item_id in at[before] and item_id in at[after]:
            entry.rank = at[before][item_id], at[after][item_id]


def _item_id(ws: Workspace, query: str) -> str:
    try:
        return ws.store.ids_for(query)
    except UnknownItemError:
        if not looks_like_query(query):
            raise
        # A deleted item has no file: accept its full ID.
        return f"{ws.project.config.prefix}-{normalise_query(query, ws.project.config.prefix)}"


def _fields(item: StoredItem) -> dict[str, Any]:
    data = item.to_json()
    data.pop("path", None)
    return data
