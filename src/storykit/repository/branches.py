"""Branches for `storykit start --branch`: a name checked as git checks it, a branch made or
checked out, and the way back when the change on it fails."""

from __future__ import annotations

import os

from storykit.errors import GitError, UsageError
from storykit.repository.runner import Git, config_env


def branch_name(git: Git, wanted: str) -> str:
    """`wanted` as git would name the branch; a name git refuses is a usage error."""
    status, out, _ = git.run("check-ref-format", "--branch", wanted, check=False)
    name = out.strip()
    if status != 0 or not name or name.startswith("-"):
        raise UsageError(
            f"{wanted!r} is not a name git takes for a branch",
            hint="give another: `storykit start ID --branch NAME`",
        )
    return name


def branch_exists(git: Git, name: str) -> bool:
    status, _, _ = git.run("rev-parse", "--verify", "-q", f"refs/heads/{name}", expect=(0, 1))
    return status == 0


def current_place(git: Git) -> tuple[str, bool]:
    """What HEAD is on: its branch's name, or its commit and True when it is detached."""
    status, out, _ = git.run("symbolic-ref", "-q", "--short", "HEAD", expect=(0, 1))
    if status == 0:
        return out.strip(), False
    head = git.head()
    if head is None:
        raise GitError("this repository has no commit yet: there is nothing to branch from")
    return head, True


def switch(git: Git, place: str, *, create: bool, hooks: bool, detach: bool = False) -> None:
    """Check out `place` (a new branch when `create`), as `git switch` does: changes in the
    work tree are carried over, or git refuses and nothing moves. The repository's
    post-checkout hook runs only when `hooks` says hooks run."""
    env = {} if hooks else config_env({"core.hooksPath": os.devnull})
    how = ["-c"] if create else ["--detach"] if detach else []
    status, _, err = git.run("switch", "--no-guess", *how, place, "--", env=env, check=False)
    if status != 0:
        raise GitError(
            f"git could not switch to {place}: {err.strip()}",
            hint="commit or stash the changes git names, then run this again",
        )


def delete_branch(git: Git, name: str) -> None:
    git.run("branch", "-D", "--", name, check=False)
