"""Mistakes: `rm` deletes items made by mistake, `undo` reverts the last storykit change."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Repo, git


def _id(repo: Repo, *args: str) -> str:
    data = repo.ok(*args, "--json").json()
    assert isinstance(data, dict)
    return str(data["item"]["id"])


def test_rm_deletes_in_one_commit_and_refuses_while_referred_to(repo: Repo) -> None:
    epic = _id(repo, "epic", "new", "Emoji support", "--goal", "People express emotions")
    story = repo.new_story("Send emojis", "--parent", epic)
    task = _id(repo, "task", "new", "Emoji picker", "--parent", story)
    tech = _id(repo, "tech", "new", "utf8mb4", "--why", "4 bytes", "--supports", story,
               "--depends-on", story)  # fmt: skip
    result = repo.refused("rm", story, code=1, says=f"other items refer to {story}")
    assert f"{task} (parent) → {story}" in result.stderr
    assert f"{tech} (depends_on) → {story}" in result.stderr
    assert f"{tech} (supports) → {story}" in result.stderr
    assert "--force" in result.stderr and "storykit drop" in result.stderr
    count = repo.commit_count()
    removed = repo.ok("rm", story, "--force")
    assert removed.stdout.splitlines()[0] == f"removed story {story}: Send emojis"
    assert repo.commit_count() == count + 1
    assert repo.git("log", "-1", "--format=%s").strip() == f"backlog: rm story {story}: Send emojis"
    assert len(repo.last_commit_files()) == 3
    assert story not in repo.item_path(task).read_text()
    assert story not in repo.item_path(tech).read_text()
    assert repo.ok("check").exit_code == 0
    # Several at once, the epic with them: nothing else refers to them.
    count = repo.commit_count()
    data = repo.ok("rm", task, tech, "--json").json()
    assert isinstance(data, dict)
    assert [item["id"] for item in data["items"]] == [task, tech]
    assert data["updated"] == [] and data["commit"] == repo.head()
    assert repo.commit_count() == count + 1
    repo.refused("rm", "SK-NOPE", code=2, says="no item 'SK-NOPE'")


def test_rm_force_refuses_what_would_leave_an_item_invalid(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    task = _id(repo, "task", "new", "Emoji picker", "--parent", story)
    repo.ok("status", task, "ready")  # past draft, a task needs its parent
    result = repo.refused("rm", story, "--force", code=1, says="nothing was removed")
    assert f"give {task} what it needs first" in result.stderr
    repo.ok("rm", story, task)  # both together: nothing is left pointing anywhere


def test_rm_removes_an_invalid_file(repo: Repo) -> None:
    bad = repo.root / "backlog" / "SK-BAD1-broken.yaml"
    bad.write_text("id: SK-BAD1\ntype: story\n")
    repo.git("add", ".")
    repo.git("commit", "-qm", "broken file")
    assert repo.ok("rm", "SK-BAD1").stdout.startswith("removed backlog/SK-BAD1-broken.yaml")
    assert not bad.exists()


def test_undo_reverts_the_last_change_with_a_new_commit(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    before = repo.item_path(story).read_bytes()
    repo.ok("set", story, "points=5", "title=Send and receive emojis")
    changed = repo.head()
    count = repo.commit_count()
    result = repo.ok("undo")
    assert repo.commit_count() == count + 1  # a new commit, nothing rewritten
    assert repo.git("rev-parse", "HEAD~1").strip() == changed
    assert repo.item_path(story).read_bytes() == before  # renamed back too
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(f'backlog: undo set {story} title "Send emojis" → ')
    assert f"Storykit-Action: undo\nStorykit-Item: {story}\nStorykit-Undoes: {changed}" in message
    assert result.stdout.startswith("backlog: undo set ")
    assert repo.status() == ""
    # Again: the change before it (the creation), not the undo.
    repo.ok("undo")
    assert not any(p.name.startswith(story) for p in (repo.root / "backlog").iterdir())
    assert repo.ok("list", "--all").stdout == ""
    repo.refused("undo", code=1, says="nothing to undo")


def test_undo_refuses_when_others_changed_its_files_or_it_was_pushed(
    repo: Repo, tmp_path: Path
) -> None:
    story = repo.new_story("Send emojis")
    other = repo.new_story("Receive emojis")
    repo.ok("set", story, "points=3")
    path = repo.item_path(story)
    path.write_text(path.read_text() + "x-note: by hand\n")
    repo.git("commit", "-qam", "Note by hand")
    result = repo.refused("undo", code=3, says="was changed again after")
    assert "by " in result.stderr and "Note by hand" in result.stderr
    # A hand commit to another file is passed over.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    other_path = repo.item_path(other)
    other_path.write_text(other_path.read_text() + "x-note: by hand\n")
    repo.git("commit", "-qam", "Note on the other one")
    repo.ok("undo")
    assert "points" not in path.read_text() and "x-note" in other_path.read_text()
    # Only hand commits since the last undo pair: nothing of storykit's to undo there.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    # Pushed already: refused unless --force.
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    result = repo.refused("undo", code=3, says="was pushed already: origin/main has it")
    assert "--force" in result.stderr
    repo.ok("undo", "--force")
    assert "points" not in path.read_text()
    # Uncommitted changes in the file: refused as every change is (exit 3).
    repo.git("reset", "-q", "--hard", "HEAD~1")
    path.write_text(path.read_text() + "x-wip: yes\n")
    repo.refused("undo", "--force", code=3, says="uncommitted changes")


def test_undo_stops_at_merges_and_at_hand_made_history(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "points=3")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    repo.refused("undo", code=1, says="the backlog changed in a merge")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    path = repo.item_path(story)
    repo.git("rm", "-q", str(path))
    repo.git("commit", "-qm", "Remove by hand")
    repo.refused("undo", code=3, says="was changed again after")  # the creation's file
    # Nothing but hand-made changes since the backlog was set up.
    repo.git("reset", "-q", "--hard", "HEAD~2")
    (repo.root / "backlog" / "notes.txt").write_text("by hand\n")
    repo.git("add", ".")
    repo.git("commit", "-qm", "A note by hand")
    repo.refused("undo", code=1, says="were not made by storykit")


def test_undo_sees_a_merge_whatever_its_subject_holds(repo: Repo) -> None:
    """Every log record is read by NUL-framed position: a subject holding \\x1f (or \\x01)
    does not hide a merge from undo."""
    story = repo.new_story("Send emojis")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "points=3")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "owner=dana")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge\x1ffeature\x1fx\x1fy\x01z", "feature")
    assert "\x1f" in repo.git("log", "-1", "--format=%s")
    repo.refused("undo", code=1, says="the backlog changed in a merge")


def test_rm_sees_references_in_files_that_are_not_valid(repo: Repo) -> None:
    """An invalid item that names the removed one blocks `rm` (with --force too: storykit
    cannot edit a file it cannot read): no dangling reference is ever left."""
    target = repo.new_story("Send emojis")
    other = repo.new_story("Show reactions", "--depends-on", target)
    path = repo.item_path(other)
    path.write_text(path.read_text().replace("status: draft", "status: nonsense"))
    repo.git("commit", "-qam", "a bad hand edit")
    assert repo.run("check").exit_code == 1
    says = f"({'depends_on'}) → {target}"
    repo.refused("rm", target, code=1, says=says)
    repo.refused("rm", target, "--force", code=1, says=says)
    # Not even YAML: the ID anywhere in its text.
    path.write_text(f"title: [broken\nsee {target} too\n")
    repo.git("commit", "-qam", "broken")
    repo.refused("rm", target, "--force", code=1, says=f"(text) → {target}")
    # Fixed: removed, and the reference with it (--force).
    repo.git("checkout", "-q", "HEAD~2", "--", str(path))
    repo.git("commit", "-qm", "fixed")
    repo.ok("rm", target, "--force")
    assert target not in path.read_text()


def test_undo_include_changes_carries_the_uncommitted_edits(repo: Repo) -> None:
    """`undo --include-changes` applies the undo onto the edited file: the edits stay (in
    the file and the commit), the undone change is gone; edits of the very field the undo
    restores, or of a file the undo deletes, are refused with nothing changed."""
    story = repo.new_story("Send emojis")
    repo.ok("set", story, "points=3")
    path = repo.item_path(story)
    text = path.read_text()
    path.write_text(text.replace("title:", "# a note kept by hand\ntitle:") + "x-wip: yes\n")
    repo.ok("undo", "--include-changes")
    after = path.read_text()
    assert "points" not in after
    assert "# a note kept by hand" in after and "x-wip: yes" in after
    assert repo.git("status", "--porcelain") == ""  # committed with the undo
    # The same field edited: refused, the edit kept.
    repo.ok("set", story, "points=5")
    path.write_text(path.read_text().replace("points: 5", "points: 8"))
    before = repo.snapshot()
    repo.refused("undo", "--include-changes", code=3, says="cannot carry")
    assert "points: 8" in path.read_text() and repo.snapshot() == before
    # An edited file the undo would delete (undoing its creation): refused.
    repo.git("checkout", "--", str(path))
    created = repo.new_story("Show reactions")
    new_path = repo.item_path(created)
    new_path.write_text(new_path.read_text() + "x-wip: yes\n")
    repo.refused("undo", "--include-changes", code=3, says="create or delete")
    assert "x-wip: yes" in new_path.read_text()
