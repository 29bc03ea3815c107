"""Where things are — project root, git dirs, the read cache — found without running git
or validating settings, so that every command can afford it."""

from __future__ import annotations

import hashlib
from pathlib import Path

CONFIG_FILE = ".storykit.toml"
SPRINT_FOLDER = "sprints"  # the sprint files, inside the backlog folder


def is_item_file(name: str) -> bool:
    """Whether a file name in the backlog folder is an item file (hidden files are not)."""
    return name.endswith((".yaml", ".yml")) and not name.startswith(".")


def backlog_folder_problem(root: Path, backlog_dir: str) -> str | None:
    """Why the backlog folder `backlog_dir` of the work tree at `root` must not be used,
    or None. storykit never follows a symbolic link on the way to it (a link could lead
    outside the repository), and never works inside the git directory."""
    folder = root
    for part in Path(backlog_dir).parts:
        folder = folder / part
        if folder.is_symlink():
            shown = folder.relative_to(root).as_posix()
            return f"{shown} is a symbolic link; storykit does not follow it"
    git_dir = find_git_dir(root)
    if git_dir is not None:
        inside = folder.resolve()
        for special in {git_dir.resolve(), common_dir(git_dir).resolve()}:
            if inside == special or special in inside.parents:
                return f"{backlog_dir} is inside the git directory"
    return None


def find_project_root(start: Path) -> Path | None:
    """The nearest folder holding `.storykit.toml`, not looking above the git repository."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def cache_file(state_dir: Path, root: Path) -> Path:
    """The read cache of the work tree at `root` (linked worktrees get their own file)."""
    if state_dir.parent == root / ".git":
        return state_dir / "items-cache.json"
    digest = hashlib.sha1(str(root).encode()).hexdigest()[:12]
    return state_dir / f"items-cache-{digest}.json"


def find_git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text.removeprefix("gitdir:").strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def common_dir(git_dir: Path) -> Path:
    """The common git dir shared by all worktrees of the repository."""
    pointer = git_dir / "commondir"
    if pointer.is_file():
        target = Path(pointer.read_text(encoding="utf-8").strip())
        return target if target.is_absolute() else (git_dir / target).resolve()
    return git_dir
