"""Fractional-index rank keys (docs/architecture.md, "Ranking"): base-62 strings that sort
as strings.

Backlog order is (rank, id). Moving one item writes one key between its new neighbours;
a whole new order keeps the longest run already in order and re-keys only the rest.
Pure functions: no files, no git.
"""

from __future__ import annotations

import bisect
from collections.abc import Container, Iterable, Sequence

from fractional_indexing import FIError, generate_key_between, generate_n_keys_between

Entry = tuple[str, str]  # (rank key, item id); a backlog is a sorted list of them
LONG_KEY = 32


class RankError(ValueError):
    """No key fits where the item should go (equal or invalid keys); rebalancing fixes it."""


def key_between(before: str | None, after: str | None) -> str:
    """A key sorting strictly between `before` and `after` (None = open end)."""
    try:
        return str(generate_key_between(before, after))
    except FIError as exc:
        raise RankError(f"cannot place a key between {before!r} and {after!r}: {exc}") from None


def keys_between(before: str | None, after: str | None, count: int) -> list[str]:
    try:
        return [str(k) for k in generate_n_keys_between(before, after, count)]
    except FIError as exc:
        raise RankError(f"cannot place keys between {before!r} and {after!r}: {exc}") from None


DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SPREAD = 4  # digits a new key gets beyond its place: 62**4 = 14.8 million ways


def unshared(key: str, low: str | None, high: str | None, spread: str) -> str:
    """`key` with `spread` digits after it, when that still sorts between `low` and `high`
    and is a key: two clones that place an item at the same spot (both at the bottom of the
    same backlog) practically never pick the same key, so their merge has no tie."""
    below = key_between(low, key) if low is None or low < key else None
    for start in (key, low, below):  # right after `key`, else after `low`, else just below
        if start is None:
            continue
        candidate = start + spread
        fits = (low is None or low < candidate) and (high is None or candidate < high)
        if fits and is_valid_key(candidate):
            return candidate
    return key


def capture_key(milliseconds: int) -> str:
    """The key of an item captured at this moment (milliseconds since 1970) with no place
    asked for: the time as the key's integer part. It sorts after every key placed by
    counting (those grow by one per move to the bottom, from `a0`) and after every item
    captured before it, and reading no other item's key finds it (docs/architecture.md,
    "Ranking")."""
    number = max(milliseconds, len(DIGITS) ** 6)  # seven digits at least: after 1971
    digits = ""
    while number:
        number, digit = divmod(number, len(DIGITS))
        digits = DIGITS[digit] + digits
    return chr(ord("a") + len(digits) - 1) + digits  # the head letter says how many


_DIGITS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SMALLEST = "A" + "0" * 26  # the one integer part no key may be


def is_valid_key(key: str) -> bool:
    """Whether fractional_indexing takes `key` as an order key: its head letter gives the
    length of its integer part (`a`: 2 … `z`: 27, `Z`: 2 … `A`: 27), which the key must
    hold, and a fraction after it must not end in 0. Worked out here in a few string
    operations (`check` asks for every item); anything but base-62 digits is left to the
    library itself (tests/test_rank_keys.py holds the two to the same answers)."""
    if not key or not _DIGITS.issuperset(key):
        return _library_says_valid(key)
    head = key[0]
    if "a" <= head <= "z":
        length = ord(head) - ord("a") + 2
    elif "A" <= head <= "Z":
        length = ord("Z") - ord(head) + 2
    else:
        return False
    if len(key) < length or key == _SMALLEST:
        return False
    return len(key) == length or key[-1] != "0"


def _library_says_valid(key: str) -> bool:
    try:
        generate_key_between(key, None)
    except (FIError, ValueError, IndexError):
        return False
    return True


def key_in_gap(low: Entry | None, high: Entry | None, moving_id: str) -> str:
    """A key that puts `moving_id` after `low` and before `high` in (rank, id) order."""
    low_key = low[0] if low else None
    high_key = high[0] if high else None
    if low is not None and high is not None and low_key == high_key:
        if low[1] < moving_id < high[1]:
            return low[0]  # the id orders it between two equal keys
        raise RankError(
            f"{low[1]} and {high[1]} have the same rank key, so nothing fits between them"
        )
    return key_between(low_key, high_key)


def key_for_move(
    order: Sequence[Entry], moving_id: str, where: str, target_id: str | None = None
) -> str:
    """The new key of `moving_id` placed at the `top`, `bottom`, `before` or `after` target."""
    others = [entry for entry in order if entry[1] != moving_id]
    if where == "top":
        return key_in_gap(None, others[0] if others else None, moving_id)
    if where == "bottom":
        return key_in_gap(others[-1] if others else None, None, moving_id)
    ids = [entry[1] for entry in others]
    if target_id not in ids:
        raise RankError(f"{target_id} is not in the backlog")
    index = ids.index(target_id)
    if where == "before":
        return key_in_gap(others[index - 1] if index > 0 else None, others[index], moving_id)
    if where == "after":
        following = others[index + 1] if index + 1 < len(others) else None
        return key_in_gap(others[index], following, moving_id)
    raise ValueError(f"unknown placement {where!r}")


def keys_for_block(
    order: Sequence[Entry], moving_ids: Sequence[str], where: str, target_id: str | None = None
) -> list[str]:
    """New keys that place `moving_ids`, together and in this order, at the `top`, `bottom`,
    `before` or `after` the target."""
    if len(moving_ids) == 1:
        return [key_for_move(order, moving_ids[0], where, target_id)]
    moving = set(moving_ids)
    others = [entry for entry in order if entry[1] not in moving]
    low: Entry | None
    high: Entry | None
    if where == "top":
        low, high = None, others[0] if others else None
    elif where == "bottom":
        low, high = others[-1] if others else None, None
    else:
        ids = [entry[1] for entry in others]
        if target_id not in ids:
            raise RankError(f"{target_id} is not in the backlog")
        index = ids.index(target_id) + (where == "after")
        low = others[index - 1] if index > 0 else None
        high = others[index] if index < len(others) else None
    if low is not None and high is not None and low[0] == high[0]:
        raise RankError(
            f"{low[1]} and {high[1]} have the same rank key, so nothing fits between them"
        )
    return keys_between(low[0] if low else None, high[0] if high else None, len(moving_ids))


def longest_increasing_run(values: Sequence[int]) -> list[int]:
    """Indexes of one longest strictly increasing subsequence of `values` (O(n log n))."""
    tails: list[int] = []  # tails[k] = smallest tail value of an increasing run of length k+1
    tail_index: list[int] = []
    parent = [-1] * len(values)
    for index, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[k] = value
            tail_index[k] = index
        parent[index] = tail_index[k - 1] if k > 0 else -1
    run: list[int] = []
    current = tail_index[-1] if tail_index else -1
    while current != -1:
        run.append(current)
        current = parent[current]
    return run[::-1]


def plan_reorder(order: Sequence[Entry], desired: Sequence[str]) -> dict[str, str]:
    """New keys so that `desired` (a subset of the ids, in the wanted order) is in order.

    Keeps the longest run of `desired` already in order and re-keys only the others,
    each between its new neighbours; items not in `desired` keep their keys.
    """
    position = {item_id: index for index, (_, item_id) in enumerate(order)}
    rank_of = {item_id: key for key, item_id in order}
    kept = {desired[i] for i in longest_increasing_run([position[i] for i in desired])}
    new_keys: dict[str, str] = {}
    previous: str | None = None
    index = 0
    while index < len(desired):
        item_id = desired[index]
        if item_id in kept:
            previous = rank_of[item_id]
            index += 1
            continue
        end = index
        while end < len(desired) and desired[end] not in kept:
            end += 1
        following = rank_of[desired[end]] if end < len(desired) else None
        if previous is not None and following is not None and previous >= following:
            raise RankError(
                f"{desired[index - 1]} and {desired[end]} have the same rank key, "
                "so nothing fits between them"
            )
        for offset, key in enumerate(keys_between(previous, following, end - index)):
            new_keys[desired[index + offset]] = key
        previous = new_keys[desired[end - 1]]
        index = end
    return new_keys


def plan_rebalance(order: Sequence[Entry]) -> dict[str, str]:
    """Short, evenly spaced keys for the whole backlog in its current order (changed only)."""
    fresh = keys_between(None, None, len(order)) if order else []
    return {item_id: key for (old, item_id), key in zip(order, fresh, strict=True) if old != key}


def moved_items(before: Sequence[str], after: Sequence[str], rekeyed: set[str]) -> set[str]:
    """Items whose position changed by a move of their own, not by others moving around them.

    `before` and `after` are the orders of the same items. The items kept in place are one
    heaviest increasing run, where an item whose key did not change weighs more, so that
    when either of two items could be "the one that moved", it is the re-keyed one.
    """
    position = {item_id: index for index, item_id in enumerate(before)}
    values = [position[item_id] for item_id in after]
    weights = [1 if item_id in rekeyed else 2 for item_id in after]
    size = len(values)
    tree = [(0, -1)] * (size + 1)  # Fenwick tree over positions: (best weight, index)
    best: list[tuple[int, int]] = []
    for index, value in enumerate(values):
        prefix, parent = 0, -1
        i = value  # positions strictly below `value`
        while i > 0:
            if tree[i][0] > prefix:
                prefix, parent = tree[i]
            i -= i & -i
        total = prefix + weights[index]
        best.append((total, parent))
        i = value + 1
        while i <= size:
            if tree[i][0] < total:
                tree[i] = (total, index)
            i += i & -i
    kept: set[str] = set()
    current = max(range(size), key=lambda k: best[k][0]) if size else -1
    while current != -1:
        kept.add(after[current])
        current = best[current][1]
    return set(after) - kept


def places(order: Iterable[Entry], closed: Container[str]) -> dict[str, int]:
    """{ID: its 1-based place in the open backlog, as `storykit list` numbers it} for every
    item not in `closed` (IDs of done and dropped items, which have no place)."""
    ids = (item_id for _, item_id in sorted(order) if item_id not in closed)
    return {item_id: at for at, item_id in enumerate(ids, start=1)}


def place_text(place: int | None) -> str:
    """`#3`, or `closed` for an item that has no place in the open backlog."""
    return "closed" if place is None else f"#{place}"
