"""`list`'s kept answer (cli/lean/kept_answers.py): served only while nothing it depends on
has changed — the files, the settings, the options, how it is printed, and "now" through
the overdue mark."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import SCRIPT, Repo, kept_files, on_terminal, tamper_kept


def _lean(repo: Repo, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(SCRIPT), *args], cwd=repo.root, capture_output=True, text=True, check=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    return result.stdout


@pytest.fixture
def backlog(repo: Repo) -> Repo:
    repo.new_story("Send emojis", "--tag", "ux", "--points", "3")
    spike = repo.new_spike("Research emoji encoding", "--timebox", "2d")
    repo.ok("spike", "start", spike)
    repo.age_files()
    return repo


NOW = {"STORYKIT_NOW": "2026-11-24T10:00:00+00:00"}


def test_asked_again_unchanged_the_kept_answer_is_printed(backlog: Repo) -> None:
    first = _lean(backlog, "list")  # notes the backlog folder
    assert _lean(backlog, "list") == first  # keeps the answer
    assert kept_files(backlog, "list")
    tamper_kept(backlog, "list")
    assert _lean(backlog, "list").startswith("KEPT\n")  # served from the kept answer
    assert _lean(backlog, "list", "--all") == backlog.run("list", "--all").stdout


def test_a_changed_file_setting_or_option_is_never_answered_from_an_old_answer(
    backlog: Repo,
) -> None:
    for _ in range(2):
        _lean(backlog, "list")
    tamper_kept(backlog, "list")
    path = next((backlog.root / "backlog").glob("SK-*send-emojis.yaml"))
    path.write_text(path.read_text().replace("points: 3", "points: 5"))
    backlog.age_files()  # the same age as before: size and inode still tell
    assert _lean(backlog, "list") == backlog.run("list").stdout
    assert "KEPT" not in _lean(backlog, "list", "--json")
    config = backlog.root / ".storykit.toml"
    config.write_text(config.read_text() + "\n# a comment changes the settings' bytes\n")
    assert "KEPT" not in _lean(backlog, "list")
    fresh = backlog.root / "backlog" / path.name
    fresh.write_text(fresh.read_text() + "notes: just now\n")  # too fresh to keep
    for _ in range(3):
        assert "KEPT" not in _lean(backlog, "list")
    tamper_kept(backlog, "list")
    assert "KEPT" not in _lean(backlog, "list")


def test_the_overdue_mark_appears_when_the_timebox_runs_out(backlog: Repo) -> None:
    before = {"STORYKIT_NOW": "2026-01-01T00:00:00+00:00"}
    for _ in range(2):
        early = _lean(backlog, "list", env=before)
    assert "overdue" not in early
    after = {"STORYKIT_NOW": "2099-01-01T00:00:00+00:00"}
    late = _lean(backlog, "list", env=after)
    assert late != early
    assert late == _lean(backlog, "list", env=after)
    assert _lean(backlog, "list", env=before) == early


def test_on_a_terminal_and_in_a_pipe_the_answers_differ(backlog: Repo) -> None:
    piped = [_lean(backlog, "list") for _ in range(2)][-1]
    env = {**os.environ, "COLUMNS": "60"}
    shown = [on_terminal(backlog.root, [str(SCRIPT), "list"], env) for _ in range(3)]
    assert shown[0] == shown[1] == shown[2]
    assert "\x1b[" in shown[2] and "\x1b[" not in piped
    assert _lean(backlog, "list") == piped


def test_a_backlog_folder_the_full_command_refuses_is_never_answered(backlog: Repo) -> None:
    for _ in range(2):
        _lean(backlog, "list")
    tamper_kept(backlog, "list")
    folder = backlog.root / "backlog"
    folder.rename(backlog.root / "elsewhere")
    folder.symlink_to(backlog.root / "elsewhere")
    result = subprocess.run(
        [str(SCRIPT), "list"], cwd=backlog.root, capture_output=True, text=True, check=False
    )
    assert "KEPT" not in result.stdout
    assert result.returncode != 0 and "error:" in result.stderr
