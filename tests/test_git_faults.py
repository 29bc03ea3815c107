"""Git getting in the way: a held index lock, a branch moved meanwhile, a hook's variables."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import SCRIPT, Repo, make_repo


def test_a_held_index_lock_is_waited_for_then_75_and_never_removed(repo: Repo) -> None:
    story = repo.new_story()
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")  # another git command is writing the index
    before = repo.snapshot()
    for args in (("set", story, "points=5"), ("epic", "new", "Emoji support", "--goal", "g")):
        started = time.monotonic()
        result = repo.run(*args)
        assert result.exit_code == 75, result.stderr
        assert "another git command is using the index" in result.stderr
        assert "nothing was changed" in result.stderr
        assert "Traceback" not in result.stderr
        assert time.monotonic() - started >= 1.5  # it waited for the other command first
        assert repo.snapshot() == before
        assert lock.exists()
    lock.unlink()


def test_an_index_lock_released_meanwhile_is_waited_for(repo: Repo) -> None:
    story = repo.new_story()
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")
    threading.Timer(0.3, lock.unlink).start()
    repo.ok("set", story, "points=5")
    assert "points: 5" in repo.git("show", f"HEAD:backlog/{repo.item_path(story).name}")
    assert repo.status() == ""


def test_a_branch_moved_to_a_commit_holding_the_change_keeps_the_files(repo: Repo) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    # Someone commits exactly storykit's staged tree while storykit runs its hooks.
    _someone_commits_meanwhile(repo, '"$(git write-tree)"', "someone else, same change")
    result = repo.run("set", story, "points=5")
    assert result.exit_code == 75
    assert "the new commit already holds this change" in result.stderr
    assert "nothing was committed" not in result.stderr
    assert repo.git("log", "-1", "--format=%s") == "someone else, same change\n"
    assert "points: 5" in path.read_text()  # never put back behind a commit that has it
    assert repo.status() == ""


def _someone_commits_meanwhile(repo: Repo, tree: str, subject: str = "someone else") -> None:
    """A pre-commit hook that commits `tree` (shell) on the branch, as another process
    would while storykit is between reading HEAD and moving it."""
    repo.hook(
        "pre-commit",
        f'moved=$(git commit-tree {tree} -p HEAD -m "{subject}")\n'
        'git update-ref refs/heads/main "$moved"\n',
    )


def test_a_branch_moved_during_the_command_fails_the_swap_and_changes_nothing(
    repo: Repo,
) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    before_file, before_index, before_status = path.read_bytes(), repo.index(), repo.status()
    # Someone else commits on the branch while storykit is between reading HEAD and moving it.
    _someone_commits_meanwhile(repo, '"$(unset GIT_INDEX_FILE; git rev-parse HEAD^{tree})"')
    result = repo.run("set", story, "points=5")
    assert result.exit_code == 75
    assert "the branch moved while storykit was committing; nothing was committed" in result.stderr
    assert repo.git("log", "-1", "--format=%s") == "someone else\n"
    assert path.read_bytes() == before_file
    assert repo.index() == before_index
    assert repo.status() == before_status
    leftovers = [p for p in (repo.root / ".git" / "storykit").iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def _other_repo(tmp_path: Path) -> Path:
    other = make_repo(tmp_path / "other")
    (other / "app.txt").write_text("v1\n")
    _git(other, "add", "app.txt")
    _git(other, "commit", "-qm", "app")
    return other


def _state(other: Path) -> tuple[str, str, str]:
    return _git(other, "rev-parse", "HEAD"), _git(other, "ls-files", "-s"), _git(other, "status")


def test_git_variables_inherited_from_elsewhere_are_ignored(repo: Repo, tmp_path: Path) -> None:
    story = repo.new_story()
    other = _other_repo(tmp_path)
    before = _state(other)
    env = {
        **os.environ,
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_INDEX_FILE": str(other / ".git" / "index"),
        "GIT_COMMON_DIR": str(other / ".git"),
        "GIT_OBJECT_DIRECTORY": str(other / ".git" / "objects"),
    }
    head = repo.head()
    result = subprocess.run(
        [str(SCRIPT), "set", story, "points=5"],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert repo.git("rev-parse", "HEAD~1").strip() == head
    assert repo.last_commit_files() == [f"backlog/{repo.item_path(story).name}"]
    assert repo.status() == ""
    assert _state(other) == before


def test_storykit_run_from_another_repositorys_hook(repo: Repo, tmp_path: Path) -> None:
    """A pre-commit hook of another repository changes this backlog: each repository gets
    its own commit, with its own files."""
    story = repo.new_story()
    other = _other_repo(tmp_path)
    hook = other / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\ncd '{repo.root}' && '{SCRIPT}' set {story} points=8\n")
    hook.chmod(0o755)
    (other / "app.txt").write_text("v2\n")
    subprocess.run(["git", "add", "app.txt"], cwd=other, check=True)
    commit = subprocess.run(
        ["git", "commit", "-qm", "app v2"], cwd=other, capture_output=True, text=True, check=False
    )
    assert commit.returncode == 0, commit.stderr
    shown = _git(other, "show", "--name-only", "--format=%s", "HEAD").split()
    assert shown == ["app", "v2", "app.txt"]
    assert repo.last_commit_files() == [f"backlog/{repo.item_path(story).name}"]
    assert "points: 8" in repo.item_path(story).read_text()
    assert repo.status() == ""


def test_git_that_cannot_start_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storykit.errors import GitError
    from storykit.repository.runner import run_git

    with pytest.raises(GitError, match=r"cannot run git in .*gone: No such file"):
        run_git(["--version"], cwd=tmp_path / "gone")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitError, match="git is not installed"):
        run_git(["--version"], cwd=tmp_path)
