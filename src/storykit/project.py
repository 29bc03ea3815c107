"""Finding the project: the repository root holding `.storykit.toml`, and its git dir."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from storykit.config import Config, parse_config
from storykit.errors import InvalidDataError, RepoStateError, StorykitError
from storykit.locations import CONFIG_FILE, common_dir, find_git_dir, find_project_root


@dataclass(frozen=True)
class Project:
    """A storykit project: repository root, settings and the backlog folder."""

    root: Path
    config: Config

    @property
    def backlog_dir(self) -> Path:
        return self.root / self.config.backlog_dir

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @cached_property
    def git_dir(self) -> Path | None:
        return find_git_dir(self.root)

    @property
    def state_dir(self) -> Path:
        """`.git/storykit/`: cache and lock, never committed (common dir for worktrees)."""
        git_dir = self.git_dir
        if git_dir is None:
            raise RepoStateError(
                f"{self.root} is not inside a git repository",
                hint="run `git init` first",
            )
        return common_dir(git_dir) / "storykit"

    def rel(self, path: Path) -> str:
        """A repository-relative POSIX path, as git and diagnostics show it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_project(start: Path | None = None) -> Project:
    """Locate and load the project containing `start` (default: the current folder)."""
    root = find_project_root((start or Path.cwd()).resolve())
    if root is not None:
        return load_project(root)
    raise RepoStateError(
        f"no {CONFIG_FILE} found here or in any parent folder of this repository",
        hint="run `storykit init` at the top of your git repository to start a backlog",
    )


def load_project(root: Path) -> Project:
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidDataError(f"{CONFIG_FILE} is not valid UTF-8") from None
    return Project(root=root, config=parse_config(text, CONFIG_FILE))


def settings_or_defaults(start: Path) -> Config:
    """The settings of the project around `start`, or the defaults when there is none or
    they cannot be read (the merge driver decides what is valid with them)."""
    root = find_project_root(start)
    if root is None:
        return Config()
    try:
        return load_project(root).config
    except StorykitError:
        return Config()
