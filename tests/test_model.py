"""IDs and file names."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from storykit.model.ids import CROCKFORD, code_length, mint_id, normalise_query
from storykit.model.naming import file_name, id_from_file_name, slugify


def test_code_length_grows_to_keep_collisions_below_one_in_a_thousand() -> None:
    assert code_length(0) == 4
    assert code_length(1000) == 4
    assert code_length(1048) == 5
    assert code_length(33_000) == 5
    assert code_length(34_000) == 6
    for n in (0, 500, 1047, 1048, 20_000, 40_000):
        assert (n + 1) / 32 ** code_length(n) < 1 / 1000


def test_minted_ids_are_random_crockford_and_avoid_existing() -> None:
    rng = random.Random(7)
    existing = {mint_id("SK", set(), rng.randrange) for _ in range(200)}
    assert len(existing) == 200
    for item_id in existing:
        prefix, code = item_id.split("-")
        assert prefix == "SK" and len(code) == 4
        assert set(code) <= set(CROCKFORD)
    # With every 1-choice RNG hitting a taken ID first, minting still finds a free one.
    calls = iter([0, 0, 0, 0, 1, 0, 0, 0])
    assert mint_id("SK", {"SK-0000"}, lambda n: next(calls)) == "SK-1000"


def test_ids_are_not_sequential() -> None:
    ids = [mint_id("SK", set()) for _ in range(20)]
    assert ids != sorted(ids)


def test_queries_are_case_insensitive_and_crockford_decoded() -> None:
    assert normalise_query("sk-7k2m", "SK") == "7K2M"
    assert normalise_query("7K2M", "SK") == "7K2M"
    assert normalise_query("oil", "SK") == "011"


def test_slugs() -> None:
    assert slugify("Send emojis in messages!") == "send-emojis-in-messages"
    assert slugify("Café — naïve émoji 😀 support") == "cafe-naive-emoji-support"
    assert slugify("😀") == ""
    long = slugify("word " * 40)
    assert len(long) <= 50 and not long.endswith("-")
    assert file_name("SK-7K2M", "😀") == "SK-7K2M.yaml"


@given(st.text(max_size=300))
def test_any_title_gives_a_safe_file_name(title: str) -> None:
    name = file_name("SK-7K2M", title)
    assert id_from_file_name(name) == "SK-7K2M"
    assert "/" not in name and len(name) <= 8 + 1 + 50 + 5
    assert name.isascii()
