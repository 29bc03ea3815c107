"""`backlog_dir` never leads outside the work tree or into the git directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Repo


def _configure(repo: Repo, backlog_dir: str) -> None:
    config = repo.root / ".storykit.toml"
    text = config.read_text().replace('backlog_dir = "backlog"', f'backlog_dir = "{backlog_dir}"')
    config.write_text(text)
    repo.git("add", ".storykit.toml")
    repo.git("commit", "-qm", "backlog elsewhere")


@pytest.mark.parametrize("link", ["docs", "docs/team"])
def test_a_symlinked_folder_on_the_way_is_refused_before_anything_is_created(
    repo: Repo, tmp_path: Path, link: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = repo.root / link
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(elsewhere)
    _configure(repo, "docs/team/backlog")
    for args in (
        ("epic", "new", "Emoji", "--goal", "g", "--no-commit"),
        ("epic", "new", "Emoji", "--goal", "g"),
        ("list",),
        ("check",),
    ):
        repo.refused(*args, code=3, says=f"{link} is a symbolic link")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "value", ["./.git/hooks", ".git", "docs/.git/x", ".GIT/hooks", "a/../../x", "/tmp/x", "."]
)
def test_a_backlog_dir_in_the_git_dir_or_outside_is_a_config_error(repo: Repo, value: str) -> None:
    config = repo.root / ".storykit.toml"
    config.write_text(
        config.read_text().replace('backlog_dir = "backlog"', f'backlog_dir = "{value}"')
    )
    before = sorted(p.name for p in (repo.root / ".git").iterdir())
    result = repo.run("epic", "new", "Emoji", "--goal", "g", "--no-commit")
    assert result.exit_code == 1
    assert ".storykit.toml:3:1: error: backlog_dir: must" in result.stderr
    assert sorted(p.name for p in (repo.root / ".git").iterdir()) == before


def test_a_git_dir_inside_the_work_tree_under_another_name_is_refused(
    bare_repo: Repo, tmp_path: Path
) -> None:
    """`git init --separate-git-dir meta`: the git directory is a folder of the work tree."""
    root = tmp_path / "separate"
    root.mkdir()
    import subprocess

    subprocess.run(
        ["git", "init", "-q", "--separate-git-dir", str(root / "meta"), str(root)], check=True
    )
    (root / ".storykit.toml").write_text('backlog_dir = "meta/items"\ncommit = false\n')
    repo = Repo(root, bare_repo.runner)
    repo.refused("epic", "new", "Emoji", "--goal", "g", code=3, says="is inside the git directory")
