"""A team's real conflicts settled with storykit alone: `resolve ID FIELD=VALUE`,
`--ours`/`--theirs FIELD`, during a merge, a rebase and a cherry-pick; every conflict told
with both values (a rank as places in the open list); what `git checkout --theirs` loses."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from storykit.yamlio import read_document
from tests.helpers import Repo


def fields(path: Path) -> dict[str, object]:
    return read_document(path.read_bytes(), path.name).to_plain()


def git_run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_EDITOR": "true"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


def clash(repo: Repo, feature: list[str], main: list[str]) -> str:
    """A story both branches changed; `feature` merged into main by git (the driver on)."""
    for title in ("Show reactions", "Search by emoji", "Recent emojis"):
        repo.new_story(title, "--points", "2")
    story = repo.new_story("Send emojis", "--points", "3")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, *feature)
    repo.git("switch", "-q", "main")
    repo.ok("set", story, *main)
    return story


def test_settle_one_field_at_a_time_then_commit(repo: Repo) -> None:
    story = clash(repo, ["owner=dana", "points=8"], ["owner=eli", "points=5"])
    merged = git_run(repo.root, "merge", "--no-edit", "feature")
    assert merged.returncode == 1
    assert "points: 5 on HEAD, 8 on feature" in merged.stderr
    assert "owner: eli on HEAD, dana on feature" in merged.stderr
    assert f"storykit resolve {story} points=VALUE" in merged.stderr
    path = repo.item_path(story)
    told = repo.run("resolve")
    assert told.exit_code == 1
    assert "points: 5 on HEAD, 8 on feature" in told.stdout
    first = repo.run("resolve", story, "points=13")
    assert first.exit_code == 1 and "conflict: owner" in first.stdout
    assert "kept in" not in first.stdout
    assert "points: 13" in path.read_text() and "<<<<<<<" in path.read_text()
    assert "UU " in repo.git("status", "--porcelain")  # not staged while a conflict is left
    second = repo.run("resolve", story, "--theirs", "owner")
    assert second.exit_code == 0, second.stdout
    assert "merged" in second.stdout and "next: git commit" in second.stdout
    assert "kept in" not in second.stdout
    assert fields(path)["points"] == 13 and fields(path)["owner"] == "dana"
    assert repo.git("status", "--porcelain").startswith("M  ")
    assert git_run(repo.root, "commit", "--no-edit").returncode == 0
    assert repo.run("check").exit_code == 0
    log = repo.ok("log", story).stdout
    # The merge shows what it decided itself (13, neither side's); dana came with the
    # feature's own commit, shown there.
    merge_entry = log.split("Merge branch 'feature'")[1].split("\n")[1:2]
    assert merge_entry == ["    points: 5 → 13"]
    assert "owner: added (dana)" in log


def test_bad_settlements_are_refused_and_change_nothing(repo: Repo) -> None:
    story = clash(repo, ["owner=dana", "points=8"], ["owner=eli", "points=5"])
    git_run(repo.root, "merge", "--no-edit", "feature")
    before = repo.snapshot()
    repo.refused("resolve", story, "points=lots", code=1, says="is not a number")
    repo.refused("resolve", story, "title=Other", code=2, says="title: not in conflict")
    repo.refused("resolve", story, "--ours", "owner", "--theirs", "owner", code=2, says="both")
    repo.refused(
        "resolve", story, "points=3", "--ours", "points", code=2, says="a value and a side"
    )
    repo.refused("resolve", "SK-ZZZZ", "points=3", code=2, says="not a conflicted backlog file")
    repo.refused("resolve", "points=3", code=2, says="name the one conflicted item")
    assert repo.snapshot() == before


def test_a_settlement_must_pass_the_gates(repo: Repo) -> None:
    """Ready on one side, points cleared on the other: status and points conflict; taking
    `ready` and no points is refused as `set` would refuse it."""
    story = repo.new_story("Send emojis", "--points", "3", "--acceptance-criteria", "works")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "points=")
    repo.git("switch", "-q", "main")
    repo.ok("status", story, "ready")
    merged = git_run(repo.root, "merge", "--no-edit", "feature")
    assert merged.returncode == 1 and "status: ready on HEAD, draft on feature" in merged.stderr
    before = repo.snapshot()
    refused = repo.refused(
        "resolve", story, "--ours", "status", "--theirs", "points", code=1, says="was not settled"
    )
    assert "points" in refused.stderr
    assert repo.snapshot() == before
    assert repo.run("resolve", story, "--ours", "status", "points=5").exit_code == 0
    assert fields(repo.item_path(story))["points"] == 5


def test_a_rank_conflict_is_told_as_places_never_as_keys(repo: Repo) -> None:
    story = clash(repo, ["owner=dana"], ["owner=dana"])
    others = [i for i in repo.ok("list", "--json").json()["items"] if i["id"] != story]  # type: ignore[index]
    repo.git("switch", "-q", "feature")
    repo.ok("rank", story, "--top")
    repo.git("switch", "-q", "main")
    repo.ok("rank", story, "--after", others[1]["id"])
    merged = git_run(repo.root, "merge", "--no-edit", "feature")
    assert merged.returncode == 1
    assert "rank: #3 on HEAD, #1 on feature" in merged.stderr, merged.stderr  # the driver
    told = repo.run("resolve")
    assert "rank: #3 on HEAD, #1 on feature" in told.stdout, told.stdout
    keys = {
        fields(p)["rank"]
        for p in (repo.root / "backlog").glob("SK-*.yaml")
        if p != repo.item_path(story)
    }
    assert not any(str(key) in told.stdout for key in keys)
    checked = repo.run("check")
    assert "in conflict: rank: #3 on HEAD, #1 on feature" in checked.stdout
    assert f"storykit resolve {story} --ours rank" in checked.stdout
    assert repo.run("resolve", story, "--theirs", "rank").exit_code == 0
    assert git_run(repo.root, "commit", "--no-edit").returncode == 0
    assert repo.ok("list", "--json").json()["items"][0]["id"] == story  # type: ignore[index]


@pytest.mark.parametrize("how", ["rebase", "cherry-pick"])
def test_settled_in_a_rebase_and_a_cherry_pick(repo: Repo, how: str) -> None:
    story = clash(repo, ["owner=dana"], ["owner=eli"])
    repo.git("switch", "-q", "feature")
    replayed = repo.git("log", "-1", "--format=%h (%s)").strip()
    if how == "rebase":
        stopped = git_run(repo.root, "rebase", "main")
    else:
        repo.git("switch", "-q", "main")
        stopped = git_run(repo.root, "cherry-pick", "feature")
    assert stopped.returncode != 0
    told = repo.run("resolve")
    assert f"owner: eli on HEAD, dana on {replayed}" in told.stdout, told.stdout
    go_on = f"git {how} --continue"
    settled = repo.run("resolve", story, "--theirs", "owner")
    assert settled.exit_code == 0 and f"next: {go_on}" in settled.stdout
    assert git_run(repo.root, how, "--continue").returncode == 0
    assert fields(repo.item_path(story))["owner"] == "dana"
    assert repo.run("check").exit_code == 0


def test_taking_a_whole_side_is_warned_about(repo: Repo) -> None:
    """`git checkout --theirs FILE` drops what merged cleanly (our points change here):
    resolve says so, and how to get the conflict back."""
    story = clash(repo, ["owner=dana"], ["owner=eli", "points=8"])
    git_run(repo.root, "merge", "--no-edit", "feature")
    rel = str(repo.item_path(story).relative_to(repo.root))
    repo.git("checkout", "--theirs", rel)
    repo.git("add", rel)
    warned = repo.run("resolve")
    assert "lost what merged cleanly (points: 8)" in warned.stderr, warned.stderr
    assert f"git checkout -m {rel}" in warned.stderr
    repo.git("checkout", "-m", rel)
    assert repo.run("resolve", story, "--theirs", "owner").exit_code == 0
    assert fields(repo.item_path(story))["points"] == 8
    assert re.search(r"owner: dana", repo.item_path(story).read_text())


@pytest.mark.parametrize("renamed_on", ["feature", "main"])
def test_log_shows_a_settled_merge_as_its_changes_when_one_side_renamed(
    repo: Repo, renamed_on: str
) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "points=8")
    if renamed_on == "feature":
        repo.ok("set", story, "title=Send emojis in chats")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "points=5")
    if renamed_on == "main":
        repo.ok("set", story, "title=Send emojis in chats")
    assert git_run(repo.root, "merge", "--no-edit", "feature").returncode == 1
    assert repo.run("resolve", story, "points=13").exit_code == 0
    assert git_run(repo.root, "commit", "--no-edit").returncode == 0
    log = repo.ok("log", story).stdout
    merge_entry = log.split("Merge branch 'feature'\n")[1].split("\n")[0]
    assert merge_entry == "    points: 5 → 13", log
    assert log.count("created") == 1  # the story's first commit only


def test_two_clones_adding_at_the_bottom_leave_no_rank_tie(repo: Repo, tmp_path: Path) -> None:
    """Each clone adds an item at the bottom of the same backlog (the same spot): their keys
    differ, so the merged backlog has no tie for `check` to warn about in every CI run."""
    repo.new_story("Send emojis")
    other = tmp_path / "other"
    repo.git("clone", "-q", str(repo.root), str(other))
    for clone in (repo.root, other):
        subprocess.run(["git", "config", "user.name", "Dev"], cwd=clone, check=True)
        subprocess.run(["git", "config", "user.email", "dev@example.com"], cwd=clone, check=True)
    mine = repo.new_story("Show reactions")
    theirs = repo.ok(
        "story",
        "new",
        "Recent emojis",
        "--as-a",
        "user",
        "--i-want",
        "recent",
        "--so-that",
        "fast",
        "--json",
        cwd=other,
    ).json()["item"]["id"]  # type: ignore[index]
    repo.git("pull", "-q", "--no-rebase", "--no-edit", str(other), "main")
    checked = repo.run("check")
    assert checked.exit_code == 0 and "same key" not in checked.stdout, checked.stdout
    order = [i["id"] for i in repo.ok("list", "--json").json()["items"]]  # type: ignore[index]
    assert set(order[1:]) == {mine, theirs}
