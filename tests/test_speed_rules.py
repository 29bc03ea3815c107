"""Structural speed rules (not timings): lazy imports, and the cache in the common git dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import typer

from storykit.cli.commands import COMMANDS
from tests.helpers import Repo, git, modules_after


def _modules_after(cwd: Path, *argv: str, env: dict[str, str] | None = None) -> set[str]:
    return modules_after(cwd, *argv, env=env, entry="storykit.cli.app")


def test_warm_list_and_show_do_not_import_ruamel(repo: Repo) -> None:
    story = repo.new_story()
    repo.new_spike()
    repo.age_files()
    repo.ok("list")  # fills the cache
    repo.ok("show", story)  # reads the history at this HEAD once (who captured it)
    for argv in (("list",), ("list", "--json", "--all"), ("show", story), ("--help",)):
        loaded = _modules_after(repo.root, *argv)
        assert not any(name.startswith("ruamel") for name in loaded), argv


def test_help_builds_and_imports_no_command(tmp_path: Path) -> None:
    """`storykit --help` lists the commands from their declared sentences: no command
    module is imported (nor anything of the services, models or YAML below them)."""
    for argv in (("--help",), ("-h",), ()):
        loaded = modules_after(tmp_path, *argv)
        ours = {name for name in loaded if name.startswith("storykit.")}
        allowed = {"storykit.cli", "storykit.cli.main", "storykit.cli.app", "storykit.model"}
        allowed |= {"storykit.cli.commands", "storykit.model.catalogue"}
        allowed |= {"storykit.cli.lean", "storykit.cli.lean.help"}  # `--help`, `-h`: no Typer
        assert ours <= allowed, (argv, sorted(ours - allowed))
        assert not any(name.startswith(("pydantic", "ruamel")) for name in loaded), argv


def test_a_command_is_built_with_its_declared_sentence_and_its_docstring() -> None:
    from storykit.cli.app import app

    group = typer.main.get_command(app)
    for declared in COMMANDS:
        built = group.commands[declared.name]  # type: ignore[attr-defined]
        assert built.short_help == declared.summary
        if not declared.group:  # a group's help is its own (`storykit sprint --help`)
            assert (built.help or "").startswith(declared.summary), declared.name
    rank = group.commands["rank"]  # type: ignore[attr-defined]
    assert "--before ID" in rank.help  # the rest of its help: the docstring


def test_completion_lists_ids_without_parsing(repo: Repo) -> None:
    story = repo.new_story()
    env = {"_STORYKIT_COMPLETE": "complete_bash", "COMP_WORDS": "storykit show ", "COMP_CWORD": "2"}
    loaded = _modules_after(repo.root, env=env)
    assert not any(name.startswith("ruamel") for name in loaded)
    script = Path(sys.executable).parent / "storykit"
    result = subprocess.run(
        [str(script)], cwd=repo.root, capture_output=True, text=True,
        env={**os.environ, **env}, check=False,
    )  # fmt: skip
    assert story in result.stdout.split()
    partial = {**env, "COMP_WORDS": f"storykit show {story[3:5].lower()}"}
    narrowed = subprocess.run(
        [str(script)], cwd=repo.root, capture_output=True, text=True,
        env={**os.environ, **partial}, check=False,
    )  # fmt: skip
    typed = story[3:5].lower()  # a random code: it may start with two digits, caseless
    expected = story[3:].lower() if any(c.isalpha() for c in typed) else story[3:]
    assert narrowed.stdout.split() == [expected]  # in the case it is typed


def test_the_cache_lives_in_the_common_git_dir_for_worktrees(repo: Repo, tmp_path: Path) -> None:
    story = repo.new_story()
    worktree = tmp_path / "wt"
    git(repo.root, "worktree", "add", "-q", "-b", "other", str(worktree))
    past = time.time() - 60
    for path in (worktree / "backlog").iterdir():
        os.utime(path, (past, past))
    listed = repo.run("list", cwd=worktree)
    assert listed.exit_code == 0 and story in listed.stdout
    state = repo.root / ".git" / "storykit"
    assert len(list(state.glob("items-cache-*.json"))) == 1  # the worktree's own file
    assert not (repo.root / ".git" / "worktrees" / "wt" / "storykit").exists()
    repo.age_files()
    repo.run("list")
    common = state / "items-cache.json"
    assert common.exists()  # the main tree's; neither invalidates the other
    # A change in the worktree is seen there and not in the main tree.
    path = next((worktree / "backlog").glob(f"{story}-*.yaml"))
    path.write_text(path.read_text().replace("Send emojis in messages", "Changed in worktree"))
    assert "Changed in worktree" in repo.run("list", cwd=worktree).stdout
    assert "Send emojis in messages" in repo.run("list").stdout
    json.loads(common.read_text())
