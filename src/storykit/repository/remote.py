"""Talking to a remote for `claim --push`: where the branch goes, pushing one commit to it,
fetching its tip, and moving the local branch between commits without a merge.

A push is git's own compare-and-swap: the remote takes it only as a fast-forward of its
branch, under its ref lock. A rejected push is told apart from a failed one by `--porcelain`
output (one line per ref, framed by tabs: `!`, the refspec, the reason); a failure that
names no ref (no such remote, no network) is a GitError with git's own message.
"""

from __future__ import annotations

from dataclasses import dataclass

from storykit.errors import GitError, RepoStateError, UsageError
from storykit.repository.runner import Git


@dataclass(frozen=True)
class Target:
    """Where a branch is pushed: the remote (a name, URL or path) and its branch ref."""

    remote: str
    ref: str  # refs/heads/<name> on the remote

    @property
    def shown(self) -> str:
        return f"{self.remote}/{self.ref.removeprefix('refs/heads/')}"


@dataclass(frozen=True)
class Pushed:
    """A push's answer: taken, or rejected with git's reason (`fetch first`, …)."""

    ok: bool
    reason: str = ""


def push_target(git: Git, branch_ref: str, remote: str | None) -> Target:
    """The branch's upstream (`branch.<name>.remote` and `.merge`) when it has one on
    `remote` (or `remote` is not given); else `remote` (default `origin`) and the branch
    of the same name."""
    name = branch_ref.removeprefix("refs/heads/")
    if remote is not None and (not remote.strip() or remote.startswith("-")):
        raise UsageError(f"{remote!r} is not a remote", hint="name one: `git remote -v`")
    upstream = git.setting(f"branch.{name}.remote")
    merge = git.setting(f"branch.{name}.merge")
    if upstream and upstream != "." and merge and remote in (None, upstream):
        return Target(upstream, merge)
    chosen = remote or "origin"
    if not is_remote(git, chosen):
        raise UsageError(
            f"there is no remote {chosen!r} to push the claim to",
            hint="name one after --push (`git remote -v` lists them); to claim an item and "
            "push, put its ID first: `storykit claim ID --push`",
        )
    return Target(chosen, branch_ref)


def is_remote(git: Git, name: str) -> bool:
    """A configured remote, or something git can reach as one (a URL or a path)."""
    if git.setting(f"remote.{name}.url") is not None:
        return True
    if "://" in name or name.startswith("git@"):
        return True
    return (git.root / name).exists()  # a path (an absolute one stays itself)


def push(git: Git, target: Target, commit: str, *, run_hooks: bool) -> Pushed:
    """Push `commit` as the remote's branch (a fast-forward only)."""
    args = ["push", "--porcelain", "--quiet"]
    if not run_hooks:
        args.append("--no-verify")
    refspec = f"{commit}:{target.ref}"
    result = git.execute([*args, target.remote, refspec])
    out = result.stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[1].endswith(":" + target.ref):
            if fields[0] == "!":
                return Pushed(False, fields[2].strip())
            return Pushed(True)
    if result.returncode == 0:
        return Pushed(True)
    raise GitError(
        f"cannot push to {target.remote}: {result.stderr.strip() or out.strip()}",
        hint="check the remote (`git remote -v`) and that you may push to it",
    )


def fetch_tip(git: Git, target: Target) -> str | None:
    """Fetch the remote's branch; its commit (None: the remote has no such branch)."""
    result = git.execute(["fetch", "--quiet", "--no-tags", target.remote, target.ref])
    if result.returncode != 0:
        if "couldn't find remote ref" in result.stderr:
            return None
        raise GitError(
            f"cannot fetch {target.shown}: {result.stderr.strip()}",
            hint="check the remote (`git remote -v`) and the network",
        )
    status, out, _ = git.run("rev-parse", "--verify", "-q", "FETCH_HEAD^{commit}", check=False)
    return out.strip() if status == 0 else None


def move_branch(git: Git, branch_ref: str, current: str, to: str) -> None:
    """Move the checked-out branch from `current` to `to`, its files and index with it,
    keeping every local change git can keep (`git read-tree -m -u`, the fast-forward of
    `git merge`; no hooks run). Refuses, changing nothing, when a local change is in a
    file that differs between the two; the ref moves by compare-and-swap."""
    if current == to:
        return
    status, _, err = git.run("read-tree", "-m", "-u", current, to, check=False)
    if status != 0:
        raise RepoStateError(
            f"cannot move {branch_ref.removeprefix('refs/heads/')} to {to[:8]}: "
            f"{err.strip().splitlines()[0] if err.strip() else 'git read-tree failed'}",
            hint="commit or stash your local changes to the files named, then run this again",
        )
    status, _, err = git.run(
        "update-ref", "-m", "storykit: claim --push", branch_ref, to, current, check=False
    )
    if status != 0:  # the branch moved meanwhile: its files go back to where it is
        git.run("read-tree", "-m", "-u", to, current, check=False)
        raise RepoStateError(
            f"{branch_ref.removeprefix('refs/heads/')} moved while storykit was moving it: "
            f"{err.strip()}",
            hint="look at `git status` and `git log -1`, then run this again",
        )


def merge_in(git: Git, branch_ref: str, tip: str, what: str) -> str:
    """Merge `tip` into the checked-out branch, as `git pull` would (item files through
    the merge driver); the new HEAD. A merge that does not complete is aborted, leaving
    everything as it was, and refused."""
    name = branch_ref.removeprefix("refs/heads/")
    message = f"Merge {what} into {name}"
    result = git.execute(["merge", "--no-edit", "--quiet", "--no-stat", "-m", message, tip])
    if result.returncode != 0:
        lines = (result.stdout.decode("utf-8", "replace") + "\n" + result.stderr).splitlines()
        said = [line for line in lines if line.startswith(("CONFLICT", "error:", "fatal:"))]
        git.execute(["merge", "--abort"])
        raise RepoStateError(
            f"cannot merge {what} into {name}: "
            + (said[0] if said else next((x for x in lines if x.strip()), "git merge failed")),
            hint="merge it by hand (`git pull`; `storykit resolve` settles backlog files), "
            "push, and claim again",
        )
    head = git.head()
    assert head is not None
    return head
