"""What a person says to settle backlog conflicts, and what storykit tells them
(docs/architecture.md, "Merging branches"): `FIELD=VALUE`, `--ours FIELD`, `--theirs FIELD`
as typed, kept until the file is staged; an item's place in the open list on each side
(what a rank key means); and what a staged whole side (`git checkout --theirs FILE`) lost
of the fields that merged cleanly. Used by `services/resolve.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storykit.errors import InvalidDataError, UsageError
from storykit.locations import is_item_file
from storykit.model.merge import (
    ABSENT,
    FileMerge,
    Labels,
    Settlement,
    merge_fields,
    same,
    shown,
    tell_places,
)
from storykit.model.values import ValueProblem, parse_value
from storykit.services.workspace import Workspace
from storykit.storage.atomic import save_json

if TYPE_CHECKING:
    from storykit.repository.conflicts import Operation

_ASSIGNMENT_RE = re.compile(r"^([A-Za-z_][\w-]*)=(.*)$", re.DOTALL)


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


class SaidStore:
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


class Places:
    """The item's place in the open list on each side: what a rank key means. Each side's
    places are read once per command."""

    def __init__(self, ws: Workspace, theirs: str | None) -> None:
        self.ws = ws
        self.theirs = theirs
        self._read: dict[str, dict[str, int]] = {}

    def told(self, item_id: str, labels: Labels) -> str:
        ours = self._place("HEAD", item_id)
        theirs = self._place(self.theirs, item_id) if self.theirs else None
        return tell_places(ours, theirs, labels)

    def _place(self, rev: str, item_id: str) -> int | None:
        from storykit.history.places import open_places
        from storykit.repository.history import History

        if rev not in self._read:
            try:
                history = History(self.ws.project.root)
                workflow = self.ws.project.config.workflow
                closed = (workflow.done, workflow.dropped)
                folder = self.ws.project.config.backlog_dir
                self._read[rev] = open_places(history, folder, history.commit_of(rev), closed)
            except Exception:  # a place is a courtesy: never worth failing the command
                self._read[rev] = {}
        return self._read[rev].get(item_id)


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


def told_lines(merged: FileMerge, item_id: str, labels: Labels, places: Places) -> tuple[str, ...]:
    """Each conflict in words; a rank as the item's places in the open list."""
    lines = []
    for name, line in zip(merged.conflicts, merged.told, strict=False):
        if name == "rank":
            line = places.told(item_id, labels)
        lines.append(line)
    return tuple(lines)
