"""`storykit claim --push`: a claim that holds across clones of one remote. Real clones of a
real bare remote, real processes racing; each item is claimed once in the remote's history,
and a loser's branch is left as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Repo, git
from tests.test_claims import ready_items


@pytest.fixture
def remote(repo: Repo, tmp_path: Path) -> Path:
    """A bare remote holding the project, with six ready items."""
    ready_items(repo, 6)
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.root), str(bare))
    return bare


def clone(remote: Path, repo: Repo, name: str) -> Repo:
    root = remote.parent / name
    git(remote.parent, "clone", "-q", str(remote), str(root))
    git(root, "config", "user.name", name)
    git(root, "config", "user.email", f"{name}@example.com")
    git(root, "config", "commit.gpgsign", "false")
    return Repo(root, repo.runner)


def claim_process(where: Repo, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "storykit", "claim", "--push", *args],
        cwd=where.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def claimed_in(remote: Path) -> list[str]:
    """The IDs claimed in the remote's history, one per claim commit."""
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    return [s.split()[2] for s in subjects if s.startswith("backlog: claim ")]


def test_claims_raced_across_three_clones_take_each_item_once(repo: Repo, remote: Path) -> None:
    clones = [clone(remote, repo, name) for name in ("ana", "ben", "cy")]
    racers = [
        (c, claim_process(c, "--owner", f"{c.root.name}-{n}")) for c in clones for n in (1, 2)
    ]
    results = [(c, p.wait(timeout=120), *p.communicate()) for c, p in racers]
    assert [code for _, code, _, _ in results] == [0] * 6, results
    claimed = claimed_in(remote)
    assert len(claimed) == 6 and len(set(claimed)) == 6  # each item once, no one twice
    for c in clones:  # each winner's branch holds its claims and is part of the remote's
        assert git(remote, "merge-base", "--is-ancestor", c.head(), "main", check=False) == ""
        assert c.status() == ""
    # A seventh claim finds nothing left: exit 75, the branch as it was.
    late = clone(remote, repo, "dee")
    head = late.head()
    code = claim_process(late).wait(timeout=60)
    assert code == 75 and late.head() == head and late.status() == ""


def test_one_item_raced_across_clones_has_one_winner(repo: Repo, remote: Path) -> None:
    item = ready_ids(repo)[0]
    clones = [clone(remote, repo, name) for name in ("ana", "ben", "cy")]
    starts = [c.head() for c in clones]
    racers = [claim_process(c, item) for c in clones]
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 75, 75], results
    (winner,) = [c for c, (code, _, _) in zip(clones, results, strict=True) if code == 0]
    for c, start, (code, _, err) in zip(clones, starts, results, strict=True):
        if code == 75:  # the loser's branch, files and index are as before its claim
            assert f"{item} is already claimed by {winner.root.name}" in err
            assert c.head() == start and c.status() == ""
            assert "Traceback" not in err
    assert claimed_in(remote) == [item]


def ready_ids(repo: Repo) -> list[str]:
    return [p.name[:7] for p in sorted((repo.root / "backlog").glob("SK-*.yaml"))]


def test_a_remote_that_moved_for_another_reason_gets_the_claim_on_its_tip(
    repo: Repo, remote: Path
) -> None:
    ana, ben = clone(remote, repo, "ana"), clone(remote, repo, "ben")
    (ben.root / "emoji.py").write_text("EMOJI = '🙂'\n")
    ben.git("add", "emoji.py")
    ben.git("commit", "-q", "-m", "Add the emoji table")
    ben.git("push", "-q", "origin", "main")
    tip = git(remote, "rev-parse", "main").strip()
    result = ana.run("claim", "--push", "--json")
    assert result.exit_code == 0, result.stderr
    answer = result.json()
    assert isinstance(answer, dict) and answer["pushed"] == "origin/main" and answer["tries"] == 2
    assert ana.head() == git(remote, "rev-parse", "main").strip() == answer["commit"]
    assert ana.git("rev-parse", "HEAD~1").strip() == tip  # replayed on the moved tip
    assert (ana.root / "emoji.py").exists() and ana.status() == ""
    # Without an ID, a claim whose top item was taken there moves on to the next one.
    ben_first = ben.run("claim", "--push")
    assert ben_first.exit_code == 0, ben_first.stderr
    assert len(set(claimed_in(remote))) == 2


def test_a_claim_named_and_taken_on_the_remote_gives_up_naming_the_holder(
    repo: Repo, remote: Path
) -> None:
    ana, ben = clone(remote, repo, "ana"), clone(remote, repo, "ben")
    item = ready_ids(repo)[0]
    ana.ok("claim", item, "--push")
    before = ben.snapshot()
    result = ben.run("claim", item, "--push")
    assert result.exit_code == 75
    assert f"{item} is already claimed by ana" in result.stderr
    assert ben.snapshot() == before  # branch, index, files: as before the claim


def test_a_push_refused_without_the_remote_moving_puts_the_branch_back(
    repo: Repo, remote: Path
) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'claims are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    ana = clone(remote, repo, "ana")
    before = ana.snapshot()
    result = ana.run("claim", "--push")
    assert result.exit_code == 1
    assert "origin/main refused the claim" in result.stderr and "Traceback" not in result.stderr
    assert ana.snapshot() == before


def test_a_branch_with_commits_of_its_own_merges_the_remote_in(repo: Repo, remote: Path) -> None:
    ana, ben = clone(remote, repo, "ana"), clone(remote, repo, "ben")
    ben.ok("claim", "--push")
    last = ana.run("next", "--limit", "6", "--json").json()["items"][-1]["id"]  # type: ignore[index]
    ana.ok("done", last)  # ana's own commit (an item ben did not take), not pushed yet
    mine = ana.head()
    result = ana.run("claim", "--push")
    assert result.exit_code == 0, result.stderr
    assert ana.head() == git(remote, "rev-parse", "main").strip()
    merge = ana.git("rev-parse", "HEAD~1").strip()
    assert ana.git("rev-list", "--parents", "-1", merge).split()[1:] == [
        mine,
        git(ben.root, "rev-parse", "HEAD").strip(),
    ]
    assert len(set(claimed_in(remote))) == 2 and ana.status() == ""


def test_a_merge_that_conflicts_puts_the_branch_back(repo: Repo, remote: Path) -> None:
    ana, ben = clone(remote, repo, "ana"), clone(remote, repo, "ben")
    for who, text in ((ben, "ben's\n"), (ana, "ana's\n")):
        (who.root / "notes.txt").write_text(text)
        who.git("add", "notes.txt")
        who.git("commit", "-q", "-m", "Notes")
    ben.git("push", "-q", "origin", "main")
    before = ana.snapshot()
    result = ana.run("claim", "--push")
    assert result.exit_code == 3
    assert "cannot merge origin/main into main: CONFLICT" in result.stderr
    assert ana.snapshot() == before
    assert not (ana.root / ".git" / "MERGE_HEAD").exists()
    assert claimed_in(remote) == []


def test_claim_push_says_what_is_wrong_with_the_remote(repo: Repo, remote: Path) -> None:
    ana = clone(remote, repo, "ana")
    item = ready_ids(repo)[0]
    ana.refused("claim", "--push", "SK-ZZZZ", code=2, says="no item 'SK-ZZZZ'")
    ana.git("remote", "remove", "origin")
    ana.refused("claim", item, "--push", code=2, says="there is no remote 'origin'")
    ana.refused("claim", item, "--push", "nowhere", code=2, says="no remote 'nowhere'")
    assert claimed_in(remote) == []
