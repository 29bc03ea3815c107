"""Item IDs: `<PREFIX>-<CODE>`, CODE random Crockford base32, never "max + 1"."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PATTERN = r"[0-9A-HJKMNP-TV-Z]{4,12}"  # the part after the prefix
ID_PATTERN = rf"[A-Z][A-Z0-9]{{0,9}}-{CODE_PATTERN}"
# Crockford decoding is forgiving: I and L read as 1, O as 0.
_DECODE = str.maketrans({"I": "1", "L": "1", "O": "0"})
MAX_COLLISION_CHANCE = 1 / 1000


def code_length(item_count: int) -> int:
    """Shortest code (at least 4) keeping a new ID's collision chance below 1 in 1,000."""
    length = 4
    while (item_count + 1) / len(CROCKFORD) ** length >= MAX_COLLISION_CHANCE:
        length += 1
    return length


def mint_id(
    prefix: str,
    existing: Collection[str],
    randbelow: Callable[[int], int] | None = None,
    *,
    upper: bool = False,
) -> str:
    """A fresh random ID that is not in `existing` (the working tree's IDs), in any case;
    `upper`: they are all upper-case already (minting many, one set serves them all)."""
    if randbelow is None:
        import secrets  # here: reading a file name needs none of it

        randbelow = secrets.randbelow
    length = code_length(len(existing))
    taken = existing if upper else {value.upper() for value in existing}
    for _ in range(1000):
        code = "".join(CROCKFORD[randbelow(len(CROCKFORD))] for _ in range(length))
        candidate = f"{prefix}-{code}"
        if candidate not in taken:
            return candidate
    raise RuntimeError("could not mint a unique ID")  # pragma: no cover - 1000 collisions


def normalise_query(text: str, prefix: str) -> str:
    """Turn what a user typed into the CODE part, upper-cased, Crockford-decoded.

    Accepts `SK-7K2M`, `sk-7k2m`, `7K2M` or a prefix of the code like `7k`.
    """
    query = text.strip().upper()
    head = prefix.upper() + "-"
    if query.startswith(head):
        query = query[len(head) :]
    return query.translate(_DECODE)


def looks_like_query(text: str) -> bool:
    """True when `text` could name an item at all (guards against paths and junk)."""
    return bool(re.fullmatch(r"([A-Za-z][A-Za-z0-9]{0,9}-)?[0-9A-Za-z]{1,12}", text.strip()))
