"""Locking, symlinks and text normalisation."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import Repo


def _hold_lock(repo: Repo) -> subprocess.Popen[str]:
    """Another process holding the backlog lock (until killed)."""
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from storykit.storage.lock import backlog_lock\n"
        "with backlog_lock(Path(sys.argv[1]), 'storykit set SK-TEST'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    state = str(repo.root / ".git" / "storykit")
    holder = subprocess.Popen(
        [sys.executable, "-c", code, state], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_busy_lock_exits_75_naming_the_holder_and_changes_nothing(repo: Repo) -> None:
    story = repo.new_story()
    holder = _hold_lock(repo)
    try:
        lock = repo.root / ".git" / "storykit" / "lock"
        before = repo.snapshot()
        started = time.monotonic()
        result = repo.run("set", story, "points=5")
        waited = time.monotonic() - started
        assert result.exit_code == 75
        assert f"backlog busy: process {holder.pid} (storykit set SK-TEST)" in result.stderr
        assert "Traceback" not in result.stderr
        assert repo.snapshot() == before
        assert lock.read_text() == f"{holder.pid} storykit set SK-TEST\n"
        assert 0.5 <= waited < 3  # STORYKIT_LOCK_WAIT=0.5 in the tests
    finally:
        holder.kill()
        holder.wait()
    repo.ok("set", story, "points=5")  # the lock of the killed holder is simply taken


def test_lock_wait_comes_from_the_config(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    story = repo.new_story()
    monkeypatch.delenv("STORYKIT_LOCK_WAIT")
    config = repo.root / ".storykit.toml"
    text = config.read_text()
    assert "\nlock_wait = 3 " in text  # `storykit init` writes the default
    config.write_text(text.replace("\nlock_wait = 3 ", "\nlock_wait = 1.5 "))
    holder = _hold_lock(repo)
    try:
        started = time.monotonic()
        assert repo.run("set", story, "points=5").exit_code == 75
        assert 1.5 <= time.monotonic() - started < 4
    finally:
        holder.kill()
        holder.wait()


def test_a_waiting_command_goes_on_when_the_holder_ends(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = repo.new_story()
    holder = _hold_lock(repo)
    threading.Timer(0.3, holder.kill).start()
    monkeypatch.setenv("STORYKIT_LOCK_WAIT", "5")
    count = repo.commit_count()
    repo.ok("set", story, "points=5")
    assert repo.commit_count() == count + 1
    holder.wait()


def test_worktrees_share_the_lock_in_the_common_git_dir(repo: Repo, tmp_path: Path) -> None:
    story = repo.new_story()
    worktree = tmp_path / "worktree"
    repo.git("worktree", "add", "-q", "-b", "other", str(worktree))
    holder = _hold_lock(repo)
    try:
        result = repo.run("set", story, "points=5", cwd=worktree)
        assert result.exit_code == 75
        assert f"backlog busy: process {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    repo.ok("set", story, "points=5", cwd=worktree)


def test_stale_lock_and_temp_files_of_a_killed_process_are_recovered(repo: Repo) -> None:
    story = repo.new_story()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state = repo.root / ".git" / "storykit"
    lock = state / "lock"
    lock.write_text(f"{dead.pid} changing the backlog\n")
    path = repo.item_path(story)
    left = [
        path.with_name(f".{path.name}.{dead.pid}.k2x_9abc.tmp"),
        state / f"index-{dead.pid}-123456.tmp",
        state / f"index-{dead.pid}-123456.tmp.lock",
        state / f"message-{dead.pid}-123456.tmp",
        state / f".items-cache.json.{dead.pid}.abcdefgh.tmp",
    ]
    alive = [  # a living process's temp files, and files that only look similar, stay
        path.with_name(f".{path.name}.{os.getpid()}.k2x_9abc.tmp"),
        state / f"index-{os.getpid()}-1.tmp",
        repo.root / "backlog" / "notes.tmp",
    ]
    for leftover in left + alive:
        leftover.write_text("partial")
    repo.ok("set", story, "points=5")
    assert not lock.exists()
    assert [p for p in left if p.exists()] == []
    assert all(p.exists() for p in alive)


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
