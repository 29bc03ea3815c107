"""A lock in `.git/storykit/` that serialises changing commands (DESIGN §7)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from storykit.errors import BusyError

DEFAULT_WAIT = 3.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def backlog_lock(state_dir: Path, purpose: str, wait: float | None = None) -> Iterator[None]:
    """Hold the backlog lock; wait up to `wait` seconds, then exit 75 naming the holder."""
    if wait is None:
        wait = float(os.environ.get("STORYKIT_LOCK_WAIT", DEFAULT_WAIT))
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is not None and not _alive(holder[0]):
                _take_over_stale(path, holder[0])
                continue
            if time.monotonic() >= deadline:
                who = f"process {holder[0]} ({holder[1]})" if holder else "another process"
                raise BusyError(
                    f"backlog busy: {who} is changing it",
                    hint=f"try again in a moment; if no storykit is running, delete {path}",
                ) from None
            time.sleep(0.02)
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()} {purpose}\n")
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _holder(path: Path) -> tuple[int, str] | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        pid_text, _, purpose = text.partition(" ")
        return int(pid_text), purpose
    except (OSError, ValueError):
        return None


def _take_over_stale(path: Path, pid: int) -> None:
    # Rename first so that two processes cannot both delete a fresh lock.
    stale = path.with_name(f"lock.stale-{pid}-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.rename(path, stale)
        holder = _holder(stale)
        if holder is not None and holder[0] != pid:
            os.rename(stale, path)  # someone else's fresh lock: put it back
            return
        stale.unlink()
