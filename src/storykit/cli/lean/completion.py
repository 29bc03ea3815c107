"""Shell completion without Typer, Pydantic or YAML, like the lean `list`.

The completion scripts `storykit --install-completion` installs run `storykit` with
`_STORYKIT_COMPLETE=complete_<shell>` and the words typed so far. When the word being
completed is an item ID, a status, a field name or an option's value, the answer comes
from the read cache's summary here; anything else (command and option names) and any
doubt go to Typer's own completion. Values are answered in the case they are typed.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterable
from typing import Any

from storykit.model.catalogue import FIELDS, ITEM_TYPES

VARIABLE = "_STORYKIT_COMPLETE"
ID_COMMANDS = ("show", "set", "status", "start", "done", "drop", "rm", "edit", "log", "split")
ID_OPTIONS = ("--parent", "--before", "--after", "--depends-on", "--supports", "--follow-up")
SPRINT_COMMANDS = ("show", "start", "close", "plan", "add", "remove")  # NAME comes first
Summary = list[dict[str, Any]]


def try_complete() -> int | None:
    """Answer a completion request and return the exit code; None for Typer to answer."""
    instruction = os.environ.get(VARIABLE, "")
    shell = instruction.removeprefix("complete_")
    if not instruction.startswith("complete_") or shell not in ("bash", "zsh", "fish"):
        return None
    try:
        args, incomplete = _words(shell)
        found = candidates(args, incomplete, _summary)
    except Exception:  # an optimisation only: Typer answers
        return None
    if found is None:
        return None
    if shell == "bash":
        sys.stdout.write("\n".join(found))
    elif shell == "zsh":
        quoted = "\n".join(f'"{_zsh_escape(value)}"' for value in found)
        sys.stdout.write(f"_arguments '*: :(({quoted}))'" if found else "_files")
    elif os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        return 0 if found else 1
    else:
        sys.stdout.write("\n".join(found))
    return 0


def candidates(
    args: list[str], incomplete: str, summary: Callable[[], tuple[dict[str, Any], Summary]]
) -> list[str] | None:
    """What may follow `args` (the words before the one being completed), starting with
    `incomplete`; None when this module does not know (Typer then answers)."""
    if not args or (incomplete.startswith("-") and "=" not in incomplete):
        return None
    prefix = ""
    if incomplete.startswith("--") and "=" in incomplete:
        option, _, incomplete = incomplete.partition("=")
        prefix, previous = option + "=", option
    else:
        previous = args[-1]
    values = _option_values(previous, summary)
    if values is None:
        values = _positional(args, summary)
    if values is None:
        return None
    return [prefix + value for value in matching(values, incomplete)]


def _option_values(
    option: str, summary: Callable[[], tuple[dict[str, Any], Summary]]
) -> Iterable[str] | None:
    if option == "--type":
        return ITEM_TYPES
    if option in ("--sort",):
        from storykit.model.selection import SORTS

        return SORTS
    if option in ("--status", "--tag", "--owner", "--sprint", *ID_OPTIONS):
        settings, items = summary()
        if option == "--status":
            return [str(status) for status in settings["statuses"]]
        if option == "--sprint":
            named = {str(i["sprint"]) for i in items if i.get("sprint")}
            return sorted(set(settings.get("sprints", ())) | named)
        if option in ID_OPTIONS:
            return [item["id"] for item in items]
        name = {"--tag": "tags", "--owner": "owner", "--sprint": "sprint"}[option]
        return sorted({v for item in items for v in _values(item.get(name))})
    return None


def _positional(
    args: list[str], summary: Callable[[], tuple[dict[str, Any], Summary]]
) -> Iterable[str] | None:
    command, before = args[0], [a for a in args[1:] if not a.startswith("-")]
    if command == "spike" and before[:1] in (["close"], ["start"], ["extend"]):
        if len(before) > 1:
            return []
        settings, items = summary()
        closed = set(settings["closed"])
        return [
            i["id"] for i in items if i.get("type") == "spike" and i.get("status") not in closed
        ]
    if command == "burndown":
        return list(summary()[0].get("sprints", ())) if not before else []
    if command == "sprint" and before[:1] and before[0] in SPRINT_COMMANDS:
        settings, items = summary()
        if len(before) == 1:
            return list(settings.get("sprints", ()))
        if before[0] in ("add", "remove"):
            return [item["id"] for item in items]
        return []
    if command == "rank":
        return [item["id"] for item in summary()[1]]
    if command not in ID_COMMANDS:
        return None
    settings, items = summary()
    ids = [item["id"] for item in items]
    if command in ("edit", "log", "split") and before:
        return []  # one item (a split's parts are titles)
    if command == "status" and before:
        return [*settings["statuses"], *ids]
    if command == "set" and before:
        fields = [f"{name}=" for name, spec in FIELDS.items() if not spec.auto or name == "status"]
        return fields if any("=" in a for a in before) else [*ids, *fields]
    return ids


def matching(values: Iterable[str], typed: str) -> list[str]:
    """The values that start with what was typed (case ignored), in the case it was typed;
    an ID also matches by its code (`7k` → `7k2m`)."""
    wanted = typed.casefold()
    found: list[str] = []
    for value in dict.fromkeys(values):
        code = value.split("-", 1)[1] if value[:1].isupper() and "-" in value else None
        if value.casefold().startswith(wanted):
            found.append(_cased(value, typed))
        elif code is not None and wanted and code.casefold().startswith(wanted):
            found.append(_cased(code, typed))
    return found


def _cased(value: str, typed: str) -> str:
    """A value written as the user writes it: all lower case if they typed lower case."""
    letters = [c for c in typed if c.isalpha()]
    if letters and all(c.islower() for c in letters) and value.upper() == value:
        return value.lower()
    return value


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _summary() -> tuple[dict[str, Any], Summary]:
    """The settings and every item's summary from the read cache, or an exception. A file
    changed since it was cached counts with the ID its name gives (a completion is a hint:
    it does not wait for the cache to be refreshed)."""
    from pathlib import Path

    from storykit.cli.lean.listing import cached_records
    from storykit.locations import SPRINT_FOLDER, find_project_root

    found = cached_records(full=False, partial=True)
    root = find_project_root(Path.cwd().resolve())
    if found is None or root is None:
        raise LookupError("no read cache for these settings")
    settings, records = found
    items = []
    for rel, payload in records:
        item = payload["item"]
        if "type" not in item:  # changed since it was cached: its own lines say what it is
            item = {**peek(root / rel, ("type", "status")), **item}
        items.append(item)
    folder = root / settings["backlog_dir"] / SPRINT_FOLDER
    names = [peek(path, ("name",)).get("name") for path in sorted(folder.glob("*.yaml"))]
    return {**settings, "sprints": sorted({n for n in names if n})}, items


def peek(path: Any, names: tuple[str, ...]) -> dict[str, str]:
    """Top-level `name: value` lines of a small YAML file, read as plain text (a hint for
    completion, never a reader of the backlog: `check` is)."""
    found: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read(65536)
    except OSError:
        return found
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and key in names and key not in found:
            value = value.split(" #", 1)[0].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            found[key] = value
    return found


def _words(shell: str) -> tuple[list[str], str]:
    """(the words after `storykit` before the one being completed, that word)."""
    if shell == "bash":
        words = shlex.split(os.environ["COMP_WORDS"])
        index = int(os.environ["COMP_CWORD"])
        return words[1:index], words[index] if index < len(words) else ""
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = shlex.split(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _zsh_escape(value: str) -> str:
    return (
        value.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`")
        .replace(":", r"\\:")
    )  # fmt: skip
