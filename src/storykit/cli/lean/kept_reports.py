"""A lean `storykit burndown`, `velocity`, `sprint list` and `flow`: the answer printed last time
(or the SVG chart drawn last time, written again), when nothing it depends on has changed
(`reportcache.py`); otherwise None, and the full command runs (and stores its answer)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from storykit import clock
from storykit.history.reportcache import open_cache
from storykit.printable import printable_lines
from storykit.storage.atomic import write_atomic

# command → (value options, flags) it answers; anything else goes to the full command.
_FORMS: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("burndown",): (("--at", "--format", "--output"), ("--json",)),
    ("velocity",): (("--at", "--format", "--last", "--output"), ("--json",)),
    ("sprint", "list"): (("--at",), ("--json",)),
    ("flow",): (("--at", "--format", "--output", "--since", "--type", "--until"), ("--json",)),
}
# `flow --since` is kept only as a date or a full SHA: a branch or tag may move.
_FIXED_SINCE = re.compile(r"\d{4}-\d{2}-\d{2}|[0-9a-fA-F]{40}")


def report_request(
    command: str,
    *,
    sprint: str | None = None,
    at: str | None = None,
    as_json: bool = False,
    form: str = "text",
    last: str | int | None = None,
    since: str | None = None,
    until: str | None = None,
    only: str | None = None,
) -> list[str] | None:
    """A report's options as the cache key holds them — the full command builds the same
    list from what Typer parsed — or None for a form that is not kept. An SVG chart is
    kept with what draws it (matplotlib's installation: its version, its fonts), not
    where it is written."""
    drawer = _drawer() if form == "svg" else ""
    if form not in ("text", "markdown", "svg") or drawer is None:
        return None
    if since is not None and not _FIXED_SINCE.fullmatch(since):
        return None
    if command == "velocity" and last is None:
        last = 6
    fields = (command, sprint, "yes" if at else "", as_json, form, last, drawer, since, until, only)
    return [f"{name}={value}" for name, value in zip(_NAMES, fields, strict=True)]


_NAMES = ("command", "sprint", "at", "json", "format", "last", "drawer", "since", "until", "type")


def _drawer() -> str | None:
    """matplotlib's installation, found without importing it (None: not installed, or not
    known well enough to key a drawing by: then nothing is kept): where it is and its
    version file's size and time, which any install or upgrade changes."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("matplotlib")
        if spec is None or spec.origin is None:
            return None
        version = Path(spec.origin).with_name("_version.py").stat()
    except (ImportError, ValueError, OSError):
        return None
    return f"{spec.origin}:{version.st_size}:{version.st_mtime_ns}"


def parse_options(
    args: list[str], values: tuple[str, ...], flags: tuple[str, ...], positional: str = ""
) -> dict[str, str] | None:
    """`--name value`, `--name=value` and flags (as "yes"), and one word that is not an
    option under the name `positional` when given; None for anything else (an option given
    twice, an unknown one, a missing value): the full command answers those."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        name, equals, value = arg.partition("=")
        if name in found:
            return None
        if name in values:
            if not equals:
                index += 1
                if index >= len(args):
                    return None
                value = args[index]
            found[name] = value
        elif arg in flags:
            found[arg] = "yes"
        elif positional and not arg.startswith("-") and positional not in found:
            found[positional] = arg
        else:
            return None
        index += 1
    return found


def try_report(argv: list[str]) -> int | None:
    """Print the kept answer and return 0, or None to run the full command."""
    command = next((form for form in _FORMS if tuple(argv[: len(form)]) == form), None)
    if command is None:
        return None
    try:
        values, flags = _FORMS[command]
        sprint = "sprint" if command == ("burndown",) else ""
        found = parse_options(argv[len(command) :], values, flags, sprint)
        cache = open_cache(Path.cwd().resolve())
        if found is None or cache is None or (found.get("--json") and "--format" in found):
            return None
        last = found.get("--last")
        wanted = report_request(
            " ".join(command),
            sprint=found.get("sprint"),
            at=found.get("--at"),
            as_json="--json" in found,
            form=found.get("--format", "text"),
            last=int(last) if last is not None else None,
            since=found.get("--since"),
            until=found.get("--until"),
            only=found.get("--type"),
        )
        commit = cache.commit(found.get("--at"))
        key = cache.key(commit, wanted) if commit and wanted else None
        answer = cache.get(key, clock.now().timestamp()) if key else None
        if answer is None or (answer[1] is None) != ("--output" not in found):
            return None
        out, written = answer
        if written is not None:
            target = Path(found["--output"])
            write_atomic(target, written.encode())
    except Exception:  # an optimisation only: the full command decides (and says why)
        return None
    sys.stdout.write(out)
    if written is not None:
        sys.stderr.write(printable_lines(f"wrote {target}") + "\n")
    return 0
