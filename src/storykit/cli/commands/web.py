"""`storykit serve` and `storykit export html`: the browser's faces of the backlog (the web
package, `storykit.web`, is imported only by these two; the export group is in
`interchange.py`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from storykit.cli.options import workspace, write_output
from storykit.cli.render import output


def serve(
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            metavar="N",
            min=0,
            max=65535,
            help="The port (default 8420, or any free one when it is taken; 0: any free one).",
        ),
    ] = None,
    no_open: Annotated[
        bool, typer.Option("--no-open", help="Do not open the browser; print the address only.")
    ] = False,
) -> None:
    """Only this machine can reach it (127.0.0.1 and ::1). Every change it makes is the
    change the command line makes: one file, one commit, through the same gates. Open pages
    update when the files or HEAD change. Ctrl-C stops it."""
    from storykit.web.server import serve as run

    ws = workspace()  # a folder without a backlog is refused before anything listens
    run(ws.project.root, port, not no_open, _say)


def _say(text: str) -> None:
    output.out(text)
    sys.stdout.flush()  # the address, at once, also to a pipe (a script waiting for it)


def html(
    output_file: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Where to write it (default backlog.html)."
        ),
    ] = Path("backlog.html"),
) -> None:
    """One self-contained, read-only HTML file: the board, the ranked backlog, every item's
    details and each sprint's burndown, with its style inlined and no script, so it opens
    offline and can be published as a CI artifact or on a static site."""
    from storykit.web.export import export_html

    text, notes = export_html(workspace())
    write_output(output_file, text.encode())
    for note in notes:
        output.err(f"note: {note}")
