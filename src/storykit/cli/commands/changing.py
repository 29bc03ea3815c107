"""Commands that change items: `init`, `set`, `status`, `start`/`done`/`drop`, `edit`,
`split`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.options import (
    IdArg,
    IdsArg,
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    complete_ids,
    read_text_arg,
    workspace,
)
from storykit.cli.render import columns, envelope, output
from storykit.errors import UsageError
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.workspace import Outcome


def show_change(result: Outcome, verb: str, as_json: bool) -> None:
    if as_json:
        envelope.print_json(answers.outcome(result))
    else:
        output.render_change(result, verb)


def init(
    prefix: Annotated[str, typer.Option(help="ID prefix: IDs look like PREFIX-7K2M.")] = "SK",
    editor_schema: Annotated[
        bool,
        typer.Option(
            "--editor-schema",
            help="Write backlog/.schema.json and point new item files at it, so editors with "
            "a YAML language server validate them as you type.",
        ),
    ] = False,
    backlog_dir: Annotated[
        str,
        typer.Option(
            "--backlog-dir",
            metavar="DIR",
            help="The folder for item files (a Backlog.md project's backlog/ is never mixed into).",
        ),
    ] = "backlog",
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """In a repository that has a backlog (a fresh clone, say), sets up what is missing: the
    merge driver in .gitattributes (committed) and in this clone's .git/config; with
    --editor-schema, the editor schema."""
    from storykit.services.clone import ATTRIBUTES_FILE, DRIVER_KEY
    from storykit.services.init import init_project

    result = init_project(
        Path.cwd(), prefix, commit_options(no_commit, no_verify),
        editor_schema=editor_schema, backlog_dir=backlog_dir,
    )  # fmt: skip
    done = result.outcome
    where = output.commit_note(done) if done.changed else ""
    if result.created:
        extra = f" and {ATTRIBUTES_FILE}" if result.attributes_added else ""
        output.out(f"storykit initialised: {done.paths[0]}, {backlog_dir}/{extra}{where}")
    else:
        if editor_schema:
            output.out(
                f"editor schema: {result.schema_written}{where}"
                if result.schema_written
                else "editor schema: already up to date"
            )
        output.out(
            f"{ATTRIBUTES_FILE}: merge driver added{where}"
            if result.attributes_added
            else f"{ATTRIBUTES_FILE}: already names the merge driver"
        )
    output.out(
        f"this clone: merge driver set up ({DRIVER_KEY} in .git/config)"
        if result.clone_set_up
        else "this clone: merge driver already set up"
    )


def set_(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID… FIELD=VALUE… [ID… FIELD=VALUE…]…",
            help="The items, then FIELD=VALUE (set), FIELD+=VALUE (append to a list), "
            "FIELD-=VALUE (remove), FIELD= (clear); more groups of items and their values "
            "may follow, all in one commit.",
            autocompletion=complete_ids,
        ),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file",
            metavar="FILE|-",
            help="A CSV with a header `id,FIELD,…` and one row per item (- reads stdin); "
            "an empty cell leaves that field as it is.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    from storykit.services.setting import groups_from_csv, set_fields, set_groups

    if from_file is not None:
        if arguments:
            raise UsageError("give the changes as arguments or with --from-file, not both")
        name = "<stdin>" if from_file == "-" else from_file
        groups = groups_from_csv(read_text_arg(from_file), name)
    elif not arguments:
        raise UsageError("name the item to change first: `storykit set SK-7K2M points=5`")
    else:
        groups = set_groups(arguments)
    result = set_fields(workspace(), groups, commit_options(no_commit, no_verify, include_changes))
    show_change(result, "set", as_json)


def status(
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="ID STATUS",
            help="The items, then the new status, e.g. ready.",
            autocompletion=complete_ids,
        ),
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    from storykit.services.update import change_status

    if len(arguments) < 2:
        raise UsageError(
            "give the item and the new status", hint="e.g. `storykit status SK-7K2M ready`"
        )
    ids, new_status = arguments[:-1], arguments[-1]
    result = change_status(
        workspace(), ids, new_status, commit_options(no_commit, no_verify, include_changes)
    )
    show_change(result, "status", as_json)


def _shortcut(name: str) -> Callable[..., None]:
    """`start`, `done` or `drop`: a status change to the workflow's role of that name."""

    def command(
        items: IdsArg,
        as_json: JsonOpt = False,
        no_commit: NoCommitOpt = False,
        no_verify: NoVerifyOpt = False,
        include_changes: IncludeOpt = False,
    ) -> None:
        from storykit.services.update import change_status, shortcut_status

        ws = workspace()
        target = shortcut_status(ws, name)
        result = change_status(
            ws, items, target, commit_options(no_commit, no_verify, include_changes)
        )
        show_change(result, "status", as_json)

    command.__doc__ = None  # its help is the sentence commands/COMMANDS declares
    return command


def start(
    items: IdsArg,
    branch: Annotated[
        str | None,
        typer.Option(
            "--branch",
            metavar="[NAME]",
            help="Check out a branch named after the item (made when it does not exist; "
            "default from [trace] branch, e.g. sk-7k2m-send-emojis) and commit the move there.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    if branch is None:
        _start(items, as_json, no_commit, no_verify, include_changes)
        return
    from storykit.services.branching import start_on_branch

    if len(items) != 1:
        raise UsageError("--branch starts one item: give one ID")
    options = commit_options(no_commit, no_verify, include_changes)
    started = start_on_branch(workspace(), items[0], branch or None, options)
    if as_json:
        envelope.print_json(answers.branch_start(started))
        return
    output.render_change(started.outcome, "status")
    output.out(f"on {'new ' if started.created else ''}branch {started.branch}")


_start = _shortcut("start")
start.__doc__ = None  # its help is the sentence commands/COMMANDS declares
done = _shortcut("done")
drop = _shortcut("drop")


def edit(
    item: IdArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    from storykit.services.update import edit_item

    result = edit_item(workspace(), item, commit_options(no_commit, no_verify, include_changes))
    show_change(result, "edited", as_json)


def split(
    item: IdArg,
    parts: Annotated[
        list[str], typer.Argument(metavar="TITLE...", help="Titles of the parts, in order.")
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """The parts inherit parent, tags and sprint and record split_from; the original is
    dropped with split_into listing them. One commit."""
    from storykit.services.split import split_item

    result = split_item(
        workspace(), item, parts, commit_options(no_commit, no_verify, include_changes)
    )
    if as_json:
        made = [part.to_json() for part in result.items]
        envelope.print_json(answers.outcome(result, parts=made))
        return
    original = result.item
    assert original is not None
    commit = output.commit_note(result)
    output.out(f"split {original.type} {original.id} into {len(result.items)} parts{commit}")
    columns.render_list(result.items)


def rm(
    items: IdsArg,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Also remove the references other items hold to them (one commit)."
        ),
    ] = False,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Refused while other items refer to them, unless --force."""
    from storykit.services.remove import remove_items

    result = remove_items(
        workspace(), items, force, commit_options(no_commit, no_verify, include_changes)
    )
    if as_json:
        updated = [item.to_json() for item in result.others]
        envelope.print_json(answers.outcome(result, updated=updated))
        return
    output.render_removal(result)


def undo(
    force: Annotated[
        bool, typer.Option("--force", help="Undo it even if it was pushed already.")
    ] = False,
    as_json: JsonOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Again: the change before it. Refused when the last change to the backlog was not
    storykit's, was pushed already (unless --force), or its files changed since."""
    from storykit.services.undo import undo_last

    result = undo_last(workspace(), force, commit_options(False, no_verify, include_changes))
    if as_json:
        envelope.print_json(answers.outcome(result))
        return
    output.out(f"{result.subject}  [{(result.commit or '')[:8]}]")
