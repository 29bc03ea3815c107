"""`storykit --help` without Typer (cli/lean/help.py) prints exactly Typer's help, at every
terminal width, and imports no Typer."""

from __future__ import annotations

import os
import subprocess

import pytest
import typer

from storykit.cli.app import app
from storykit.cli.lean import help as lean
from tests.helpers import SCRIPT, Repo, modules_after


def _typer_help() -> str:
    group = typer.main.get_command(app)
    context = group.make_context("storykit", [], resilient_parsing=True)
    return context.get_help() + "\n"


@pytest.mark.parametrize("columns", [1, 20, 49, 50, 51, 52, 53, 60, 66, 71, 77, 79, 80, 81, 200])
def test_the_lean_help_is_typers_at_every_width(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert lean.top_help("storykit", lean._width()) == _typer_help()


def test_storykit_help_prints_it_without_typer(tmp_path: os.PathLike[str]) -> None:
    for flag in ("--help", "-h"):
        env = {**os.environ, "COLUMNS": "64"}
        done = subprocess.run(
            [str(SCRIPT), flag], capture_output=True, text=True, env=env, check=True
        )
        os.environ["COLUMNS"] = "64"
        try:
            assert done.stdout == _typer_help()
        finally:
            del os.environ["COLUMNS"]
        loaded = modules_after(tmp_path, flag)  # type: ignore[arg-type]
        assert not any(name.startswith(("typer", "pydantic", "rich")) for name in loaded)
    for argv in (["--help", "list"], ["list", "--help"], []):  # Typer answers these
        done = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True)
        assert "Usage: storykit" in done.stdout + done.stderr


def test_a_closed_pipe_ends_quietly(repo: Repo) -> None:
    """The reader gone before anything is written (`| head` at its limit): no traceback and
    nothing on stderr, on the lean paths as on Typer's (which exits 0 after a help)."""
    repo.new_story()
    repo.age_files()
    repo.ok("list")
    for argv in (["--help"], ["list"], ["list", "--all"], ["show", "--help"]):
        done = subprocess.Popen(
            [str(SCRIPT), *argv], cwd=repo.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert done.stdout is not None and done.stderr is not None
        done.stdout.close()
        err = done.stderr.read().decode()
        assert done.wait() in (0, 1) and err == "", (argv, err)
