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

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storykit.errors import InvalidDataError, UsageError
from storykit.locations import SPRINT_FOLDER, is_item_file
from storykit.merging.files import merge_item_file
from storykit.model.ids import looks_like_query
from storykit.model.merge import (
    FileMerge,
    Labels,
    NotInConflict,
)
from storykit.model.naming import id_from_file_name
from storykit.services.clone import driver_missing, set_up_clone
from storykit.services.driver import settle_command
from storykit.services.settling import Places, Said, SaidStore, lost_in_staged, told_lines
from storykit.services.workspace import Workspace
from storykit.storage.atomic import Changeset, read_bytes, write_atomic
from storykit.storage.lock import backlog_lock

if TYPE_CHECKING:
    from storykit.repository.conflicts import Operation


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
        places = Places(ws, theirs)
        saved = SaidStore(ws, current)
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
    places = Places(ws, current.theirs)
    saved = SaidStore(ws, current)
    told: dict[str, list[tuple[str, str]]] = {}
    for group in groups.values():
        said = saved.files.get(_path_of(group), Said())
        merged, path, labels, _ = _merge_group(ws, group, blobs, current, said)
        if merged is not None and merged.conflicts:
            lines = told_lines(merged, group.item_id, labels, places)
            told[path] = [
                (line, settle_command(group.item_id, (name,)))
                for name, line in zip(merged.conflicts, lines, strict=True)
            ]
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
    places: Places,
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
        from storykit.repository.conflicts import marker_labels

        if not {b"<", b">"} & marker_labels(current_bytes).keys():
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
        told = told_lines(merged, group.item_id, labels, places)
        settle = settle_command(group.item_id, merged.conflicts)
        detail = ", ".join(merged.conflicts)
        return Resolution(target, "conflict", detail, removed, kept, told, settle), said
    return Resolution(target, "merged", "", removed, kept), said


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
    from storykit.repository.conflicts import marker_labels

    found = marker_labels(current or b"")
    ours = _without_path(found.get(b"<", b"").decode("utf-8", "replace"))
    theirs = _without_path(found.get(b">", b"").decode("utf-8", "replace"))
    fallback = operation.theirs_label if operation is not None else "theirs"
    return Labels(ours or "HEAD", fallback if theirs in ("", "theirs") else theirs)


def _without_path(label: str) -> str:
    """A marker's label without the `:path` git adds when the file was renamed."""
    name, colon, path = label.rpartition(":")
    return name if colon and "/" in path and is_item_file(path.rpartition("/")[2]) else label
