"""`storykit start ID --branch [NAME]`: a branch named after the item, the move to
in-progress committed on it; an existing branch checked out, not made again; a refused
move leaves HEAD, the branches and the files as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Repo


def _ready(repo: Repo, title: str) -> str:
    """A story that may go to in-progress (points and acceptance criteria)."""
    return repo.new_story(title, "--points", "2", "--acceptance-criteria", "It works")


def _branch(repo: Repo) -> str:
    return repo.git("symbolic-ref", "--short", "HEAD").strip()


def test_start_on_a_branch_named_after_the_item(repo: Repo) -> None:
    story = _ready(repo, "Send emojis")
    main = repo.head()
    result = repo.ok("start", story, "--branch")
    name = f"{story.lower()}-send-emojis"
    assert f"on new branch {name}" in result.stdout
    assert _branch(repo) == name
    assert repo.git("log", "-1", "--format=%s").strip() == (
        f"backlog: {story} → in-progress: Send emojis"
    )
    assert repo.git("rev-parse", "main").strip() == main  # main did not move
    assert repo.git("rev-parse", f"{name}~1").strip() == main
    assert repo.status() == ""
    # Back on main, starting it again checks the branch out: not made again, no new commit.
    repo.git("switch", "-q", "main")
    tip = repo.git("rev-parse", name).strip()
    again = repo.run("start", story, "--branch", "--json")
    assert again.exit_code == 0, again.stderr
    answer = again.json()
    assert isinstance(answer, dict)
    assert answer["branch"] == {"name": name, "created": False}
    assert answer["changed"] is False and answer["item"]["status"] == "in-progress"
    assert _branch(repo) == name and repo.git("rev-parse", name).strip() == tip


def test_a_named_branch_and_a_configured_pattern(repo: Repo) -> None:
    first = _ready(repo, "Emoji picker")
    repo.ok("start", first, "--branch", "emoji/picker")
    assert _branch(repo) == "emoji/picker"
    repo.git("switch", "-q", "main")
    config = repo.root / ".storykit.toml"
    config.write_text(
        config.read_text() + '\n[trace]\nbranch = "{type}/{id}"\n'
        if "[trace]" not in config.read_text()
        else config.read_text().replace('branch = "{id}-{slug}"', 'branch = "{type}/{id}"')
    )
    repo.git("commit", "-qam", "trace pattern")
    second = _ready(repo, "Emoji search")
    repo.ok("start", second, "--branch")
    assert _branch(repo) == f"story/{second.lower()}"


def test_a_refused_move_leaves_everything_as_it_was(repo: Repo) -> None:
    story = repo.new_story("No estimate yet")  # a story needs points to leave draft
    before = repo.snapshot()
    branches = repo.git("branch", "--list")
    result = repo.run("start", story, "--branch")
    assert result.exit_code != 0
    assert "points" in result.stderr
    assert _branch(repo) == "main"
    assert repo.git("branch", "--list") == branches  # the branch made for it is gone
    assert repo.snapshot() == before


def test_bad_branch_requests_are_refused(repo: Repo) -> None:
    one, two = _ready(repo, "One"), _ready(repo, "Two")
    before = repo.snapshot()
    bad = repo.run("start", one, "--branch", "no..dots")
    assert bad.exit_code == 2 and "is not a name git takes for a branch" in bad.stderr
    several = repo.run("start", one, two, "--branch")
    assert several.exit_code == 2 and "--branch starts one item" in several.stderr
    no_commit = repo.run("start", one, "--branch", "--no-commit")
    assert no_commit.exit_code == 2
    assert repo.snapshot() == before


def _code_commit(repo: Repo, name: str, message: str) -> str:
    (repo.root / "src").mkdir(exist_ok=True)
    (repo.root / "src" / name).write_text(f"{name}\n")
    repo.git("add", "src")
    repo.git("commit", "-qm", message)
    return repo.head()


def test_show_lists_the_commits_and_branches_that_name_the_item(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = _ready(repo, "Send emojis")
    other = _ready(repo, "Emoji search")
    lower = _code_commit(repo, "a.py", f"Emoji picker for {story.lower()}")
    _code_commit(repo, "b.py", f"Not this one: x{story} nor {story}x nor {story}_old")
    body = _code_commit(repo, "c.py", f"Render emoji\n\nPart of {story}, see also {other}.")
    repo.ok("set", story, "owner=dana", f"notes=About {story}")  # a backlog commit: not code
    repo.git("branch", f"{story.lower()}-send-emojis")
    repo.git("branch", f"feature/{story}")
    repo.git("branch", f"{story}x-other")
    answer = repo.ok("show", story, "--json").json()
    assert isinstance(answer, dict)
    code = answer["code"]
    assert [c["sha"] for c in code["commits"]] == [body, lower]  # newest first
    assert code["commits"][1] == {
        "sha": lower, "subject": f"Emoji picker for {story.lower()}",
        "author": "Pat Owner", "date": code["commits"][1]["date"],
    }  # fmt: skip
    assert sorted(code["branches"]) == sorted([f"{story.lower()}-send-emojis", f"feature/{story}"])
    text = repo.ok("show", story).stdout
    assert "code (2 commits):" in text and f"branch feature/{story}" in text
    other_code = repo.ok("show", other, "--json").json()["code"]  # type: ignore[index]
    assert [c["sha"] for c in other_code["commits"]] == [body]
    # A second show reads the caches (git logs nothing): the same answer; a new commit is
    # read on top of it.
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert repo.ok("show", story, "--json").json()["code"] == code  # type: ignore[index]
    monkeypatch.delenv("GIT_TRACE")
    assert [line for line in trace.read_text().splitlines() if " log " in line] == []
    newer = _code_commit(repo, "d.py", f"Fix {story}")
    again = repo.ok("show", story, "--json").json()["code"]  # type: ignore[index]
    assert [c["sha"] for c in again["commits"]] == [newer, body, lower]
    logged = repo.ok("log", story, "--code", "--json").json()
    assert isinstance(logged, dict)
    kinds = [(c["commit"], c["code"]) for c in logged["commits"]]
    assert (newer, True) in kinds and (lower, True) in kinds
    assert any(not is_code for _, is_code in kinds)  # the item's own history is there too
    plain = repo.ok("log", story, "--json").json()
    assert isinstance(plain, dict) and not any(c["code"] for c in plain["commits"])


def test_sync_closes_what_merged_squashed_and_rebased_branches_say(repo: Repo) -> None:
    merged, squashed, rebased, refused, done_already = (
        _ready(repo, t) for t in ("Merged", "Squashed", "Rebased", "Refused", "Done already")
    )
    repo.ok("start", merged, squashed, rebased, done_already)
    repo.ok("done", done_already)
    spike = repo.new_spike("Which emoji font?")  # done needs an outcome: the gate refuses
    repo.ok("spike", "start", spike)
    # A merged branch.
    repo.git("switch", "-q", "-c", "merged")
    _code_commit(repo, "m.py", f"Emoji picker\n\ncloses {merged.lower()}")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'merged'", "merged")
    # A squash-merged branch: its messages in the squash commit's.
    repo.git("switch", "-q", "-c", "squashed")
    _code_commit(repo, "s.py", f"Squash me\n\nFixes: {squashed}")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--squash", "squashed")
    repo.git("commit", "-qm", f"Squashed work (#3)\n\n* Squash me\n\nFixes: {squashed}")
    # A rebased branch: new commits, the same message.
    repo.git("switch", "-q", "-c", "rebased", "HEAD~1")
    _code_commit(repo, "r.py", f"RESOLVES {rebased}; also closes {spike}, closes {done_already}")
    repo.git("rebase", "-q", "main")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "rebased")
    _code_commit(repo, "x.py", f"Mentions {refused} but closes nothing; closesSK-0000 neither")
    count = repo.commit_count()
    result = repo.run("sync", "--json")
    assert result.exit_code == 1, result.stderr  # the spike could not be closed
    answer = result.json()
    assert isinstance(answer, dict)
    assert sorted(i["id"] for i in answer["items"]) == sorted([merged, squashed, rebased])
    assert all(i["status"] == "done" for i in answer["items"])
    assert answer["already_done"] == [done_already]
    assert [r["id"] for r in answer["refused"]] == [spike]
    said = answer["refused"][0]["message"] + (answer["refused"][0]["hint"] or "")
    assert "outcome" in said and "storykit spike close" in said  # why, and the fix
    assert repo.commit_count() == count + 1
    subject = repo.git("log", "-1", "--format=%s").strip()
    assert subject.startswith("backlog: sync ") and "(closed by " in subject
    status = {i["id"]: i["status"] for i in repo.ok("list", "--all", "--json").json()["items"]}  # type: ignore[index]
    assert status[refused] == "draft" and status[spike] == "in-progress"  # left as they were
    again = repo.run("sync")
    assert again.exit_code == 1 and repo.commit_count() == count + 1  # nothing more to do
    assert "refused:" in again.stderr
    # --since: only what came after.
    repo.ok("spike", "close", spike, "--outcome", "The platform font.")
    late = _ready(repo, "Late")
    repo.ok("start", late)
    base = repo.head()
    _code_commit(repo, "late.py", f"Closes {late}")
    since = repo.ok("sync", "--since", base)
    assert f"{late} → done" in since.stdout
