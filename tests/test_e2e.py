"""End-to-end: the installed `storykit` command as a separate process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, on_terminal

_BESIDE = Path(sys.executable).parent / "storykit"
STORYKIT = str(_BESIDE) if _BESIDE.exists() else shutil.which("storykit") or ""
pytestmark = pytest.mark.skipif(not STORYKIT, reason="storykit is not installed on PATH")


def sk(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [STORYKIT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_full_scenario_through_the_installed_command(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "messaging-app")
    assert sk(repo, "init").returncode == 0
    story = sk(
        repo, "story", "new", "Send emojis in messages", "--as-a", "user",
        "--i-want", "to send emojis in my messages", "--so-that", "I can express emotions",
        "--points", "5", "--acceptance-criteria", "An emoji sent arrives intact",
    )  # fmt: skip
    assert story.returncode == 0, story.stderr
    story_id = story.stdout.split()[2].rstrip(":")
    tech = sk(
        repo, "tech", "new", "Refactor message schema for emoji", "--why",
        "4-byte characters must fit", "--category", "refactor", "--supports", story_id,
    )  # fmt: skip
    assert tech.returncode == 0, tech.stderr
    spike = sk(repo, "spike", "new", "Research emoji encoding across platforms",
               "--question", "Which encoding?", "--timebox", "2d")  # fmt: skip
    spike_id = spike.stdout.split()[2].rstrip(":")
    assert sk(repo, "status", story_id, "ready").returncode == 0
    assert sk(repo, "start", spike_id).returncode == 0
    assert sk(repo, "set", spike_id, "outcome=UTF-8 everywhere").returncode == 0
    assert sk(repo, "done", spike_id).returncode == 0
    listed = sk(repo, "list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [
        story_id,
        tech.stdout.split()[2].rstrip(":"),
    ]
    assert sk(repo, "check").returncode == 0
    assert int(git(repo, "rev-list", "--count", "HEAD")) == 8  # init + 7 changes
    assert git(repo, "status", "--porcelain") == ""


def test_python_dash_m_and_error_exit_codes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    module = subprocess.run(
        [sys.executable, "-m", "storykit", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0 and module.stdout.startswith("storykit ")
    missing = sk(repo, "list")
    assert missing.returncode == 3
    assert missing.stderr.startswith("error: ")
    assert "Traceback" not in missing.stderr
    sk(repo, "init")
    assert sk(repo, "show", "SK-ZZZZ").returncode == 2
    assert sk(repo, "frobnicate").returncode == 2


def test_prompts_for_missing_fields_on_a_terminal(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sk(repo, "init")
    out = on_terminal(
        repo,
        [STORYKIT, "story", "new", "Send emojis"],
        {"NO_COLOR": "1"},
        answers=["user", "to send emojis", "I can express emotions"],
    )
    assert "as a:" in out and "i want:" in out and "so that:" in out
    files = sorted((repo / "backlog").glob("SK-*.yaml"))
    assert len(files) == 1
    assert "so_that: I can express emotions" in files[0].read_text()


def test_colour_on_a_terminal_and_no_color_honoured(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sk(repo, "init")
    sk(repo, "spike", "new", "Research emoji encoding", "--question", "q", "--timebox", "2d")
    coloured = on_terminal(repo, [STORYKIT, "list"], {})
    assert "\x1b[" in coloured
    plain = on_terminal(repo, [STORYKIT, "list"], {"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "Research emoji encoding" in plain
    piped = sk(repo, "list")
    assert "\x1b[" not in piped.stdout
