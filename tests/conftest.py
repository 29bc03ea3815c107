"""Shared fixtures: real temporary git repositories, isolated from the user's git config.
The helpers they use live in tests/helpers.py."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import Repo, make_repo

pytest_plugins = ["tests.board_support"]  # the browser board: a server and chromium


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No system or global git config, no inherited identity, a frozen clock."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "VISUAL",
        "EDITOR",
        "NO_COLOR",
        "CI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-21T10:00:00+00:00")
    monkeypatch.setenv("STORYKIT_LOCK_WAIT", "0.5")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def bare_repo(tmp_path: Path, runner: CliRunner) -> Repo:
    """A git repository with identity but no storykit backlog and no commits."""
    return Repo(make_repo(tmp_path / "repo"), runner)


@pytest.fixture
def repo(bare_repo: Repo) -> Repo:
    """An initialised storykit project (one commit)."""
    bare_repo.ok("init")
    return bare_repo


@pytest.fixture
def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Install a real editor process that writes the given contents, one per launch.

    Each entry is the new file text, None to save unchanged, or "FAIL" to exit 1.
    What the editor was shown is logged to `<returned folder>/shown-N.txt`.
    """

    def install(*contents: str | None) -> Path:
        folder = tmp_path / "editor"
        folder.mkdir(exist_ok=True)
        (folder / "script.json").write_text(json.dumps(list(contents)))
        script = folder / "editor.py"
        script.write_text(
            textwrap.dedent(
                """
                import json, pathlib, sys
                here = pathlib.Path(__file__).parent
                plan = json.loads((here / "script.json").read_text())
                counter = here / "count"
                n = int(counter.read_text()) if counter.exists() else 0
                counter.write_text(str(n + 1))
                target = pathlib.Path(sys.argv[1])
                (here / f"shown-{n}.txt").write_bytes(target.read_bytes())
                step = plan[n] if n < len(plan) else None
                if step == "FAIL":
                    sys.exit(1)
                if step is not None:
                    target.write_text(step, encoding="utf-8")
                """
            )
        )
        monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
        return folder

    return install
