"""Rank keys as pure functions, under Hypothesis: order kept, one key per move, fewest changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykit.model.rank import (
    RankError,
    is_valid_key,
    key_for_move,
    keys_between,
    longest_increasing_run,
    plan_rebalance,
    plan_reorder,
)


def _backlog(size: int) -> list[tuple[str, str]]:
    keys = keys_between(None, None, size)
    return [(key, f"SK-{index:04d}") for index, key in enumerate(keys)]


def _apply(order: list[tuple[str, str]], changes: dict[str, str]) -> list[tuple[str, str]]:
    return sorted((changes.get(item_id, key), item_id) for key, item_id in order)


_moves = st.lists(
    st.tuples(
        st.integers(0, 59),
        st.sampled_from(["top", "bottom", "before", "after"]),
        st.integers(0, 59),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60), _moves)
def test_any_sequence_of_moves_keeps_the_intended_order(
    size: int, moves: list[tuple[int, str, int]]
) -> None:
    order = _backlog(size)
    intended = [item_id for _, item_id in order]
    for mover_index, where, target_index in moves:
        mover = intended[mover_index % size]
        target = intended[target_index % size]
        if where in ("before", "after") and target == mover:
            continue
        key = key_for_move(order, mover, where, target)
        new_order = _apply(order, {mover: key})
        # Exactly one key changed.
        changed = {i for (a, i), (b, j) in zip(sorted(order, key=lambda e: e[1]),
                   sorted(new_order, key=lambda e: e[1]), strict=True) if a != b}  # fmt: skip
        assert changed <= {mover}
        intended.remove(mover)
        if where == "top":
            intended.insert(0, mover)
        elif where == "bottom":
            intended.append(mover)
        else:
            at = intended.index(target) + (1 if where == "after" else 0)
            intended.insert(at, mover)
        order = new_order
        assert [item_id for _, item_id in order] == intended
        keys = [key for key, _ in order]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)  # strictly increasing
        assert all(is_valid_key(k) for k in keys)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40).flatmap(lambda n: st.tuples(st.just(n), st.permutations(range(n)))))
def test_reorder_changes_exactly_n_minus_the_longest_kept_run(case: tuple[int, list[int]]) -> None:
    size, permutation = case
    order = _backlog(size)
    desired = [order[i][1] for i in permutation]
    changes = plan_reorder(order, desired)
    assert len(changes) == size - len(longest_increasing_run(list(permutation)))
    assert [item_id for _, item_id in _apply(order, changes)] == desired


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 40).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1), unique=True, min_size=1))
))  # fmt: skip
def test_reordering_a_subset_leaves_the_others_alone(case: tuple[int, list[int]]) -> None:
    size, chosen = case
    order = _backlog(size)
    desired = [order[i][1] for i in chosen]
    changes = plan_reorder(order, desired)
    assert set(changes) <= set(desired)
    result = [item_id for _, item_id in _apply(order, changes)]
    assert [i for i in result if i in set(desired)] == desired


def test_longest_increasing_run() -> None:
    assert longest_increasing_run([]) == []
    run = longest_increasing_run([3, 1, 2, 5, 4, 6])
    values = [[3, 1, 2, 5, 4, 6][i] for i in run]
    assert len(run) == 4 and values == sorted(values)


def test_equal_keys_are_ordered_by_id_and_block_only_impossible_moves() -> None:
    order = [("a0", "SK-AAAA"), ("a1", "SK-BBBB"), ("a1", "SK-DDDD"), ("a2", "SK-EEEE")]
    # SK-CCCC fits between the equal keys because its ID sorts between theirs.
    assert key_for_move(order, "SK-CCCC", "after", "SK-BBBB") == "a1"
    with pytest.raises(RankError, match="same rank key"):
        key_for_move(order, "SK-ZZZZ", "before", "SK-DDDD")
    # Moving elsewhere is fine.
    assert "a0" < key_for_move(order, "SK-ZZZZ", "after", "SK-AAAA") < "a1"


def test_rebalance_gives_short_increasing_keys_and_skips_unchanged() -> None:
    order = [("a0", "SK-A"), ("a0V", "SK-B"), ("a0V", "SK-C"), ("a0" + "z" * 40, "SK-D")]
    changes = plan_rebalance(order)
    new = _apply(order, changes)
    assert [i for _, i in new] == ["SK-A", "SK-B", "SK-C", "SK-D"]
    assert "SK-A" not in changes
    assert all(len(k) <= 3 for k, _ in new)
    assert plan_rebalance(new) == {}


def test_invalid_keys_are_reported_not_crashed() -> None:
    assert not is_valid_key("a10")  # trailing zero
    with pytest.raises(RankError):
        key_for_move([("a10", "SK-A")], "SK-B", "top")


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@given(
    st.one_of(
        st.text(_BASE62, max_size=30),
        st.builds(
            lambda head, body: head + body, st.sampled_from("aAzZbY"), st.text("0z", max_size=28)
        ),
        st.text(max_size=6),
    )
)
@settings(max_examples=3000)
def test_the_quick_key_check_agrees_with_the_library(key: str) -> None:
    from fractional_indexing import FIError, generate_key_between

    try:
        generate_key_between(key, None)
        library = True
    except (FIError, ValueError, IndexError):
        library = False
    assert is_valid_key(key) == library, key
    assert is_valid_key("A" + "0" * 26) is False and is_valid_key("A" + "0" * 26 + "1")
