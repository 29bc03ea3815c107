"""The merge driver in real repositories: set up by `storykit init`, run by real `git merge`,
`rebase`, `cherry-pick`, `revert` and `pull`, on the day-one cases of a team."""

from __future__ import annotations

from pathlib import Path

from storykit.yamlio import read_document
from tests.helpers import Repo, git

COMMENT = "# Agreed with the PO on 2026-11-20: keep it small\n"


def story_with_comment(repo: Repo, *extra: str) -> str:
    """A ready story with a hand-written comment line, committed with plain git."""
    story = repo.new_story("Send emojis in messages", "--points", "3", *extra)
    repo.ok("set", story, "acceptance_criteria+=Emoji picker opens", "description=First line")
    path = repo.item_path(story)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(3, COMMENT)
    path.write_text("".join(lines))
    repo.git("commit", "-qam", "a comment by hand")
    return story


def fields(path: Path) -> dict[str, object]:
    return read_document(path.read_bytes(), path.name).to_plain()


def on_branch(repo: Repo, branch: str, *commands: tuple[str, ...]) -> None:
    repo.git("switch", "-q", "-c", branch)
    for command in commands:
        repo.ok(*command)
    repo.git("switch", "-q", "main")


def merge(repo: Repo, branch: str = "feature") -> int:
    result = git_result(repo.root, "merge", "--no-edit", branch)
    return result


def git_result(cwd: Path, *args: str) -> int:
    import subprocess

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False).returncode


def assert_clean_merge(repo: Repo, story: str, before: list[str]) -> dict[str, object]:
    """Merged with no conflict, comment and untouched lines kept, `check` clean."""
    path = repo.item_path(story)
    text = path.read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text
    assert COMMENT in text
    untouched = [line for line in before if line in text.splitlines(keepends=True)]
    assert untouched, text
    assert repo.git("status", "--porcelain") == ""
    assert repo.run("check").exit_code == 0
    return fields(path)


def merged_after(
    repo: Repo, story: str, feature: tuple[str, ...], main: tuple[str, ...]
) -> dict[str, object]:
    """`feature` on a branch, `main` on main, merged with git: clean, ours' lines kept."""
    before = repo.item_path(story).read_text().splitlines(keepends=True)
    on_branch(repo, "feature", ("set", story, *feature))
    repo.ok("set", story, *main)
    assert merge(repo) == 0
    return assert_clean_merge(repo, story, before)


def test_init_sets_up_the_driver_in_attributes_and_clone(repo: Repo) -> None:
    assert (repo.root / ".gitattributes").read_text() == (
        "backlog/*.yaml merge=storykit\nbacklog/sprints/*.yaml merge=storykit\n"
    )
    driver = repo.git("config", "--get", "merge.storykit.driver").strip()
    assert driver.endswith("merge-driver %O %A %B %L %P %X %Y")
    assert (
        repo.git("check-attr", "merge", "--", "backlog/SK-AAAA-x.yaml")
        .strip()
        .endswith("merge: storykit")
    )


def test_status_on_a_branch_and_rank_on_main_merge(repo: Repo) -> None:
    story = story_with_comment(repo)
    other = repo.new_story("Search old messages")
    before = repo.item_path(story).read_text().splitlines(keepends=True)
    on_branch(repo, "feature", ("status", story, "ready"), ("start", story))
    repo.ok("rank", story, "--after", other)
    assert merge(repo) == 0
    merged = assert_clean_merge(repo, story, before)
    assert merged["status"] == "in-progress"
    assert [i["id"] for i in repo.ok("list", "--json").json()["items"]] == [other, story]  # type: ignore[index]


def test_tags_added_on_both_sides_keep_both(repo: Repo) -> None:
    story = story_with_comment(repo, "--tag", "chat", "--tag", "old")
    merged = merged_after(repo, story, ("tags+=ux", "tags-=old"), ("tags+=mobile",))
    assert merged["tags"] == ["chat", "mobile", "ux"]


def test_owner_on_one_side_points_on_the_other(repo: Repo) -> None:
    story = story_with_comment(repo)
    merged = merged_after(repo, story, ("owner=dana",), ("points=5",))
    assert (merged["owner"], merged["points"]) == ("dana", 5)


def test_criteria_added_on_both_sides(repo: Repo) -> None:
    story = story_with_comment(repo)
    merged = merged_after(
        repo,
        story,
        ("acceptance_criteria+=Works offline",),
        ("acceptance_criteria+=Skin tones shown",),
    )
    assert merged["acceptance_criteria"] == [
        "Emoji picker opens",
        "Skin tones shown",
        "Works offline",
    ]


def test_description_edited_at_both_ends(repo: Repo) -> None:
    story = story_with_comment(repo)
    text = "First line\nmiddle one\nmiddle two\nmiddle three\nlast line\n"
    repo.ok("set", story, f"description={text}")
    top, final = text.replace("First", "Top"), text.replace("last", "final")
    merged = merged_after(repo, story, (f"description={top}",), (f"description={final}",))
    assert merged["description"] == text.replace("First", "Top").replace("last", "final")


def test_retitle_on_one_side_status_on_the_other(repo: Repo) -> None:
    story = story_with_comment(repo)
    before = repo.item_path(story).read_text().splitlines(keepends=True)
    on_branch(repo, "feature", ("set", story, "title=Send emojis and stickers"))
    repo.ok("status", story, "ready")
    assert merge(repo) == 0
    (path,) = (repo.root / "backlog").glob(f"{story}-*.yaml")
    assert path.name == f"{story}-send-emojis-and-stickers.yaml"
    merged = assert_clean_merge(repo, story, before)
    assert (merged["title"], merged["status"]) == ("Send emojis and stickers", "ready")


def test_a_true_conflict_marks_that_field_only(repo: Repo) -> None:
    story = story_with_comment(repo)
    on_branch(repo, "feature", ("set", story, "owner=dana", "points=5"))
    repo.ok("set", story, "owner=eli", "tags+=ux")
    assert merge(repo) == 1
    text = repo.item_path(story).read_text()
    assert "<<<<<<< HEAD\nowner: eli\n=======\nowner: dana\n>>>>>>> feature\n" in text
    assert text.count("<<<<<<<") == 1
    assert "points: 5\n" in text and "  - ux\n" in text and COMMENT in text
    assert f"UU backlog/{repo.item_path(story).name}" in repo.git("status", "--porcelain")
    checked = repo.run("check")
    assert checked.exit_code == 1
    line = text.splitlines().index("<<<<<<< HEAD") + 1
    assert f"{repo.item_path(story).relative_to(repo.root)}:{line}:1: error:" in checked.stdout


def test_an_unparseable_side_falls_back_to_git_text_merge(repo: Repo) -> None:
    story = story_with_comment(repo)
    path = repo.item_path(story)
    repo.git("switch", "-q", "-c", "feature")
    path.write_text(path.read_text().replace("points: 3", "points: [3"))
    repo.git("commit", "-qam", "broken by hand")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "owner=eli")
    assert merge(repo) != 0
    text = path.read_text()
    assert "points: [3" in text and "owner: eli" in text  # git's own merge of the lines
    assert "UU" in repo.git("status", "--porcelain")


def test_delete_on_one_side_change_on_the_other_stays_git_conflict(repo: Repo) -> None:
    story = story_with_comment(repo)
    on_branch(repo, "feature", ("rm", story))
    repo.ok("set", story, "owner=eli")
    assert merge(repo) == 1
    assert repo.git("status", "--porcelain").startswith("UD ")


def test_rebase_cherry_pick_and_revert_use_the_driver(repo: Repo) -> None:
    story = story_with_comment(repo)
    on_branch(repo, "feature", ("set", story, "owner=dana"), ("set", story, "tags+=ux"))
    repo.ok("set", story, "points=5")
    repo.git("switch", "-q", "feature")
    assert git_result(repo.root, "rebase", "main") == 0
    merged = fields(repo.item_path(story))
    assert (merged["owner"], merged["points"], merged["tags"]) == ("dana", 5, ["ux"])
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "description=Changed on main")
    pick = repo.git("rev-parse", "feature~1").strip()  # the owner change
    assert git_result(repo.root, "cherry-pick", pick) == 0
    assert fields(repo.item_path(story))["owner"] == "dana"
    repo.ok("set", story, "tags+=mobile")
    assert git_result(repo.root, "revert", "--no-edit", "HEAD~1") == 0  # the cherry-pick
    reverted = fields(repo.item_path(story))
    assert "owner" not in reverted and reverted["tags"] == ["mobile"]
    assert repo.run("check").exit_code == 0


def test_pull_from_another_clone_merges(repo: Repo, tmp_path: Path) -> None:
    story = story_with_comment(repo)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.root), str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.git("fetch", "-q", "origin")
    repo.git("branch", "-q", "--set-upstream-to=origin/main")
    dev = Repo(tmp_path / "dev", repo.runner)
    git(tmp_path, "clone", "-q", str(remote), str(dev.root))
    dev.git("config", "user.name", "Dev")
    dev.git("config", "user.email", "dev@example.com")
    dev.ok("set", story, "owner=dana")  # a committing command sets the clone up
    assert dev.git("config", "--get", "merge.storykit.driver")
    dev.git("push", "-q", "origin", "main")
    repo.ok("set", story, "points=5")
    assert git_result(repo.root, "pull", "--no-rebase", "--no-edit", "-q") == 0
    merged = fields(repo.item_path(story))
    assert (merged["owner"], merged["points"]) == ("dana", 5)


def test_log_and_diff_across_merges(repo: Repo) -> None:
    story = story_with_comment(repo)
    on_branch(repo, "feature", ("set", story, "owner=dana"))
    repo.ok("set", story, "points=5")
    before_merge = repo.head()
    assert merge(repo) == 0
    entries = repo.ok("log", story, "--json").json()["commits"]  # type: ignore[index]
    subjects = [entry["subject"] for entry in entries]
    assert not any(subject.startswith("Merge") for subject in subjects)  # nothing of its own
    assert len(subjects) == len(set(subjects))
    assert sum("owner" in subject for subject in subjects) == 1
    diff = repo.ok("diff", before_merge, "HEAD", "--format", "json").json()
    (changed,) = diff["changed"]  # type: ignore[index]
    assert [c["field"] for c in changed["changes"]] == ["owner"]

    # A conflict settled by hand with a value neither side had: the merge's own change.
    on_branch(repo, "other", ("set", story, "owner=fay"))
    repo.ok("set", story, "owner=gus")
    assert merge(repo, "other") == 1
    path = repo.item_path(story)
    text = path.read_text()
    start, end = text.index("<<<<<<<"), text.index(">>>>>>> other\n") + len(">>>>>>> other\n")
    path.write_text(text[:start] + "owner: fay and gus\n" + text[end:])
    repo.git("commit", "-qam", "Merge other: both own it")
    entries = repo.ok("log", story, "--json").json()["commits"]  # type: ignore[index]
    assert entries[0]["subject"] == "Merge other: both own it"
    assert [c["field"] for c in entries[0]["changes"]] == ["owner"]
    assert [e["subject"] for e in entries].count("Merge other: both own it") == 1


def test_the_driver_by_hand_says_what_is_wrong(repo: Repo) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).parent / "storykit"
    missing = subprocess.run(
        [str(script), "merge-driver", "a", "b", "c", "7", "backlog/SK-AAAA-x.yaml"],
        cwd=repo.root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "error: cannot read a: No such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr and "internal error" not in missing.stderr
    usage = subprocess.run(
        [str(script), "merge-driver", "a"], cwd=repo.root, capture_output=True, text=True
    )
    assert usage.returncode == 2 and "usage: storykit merge-driver" in usage.stderr


def test_a_yaml_file_that_is_no_item_gets_git_text_merge(repo: Repo) -> None:
    notes = repo.root / "backlog" / "notes.yaml"
    notes.write_text("a: 1\nb: 2\nc: 3\nd: 4\n")
    repo.git("add", "backlog/notes.yaml")
    repo.git("commit", "-qm", "notes")
    repo.git("switch", "-q", "-c", "feature")
    notes.write_text("a: 10\nb: 2\nc: 3\nd: 4\n")
    repo.git("commit", "-qam", "a")
    repo.git("switch", "-q", "main")
    notes.write_text("a: 1\nb: 2\nc: 3\nd: 40\n")
    repo.git("commit", "-qam", "d")
    assert merge(repo) == 0
    assert notes.read_text() == "a: 10\nb: 2\nc: 3\nd: 40\n"
