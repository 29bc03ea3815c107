"""The fast (C) loader reads every file exactly as the round-trip reader does, or declines.

A differential test (docs/architecture.md, "Reading an item file"): whatever fills the
cache must read YAML exactly as ruamel's round-trip path (YAML 1.2: `no`, `on`, `yes` stay strings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storykit import yamlio
from storykit.errors import InvalidDataError
from storykit.storage.store import ItemStore
from tests.helpers import Repo
from tests.review_scenario import BASE_FILES
from tests.test_bad_files import CASES

pytestmark = pytest.mark.skipif(
    not yamlio.fast_loader_available(), reason="ruamel.yaml.clib is not installed"
)


def _same(a: Any, b: Any) -> bool:
    """Equal values and types (1 vs 1.0 vs True, date vs datetime, NaN included)."""
    return json.dumps(a, default=repr) == json.dumps(b, default=repr) and _types(a) == _types(b)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


def _slow(raw: bytes) -> Any:
    try:
        return yamlio.read_document(raw, "x.yaml").to_plain()
    except InvalidDataError:
        return "INVALID"


def _check(raw: bytes) -> None:
    fast = yamlio.fast_load(raw)
    if fast is None:
        return  # declined: the round-trip path reads it
    slow = _slow(raw)
    assert slow != "INVALID", f"fast loader accepted what the round-trip reader refuses: {raw!r}"
    assert _same(fast, slow), (raw, fast, slow)


SCALARS = [
    "yes", "no", "on", "off", "y", "n", "true", "True", "FALSE", "null", "Null", "~", "",
    "0", "-0", "012", "0o12", "0x1F", "0b101", "1_000", "+12", "1e3", "12e03", "1.", ".5",
    ".inf", "-.Inf", ".NaN", "2026-11-21", "2026-11-21T10:00:00Z", "2026-11-21 10:00:00+02:00",
    "2026-11-21t10:00:00.5-05:00", "1:20", "190:20:30", "=", "<", "a: b", "a #b", "a# b",
    "'quoted'", "\"dq \\u00e9 \\/ \\t\"", "'it''s'", "- x", "[a, b]", "{a: b}", "@x", "`x`",
    "%x", "|", ">", "?", ":", "-", "a:b", "http://x/y?z=1#f", "é", "😀", "a  b", " lead",
    "trail ", "\"unterminated", "'also", "{", "[", "]", "}", ",", "#", "a\\nb",
]  # fmt: skip
_scalar = st.one_of(st.sampled_from(SCALARS), st.text(max_size=12))
_key = st.one_of(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), st.sampled_from(SCALARS))


@st.composite
def _yamlish(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(_key)
        shape = draw(st.integers(0, 4))
        if shape == 0:
            lines.append(f"{key}: {draw(_scalar)}")
        elif shape == 1:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", " "]))
            lines += [f"{indent}- {draw(_scalar)}" for _ in range(draw(st.integers(1, 3)))]
        elif shape == 2:
            style = draw(st.sampled_from(["|", "|-", "|+", ">", ">-", "|2"]))
            lines.append(f"{key}: {style}")
            lines += [f"  {draw(_scalar)}" for _ in range(draw(st.integers(1, 3)))]
        elif shape == 3:
            lines.append(f"{key}: [{', '.join(draw(st.lists(_scalar, max_size=3)))}]")
        else:
            lines.append(f"# {draw(_scalar)}")
            lines.append(f"{key}: {draw(_scalar)}  # {draw(_scalar)}")
    return ("\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))).encode()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_yamlish())
@example(b"a: =\n")
@example(b"a: 1\na: 2\n")
@example(b"a: !!str 1\n")
@example(b"a: [\n")
@example(b"yes:\n- ?\n")
def test_generated_documents_read_the_same_or_decline(raw: bytes) -> None:
    _check(raw)


_FILES = [text.encode() for text in BASE_FILES.values()] + [content for _, content, _ in CASES]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_FILES),
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.integers(0, 3),
            st.sampled_from([*list(" :-#'\"[]{},&*!|>?%@`\n\t\\xyz019.é"), "\r\n", "\x00"]),
        ),
        max_size=4,
    ),
)
def test_mutated_item_files_read_the_same_or_decline(
    base: bytes, edits: list[tuple[int, int, str]]
) -> None:
    text = base.decode("utf-8", "replace")
    for position, action, char in edits:
        at = position % (len(text) + 1)
        if action == 0:
            text = text[:at] + char + text[at:]
        elif action == 1:
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    _check(text.encode())


def test_the_fast_loader_is_used_for_ordinary_files() -> None:
    for text in BASE_FILES.values():
        assert yamlio.fast_load(text.encode()) is not None
    declined = [
        b"a: &x 1\n",
        b"a: *x\n",
        b"a: !!str 1\n",
        b"<<: {a: 1}\n",
        b"a:\tb\n",
        b"%YAML 1.2\n---\na: 1\n",
    ]
    assert all(yamlio.fast_load(raw) is None for raw in declined)


def test_store_payloads_are_identical_with_and_without_the_fast_loader(repo: Repo) -> None:
    from storykit.project import find_project

    store = ItemStore(find_project(repo.root))
    files = dict(BASE_FILES)
    files.update({f"SK-BAD{n}-case.yaml": content.decode("utf-8", "replace")
                  for n, (_, content, _) in enumerate(CASES) if len(content) < 10_000})  # fmt: skip
    for name, text in files.items():
        rel = f"backlog/{name}"
        raw = text.encode()
        store.fast = True
        fast = store.parse_bytes(raw, rel)
        store.fast = False
        slow = store.parse_bytes(raw, rel)
        assert fast == slow, name


def test_cache_fill_uses_the_fast_path_and_prints_the_same(repo: Repo) -> None:
    for name, text in BASE_FILES.items():
        (repo.root / "backlog" / name).write_text(text)
    (repo.root / "backlog" / "SK-BAD1-broken.yaml").write_text("id: SK-BAD1\nstatus: nope\n")
    fast = (repo.run("list", "--all", "--json").stdout, repo.run("check").stdout)
    import os

    os.environ["STORYKIT_NO_FAST_YAML"] = "1"
    try:
        slow = (repo.run("list", "--all", "--json").stdout, repo.run("check").stdout)
    finally:
        del os.environ["STORYKIT_NO_FAST_YAML"]
    assert fast == slow
    assert Path(repo.root / "backlog").exists()


# The plain reader (yamlio/plain.py) gets documents shaped like the files storykit writes,
# with the characters and words that could make YAML read them differently mixed in.
_WORDS = [
    "Send emojis", "Q&A", "it's", "C#", "a #b", "a: b", "a:b", "http://x/y#z", "Tom & Jerry",
    "!important", "&anchor", "*alias", "wow!", "é", "😀", "x  y", "end:", "-x", "- x", "?",
    "TRUE", "True", "tRue", "null", "NULL", "Nope", "~", "=", "<<", "0", "7", "012", "1.5",
    "1e3", "2026-02-30", "2026-06-01", "2026-6-1", "'single'", "'it''s'", "'bad'quote'",
    '"double"', '"esc\\n"', '"half', "`tick`", "@at", "%pct", "|", "|-", "|+", ">", "[]",
    "[a]", "{}", "#", "", " ", "\u00a0nbsp", "\ufeffbom", "a\u00a0: b", "2d", "10w", "0x1f", "1e",
    "2026-11-20 09:00:00+00:00", "2026-11-20T09:00:00Z", "2026-11-20 09:00:00",
    "2026-11-20 25:00:00",
    "2026-11-20 09:00:00-05:30", "2026-11-20 09:00:00+24:00", "2026-11-20 09:00:00-00:00",
]  # fmt: skip
_word = st.one_of(st.sampled_from(_WORDS), st.text(max_size=10))
_plain_key = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True), st.sampled_from(_WORDS[:30])
)


@st.composite
def _storykit_like(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 7))):
        key = draw(_plain_key)
        shape = draw(st.integers(0, 5))
        gap = draw(st.sampled_from(["", "", " ", "  "]))
        if shape == 0:
            lines.append(f"{key}:{gap}{draw(_word)}")
        elif shape == 1:
            lines.append(f"{key}:{gap}")
            indent = draw(st.sampled_from(["", "  ", "  ", " ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{indent}-{draw(st.sampled_from([' ', ' ', '', '  ']))}{draw(_word)}")
        elif shape == 2:
            lines.append(f"{key}: {draw(st.sampled_from(['|', '|-', '|', '|+', '>']))}")
            indent = draw(st.sampled_from(["  ", "  ", " ", "    "]))
            for _ in range(draw(st.integers(0, 4))):
                blank = draw(st.integers(0, 4)) == 0
                deeper = draw(st.sampled_from(["", "", " ", "   "]))
                lines.append("" if blank else f"{indent}{deeper}{draw(_word)}")
        elif shape == 3:
            lines.append(draw(st.sampled_from(["", "# a comment", "  # indented", "---", "..."])))
        elif shape == 4:
            lines.append(f"{key}: {draw(_word)} {draw(_word)}")
        else:
            lines.append(f"{draw(st.sampled_from(['', ' ', '  ']))}{draw(_word)}")
    return ("\n".join(lines) + draw(st.sampled_from(["\n", "\n", "", "\n\n"]))).encode()


def _plain(raw: bytes) -> tuple[str, dict[str, Any]] | None:
    """(text, data) when the plain reader takes `raw`, else None."""
    from storykit.yamlio.plain import plain_load

    try:
        text = yamlio.decode_text(raw, "x.yaml")[0]
    except InvalidDataError:
        return None
    data = plain_load(text)
    return (text, data) if data is not None else None


def _check_plain(raw: bytes) -> None:
    taken = _plain(raw)
    if taken is None:
        return
    fast = taken[1]
    slow = _slow(raw)
    assert slow != "INVALID", f"the plain reader took what the round-trip reader refuses: {raw!r}"
    assert _same(fast, slow), (raw, fast, slow)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_storykit_like())
@example(b"a: |\n  x\n\n  y\n\n\nb: 1\n")
@example(b"a:\n- x\n- 'y'\nb: Q&A\n")
@example(b"tags:\n  - web\n  - 2026-06-01\n")
@example(b"a: |-\n  x\n")
def test_the_plain_reader_reads_the_same_or_declines(raw: bytes) -> None:
    _check_plain(raw)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_yamlish())
def test_the_plain_reader_on_general_documents(raw: bytes) -> None:
    _check_plain(raw)


def test_the_plain_reader_takes_the_files_storykit_writes() -> None:
    from storykit.yamlio.plain import plain_load

    for text in BASE_FILES.values():
        assert plain_load(text) is not None, text


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_storykit_like(), st.booleans())
@example(b"tags:\n  - a\n  - b\nwhy: |\n  x\n", True)
def test_plain_positions_are_where_the_round_trip_reader_puts_them(raw: bytes, key: bool) -> None:
    from storykit.yamlio.plain import plain_position

    taken = _plain(raw)
    if taken is None:
        return
    text, data = taken
    document = yamlio.read_document(raw, "x.yaml")
    places: list[list[str | int]] = [["nowhere"], ["nowhere", 0]]
    for name, value in data.items():
        places.append([name])
        if isinstance(value, list):
            places += [[name, index] for index in range(len(value) + 1)]
    for loc in places:
        found = plain_position(text, loc, key=key)
        assert found is None or found == document.position(loc, key=key), (raw, loc, key)


def test_plain_positions_answer_for_ordinary_files() -> None:
    from storykit.yamlio.plain import plain_position

    for text in BASE_FILES.values():
        assert plain_position(text, ["status"]) is not None
