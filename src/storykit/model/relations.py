"""The rules between items — references that resolve, parents of the right type,
dependencies without cycles, valid rank keys — as pure functions with one wording, shared
by `check` (the whole backlog) and by every write (the items it changes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from storykit.model.catalogue import REFERENCE_FIELDS, TYPES

RANK_FIX = "`storykit rank --rebalance`"


def references(value_of: Callable[[str], Any]) -> list[tuple[str, str]]:
    """(field, ID) of every reference an item holds — a single one (`parent`) or a list
    (`depends_on`) — in the catalogue's order of fields; `value_of` reads a field."""
    found = []
    for name in REFERENCE_FIELDS:
        value = value_of(name)
        found += [(name, ref) for ref in ([value] if isinstance(value, str) else value or ())]
    return found


def article(item_type: str) -> str:
    """`a story`, `an epic`."""
    return f"{TYPES[item_type].article} {item_type}"


def dangling(where: str, ref: str) -> str:
    return f"{where}: no item {ref} in the backlog"


def wrong_parent(item_type: str, parent_id: str, parent_type: str) -> str | None:
    """What is wrong with a parent of `parent_type` for an item of `item_type`, if anything."""
    allowed = TYPES[item_type].parents if item_type in TYPES else ()
    if not allowed or parent_type in allowed or parent_type not in TYPES:
        return None
    wanted = " or ".join(article(kind) for kind in allowed)
    return (
        f"parent: {parent_id} is {article(parent_type)}; "
        f"{article(item_type)}'s parent must be {wanted}"
    )


def cycle_message(cycle: Sequence[str]) -> str:
    return f"depends_on: dependency cycle {' → '.join([*cycle, cycle[0]])}"


def invalid_rank(key: str) -> str:
    return f"rank: {key!r} is not a fractional-index key ({RANK_FIX})"


def dependency_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each dependency cycle once, starting from its smallest ID (iterative: no depth
    limit). `graph`: each item's ID → the IDs it depends on."""
    edges = {item: [d for d in deps if d != item] for item, deps in graph.items()}
    cycles: list[list[str]] = [[item] for item, deps in graph.items() if item in deps]
    seen_cycles: set[tuple[str, ...]] = {tuple(c) for c in cycles}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in sorted(edges):
        if root in state:
            continue
        path: list[str] = [root]
        stack = [iter(edges[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if nxt not in edges:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                canonical = tuple(cycle[start:] + cycle[:start])
                if canonical not in seen_cycles:
                    seen_cycles.add(canonical)
                    cycles.append(list(canonical))
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(edges[nxt]))
    return cycles
