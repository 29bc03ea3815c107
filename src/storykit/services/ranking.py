"""Ordering the backlog: `storykit rank` (one item, a whole new order, or rebalance)."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass

from storykit import clock
from storykit.errors import InvalidDataError, StorykitError, UsageError
from storykit.model.catalogue import type_fields
from storykit.model.points import number
from storykit.model.rank import (
    DIGITS,
    SPREAD,
    Entry,
    RankError,
    capture_key,
    key_for_move,
    keys_for_block,
    place_text,
    places,
    plan_rebalance,
    plan_reorder,
    unshared,
)
from storykit.model.selection import scorer, with_extras
from storykit.printable import aligned
from storykit.services.workspace import (
    CommitOptions,
    Move,
    Outcome,
    Plan,
    Workspace,
    ids_text,
    subject_of,
)
from storykit.storage.atomic import Changeset
from storykit.storage.store import Backlog, StoredItem

PLACEMENTS = ("top", "bottom", "before", "after")
REORDER_HELP = """\
# Reorder the open backlog: the top line is the highest priority.
# Move lines up or down, then save and quit. Lines starting with # are ignored.
# Removing a line does not delete the item; it simply keeps its rank.
# Leave the order as it is to change nothing.
"""


@dataclass(frozen=True)
class Placement:
    """Where an item goes: `top`, `bottom`, or `before`/`after` another item."""

    where: str
    target: str | None = None


def rank_for_new(ws: Workspace, new_id: str, placement: Placement | None) -> str:
    """The key of a new item: with no placement asked for, the moment it is captured (after
    every item captured before, no other item read); else its place in the order."""
    if placement is None:
        return _spread([], new_id, capture_key(clock.real_milliseconds()))
    target = ws.store.ids_for(placement.target) if placement.target else None
    order = ws.store.order()
    return _spread(order, new_id, _key(order, new_id, placement, target))


def _spread(order: list[Entry], item_id: str, key: str) -> str:
    """The key with a few digits more (`rank.unshared`), between its neighbours, drawn from
    the item's ID: IDs are minted at random, so two clones placing two items at one spot
    get two keys, and the same item placed at one spot gets one."""
    others = [entry for entry in order if entry[1] != item_id]
    keys = sorted(entry[0] for entry in others)
    at = bisect.bisect_right(keys, key)
    low = keys[at - 1] if at > 0 else None
    high = keys[at] if at < len(keys) else None
    number = int.from_bytes(hashlib.sha256(f"{item_id}\0{key}".encode()).digest()[:8], "big")
    digits = ""
    for _ in range(SPREAD - 1):
        number, digit = divmod(number, len(DIGITS))
        digits += DIGITS[digit]
    last = DIGITS[1 + number % (len(DIGITS) - 1)]  # a key never ends in the lowest digit
    return unshared(key, low, high, digits + last)


def move_items(
    ws: Workspace, queries: list[str], placement: Placement, options: CommitOptions
) -> Outcome:
    """Write one new key for each item, between its new neighbours: one item changes one
    file; several go together, in the order given, in one commit."""

    def build() -> Plan:
        ids = list(dict.fromkeys(ws.store.ids_for(query) for query in queries))
        target = ws.store.ids_for(placement.target) if placement.target else None
        if target in ids:
            raise UsageError(f"{target} cannot be placed relative to itself")
        order, closed = ws.ranked()
        if placement.where not in PLACEMENTS:
            raise UsageError(f"unknown placement {placement.where!r}")
        try:
            keys = keys_for_block(order, ids, placement.where, target)
        except RankError as exc:
            raise _tie_error(exc) from None
        if len(ids) == 1:
            keyed = {ids[0]: _spread(order, ids[0], keys[0])}
            return _rewrite(ws, order, keyed, title=None, closed=closed)
        where = placement.where if target is None else f"{placement.where} {target}"
        where = {"top": "to the top", "bottom": "to the bottom"}.get(where, where)
        keyed = dict(zip(ids, keys, strict=True))
        return _rewrite(ws, order, keyed, title=f"rank {ids_text(ids)} {where}", closed=closed)

    return ws.apply(build, options)


def reorder(
    ws: Workspace,
    options: CommitOptions,
    text: str | None = None,
) -> Outcome:
    """Apply a whole new order (from `text`, or from the editor) with the fewest changes.
    An order written in the editor is kept if the command then fails."""
    if text is not None:
        return _reorder(ws, options, text)
    ws.preflight(options)
    open_items = _open_items(ws, ws.store.load_all())
    listing = "".join(line + "\n" for line in _editor_lines(ws, open_items))
    instead = (
        "give the order with `storykit rank --from-file FILE` (- reads stdin), or move one "
        "item: `storykit rank ID --before ID`"
    )
    from storykit.services.editing import EditSession  # the editor: only for this

    with EditSession("storykit-rank.txt", instead) as session:
        return _reorder(ws, options, session.edit_text(listing + "\n" + REORDER_HELP))


def _reorder(ws: Workspace, options: CommitOptions, text: str) -> Outcome:
    wanted = parse_order(ws, text)

    def build() -> Plan | None:
        order, closed = ws.ranked()
        current = [item_id for _, item_id in order if item_id in set(wanted)]
        if current == wanted:
            return None
        try:
            new_keys = plan_reorder(order, wanted)
        except RankError as exc:
            raise _tie_error(exc) from None
        count = len(new_keys)
        title = f"reorder {count} item{'s' if count != 1 else ''}"
        return _rewrite(ws, order, new_keys, title=title, closed=closed)

    return ws.apply(build, options)


def rebalance(ws: Workspace, options: CommitOptions) -> Outcome:
    """Rewrite every key evenly and short, in the current order: one explicit commit."""

    def build() -> Plan | None:
        order, closed = ws.ranked()
        new_keys = plan_rebalance(order)
        if not new_keys:
            return None
        count = len(new_keys)
        title = f"rebalance {count} key{'s' if count != 1 else ''}"
        return _rewrite(ws, order, new_keys, title=title, closed=closed)

    return ws.apply(build, options)


def _key(order: list[Entry], item_id: str, placement: Placement, target: str | None) -> str:
    if placement.where not in PLACEMENTS:
        raise UsageError(f"unknown placement {placement.where!r}")
    try:
        return key_for_move(order, item_id, placement.where, target)
    except RankError as exc:
        raise _tie_error(exc) from None


def _tie_error(exc: RankError) -> StorykitError:
    return InvalidDataError(
        str(exc), hint="run `storykit rank --rebalance` to give every item a fresh key"
    )


def _editor_lines(ws: Workspace, items: list[StoredItem]) -> list[str]:
    """The reorder editor's lines: ID, type, points, value and score, aligned, then the
    title (only the ID at the start of a line counts when it is read back)."""
    score = scorer(ws.project.config.priority.expression)
    rows = []
    for item in items:
        points, value = item.model.points, item.model.value
        scored = score(with_extras(item.field, item.extras))
        rows.append(
            [
                item.id,
                item.type,
                "-" if points is None else f"{number(points)} pts",
                "value -" if value is None else f"value {value}",
                "score -" if scored is None else f"score {number(scored)}",
                item.model.title,
            ]
        )
    return aligned(rows, right=(2,))


def _open_items(ws: Workspace, backlog: Backlog) -> list[StoredItem]:
    closed = ws.project.config.workflow.closed
    return [item for item in backlog.items if item.model.status not in closed]


def parse_order(ws: Workspace, text: str) -> list[str]:
    wanted: list[str] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for at, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            item_id = ws.store.ids_for(words[0])
        except UsageError as exc:
            problems.append(f"line {at}: {exc.message}")
            continue
        if item_id in seen:
            problems.append(f"line {at}: {item_id} is already on line {seen[item_id]}")
            continue
        seen[item_id] = at
        wanted.append(item_id)
    if problems:
        raise UsageError(
            "the new order was not applied:\n  " + "\n  ".join(problems),
            hint="each line must start with a distinct item ID; nothing was changed",
        )
    return wanted


def _rewrite(
    ws: Workspace,
    order: list[Entry],
    new_keys: dict[str, str],
    *,
    title: str | None,
    closed: set[str],
) -> Plan:
    """Write the new keys; `title` names a many-item commit (None: a single move). The
    plan reports the moved items in their new order, with their places before and after."""
    changes = Changeset()
    moved: list[StoredItem] = []
    for item_id, key in new_keys.items():
        loaded = ws.store.read(ws.store.path_of(item_id))
        loaded.document.set("rank", key, type_fields(loaded.item.type))
        item = ws.store.validate_document(loaded.document, loaded.path)
        changes.write(loaded.path, loaded.document.dump(), expected=loaded.raw)
        moved.append(item)
    new_order = [(new_keys.get(item_id, key), item_id) for key, item_id in order]
    before, after = places(order, closed), places(new_order, closed)
    ranked = {item_id: at for at, (_, item_id) in enumerate(sorted(new_order))}
    moved.sort(key=lambda item: ranked[item.id])
    moves = [Move(item, before.get(item.id), after.get(item.id)) for item in moved]
    if title is None:
        (move,) = moves
        detail = f"{place_text(move.before)} → {place_text(move.after)}"
        subject = subject_of("rank", move.item, detail)
        return Plan(changes, "rank", move.item, subject=subject, items=moved, moves=moves)
    return Plan(changes, "rank", None, subject=title, items=moved, moves=moves)
