"""Three-way merge of an item's fields, each by its catalogue merge rule: what the merge
driver of branches (docs/architecture.md) decides before it writes a file.

- scalar: taken from the side that changed it; both changed it alike → that value; both
  changed it differently → a conflict on that field only.
- set: additions of both sides kept, removals of either side applied, order stable.
- sequence (acceptance criteria): a 3-way merge of the list; items both sides added at one
  place are all kept.
- text: a line-level 3-way merge, as `git merge-file` merges.

Keys outside the catalogue (`x-` keys, custom fields) are scalars. Pure functions over
plain values: no files, no YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from storykit.model.catalogue import FIELDS, Merge

Side = Literal["ours", "theirs"]

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # a field not set


@dataclass(frozen=True)
class Conflict:
    """One field both sides changed in ways that do not combine. `mine` and `yours` are the
    merge with each side's version of the parts that conflict (for a scalar, ours and
    theirs; for a text, the merged text with the clashing lines of one side)."""

    field: str
    base: Any
    ours: Any
    theirs: Any
    mine: Any
    yours: Any


@dataclass
class Merged:
    fields: dict[str, Any]  # ours' key order, then keys only theirs added
    conflicts: list[Conflict] = field(default_factory=list)

    def resolved(self, side: Side) -> dict[str, Any]:
        """The fields, every conflict settled by one side's version."""
        fields = dict(self.fields)
        for conflict in self.conflicts:
            value = conflict.mine if side == "ours" else conflict.yours
            fields.pop(conflict.field, None)
            if value is not ABSENT:
                fields[conflict.field] = value
        return {name: fields[name] for name in self._names(fields)}

    def _names(self, fields: dict[str, Any]) -> list[str]:
        known = [name for name in self.fields if name in fields]
        return known + [name for name in fields if name not in self.fields]


def same(one: Any, other: Any) -> bool:
    """Whether two YAML values are the same by type and value: `1`, `1.0` and `true` are
    three values (Python's `==` holds them equal), as are `0`, `0.0` and `false`."""
    return bool(value_key(one) == value_key(other))


def value_key(value: Any) -> Any:
    """A hashable key that two values share only when they are the same YAML value."""
    if isinstance(value, list):
        return ("list", tuple(value_key(entry) for entry in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), value_key(v)) for k, v in value.items())))
    if isinstance(value, float):
        return ("float", repr(value))  # nan is the same as nan, 0.0 is not -0.0
    if value is ABSENT:
        return ("absent",)
    return (type(value).__name__, value)


def holds(values: Sequence[Any], value: Any) -> bool:
    """Whether `values` holds `value`, by type and value (`same`)."""
    key = value_key(value)
    return any(value_key(entry) == key for entry in values)


def merge_rule(name: str) -> Merge:
    spec = FIELDS.get(name)
    return spec.merge if spec is not None else "scalar"


def merge_fields(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> Merged:
    """Merge two edits of one item's fields (a conflicting field keeps ours' value)."""
    names = list(ours) + [name for name in theirs if name not in ours]
    names += [name for name in base if name not in names]  # deleted on both sides
    merged = Merged({})
    for name in names:
        b, o, t = base.get(name, ABSENT), ours.get(name, ABSENT), theirs.get(name, ABSENT)
        rule = merge_rule(name)
        value, clean = merge_value(rule, b, o, t)
        if not clean:
            yours, _ = merge_value(rule, b, o, t, prefer="theirs")
            merged.conflicts.append(Conflict(name, b, o, t, value, yours))
        if value is not ABSENT:
            merged.fields[name] = value
    return merged


def merge_value(
    rule: Merge, base: Any, ours: Any, theirs: Any, prefer: Side = "ours"
) -> tuple[Any, bool]:
    """(merged value, whether it merged cleanly) of one field; where it does not, the
    parts that clash are taken from the `prefer`red side."""
    if same(ours, theirs):
        return ours, True
    if same(ours, base):
        return theirs, True
    if same(theirs, base):
        return ours, True
    kinds = {type(v) for v in (base, ours, theirs) if v is not ABSENT}
    if rule == "set" and kinds <= {list}:
        return _merge_set(_list(base), _list(ours), _list(theirs)), True
    if rule == "sequence" and kinds <= {list}:
        return _merge_sequence(_list(base), _list(ours), _list(theirs), prefer)
    if rule == "text" and kinds <= {str} and ABSENT not in (ours, theirs):
        return merge_text(base if isinstance(base, str) else "", ours, theirs, prefer)
    return (ours if prefer == "ours" else theirs), False


def _list(value: Any) -> list[Any]:
    return [] if value is ABSENT or value is None else list(value)


def _merge_set(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    removed = [v for v in base if not holds(ours, v) or not holds(theirs, v)]
    kept = [v for v in ours if not holds(removed, v)]
    return kept + [v for v in theirs if not holds(kept, v) and not holds(removed, v)]


def _merge_sequence(
    base: list[Any], ours: list[Any], theirs: list[Any], prefer: Side
) -> tuple[list[Any], bool]:
    merged: list[Any] = []
    clean = True
    for chunk in diff3(base, ours, theirs):
        if chunk.clean:
            merged += chunk.ours
        elif not chunk.base:  # both inserted at one place: keep all, ours first
            merged += chunk.ours + [v for v in chunk.theirs if not holds(chunk.ours, v)]
        else:
            merged += chunk.ours if prefer == "ours" else chunk.theirs
            clean = False
    return merged, clean


def merge_text(base: str, ours: str, theirs: str, prefer: Side = "ours") -> tuple[str, bool]:
    """A line-level 3-way merge; clashing lines are taken from the `prefer`red side (the
    caller marks them)."""
    parts: list[str] = []
    clean = True
    for chunk in diff3(base.splitlines(True), ours.splitlines(True), theirs.splitlines(True)):
        parts += chunk.ours if chunk.clean or prefer == "ours" else chunk.theirs
        clean = clean and chunk.clean
    return "".join(parts), clean


@dataclass(frozen=True)
class Chunk:
    """A stretch of a 3-way merge: clean (`ours` holds the result) or a conflict."""

    clean: bool
    base: list[Any]
    ours: list[Any]
    theirs: list[Any]


def diff3(base: Sequence[Any], ours: Sequence[Any], theirs: Sequence[Any]) -> list[Chunk]:
    """The classic 3-way merge of sequences: between the stretches all three share, take
    the side that changed; both changed alike → once; differently → a conflict."""
    chunks: list[Chunk] = []
    at_base = at_ours = at_theirs = 0
    for base_start, base_end, ours_start, ours_end, theirs_start, theirs_end in _sync_regions(
        base, ours, theirs
    ):
        b = list(base[at_base:base_start])
        o = list(ours[at_ours:ours_start])
        t = list(theirs[at_theirs:theirs_start])
        if o or t or b:
            if same(o, t):
                chunks.append(Chunk(True, b, o, t))
            elif same(o, b):
                chunks.append(Chunk(True, b, t, t))
            elif same(t, b):
                chunks.append(Chunk(True, b, o, o))
            else:
                chunks.append(Chunk(False, b, o, t))
        shared = list(base[base_start:base_end])
        if shared:
            chunks.append(Chunk(True, shared, shared, shared))
        at_base, at_ours, at_theirs = base_end, ours_end, theirs_end
    return chunks


def _sync_regions(
    base: Sequence[Any], ours: Sequence[Any], theirs: Sequence[Any]
) -> list[tuple[int, int, int, int, int, int]]:
    """Stretches of `base` that both sides kept unchanged, with where they are on each side
    (the last one empty, at the ends)."""
    keys = [value_key(v) for v in base]
    with_ours = SequenceMatcher(
        None, keys, [value_key(v) for v in ours], autojunk=False
    ).get_matching_blocks()
    with_theirs = SequenceMatcher(
        None, keys, [value_key(v) for v in theirs], autojunk=False
    ).get_matching_blocks()
    regions = []
    i = j = 0
    while i < len(with_ours) and j < len(with_theirs):
        o_base, o_at, o_len = with_ours[i]
        t_base, t_at, t_len = with_theirs[j]
        start, end = max(o_base, t_base), min(o_base + o_len, t_base + t_len)
        if start < end:
            o_start, t_start = o_at + start - o_base, t_at + start - t_base
            regions.append(
                (start, end, o_start, o_start + end - start, t_start, t_start + end - start)
            )
        if o_base + o_len < t_base + t_len:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(ours), len(ours), len(theirs), len(theirs)))
    return regions


@dataclass(frozen=True)
class Settlement:
    """How a person settles conflicted fields (`storykit resolve ID FIELD=VALUE`, `--ours
    FIELD`, `--theirs FIELD`): a value each (ABSENT clears the field), or one side's."""

    values: dict[str, Any] = field(default_factory=dict)
    sides: dict[str, Side] = field(default_factory=dict)

    def names(self) -> list[str]:
        return [*self.values, *self.sides]


class NotInConflict(ValueError):
    """Fields given to settle that are not in conflict."""

    def __init__(self, names: list[str], conflicted: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names
        self.conflicted = conflicted


def settle(
    merged: Merged, settlement: Settlement, ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    """Settle conflicts of `merged` as a person said; a field not in conflict is refused
    (NotInConflict: it merged on its own)."""
    conflicted = [conflict.field for conflict in merged.conflicts]
    stray = [name for name in settlement.names() if name not in conflicted]
    if stray:
        raise NotInConflict(stray, conflicted)
    for name in settlement.names():
        if name in settlement.values:
            value = settlement.values[name]
        else:
            value = (ours if settlement.sides[name] == "ours" else theirs).get(name, ABSENT)
        merged.conflicts = [conflict for conflict in merged.conflicts if conflict.field != name]
        if value is ABSENT:
            merged.fields.pop(name, None)
        else:
            merged.fields[name] = value


def tell(conflict: Conflict, labels: Labels) -> str:
    """A conflict in words a person can decide on: `owner: eli on HEAD, dana on feature`.
    A text or a list conflicts in places (between the markers); a rank is a key, shown by
    those who know the backlog as positions."""
    name = conflict.field
    if name == "rank":
        return "rank: moved on both sides (`storykit resolve` says to which places)"
    values = (conflict.ours, conflict.theirs)
    if any(isinstance(v, (list, dict)) or (isinstance(v, str) and "\n" in v) for v in values):
        return f"{name}: changed on both sides (the lines between the markers)"
    mine, yours = shown(conflict.ours), shown(conflict.theirs)
    return f"{name}: {mine} on {labels.ours}, {yours} on {labels.theirs}"


def tell_places(ours: int | None, theirs: int | None, labels: Labels) -> str:
    """A rank conflict told as the item's places in the open list on each side."""
    mine = f"#{ours}" if ours else "not open"
    yours = f"#{theirs}" if theirs else "not open"
    return f"rank: {mine} on {labels.ours}, {yours} on {labels.theirs}"


def shown(value: Any) -> str:
    """A field's value as a person reads it in a sentence."""
    if value is ABSENT or value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Labels:
    """What the conflict markers name: our side and theirs, as git labels them."""

    ours: str = "HEAD"
    theirs: str = "theirs"
    marker_size: int = 7


@dataclass(frozen=True)
class FileMerge:
    """One file merged: its content, the fields left in conflict, or why it could not be
    merged field by field (`content` None)."""

    content: bytes | None
    conflicts: tuple[str, ...] = ()
    problem: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # merged; conflicts as ours
    told: tuple[str, ...] = ()  # each conflict in words (`tell`), in the order of `conflicts`

    @property
    def clean(self) -> bool:
        return self.content is not None and not self.conflicts
