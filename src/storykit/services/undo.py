"""`storykit undo`: revert the last storykit change on this branch, with a new commit.

Never a rewrite: the undo is a commit of its own (`Storykit-Action: undo`, `Storykit-Undoes:
SHA`), so it can be pushed, reviewed and undone in turn. Undoing again steps further back:
an undo and the change it undid are skipped as a pair. Commits made by others are passed
over, unless they touched the same files (then the undo would throw their work away).
"""

from __future__ import annotations

from storykit.errors import RepoStateError, StorykitError
from storykit.model.naming import id_from_file_name
from storykit.repository.history import History, Marked
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset
from storykit.storage.store import StoredItem

UNDOABLE_PAST = ("init",)  # what undo will not take back: use git for that


def undo_last(ws: Workspace, force: bool, options: CommitOptions) -> Outcome:
    """Revert the last storykit commit on the current branch (see the module's doc)."""
    history = History(ws.project.root)
    folder = ws.project.config.backlog_dir
    prefix = ws.project.config.commit_prefix

    def build() -> Plan:
        target = _target(history.first_parent_log(folder))
        parent = target.parents[0]
        if not force:
            pushed = history.remote_branches_with(target.sha)
            if pushed:
                raise RepoStateError(
                    f"{target.sha[:8]} ({target.subject}) was pushed already: "
                    f"{', '.join(pushed)} has it",
                    hint="others may have built on it; run `storykit undo --force` to "
                    "revert it anyway (a new commit, nothing is rewritten)",
                )
        changed = history.changed_files(target.sha, parent)
        head = history.git.head() or ""
        for path, (_, after) in sorted(changed.items()):
            if history.blob_of(head, path) != after:
                later = history.last_change_to(path, target.sha)
                raise RepoStateError(
                    f"{path} was changed again after {target.sha[:8]} ({target.subject})"
                    + (f", by {later}" if later else ""),
                    hint="undo reverts only the last change to a file; change it back with "
                    "`storykit set` or `storykit edit`, or revert by hand with `git revert`",
                )
        changes = Changeset()
        for path, (before, after) in changed.items():
            where = ws.project.root / path
            current = where.read_bytes() if where.exists() else None
            restored = None if before is None else history.checkout_bytes(parent, path)
            if options.include_changes:
                committed = None if after is None else history.checkout_bytes(head, path)
                if current != committed:  # the user's edits: carried, never thrown away
                    restored = _carried(ws, path, committed, current, restored)
            if restored is None:
                changes.delete(where, expected=current)
            else:
                changes.write(where, restored, expected=current)
        items = _items_after(ws, changes)
        subject = target.subject.removeprefix(prefix)
        ids = sorted({i for i in (id_from_file_name(p.rsplit("/", 1)[-1]) for p in changed) if i})
        return Plan(
            changes,
            "undo",
            items[0] if len(items) == 1 and len(ids) == 1 else None,
            subject=f"undo {subject}",
            items=items,
            ids=ids,
            trailers={"undoes": target.sha},
        )

    return ws.apply(build, options)


def _carried(
    ws: Workspace, path: str, committed: bytes | None, edited: bytes | None, restored: bytes | None
) -> bytes:
    """The undo applied onto a file the user edited since the commit (`--include-changes`):
    the edits and the undo merged field by field, as the merge driver merges two branches.
    Refused when they touch the same fields, or the file cannot be merged so."""
    from storykit.merging.files import merge_item_file
    from storykit.model.merge import Labels

    def refuse(why: str) -> RepoStateError:
        return RepoStateError(
            f"{path} has uncommitted edits that undo cannot carry: {why}",
            hint="commit them (`git commit`) or set them aside (`git stash`), then undo",
        )

    if committed is None or edited is None or restored is None:
        raise refuse("the undo would create or delete the file")
    merged = merge_item_file(
        committed, edited, restored, path, ws.project.config, Labels("your edits", "undo")
    )
    if merged.content is None:
        raise refuse(str(merged.problem))
    if not merged.clean:
        raise refuse(f"they change what the undo restores ({', '.join(merged.conflicts)})")
    return merged.content


def _target(commits: list[Marked]) -> Marked:
    """The newest storykit commit not yet undone. Commits of others are passed over (the
    files check then refuses if one touched the same files); a merge is not."""
    undone: set[str] = set()
    others: list[Marked] = []
    for commit in commits:
        if len(commit.parents) > 1:
            raise StorykitError(
                f"the backlog changed in a merge, {commit.sha[:8]} ({commit.subject}), after "
                "storykit's last change; storykit will not undo across it",
                hint="revert what you mean with git (`git revert`)",
            )
        if commit.sha in undone:
            continue
        if commit.action == "undo":
            undone.add(commit.undoes)
        elif not commit.action:
            others.append(commit)
        elif commit.action in UNDOABLE_PAST:
            break
        else:
            return commit
    if others:
        raise StorykitError(
            f"nothing to undo: the last changes to the backlog, like {others[0].sha[:8]} "
            f"({others[0].subject}), were not made by storykit",
            hint=f"revert them with git: `git revert {others[0].sha[:8]}`",
        )
    raise StorykitError("nothing to undo: no storykit change since the backlog was set up")


def _items_after(ws: Workspace, changes: Changeset) -> list[StoredItem]:
    """The items the undo brings back or restores, as they will be."""
    items = []
    for path, content in changes.writes.items():
        if content is None:
            continue
        rel = ws.project.rel(path)
        payload = ws.store.parse_bytes(content, rel)
        if "item" in payload:
            items.append(ws.store.item_from_payload(payload, rel))
    return items
