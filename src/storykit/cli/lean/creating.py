"""A lean `storykit TYPE new TITLE --field VALUE …`: the quick capture, without Typer.

It takes only the plain form: one title and `--option value` pairs for the type's fields,
with `--top`, `--bottom`, `--before ID`, `--after ID`, `--no-commit` and `--no-verify`.
Anything else — `--help`, `--edit`, `--json`, `--option=value`, a value starting with `-`,
a repeated single-value option, more than one placement, a missing required field (asked
for on a terminal) — returns None, and the full command runs and reports it. Both paths call
the same service and print through the same renderer; `tests/test_fastnew.py` compares them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from storykit.model.catalogue import FIELDS, TYPES, option_fields, option_name

_PLACEMENT_FLAGS = ("--top", "--bottom")
_PLACEMENT_OPTIONS = ("--before", "--after")
_COMMIT_FLAGS = ("--no-commit", "--no-verify")


def try_new(argv: list[str]) -> int | None:
    """Create the item the lean way and return the exit code, or None for the full command."""
    if len(argv) < 2 or argv[0] not in TYPES or argv[1] != "new":
        return None
    if "_STORYKIT_COMPLETE" in os.environ:
        return None
    item_type = argv[0]
    parsed = _parse(item_type, argv[2:])
    if parsed is None:
        return None
    values, flags, placement = parsed

    from storykit.cli.render import output
    from storykit.services.create import create_item, missing_fields
    from storykit.services.ranking import Placement
    from storykit.services.workspace import CommitOptions, Workspace

    if missing_fields(item_type, values):
        return None  # asked for on a terminal; otherwise every missing one is named
    options = CommitOptions(
        commit=False if "--no-commit" in flags else None, verify="--no-verify" not in flags
    )
    where = Placement(placement[0].removeprefix("--"), placement[1]) if placement else None
    try:
        result = create_item(
            Workspace.open(Path.cwd()), item_type, values, options, placement=where
        )
        output.render_change(result, "new")
    except (Exception, KeyboardInterrupt) as exc:
        return output.report_failure(exc)
    return 0


Parsed = tuple[dict[str, Any], set[str], tuple[str, str | None] | None]


def _parse(item_type: str, args: list[str]) -> Parsed | None:
    by_option = {option_name(name): name for name in option_fields(item_type)}
    values: dict[str, Any] = {}
    flags: set[str] = set()
    placement: tuple[str, str | None] | None = None
    title: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("-"):
            if title is not None:
                return None
            title = arg
            index += 1
            continue
        if arg in _PLACEMENT_FLAGS or arg in _COMMIT_FLAGS:
            if arg in _PLACEMENT_FLAGS:
                if placement is not None and placement[0] != arg:
                    return None
                placement = (arg, None)
            flags.add(arg)
            index += 1
            continue
        if arg not in by_option and arg not in _PLACEMENT_OPTIONS:
            return None
        if index + 1 >= len(args) or args[index + 1].startswith("-"):
            return None
        value = args[index + 1]
        index += 2
        if arg in _PLACEMENT_OPTIONS:
            if placement is not None:
                return None
            placement = (arg, value)
            continue
        name = by_option[arg]
        if FIELDS[name].many:
            values.setdefault(name, []).append(value)
        elif name in values:
            return None
        else:
            values[name] = value
    if title is None:
        return None
    given = {"title": title, **{name: value for name, value in values.items() if value}}
    return given, flags, placement
