"""The `storykit` entry point: the lean shell completion, `--help`, merge driver, `list`,
`new`, or a report or `refine` kept from last time when they can answer, else the full CLI
(Typer), which handles everything else and every error of those."""

from __future__ import annotations

import os
import sys


def main() -> None:
    try:
        _main()
    except BrokenPipeError:  # the reader went away (`| head`, a closed pipe): as Click does,
        # end quietly with 1, and keep Python's exit from flushing into the closed pipe
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _main() -> None:
    if "_STORYKIT_COMPLETE" in os.environ:
        from storykit.cli.lean.completion import try_complete

        code = try_complete()
        if code is not None:
            sys.exit(code)
    argv = sys.argv[1:]
    command = argv[0] if argv else ""
    code = None  # each lean path is imported only for its own command: `--help` needs none
    if command in ("--help", "-h"):
        from storykit.cli.lean.help import try_help

        code = try_help(argv)
    elif command == "merge-driver":
        from storykit.cli.lean.merge_driver import try_merge_driver

        code = try_merge_driver(argv)
    elif command == "list":
        from storykit.cli.lean.listing import try_list

        code = try_list(argv)
    elif len(argv) > 1 and argv[1] == "new":
        from storykit.cli.lean.creating import try_new

        code = try_new(argv)
    elif command in ("burndown", "velocity", "sprint", "flow"):
        from storykit.cli.lean.kept_reports import try_report

        code = try_report(argv)
    elif command == "refine":
        from storykit.cli.lean.kept_refine import try_refine

        code = try_refine(argv)
    elif command == "rank":
        from storykit.cli.lean.suggestion import try_suggest

        code = try_suggest(argv)
    if code is not None:
        sys.exit(code)
    from storykit.cli.app import main as full_main

    full_main()
