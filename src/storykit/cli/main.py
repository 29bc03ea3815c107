"""The `storykit` entry point: the lean `list` when it can answer, else the full CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from storykit.cli.fastlist import try_list

    code = try_list(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from storykit.cli.app import main as full_main

    full_main()
