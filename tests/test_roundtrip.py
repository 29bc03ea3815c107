"""Hand edits survive: comments, order, quotes and block scalars; a change touches its lines."""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storykit import yamlio
from tests.helpers import Repo

HAND_WRITTEN = """\
# Story captured by the PO in refinement, 2026-11-20.
id: SK-7K2M      # do not change
type: story
title: "Send emojis in messages"
status: draft
rank: a0
created: 2026-11-20

# Estimation happens on Thursday.
tags: [ux, messaging]
as_a: 'user'
i_want: to send emojis in my messages
so_that: I can express emotions
acceptance_criteria:
    - An emoji sent on Android arrives intact on iOS   # cross-platform
    - Emoji count toward the 1,000-character limit as one character
description: |
  People already paste emoji; today they arrive as "?".

  Keep this paragraph break.
x-jira: MSG-412   # synced by hand
"""


def test_set_on_a_hand_commented_file_keeps_every_other_line(repo: Repo) -> None:
    path = repo.root / "backlog" / "SK-7K2M-send-emojis-in-messages.yaml"
    path.write_text(HAND_WRITTEN)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "hand-written story")

    repo.ok("set", "7k2m", "points=5")
    after = path.read_text()
    diff = [
        line
        for line in difflib.unified_diff(HAND_WRITTEN.splitlines(), after.splitlines(), n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == ["+points: 5"]
    lines = after.splitlines()
    # Canonical order: after `created` (and the comment block that follows it), before `tags`.
    assert lines.index("created: 2026-11-20") < lines.index("points: 5")
    assert lines.index("points: 5") + 1 == lines.index("tags: [ux, messaging]")

    repo.ok("set", "7k2m", "acceptance_criteria+=Skin tones are kept")
    again = path.read_text()
    added = [line for line in again.splitlines() if line not in after.splitlines()]
    assert added == ["    - Skin tones are kept"]
    assert again.count("\n") == after.count("\n") + 1

    repo.ok("set", "7k2m", "status=dropped", "x-jira=MSG-413")
    final = path.read_text()
    changed = [
        (a, b) for a, b in zip(again.splitlines(), final.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        ("status: draft", "status: dropped"),
        ("x-jira: MSG-412   # synced by hand", "x-jira: MSG-413   # synced by hand"),
    ]


def test_unchanged_save_is_byte_identical() -> None:
    document = yamlio.read_document(HAND_WRITTEN.encode(), "x.yaml")
    assert document.dump() == HAND_WRITTEN.encode()


_plain_word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FFF),
    min_size=1,
    max_size=12,
)
_value = st.one_of(
    _plain_word,
    st.integers(min_value=-1000, max_value=1000),
    st.builds(lambda w: f'"{w} quoted"', _plain_word),
    st.builds(lambda w: f"'{w}'", _plain_word),
    st.lists(_plain_word, min_size=1, max_size=3).map(lambda ws: "[" + ", ".join(ws) + "]"),
)
_comment = st.one_of(st.just(""), _plain_word.map(lambda w: f"   # {w}"))
_keys = st.lists(
    st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True), min_size=1, max_size=8, unique=True
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    indent = draw(st.sampled_from(["", "  "]))  # one list style per file, as people write
    for key in draw(_keys):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            lines.append(f"{key}: {draw(_value)}{draw(_comment)}")
        elif kind == 1:
            items = draw(st.lists(_plain_word, min_size=1, max_size=3))
            lines.append(f"{key}:{draw(_comment)}")
            lines.extend(f"{indent}- {item}" for item in items)
        elif kind == 2:
            body = draw(st.lists(_plain_word, min_size=1, max_size=3))
            lines.append(f"{key}: |")
            lines.extend(f"  {line}" for line in body)
        else:
            lines.append(f"# {draw(_plain_word)}")
            lines.append(f"{key}: {draw(_value)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents())
def test_load_save_without_change_is_byte_identical(text: str) -> None:
    document = yamlio.read_document(text.encode(), "x.yaml")
    assert document.dump() == text.encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents(), st.data())
def test_changing_one_field_touches_only_its_lines(text: str, data: st.DataObject) -> None:
    document = yamlio.read_document(text.encode(), "x.yaml")
    keys = document.keys()
    key = data.draw(st.sampled_from(keys))
    old_value = document.get(key)
    new_value = "changed-value"
    if new_value == old_value:
        return
    document.set(key, new_value, keys)
    after = document.dump().decode()
    before_lines = text.splitlines()
    after_lines = after.splitlines()
    matcher = difflib.SequenceMatcher(None, before_lines, after_lines, autojunk=False)
    touched_before = [
        line
        for op, i1, i2, _j1, _j2 in matcher.get_opcodes()
        if op != "equal"
        for line in before_lines[i1:i2]
    ]
    # Only lines that belonged to `key` (its key line, list items, block lines) may go.
    own = _lines_of(before_lines, key)
    assert set(touched_before) <= set(own), (key, touched_before, own)
    reread = yamlio.read_document(after.encode(), "x.yaml")
    assert reread.get(key) == new_value
    for other in keys:
        if other != key:
            assert reread.get(other) == yamlio.read_document(text.encode(), "x").get(other)


def _lines_of(lines: list[str], key: str) -> list[str]:
    owned: list[str] = []
    inside = False
    for line in lines:
        if line.startswith(f"{key}:"):
            inside = True
            owned.append(line)
            continue
        if inside and (line.startswith((" ", "-")) or not line.strip()):
            owned.append(line)
            continue
        inside = False
    return owned


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents(), st.data())
def test_deleting_a_field_keeps_every_other_line(text: str, data: st.DataObject) -> None:
    document = yamlio.read_document(text.encode(), "x.yaml")
    keys = document.keys()
    if len(keys) < 2:
        return
    key = data.draw(st.sampled_from(keys[1:]))  # the first key of an item is its id
    document.delete(key)
    after = document.dump().decode().splitlines()
    lines = text.splitlines()
    own = _line_numbers_of(lines, key)
    kept = [line for n, line in enumerate(lines) if n not in own or line.startswith("#")]
    assert [line for line in after if line] == [line for line in kept if line]


def _line_numbers_of(lines: list[str], key: str) -> set[int]:
    owned: set[int] = set()
    inside = False
    for number, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            inside = True
            owned.add(number)
        elif inside and (line.startswith((" ", "-")) or not line.strip()):
            owned.add(number)
        else:
            inside = False
    return owned
