"""Spikes with timeboxes and outcomes, splitting, epics and dependencies (issue 4)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Repo

EditorInstaller = Callable[..., Path]


def _json(repo: Repo, *args: str) -> dict[str, Any]:
    data = repo.ok(*args, "--json").json()
    assert isinstance(data, dict)
    return data


def _epic(repo: Repo, title: str = "Emoji support") -> str:
    return str(_json(repo, "epic", "new", title, "--goal", "People express emotions")["item"]["id"])


def _ids(repo: Repo, *args: str) -> list[str]:
    return [line.split()[0] for line in repo.ok("list", *args).stdout.splitlines()]


# --- spike lifecycle ---------------------------------------------------------------------


def test_spike_start_records_started_and_refuses_other_types(repo: Repo) -> None:
    spike = repo.new_spike()
    result = repo.ok("spike", "start", spike)
    assert result.stdout.startswith(f"started spike {spike}: ")
    text = repo.item_path(spike).read_text()
    assert "status: in-progress" in text and "started: 2026-11-21 10:00:00+00:00" in text
    assert repo.git("log", "-1", "--format=%s").startswith(f"backlog: start spike {spike}:")
    story = repo.new_story()
    refused = repo.run("spike", "start", story)
    assert refused.exit_code == 2
    assert f"{story} is a story, not a spike" in refused.stderr


def test_spike_close_with_follow_ups_is_one_commit_of_exactly_those_files(repo: Repo) -> None:
    epic = _epic(repo)
    spike = repo.new_spike("Research emoji encoding", "--parent", epic)
    after = repo.new_story("Unrelated later story")
    repo.ok("spike", "start", spike)
    count = repo.commit_count()
    data = _json(
        repo, "spike", "close", spike, "--outcome", "UTF-8 end to end; use utf8mb4",
        "--decision", "UTF-8 only", "--follow-up", "tech: Migrate column to utf8mb4",
        "--follow-up", "story: Show an emoji picker", "--follow-up", "task: Write the migration",
    )  # fmt: skip
    assert repo.commit_count() == count + 1
    created = [item["id"] for item in data["follow_ups"]]
    assert len(created) == 3
    expected = sorted(f"backlog/{repo.item_path(i).name}" for i in [spike, *created])
    assert repo.last_commit_files() == expected
    assert repo.git("log", "-1", "--format=%s").strip() == (
        f"backlog: close spike {spike}: Research emoji encoding"
    )
    closed = data["item"]
    assert closed["status"] == "done"
    assert closed["outcome"] == "UTF-8 end to end; use utf8mb4"
    assert closed["decision"] == "UTF-8 only"
    assert closed["follow_ups"] == created
    tech, story, task = data["follow_ups"]
    assert [tech["type"], story["type"], task["type"]] == ["tech", "story", "task"]
    for item in data["follow_ups"]:
        assert item["status"] == "draft"
        assert item["depends_on"] == [spike]
        assert f"Follow-up of spike {spike}" in item["description"]
        assert "UTF-8 end to end; use utf8mb4" in item["description"]
    assert tech["parent"] == epic and story["parent"] == epic and task["parent"] is None
    # The follow-ups land at the bottom of the backlog, in the given order.
    order = _ids(repo, "--all")
    assert order[-3:] == created
    assert order.index(after) < order.index(created[0])
    assert repo.run("check").exit_code == 0
    assert repo.status() == ""


def test_spike_close_opens_the_editor_without_outcome(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    spike = repo.new_spike("Research emoji encoding")
    log = fake_editor("Use UTF-8 everywhere.\n# a comment line\nStore as utf8mb4.\n")
    repo.ok("spike", "close", spike)
    shown = (log / "shown-0.txt").read_text()
    assert f"# Write the outcome of spike {spike}: Research emoji encoding" in shown
    assert "# Question: Which encoding works on every platform?" in shown
    data = _json(repo, "show", spike)
    assert data["item"]["outcome"] == "Use UTF-8 everywhere.\nStore as utf8mb4.\n"
    assert data["item"]["status"] == "done"
    assert data["item"]["started"] is None  # never started: no start time is invented


def test_an_empty_outcome_aborts_and_changes_nothing(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    spike = repo.new_spike()
    before = repo.snapshot()
    fake_editor(None)  # saved the template unchanged: only comments
    result = repo.run("spike", "close", spike, "--follow-up", "story: Something")
    assert result.exit_code == 1
    assert "the outcome is empty" in result.stderr
    assert repo.snapshot() == before
    blank = repo.run("spike", "close", spike, "--outcome", "   ")
    assert blank.exit_code == 1
    assert repo.snapshot() == before
    bad = repo.run("spike", "close", spike, "--outcome", "x", "--follow-up", "bug: nope")
    assert bad.exit_code == 2
    assert "must be TYPE: TITLE" in bad.stderr
    assert repo.snapshot() == before


def test_a_spike_cannot_be_done_without_outcome_by_any_command(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    before = repo.snapshot()
    for args in (("done", spike), ("status", spike, "done"), ("set", spike, "status=done")):
        result = repo.run(*args)
        assert result.exit_code == 1
        assert "a spike needs an outcome to be done" in result.stderr
        assert f'storykit spike close {spike} --outcome "what we learned"' in result.stderr
    text = repo.item_path(spike).read_text()
    fake_editor(text.replace("status: in-progress", "status: done"), None)
    result = repo.run("edit", spike)  # not on a terminal: the problems are reported at once
    assert result.exit_code == 1
    assert "status: a spike needs an outcome to be done" in result.stderr
    assert repo.snapshot() == before


@pytest.mark.parametrize(
    ("timebox", "extra", "result"),
    [("2d", "1d", "3d"), ("2d", "4h", "52h"), ("1w", "1w", "2w"), ("4h", "20h", "1d")],
)
def test_spike_extend_adds_to_the_timebox(
    repo: Repo, timebox: str, extra: str, result: str
) -> None:
    spike = _json(repo, "spike", "new", "Q", "--question", "q", "--timebox", timebox)["item"]["id"]
    out = repo.ok("spike", "extend", spike, "--timebox", extra).stdout
    assert f"(timebox {result})" in out
    assert f"timebox: {result}" in repo.item_path(spike).read_text()
    assert repo.git("log", "-1", "--format=%s").strip() == (
        f"backlog: extend spike {spike} timebox {timebox} → {result}: Q"
    )
    assert repo.run("spike", "extend", spike, "--timebox", "soon").exit_code == 2


def test_overdue_is_flagged_everywhere(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    spike = repo.new_spike("Research emoji encoding")  # timebox 2d
    repo.ok("spike", "start", spike)  # 2026-11-21 10:00 UTC
    assert repo.ok("spike", "overdue").stdout == ""
    assert "[overdue]" not in repo.ok("list").stdout

    monkeypatch.setenv("STORYKIT_NOW", "2026-11-23T09:59:00+00:00")  # 1 minute before
    assert repo.ok("spike", "overdue").stdout == ""
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-23T10:01:00+00:00")  # 1 minute after
    overdue = repo.ok("spike", "overdue")
    assert overdue.stdout.startswith(f"{spike}  timebox 2d ran out 2026-11-23 10:00")
    assert repo.ok("list").stdout.rstrip().endswith("[overdue]")
    listed = _json(repo, "list")
    assert listed["items"][0]["overdue"] is True
    assert "OVERDUE: the 2d timebox ran out at 2026-11-23 10:00" in repo.ok("show", spike).stdout
    assert _json(repo, "show", spike)["item"]["overdue"] is True
    assert f"{spike} spike OVERDUE" in repo.ok("board").stdout
    checked = repo.run("check")
    assert checked.exit_code == 0
    assert "warning: started: spike overdue: its 2d timebox ran out at 2026-11-23 10:00" in (
        checked.stdout
    )
    data = _json(repo, "spike", "overdue")
    assert data["items"][0]["id"] == spike
    assert data["items"][0]["overdue_since"] == "2026-11-23 10:00:00+00:00"

    repo.ok("spike", "extend", spike, "--timebox", "1d")
    assert repo.ok("spike", "overdue").stdout == ""


def test_hours_are_calendar_hours(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    spike = _json(repo, "spike", "new", "Q", "--question", "q", "--timebox", "4h")["item"]["id"]
    repo.ok("spike", "start", spike)
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-21T14:00:01+00:00")
    assert spike in repo.ok("spike", "overdue").stdout


# --- splitting ---------------------------------------------------------------------------


def test_split_creates_parts_in_the_originals_place(repo: Repo) -> None:
    epic = _epic(repo)
    repo.ok("sprint", "new", "S7", "--start", "2026-11-16")
    first = repo.new_story("First")
    original = repo.new_story(
        "Send and receive emoji", "--parent", epic, "--tag", "ux", "--sprint", "S7"
    )
    last = repo.new_story("Last")
    count = repo.commit_count()
    data = _json(repo, "split", original, "Send emoji", "Receive emoji", "Emoji skin tones")
    assert repo.commit_count() == count + 1
    parts = [item["id"] for item in data["parts"]]
    assert len(repo.last_commit_files()) == 4
    assert repo.git("log", "-1", "--format=%s").strip() == (
        f"backlog: split story {original} into {', '.join(parts)}: Send and receive emoji"
    )
    for item, title in zip(data["parts"], ["Send emoji", "Receive emoji", "Emoji skin tones"],
                           strict=True):  # fmt: skip
        assert item["title"] == title and item["type"] == "story"
        assert item["parent"] == epic and item["tags"] == ["ux"] and item["sprint"] == "S7"
        assert item["split_from"] == original and item["status"] == "draft"
    assert data["item"]["status"] == "dropped"
    assert data["item"]["split_into"] == parts
    assert _ids(repo, "--type", "story") == [first, *parts, last]
    assert (repo.root / "backlog" / repo.item_path(original).name).exists()
    shown_original = repo.ok("show", original).stdout
    assert f"  - {parts[0]}  Send emoji" in shown_original
    assert re.search(
        rf"split_from: +{original}  Send and receive emoji", repo.ok("show", parts[1]).stdout
    )


def test_split_refusals_change_nothing(repo: Repo) -> None:
    story = repo.new_story()
    before = repo.snapshot()
    assert repo.run("split", story, "only one").exit_code == 2
    assert repo.run("split", story, "a", " ").exit_code == 2
    repo.ok("drop", story)
    dropped = repo.snapshot()
    result = repo.run("split", story, "a", "b")
    assert result.exit_code == 2
    assert "only open items split" in result.stderr
    assert repo.snapshot() == dropped
    assert before != dropped


# --- epics -------------------------------------------------------------------------------


def test_epic_show_rolls_up_children(repo: Repo) -> None:
    epic = _epic(repo)
    a = repo.new_story("A", "--parent", epic, "--points", "5")
    b = repo.new_story("B", "--parent", epic, "--points", "3")
    c = repo.new_spike("C", "--parent", epic)
    dropped = repo.new_story("D", "--parent", epic, "--points", "8")
    repo.ok("set", b, "acceptance_criteria+=works")
    repo.ok("status", b, "done")
    repo.ok("drop", dropped)
    repo.ok("rank", c, "--top")
    text = repo.ok("show", epic).stdout
    assert "children (4):" in text
    children_lines = text.split("children (4):\n")[1].splitlines()[:4]
    assert [line.split()[0] for line in children_lines] == [c, a, b, dropped]
    assert "progress: 2 draft, 1 done, 1 dropped; 3 of 8 points done" in text
    data = _json(repo, "show", epic)
    assert [child["id"] for child in data["children"]] == [c, a, b, dropped]
    assert data["progress"] == {
        "by_status": {"draft": 2, "ready": 0, "in-progress": 0, "done": 1, "dropped": 1},
        "points_done": 3,
        "points_total": 8,
    }
    assert _ids(repo, "--parent", epic, "--all") == [c, a, b, dropped]


def test_check_reports_parents_of_the_wrong_type(repo: Repo) -> None:
    epic = _epic(repo)
    story = repo.new_story("Story", "--parent", epic)
    spike = repo.new_spike("Spike")
    task_ok = repo.ok("task", "new", "Task", "--parent", story)
    assert task_ok.exit_code == 0
    # Written by hand (storykit refuses them at write time, in the same words).
    wrong_story = repo.new_story("Under a spike")
    wrong_task = _json(repo, "task", "new", "Task under epic", "--parent", story)["item"]["id"]
    for item, parent in ((wrong_story, spike), (wrong_task, epic)):
        path = repo.item_path(item)
        text = path.read_text()
        if "parent:" in text:
            text = text.replace(f"parent: {story}", f"parent: {parent}")
        else:
            text += f"parent: {parent}\n"
        path.write_text(text)
    result = repo.run("check")
    assert result.exit_code == 1
    out = result.stdout
    assert f"error: parent: {spike} is a spike; a story's parent must be an epic" in out
    assert f"error: parent: {epic} is an epic; a task's parent must be a story or a tech" in out
    data = repo.run("check", "--json").json()
    assert isinstance(data, dict)
    codes = [p["code"] for p in data["problems"]]
    assert codes.count("parent-type") == 2
    assert wrong_story in out and wrong_task in out


# --- dependencies ------------------------------------------------------------------------


def _ready_story(repo: Repo, title: str, *extra: str) -> str:
    item = repo.new_story(title, "--points", "3", "--acceptance-criteria", "works", *extra)
    repo.ok("status", item, "ready")
    return item


def test_next_shows_ready_items_whose_dependencies_are_done(repo: Repo) -> None:
    blocker = _ready_story(repo, "Blocker")
    blocked = _ready_story(repo, "Blocked", "--depends-on", blocker)
    free = _ready_story(repo, "Free")
    repo.new_story("Draft one")
    assert _ids_of(repo.ok("next").stdout) == [blocker, free]
    repo.ok("done", blocker)
    assert _ids_of(repo.ok("next").stdout) == [blocked, free]
    assert _ids_of(repo.ok("next", "--limit", "1").stdout) == [blocked]
    data = _json(repo, "next")
    assert [item["id"] for item in data["items"]] == [blocked, free]
    repo.ok("done", blocked)
    repo.ok("done", free)
    empty = repo.run("next")
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "nothing is ready" in empty.stderr


def _ids_of(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines()]


def test_dependency_cycles_are_named(repo: Repo) -> None:
    a = repo.new_story("A")
    b = repo.new_story("B", "--depends-on", a)
    c = repo.new_story("C", "--depends-on", b)
    path = repo.item_path(a)  # by hand: storykit refuses it at write time
    path.write_text(path.read_text() + f"depends_on:\n  - {c}\n")
    result = repo.run("check")
    assert result.exit_code == 1
    first = min(a, b, c)
    assert "error: depends_on: dependency cycle " in result.stdout
    cycle_line = next(line for line in result.stdout.splitlines() if "cycle" in line)
    names = cycle_line.split("dependency cycle ")[1].split(" → ")
    assert names[0] == first and names[-1] == first and set(names) == {a, b, c}


def test_frozen_clock_is_documented_and_used(repo: Repo) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "STORYKIT_NOW" in readme
    assert os.environ["STORYKIT_NOW"] == "2026-11-21T10:00:00+00:00"
    story = repo.new_story()
    assert "created: 2026-11-21" in repo.item_path(story).read_text()
