"""What the adversarial review found to hold, kept tested: linked worktrees writing at once,
a failure injected at every step of a many-file change, shallow clones, odd paths and
YAML-special values."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from storykit.repository.commit import GitRepo
from storykit.repository.runner import Completed
from storykit.storage import atomic
from tests.helpers import SCRIPT, Repo, make_repo


def test_two_linked_worktrees_writing_at_once_lose_no_update(repo: Repo, tmp_path: Path) -> None:
    stories = [repo.new_story(f"Story {n}") for n in range(4)]
    worktree = tmp_path / "second"
    repo.git("worktree", "add", "-q", "-b", "second", str(worktree))
    env = {**os.environ, "STORYKIT_LOCK_WAIT": "60"}
    jobs = []
    for where in (repo.root, worktree):
        for n, story in enumerate(stories):
            args = [str(SCRIPT), "set", story, f"tags+={where.name}-{n}"]
            jobs.append(subprocess.Popen(args, cwd=where, env=env, stderr=subprocess.PIPE))
    for job in jobs:
        _, err = job.communicate(timeout=120)
        assert job.returncode == 0, err
    for branch, where in (("main", repo.root), ("second", worktree)):
        commits = repo.git("rev-list", f"HEAD~4..{branch}").split()
        assert len(commits) == 4
        for commit in commits:
            assert len(repo.git("show", "--name-only", "--format=", commit).split()) == 1
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=where, capture_output=True, text=True
        )
        assert status.stdout == ""
        for n, story in enumerate(stories):
            data = repo.ok("show", story, "--json", cwd=where).json()
            assert isinstance(data, dict)
            assert f"{where.name}-{n}" in data["item"]["tags"]


def _close_with_follow_ups(repo: Repo, spike: str) -> Any:
    return repo.run(
        "spike", "close", spike, "--outcome", "UTF-8 everywhere",
        "--follow-up", "tech: Migrate the column", "--follow-up", "story: Show a picker",
    )  # fmt: skip


def test_a_failure_at_every_step_of_a_many_file_change(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full at each file write and at each git command, in turn: nothing changes, or
    (past the moment the branch moved) the commit stands whole, with its files."""
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    real_write, real_execute = atomic.write_atomic, GitRepo.execute
    step = {"n": 0, "fail_at": -1}

    def failing_write(path: Path, content: bytes, *, durable: bool = True) -> None:
        step["n"] += 1
        if step["n"] == step["fail_at"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, content, durable=durable)

    def failing_execute(self: GitRepo, args: Any, **kwargs: Any) -> Any:
        step["n"] += 1
        if step["n"] == step["fail_at"]:
            return Completed(128, b"", "fatal: No space left on device")
        return real_execute(self, args, **kwargs)

    monkeypatch.setattr(atomic, "write_atomic", failing_write)
    monkeypatch.setattr(GitRepo, "execute", failing_execute)
    fail_at, outcomes = 1, set()
    while True:
        step.update(n=0, fail_at=fail_at)
        before, head = repo.snapshot(), repo.head()
        result = _close_with_follow_ups(repo, spike)
        if step["n"] < fail_at:  # every step passed: the change is made
            assert result.exit_code == 0, result.stderr
            break
        assert result.exit_code != 0, fail_at
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        if repo.head() == head:
            assert repo.snapshot() == before, (fail_at, result.stderr)
            outcomes.add("nothing changed")
        else:  # the branch moved: the commit holds the spike and both follow-ups
            assert "the commit was made" in result.stderr, result.stderr
            assert len(repo.last_commit_files()) == 3
            for rel in repo.last_commit_files():  # the files are as committed
                assert (repo.root / rel).read_text() == repo.git("show", f"HEAD:{rel}")
            outcomes.add("commit stands")
            repo.git("reset", "-q", "--hard", head)
            for extra in (repo.root / "backlog").glob("*.yaml"):
                if repo.git("ls-files", str(extra)) == "":
                    extra.unlink()
        fail_at += 1
    assert fail_at > 10 and outcomes == {"nothing changed", "commit stands"}


def test_a_shallow_clone_works(repo: Repo, tmp_path: Path) -> None:
    story = repo.new_story()
    for points in ("1", "2", "3"):
        repo.ok("set", story, f"points={points}")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True
    )
    for key, value in (("user.name", "Sam"), ("user.email", "sam@example.com")):
        subprocess.run(["git", "config", key, value], cwd=clone, check=True)
    shallow = Repo(clone, repo.runner)
    shallow.ok("set", story, "points=5")
    assert shallow.status() == ""
    assert len(shallow.ok("log", story, "--json").json()["commits"]) == 2  # type: ignore[index]
    shallow.ok("diff", "HEAD~1")
    shallow.ok("check")


def test_odd_paths(tmp_path: Path, runner: Any) -> None:
    root = make_repo(tmp_path / "a repo with spaces, 'quotes' & ü #hash")
    repo = Repo(root, runner)
    repo.ok("init")
    config = root / ".storykit.toml"
    config.write_text(config.read_text().replace('"backlog"', '"plans/our backlög"'))
    repo.git("commit", "-qam", "odd backlog folder")
    story = repo.ok(
        "story", "new", "Émoji — 😀 in messages", "--as-a", "user", "--i-want", "x",
        "--so-that", "y", "--json",
    ).json()["item"]["id"]  # type: ignore[index]  # fmt: skip
    repo.ok("set", story, "points=3")
    repo.ok("set", story, "title=Émoji 2")
    assert repo.status() == ""
    assert len(repo.ok("log", story, "--json").json()["commits"]) == 3  # type: ignore[index]
    assert "Émoji 2" in repo.ok("list").stdout
    repo.ok("check")
    repo.ok("diff", "HEAD~3")


@pytest.mark.parametrize(
    "title",
    ["yes", "No", "null", "~", "2026-11-21", "1e3", "0x1F", "- x", "# x", "'q'", '"q"',
     "a: b", "@x", "|", "[x]", "{x}", "*x", "&x", "!x", "%x", "x #y", "  padded  "],
)  # fmt: skip
def test_yaml_special_values_read_back_as_written(repo: Repo, title: str) -> None:
    data = repo.ok(
        "story", "new", "--as-a", "user", "--i-want", title, "--so-that", "y",
        "--tag", "yes", "--json", "--", title,
    ).json()  # fmt: skip
    assert isinstance(data, dict)
    item = data["item"]["id"]
    shown = repo.ok("show", item, "--json").json()
    assert isinstance(shown, dict)
    assert shown["item"]["title"] == title.strip()
    assert shown["item"]["i_want"] == title
    assert shown["item"]["tags"] == ["yes"]
    repo.ok("check")
