"""`storykit resolve`: settle conflicted backlog files during a merge, rebase, cherry-pick
or revert (docs/architecture.md, "Merging branches").

Each conflicted item file is merged from git's index stages (base, ours, theirs) with the
merge driver's rules, for conflicts git made without the driver (a clone not set up yet, a
hosting site's merge button); true conflicts keep markers around their fields only, told
in words (`owner: eli on HEAD, dana on feature`; a rank as places in the open list). A
person settles them: `resolve ID FIELD=VALUE…`, `--ours FIELD…`, `--theirs FIELD…`; the
result is validated like any write and staged once no conflict is left. When both sides
retitled an item (git leaves two files with one ID), it becomes one file again, named from
the merged title. A file the user changed since the conflict is never overwritten. Nothing
outside the backlog folder is touched, and nothing is committed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storykit.atomic import Changeset, read_bytes, save_json, write_atomic
from storykit.errors import InvalidDataError, UsageError
from storykit.locations import SPRINT_FOLDER, is_item_file
from storykit.lock import backlog_lock
from storykit.merging import merge_item_file
from storykit.model.ids import looks_like_query
from storykit.model.merge import (
    ABSENT,
    FileMerge,
    Labels,
    NotInConflict,
    Settlement,
    merge_fields,
    same,
    shown,
)
from storykit.model.naming import id_from_file_name
from storykit.model.values import ValueProblem, parse_value
from storykit.services.clone import driver_missing, set_up_clone
from storykit.services.driver import settle_command
from storykit.services.workspace import Workspace
from storykit.store import StoredItem

if TYPE_CHECKING:
    from storykit.repository.conflicts import Operation
    from storykit.snapshot import BlobPayloads

_MARKER_RE = re.compile(rb"^(<{7}|>{7}) ([^\r\n]*)", re.MULTILINE)
_ASSIGNMENT_RE = re.compile(r"^([A-Za-z_][\w-]*)=(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Resolution:
    """What `resolve` did to one item: `merged` (staged), `conflict` (the fields marked in
    the file, `told` in words, `settle` the commands) or `left` (as git left it, and why)."""

    path: str
    result: str
    detail: str = ""
    removed: tuple[str, ...] = ()  # the other names of an item both sides retitled
    kept: str | None = None  # where a copy of the user's edits of the conflicted file is
    told: tuple[str, ...] = ()
    settle: str = ""


@dataclass
class ResolveReport:
    files: list[Resolution] = field(default_factory=list)
    go_on: str = "git commit"  # what finishes the operation that stopped
    elsewhere: list[str] = field(default_factory=list)  # conflicted, outside the backlog
    clone_set_up: bool = False  # this clone lacked the merge driver and has it now
    lost: list[str] = field(default_factory=list)  # staged resolutions that lost a field

    @property
    def resolved(self) -> bool:
        return all(item.result == "merged" for item in self.files)


@dataclass
class _Group:
    """The conflicted paths of one item: `stages` maps each stage to (path, blob)."""

    item_id: str
    paths: list[str] = field(default_factory=list)
    stages: dict[int, tuple[str, str]] = field(default_factory=dict)


def settlement_of(
    assignments: Sequence[str], ours: Sequence[str], theirs: Sequence[str]
) -> Settlement | None:
    """`FIELD=VALUE` (an empty value clears the field) and the fields to take from one
    side, as a Settlement (None when nothing was said)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for text in assignments:
        match = _ASSIGNMENT_RE.match(text)
        if match is None:
            raise UsageError(f"{text!r} is not FIELD=VALUE", hint="e.g. `points=5`, `owner=`")
        name, raw = match.group(1), match.group(2)
        try:
            values[name] = parse_value(name, raw) if raw != "" else ABSENT
        except ValueProblem as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidDataError("invalid values:\n  " + "\n  ".join(problems))
    sides: dict[str, Any] = {name: "ours" for name in ours}
    for name in theirs:
        if name in sides:
            raise UsageError(f"{name}: given with both --ours and --theirs")
        sides[name] = "theirs"
    twice = sorted(set(values) & set(sides))
    if twice:
        raise UsageError(f"{', '.join(twice)}: given a value and a side; give one")
    if not values and not sides:
        return None
    return Settlement(values, sides)


@dataclass
class Said:
    """What a person said to settle an item's conflicts, as typed: kept (in
    `.git/storykit/settled.json`, for this HEAD and incoming commit) until the file is
    staged, so that settling one field after another never undoes the last one."""

    values: dict[str, str] = field(default_factory=dict)  # FIELD: VALUE as typed
    sides: dict[str, str] = field(default_factory=dict)  # FIELD: ours | theirs

    def joined(self, later: Said) -> Said:
        names = set(later.values) | set(later.sides)
        values = {k: v for k, v in self.values.items() if k not in names} | later.values
        sides = {k: v for k, v in self.sides.items() if k not in names} | later.sides
        return Said(values, sides)

    def without(self, names: Sequence[str]) -> Said:
        return Said(
            {k: v for k, v in self.values.items() if k not in names},
            {k: v for k, v in self.sides.items() if k not in names},
        )

    def settlement(self) -> Settlement | None:
        ours = [k for k, v in self.sides.items() if v == "ours"]
        theirs = [k for k, v in self.sides.items() if v == "theirs"]
        return settlement_of([f"{k}={v}" for k, v in self.values.items()], ours, theirs)


def said_of(assignments: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> Said:
    """What was typed, checked (a value that cannot be read is refused now)."""
    settlement_of(assignments, ours, theirs)
    values = {}
    for text in assignments:
        name, _, raw = text.partition("=")
        values[name] = raw
    return Said(values, {**{n: "ours" for n in ours}, **{n: "theirs" for n in theirs}})


class _SaidStore:
    """Settlements said so far in the operation that stopped, by path."""

    def __init__(self, ws: Workspace, current: Operation | None) -> None:
        self.path = ws.project.state_dir / "settled.json"
        self.key = ""
        self.files: dict[str, Said] = {}
        if current is None:
            return
        try:
            head = ws.repo.run("rev-parse", "-q", "--verify", "HEAD", check=False)[1].strip()
            theirs = ws.repo.run("rev-parse", "-q", "--verify", current.theirs, check=False)[
                1
            ].strip()
            self.key = f"{head}:{theirs}"
            data = json.loads(self.path.read_bytes())
            if data.get("key") == self.key:
                for rel, entry in dict(data["files"]).items():
                    self.files[str(rel)] = Said(dict(entry["values"]), dict(entry["sides"]))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass

    def save(self) -> None:
        if not self.key:
            return
        files = {rel: {"values": s.values, "sides": s.sides} for rel, s in self.files.items()}
        save_json(self.path, {"key": self.key, "files": files})


def resolve_conflicts(
    ws: Workspace, queries: Sequence[str] = (), said: Said | None = None
) -> ResolveReport:
    from storykit.repository.conflicts import operation, stage

    git = ws.repo
    current = operation(git)
    report = ResolveReport(go_on=current.go_on if current else "git commit")
    groups = _groups(ws, queries, report)
    if said is not None and (not queries or len(groups) != 1):
        raise UsageError(
            "name the one conflicted item to settle, e.g. `storykit resolve SK-7K2M points=5`",
            hint="`storykit resolve` lists the conflicts",
        )
    with backlog_lock(ws.project.state_dir, "resolving conflicts", ws.project.config.lock_wait):
        theirs = current.theirs if current else None
        blobs = git.read_blobs(_names(list(groups.values()), theirs))
        changes = Changeset()
        staged: list[str] = []
        places = _Places(ws, theirs)
        saved = _SaidStore(ws, current)
        for group in groups.values():
            path = _path_of(group)
            before = saved.files.get(path, Said())
            now = before.joined(said) if said is not None else before
            fresh = [*said.values, *said.sides] if said is not None else []
            resolution, kept_said = _resolve(
                ws, group, blobs, changes, current, now, places, fresh, before
            )
            report.files.append(resolution)
            if resolution.result == "merged":
                staged.append(resolution.path)
                saved.files.pop(path, None)
            elif kept_said.values or kept_said.sides:
                saved.files[path] = kept_said
            staged += resolution.removed
        changes.apply()
        try:
            stage(git, staged)
        except BaseException:
            changes.rollback()
            raise
        changes.discard_backups()
        places.save()
        saved.save()
    report.files.sort(key=lambda item: item.path)
    if current is not None and not queries:
        report.lost = lost_in_staged(ws, current)
    if driver_missing(ws.project.root, lambda: git):
        report.clone_set_up = set_up_clone(git)  # the next merge needs no `resolve`
    return report


def conflicts_told(ws: Workspace) -> dict[str, list[tuple[str, str]]]:
    """{path: [(each conflict in words, the command that settles it)]} of the conflicted
    backlog files, as `resolve` would leave them (nothing is written): what `check` says
    of a file with conflict markers."""
    from storykit.repository.conflicts import operation

    current = operation(ws.repo)
    if current is None:
        return {}
    report = ResolveReport()
    groups = _groups(ws, (), report)
    blobs = ws.repo.read_blobs(_names(list(groups.values()), current.theirs))
    places = _Places(ws, current.theirs)
    saved = _SaidStore(ws, current)
    told: dict[str, list[tuple[str, str]]] = {}
    for group in groups.values():
        said = saved.files.get(_path_of(group), Said())
        merged, path, labels, _ = _merge_group(ws, group, blobs, current, said)
        if merged is not None and merged.conflicts:
            lines = _told(merged, group.item_id, labels, places)
            told[path] = [
                (line, settle_command(group.item_id, (name,)))
                for name, line in zip(merged.conflicts, lines, strict=True)
            ]
    places.save()
    return told


def _groups(ws: Workspace, queries: Sequence[str], report: ResolveReport) -> dict[str, _Group]:
    """The conflicted backlog files by item (a sprint file on its own), those named only."""
    from storykit.repository.conflicts import unmerged

    folder = ws.project.config.backlog_dir
    wanted, wanted_ids = _wanted(ws, queries)
    groups: dict[str, _Group] = {}
    for entry in unmerged(ws.repo):
        if not entry.path.startswith(f"{folder}/"):
            report.elsewhere.append(entry.path)
            continue
        inside = entry.path.removeprefix(f"{folder}/")
        item_id = id_from_file_name(inside) if "/" not in inside else None
        if queries and entry.path not in wanted and (item_id or "") not in wanted_ids:
            continue
        name = inside.removeprefix(f"{SPRINT_FOLDER}/")
        sprint = name != inside and "/" not in name and is_item_file(name)
        if item_id is None and not sprint:
            report.files.append(Resolution(entry.path, "left", "not an item or sprint file"))
            continue
        key = item_id or entry.path  # a sprint file is merged on its own
        group = groups.setdefault(key, _Group(key))
        group.paths.append(entry.path)
        for number, sha in entry.stages.items():
            group.stages[number] = (entry.path, sha)
    if queries and not groups and not report.files:
        raise UsageError(
            f"{', '.join(queries)}: not a conflicted backlog file",
            hint="`git status` lists the conflicted files; `storykit resolve` settles them all",
        )
    return groups


def _wanted(ws: Workspace, queries: Sequence[str]) -> tuple[set[str], set[str]]:
    """The repository paths and the item IDs named on the command line; a path outside
    the backlog folder is refused."""
    folder = ws.project.backlog_dir
    paths: set[str] = set()
    ids: set[str] = set()
    for query in queries:
        path = Path.cwd() / query  # an absolute query stays as it is
        if "/" not in query and not is_item_file(query) and looks_like_query(query):
            ids.add(query.strip().upper())
            continue
        if path.parent.resolve() == (folder / SPRINT_FOLDER).resolve():
            paths.add(ws.project.rel(folder / SPRINT_FOLDER / path.name))
            continue
        if path.parent.resolve() != folder.resolve():
            raise UsageError(
                f"{query}: not in {ws.project.config.backlog_dir}/; storykit resolve only "
                "touches backlog files",
                hint="resolve other files with git (`git status` lists them)",
            )
        paths.add(ws.project.rel(folder / path.name))
    return paths, ids


def _names(groups: list[_Group], theirs: str | None) -> list[str]:
    """The blobs to read: every stage, and for an item both sides retitled (each side's
    stage then holds git's own merge of the two) the sides' own versions."""
    names = [sha for group in groups for _, sha in group.stages.values()]
    for group in groups:
        if _retitled_both(group) and theirs is not None:
            names += [f"HEAD:{group.stages[2][0]}", f"{theirs}:{group.stages[3][0]}"]
    return names


def _retitled_both(group: _Group) -> bool:
    return 2 in group.stages and 3 in group.stages and group.stages[2][0] != group.stages[3][0]


def _path_of(group: _Group) -> str:
    return group.stages[2][0] if 2 in group.stages else group.paths[0]


def _merge_group(
    ws: Workspace,
    group: _Group,
    blobs: dict[str, bytes],
    current: Operation | None,
    said: Said,
    fresh: Sequence[str] = (),
) -> tuple[FileMerge | None, str, Labels, Said]:
    """One item's merge from its stages (None: a side deleted it, or both retitled it
    outside an operation storykit knows), its path, the sides' labels, and what was said
    that still applies (a field said before that no longer conflicts is dropped; one said
    now, `fresh`, is refused)."""
    stages = group.stages
    path = _path_of(group)
    labels = _labels(read_bytes(ws.project.root / path), current)
    if 2 not in stages or 3 not in stages:
        return None, path, labels, said
    base = blobs.get(stages[1][1], b"") if 1 in stages else b""
    ours, theirs = blobs[stages[2][1]], blobs[stages[3][1]]
    if _retitled_both(group):
        if current is None:
            return None, path, labels, said
        ours = blobs.get(f"HEAD:{stages[2][0]}", ours)
        theirs = blobs.get(f"{current.theirs}:{stages[3][0]}", theirs)
    config = ws.project.config
    while True:
        try:
            merged = merge_item_file(base, ours, theirs, path, config, labels, said.settlement())
        except NotInConflict as exc:
            stale = [name for name in exc.names if name not in fresh]
            if stale:  # said before, and settled since some other way
                said = said.without(stale)
                continue
            raise UsageError(
                f"{', '.join(exc.names)}: not in conflict in {group.item_id} (it merged on "
                "its own; change it with `storykit set` once the merge is committed)",
                hint=f"in conflict: {', '.join(exc.conflicted) or 'nothing'}",
            ) from None
        return merged, path, labels, said


def _resolve(
    ws: Workspace,
    group: _Group,
    blobs: dict[str, bytes],
    changes: Changeset,
    current: Operation | None,
    said: Said,
    places: _Places,
    fresh: Sequence[str] = (),
    before: Said | None = None,
) -> tuple[Resolution, Said]:
    """Merge one item's conflict as `said`; `before`: what had been said when this
    command last wrote the file (its own output is not the user's work)."""
    stages = group.stages
    merged, path, labels, said = _merge_group(ws, group, blobs, current, said, fresh)
    if 2 not in stages or 3 not in stages:
        gone = "ours" if 2 not in stages else "theirs"
        changed = "theirs" if gone == "ours" else "ours"
        left = (
            f"deleted in {gone}, changed in {changed}: keep it (`git add {path}`) or delete it "
            f"(`git rm {path}`)"
        )
        return Resolution(path, "left", left), said
    if merged is None:
        return Resolution(path, "left", "retitled differently on both sides"), said
    if merged.content is None:
        if said.values or said.sides:
            raise InvalidDataError(f"{group.item_id} was not settled: {merged.problem}")
        return Resolution(path, "left", f"not merged field by field: {merged.problem}"), said
    base = blobs.get(stages[1][1], b"") if 1 in stages else b""
    ours, theirs = blobs[stages[2][1]], blobs[stages[3][1]]
    current_bytes = read_bytes(ws.project.root / path)
    kept = None
    written = [merged.content]
    if before is not None and before != said:
        earlier = _merge_group(ws, group, blobs, current, before)[0]
        written += [earlier.content] if earlier is not None and earlier.content else []
    if current_bytes is not None and not _as_left(ws, current_bytes, written, base, ours, theirs):
        # The user worked on this file since the conflict: their work, never overwritten.
        if not _MARKER_RE.search(current_bytes):
            by_hand = f"settled by hand (no conflict markers left): check it, then `git add {path}`"
            return Resolution(path, "left", by_hand), said
        kept = _keep_copy(ws, path, current_bytes)
    target = _target(ws, group, path, merged)
    newline = ws.repo.checkout_newline(target)
    content = merged.content
    if newline == "\r\n":
        content = content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    changes.write(ws.project.root / target, content, expected=read_bytes(ws.project.root / target))
    removed = tuple(p for p in sorted(set(group.paths)) if p != target)
    for other in removed:
        where = ws.project.root / other
        found = read_bytes(where)
        if found is not None:
            changes.delete(where, expected=found)
    if merged.conflicts:
        told = _told(merged, group.item_id, labels, places)
        settle = settle_command(group.item_id, merged.conflicts)
        detail = ", ".join(merged.conflicts)
        return Resolution(target, "conflict", detail, removed, kept, told, settle), said
    return Resolution(target, "merged", "", removed, kept), said


def _told(merged: FileMerge, item_id: str, labels: Labels, places: _Places) -> tuple[str, ...]:
    """Each conflict in words; a rank as the item's places in the open list."""
    lines = []
    for name, line in zip(merged.conflicts, merged.told, strict=False):
        if name == "rank":
            line = places.told(item_id, labels)
        lines.append(line)
    return tuple(lines)


class _Places:
    """The item's place in the open list on each side: what a rank key means."""

    def __init__(self, ws: Workspace, theirs: str | None) -> None:
        self.ws = ws
        self.theirs = theirs
        self._payloads: BlobPayloads | None = None

    @functools.cached_property
    def payloads(self) -> BlobPayloads:
        from storykit.repository.history import History
        from storykit.snapshot import BlobPayloads

        self._payloads = BlobPayloads(self.ws.store, History(self.ws.project.root))
        return self._payloads

    def told(self, item_id: str, labels: Labels) -> str:
        ours = self._place("HEAD", item_id)
        theirs = self._place(self.theirs, item_id) if self.theirs else None
        shown_ours = f"#{ours}" if ours else "not open"
        shown_theirs = f"#{theirs}" if theirs else "not open"
        return f"rank: {shown_ours} on {labels.ours}, {shown_theirs} on {labels.theirs}"

    def _place(self, rev: str, item_id: str) -> int | None:
        from storykit.snapshot import snapshot_at

        try:
            commit = self.ws.repo.run("rev-parse", "--verify", "-q", f"{rev}^{{commit}}")[1]
            snapshot = snapshot_at(self.ws.store, self.payloads, commit.strip(), rev)
        except Exception:  # a place is a courtesy: never worth failing the command
            return None
        workflow = self.ws.project.config.workflow
        open_items = [
            item
            for item in snapshot.items.values()
            if item.model.status not in (workflow.done, workflow.dropped)
        ]
        order = [item.id for item in sorted(open_items, key=StoredItem.sort_key)]
        return order.index(item_id) + 1 if item_id in order else None

    def save(self) -> None:
        if self._payloads is not None:
            self._payloads.save()


def lost_in_staged(ws: Workspace, current: Operation) -> list[str]:
    """Staged resolutions of items that lost what merged cleanly: a field one side changed
    and the other kept, or both changed alike, that the staged file does not hold — as
    `git checkout --theirs FILE` (a whole side) does. Each as a line with the fix."""
    from storykit.repository.conflicts import both_changed, staged_blobs

    try:
        files = both_changed(ws.repo, current, ws.project.config.backlog_dir)
    except Exception:  # a warning is a courtesy: never worth failing the command
        return []
    if not files:
        return []
    staged = staged_blobs(ws.repo, [path for path, _ in files])
    names = [sha for _, shas in files for sha in shas if sha] + list(staged.values())
    blobs = ws.repo.read_blobs(names)
    found = []
    for path, (base_sha, ours_sha, theirs_sha) in files:
        if path not in staged or not is_item_file(path.rpartition("/")[2]):
            continue
        sides = [blobs.get(sha, b"") if sha else b"" for sha in (base_sha, ours_sha, theirs_sha)]
        lost = _lost_fields(sides, blobs.get(staged[path], b""))
        if lost:
            found.append(
                f"{path}: the staged file lost what merged cleanly ({', '.join(lost)}); "
                f"`git checkout -m {path}` brings the conflict back, then settle it with "
                "`storykit resolve`"
            )
    return found


def _lost_fields(sides: list[bytes], staged: bytes) -> list[str]:
    from storykit.yamlio import fast_load

    fields = [fast_load(side) if side else {} for side in sides]
    now = fast_load(staged)
    if now is None or any(f is None for f in fields):
        return []
    base, ours, theirs = (f or {} for f in fields)
    merged = merge_fields(base, ours, theirs)
    conflicted = {conflict.field for conflict in merged.conflicts}
    lost = []
    for name in sorted(set(merged.fields) | set(now)):
        if name in conflicted:
            continue
        want, have = merged.fields.get(name, ABSENT), now.get(name, ABSENT)
        if not same(want, have):
            lost.append(f"{name}: {shown(want)}")
    return lost


def _as_left(
    ws: Workspace, current: bytes, merges: list[bytes], base: bytes, ours: bytes, theirs: bytes
) -> bool:
    """Whether the file is as the conflict left it: the driver's merge (or this command's
    last one, `merges`), or git's own text merge of the three versions."""
    from storykit.repository.conflicts import as_git_left_it

    if any(current.replace(b"\r\n", b"\n") == m.replace(b"\r\n", b"\n") for m in merges):
        return True
    return as_git_left_it(ws.repo, base, ours, theirs, current)


def _keep_copy(ws: Workspace, path: str, current: bytes) -> str:
    """A copy of a file the user edited while it was in conflict, before it is merged
    again: `.git/storykit/kept/<time>-<name>`; its path as the user can open it."""
    folder = ws.project.state_dir / "kept"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = folder / f"{stamp}-{path.rpartition('/')[2]}"
    number = 1
    while copy.exists():
        number += 1
        copy = folder / f"{stamp}-{number}-{path.rpartition('/')[2]}"
    write_atomic(copy, current)
    return os.path.relpath(copy, Path.cwd())


def _target(ws: Workspace, group: _Group, path: str, merged: FileMerge) -> str:
    """Where the item goes: for an item both sides retitled, the name its merged title
    gives (ours' name while the title is in conflict); else where git left it."""
    if not _retitled_both(group) or "title" in merged.conflicts:
        return path
    title = merged.fields.get("title")
    if not isinstance(title, str):
        return path
    return ws.project.rel(ws.store.path_for(group.item_id, title))


def _labels(current: bytes | None, operation: Operation | None) -> Labels:
    """The labels of the two sides: those git's markers in the file use, else those git
    gives them in the operation that stopped (HEAD, and the branch being merged or the
    commit being replayed). A driver on git before 2.44 outside a merge has no name for
    their side and writes `theirs`: the operation's name is better."""
    found = {marker[:1]: label for marker, label in _MARKER_RE.findall(current or b"")}
    ours = _without_path(found.get(b"<", b"").decode("utf-8", "replace"))
    theirs = _without_path(found.get(b">", b"").decode("utf-8", "replace"))
    fallback = operation.theirs_label if operation is not None else "theirs"
    return Labels(ours or "HEAD", fallback if theirs in ("", "theirs") else theirs)


def _without_path(label: str) -> str:
    """A marker's label without the `:path` git adds when the file was renamed."""
    name, colon, path = label.rpartition(":")
    return name if colon and "/" in path and is_item_file(path.rpartition("/")[2]) else label
