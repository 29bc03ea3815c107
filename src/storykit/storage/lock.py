"""The lock in `.git/storykit/` that serialises changing commands (docs/architecture.md,
"The commit protocol").

An advisory `flock` on `.git/storykit/lock`, which names its holder (`PID PURPOSE`). The
kernel releases it when the holder ends, however it ends, so a lock left by a killed
process is simply taken: no guessing from PIDs. The holder removes the file when done; a
process that locked a file which was removed meanwhile tries again, so two processes can
never both hold it. A thread that holds it may take it again (`claim --push` holds it from
its claim to its push, and the claim's own commit takes it inside).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from storykit.errors import BusyError, UsageError

_held = threading.local()  # .paths: the lock files this thread holds


def lock_wait(configured: float | None = None) -> float:
    """Seconds to wait for the lock: $STORYKIT_LOCK_WAIT, else the config, else 3."""
    from storykit.config import DEFAULT_LOCK_WAIT, MAX_LOCK_WAIT

    text = os.environ.get("STORYKIT_LOCK_WAIT")
    if text:
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= MAX_LOCK_WAIT:
            raise UsageError(
                f"STORYKIT_LOCK_WAIT={text!r} must be a number of seconds "
                f"from 0 to {MAX_LOCK_WAIT:g}"
            )
        return seconds
    return DEFAULT_LOCK_WAIT if configured is None else configured


@contextlib.contextmanager
def backlog_lock(
    state_dir: Path, purpose: str, wait: float | None = None, at_least: float = 0.0
) -> Iterator[str | None]:
    """Hold the backlog lock; wait up to `wait` seconds (`at_least` this many, whatever is
    configured: claims queue), then exit 75 naming the holder. Yields what a holder that
    died without releasing it had written (None normally)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    held: set[Path] = _held.__dict__.setdefault("paths", set())
    key = path.resolve()
    if key in held:  # this thread holds it already
        yield None
        return
    fd = _acquire(path, time.monotonic() + max(lock_wait(wait), at_least))
    try:
        held.add(key)
        left = os.read(fd, 200).decode("utf-8", "replace").strip()
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {purpose}\n".encode())
        yield left or None
    finally:
        held.discard(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)  # releases the lock


def _acquire(path: Path, deadline: float) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise _busy(path) from None
            time.sleep(0.02)
            continue
        except BaseException:
            os.close(fd)
            raise
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            return fd
        os.close(fd)  # the holder removed this file as we locked it: take the new one


def _busy(path: Path) -> BusyError:
    holder = _holder(path)
    who = f"process {holder[0]} ({holder[1]})" if holder else "another process"
    return BusyError(
        f"backlog busy: {who} is changing it",
        hint="try again in a moment (it waits a few seconds: set lock_wait in "
        ".storykit.toml or STORYKIT_LOCK_WAIT for longer)",
    )


def _holder(path: Path) -> tuple[int, str] | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        pid_text, _, purpose = text.partition(" ")
        return int(pid_text), purpose
    except (OSError, ValueError):
        return None
