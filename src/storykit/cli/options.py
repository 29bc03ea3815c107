"""Command-line pieces shared by several commands (no services imported at start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from storykit.errors import UsageError

if TYPE_CHECKING:  # services are imported when a command runs, not at start-up
    from pathlib import Path

    from storykit.services.ranking import Placement
    from storykit.services.workspace import CommitOptions, Workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (schema_version 2).")]
NoCommitOpt = Annotated[
    bool, typer.Option("--no-commit", help="Write the files but do not commit them.")
]
NoVerifyOpt = Annotated[
    bool, typer.Option("--no-verify", help="Skip the pre-commit and commit-msg hooks.")
]
IncludeOpt = Annotated[
    bool,
    typer.Option(
        "--include-changes",
        help="Commit the files' own uncommitted changes (a hand edit, an earlier "
        "--no-commit) together with this change, instead of refusing.",
    ),
]


def complete_ids(incomplete: str) -> list[str]:
    """Shell completion of item IDs, from file names alone (no YAML, no git), when the
    lean completion (cli/lean/completion.py) could not answer."""
    from pathlib import Path

    from storykit.model.naming import id_from_file_name
    from storykit.project import find_project

    try:
        project = find_project(Path.cwd())
        names = [entry.name for entry in project.backlog_dir.iterdir()]
    except Exception:  # completion must never fail loudly
        return []
    from storykit.cli.lean.completion import matching

    ids = sorted({i for i in (id_from_file_name(name) for name in names) if i})
    return matching(ids, incomplete)  # the lean completion's rule: as typed, ID or code


def complete_open_spikes(incomplete: str) -> list[str]:
    """Shell completion of the open spikes (`spike start|close|extend`), each file's own
    `type:` and `status:` lines read as text, when the lean completion could not answer."""
    from pathlib import Path

    from storykit.cli.lean.completion import matching, peek
    from storykit.model.naming import id_from_file_name
    from storykit.project import find_project

    try:
        project = find_project(Path.cwd())
        closed = project.config.workflow.closed
        found = []
        for path in project.backlog_dir.glob("*.yaml"):
            item_id = id_from_file_name(path.name)
            fields = peek(path, ("type", "status"))
            if item_id and fields.get("type") == "spike" and fields.get("status") not in closed:
                found.append(item_id)
    except Exception:  # completion must never fail loudly
        return []
    return matching(sorted(found), incomplete)


def complete_sprints(incomplete: str) -> list[str]:
    """Shell completion of sprint names (their files' `name:` lines), when the lean
    completion could not answer."""
    from pathlib import Path

    from storykit.cli.lean.completion import matching, peek
    from storykit.locations import SPRINT_FOLDER
    from storykit.project import find_project

    try:
        folder = find_project(Path.cwd()).backlog_dir / SPRINT_FOLDER
        names = {peek(path, ("name",)).get("name") for path in folder.glob("*.yaml")}
    except Exception:  # completion must never fail loudly
        return []
    return matching(sorted(n for n in names if n), incomplete)


ActiveSprintArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[SPRINT]",
        help="The sprint (default: the active one).",
        autocompletion=complete_sprints,
    ),
]


IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="Item ID: full (SK-7K2M), code (7K2M) or a prefix.",
        autocompletion=complete_ids,
    ),
]


IdsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ID",
        help="Item IDs: full (SK-7K2M), code (7K2M) or a prefix; several in one commit.",
        autocompletion=complete_ids,
    ),
]


def workspace() -> Workspace:
    """The project of the current folder (services imported only when a command runs)."""
    from pathlib import Path

    from storykit.services.workspace import Workspace

    return Workspace.open(Path.cwd())


TopOpt = Annotated[bool, typer.Option("--top", help="Place it first in the backlog.")]
BottomOpt = Annotated[bool, typer.Option("--bottom", help="Place it last in the backlog.")]
BeforeOpt = Annotated[
    str | None, typer.Option("--before", metavar="ID", help="Place it just before this item.")
]
AfterOpt = Annotated[
    str | None, typer.Option("--after", metavar="ID", help="Place it just after this item.")
]


def placement_of(
    top: bool, bottom: bool, before: str | None, after: str | None
) -> Placement | None:
    """At most one of --top, --bottom, --before, --after (None if none was given)."""
    from storykit.services.ranking import Placement

    given = [
        Placement(where, target)
        for where, target, on in (
            ("top", None, top),
            ("bottom", None, bottom),
            ("before", before, before is not None),
            ("after", after, after is not None),
        )
        if on
    ]
    if len(given) > 1:
        raise UsageError("give only one of --top, --bottom, --before, --after")
    return given[0] if given else None


def read_text_arg(name: str) -> str:
    """The text of `--from-file NAME`: the file, or standard input for `-`."""
    import sys
    from pathlib import Path

    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {name}: {exc}") from None


def write_output(path: Path, data: bytes) -> None:
    """Write what `--output FILE` asked for, whole or not at all (a temporary file renamed
    into place), and say so on stderr; a failure is a usage error naming the file."""
    from storykit.cli.render import output
    from storykit.storage.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    output.err(f"wrote {path}")


def commit_options(
    no_commit: bool, no_verify: bool, include_changes: bool = False
) -> CommitOptions:
    from storykit.services.workspace import CommitOptions

    return CommitOptions(
        commit=False if no_commit else None,
        verify=not no_verify,
        include_changes=include_changes,
    )
