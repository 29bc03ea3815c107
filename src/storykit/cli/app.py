"""The `storykit` command: the Typer application. Its commands are listed once, in
`commands/COMMANDS` (name, help line, where the function lives); each is imported and built
into a Click command only when it runs or its own help is asked for, so `storykit --help`
builds none of them (docs/architecture.md, "Start-up"). A command reads options, calls one
service function and renders its result through `render/`; services are imported inside
the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from storykit import __version__
from storykit.cli.commands import APP_HELP, COMMANDS, VERSION_HELP, Command, with_bare_values

Click = Any  # a Click command (typer's vendored Click has no public type to name)


class LazyCommands(MutableMapping[str, Click]):
    """The top level's commands by name, in `COMMANDS` order, each built on first use."""

    def __init__(self) -> None:
        self._declared = {command.name: command for command in COMMANDS}
        self._built: dict[str, Click] = {}

    def __getitem__(self, name: str) -> Click:
        if name not in self._built:
            self._built[name] = build(self._declared[name])
        return self._built[name]

    def __setitem__(self, name: str, command: Click) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the top-level commands are fixed")

    def __iter__(self) -> Iterator[str]:
        yield from self._declared
        yield from (name for name in self._built if name not in self._declared)

    def __len__(self) -> int:
        return len(set(self._declared) | set(self._built))

    def summary(self, name: str) -> str | None:
        declared = self._declared.get(name)
        return declared.summary if declared else None


def build(command: Command) -> Click:
    """The Click command (or group) of one declared command: its module imported, its
    parameters read from the function's signature, its help the declared sentence and the
    function's docstring."""
    import importlib
    import inspect

    module = importlib.import_module(f"storykit.cli.commands.{command.module}")
    target = getattr(module, command.attribute)
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    if command.group:
        holder.add_typer(target(command.name), name=command.name, short_help=command.summary)
    else:
        rest = inspect.getdoc(target)
        text = f"{command.summary}\n\n{rest}" if rest else command.summary
        holder.command(command.name, help=text, short_help=command.summary)(target)
    return typer.main.get_group(holder).commands[command.name]


class StorykitGroup(TyperGroup):
    """Turns expected failures into `error:`/`hint:` lines and their exit codes; builds
    each command when it is first needed."""

    words: tuple[str, ...] = ()  # the command line of this run (what JSON errors look at)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.commands = LazyCommands()

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list of `--help`, from the declared sentences (nothing built)."""
        commands = self.commands
        assert isinstance(commands, LazyCommands)
        rows = []
        for name in commands:
            line = commands.summary(name)
            if line is None:
                built = commands[name]
                if built.hidden:
                    continue
                line = built.get_short_help_str(formatter.width)
            rows.append((name, line))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        words = with_bare_values(list(sys.argv[1:] if args is None else args))
        self.words = tuple(words)
        return super().main(words, *rest, **options)

    def make_context(self, *args: Any, **options: Any) -> Any:
        """The top level's own options parsed; a usage error there is JSON too."""
        try:
            return super().make_context(*args, **options)
        except typer.TyperException as exc:
            if not self.words:  # `storykit` alone shows the help: nothing asked for JSON
                raise
            from storykit.cli.render import envelope

            if envelope.wants_json(list(self.words)) and hasattr(exc, "format_message"):
                envelope.print_error(exc.format_message(), None, getattr(exc, "exit_code", 2))
            raise

    def invoke(self, ctx: Any) -> Any:
        from storykit.cli.render import envelope, output  # not needed for `--help`
        from storykit.errors import StorykitError, error_text

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
                envelope.print_error(error_text(exc), hint, code)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=StorykitGroup,
    name="storykit",
    help=APP_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from storykit.cli.render import output

        output.out(f"storykit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=VERSION_HELP),
    ] = False,
) -> None:
    """storykit keeps the backlog next to the code it describes."""


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt as exc:
        from storykit.cli.render import output

        sys.exit(output.report_failure(exc))
