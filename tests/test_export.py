"""`storykit export csv|json|backlog-md`, and the round trips: a Backlog.md export imported
into an empty project, and read by the real Backlog.md CLI; a CSV read back column by
column and imported as Jira's; the JSON in the shapes `--json` gives."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.backlog_md_support import backlog
from tests.helpers import Repo, make_repo


def messaging_backlog(repo: Repo) -> dict[str, str]:
    """A backlog with every type, a sprint, points, tags, owners, notes, an outcome."""
    ids = {}
    ids["epic"] = _new(repo, "epic", "Emoji everywhere", "--description", "Emoji in chats.",
                       "--goal", "People say more with emoji")  # fmt: skip
    ids["story"] = _new(
        repo, "story", "Send an emoji", "--parent", ids["epic"], "--points", "3",
        "--tag", "ux", "--tag", "emoji", "--owner", "alice",
        "--description", "Users want emoji.\n\nA picker.",
        "--acceptance-criteria", "Picker opens", "--acceptance-criteria", "Emoji render",
        "--as-a", "chat user", "--i-want", "to send emoji", "--so-that", "I say more",
    )  # fmt: skip
    ids["task"] = _new(repo, "task", "Draw the picker grid", "--parent", ids["story"],
                       "--owner", "bob")  # fmt: skip
    ids["tech"] = _new(repo, "tech", "Upgrade the font renderer", "--notes", "Check Android.",
                       "--depends-on", ids["story"], "--why", "Old fonts lack emoji")  # fmt: skip
    ids["spike"] = _new(repo, "spike", "Which emoji library?", "--timebox", "2d",
                        "--tag", "research", "--question", "Which renders fastest?")  # fmt: skip
    repo.ok("set", ids["story"], "status=in-progress")
    repo.ok("sprint", "new", "Sprint 1", "--start", "2026-11-16")
    repo.ok("sprint", "add", "Sprint 1", ids["story"])
    repo.ok("spike", "start", ids["spike"])
    repo.ok("spike", "close", ids["spike"], "--outcome", "Use the platform font.")
    return ids


def _new(repo: Repo, kind: str, title: str, *options: str) -> str:
    made = repo.ok(kind, "new", title, *options, "--json").json()
    assert isinstance(made, dict)
    return str(made["item"]["id"])


def _items(repo: Repo) -> list[dict[str, Any]]:
    listed = repo.ok("list", "--all", "--json").json()
    assert isinstance(listed, dict)
    return list(listed["items"])


def _fresh(tmp_path: Path, name: str, runner: Any) -> Repo:
    other = Repo(make_repo(tmp_path / name), runner)
    other.ok("init")
    return other


def test_backlog_md_round_trip_keeps_every_field_it_holds(repo: Repo, tmp_path: Path) -> None:
    ids = messaging_backlog(repo)
    before = repo.snapshot()
    out = tmp_path / "exported"
    repo.ok("export", "backlog-md", "--output", str(out))
    assert repo.snapshot() == before  # an export changes nothing
    assert (out / "config.yml").exists() and len(list((out / "tasks").glob("*.md"))) == 4
    assert len(list((out / "milestones").glob("*.md"))) == 1
    other = _fresh(tmp_path, "other", repo.runner)
    other.ok("import", "backlog-md", str(out))
    mine, theirs = _items(repo), _items(other)
    assert [i["title"] for i in theirs] == [i["title"] for i in mine]  # rank order kept
    by_title = {i["title"]: i for i in theirs}
    old_ids = {i["id"]: i["title"] for i in mine}
    for item in mine:
        copy = by_title[item["title"]]
        for name in ("type", "owner", "tags", "acceptance_criteria", "outcome"):
            assert copy.get(name) == item.get(name), (item["title"], name)
        for name in ("description", "notes"):
            assert (copy.get(name) or "").rstrip("\n") == (item.get(name) or "").rstrip("\n")
        if item["type"] != "epic":  # a milestone has no status
            assert copy["status"] == item["status"], item["title"]
        assert old_ids.get(item["parent"]) == (
            by_title[old_ids[item["parent"]]]["title"] if item["parent"] else None
        )
        assert [old_ids[d] for d in item["depends_on"]] == [
            next(t for t in theirs if t["id"] == d)["title"] for d in copy["depends_on"]
        ]
    assert ids  # every type was in the round trip


def test_the_backlog_md_cli_reads_the_export(repo: Repo, tmp_path: Path) -> None:
    ids = messaging_backlog(repo)
    project = make_repo(tmp_path / "bmd")
    repo.ok("export", "backlog-md", "-o", str(project / "backlog"))
    listed = backlog(project, "task", "list", "--plain")
    for title in ("Send an emoji", "Draw the picker grid", "Upgrade the font renderer",
                  "Which emoji library?"):  # fmt: skip
        assert title in listed
    assert "in-progress:" in listed and "done:" in listed
    shown = backlog(project, "task", "view", "TASK-1", "--plain")
    assert "Send an emoji" in shown and "Picker opens" in shown and "@alice" in shown
    assert "TASK-1.1 - Draw the picker grid" in shown  # the task is its subtask
    assert "Emoji everywhere" in backlog(project, "milestone", "list")
    assert ids


def test_csv_reads_back_column_by_column_and_imports_as_jira(repo: Repo, tmp_path: Path) -> None:
    ids = messaging_backlog(repo)
    result = repo.ok("export", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, body = rows[0], rows[1:]
    assert header == ["Issue key", "Summary", "Issue Type", "Status", "Story Points", "Labels",
                      "Labels", "Description", "Parent", "Sprint", "Assignee"]  # fmt: skip
    order = [row[0] for row in body]
    assert order.index(ids["epic"]) < order.index(ids["story"]) < order.index(ids["task"])
    story = dict(zip(header, body[order.index(ids["story"])], strict=False))
    assert story == {
        "Issue key": ids["story"],
        "Summary": "Send an emoji",
        "Issue Type": "Story",
        "Status": "in-progress",
        "Story Points": "3",
        "Labels": "emoji",
        "Description": "Users want emoji.\n\nA picker.",
        "Parent": ids["epic"],
        "Sprint": "Sprint 1",
        "Assignee": "alice",
    }  # fmt: skip  (a dict keeps the last Labels: both checked below)
    assert body[order.index(ids["story"])][5:7] == ["ux", "emoji"]
    kinds = {row[0]: row[2] for row in body}
    assert [kinds[ids[k]] for k in ("epic", "task", "tech", "spike")] == [
        "Epic", "Sub-task", "Task", "Spike",
    ]  # fmt: skip
    exported = tmp_path / "backlog.csv"
    repo.ok("export", "csv", "--output", str(exported))
    assert exported.read_text() == result.stdout
    other = _fresh(tmp_path, "other", repo.runner)
    other.ok("sprint", "new", "Sprint 1", "--start", "2026-11-16")
    other.ok("import", "jira", str(exported))
    theirs = {i["x-source"].removeprefix("jira:"): i for i in _items(other)}
    for item in _items(repo):
        copy = theirs[item["id"]]
        for name in ("type", "title", "status", "points", "tags", "sprint", "owner"):
            assert copy[name] == item[name], (item["title"], name)
        assert (copy["description"] or "").rstrip("\n") == (item["description"] or "").rstrip("\n")
        parent = theirs[item["parent"]]["id"] if item["parent"] else None
        assert copy["parent"] == parent


def test_json_is_the_whole_backlog_in_the_shapes_of_json(repo: Repo, tmp_path: Path) -> None:
    messaging_backlog(repo)
    data = json.loads(repo.ok("export", "json").stdout)
    assert data["schema_version"] == 2
    listed = _items(repo)
    assert [i["id"] for i in data["items"]] == [i["id"] for i in listed]
    first = next(i for i in data["items"] if i["id"] == listed[0]["id"])
    one = repo.ok("show", listed[0]["id"], "--json").json()
    assert isinstance(one, dict)
    assert first == {k: v for k, v in one["item"].items() if k in first}  # show adds a few
    assert set(one["item"]) - set(first) == {"captured_at", "captured_by", "overdue", "score"}
    sprints = repo.ok("sprint", "list", "--json").json()
    assert isinstance(sprints, dict)
    assert [s["name"] for s in data["sprints"]] == [s["name"] for s in sprints["sprints"]]
    assert data["skipped"] == []


def test_export_refuses_a_folder_with_files_and_a_bad_format(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine\n")
    refused = repo.run("export", "backlog-md", "-o", str(tmp_path / "full"))
    assert refused.exit_code == 2 and "is not an empty folder" in refused.stderr
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine\n"
    assert repo.run("export", "yaml").exit_code == 2
    # An empty folder is filled; the folder is written whole, then renamed into place.
    (tmp_path / "empty").mkdir()
    repo.ok("export", "backlog-md", "-o", str(tmp_path / "empty"))
    assert (tmp_path / "empty" / "config.yml").is_file()
    assert (tmp_path / "empty").stat().st_mode & 0o777 == (tmp_path / "full").stat().st_mode & 0o777
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temp left
