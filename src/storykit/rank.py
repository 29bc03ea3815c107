"""Fractional-index rank keys (DESIGN §4): base-62 strings that sort as strings."""

from __future__ import annotations

from fractional_indexing import generate_key_between, generate_n_keys_between


def key_between(before: str | None, after: str | None) -> str:
    """A key sorting strictly between `before` and `after` (None = open end)."""
    if before is not None and after is not None and before >= after:
        # Equal keys from two branches: place just after `before`, which is still a valid
        # position in (rank, id) order; `check` reports the tie.
        after = None
    return str(generate_key_between(before, after))


def key_after(last: str | None) -> str:
    return key_between(last, None)


def evenly_spaced(count: int) -> list[str]:
    return [str(key) for key in generate_n_keys_between(None, None, count)]
