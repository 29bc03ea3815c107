"""Setting a clone up for merging item files field by field (docs/architecture.md,
"Merging branches").

Two halves: `.gitattributes`, committed, says which files the `storykit` merge driver
merges (`backlog/*.yaml merge=storykit`, and the same for `backlog/sprints/`); each
clone's own `.git/config` says how to run it (`merge.storykit.driver`), which git never
clones. Without the second half git silently
merges those files as text, so `init` writes both, every committing command writes the
second when it is missing, and `check` warns while it is missing.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storykit.config import Config
from storykit.errors import RepoStateError
from storykit.locations import SPRINT_FOLDER
from storykit.processes import is_isolated, python_argv, runs_storykit
from storykit.repository.runner import user_setting

if TYPE_CHECKING:
    from storykit.repository.runner import Git

ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTE = "merge=storykit"
DRIVER_KEY = "merge.storykit.driver"
NAME_KEY = "merge.storykit.name"
DRIVER_NAME = "storykit: backlog items merged field by field"
SET_UP_COMMAND = "storykit setup"
# What git passes, configured after `storykit merge-driver` (see cli/lean/merge_driver.py).
DRIVER_ARGS = "%O %A %B %L %P %X %Y"


def attributes_lines(config: Config) -> list[str]:
    """The `.gitattributes` lines that send item files and sprint files to the driver."""
    folder = _glob(config.backlog_dir)
    return [f"{folder}/*.yaml {ATTRIBUTE}", f"{folder}/{SPRINT_FOLDER}/*.yaml {ATTRIBUTE}"]


def missing_lines(text: str, config: Config) -> list[str]:
    """The driver's lines that a `.gitattributes` text lacks."""
    present = {" ".join(line.split()) for line in text.splitlines()}
    return [line for line in attributes_lines(config) if line not in present]


def names_driver(text: str) -> bool:
    """Whether a `.gitattributes` text sends some files to the storykit driver."""
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#") and ATTRIBUTE in words[1:]:
            return True
    return False


def attributes_text(root: Path) -> str:
    path = root / ATTRIBUTES_FILE
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def driver_missing(root: Path, git: Callable[[], Git]) -> bool:
    """`.gitattributes` names the driver but this clone cannot run it: no command, or one
    whose program is not there (a virtual environment since deleted). The repository is
    opened only to ask that."""
    return names_driver(attributes_text(root)) and not runnable(git().settings().get(DRIVER_KEY))


def set_up_clone(git: Git, *, name: bool = True) -> bool:
    """Write the driver to this clone's settings unless it has one that runs; whether it
    wrote."""
    if runnable(git.settings().get(DRIVER_KEY)):
        return False
    git.set_setting(DRIVER_KEY, driver_command())
    if name:
        git.set_setting(NAME_KEY, DRIVER_NAME)
    return True


def runnable(command: str | None) -> bool:
    """Whether git can run a driver command safely (`driver_problem`)."""
    return driver_problem(command) is None


def driver_problem(command: str | None, deep: bool = False) -> str | None:
    """What is wrong with a driver command, or None. git runs a missing program as a failed
    merge that leaves our side in the file (theirs would be lost on `git add`); an older
    set-up's `python -m storykit` put the work tree first on Python's path. `deep` also
    starts it (`--version`): a Python that is there but no longer has storykit fails too
    (`check` and `setup` ask that; every other command only looks)."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        return "cannot be read"
    if not words:
        return "is not set"
    if not is_isolated(words):
        return "lets Python import modules from the work tree (an older set-up)"
    program = words[0]
    if "/" in program:
        found = os.access(program, os.X_OK) and not os.path.isdir(program)
    else:
        found = shutil.which(program) is not None
    if not found:
        return "runs a program that is not there"
    if deep:
        starts = words[: words.index("merge-driver")] if "merge-driver" in words else words
        if not runs_storykit(starts):
            return "runs a program that no longer starts storykit"
    return None


@dataclass(frozen=True)
class SetUp:
    """What `storykit setup` did: where the driver is set (this clone, or the user's git
    configuration), whether it wrote it, the command, and what it replaced."""

    where: str
    wrote: bool
    command: str
    replaced: str | None = None
    replaced_problem: str | None = None
    note: str | None = None


def set_up_here(machine: bool) -> SetUp:
    """`storykit setup [--global]` from the current folder (any clone: storykit need not
    have been started in it; with --global, outside any repository too)."""
    from storykit.repository.runner import Git

    try:
        git: Git | None = Git(Path.cwd())
    except RepoStateError:
        if not machine:
            raise
        git = None
    return set_up(git, machine)


def set_up(git: Git | None, machine: bool) -> SetUp:
    """Set the merge driver up for this clone, or (`machine`) in the user's own git
    configuration, which every clone on this machine reads — unless one that runs
    storykit is already there. A broken one (a deleted environment, an older set-up) is
    replaced."""
    command = driver_command()
    if machine:
        current = user_setting(DRIVER_KEY)
        where = "your git configuration (~/.gitconfig), for every clone on this machine"
    else:
        if git is None:
            raise RepoStateError(
                "not in a git repository: `storykit setup` sets up this clone",
                hint="run it in a clone, or `storykit setup --global` for every clone",
            )
        current = git.settings().get(DRIVER_KEY)
        own = git.local_setting(DRIVER_KEY) is not None
        where = "this clone (.git/config)" if own else "your git configuration (~/.gitconfig)"
    problem = driver_problem(current, deep=True) if current else "is not set"
    note = None
    if machine and git is not None:
        local = git.local_setting(DRIVER_KEY)
        if local and driver_problem(local, deep=True):
            note = (
                "this clone's own setting overrides it and does not run: "
                "`storykit setup` (without --global) here repairs it"
            )
    if problem is None:
        return SetUp(where, False, current or command, note=note)
    if machine:
        user_setting(DRIVER_KEY, command)
        user_setting(NAME_KEY, DRIVER_NAME)
    else:
        assert git is not None
        git.set_setting(DRIVER_KEY, command)
        git.set_setting(NAME_KEY, DRIVER_NAME)
        where = "this clone (.git/config)"
    return SetUp(where, True, command, current, problem if current else None, note)


def driver_command() -> str:
    """How git runs this storykit, whatever PATH holds when git runs, importing nothing
    from the work tree it runs in: this Python by its absolute path, isolated, running the
    package (storykit/processes.py)."""
    program = " ".join(shlex.quote(word) for word in python_argv("storykit"))
    return f"{program} merge-driver {DRIVER_ARGS}"


def _glob(folder: str) -> str:
    """A folder name as a `.gitattributes` pattern matches it literally: glob characters
    escaped, white space (which ends a pattern) as a class."""
    out = []
    for char in folder:
        if char in "*?[\\":
            out.append("\\" + char)
        elif char.isspace():
            out.append("[[:space:]]")
        else:
            out.append(char)
    pattern = "".join(out)
    return "\\" + pattern if pattern[:1] in ("#", "!") else pattern
