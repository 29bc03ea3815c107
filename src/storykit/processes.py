"""The processes storykit starts and watches: whether a PID still lives (a lock or temp
file left by a killed storykit), and how storykit starts Python for the processes git
starts on its own: the merge driver
(`merge.storykit.driver`) and the merge helper (docs/architecture.md, "Merging branches").

Those run inside a work tree whose files an upstream collaborator controls, during a
`git pull` nobody typed a storykit command for. `python -m` puts the current folder first
on `sys.path`, so a `base64.py` committed to the repository would run as the developer.
So every such command is this interpreter in isolated mode (`-I`: no current folder,
script folder, PYTHONPATH or user site on the path), started from a neutral folder.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

# subprocess and tempfile are imported where used: the merge driver, started by git once
# per file, needs only `neutral_folder`.

NEUTRAL_FOLDER = "/"  # a current folder outside every work tree


def python_argv(module: str) -> list[str]:
    """The command that runs `module` with this interpreter, importing nothing from the
    current folder: isolated (`-I`) when storykit imports that way (the usual install),
    else without the unsafe path only (`-P`: storykit reached through PYTHONPATH or the
    user's site folder, which isolation would hide)."""
    return [sys.executable, *isolation_flags(), "-m", module]


@functools.cache
def isolation_flags() -> tuple[str, ...]:
    if sys.flags.isolated:
        return ("-I",)
    probe = _probe([sys.executable, "-I", "-c", "import storykit"])
    return ("-I",) if probe is not None and probe.returncode == 0 else ("-P",)


def neutral_folder() -> str:
    """A folder to run in that no repository controls."""
    if os.path.isdir(NEUTRAL_FOLDER):
        return NEUTRAL_FOLDER
    import tempfile

    return tempfile.gettempdir()


def is_isolated(words: list[str]) -> bool:
    """Whether a command that runs Python with `-m` keeps the current folder off the path
    (a `-I` or `-P` before the `-m`)."""
    if "-m" not in words:
        return True
    flags = words[1 : words.index("-m")]
    return any(flag.startswith("-") and ("I" in flag or "P" in flag) for flag in flags)


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists (a leftover of a dead one may be removed)."""
    if pid <= 0:
        return True  # not a real PID: never treat as dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs_storykit(argv: list[str]) -> bool:
    """Whether a command that should start storykit (`PYTHON [-I] -m storykit`, or a
    `storykit` program) does, run from a neutral folder: a virtual environment deleted,
    or one storykit was removed from, does not. A Python is asked to import the package
    (a few hundredths of a second), a program for its `--version`."""
    if "-m" in argv:
        probe = _probe([*argv[: argv.index("-m")], "-c", "import storykit"])
        return probe is not None and probe.returncode == 0
    probe = _probe([*argv, "--version"])
    return probe is not None and probe.returncode == 0 and probe.stdout.startswith(b"storykit")


def _probe(argv: list[str]) -> subprocess.CompletedProcess[bytes] | None:
    """Run a short probe of a Python from a neutral folder, no input; None if it could
    not be started or did not finish in a minute."""
    import subprocess

    try:
        return subprocess.run(
            argv,
            cwd=neutral_folder(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
