"""Locking, symlinks and text normalisation (the foundation of DESIGN §1 and §7)."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

from tests.conftest import Repo


def test_busy_lock_exits_75_naming_the_holder_and_changes_nothing(repo: Repo) -> None:
    story = repo.new_story()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock = repo.root / ".git" / "storykit" / "lock"
        lock.parent.mkdir(exist_ok=True)
        lock.write_text(f"{holder.pid} changing the backlog\n")
        before = repo.snapshot()
        result = repo.run("set", story, "points=5")
        assert result.exit_code == 75
        assert f"backlog busy: process {holder.pid} (changing the backlog)" in result.stderr
        assert repo.snapshot() == before
        assert lock.read_text() == f"{holder.pid} changing the backlog\n"
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(repo: Repo) -> None:
    story = repo.new_story()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = repo.root / ".git" / "storykit" / "lock"
    lock.write_text(f"{dead.pid} changing the backlog\n")
    repo.ok("set", story, "points=5")
    assert not lock.exists()
    assert sorted(p.name for p in lock.parent.iterdir()) == []


def test_symlinked_item_file_is_refused_not_followed(
    repo: Repo, tmp_path: os.PathLike[str]
) -> None:
    outside = repo.root.parent / "outside.yaml"
    outside.write_text(
        "id: SK-L1NK\ntype: epic\ntitle: Outside\nstatus: draft\nrank: a0\ngoal: g\n"
    )
    (repo.root / "backlog" / "SK-4NK1-link.yaml").symlink_to(outside)
    result = repo.run("check")
    assert result.exit_code == 1
    assert "backlog/SK-4NK1-link.yaml:1:1: error: item files must not be symbolic links" in (
        result.stdout
    )


def test_symlinked_backlog_folder_is_refused(repo: Repo) -> None:
    real = repo.root / "elsewhere"
    (repo.root / "backlog").rename(real)
    (repo.root / "backlog").symlink_to(real)
    result = repo.run("list")
    assert result.exit_code == 3
    assert "backlog is a symbolic link" in result.stderr


def test_text_is_written_as_nfc(repo: Repo) -> None:
    decomposed = unicodedata.normalize("NFD", "Café émoji")
    story = repo.new_story(decomposed)
    text = repo.item_path(story).read_text(encoding="utf-8")
    assert "title: Café émoji" in text
    assert unicodedata.is_normalized("NFC", text)
