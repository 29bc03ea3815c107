"""`storykit --help` without Typer: the top-level help exactly as Typer prints it (Click's
layout, rich markup off), from the declared commands (`commands/COMMANDS`).

Importing Typer is most of what `--help` costs, and the top level's help is all text known
in advance: the usage line, the app's description, four options and the command list,
wrapped to the terminal as Click wraps them (78 columns at most, 50 at least). The option
lines other than `--version` are Typer's and Click's own words; anything but `storykit
--help` or `-h` run as the installed command goes to Typer. `tests/test_lean_help.py`
compares the two at every width and fails when a Typer upgrade changes a word or a rule.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

from storykit.cli.commands import APP_HELP, COMMANDS, VERSION_HELP

OPTIONS = (
    ("--version", VERSION_HELP),
    ("--install-completion", "Install completion for the current shell."),
    (
        "--show-completion",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    ("-h, --help", "Show this message and exit."),
)


def try_help(argv: list[str]) -> int | None:
    """Print the top-level help and return 0, or None for Typer to answer."""
    if argv not in (["--help"], ["-h"]):
        return None
    if getattr(sys.modules.get("__main__"), "__package__", None) not in (None, ""):
        return None  # `python -m storykit`: Click names the program otherwise
    program = os.path.basename(sys.argv[0])
    sys.stdout.write(top_help(program, _width()))
    return 0


def top_help(program: str, width: int) -> str:
    """The help of `program` (the top level) at `width` columns, as Click lays it out."""
    lines = [_usage(program, width), ""]
    lines.append(_wrap(APP_HELP, width, "  ", "  "))
    lines += ["", "Options:", _definitions(OPTIONS, width)]
    lines += ["", "Commands:", _definitions([(c.name, c.summary) for c in COMMANDS], width)]
    return "\n".join(lines) + "\n"


def _width() -> int:
    """Click's: the terminal's columns less 2, within 50 to 78."""
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def _usage(program: str, width: int) -> str:
    prefix = f"Usage: {program} "
    arguments = "[OPTIONS] COMMAND [ARGS]..."
    if width >= len(prefix) + 20:
        return _wrap(arguments, width, prefix, " " * len(prefix))
    indent = " " * (len("Usage: ") + 4)
    return prefix + "\n" + _wrap(arguments, width, indent, indent)


def _definitions(rows: list[tuple[str, str]] | tuple[tuple[str, str], ...], width: int) -> str:
    """Click's definition list, indented by 2: terms in a column up to 30 wide, each
    description wrapped beside its term (or under it, when the term is longer)."""
    indent = 2
    first = min(max(len(term) for term, _ in rows), 30) + 2
    out = []
    for term, text in rows:
        head = " " * indent + term
        if len(term) <= first - 2:
            head += " " * (first - len(term))
        else:
            head += "\n" + " " * (first + indent)
        wrapped = _wrap(text, max(width - first - 2, 10), "", "").splitlines()
        out.append(head + wrapped[0])
        out += [" " * (first + indent) + line for line in wrapped[1:]]
    return "\n".join(out)


class _Wrapper(textwrap.TextWrapper):
    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        """Click's: a word longer than a line is cut where the line ends."""
        space_left = max(width - cur_len, 1)
        last = reversed_chunks[-1]
        cur_line.append(last[:space_left])
        reversed_chunks[-1] = last[space_left:]


def _wrap(text: str, width: int, first: str, rest: str) -> str:
    wrapper = _Wrapper(width, initial_indent=first, subsequent_indent=rest)
    wrapper.replace_whitespace = False
    return wrapper.fill(text)
