"""The project being worked on, and the one way every change is written and committed."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storykit import yamlio
from storykit.errors import InvalidDataError, RepoStateError, StorykitError
from storykit.model.catalogue import type_fields
from storykit.project import Project, find_project
from storykit.services.relations import refuse_broken_relations
from storykit.storage.atomic import Changeset, sweep_leftovers
from storykit.storage.lock import backlog_lock
from storykit.storage.store import ItemStore, StoredItem, order_of

if TYPE_CHECKING:
    from storykit.repository.commit import GitRepo

MODELINE = "# yaml-language-server: $schema={path}"


@dataclass(frozen=True)
class CommitOptions:
    """`--no-commit`, `--no-verify` and `--include-changes` from the command line (None:
    use the config)."""

    commit: bool | None = None
    verify: bool = True
    include_changes: bool = False


@dataclass(frozen=True)
class Move:
    """An item's place in the open backlog before and after (1-based, as `storykit list`
    numbers it; None: closed, so not in it)."""

    item: StoredItem
    before: int | None
    after: int | None


@dataclass
class Plan:
    """What a use case wants written, how to describe the commit, and what to report: the
    item it is about and the other items it made or moved. A build step returns it; the
    unit of work (`Workspace.apply`) turns it into the `Outcome`."""

    writes: Changeset
    verb: str  # the commit's Storykit-Action trailer
    item: StoredItem | None
    subject: str = ""  # the commit subject after the prefix (default: `subject_of`)
    items: list[StoredItem] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    others: list[StoredItem] = field(default_factory=list)  # changed on the way (`rm --force`)
    ids: list[str] | None = None  # the items it is about, when not `item` or `items`
    trailers: dict[str, str] = field(default_factory=dict)  # more trailers (`undoes`)
    notes: list[str] = field(default_factory=list)  # worth telling, not a failure (stderr)

    def commit_subject(self) -> str:
        return self.subject or (subject_of(self.verb, self.item) if self.item else self.verb)

    def item_ids(self) -> list[str]:
        """The items the commit is about (its Storykit-Item trailers)."""
        if self.ids is not None:
            return self.ids
        if self.item is not None:
            return [self.item.id]
        return [item.id for item in self.items]


def subject_of(verb: str, item: StoredItem, detail: str = "") -> str:
    """`<verb> <type> <ID>[ <detail>]: <title>`, e.g. `new story SK-7K2M: Send emojis`."""
    return f"{verb} {item.type} {item.id}{' ' + detail if detail else ''}: {item.model.title}"


def ids_text(ids: Sequence[str], shown: int = 3) -> str:
    """`SK-1, SK-2, SK-3` or, past `shown`, `SK-1, SK-2, SK-3 and 4 more`."""
    text = ", ".join(ids[:shown])
    return text + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


@dataclass(frozen=True)
class Outcome:
    """What a changing command did: the item it is about (as it is now, changed or not),
    the other items it made or moved, the files written, and the commit (None if none)."""

    item: StoredItem | None
    items: list[StoredItem] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    others: list[StoredItem] = field(default_factory=list)
    commit: str | None = None
    subject: str = ""
    changed: bool = True
    notes: list[str] = field(default_factory=list)  # worth telling, not a failure (stderr)


class Workspace:
    """A project and its item store."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.store = ItemStore(project)
        self._repo: GitRepo | None = None

    @classmethod
    def open(cls, start: Path | None = None) -> Workspace:
        return cls(find_project(start))

    def ranked(self) -> tuple[list[tuple[str, str]], set[str]]:
        """(rank, ID) of every valid item in backlog order, and the IDs of the done and
        dropped ones (which have no place in the open backlog): one read of the `list`
        summary index, which lists the folder afresh (`ids()` too)."""
        closed = self.project.config.workflow.closed
        summaries = self.store.summaries()
        shut = {item_id for item_id, s in summaries.items() if s.get("status") in closed}
        return order_of(summaries), shut

    @property
    def repo(self) -> GitRepo:
        """The git repository, found once (by one `git rev-parse`)."""
        if self._repo is None:
            from storykit.repository.commit import GitRepo

            self._repo = GitRepo(self.project.root)
        return self._repo

    def commits(self, options: CommitOptions) -> bool:
        return self.project.config.commit if options.commit is None else options.commit

    def runs_hooks(self, options: CommitOptions) -> bool:
        """Whether git's hooks run for this change (`--no-verify`, `hooks` in the config)."""
        return options.verify and self.project.config.hooks

    def new_item_document(
        self, fields: dict[str, Any], newline: str | None = None
    ) -> tuple[yamlio.Document, Path]:
        """A new item file in canonical key order (with the editor-schema line if configured),
        with `newline` endings, by default those git gives the file in the work tree."""
        order = type_fields(str(fields["type"]))
        ordered = {key: fields[key] for key in order if key in fields}
        ordered.update({key: value for key, value in fields.items() if key not in ordered})
        schema = self.project.config.editor_schema
        header = MODELINE.format(path=schema) if schema else ""
        path = self.store.path_for(str(fields["id"]), str(fields["title"]))
        if newline is None:
            in_git = self.project.git_dir is not None
            newline = self.repo.checkout_newline(self.project.rel(path)) if in_git else "\n"
        return yamlio.new_document(ordered, header, newline), path

    def new_item(
        self, fields: dict[str, Any], what: str, newline: str | None = None
    ) -> tuple[Path, bytes, StoredItem]:
        """Build and validate a new item; every problem is named in one error."""
        document, path = self.new_item_document(fields, newline)
        try:
            item = self.store.validate_document(document, path)
        except InvalidDataError as exc:
            problems = "\n  ".join(d.message for d in exc.diagnostics)
            raise InvalidDataError(f"cannot create {what}:\n  {problems}") from None
        return path, document.dump(), item

    def edit_command(self, query: str) -> str:
        """`storykit edit ID`, or during a merge `storykit edit --no-commit ID` (storykit does
        not commit in the middle of a merge; the fixed file is then part of it)."""
        git_dir = self.project.git_dir
        merging = git_dir is not None and (git_dir / "MERGE_HEAD").exists()
        return f"storykit edit {'--no-commit ' if merging else ''}{query}"

    def preflight(self, options: CommitOptions, paths: Sequence[Path] = ()) -> None:
        """Everything `apply` would refuse that can be known now: run before the editor
        opens, so that no text is typed in vain."""
        self.store.check_folder()
        if self.commits(options):
            self.repo.check_can_commit(self.project.config.backlog_dir)
            if not options.include_changes:
                self._refuse_local_changes([self.project.rel(p) for p in paths])

    def apply(
        self, build: Callable[[], Plan | None], options: CommitOptions, queue: float = 0.0
    ) -> Outcome:
        """Refuse bad repository states, then under the lock build, write and commit.

        The commit protocol (docs/architecture.md): storykit's own lock, then git's
        `index.lock` held from before the files are written until the index is refreshed;
        the commit is built on a temporary index and the branch moved by compare-and-swap.
        Any failure before the branch moves puts the files back (but never a file whose
        new content a commit that moved the branch already holds): nothing committed,
        nothing left. Once the commit is made the files stay as committed. `queue`: wait
        at least this long for the lock (claims queue behind each other).
        """
        from storykit.repository.commit import BranchMovedError, commit_message

        config = self.project.config
        self.store.check_folder()
        repo = self.repo if self.commits(options) else None
        state_dir = self.project.state_dir
        with contextlib.ExitStack() as held:
            died = held.enter_context(
                backlog_lock(state_dir, "changing the backlog", config.lock_wait, queue)
            )
            sweep_leftovers(state_dir)
            if died:  # the last holder was killed holding the lock: it may have left temp files
                sweep_leftovers(self.store.folder)
            if repo is not None:
                held.enter_context(repo.index_lock())
                # Under git's index lock, no checkout can move HEAD until the commit is made.
                repo.check_can_commit(config.backlog_dir)
            plan = build()
            if plan is not None:
                plan.writes.drop_unchanged()
            if plan is None or not plan.writes.paths:
                if plan is None:
                    return Outcome(None, changed=False)
                return Outcome(plan.item, plan.items, others=plan.others, changed=False)
            plan.writes.check_unchanged()
            written = {}
            for path, content in plan.writes.writes.items():
                fields = self.store.check_readable(path, content) if content is not None else None
                if fields is not None:
                    written[path] = fields
            refuse_broken_relations(self.store, plan.writes, written)
            paths = [self.project.rel(p) for p in plan.writes.paths]
            if repo is not None and not options.include_changes:
                # A file about to be created has nothing of the user's in it (its ID was
                # just minted against the work tree): only files that exist are asked about.
                existing = [self.project.rel(p) for p in plan.writes.paths if p.exists()]
                self._refuse_local_changes(existing)
            message = commit_message(
                config.commit_prefix + plan.commit_subject(),
                plan.verb,
                plan.item_ids(),
                **plan.trailers,
            )
            plan.writes.apply()
            held.callback(plan.writes.discard_backups)
            done = Outcome(
                plan.item,
                plan.items,
                plan.moves,
                paths,
                others=plan.others,
                subject=message.split("\n")[0],
                notes=plan.notes,
            )
            if repo is None:
                return done
            try:
                result = repo.commit_paths(paths, message, run_hooks=self.runs_hooks(options))
            except BaseException as exc:
                held_paths = sorted(exc.held) if isinstance(exc, BranchMovedError) else []
                plan.writes.rollback(keep={self.project.root / p for p in held_paths})
                if held_paths:  # the new HEAD has them: the index should agree
                    repo.refresh_index(held_paths)
                raise
            repo.refresh_index(paths)
            self._set_up_clone(repo)
            if result is None:  # HEAD already had exactly these files
                return done
            return dataclasses.replace(done, commit=result.sha, subject=result.subject)

    def _set_up_clone(self, repo: GitRepo) -> None:
        """Give a clone that lacks it the merge driver `.gitattributes` names (one setting,
        read with the commit's; no commit). Best effort: `check` warns while it is missing."""
        from storykit.services.clone import driver_missing, set_up_clone

        with contextlib.suppress(StorykitError):
            if driver_missing(self.project.root, lambda: repo):
                set_up_clone(repo, name=False)

    def _refuse_local_changes(self, paths: list[str]) -> None:
        """Refuse to commit files that already differ from HEAD: storykit's commit holds
        its own change and nothing of the user's (exit 3)."""
        found = self.repo.local_changes(paths)
        if not found:
            return
        listed = "; ".join(f"{path} ({what})" for path, what in sorted(found.items())[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        first = sorted(found)[0]
        raise RepoStateError(
            f"{listed}{more}: uncommitted changes in a file this command changes; storykit "
            "commits only its own change, so nothing was changed",
            hint=f"commit or stash them first (`git commit -- {first}`, `git stash push -- "
            f"{first}`), or run this again with --include-changes to commit them together "
            "with it",
        )
