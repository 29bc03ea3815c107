"""Text typed in $EDITOR is never lost, the editor is never opened in vain, and `edit`
never loops: what can be refused is refused before the editor opens; a failure after the
user wrote something keeps the text and says where."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SCRIPT, Repo, run_on_terminal

EditorInstaller = Callable[..., Path]


def _launches(log: Path) -> int:
    counter = log / "count"
    return int(counter.read_text()) if counter.exists() else 0


def _kept(stderr: str) -> Path:
    match = re.search(r"note: what you wrote is kept in (\S+)", stderr)
    assert match, stderr
    return Path(match.group(1))


def _detach(repo: Repo) -> None:
    repo.git("checkout", "-q", "--detach")


@pytest.mark.parametrize(
    "command",
    [
        ("edit", "{story}"),
        ("spike", "close", "{spike}"),
        ("rank",),
        ("story", "new", "Idea", "--as-a", "user", "--i-want", "x", "--so-that", "y", "--edit"),
    ],
)
def test_a_detached_head_is_refused_before_the_editor_opens(
    repo: Repo, fake_editor: EditorInstaller, command: tuple[str, ...]
) -> None:
    story, spike = repo.new_story(), repo.new_spike()
    repo.ok("spike", "start", spike)
    log = fake_editor("written in vain\n")
    _detach(repo)
    args = [part.format(story=story, spike=spike) for part in command]
    result = repo.refused(*args, code=3, says="HEAD is detached")
    assert _launches(log) == 0
    assert "note:" not in result.stderr


def test_a_hand_edit_of_the_file_is_refused_before_the_editor_opens(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    story = repo.new_story()
    with repo.item_path(story).open("a") as handle:
        handle.write("notes: my own draft\n")
    log = fake_editor("anything\n")
    repo.refused("edit", story, code=3, says="uncommitted changes")
    assert _launches(log) == 0


def test_text_is_kept_when_the_item_changed_while_the_editor_was_open(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        f"item = pathlib.Path({str(path)!r})\n"
        "item.write_text(item.read_text() + 'notes: saved by someone else\\n')\n"
        "target = pathlib.Path(sys.argv[1])\n"
        "target.write_text(target.read_text() + 'owner: pat\\n')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = repo.run("edit", story)
    assert result.exit_code == 75, result.stderr
    assert "changed on disk while storykit was working" in result.stderr
    kept = _kept(result.stderr)
    assert kept.read_text().endswith("owner: pat\n")
    assert "saved by someone else" in path.read_text()  # the other save is not overwritten


def test_an_outcome_is_kept_when_closing_fails_after_the_editor(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    editor = tmp_path / "editor.sh"
    lock = repo.root / ".git" / "index.lock"
    # The user writes the outcome; meanwhile another git command takes the index.
    editor.write_text(f"#!/bin/sh\necho 'UTF-8 everywhere' >> \"$1\"\n: > '{lock}'\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    before = repo.item_path(spike).read_bytes()
    result = repo.run("spike", "close", spike)
    lock.unlink()
    assert result.exit_code == 75, result.stderr
    assert "UTF-8 everywhere" in _kept(result.stderr).read_text()
    assert repo.item_path(spike).read_bytes() == before


def test_an_order_is_kept_when_it_cannot_be_applied(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    repo.new_story("One")
    fake_editor("SK-NOPE  story  no such item\n")
    result = repo.run("rank")
    assert result.exit_code == 2
    assert "line 1:" in result.stderr
    assert _kept(result.stderr).read_text() == "SK-NOPE  story  no such item\n"


def test_nothing_is_kept_when_nothing_was_typed(repo: Repo, fake_editor: EditorInstaller) -> None:
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    fake_editor(None)  # saved unchanged: an empty outcome
    result = repo.run("spike", "close", spike)
    assert result.exit_code == 1
    assert "the outcome is empty" in result.stderr
    assert "note:" not in result.stderr


def _looping_editor(tmp_path: Path, content: str | None) -> tuple[str, Path]:
    """An editor that writes `content` every time (None: something new each time)."""
    editor = tmp_path / "loop.py"
    count = tmp_path / "launches"
    editor.write_text(
        "import pathlib, sys\n"
        f"count = pathlib.Path({str(count)!r})\n"
        "n = int(count.read_text()) + 1 if count.exists() else 1\n"
        "count.write_text(str(n))\n"
        f"content = {content!r}\n"
        "pathlib.Path(sys.argv[1]).write_text(content or f'invalid: [{n}\\n')\n"
    )
    return f"{sys.executable} {editor}", count


def test_an_editor_writing_the_same_invalid_text_stops_after_two_rounds(
    repo: Repo, tmp_path: Path
) -> None:
    story = repo.new_story()
    editor, count = _looping_editor(tmp_path, "id: [oops\n")
    before = repo.snapshot()
    code, output = run_on_terminal(
        repo.root, [str(SCRIPT), "edit", story], {"EDITOR": editor, "NO_COLOR": "1"}
    )
    assert code == 1, output
    assert "saved again without a change" in output
    assert count.read_text() == "2"
    assert "note: what you wrote is kept in" in output
    assert repo.snapshot() == before


def test_an_editor_writing_new_invalid_text_each_time_stops_after_ten_rounds(
    repo: Repo, tmp_path: Path
) -> None:
    story = repo.new_story()
    editor, count = _looping_editor(tmp_path, None)
    code, output = run_on_terminal(
        repo.root, [str(SCRIPT), "edit", story], {"EDITOR": editor, "NO_COLOR": "1"}
    )
    assert code == 1
    assert "still invalid after 10 tries" in output
    assert count.read_text() == "10"


def test_without_a_terminal_an_invalid_edit_is_not_reopened(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = repo.new_story()
    editor, count = _looping_editor(tmp_path, None)
    monkeypatch.setenv("EDITOR", editor)
    result = repo.refused("edit", story, code=1, says="standard input is not a terminal")
    assert count.read_text() == "1"
    assert "invalid: [1" in _kept(result.stderr).read_text()


@pytest.mark.parametrize(
    ("script", "says", "code"),
    [
        ("import os, sys; os.unlink(sys.argv[1])", "the editor removed", 1),
        ("FOLDER", "cannot run the editor", 2),
        ("NOT-EXECUTABLE", "cannot run the editor", 2),
    ],
)
def test_editor_failures_are_ordinary_errors(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, says: str, code: int
) -> None:
    story = repo.new_story()
    if script == "FOLDER":
        monkeypatch.setenv("EDITOR", str(tmp_path))
    elif script == "NOT-EXECUTABLE":
        plain = tmp_path / "editor.sh"
        plain.write_text("#!/bin/sh\n")
        plain.chmod(0o644)
        monkeypatch.setenv("EDITOR", str(plain))
    else:
        editor = tmp_path / "editor.py"
        editor.write_text(script)
        monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = repo.refused("edit", story, code=code, says=says)
    assert "internal error" not in result.stderr
