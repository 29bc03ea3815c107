"""The `storykit` command: the Typer application and the order of its commands. The
commands live in `commands/` (one module per group); each reads options, calls one service
function and renders its result through `render/`. Services
are imported inside the commands, so `--help` stays fast and imports neither Pydantic nor
ruamel.yaml.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from storykit import __version__
from storykit.cli.options import summary
from storykit.cli.render import envelope, output
from storykit.errors import StorykitError


class StorykitGroup(TyperGroup):
    """Turns expected failures into `error:`/`hint:` lines and their exit codes."""

    words: tuple[str, ...] = ()  # the command line of this run (what JSON errors look at)

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        self.words = tuple(words)
        return super().main(words, *rest, **options)

    def make_context(self, *args: Any, **options: Any) -> Any:
        """The top level's own options parsed; a usage error there is JSON too."""
        try:
            return super().make_context(*args, **options)
        except typer.TyperException as exc:
            if envelope.wants_json(list(self.words)) and hasattr(exc, "format_message"):
                envelope.print_error(exc.format_message(), None, getattr(exc, "exit_code", 2))
            raise

    def invoke(self, ctx: Any) -> Any:
        json_wanted = envelope.wants_json(list(self.words))
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except typer.TyperException as exc:  # a usage error the parser found
            if json_wanted and hasattr(exc, "format_message"):
                envelope.print_error(exc.format_message(), None, getattr(exc, "exit_code", 2))
            raise
        except (Exception, KeyboardInterrupt) as exc:
            code = output.report_failure(exc)
            if json_wanted:
                hint = exc.hint if isinstance(exc, StorykitError) else None
                envelope.print_error(output.error_text(exc), hint, code)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=StorykitGroup,
    name="storykit",
    help="An agile backlog that lives in your git repository: one YAML file per item, "
    "one commit per change.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        output.out(f"storykit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """storykit keeps the backlog next to the code it describes."""


def _register() -> None:
    """Every command, in the order `--help` lists them."""
    from storykit.cli.commands import (
        changing,
        history,
        merging,
        ranking,
        reading,
        refining,
        spike,
        sprints,
    )
    from storykit.cli.commands.new import register

    app.command(short_help=summary(changing.init.__doc__))(changing.init)
    app.command("list", short_help=summary(reading.list_.__doc__))(reading.list_)
    app.command(short_help=summary(reading.search.__doc__))(reading.search)
    app.command(short_help=summary(reading.show.__doc__))(reading.show)
    app.command("set", short_help=summary(changing.set_.__doc__))(changing.set_)
    app.command(short_help=summary(changing.status.__doc__))(changing.status)
    for name, doc in (
        ("start", "Start an item: status in-progress (a spike records when it started)."),
        ("done", "Finish an item: status done (a spike needs its outcome)."),
        ("drop", "Drop an item: status dropped."),
    ):
        app.command(name, short_help=summary(doc))(changing.shortcut(name, doc))
    app.command(short_help=summary(changing.edit.__doc__))(changing.edit)
    app.command(short_help=summary(changing.rm.__doc__))(changing.rm)
    app.command(short_help=summary(changing.undo.__doc__))(changing.undo)
    app.command(short_help=summary(reading.check.__doc__))(reading.check)
    app.command(short_help=summary(history.log.__doc__))(history.log)
    app.command(short_help=summary(history.diff.__doc__))(history.diff)
    app.command(short_help=summary(merging.resolve.__doc__))(merging.resolve)
    app.command(short_help=summary(merging.setup.__doc__))(merging.setup)
    app.command(short_help=summary(ranking.rank.__doc__))(ranking.rank)
    app.command(short_help=summary(reading.board.__doc__))(reading.board)
    app.command(short_help=summary(refining.refine.__doc__))(refining.refine)
    app.command(short_help=summary(changing.split.__doc__))(changing.split)
    app.command("next", short_help=summary(reading.next_.__doc__))(reading.next_)
    app.command(short_help=summary(reading.schema.__doc__))(reading.schema)
    app.command("merge-driver", short_help=summary(merging.merge_driver.__doc__))(
        merging.merge_driver
    )
    groups = register(app)
    spike.register(groups["spike"])
    sprints.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt as exc:
        sys.exit(output.report_failure(exc))
