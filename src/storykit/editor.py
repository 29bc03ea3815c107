"""Launching the user's editor ($VISUAL, $EDITOR, else vi) on a file."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from storykit.errors import UsageError


def check_editor(instead: str) -> None:
    """Refuse at once, before anything is written, to open an editor nobody can use: no
    $VISUAL or $EDITOR and no terminal (a script, CI, an agent). The default `vi` would
    wait for keys that never come."""
    if os.environ.get("VISUAL") or os.environ.get("EDITOR"):
        return
    if sys.stdin.isatty() and sys.stdout.isatty():
        return
    raise UsageError(
        "this opens an editor, but there is no terminal and neither $VISUAL nor $EDITOR is set",
        hint=f"{instead}; or set $EDITOR",
    )


def launch_editor(path: Path) -> int:
    """Run the editor on `path` and return its exit status."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(command)
    except ValueError:
        raise UsageError(f"cannot parse the editor command {command!r}") from None
    if not argv:
        raise UsageError(
            "the editor command is empty", hint="set $EDITOR, e.g. `export EDITOR=nano`"
        )
    try:
        return subprocess.run([*argv, str(path)], check=False).returncode
    except FileNotFoundError:
        raise UsageError(
            f"editor {argv[0]!r} not found", hint="set $EDITOR, e.g. `export EDITOR=nano`"
        ) from None
    except OSError as exc:  # a folder, not executable, not a program
        raise UsageError(
            f"cannot run the editor {argv[0]!r}: {exc.strerror}",
            hint="set $EDITOR to an editor program, e.g. `export EDITOR=nano`",
        ) from None
