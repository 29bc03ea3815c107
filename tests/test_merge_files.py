"""Merging whole item files (merging.py): random edits of disjoint fields on two sides of a
hand-commented file merge into both edits, keep ours' comments and untouched lines byte for
byte, and take theirs' lines as `storykit set` writes them."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storykit.config import Config
from storykit.merging.files import Labels, merge_item_file
from storykit.model.catalogue import type_fields
from storykit.yamlio import read_document

REL = "backlog/SK-7K2M-send-emojis.yaml"
BASE = """\
id: SK-7K2M
type: story
# The PO's note: keep it small
title: Send emojis
status: ready
rank: a0   # top of the backlog
created: 2026-11-20
points: 3
tags:
  - chat   # from the kickoff
  - mobile
as_a: chat user
i_want: to send emojis
so_that: I can express myself
acceptance_criteria:
  - Emoji picker opens
description: |
  First line
  second line
  third line
"""

EDITS: dict[str, st.SearchStrategy[Any]] = {
    "status": st.sampled_from(["in-progress", "done"]),
    "rank": st.sampled_from(["Zz", "a1", "a0V"]),
    "owner": st.sampled_from(["dana", "eli"]),
    "points": st.sampled_from([1, 5, 8]),
    "tags": st.lists(st.sampled_from(["chat", "mobile", "ux", "web"]), unique=True, min_size=1),
    "acceptance_criteria": st.lists(
        st.sampled_from(["Emoji picker opens", "Works offline", "Skin tones"]),
        unique=True,
        min_size=1,
    ),
    "description": st.sampled_from(
        ["Top line\nsecond line\nthird line\n", "First line\nsecond line\nlast line\n"]
    ),
    "x-jira": st.sampled_from(["MSG-1", "MSG-2"]),
}


def edit(text: str, changes: dict[str, Any]) -> str:
    doc = read_document(text.encode(), REL)
    for name, value in changes.items():
        doc.set(name, value, type_fields("story"))
    return doc.dump().decode()


@st.composite
def two_sides(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    names = draw(st.permutations(sorted(EDITS)))
    cut = draw(st.integers(0, len(names)))
    ours = {name: draw(EDITS[name]) for name in names[:cut][:3]}
    theirs = {name: draw(EDITS[name]) for name in names[cut:][:3]}
    return ours, theirs


def blocks(text: str) -> dict[str, list[str]]:
    """Each top-level key's lines (comment lines above a key go with it)."""
    found: dict[str, list[str]] = {}
    pending: list[str] = []
    key = ""
    for line in text.splitlines(keepends=True):
        if line.startswith("#"):
            pending.append(line)
        elif line[:1] not in (" ", "\n", "") and ":" in line:
            key = line.split(":", 1)[0]
            found[key] = [*pending, line]
            pending = []
        else:
            found.setdefault(key, []).append(line)
    return found


@settings(max_examples=60, deadline=None)
@given(two_sides())
def test_disjoint_edits_merge_like_set_keeping_ours_lines(
    sides: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    mine, yours = sides
    ours, theirs = edit(BASE, mine), edit(BASE, yours)
    result = merge_item_file(BASE.encode(), ours.encode(), theirs.encode(), REL, Config(), Labels())
    assert result.clean, result
    assert result.content is not None
    merged = result.content.decode()
    expected = read_document(BASE.encode(), REL).to_plain() | mine | yours
    assert read_document(result.content, REL).to_plain() == expected
    for name, lines in blocks(ours).items():  # ours' lines, comments included
        if name not in yours:
            assert "".join(lines) in merged, name
    for name, lines in blocks(edit(ours, yours)).items():  # theirs' lines as `set` writes them
        if name in yours and not isinstance(yours[name], list):
            assert "".join(line for line in lines if not line.startswith("#")) in merged, name
    swapped = merge_item_file(
        BASE.encode(), theirs.encode(), ours.encode(), REL, Config(), Labels()
    )
    assert swapped.content is not None
    assert read_document(swapped.content, REL).to_plain() == expected


def test_a_conflict_marks_only_that_field_and_names_the_sides() -> None:
    ours = edit(BASE, {"owner": "dana", "points": 5})
    theirs = edit(BASE, {"owner": "eli", "tags": ["chat", "mobile", "ux"]})
    result = merge_item_file(
        BASE.encode(), ours.encode(), theirs.encode(), REL, Config(), Labels("HEAD", "feature")
    )
    assert result.conflicts == ("owner",)
    assert result.content is not None
    text = result.content.decode()
    assert "<<<<<<< HEAD\nowner: dana\n=======\nowner: eli\n>>>>>>> feature\n" in text
    assert text.count("=======") == 1
    assert "points: 5\n" in text and "  - ux\n" in text
    assert "# The PO's note: keep it small\n" in text


def test_clashing_lines_of_a_text_are_marked_inside_it() -> None:
    ours = edit(BASE, {"description": "First line\nsecond line, ours\nthird line\n"})
    theirs = edit(BASE, {"description": "First line\nsecond line, theirs\nthird line\n"})
    result = merge_item_file(BASE.encode(), ours.encode(), theirs.encode(), REL, Config(), Labels())
    assert result.content is not None
    text = result.content.decode()
    assert (
        "  First line\n<<<<<<< HEAD\n  second line, ours\n=======\n"
        "  second line, theirs\n>>>>>>> theirs\n  third line\n"
    ) in text


def test_unreadable_or_invalid_results_are_not_merged_here() -> None:
    broken = BASE.replace("points: 3", "points: [3")
    result = merge_item_file(BASE.encode(), BASE.encode(), broken.encode(), REL, Config(), Labels())
    assert result.content is None and "cannot be read" in (result.problem or "")
    # Each side valid, the combination not: a draft may lack `so_that`, a ready story not.
    draft = edit(BASE, {"status": "draft"})
    ours = edit(draft, {"status": "ready"})
    doc = read_document(draft.encode(), REL)
    doc.delete("so_that")
    theirs = doc.dump().decode()
    result = merge_item_file(
        draft.encode(), ours.encode(), theirs.encode(), REL, Config(), Labels()
    )
    assert result.content is None and "would not be valid" in (result.problem or "")


def test_a_change_of_type_alone_is_merged_not_dropped() -> None:
    """theirs changes `x-size: 1` to `1.0` and `x-on: 0` to `false`; ours changes points:
    both land (Python's == would call theirs' changes no change)."""
    base = BASE + "x-size: 1\nx-on: 0\nx-yes: true\n"
    ours = base.replace("points: 3", "points: 5")
    theirs = base.replace("x-size: 1", "x-size: 1.0").replace("x-on: 0", "x-on: false")
    theirs = theirs.replace("x-yes: true", "x-yes: 1")
    merged = merge_item_file(base.encode(), ours.encode(), theirs.encode(), REL, Config(), Labels())
    assert merged.clean and merged.content is not None
    fields = read_document(merged.content, REL).to_plain()
    assert fields["points"] == 5
    assert [(type(fields[k]), fields[k]) for k in ("x-size", "x-on", "x-yes")] == [
        (float, 1.0),
        (bool, False),
        (int, 1),
    ]
