"""Three-way merge of an item's fields by each field's merge rule (model/merge.py), the
core of the merge driver: properties over random edits, and the day-one cases."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storykit.model.merge import ABSENT, diff3, merge_fields, merge_rule, merge_text

WORDS = st.sampled_from(["ux", "api", "web", "ios", "perf", "chat", "SK-7K2M", "SK-3J9Q"])
LINES = st.lists(st.sampled_from(["alpha\n", "beta\n", "gamma\n", "delta\n", "eps\n"]), max_size=6)

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "status": st.sampled_from(["draft", "ready", "in-progress", "done"]),
    "rank": st.sampled_from(["a0", "a1", "Zz", "b00"]),
    "owner": st.sampled_from(["alice", "bob", "carol"]),
    "points": st.sampled_from([1, 2, 3, 5, 8]),
    "tags": st.lists(WORDS, unique=True, max_size=4),
    "depends_on": st.lists(st.sampled_from(["SK-AAAA", "SK-BBBB", "SK-CCCC"]), unique=True),
    "acceptance_criteria": st.lists(
        st.sampled_from(["Works offline", "Arrives intact", "Fast"]), unique=True
    ),
    "notes": LINES.map("".join),
    "x-jira": st.sampled_from(["MSG-1", "MSG-2"]),
}


@st.composite
def item(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.sets(st.sampled_from(sorted(FIELD_VALUES))))
    return {"id": "SK-F0ZZ", **{name: draw(FIELD_VALUES[name]) for name in sorted(names)}}


@st.composite
def edited(draw: st.DrawFn, base: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """`base` with the fields in `names` set to new values or removed."""
    result = dict(base)
    for name in names:
        if draw(st.booleans()) and name in result:
            del result[name]
        else:
            result[name] = draw(FIELD_VALUES[name])
    return result


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    base = draw(item())
    names = draw(st.permutations(sorted(FIELD_VALUES)))
    cut = draw(st.integers(0, len(names)))
    ours = draw(edited(base, list(names[:cut][:3])))
    theirs = draw(edited(base, list(names[cut:][:3])))
    return base, ours, theirs


def _same(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Equal fields; the order of a set field does not count."""
    if set(one) != set(other):
        return False
    return all(
        sorted(one[n]) == sorted(other[n]) if merge_rule(n) == "set" else one[n] == other[n]
        for n in one
    )


@settings(max_examples=300, deadline=None)
@given(disjoint_edits())
def test_disjoint_edits_merge_to_both_edits(edits: tuple[dict[str, Any], ...]) -> None:
    base, ours, theirs = edits
    merged = merge_fields(base, ours, theirs)
    assert merged.conflicts == []
    expected = {**ours, **{n: v for n, v in theirs.items() if v != base.get(n, ABSENT)}}
    for name in base:  # removed by theirs
        if name not in theirs:
            expected.pop(name, None)
    assert _same(merged.fields, expected)
    assert _same(merge_fields(base, theirs, ours).fields, merged.fields)  # either side


@settings(max_examples=200, deadline=None)
@given(item(), item())
def test_merging_a_side_with_itself_is_that_side(
    base: dict[str, Any], side: dict[str, Any]
) -> None:
    merged = merge_fields(base, side, side)
    assert merged.conflicts == [] and merged.fields == side


@settings(max_examples=300, deadline=None)
@given(item(), item(), item())
def test_conflicts_only_where_both_changed_one_field(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> None:
    merged = merge_fields(base, ours, theirs)
    for conflict in merged.conflicts:
        name = conflict.field
        b, o, t = (d.get(name, ABSENT) for d in (base, ours, theirs))
        assert o != b and t != b and o != t
    swapped = merge_fields(base, theirs, ours)
    assert {c.field for c in swapped.conflicts} == {c.field for c in merged.conflicts}


def test_the_day_one_cases() -> None:
    base = {"id": "SK-7K2M", "status": "ready", "rank": "a1", "tags": ["ux"], "points": 3,
            "acceptance_criteria": ["Arrives intact"], "notes": "one\ntwo\nthree\n"}  # fmt: skip
    ours = {**base, "status": "in-progress", "tags": ["ux", "ios"], "owner": "alice",
            "acceptance_criteria": ["Arrives intact", "Works offline"],
            "notes": "ONE\ntwo\nthree\n"}  # fmt: skip
    theirs = {**base, "rank": "Zz", "tags": ["ux", "web"], "points": 5,
              "acceptance_criteria": ["Arrives intact", "Is fast"],
              "notes": "one\ntwo\nTHREE\n"}  # fmt: skip
    merged = merge_fields(base, ours, theirs)
    assert merged.conflicts == []
    assert merged.fields == {
        "id": "SK-7K2M", "status": "in-progress", "rank": "Zz", "tags": ["ux", "ios", "web"],
        "points": 5, "acceptance_criteria": ["Arrives intact", "Works offline", "Is fast"],
        "notes": "ONE\ntwo\nTHREE\n", "owner": "alice",
    }  # fmt: skip
    clash = merge_fields(base, {**base, "owner": "alice"}, {**base, "owner": "bob"})
    assert [(c.field, c.ours, c.theirs) for c in clash.conflicts] == [("owner", "alice", "bob")]
    assert merge_text("a\nb\n", "A\nb\n", "X\nb\n") == ("A\nb\n", False)


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, LINES)
def test_diff3_keeps_what_both_kept(base: list[str], ours: list[str], theirs: list[str]) -> None:
    chunks = diff3(base, ours, theirs)
    assert [line for c in chunks for line in c.base] == base  # every base line, in order
    if ours == theirs:
        assert all(c.clean for c in chunks)
        assert [line for c in chunks for line in c.ours] == ours


def test_values_are_compared_by_type_and_value() -> None:
    """`1 → 1.0`, `0 → false`, `true → 1` are changes (Python's == holds them equal): the
    side that made one wins, as for any change; both sides making different ones clash."""
    for before, after in ((1, 1.0), (0, False), (True, 1), (1.0, True), ("1", 1), (None, 0)):
        base = {"id": "SK-F0ZZ", "x-flag": before}
        changed = {"id": "SK-F0ZZ", "x-flag": after}
        assert merge_fields(base, base, changed).fields["x-flag"] is after
        assert merge_fields(base, changed, base).fields["x-flag"] is after
        assert type(merge_fields(base, base, changed).fields["x-flag"]) is type(after)
    clash = merge_fields({"x-n": 1}, {"x-n": 1.0}, {"x-n": True})
    assert [c.field for c in clash.conflicts] == ["x-n"]
    # In a list: a set keeps both entries, a sequence sees the change.
    merged = merge_fields({"tags": [1]}, {"tags": [1]}, {"tags": [1, True, 1.0]})
    assert [(type(v), v) for v in merged.fields["tags"]] == [(int, 1), (bool, True), (float, 1.0)]
