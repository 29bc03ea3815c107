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

    def failing(path: Path, content: bytes) -> None:
        calls.append(path)
        if path == other and calls.count(other) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content)

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
