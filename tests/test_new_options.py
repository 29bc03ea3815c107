"""Every option of every `new` command writes its field (generated from the catalogue)."""

from __future__ import annotations

import pytest

from storykit.model.catalogue import FIELDS, ITEM_TYPES, option_fields, option_name
from tests.helpers import Repo


def _sample(field: str, refs: dict[str, str]) -> tuple[list[str], object]:
    """(command-line values, expected JSON value) for one field."""
    spec = FIELDS[field]
    if field in ("parent",):
        return [refs["parent"]], refs["parent"]
    if spec.many and spec.kind == "id":
        return [refs["a"], refs["b"]], [refs["a"], refs["b"]]
    if spec.many:
        return ["first", "second"], ["first", "second"]
    samples: dict[str, tuple[str, object]] = {
        "points": ("3", 3),
        "value": ("7", 7),
        "risk": ("2", 2),
        "category": ("integration", "integration"),
        "kind": ("functional", "functional"),
        "timebox": ("4h", "4h"),
        "started": ("2026-11-20T09:00:00+00:00", "2026-11-20T09:00:00Z"),
    }
    text, expected = samples.get(field, (f"some {field}", f"some {field}"))
    return [text], expected


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_every_new_option_sets_its_field(repo: Repo, item_type: str) -> None:
    epic = repo.ok("epic", "new", "Emoji support", "--goal", "g", "--json").json()
    story = repo.new_story("Referenced story")
    other = repo.new_spike("Referenced spike")
    repo.ok("sprint", "new", "some sprint", "--start", "2026-11-16")
    assert isinstance(epic, dict)
    parent = story if item_type == "task" else epic["item"]["id"]
    refs = {"parent": parent, "a": story, "b": other}
    args = ["New item"]
    expected: dict[str, object] = {}
    for field in option_fields(item_type):
        option = option_name(field)
        values, want = _sample(field, refs)
        for value in values:
            args += [option, value]
        expected[field] = want
    data = repo.ok(item_type, "new", *args, "--json").json()
    assert isinstance(data, dict)
    item = data["item"]
    for field, want in expected.items():
        got = item[field]
        if field == "started":
            assert str(got).startswith("2026-11-20 09:00:00"), got
        else:
            assert got == want, (field, got, want)
    assert all(FIELDS[f].many or item[f] is not None for f in expected)
