"""Reading many files on every core: the work split between this process and forked
copies of it, each sending its answers back through a pipe.

Used where a fresh clone or a big change leaves thousands of item files to parse and
validate (docs/architecture.md, "The read cache"). A speed-up only: a copy that fails or is
killed costs its share being done again here, never an answer; without `fork`
(Windows), with one core, or in a process running threads (a fork would copy only one of
them, and whatever lock another held), everything is done here.
"""

from __future__ import annotations

import marshal
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Below this many items a fork costs more than it saves (it copies page tables, and the
# answers cross a pipe).
FORK_FROM = 1000
MAX_WORKERS = 4


def forked_map(function: Callable[[T], Any], items: Sequence[T]) -> list[Any]:
    """[function(item) for item in items], shared among forked copies of this process.

    Answers must be plain data (marshal: dict, list, str, int, float, bool, None).
    """
    workers = min(MAX_WORKERS, _cores(), len(items) // (FORK_FROM // 2) or 1)
    if workers < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return [function(item) for item in items]  # a fork copies one thread of many: unsafe
    size = -(-len(items) // workers)
    shares = [items[start : start + size] for start in range(0, len(items), size)]
    children = [_start(function, share) for share in shares[1:]]
    answers = [function(item) for item in shares[0]]
    for (pid, reader), share in zip(children, shares[1:], strict=True):
        answers.extend(_collect(pid, reader, function, share))
    return answers


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start(function: Callable[[T], Any], share: Sequence[T]) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: answer its share, send it, and leave without cleaning up
        code = 1
        try:
            os.close(reader)
            data = marshal.dumps([function(item) for item in share])
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int, function: Callable[[T], Any], share: Sequence[T]) -> list[Any]:
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            answers = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            answers = None
        if isinstance(answers, list) and len(answers) == len(share):
            return answers
    return [function(item) for item in share]  # the copy failed: its share is done here
