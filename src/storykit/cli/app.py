"""The `storykit` command: Typer wiring only. Each command reads options, calls one
service function and renders its result. Services are imported inside the commands, so
`--help` stays fast and imports neither GitPython nor ruamel.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from storykit import __version__
from storykit.cli import envelope, output
from storykit.cli.options import (
    AfterOpt,
    BeforeOpt,
    BottomOpt,
    IdArg,
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    TopOpt,
    commit_options,
    placement_of,
    workspace,
)
from storykit.errors import UsageError
from storykit.model.catalogue import ITEM_TYPES

if TYPE_CHECKING:
    from storykit.services.workspace import Outcome


class StorykitGroup(TyperGroup):
    """Turns expected failures into `error:`/`hint:` lines and their exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            raise typer.Exit(output.report_failure(exc)) from None


app = typer.Typer(
    cls=StorykitGroup,
    name="storykit",
    help="An agile backlog that lives in your git repository: one YAML file per item, "
    "one commit per change.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
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


def show_change(result: Outcome, verb: str, as_json: bool, status: str | None = None) -> None:
    if as_json:
        envelope.print_json(envelope.outcome(result))
    else:
        output.render_change(result, verb, status)


@app.command()
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
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Start a backlog here: writes .storykit.toml and backlog/, in one commit."""
    from storykit.services.init import init_project

    result = init_project(
        Path.cwd(), prefix, commit_options(no_commit, no_verify), editor_schema=editor_schema
    )
    where = f"storykit initialised: {result.paths[0] if result.paths else ''}"
    if result.commit:
        output.out(f"{where} and backlog/  [{result.commit[:8]}]")
    else:
        output.out(f"{where} and backlog/  (not committed)")


@app.command("list")
def list_(
    type_: Annotated[
        str | None, typer.Option("--type", help=f"Only this type: {', '.join(ITEM_TYPES)}.")
    ] = None,
    status: Annotated[str | None, typer.Option(help="Only items in this status.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only items with this tag.")] = None,
    parent: Annotated[str | None, typer.Option(help="Only children of this item.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done and dropped items.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The open backlog in rank order (done and dropped hidden unless --all)."""
    from storykit.model.selection import ListFilter
    from storykit.services.query import list_items

    result = list_items(workspace(), ListFilter(type_, status, tag, parent, all_))
    if as_json:
        items = [{**i.to_json(), "overdue": i.id in result.overdue} for i in result.items]
        envelope.print_json(envelope.envelope("items", items, skipped=result.skipped))
    else:
        output.render_list(result.items, result.overdue)
    if result.skipped:
        count = len(result.skipped)
        output.err(
            f"warning: {count} invalid file{'s' if count != 1 else ''} skipped "
            f"({', '.join(result.skipped[:3])}{', …' if count > 3 else ''}); "
            "run `storykit check` for details"
        )


@app.command()
def show(item: IdArg, as_json: JsonOpt = False) -> None:
    """One item, every field."""
    from storykit.services.query import show_item

    details = show_item(workspace(), item)
    if as_json:
        envelope.print_json(envelope.details(details))
    else:
        output.render_item(details)


@app.command("set")
def set_(
    item: IdArg,
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="FIELD=VALUE (set), FIELD+=VALUE (append to a list), FIELD-=VALUE (remove), "
            "FIELD= (clear).",
        ),
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Plan fields, e.g. `storykit set SK-7K2M points=5 tags+=ux owner=`."""
    from storykit.services.update import set_fields

    result = set_fields(
        workspace(), item, assignments, commit_options(no_commit, no_verify, include_changes)
    )
    show_change(result, "set", as_json)


@app.command()
def status(
    item: IdArg,
    new_status: Annotated[
        str, typer.Argument(metavar="STATUS", help="The new status, e.g. ready.")
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Move an item to another status (the workflow's gates apply)."""
    from storykit.services.update import change_status

    result = change_status(
        workspace(), item, new_status, commit_options(no_commit, no_verify, include_changes)
    )
    show_change(result, "status", as_json, status=new_status)


def _shortcut(name: str, doc: str) -> None:
    def command(
        item: IdArg,
        as_json: JsonOpt = False,
        no_commit: NoCommitOpt = False,
        no_verify: NoVerifyOpt = False,
        include_changes: IncludeOpt = False,
    ) -> None:
        from storykit.services.update import change_status, shortcut_status

        ws = workspace()
        target = shortcut_status(ws, name)
        result = change_status(
            ws, item, target, commit_options(no_commit, no_verify, include_changes)
        )
        show_change(result, "status", as_json, status=target)

    command.__doc__ = doc
    app.command(name)(command)


_shortcut("start", "Start an item: status in-progress (a spike records when it started).")
_shortcut("done", "Finish an item: status done (a spike needs its outcome).")
_shortcut("drop", "Drop an item: status dropped.")


@app.command()
def edit(
    item: IdArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Edit the item file in $EDITOR; it is validated before it is saved."""
    from storykit.services.update import edit_item

    result = edit_item(workspace(), item, commit_options(no_commit, no_verify, include_changes))
    show_change(result, "edited", as_json)


@app.command()
def check(
    format_: Annotated[
        str,
        typer.Option("--format", help="Output: text, json or github.", metavar="text|json|github"),
    ] = "text",
    since: Annotated[
        str | None,
        typer.Option(metavar="REV", help="Only items changed since REV (e.g. origin/main)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate every item file and the backlog as a whole; exit 1 on any error."""
    from storykit.services.check import check_backlog

    if format_ not in ("text", "json", "github"):
        raise UsageError(f"--format must be text, json or github, not {format_!r}")
    report = check_backlog(workspace(), since=since)
    if as_json or format_ == "json":
        envelope.print_json(
            envelope.envelope(
                "items",
                [item.to_json() for item in report.items],
                ok=report.ok,
                errors=report.errors,
                warnings=report.warnings,
                problems=[p.to_json() for p in report.problems],
            )
        )
    elif format_ == "github":
        output.render_github_annotations(report.problems)
    else:
        output.render_diagnostics(report.problems)
    if format_ != "json" and not as_json:
        output.err(
            f"{report.files} file{'s' if report.files != 1 else ''} checked: "
            f"{report.errors} error{'s' if report.errors != 1 else ''}, "
            f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def log(item: IdArg, as_json: JsonOpt = False) -> None:
    """The item's history from git, newest first, as field-level changes."""
    from storykit.cli import report
    from storykit.services.history import item_log

    result = item_log(workspace(), item)
    if as_json:
        envelope.print_json(report.log_json(result))
    else:
        report.render_log_text(result)


@app.command()
def diff(
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="[A]",
            help="From this revision (default: the merge-base of HEAD "
            "with origin/HEAD, main or master).",
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Argument(metavar="[B]", help="To this revision (default: the working tree)."),
    ] = None,
    format_: Annotated[
        str,
        typer.Option("--format", metavar="text|markdown|json", help="Output format."),
    ] = "text",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there are differences.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What a change means for the backlog: items added and removed, fields changed, status
    transitions, rank moves as positions, spikes closed with their outcomes."""
    from storykit.cli import report
    from storykit.services.history import diff_backlog

    if format_ not in ("text", "markdown", "json"):
        raise UsageError(f"--format must be text, markdown or json, not {format_!r}")
    result = diff_backlog(workspace(), base, head)
    if as_json or format_ == "json":
        envelope.print_json(report.diff_json(result))
    elif format_ == "markdown":
        report.render_diff_markdown(result)
    else:
        report.render_diff_text(result)
    if exit_code and not result.empty:
        raise typer.Exit(1)


@app.command()
def rank(
    item: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="The item to move; without it, reorder everything."),
    ] = None,
    top: TopOpt = False,
    bottom: BottomOpt = False,
    before: BeforeOpt = None,
    after: AfterOpt = None,
    rebalance: Annotated[
        bool, typer.Option("--rebalance", help="Give every item a short, evenly spaced key.")
    ] = False,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file", metavar="FILE", help="Read the new order from FILE (- for stdin)."
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Order the backlog. One item: --top, --bottom, --before ID or --after ID (one file
    changes). No item: edit the order of the open items in $EDITOR, like `git rebase -i`."""
    from storykit.services import ranking

    ws = workspace()
    options = commit_options(no_commit, no_verify, include_changes)
    placement = placement_of(top, bottom, before, after)
    if item is not None:
        if placement is None:
            raise UsageError(
                "say where it goes: --top, --bottom, --before ID or --after ID",
                hint=f"e.g. `storykit rank {item} --top`",
            )
        if rebalance or from_file:
            raise UsageError("--rebalance and --from-file do not take an item")
        result = ranking.move_item(ws, item, placement, options)
    elif placement is not None:
        raise UsageError("--top, --bottom, --before and --after need the item to move")
    elif rebalance:
        if from_file:
            raise UsageError("give either --rebalance or --from-file")
        result = ranking.rebalance(ws, options)
    elif from_file is not None:
        text = sys.stdin.read() if from_file == "-" else _read_order_file(from_file)
        result = ranking.reorder(ws, options, text=text)
    else:
        result = ranking.reorder(ws, options)
    if as_json:
        envelope.print_json(envelope.ranked(result))
    else:
        output.render_rank(result, rebalance=rebalance)


def _read_order_file(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {name}: {exc}") from None


@app.command()
def board(
    all_: Annotated[bool, typer.Option("--all", help="Add the done and dropped columns.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Columns by status, items in rank order; overdue spikes are marked."""
    from storykit.services.query import board as build_board

    result = build_board(workspace(), all_)
    if as_json:
        envelope.print_json(envelope.board(result))
    else:
        output.render_board(result)


@app.command()
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
    """Split an item into parts of the same type that take its place in the backlog.

    The parts inherit parent, tags and sprint and record split_from; the original is
    dropped with split_into listing them. One commit."""
    from storykit.services.split import split_item

    result = split_item(
        workspace(), item, parts, commit_options(no_commit, no_verify, include_changes)
    )
    if as_json:
        made = [part.to_json() for part in result.items]
        envelope.print_json(envelope.outcome(result, parts=made))
        return
    original = result.item
    assert original is not None
    commit = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
    output.out(f"split {original.type} {original.id} into {len(result.items)} parts{commit}")
    output.render_list(result.items)


@app.command("next")
def next_(
    limit: Annotated[int, typer.Option(min=1, help="How many items to show.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """What to pick up now: the top-ranked ready items whose dependencies are all done."""
    from storykit.services.query import next_items

    items = next_items(workspace(), limit)
    if as_json:
        envelope.print_json(envelope.envelope("items", [item.to_json() for item in items]))
    elif items:
        output.render_list(items)
    else:
        output.err("nothing is ready: no ready item has all its dependencies done")


@app.command()
def schema(
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
) -> None:
    """The JSON Schema of the item files (for editors and other tools)."""
    from storykit.services.schema import schema_text

    text = schema_text(workspace().project.config)
    if output_file is None:
        sys.stdout.write(text)
        return
    from storykit.atomic import write_atomic

    try:
        write_atomic(output_file, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {output_file}: {exc.strerror}") from None
    output.err(f"wrote {output_file}")


def _register_new_commands() -> None:
    from storykit.cli import spike
    from storykit.cli.new import register

    groups = register(app)
    spike.register(groups["spike"])


_register_new_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt as exc:
        sys.exit(output.report_failure(exc))
