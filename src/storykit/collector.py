"""The cyclic garbage collector, paused while a bulk read builds many small objects that
hold no cycles (the read cache's JSON, one dict per item, the rows `check` reads).

CPython's collector runs as objects are created and, as the heap grows, walks all of it
again: at 100,000 items that was about a quarter of `check`'s time, for nothing, since
none of those objects can form a cycle. Whatever is garbage is still freed at once by
reference counting; the collector runs again when the read is over, on what is built
after it (a cycle made before it and dropped later is freed when the process ends: these
are short commands, or a merge helper that lives for one merge).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block (and back as it was after it, even when nested).
    What the block built is then frozen (`gc.freeze`): kept out of every later collection,
    which would otherwise walk it all again as soon as the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
