"""Many storykit processes at once: each success is its own commit, no update is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import SCRIPT, Repo


def _start(repo: Repo, args: list[str], wait: str) -> subprocess.Popen[str]:
    env = {**os.environ, "STORYKIT_LOCK_WAIT": wait}
    return subprocess.Popen(
        [str(SCRIPT), *args],
        cwd=repo.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tags(repo: Repo, item_id: str) -> set[str]:
    data = repo.ok("show", item_id, "--json").json()
    assert isinstance(data, dict)
    return set(data["item"]["tags"])


@pytest.mark.parametrize("wait", ["60", "0"], ids=["waiting", "not-waiting"])
def test_eight_on_one_item_and_eight_on_eight_items(repo: Repo, wait: str) -> None:
    shared = repo.new_story("Send emojis in messages")
    others = [repo.new_story(f"Story {n}") for n in range(8)]
    head = repo.head()
    jobs = [(shared, f"t{n}", _start(repo, ["set", shared, f"tags+=t{n}"], wait)) for n in range(8)]
    jobs += [
        (item, f"own{n}", _start(repo, ["set", item, f"tags+=own{n}"], wait))
        for n, item in enumerate(others)
    ]
    results = [(item, tag, job.wait(timeout=120), *job.communicate()) for item, tag, job in jobs]

    for item, tag, code, _, stderr in results:
        assert code in (0, 75), (item, tag, code, stderr)
        assert "Traceback" not in stderr
        if code == 75:
            assert stderr.startswith("error: backlog busy: process "), stderr
    succeeded = [(item, tag) for item, tag, code, _, _ in results if code == 0]
    if wait != "0":
        assert len(succeeded) == 16  # with time to wait, everyone gets its turn
    assert succeeded  # someone always gets the lock

    # One commit per success, each touching exactly its item's file.
    commits = repo.git("rev-list", "--reverse", f"{head}..HEAD").split()
    assert len(commits) == len(succeeded)
    touched = []
    for commit in commits:
        files = repo.git("show", "--name-only", "--format=", commit).split()
        assert len(files) == 1
        touched.append(files[0].split("/")[1][:7])
    assert sorted(touched) == sorted(item[:7] for item, _ in succeeded)

    # No update lost, none invented; the index and work tree agree with HEAD.
    assert _tags(repo, shared) == {tag for item, tag in succeeded if item == shared}
    for item in others:
        assert _tags(repo, item) == {tag for i, tag in succeeded if i == item}
    assert repo.status() == ""
    state = repo.root / ".git" / "storykit"
    assert not [
        p.name for p in state.iterdir() if p.name.endswith((".tmp", ".lock")) or p.name == "lock"
    ]


def test_a_file_saved_by_someone_else_meanwhile_is_not_overwritten(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = repo.new_story("Send emojis in messages")
    path = repo.item_path(story)
    # An editor session during which another editor saves the same file on disk.
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        f"original = pathlib.Path({str(path)!r})\n"
        "original.write_text(original.read_text().replace('Send emojis', 'Send emoji'))\n"
        "target = pathlib.Path(sys.argv[1])\n"
        "target.write_text(target.read_text().replace('to send emojis', 'to react with emojis'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    head = repo.head()
    result = repo.run("edit", story)
    assert result.exit_code == 75
    assert "changed on disk while storykit was working; nothing was written" in result.stderr
    text = path.read_text()
    assert "title: Send emoji in messages" in text  # the other save is kept
    assert "to send emojis" in text  # and nothing of ours was written over it
    assert repo.head() == head
    assert repo.status() == f" M {path.relative_to(repo.root)}\n"


def test_eight_new_items_at_once_get_their_own_ids_and_ranks(repo: Repo) -> None:
    repo.new_story("Already there")
    head = repo.head()
    jobs = [
        _start(repo, ["epic", "new", f"Epic {n}", "--goal", "People express emotions"], "60")
        for n in range(8)
    ]
    results = [(job.wait(timeout=120), *job.communicate()) for job in jobs]
    assert [code for code, _, _ in results] == [0] * 8, results
    assert len(repo.git("rev-list", f"{head}..HEAD").split()) == 8
    items = repo.ok("list", "--json").json()["items"]  # type: ignore[index]
    ids = [item["id"] for item in items]
    ranks = [item["rank"] for item in items]
    assert len(set(ids)) == 9
    assert len(set(ranks)) == 9 and ranks == sorted(ranks)  # each placed below the last
    assert repo.run("check").exit_code == 0
