"""Where things are — project root, git dirs, the read cache — found without running git
or validating settings, so that every command can afford it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CONFIG_FILE = ".storykit.toml"
SPRINT_FOLDER = "sprints"  # the sprint files, inside the backlog folder


def base_name(path: str) -> str:
    """The last name of a path as git and storykit write them (`/` between names): a
    string operation, where a `Path` costs microseconds a file at 100,000 files."""
    return path.rpartition("/")[2]


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


# What, besides the commits themselves, decides the history git shows.
_HISTORY_ENV = ("GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE")


def history_shape(git_dir: Path) -> str:
    """A digest of what decides which history git shows beyond the commits: the shallow
    boundary (`shallow`), grafts (`info/grafts`), replace refs (loose and packed, or the
    ref table), `core.useReplaceRefs` and the environment that moves or turns them off.
    Part of the key of every answer kept from history: `git fetch --unshallow` or a new
    replace ref makes it a different history. Files only, no git."""
    common = common_dir(git_dir)
    digest = hashlib.sha1()

    def add(label: str, data: bytes) -> None:
        digest.update(f"\0{label}\0{len(data)}\0".encode() + data)

    for name in ("shallow", "info/grafts"):
        add(name, _read_or_empty(common / name))
    replace = common / "refs" / "replace"
    if replace.is_dir():
        for path in sorted(p for p in replace.rglob("*") if p.is_file()):
            add(path.relative_to(common).as_posix(), _read_or_empty(path))
    packed = _read_or_empty(common / "packed-refs")
    add("packed", b"\n".join(line for line in packed.splitlines() if b" refs/replace/" in line))
    tables = common / "reftable" / "tables.list"
    add("reftable", _read_or_empty(tables))  # any ref change: kept answers only go stale
    config = _read_or_empty(common / "config").lower()
    add("config", b"\n".join(line for line in config.splitlines() if b"usereplacerefs" in line))
    for name in _HISTORY_ENV:
        add(name, os.environ.get(name, "\0unset").encode())
    return digest.hexdigest()[:20]


CUT_SHORT = "this clone's history is cut short (a shallow clone)"
UNSHALLOW_HINT = (
    "fetch the whole history: `git fetch --unshallow` (in CI, check out every commit, "
    "e.g. actions/checkout with fetch-depth: 0)"
)


def is_shallow(git_dir: Path) -> bool:
    """Whether the repository's history is cut short (a shallow clone, CI's default)."""
    return bool(_read_or_empty(common_dir(git_dir) / "shallow").strip())


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def package_fingerprint() -> str:
    """This storykit: its version and the size and time of each of its files."""
    from storykit import __version__

    package = Path(__file__).parent  # the whole storykit package
    digest = hashlib.sha1(__version__.encode())
    for folder, _dirs, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]
