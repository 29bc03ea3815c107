"""Changeset: applied together, undone together; a rename never leaves two copies."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from storykit.errors import StorykitError
from storykit.storage import atomic
from storykit.storage.atomic import Changeset


def test_rename_moves_the_content_in_one_step(tmp_path: Path) -> None:
    old, new = tmp_path / "SK-1-old.yaml", tmp_path / "SK-1-new.yaml"
    old.write_bytes(b"v1\n")
    changes = Changeset()
    changes.rename(old, new, b"v2\n", expected=b"v1\n")
    assert changes.paths == [new, old]  # both are committed: one added, one removed
    changes.apply()
    assert not old.exists()
    assert new.read_bytes() == b"v2\n"


def test_a_failure_after_a_rename_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new, other = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    old.write_bytes(b"a\n")
    other.write_bytes(b"c\n")
    changes = Changeset()
    changes.rename(old, new, b"b\n", expected=b"a\n")
    changes.write(other, b"c2\n", expected=b"c\n")
    real = atomic.write_atomic
    calls = []

    def failing(path: Path, content: bytes, *, durable: bool = True) -> None:
        calls.append(path)
        if path == other and calls.count(other) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content, durable=durable)

    monkeypatch.setattr(atomic, "write_atomic", failing)
    with pytest.raises(StorykitError, match=r"cannot write c\.yaml: No space left on device"):
        changes.apply()
    assert calls[0] == old  # the new content went under the old name first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "c.yaml"]
    assert old.read_bytes() == b"a\n" and other.read_bytes() == b"c\n"


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"mine\n")
    changes = Changeset()
    changes.write(path, b"ours\n", expected=b"what we read\n")
    with pytest.raises(atomic.BusyError):
        changes.apply()
    assert path.read_bytes() == b"mine\n"


def test_a_big_changeset_is_synced_once_and_put_back_whole_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import's thousands of files: no sync per file, one for all; a failure part way
    (a full disk) still leaves every file as it was."""
    kept = tmp_path / "kept.yaml"
    kept.write_bytes(b"old\n")
    changes = Changeset()
    changes.write(kept, b"new\n", expected=b"old\n")
    for n in range(40):
        changes.write(tmp_path / f"n{n}.yaml", b"x\n")
    real, syncs, durable_writes = atomic.write_atomic, [], []
    monkeypatch.setattr(atomic.os, "sync", lambda: syncs.append(1))

    def counting(path: Path, content: bytes, *, durable: bool = True) -> None:
        durable_writes.append(durable)
        real(path, content, durable=durable)

    monkeypatch.setattr(atomic, "write_atomic", counting)
    changes.apply()
    assert syncs == [1] and not any(durable_writes)
    assert kept.read_bytes() == b"new\n" and (tmp_path / "n39.yaml").exists()

    again = Changeset()
    again.write(kept, b"newer\n", expected=b"new\n")
    for n in range(40, 80):
        again.write(tmp_path / f"n{n}.yaml", b"x\n")

    def full(path: Path, content: bytes, *, durable: bool = True) -> None:
        if path.name == "n60.yaml":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content, durable=durable)

    monkeypatch.setattr(atomic, "write_atomic", full)
    with pytest.raises(StorykitError, match="No space left on device"):
        again.apply()
    assert kept.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["kept.yaml", *(f"n{n}.yaml" for n in range(40))]
    )
