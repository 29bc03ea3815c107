"""`storykit import backlog-md` from a folder the real Backlog.md CLI made: mapped field by
field; ranked by the board's order; re-import idempotent; a broken file reported with its
line and skipped; `storykit init` never mixes into a Backlog.md `backlog/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backlog_md_support import messaging_app
from tests.helpers import Repo
from tests.test_import import imported


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return messaging_app(tmp_path_factory.mktemp("backlog-md") / "chat")


def test_backlog_md_maps_field_by_field(repo: Repo, kept: Path) -> None:
    before = repo.commit_count()
    result = repo.run("import", "backlog-md", str(kept))  # the repository: its backlog/
    assert result.exit_code == 0, result.stderr
    assert "7 created, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert repo.commit_count() == before + 1
    items = imported(repo)
    assert set(items) == {
        "backlog.md:m-0", "backlog.md:task-1", "backlog.md:task-1.1", "backlog.md:task-2",
        "backlog.md:task-3", "backlog.md:task-4", "backlog.md:draft-1",
    }  # fmt: skip
    epic = items["backlog.md:m-0"]
    assert (epic["type"], epic["title"], epic["status"]) == ("epic", "Emoji release", "draft")
    story = items["backlog.md:task-1"]
    assert (story["type"], story["status"], story["owner"], story["tags"]) == (
        "story", "in-progress", "alice", ["ux", "emoji"],
    )  # fmt: skip
    assert story["description"].rstrip("\n") == "Users want emoji in chats.\n\nKeep it fast."
    assert story["acceptance_criteria"] == ["Picker opens", "Emoji render in messages"]
    assert story["parent"] == epic["id"]  # its milestone
    subtask = items["backlog.md:task-1.1"]
    assert (subtask["type"], subtask["parent"], subtask["owner"]) == ("task", story["id"], "bob")
    spike = items["backlog.md:task-2"]
    assert (spike["type"], spike["depends_on"], spike["tags"]) == (
        "spike", [story["id"]], ["research"],
    )  # fmt: skip
    assert spike["outcome"].rstrip("\n") == "Use the platform's emoji font."
    bug = items["backlog.md:task-3"]
    assert (bug["type"], bug["status"]) == ("story", "done")
    assert bug["notes"].rstrip("\n") == (
        "Found the overflow\n\n## Implementation Plan\n\n1. Reproduce\n\n"
        "## Final Summary\n\nFixed by truncating"
    )
    assert items["backlog.md:task-4"]["status"] == "done"  # in completed/
    draft = items["backlog.md:draft-1"]
    assert (draft["status"], draft["description"].rstrip("\n")) == ("draft", "Maybe later")
    # Ranked as the board orders them: milestones, then by ordinal, drafts last.
    order = [i["x-source"] for i in repo.ok("list", "--all", "--json").json()["items"]]
    assert order == [
        "backlog.md:m-0", "backlog.md:task-2", "backlog.md:task-1", "backlog.md:task-1.1",
        "backlog.md:task-3", "backlog.md:task-4", "backlog.md:draft-1",
    ]  # fmt: skip
    assert repo.run("check").exit_code == 0


def test_reimporting_backlog_md_updates_only_what_changed(repo: Repo, kept: Path) -> None:
    repo.ok("import", "backlog-md", str(kept / "backlog"))
    count = repo.commit_count()
    again = repo.ok("import", "backlog-md", str(kept / "backlog"))
    assert "0 created, 0 updated, 7 unchanged" in again.stdout
    assert repo.commit_count() == count
    task = next((kept / "backlog" / "tasks").glob("task-3 - *.md"))
    original = task.read_text()
    try:
        task.write_text(original.replace("title: Fix crash", "title: Fix the crash"))
        changed = repo.ok("import", "backlog-md", str(kept))
        assert "0 created, 1 updated, 6 unchanged" in changed.stdout
        assert imported(repo)["backlog.md:task-3"]["title"] == "Fix the crash on long messages"
    finally:
        task.write_text(original)


def test_a_broken_task_file_is_reported_with_its_line_and_skipped(
    repo: Repo, kept: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(kept / "backlog", copy)
    broken = next((copy / "tasks").glob("task-3 - *.md"))
    broken.write_text(broken.read_text().replace("status: Done", "status: [Done"))
    (copy / "tasks" / "task-9 - no-front-matter.md").write_text("Just text\n")
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: TASK-8\ntitle: Not yours\n---\n\nprivate\n")
    (copy / "tasks" / "task-8 - elsewhere.md").symlink_to(secret)
    result = repo.run("import", "backlog-md", str(copy))
    assert result.exit_code == 0, result.stderr
    assert "6 created, 0 updated, 0 unchanged, 3 skipped" in result.stdout
    assert "skipped: tasks/task-8 - elsewhere.md: cannot read: a symbolic link" in result.stderr
    assert f"skipped: tasks/{broken.name}:5:9: invalid YAML" in result.stderr
    assert "skipped: tasks/task-9 - no-front-matter.md:1: no front matter" in result.stderr


def test_init_in_a_backlog_md_repository_says_so(bare_repo: Repo, kept: Path) -> None:
    import shutil

    shutil.copytree(kept / "backlog", bare_repo.root / "backlog")
    before = bare_repo.snapshot()
    result = bare_repo.run("init")
    assert result.exit_code != 0
    assert "backlog/ holds a Backlog.md project" in result.stderr
    assert "storykit init --backlog-dir stories && storykit import backlog-md backlog" in (
        result.stderr
    )
    assert bare_repo.snapshot() == before
    bare_repo.ok("init", "--backlog-dir", "stories")
    bare_repo.ok("import", "backlog-md", "backlog")
    assert len(list((bare_repo.root / "stories").glob("SK-*.yaml"))) == 7


def test_a_backlog_md_folder_elsewhere_is_found_by_its_root_config(
    repo: Repo, tmp_path: Path
) -> None:
    """`backlog init --backlog-dir .backlog --config-location root`: the config at the root
    names the folder; the import is given the repository, or the folder itself."""
    from tests.backlog_md_support import backlog
    from tests.helpers import make_repo

    other = make_repo(tmp_path / "other")
    backlog(other, "init", "Chat", "--defaults", "--integration-mode", "none",
            "--auto-open-browser", "false", "--backlog-dir", ".backlog",
            "--config-location", "root")  # fmt: skip
    backlog(other, "task", "create", "Emoji picker", "-s", "In Progress")
    assert (other / "backlog.config.yml").is_file()
    for given in (other, other / ".backlog"):
        result = repo.ok("import", "backlog-md", str(given), "--dry-run")
        assert "would create story: Emoji picker" in result.stdout
    repo.ok("import", "backlog-md", str(other))
    assert imported(repo)["backlog.md:task-1"]["status"] == "in-progress"
