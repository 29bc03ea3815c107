"""The cyclic garbage collector, paused while a bulk read builds many small objects that
hold no cycles (the read cache's JSON, one dict per item, the rows `check` reads).

CPython's collector runs as objects are created and, as the heap grows, walks all of it
again: at 100,000 items that was about a third of `check`'s time, for nothing, since
none of those objects can form a cycle. Whatever is garbage is still freed at once by
reference counting; the collector runs again when the read is over.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block (and back as it was after it, even when nested)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
