"""The project being worked on, and the one way every change is written and committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import yamlio
from storykit.atomic import Changeset, sweep_leftovers
from storykit.errors import InvalidDataError
from storykit.lock import backlog_lock
from storykit.model.items import canonical_order
from storykit.project import Project, find_project
from storykit.store import ItemStore, StoredItem

MODELINE = "# yaml-language-server: $schema={path}"


@dataclass(frozen=True)
class CommitOptions:
    """`--no-commit` / `--no-verify` from the command line (None: use the config)."""

    commit: bool | None = None
    verify: bool = True


@dataclass
class Change:
    """What a use case wants written: files, and how to describe the commit."""

    changeset: Changeset
    verb: str
    item: StoredItem | None
    subject_type: str = ""
    subject_id: str = ""
    subject_title: str = ""
    extra_items: list[StoredItem] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeResult:
    """What happened: the item, the files written, and the commit (None if not committed)."""

    item: StoredItem | None
    paths: list[str]
    commit: str | None
    subject: str
    changed: bool = True


class Workspace:
    """A project and its item store."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.store = ItemStore(project)

    @classmethod
    def open(cls, start: Path | None = None) -> Workspace:
        return cls(find_project(start))

    def new_item_document(self, fields: dict[str, Any]) -> tuple[yamlio.Document, Path]:
        """A new item file in canonical key order (with the editor-schema line if configured)."""
        order = canonical_order(str(fields["type"]))
        ordered = {key: fields[key] for key in order if key in fields}
        ordered.update({key: value for key, value in fields.items() if key not in ordered})
        schema = self.project.config.editor_schema
        header = MODELINE.format(path=schema) if schema else ""
        path = self.store.path_for(str(fields["id"]), str(fields["title"]))
        return yamlio.new_document(ordered, header), path

    def new_item(self, fields: dict[str, Any], what: str) -> tuple[Path, bytes, StoredItem]:
        """Build and validate a new item; every problem is named in one error."""
        document, path = self.new_item_document(fields)
        try:
            item = self.store.validate_document(document, path)
        except InvalidDataError as exc:
            problems = "\n  ".join(d.message for d in exc.diagnostics)
            raise InvalidDataError(f"cannot create {what}:\n  {problems}") from None
        return path, document.dump(), item

    def apply(self, build: Callable[[], Change | None], options: CommitOptions) -> ChangeResult:
        """Refuse bad repository states, then under the lock build, write and commit.

        Any failure before the branch moves puts the files back: nothing committed, nothing
        left. Once the commit is made the files stay as committed, whatever happens next.
        """
        from storykit.gitrepo import GitRepo, commit_message

        config = self.project.config
        commit = config.commit if options.commit is None else options.commit
        repo = GitRepo(self.project.root) if commit else None
        if repo is not None:
            repo.check_can_commit(config.backlog_dir)
        state_dir = self.project.state_dir
        with backlog_lock(state_dir, "changing the backlog", config.lock_wait) as died:
            sweep_leftovers(state_dir)
            if died:  # the last holder was killed holding the lock: it may have left temp files
                sweep_leftovers(self.store.folder)
            if repo is not None:
                repo.wait_for_index()
            change = build()
            if change is not None:
                change.changeset.drop_unchanged()
            if change is None or not change.changeset.paths:
                return ChangeResult(None, [], None, "", changed=False)
            paths = [self.project.rel(p) for p in change.changeset.paths]
            item = change.item
            subject_id = change.subject_id or (item.id if item else "")
            message = commit_message(
                config.commit_prefix,
                change.verb,
                change.subject_type or (item.type if item else ""),
                subject_id,
                change.subject_title or (item.model.title if item else ""),
            )
            change.changeset.apply()
            if repo is None:
                return ChangeResult(item, paths, None, message.splitlines()[0])
            try:
                result = repo.commit_paths(
                    paths, message, run_hooks=options.verify and config.hooks
                )
            except BaseException:
                change.changeset.rollback()
                raise
            repo.refresh_index(paths)
            return ChangeResult(item, paths, result.sha, result.subject)
