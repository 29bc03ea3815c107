"""`storykit resolve`: merge conflicted item files from git's index stages with the merge
driver's rules (docs/architecture.md, "Merging branches"), for conflicts that happened
without the driver: a clone not set up yet, a hosting site's merge button.

Each conflicted item file is merged from its base, ours and theirs, written, and staged
when clean; true conflicts keep markers around their fields only. When both sides retitled
an item (git leaves two files with one ID), it becomes one file again, named from the
merged title. Nothing outside the backlog folder is touched, and nothing is committed.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storykit.atomic import Changeset, read_bytes, write_atomic
from storykit.errors import UsageError
from storykit.locations import SPRINT_FOLDER, is_item_file
from storykit.lock import backlog_lock
from storykit.merging import merge_item_file
from storykit.model.merge import FileMerge, Labels
from storykit.model.naming import id_from_file_name
from storykit.services.clone import driver_missing, set_up_clone
from storykit.services.workspace import Workspace

_MARKER_RE = re.compile(rb"^(<{7}|>{7}) ([^\r\n]*)", re.MULTILINE)


@dataclass(frozen=True)
class Resolution:
    """What `resolve` did to one item: `merged` (staged), `conflict` (the fields marked in
    the file) or `left` (as git left it, and why)."""

    path: str
    result: str
    detail: str = ""
    removed: tuple[str, ...] = ()  # the other names of an item both sides retitled
    kept: str | None = None  # where a copy of the user's edits of the conflicted file is


@dataclass
class ResolveReport:
    files: list[Resolution] = field(default_factory=list)
    go_on: str = "git commit"  # what finishes the operation that stopped
    elsewhere: list[str] = field(default_factory=list)  # conflicted, outside the backlog
    clone_set_up: bool = False  # this clone lacked the merge driver and has it now

    @property
    def resolved(self) -> bool:
        return all(item.result == "merged" for item in self.files)


@dataclass
class _Group:
    """The conflicted paths of one item: `stages` maps each stage to (path, blob)."""

    item_id: str
    paths: list[str] = field(default_factory=list)
    stages: dict[int, tuple[str, str]] = field(default_factory=dict)


def resolve_conflicts(ws: Workspace, queries: Sequence[str] = ()) -> ResolveReport:
    from storykit.repository.conflicts import operation, stage, unmerged

    git = ws.repo
    folder = ws.project.config.backlog_dir
    wanted = _wanted_paths(ws, queries)
    current = operation(git)
    report = ResolveReport(go_on=current.go_on if current else "git commit")
    groups: dict[str, _Group] = {}
    for entry in unmerged(git):
        if not entry.path.startswith(f"{folder}/"):
            report.elsewhere.append(entry.path)
            continue
        if wanted is not None and entry.path not in wanted:
            continue
        inside = entry.path.removeprefix(f"{folder}/")
        item_id = id_from_file_name(inside) if "/" not in inside else None
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
    if wanted is not None and not groups and not report.files:
        raise UsageError(
            "none of those files is a conflicted backlog file", hint="`git status` lists them"
        )
    with backlog_lock(ws.project.state_dir, "resolving conflicts", ws.project.config.lock_wait):
        theirs = current.theirs if current else None
        blobs = git.read_blobs(_names(list(groups.values()), theirs))
        changes = Changeset()
        staged: list[str] = []
        for group in groups.values():
            resolution = _resolve(ws, group, blobs, changes, theirs)
            report.files.append(resolution)
            if resolution.result == "merged":
                staged.append(resolution.path)
            staged += resolution.removed
        changes.apply()
        try:
            stage(git, staged)
        except BaseException:
            changes.rollback()
            raise
        changes.discard_backups()
    report.files.sort(key=lambda item: item.path)
    if driver_missing(ws.project.root, lambda: git):
        report.clone_set_up = set_up_clone(git)  # the next merge needs no `resolve`
    return report


def _wanted_paths(ws: Workspace, queries: Sequence[str]) -> set[str] | None:
    """The repository paths of the files named on the command line (None: all of them);
    a path outside the backlog folder is refused."""
    if not queries:
        return None
    folder = ws.project.backlog_dir
    wanted = set()
    for query in queries:
        path = Path.cwd() / query  # an absolute query stays as it is
        if path.parent.resolve() == (folder / SPRINT_FOLDER).resolve():
            wanted.add(ws.project.rel(folder / SPRINT_FOLDER / path.name))
            continue
        if path.parent.resolve() != folder.resolve():
            raise UsageError(
                f"{query}: not in {ws.project.config.backlog_dir}/; storykit resolve only "
                "touches backlog files",
                hint="resolve other files with git (`git status` lists them)",
            )
        wanted.add(ws.project.rel(folder / path.name))
    return wanted


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


def _resolve(
    ws: Workspace,
    group: _Group,
    blobs: dict[str, bytes],
    changes: Changeset,
    theirs_rev: str | None,
) -> Resolution:
    stages = group.stages
    path = stages[2][0] if 2 in stages else group.paths[0]
    if 2 not in stages or 3 not in stages:
        gone = "ours" if 2 not in stages else "theirs"
        changed = "theirs" if gone == "ours" else "ours"
        return Resolution(
            path,
            "left",
            f"deleted in {gone}, changed in {changed}: keep it (`git add {path}`) or delete it "
            f"(`git rm {path}`)",
        )
    base = blobs.get(stages[1][1], b"") if 1 in stages else b""
    ours, theirs = blobs[stages[2][1]], blobs[stages[3][1]]
    if _retitled_both(group):
        if theirs_rev is None:
            return Resolution(path, "left", "retitled differently on both sides")
        ours = blobs.get(f"HEAD:{stages[2][0]}", ours)
        theirs = blobs.get(f"{theirs_rev}:{stages[3][0]}", theirs)
    current = read_bytes(ws.project.root / path)
    labels = _labels(current)
    merged = merge_item_file(base, ours, theirs, path, ws.project.config, labels)
    if merged.content is None:
        return Resolution(path, "left", f"not merged field by field: {merged.problem}")
    kept = None
    if current is not None and not _as_left(ws, current, merged.content, base, ours, theirs):
        # The user worked on this file since the conflict: their work, never overwritten.
        if not _MARKER_RE.search(current):
            return Resolution(
                path,
                "left",
                f"settled by hand (no conflict markers left): check it, then `git add {path}`",
            )
        kept = _keep_copy(ws, path, current)
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
        return Resolution(target, "conflict", ", ".join(merged.conflicts), removed, kept)
    return Resolution(target, "merged", "", removed, kept)


def _as_left(
    ws: Workspace, current: bytes, ours_merge: bytes, base: bytes, ours: bytes, theirs: bytes
) -> bool:
    """Whether the file is as the conflict left it: the driver's merge (or this command's
    last one), or git's own text merge of the three versions."""
    from storykit.repository.conflicts import as_git_left_it

    if current.replace(b"\r\n", b"\n") == ours_merge.replace(b"\r\n", b"\n"):
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


def _labels(current: bytes | None) -> Labels:
    """The labels git's markers in the file name the two sides by (HEAD and theirs)."""
    found = {marker[:1]: label for marker, label in _MARKER_RE.findall(current or b"")}
    ours = found.get(b"<", b"HEAD").decode("utf-8", "replace")
    theirs = found.get(b">", b"theirs").decode("utf-8", "replace")
    return Labels(ours.split(":")[0] or "HEAD", theirs.split(":")[0] or "theirs")
