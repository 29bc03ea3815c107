"""`storykit story|tech|spike|epic|task new TITLE [options]`.

Each type's options are generated from its fields, so every optional field has an option
named after it (`as_a` → `--as-a`; repeated options for lists: `--tag ux --tag api`).
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from storykit.cli.options import commit_options, placement_of, workspace
from storykit.cli.render import envelope, output
from storykit.model.catalogue import (
    FIELDS,
    KINDS,
    TYPES,
    option_fields,
    option_name,
    required_fields,
)
from storykit.model.relations import article
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.workspace import CommitOptions


def group(item_type: str) -> typer.Typer:
    """The `<type>` command group with its `new` (spike.py adds the spike's own)."""
    spec = TYPES[item_type]
    commands = typer.Typer(help=spec.help, no_args_is_help=True)
    commands.command("new", help=f"Create {spec.article} {item_type}.\n\nExample: {spec.example}")(
        _new_command(item_type)
    )
    return commands


def _new_command(item_type: str) -> Any:
    fields = option_fields(item_type)
    required = set(required_fields(item_type))

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
        _prompt_missing(item_type, values, options)

        from storykit.services.create import create_item

        result = create_item(
            workspace(), item_type, values, options, edit=edit, placement=placement
        )
        if as_json:
            output.tell_notes(result)
            envelope.print_json(answers.outcome(result))
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
        list_kind = FIELDS[name].many
        annotation: Any = list[str] | None if list_kind else str | None
        help_text = FIELDS[name].help
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
                        metavar=KINDS[FIELDS[name].kind].metavar,
                    ),
                ],
            )
        )
    params += [
        _flag(
            "top",
            "--top",
            "Place it first in the backlog (default: last, after every item captured before it).",
        ),
        _flag("bottom", "--bottom", "Place it after the item that is last now, whatever its rank."),
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


def _prompt_missing(item_type: str, values: dict[str, Any], options: CommitOptions) -> None:
    """Ask for missing required fields on a terminal, each checked as it is typed and asked
    again until it is valid; elsewhere, name them all. The repository is checked first, so
    that nothing is typed in vain; Ctrl-C or Ctrl-D at a prompt changes nothing (exit 130)."""
    from storykit.services.create import missing_fields, value_problems

    missing = missing_fields(item_type, values)
    if not missing:
        return
    if not sys.stdin.isatty():
        flags = ", ".join("TITLE" if n == "title" else option_name(n) for n in missing)
        from storykit.errors import UsageError

        raise UsageError(
            f"{article(item_type)} needs {', '.join(missing)}",
            hint=f"give {flags} (on a terminal you are asked for them)",
        )
    ws = workspace()
    ws.preflight(options)
    for name in missing:
        while True:
            try:
                answer = typer.prompt(FIELDS[name].prompt, default="", show_default=False)
            except typer.Abort:
                raise KeyboardInterrupt from None
            problems = (
                [f"{name}: required"]
                if not answer.strip()
                else value_problems(ws, item_type, name, answer)
            )
            if not problems:
                values[name] = [answer] if FIELDS[name].many else answer
                break
            for problem in problems:
                output.err(f"error: {problem}")
