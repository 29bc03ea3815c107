"""The plain writer makes a new file byte for byte as ruamel's round-trip writer does, or
declines (docs/architecture.md, "Reading an item file"): an import writes thousands of
new files without ruamel's emitter, and nothing about them may differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storykit.yamlio import new_document
from storykit.yamlio.document import _dump_text
from storykit.yamlio.plain import plain_dump, plain_load
from tests.test_fast_loader import SCALARS

_text = st.one_of(
    st.sampled_from(SCALARS),
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=8),
    st.sampled_from(
        ["2d", "a'b", 'say "hi"', "50%", "a,b", "x: ", "ü-ß", "\u2028", "\ufeff", "\x85"]
    ),
)
_value = st.one_of(
    _text,
    st.integers(-3, 10**19),
    st.dates(),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(_text, st.integers(0, 99), st.dates()), max_size=3),
    st.lists(_text, min_size=1, max_size=4).map("\n".join),  # several lines: a literal block
    st.lists(_text, min_size=1, max_size=3).map(lambda parts: "\n".join(parts) + "\n\n"),
)
_key = st.one_of(st.from_regex(r"[a-z][a-z_-]{0,8}", fullmatch=True), st.sampled_from(SCALARS))
_header = st.sampled_from(["", "yaml-language-server: $schema=../schema.json", "a\nb", "é ü"])


def _ruamel(fields: dict[str, Any], header: str) -> str:
    document = new_document(fields, header)
    return _dump_text(document.data, 2)


def _check(fields: dict[str, Any], header: str) -> str | None:
    document = new_document(fields, header)
    fast = plain_dump(document.data, document.header)
    if fast is None:
        return None
    assert fast == _ruamel(fields, header), fields
    read = plain_load(fast)
    assert read == document.to_plain(), (fast, read)
    assert document.dump() == fast.encode()
    return fast


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_key, _value, max_size=6), _header)
@example({"title": "Emoji picker", "tags": ["ux", "2d"]}, "")
@example({"description": "Line one\n  indented\n\nlast"}, "")
@example({"description": " starts indented\nnext"}, "")
@example({"title": "trailing:"}, "")
def test_new_files_are_written_as_ruamel_writes_them_or_declined(
    fields: dict[str, Any], header: str
) -> None:
    _check(fields, header)


_ordinary = st.from_regex(r"[A-Za-zé😀][A-Za-z0-9 ,.'\"()#:/é😀-]{0,20}", fullmatch=True)
_ordinary_value = st.one_of(
    _ordinary,
    st.integers(0, 40),
    st.dates(),
    st.lists(_ordinary, min_size=1, max_size=3),
    st.lists(st.one_of(_ordinary, st.just("")), min_size=2, max_size=4).map(
        lambda parts: "\n".join(parts).strip("\n") or "x"
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_key, _ordinary_value, min_size=1, max_size=8), _header)
def test_ordinary_new_files_are_written_as_ruamel_writes_them_or_declined(
    fields: dict[str, Any], header: str
) -> None:
    _check(fields, header)


def test_an_ordinary_new_item_is_written_by_the_plain_writer() -> None:
    fields = {
        "id": "SK-7Q2M",
        "type": "story",
        "title": "Send an emoji from the picker (😀, 👍)",
        "status": "draft",
        "rank": "a0V",
        "points": 3,
        "created": dt.date(2026, 12, 5),
        "tags": ["emoji", "ux"],
        "owner": "dana",
        "description": "As a user I want emoji\nso that chats feel alive.\n\n- picker\n",
        "x-source": "github:acme/chat#12",
    }
    header = "yaml-language-server: $schema=../.storykit/item.schema.json"
    fast = _check(fields, header)
    assert fast is not None and fast.startswith("# yaml-language-server:")


def test_what_the_plain_writer_declines() -> None:
    for fields in (
        {"title": "yes: no"},  # quoted by ruamel
        {"title": "true"},
        {"points": 1.5},
        {"tags": []},
        {"done": True},
        {"title": "a\tb"},
        {"description": "  indented first line\n"},
        {"description": "trailing space \nnext\n"},
    ):
        assert plain_dump(new_document(fields).data) is None, fields
