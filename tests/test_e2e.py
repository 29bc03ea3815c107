"""End-to-end: the installed `storykit` command as a separate process."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import git, make_repo

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


def in_pty(cwd: Path, args: list[str], answers: list[str], env: dict[str, str]) -> str:
    """Run storykit on a pseudo-terminal, typing `answers` at its prompts."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execve(STORYKIT, [STORYKIT, *args], {**os.environ, **env})
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if pending and chunk.rstrip().endswith(b":"):
            os.write(fd, (pending.pop(0) + "\n").encode())
    os.waitpid(pid, 0)
    return output.decode("utf-8", "replace")


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
    out = in_pty(
        repo,
        ["story", "new", "Send emojis"],
        ["user", "to send emojis", "I can express emotions"],
        {"NO_COLOR": "1"},
    )
    assert "as a:" in out and "i want:" in out and "so that:" in out
    files = sorted((repo / "backlog").glob("SK-*.yaml"))
    assert len(files) == 1
    assert "so_that: I can express emotions" in files[0].read_text()


def test_colour_on_a_terminal_and_no_color_honoured(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sk(repo, "init")
    sk(repo, "spike", "new", "Research emoji encoding", "--question", "q", "--timebox", "2d")
    coloured = in_pty(repo, ["list"], [], {"TERM": "xterm-256color"})
    assert "\x1b[" in coloured
    plain = in_pty(repo, ["list"], [], {"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "Research emoji encoding" in plain
    piped = sk(repo, "list")
    assert "\x1b[" not in piped.stdout
