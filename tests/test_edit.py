"""`storykit edit` and `new --edit`, with a real editor process ($EDITOR script)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import SCRIPT, Repo, run_on_terminal

EditorInstaller = Callable[..., Path]


def on_terminal(repo: Repo, *args: str) -> tuple[int, str]:
    """The command run on a terminal, where an invalid edit reopens the editor."""
    return run_on_terminal(repo.root, [str(SCRIPT), *args], {"NO_COLOR": "1"})


def test_edit_saves_a_valid_change_in_one_commit(repo: Repo, fake_editor: EditorInstaller) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    text = path.read_text()
    fake_editor(text.replace("status: draft", "status: dropped") + "notes: edited by hand\n")
    count = repo.commit_count()
    result = repo.ok("edit", story)
    assert f"edited story {story}" in result.stdout
    assert repo.commit_count() == count + 1
    assert "notes: edited by hand" in path.read_text()
    subject = repo.git("log", "-1", "--format=%s")
    assert subject.startswith(f"backlog: edit {story} status draft → dropped, notes ")


def test_edit_unchanged_is_nothing_to_do(repo: Repo, fake_editor: EditorInstaller) -> None:
    story = repo.new_story()
    fake_editor(None)
    before = repo.snapshot()
    result = repo.ok("edit", story)
    assert "nothing to do" in result.stdout
    assert repo.snapshot() == before


def test_invalid_edit_reopens_with_problems_then_saves_the_fix(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    good = path.read_text()
    bad = good.replace("status: draft", "stauts: draft")
    log = fake_editor(bad, good.replace("status: draft", "status: dropped"))
    code, output = on_terminal(repo, "edit", story)
    assert code == 0, output
    shown_again = (log / "shown-1.txt").read_text()
    assert shown_again.startswith("# storykit: fix these problems")
    assert "stauts: unknown key (did you mean 'status'?)" in shown_again
    assert "status: required field is missing" in shown_again
    assert "status: dropped" in path.read_text()
    assert "# storykit:" not in path.read_text()


def test_quitting_an_invalid_edit_leaves_the_original(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    story = repo.new_story()
    good = repo.item_path(story).read_text()
    fake_editor(good.replace("points", "x").replace("as_a: user", "as_a: [1"), None)
    repo.refused("edit", story, code=1, says="edit abandoned")


def test_editor_failure_changes_nothing(repo: Repo, fake_editor: EditorInstaller) -> None:
    story = repo.new_story()
    fake_editor("FAIL")
    repo.refused("edit", story, code=1, says="the editor exited with status 1")


def test_edit_cannot_change_the_id(repo: Repo, fake_editor: EditorInstaller) -> None:
    story = repo.new_story()
    good = repo.item_path(story).read_text()
    log = fake_editor(good.replace(f"id: {story}", "id: SK-ZZZZ"), None)
    before = repo.snapshot()
    assert on_terminal(repo, "edit", story)[0] == 1
    assert "does not match the file name" in (log / "shown-1.txt").read_text()
    assert repo.snapshot() == before


def test_edit_repairs_an_invalid_file(repo: Repo, fake_editor: EditorInstaller) -> None:
    path = repo.root / "backlog" / "SK-FXD1-broken.yaml"
    path.write_text("id: SK-FXD1\ntype: epic\ntitle: Emoji\nstatus: ready\nrank: a0\n")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "broken epic")
    assert repo.run("check").exit_code == 1
    fake_editor(path.read_text() + "goal: People express emotions\n")
    repo.ok("edit", "SK-FXD1")
    assert repo.run("check").exit_code == 0


def test_edit_retitle_renames(repo: Repo, fake_editor: EditorInstaller) -> None:
    story = repo.new_story("Send emojis")
    old = repo.item_path(story)
    fake_editor(old.read_text().replace("title: Send emojis", "title: Send stickers"))
    repo.ok("edit", story)
    assert repo.item_path(story).name == f"{story}-send-stickers.yaml"
    assert not old.exists()


def test_edit_gate_problems_reopen_the_editor(repo: Repo, fake_editor: EditorInstaller) -> None:
    spike = repo.new_spike()
    text = repo.item_path(spike).read_text()
    log = fake_editor(text.replace("status: draft", "status: done"), None)
    assert on_terminal(repo, "edit", spike)[0] == 1
    assert "status: a spike needs an outcome to be done" in (log / "shown-1.txt").read_text()


def test_new_with_edit_opens_the_file_before_saving(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    log = fake_editor(None)
    result = repo.ok(
        "spike", "new", "Which emoji encoding?", "--question", "UTF-8 or UTF-16?",
        "--timebox", "2d", "--edit", "--json",
    )  # fmt: skip
    shown = (log / "shown-0.txt").read_text()
    assert "question: UTF-8 or UTF-16?" in shown
    data = result.json()
    assert isinstance(data, dict)
    assert data["item"]["title"] == "Which emoji encoding?"


def test_new_with_edit_can_change_fields(
    repo: Repo, fake_editor: EditorInstaller, tmp_path: Path
) -> None:
    script = tmp_path / "sed-editor.sh"
    script.write_text(
        '#!/bin/sh\nsed -i "s/^timebox: 2d/timebox: 1w/; s/^title: .*/title: Renamed/" "$1"\n'
    )
    script.chmod(0o755)
    import os

    os.environ["EDITOR"] = str(script)
    spike = repo.new_spike("Original", "--edit")
    path = repo.item_path(spike)
    assert path.name == f"{spike}-renamed.yaml"
    assert "timebox: 1w" in path.read_text()
    assert repo.status() == ""
