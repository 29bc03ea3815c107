"""`storykit resolve` on conflicts git made without the driver, and the driver set up in
every clone: `init` on an existing project, committing commands, `check`'s warning."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from storykit.yamlio import read_document
from tests.helpers import Repo, git


def fields(path: Path) -> dict[str, object]:
    return read_document(path.read_bytes(), path.name).to_plain()


def without_driver(repo: Repo) -> None:
    repo.git("config", "--remove-section", "merge.storykit")


def conflicted_merge(repo: Repo, story: str, ours: list[str], theirs: list[str]) -> None:
    """`theirs` on a branch, `ours` on main, merged by git as text: a conflict."""
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, *theirs)
    repo.git("switch", "-q", "main")
    repo.ok("set", story, *ours)
    without_driver(repo)
    done = subprocess.run(["git", "merge", "feature"], cwd=repo.root, capture_output=True)
    assert done.returncode == 1, done.stdout
    assert "<<<<<<<" in repo.item_path(story).read_text()


def test_a_clone_never_set_up_resolves_commits_and_checks_clean(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3", "--tag", "chat")
    conflicted_merge(repo, story, ["points=5", "tags+=ux"], ["owner=dana", "tags+=mobile"])
    result = repo.run("resolve")
    assert result.exit_code == 0, result.stdout
    name = repo.item_path(story).relative_to(repo.root)
    assert f"{name}: merged" in result.stdout
    assert "next: git commit" in result.stdout
    assert "this clone: merge driver set up" in result.stdout
    assert repo.git("status", "--porcelain") == f"M  {name}\n"
    merged = fields(repo.item_path(story))
    assert (merged["points"], merged["owner"], merged["tags"]) == (
        5,
        "dana",
        ["chat", "ux", "mobile"],
    )
    repo.git("commit", "-q", "--no-edit")
    checked = repo.run("check")
    assert checked.exit_code == 0 and "warning" not in checked.stdout, checked.stdout


def test_a_true_conflict_keeps_markers_on_that_field_only(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    conflicted_merge(repo, story, ["owner=eli", "points=5"], ["owner=dana", "tags+=ux"])
    result = repo.run("resolve")
    assert result.exit_code == 1
    path = repo.item_path(story)
    assert f"{path.relative_to(repo.root)}: conflict: owner" in result.stdout
    assert "then git commit" in result.stdout
    text = path.read_text()
    assert "<<<<<<< HEAD\nowner: eli\n=======\nowner: dana\n>>>>>>> feature\n" in text
    assert "points: 5\n" in text and "  - ux\n" in text
    assert repo.git("status", "--porcelain").startswith("UU ")


def test_both_sides_retitled_become_one_file(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    conflicted = ["title=Send emojis in chat", "owner=dana"]
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, *conflicted)
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "title=Send emojis everywhere", "points=5")
    without_driver(repo)
    subprocess.run(["git", "merge", "feature"], cwd=repo.root, capture_output=True)
    assert len(list((repo.root / "backlog").glob(f"{story}-*.yaml"))) == 2
    result = repo.run("resolve")
    assert result.exit_code == 1
    (path,) = (repo.root / "backlog").glob(f"{story}-*.yaml")
    assert path.name == f"{story}-send-emojis-everywhere.yaml"
    text = path.read_text()
    assert (
        "<<<<<<< HEAD\ntitle: Send emojis everywhere\n=======\ntitle: Send emojis in chat\n" in text
    )
    assert "owner: dana" in text and "points: 5" in text
    assert repo.git("status", "--porcelain").splitlines() == [f"AU backlog/{path.name}"]


def test_both_sides_retitled_alike_and_changed_other_fields(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "title=Send emojis in chat")
    repo.ok("set", story, "owner=dana")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "title=Send emojis everywhere")
    repo.ok("set", story, "points=5")
    repo.git("switch", "-q", "feature")
    repo.ok("set", story, "title=Send emojis everywhere")  # agreed, after the fact
    repo.git("switch", "-q", "main")
    without_driver(repo)
    subprocess.run(["git", "merge", "feature"], cwd=repo.root, capture_output=True)
    if repo.git("ls-files", "-u"):
        assert repo.run("resolve").exit_code == 0
    (path,) = (repo.root / "backlog").glob(f"{story}-*.yaml")
    merged = fields(path)
    assert (merged["title"], merged["owner"], merged["points"]) == (
        "Send emojis everywhere",
        "dana",
        5,
    )


def test_a_stopped_rebase_says_continue(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "owner=dana")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "points=5")
    without_driver(repo)
    repo.git("switch", "-q", "feature")
    rebase = subprocess.run(["git", "rebase", "main"], cwd=repo.root, capture_output=True)
    assert rebase.returncode != 0
    result = repo.run("resolve")
    assert result.exit_code == 0, result.stdout
    assert "next: git rebase --continue" in result.stdout


def test_only_backlog_files_and_a_deletion_is_left_to_the_user(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    (repo.root / "notes.txt").write_text("one\n")
    repo.git("add", "notes.txt")
    repo.git("commit", "-qm", "notes")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("rm", story)
    (repo.root / "notes.txt").write_text("two\n")
    repo.git("commit", "-qam", "notes two")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "owner=eli")
    (repo.root / "notes.txt").write_text("three\n")
    repo.git("commit", "-qam", "notes three")
    subprocess.run(["git", "merge", "feature"], cwd=repo.root, capture_output=True)
    notes = (repo.root / "notes.txt").read_bytes()
    refused = repo.run("resolve", "notes.txt")
    assert refused.exit_code == 2 and "only touches backlog files" in refused.stderr
    result = repo.run("resolve")
    assert result.exit_code == 1
    assert "left: deleted in theirs, changed in ours" in result.stdout
    assert "resolve the other conflicted files" not in result.stdout
    assert (repo.root / "notes.txt").read_bytes() == notes
    assert "UU notes.txt" in repo.git("status", "--porcelain")


def test_nothing_to_resolve(repo: Repo) -> None:
    result = repo.ok("resolve")
    assert result.stdout == "nothing to resolve: no backlog file is in conflict\n"


def test_init_in_an_existing_project_adds_the_line_once(repo: Repo) -> None:
    (repo.root / ".gitattributes").write_text("*.png binary\n")
    repo.git("commit", "-qam", "attributes of our own")
    without_driver(repo)
    commits = repo.commit_count()
    result = repo.ok("init")
    assert ".gitattributes: merge driver added" in result.stdout
    assert "this clone: merge driver set up" in result.stdout
    assert (repo.root / ".gitattributes").read_text() == (
        "*.png binary\nbacklog/*.yaml merge=storykit\nbacklog/sprints/*.yaml merge=storykit\n"
    )
    assert repo.commit_count() == commits + 1
    assert repo.last_commit_files() == [".gitattributes"]
    again = repo.ok("init")
    assert ".gitattributes: already names the merge driver" in again.stdout
    assert repo.commit_count() == commits + 1


def test_a_fresh_clone_is_set_up_by_init_or_any_change_and_check_warns(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = repo.new_story("Send emojis")
    clone = Repo(tmp_path / "clone", repo.runner)
    git(tmp_path, "clone", "-q", str(repo.root), str(clone.root))
    clone.git("config", "user.name", "Dev")
    clone.git("config", "user.email", "dev@example.com")
    checked = clone.run("check")
    assert ".gitattributes:1:1: warning: this clone has no merge driver" in checked.stdout
    assert "`storykit setup` sets it up" in checked.stdout
    commits = clone.commit_count()
    assert "this clone: merge driver set up" in clone.ok("init").stdout
    assert clone.commit_count() == commits
    assert "warning" not in clone.ok("check").stdout
    clone.git("config", "--remove-section", "merge.storykit")
    monkeypatch.setenv("CI", "true")  # CI's fresh clones check and never merge: no warning
    assert "warning" not in clone.ok("check").stdout
    monkeypatch.delenv("CI")
    clone.ok("set", story, "owner=dana")
    assert clone.git("config", "--get", "merge.storykit.driver").strip()


def test_init_follows_the_backlog_folder(bare_repo: Repo) -> None:
    (bare_repo.root / ".storykit.toml").write_text('backlog_dir = "plans/my backlog"\n')
    bare_repo.git("add", ".storykit.toml")
    bare_repo.git("commit", "-qm", "settings")
    bare_repo.ok("init")
    folder = "plans/my[[:space:]]backlog"
    lines = f"{folder}/*.yaml merge=storykit\n{folder}/sprints/*.yaml merge=storykit\n"
    assert (bare_repo.root / ".gitattributes").read_text() == lines
    attr = bare_repo.git("check-attr", "merge", "--", "plans/my backlog/SK-AAAA-x.yaml")
    assert attr.strip().endswith("merge: storykit")


def test_a_driver_whose_program_is_gone_is_set_up_again(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    gone = "/nowhere/venv/bin/storykit merge-driver %O %A %B %L %P %X %Y"
    repo.git("config", "merge.storykit.driver", gone)
    checked = repo.run("check")
    assert "merge driver runs a program that is not there" in checked.stdout
    repo.ok("set", story, "owner=dana")  # any committing command repairs it
    driver = repo.git("config", "--get", "merge.storykit.driver").strip()
    assert driver != gone and driver.endswith("merge-driver %O %A %B %L %P %X %Y")
    assert "warning" not in repo.ok("check").stdout


def test_init_adds_the_sprint_files_line_to_a_project_made_before_it(repo: Repo) -> None:
    (repo.root / ".gitattributes").write_text("backlog/*.yaml merge=storykit\n")
    repo.git("commit", "-qam", "the driver's line of an older storykit")
    assert ".gitattributes: merge driver added" in repo.ok("init").stdout
    attr = repo.git("check-attr", "merge", "--", "backlog/sprints/sprint-1.yaml")
    assert attr.strip().endswith("merge: storykit")


@pytest.mark.parametrize("style", ["merge", "diff3", "zdiff3"])
def test_resolve_never_overwrites_what_the_user_did_to_the_file(repo: Repo, style: str) -> None:
    """A file settled by hand (markers gone) is left as it is and said so; one edited while
    still marked is merged, and the user's version kept in a copy whose path is printed;
    git's conflict as git left it is merged with no copy."""
    repo.git("config", "merge.conflictStyle", style)
    story = repo.new_story("Send emojis", "--points", "3")
    other = repo.new_story("Show reactions", "--points", "2")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "owner=dana", "points=8")
    repo.ok("set", other, "owner=dana")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "owner=eli")
    repo.ok("set", other, "owner=eli", "points=5")
    without_driver(repo)
    subprocess.run(["git", "merge", "feature"], cwd=repo.root, capture_output=True)
    path, other_path = repo.item_path(story), repo.item_path(other)
    assert "<<<<<<<" in path.read_text() and "<<<<<<<" in other_path.read_text()
    # By hand: `story` settled (markers gone), `other` edited but still marked.
    text = path.read_text()
    settled = (
        text.split("<<<<<<<")[0]
        + "owner: dana\npoints: 8\n"
        + text.split(">>>>>>>")[1].split("\n", 1)[1]
    )
    path.write_text(settled)
    edited = other_path.read_text().replace("title:", "# looked at this\ntitle:")
    other_path.write_text(edited)
    result = repo.run("resolve")
    assert result.exit_code == 1, result.stdout
    rel = path.relative_to(repo.root)
    assert f"{rel}: left: settled by hand" in result.stdout
    assert f"`git add {rel}`" in result.stdout
    assert path.read_text() == settled
    assert "kept in " in result.stdout
    copy = repo.root / result.stdout.split("kept in ")[1].split()[0]
    assert copy.read_text() == edited
    assert "<<<<<<<" in other_path.read_text()  # owner still in conflict


def test_resolve_on_git_s_own_conflict_keeps_no_copy(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    conflicted_merge(repo, story, ["owner=eli"], ["owner=dana"])
    result = repo.run("resolve")
    assert result.exit_code == 1 and "kept in" not in result.stdout
    assert not (repo.root / ".git" / "storykit" / "kept").exists()
    again = repo.run("resolve")  # its own markers: the same answer, no copy
    assert again.stdout.splitlines()[0] == result.stdout.splitlines()[0]
    assert "kept in" not in again.stdout
