"""Atomic file writes, and a changeset that can put every file back as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from storykit.errors import BusyError, StorykitError
from storykit.processes import pid_alive

_DEFAULT_MODE = 0o666
_ONE_BY_ONE = 16  # a changeset of more files is synced to disk once, not file by file


def write_atomic(path: Path, content: bytes | Iterable[bytes], *, durable: bool = True) -> None:
    """Temp file in the same folder, fsync, keep the mode, `os.replace`. `content` may come
    in pieces (a big cache file is then never whole in memory). A cache is not `durable`:
    no fsync (after a crash it may be lost or torn, and is then rebuilt); nor is a file of
    a big changeset, which syncs the disk once when all are written."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = _DEFAULT_MODE & ~umask
    fd, temp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                handle.writelines(content)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(path.parent)


def save_json(path: Path, data: object, *, durable: bool = True) -> None:
    """Write a state or cache file (compact JSON) atomically; best effort: a file that
    cannot be written is only a slower next run. A cache is not `durable` (no fsync)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json_pieces(data), durable=durable)
    except OSError:
        pass


def json_pieces(data: object) -> Iterator[bytes]:
    """Compact JSON of `data`, in pieces (for `write_atomic`): a mapping's values one by
    one, and a value that is a big list or mapping a few hundred entries at a time, so
    that a big cache file is never whole in memory. The bytes are `json.dumps`'s."""
    import json

    encode = json.JSONEncoder(separators=(",", ":")).encode
    if not isinstance(data, dict) or not data:
        yield encode(data).encode()
        return
    step = 500
    for at, (key, value) in enumerate(data.items()):
        yield (("{" if at == 0 else ",") + encode(key) + ":").encode()
        if isinstance(value, dict | list) and len(value) > step:
            entries: list[Any] = list(value.items()) if isinstance(value, dict) else value
            yield b"{" if isinstance(value, dict) else b"["
            for start in range(0, len(entries), step):
                chunk = entries[start : start + step]
                text = encode(dict(chunk) if isinstance(value, dict) else chunk)[1:-1]
                yield (("," if start else "") + text).encode()
            yield b"}" if isinstance(value, dict) else b"]"
        else:
            yield encode(value).encode()
    yield b"}"


# Temp files storykit writes, with the PID of the writer: `.NAME.PID.RANDOM.tmp` (and the
# kept original `.NAME.PID.bak.tmp`) here, and `index-PID-N.tmp` / `message-PID-N.tmp` (git's
# `.lock` beside them) of a commit, `lock-PID-N.tmp` of git's index lock.
_LEFTOVER = re.compile(
    r"^(?:\..+\.(\d+)\.[a-z0-9_]+\.tmp|(?:index|message|lock)-(\d+)-\d+\.tmp(?:\.lock)?)$"
)


def sweep_leftovers(folder: Path) -> list[str]:
    """Remove the temp files a killed storykit left in `folder` (never a living one's)."""
    removed: list[str] = []
    try:
        with os.scandir(folder) as scan:
            names = [entry.name for entry in scan if entry.name.endswith((".tmp", ".lock"))]
    except OSError:
        return removed
    for name in names:
        match = _LEFTOVER.match(name)
        if match is None or pid_alive(int(match.group(1) or match.group(2))):
            continue
        with contextlib.suppress(OSError):  # tidying never fails a command
            os.unlink(folder / name)
            removed.append(name)
    return removed


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_regular(path: Path, *, follow: bool = True) -> bytes:
    """The bytes of a regular file. Anything else (a folder, a FIFO, a device) raises
    OSError "not a regular file" without blocking or reading from it; with `follow`
    false, so does a symbolic link (ELOOP)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks = []
        size = status.st_size + 1  # one read for the whole file, then one to see its end
        while chunk := os.read(fd, size):
            chunks.append(chunk)
            size = 1 << 16
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_bytes(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None


class Changeset:
    """Files to write or delete, applied together and undone together.

    `expect` holds what each file contained when it was read: if someone changed the
    file since (an editor saved it), nothing is overwritten. Before a file is replaced its
    original is kept as a hard link beside it, so that putting it back needs no disk space
    (a full disk is when it matters most).
    """

    def __init__(self) -> None:
        self.writes: dict[Path, bytes | None] = {}
        self.expect: dict[Path, bytes | None] = {}
        self._originals: dict[Path, bytes | None] = {}
        self._backups: dict[Path, Path] = {}
        self._applied: list[Path] = []
        self._renamed_from: dict[Path, Path] = {}

    def write(self, path: Path, content: bytes, expected: bytes | None = None) -> None:
        self.writes[path] = content
        self.expect.setdefault(path, expected)

    def delete(self, path: Path, expected: bytes | None) -> None:
        self.writes[path] = None
        self.expect.setdefault(path, expected)

    def rename(self, old: Path, new: Path, content: bytes, expected: bytes | None) -> None:
        """`content` as `new`, in place of `old`. Written under the old name first, then
        renamed in one step: the item is at every moment in exactly one of the two files."""
        self.write(new, content, expected=None)
        self.delete(old, expected)
        self._renamed_from[new] = old

    def renamed_sources(self) -> set[Path]:
        """The old names of renamed files (deleted, but the item lives on)."""
        return set(self._renamed_from.values())

    def original_of(self, path: Path) -> bytes | None:
        """What a written file held when it was read (for a renamed file, its old name's)."""
        if path in self._renamed_from:
            return self.expect.get(self._renamed_from[path])
        return self.expect.get(path)

    @property
    def paths(self) -> list[Path]:
        return list(self.writes)

    def drop_unchanged(self) -> None:
        """Forget writes that would leave a file byte-for-byte as it is."""
        for path, content in list(self.writes.items()):
            if content is not None and content == self.expect.get(path):
                del self.writes[path]
                del self.expect[path]

    def check_unchanged(self) -> None:
        """Refuse (exit 75) if a file changed since it was read: nothing is overwritten."""
        for path, expected in self.expect.items():
            current = read_bytes(path)
            if current != expected:
                raise BusyError(
                    f"{path.name} changed on disk while storykit was working; nothing was written",
                    hint="run the command again",
                )
            self._originals[path] = current

    def apply(self) -> None:
        """Write every file, or (on any failure) none: a file system error is reported
        as what it is (a full disk, a read-only folder), with everything put back."""
        self.check_unchanged()
        current_path: Path | None = None
        # Many files (an import): written without a sync each, then synced all at once.
        batch = len(self.writes) > _ONE_BY_ONE and hasattr(os, "sync")
        durable = not batch
        try:
            for path, content in self.writes.items():
                current_path = path
                self._applied.append(path)
                source = self._renamed_from.get(path)
                if content is None:
                    self._backup(path)
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                elif source is not None:
                    self._applied.append(source)
                    self._backup(source)
                    write_atomic(source, content, durable=durable)
                    os.rename(source, path)
                    if durable:
                        _fsync_dir(path.parent)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self._backup(path)
                    write_atomic(path, content, durable=durable)
            if batch:
                os.sync()
        except OSError as exc:
            self.rollback()
            raise _write_error(current_path, exc) from None
        except BaseException:
            self.rollback()
            raise

    def _backup(self, path: Path) -> None:
        if self._originals.get(path) is None or path in self._backups:
            return
        backup = path.parent / f".{path.name}.{os.getpid()}.bak.tmp"
        with contextlib.suppress(FileNotFoundError):
            backup.unlink()
        try:
            os.link(path, backup)
        except OSError:
            return  # no hard links here: the original bytes are written back instead
        self._backups[path] = backup

    def rollback(self, keep: set[Path] | None = None) -> None:
        """Put every applied file back as it was before `apply`, except those in `keep`
        (a commit already holds their new content)."""
        done = set(keep or ())
        for path in reversed(self._applied):
            if path in done:
                continue
            done.add(path)
            original = self._originals.get(path)
            backup = self._backups.pop(path, None)
            if original is None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            elif backup is not None and not _same_file(backup, path):
                os.replace(backup, path)
            elif backup is None:
                write_atomic(path, original)
            else:  # never replaced: the backup is the file itself
                backup.unlink()
        self._applied.clear()
        self.discard_backups()

    def discard_backups(self) -> None:
        """Remove the kept originals once the change stands (or was put back)."""
        for backup in self._backups.values():
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
        self._backups.clear()


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _write_error(path: Path | None, exc: OSError) -> StorykitError:
    where = path.name if path is not None else "a file"
    reason = exc.strerror or str(exc)
    hints = {
        errno.ENOSPC: "free some disk space, then run the command again",
        errno.EDQUOT: "free some space within your disk quota, then run the command again",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "check that you may write to the backlog folder",
        errno.EPERM: "check that you may write to the backlog folder",
    }
    return StorykitError(
        f"cannot write {where}: {reason}; nothing was changed",
        hint=hints.get(exc.errno or 0, "fix the problem, then run the command again"),
    )
