"""`storykit claim --push`: a claim that holds across clones (docs/architecture.md,
"Claims").

The claim is made as on one clone (one commit, the lock, the gates), then pushed: the
remote takes it only as a fast-forward, so of two clones claiming on one tip exactly one
push lands. A rejected claim is taken back (the branch moved to where it was), the remote's
tip fetched and fast-forwarded to, and the claim made again there: the item is read as the
remote has it, so one that someone else claimed meanwhile is refused (exit 75, naming who
has it) or, for a claim that named no item, the next free one taken. After a few rounds,
or on any failure, the branch is put back where it was before the command.

The whole of it holds the backlog lock, so claims on one clone queue behind each other and
no other storykit change lands between a claim and its push.
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass

from storykit.errors import GitError, RepoStateError, StorykitError
from storykit.model.ids import looks_like_query
from storykit.repository import remote
from storykit.repository.runner import Git
from storykit.services.claims import CLAIM_QUEUE, ClaimedError, claim
from storykit.services.workspace import CommitOptions, Outcome, Workspace
from storykit.storage.lock import backlog_lock

ROUNDS = 25  # pushes tried before giving up (each after the remote moved)


@dataclass(frozen=True)
class PushedClaim:
    outcome: Outcome
    remote: str  # `origin/main`
    tries: int


def claim_and_push(
    ws: Workspace, query: str | None, owner: str, options: CommitOptions, to: str | None
) -> PushedClaim:
    """Claim the item named (or the top of `next`) and push the claim to `to` (default:
    the branch's upstream, else origin)."""
    options = dataclasses.replace(options, commit=True)  # a claim to push is committed
    project = ws.project
    wait = project.config.lock_wait
    with backlog_lock(project.state_dir, "claiming and pushing", wait, CLAIM_QUEUE):
        git = ws.repo
        git.check_can_commit(project.config.backlog_dir)
        branch = git.branch_ref()
        if query is None and to is not None and _names_an_item(ws, to):
            query, to = to, None  # `claim --push SK-7K2M`: the ID, not a remote
        target = remote.push_target(git, branch, to)
        start = git.head()
        if start is None:
            raise RepoStateError(
                "the branch has no commits yet: there is nothing to claim",
                hint="`storykit init` makes the first commit",
            )
        base = start  # the commit the claim is built on this round
        try:
            for tries in range(1, ROUNDS + 1):
                current = ws if tries == 1 else Workspace.open(project.root)
                done = claim(current, query, owner, options)
                assert done.commit is not None  # a claim always changes its item
                pushed = remote.push(git, target, done.commit, run_hooks=ws.runs_hooks(options))
                if pushed.ok:
                    return PushedClaim(done, target.shown, tries)
                remote.move_branch(git, branch, done.commit, base)
                base = _catch_up(git, branch, target, base, pushed.reason)
                time.sleep(random.uniform(0.0, min(0.1 * tries, 1.0)))  # spreads the retries
            raise ClaimedError(
                f"gave up after {ROUNDS} tries: {target.shown} kept moving under the claim",
                hint="try again in a moment",
            )
        except BaseException as exc:
            _put_back(git, branch, start, exc)
            raise


def _names_an_item(ws: Workspace, text: str) -> bool:
    head = ws.project.config.prefix.upper() + "-"
    if not text.upper().startswith(head) or not looks_like_query(text):
        return False
    return not remote.is_remote(ws.repo, text)


def _catch_up(git: Git, branch: str, target: remote.Target, base: str, reason: str) -> str:
    """After a rejected push: fetch the remote's tip and bring the branch up to it — a
    fast-forward, or a merge when the branch has commits of its own — (the new base), or
    say why the claim cannot be replayed there."""
    tip = remote.fetch_tip(git, target)
    if tip is None or git.is_ancestor(tip, base):
        raise GitError(
            f"{target.shown} refused the claim ({reason or 'rejected'}) though it has not moved",
            hint="the remote may protect the branch or run a hook that refused it: push "
            "by hand (`git push`) to see why",
        )
    if not git.is_ancestor(base, tip):  # commits of our own too: merged, as a pull
        return remote.merge_in(git, branch, tip, target.shown)
    remote.move_branch(git, branch, base, tip)
    return tip


def _put_back(git: Git, branch: str, start: str, failure: BaseException) -> None:
    """Move the branch back to where it was before the command (a loser's branch is left
    as it was); if even that fails, the failure says so."""
    try:
        head = git.head()
        if head is not None and head != start:
            remote.move_branch(git, branch, head, start)
    except StorykitError as exc:
        failure.add_note(  # said as `note: …`
            f"{branch.removeprefix('refs/heads/')} could not be moved back to {start[:8]}: {exc}"
        )
