"""`storykit story|tech|spike|epic|task new TITLE [options]`.

Each type's options are generated from its fields, so every optional field has an option
named after it (`as_a` → `--as-a`; repeated options for lists: `--tag ux --tag api`).
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Any

import typer

from storykit.cli import output
from storykit.cli.fastnew import option_fields, option_name
from storykit.cli.options import commit_options, placement_of, workspace
from storykit.model.fields import FIELD_HELP, FIELD_KINDS, LIST_KINDS, REQUIRED, TYPE_FIELDS

_METAVARS = {
    "number": "N",
    "int": "1-10",
    "id": "ID",
    "id-list": "ID",
    "date": "DATE",
    "datetime": "DATE",
    "choice": "CHOICE",
}
_TYPE_HELP = {
    "story": "A user story: As a …, I want … so that …",
    "tech": "A technical story: refactoring, infrastructure, integration, test coverage…",
    "spike": "A spike: timeboxed research whose outcome is written down.",
    "epic": "An epic: a large goal that groups stories, technical stories and spikes.",
    "task": "A task: a subtask of a story or technical story.",
}
_EXAMPLES = {
    "story": 'storykit story new "Send emojis in messages" --as-a user '
    '--i-want "to send emojis" --so-that "I can express emotions"',
    "tech": 'storykit tech new "Store messages as utf8mb4" --why "emoji need 4-byte UTF-8"',
    "spike": 'storykit spike new "Which emoji encoding?" --question "…" --timebox 2d',
    "epic": 'storykit epic new "Emoji support" --goal "People can express emotions"',
    "task": 'storykit task new "Add emoji picker" --parent SK-7K2M',
}


def register(app: typer.Typer) -> dict[str, typer.Typer]:
    """Add `<type> new` for every type; return the per-type groups for more commands."""
    groups = {}
    for item_type in TYPE_FIELDS:
        group = typer.Typer(help=_TYPE_HELP[item_type], no_args_is_help=True)
        group.command("new", help=f"Create a {item_type}.\n\nExample: {_EXAMPLES[item_type]}")(
            _new_command(item_type)
        )
        app.add_typer(group, name=item_type)
        groups[item_type] = group
    return groups


def _new_command(item_type: str) -> Any:
    fields = option_fields(item_type)
    required = set(REQUIRED[item_type])

    def command(**kwargs: Any) -> None:
        title = kwargs.pop("title")
        edit = kwargs.pop("edit")
        as_json = kwargs.pop("as_json")
        options = commit_options(kwargs.pop("no_commit"), kwargs.pop("no_verify"))
        placement = placement_of(
            kwargs.pop("top"), kwargs.pop("bottom"), kwargs.pop("before"), kwargs.pop("after")
        )
        values: dict[str, Any] = {"title": title}
        values.update({name: value for name, value in kwargs.items() if value})
        _prompt_missing(item_type, values)

        from storykit.services.create import create_item

        result = create_item(
            workspace(), item_type, values, options, edit=edit, placement=placement
        )
        if as_json and result.item is not None:
            data = output.json_item(result.item)
            data["commit"] = result.commit
            output.print_json(data)
        else:
            output.render_change(result, "new")

    params = [
        inspect.Parameter(
            "title",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None,
            annotation=Annotated[
                str | None, typer.Argument(metavar="TITLE", help="One-line title.")
            ],
        )
    ]
    for name in fields:
        list_kind = FIELD_KINDS[name] in LIST_KINDS
        annotation: Any = list[str] | None if list_kind else str | None
        help_text = FIELD_HELP.get(name, name)
        if name in required:
            help_text += " [required]"
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    annotation,
                    typer.Option(
                        option_name(name),
                        help=help_text,
                        show_default=False,
                        metavar=_METAVARS.get(FIELD_KINDS[name], "TEXT"),
                    ),
                ],
            )
        )
    params += [
        _flag("top", "--top", "Place it first in the backlog (default: last)."),
        _flag("bottom", "--bottom", "Place it last in the backlog (the default)."),
        _option("before", "--before", "Place it just before this item."),
        _option("after", "--after", "Place it just after this item."),
        _flag("edit", "--edit", "Open $EDITOR on the new file before saving."),
        _flag("as_json", "--json", "Print JSON."),
        _flag("no_commit", "--no-commit", "Write the file but do not commit it."),
        _flag("no_verify", "--no-verify", "Skip the pre-commit and commit-msg hooks."),
    ]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = f"new_{item_type}"
    return command


def _flag(name: str, option: str, help_text: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[bool, typer.Option(option, help=help_text)],
    )


def _option(name: str, option: str, help_text: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[str | None, typer.Option(option, metavar="ID", help=help_text)],
    )


def _prompt_missing(item_type: str, values: dict[str, Any]) -> None:
    """Ask for missing required fields on a terminal; elsewhere, name them all."""
    from storykit.services.create import missing_fields

    missing = missing_fields(item_type, values)
    if not missing:
        return
    if not sys.stdin.isatty():
        flags = ", ".join("TITLE" if n == "title" else option_name(n) for n in missing)
        from storykit.errors import UsageError

        raise UsageError(
            f"a {item_type} needs {', '.join(missing)}",
            hint=f"give {flags} (on a terminal you are asked for them)",
        )
    for name in missing:
        label = name.replace("_", " ")
        answer = typer.prompt(label)
        values[name] = [answer] if FIELD_KINDS[name] in LIST_KINDS else answer
