"""`storykit import github|jira`: hand-checked samples of the documented formats, mapped
field by field; one commit; re-import idempotent; malformed rows reported and skipped;
`--dry-run` changes nothing; every imported item passes `check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.helpers import Repo

DATA = Path(__file__).parent / "data" / "import"


def imported(repo: Repo) -> dict[str, dict[str, Any]]:
    """Every item by its `x-source`."""
    listed = repo.ok("list", "--all", "--json").json()
    assert isinstance(listed, dict)
    return {item["x-source"]: item for item in listed["items"]}


def test_github_issues_map_field_by_field(repo: Repo) -> None:
    repo.ok("sprint", "new", "Sprint 1", "--start", "2026-11-16")
    before = repo.commit_count()
    result = repo.run("import", "github", str(DATA / "github.json"))
    assert result.exit_code == 0, result.stderr
    assert "5 created, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "skipped: github.json: entry 6: an issue needs its number and title" in result.stderr
    assert repo.commit_count() == before + 1
    assert repo.git("log", "-1", "--format=%s").strip() == (
        "backlog: import 5 items from github (5 created, 0 updated)"
    )
    items = imported(repo)
    story = items["github:acme/chat#12"]
    assert (story["type"], story["title"], story["status"]) == (
        "story", "Send emojis in messages", "draft",
    )  # fmt: skip
    assert story["description"].rstrip("\n") == "Users want emoji.\n\n- [ ] picker"
    assert story["owner"] == "alice"
    assert story["tags"] == ["enhancement", "good-first-issue"]
    assert story["sprint"] == "Sprint 1"  # the milestone names a sprint that exists
    spike = items["github:acme/chat#13"]
    assert (spike["type"], spike["status"]) == ("spike", "done")
    dropped = items["github:acme/chat#14"]
    assert (dropped["status"], dropped["tags"], dropped["sprint"]) == (
        "dropped",
        ["Sprint-2"],
        None,
    )  # fmt: skip  (no such sprint: the milestone is a tag)
    tech = items["github:acme/chat#15"]
    assert (tech["type"], tech["owner"], tech["tags"]) == ("tech", "bob", ["db"])
    assert items["github:acme/chat#16"]["type"] == "epic"
    # Imported work keeps its status though its source lacks what storykit's gates want:
    # check passes, and warns about each gap.
    checked = repo.run("check")
    assert checked.exit_code == 0, checked.stderr
    assert "warning: status: a spike needs an outcome to be done: imported from github:" in (
        checked.stderr + checked.stdout
    )


def test_reimporting_updates_and_never_duplicates(repo: Repo, tmp_path: Path) -> None:
    source = tmp_path / "issues.json"
    shutil.copy(DATA / "github.json", source)
    repo.ok("import", "github", str(source))
    first = imported(repo)
    head = repo.head()
    again = repo.ok("import", "github", str(source))
    assert "0 created, 0 updated, 5 unchanged" in again.stdout
    assert repo.head() == head  # nothing changed: no commit
    # What the team added since, in fields GitHub does not hold, stays.
    story = first["github:acme/chat#12"]["id"]
    repo.ok("set", story, "points=3", "acceptance_criteria+=Picker opens", "notes=Ask UX")
    head = repo.head()
    assert "5 unchanged" in repo.ok("import", "github", str(source)).stdout
    assert repo.head() == head
    kept = imported(repo)["github:acme/chat#12"]
    assert (kept["points"], kept["acceptance_criteria"], kept["notes"].rstrip()) == (
        3, ["Picker opens"], "Ask UX",
    )  # fmt: skip
    entries = json.loads(source.read_text())
    entries[3]["title"] = "Store every message as utf8mb4"
    entries[3]["state"], entries[3]["stateReason"] = "CLOSED", "COMPLETED"
    entries.insert(0, {**entries[4], "number": 20, "title": "Emoji search", "labels": [],
                       "url": "https://github.com/acme/chat/issues/20"})  # fmt: skip
    source.write_text(json.dumps(entries))
    third = repo.run("import", "github", str(source), "--json")
    assert third.exit_code == 0, third.stderr
    answer = third.json()
    assert isinstance(answer, dict)
    assert [i["title"] for i in answer["created"]] == ["Emoji search"]
    assert [i["title"] for i in answer["updated"]] == ["Store every message as utf8mb4"]
    assert answer["unchanged"] == 4 and answer["commit"] == repo.head()
    items = imported(repo)
    assert len(items) == 6
    tech = items["github:acme/chat#15"]
    assert tech["id"] == first["github:acme/chat#15"]["id"]  # the same item, renamed
    assert tech["status"] == "done" and tech["path"].endswith("store-every-message-as-utf8mb4.yaml")
    assert len(list((repo.root / "backlog").glob(f"{tech['id']}-*.yaml"))) == 1


def test_a_dry_run_changes_nothing(repo: Repo) -> None:
    before = repo.snapshot()
    result = repo.run("import", "jira", str(DATA / "jira.csv"), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would create story: Send emojis" in result.stdout
    assert "dry run: import from jira: 5 would be created" in result.stdout
    assert repo.snapshot() == before


def test_jira_rows_map_field_by_field_whatever_their_order(repo: Repo) -> None:
    result = repo.run("import", "jira", str(DATA / "jira.csv"))
    assert result.exit_code == 0, result.stderr
    assert "skipped: jira.csv:6 (MSG-5): issue type 'Initiative' has no storykit type" in (
        result.stderr
    )
    assert "jira.csv:7 (MSG-6): 4 points is not on the project's scale" in result.stderr
    items = imported(repo)
    epic, story = items["jira:MSG-1"], items["jira:MSG-2"]
    task, bug, spike = items["jira:MSG-3"], items["jira:MSG-4"], items["jira:MSG-6"]
    assert (epic["type"], epic["status"], epic["description"]) == (
        "epic", "in-progress", "Goal text",
    )  # fmt: skip
    assert (story["type"], story["status"], story["points"], story["owner"]) == (
        "story", "draft", 5, "Alice",
    )  # fmt: skip
    assert story["tags"] == ["ux", "chat", "Sprint-2"]  # the last sprint, as a tag
    assert story["parent"] == epic["id"]
    assert story["description"].rstrip("\n") == "As a user\nI want emoji"
    # A sub-task whose parent comes later in the file is a task under it.
    assert (task["type"], task["parent"], task["status"]) == ("task", story["id"], "in-progress")
    assert (bug["type"], bug["status"]) == ("story", "dropped")  # Done as Won't Do
    assert (spike["type"], spike["parent"], spike["points"]) == ("spike", epic["id"], None)
    assert spike["x-source-points"] == 4
    assert repo.run("check").exit_code == 0


def test_unreadable_sources_are_refused_with_nothing_written(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "bad.csv").write_text("Summary,Status\nx,Done\n")
    orphan = tmp_path / "orphan.csv"
    orphan.write_text("Issue key,Summary,Issue Type,Status,Parent\nMSG-9,Pick,Sub-task,To Do,\n")
    for source, name, says in (
        ("github", "bad.json", "bad.json: not the JSON `gh issue list --json` writes"),
        ("jira", "bad.csv", "bad.csv:1: no issue key, issue type column"),
        ("jira", "orphan.csv", "orphan.csv:2 (MSG-9): a task needs a parent"),
        ("trello", "bad.json", "unknown source 'trello'"),
    ):
        before = repo.snapshot()
        result = repo.run("import", source, str(tmp_path / name))
        assert says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert repo.snapshot() == before


def test_a_big_import_is_one_commit_of_packed_blobs(repo: Repo, tmp_path: Path) -> None:
    """Hundreds of new files: their blobs go into one pack (not a loose file each), the
    same objects `git add` makes; the work tree and index agree with the commit."""
    issues = [
        {"number": n, "title": f"Emoji reaction {n}", "body": "Users ask.\n\nMore.",
         "labels": [{"name": "ux"}], "state": "OPEN", "stateReason": "", "assignees": [],
         "milestone": None, "url": f"https://github.com/acme/chat/issues/{n}"}
        for n in range(1, 301)
    ]  # fmt: skip
    source = tmp_path / "issues.json"
    source.write_text(json.dumps(issues))
    loose_before = int(repo.git("count-objects").split()[0])
    repo.ok("import", "github", str(source))
    assert int(repo.git("count-objects").split()[0]) - loose_before < 10  # trees, commit
    assert repo.git("status", "--porcelain") == ""
    repo.git("fsck", "--strict")
    path = repo.git("ls-files", "backlog/").split()[-1]
    assert repo.git("rev-parse", f"HEAD:{path}").strip() == (repo.git("hash-object", path).strip())
