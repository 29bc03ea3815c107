"""The `storykit` entry point: the lean shell completion, merge driver, `list`, `new` or a
report kept from last time when they can answer, else the full CLI (Typer), which handles
everything else and every error of those."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if "_STORYKIT_COMPLETE" in os.environ:
        from storykit.cli.lean.completion import try_complete

        code = try_complete()
        if code is not None:
            sys.exit(code)
    from storykit.cli.lean.merge_driver import try_merge_driver

    code = try_merge_driver(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from storykit.cli.lean.listing import try_list

    code = try_list(sys.argv[1:])
    if code is None:
        from storykit.cli.lean.creating import try_new

        code = try_new(sys.argv[1:])
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if code is None and command in ("burndown", "velocity", "sprint"):
        from storykit.cli.lean.kept_reports import try_report

        code = try_report(sys.argv[1:])
    if code is None and command == "rank":
        from storykit.cli.lean.suggestion import try_suggest

        code = try_suggest(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from storykit.cli.app import main as full_main

    full_main()
