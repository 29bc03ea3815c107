"""`storykit merge-driver BASE OURS THEIRS [MARKER_SIZE PATH [OURS_LABEL THEIRS_LABEL]]`:
the merge driver git starts once per item file both branches changed, as configured by
`storykit init` (`merge.storykit.driver`). It runs without Typer.

git passes %O %A %B %L %P; git 2.44 and later also replace %X and %Y with the labels of
the two sides, older versions pass them through as typed, and then the labels are what
`git merge` gives its own markers: HEAD, and the branch named in GITHEAD_<sha>.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from pathlib import Path

_USAGE = (
    "usage: storykit merge-driver BASE OURS THEIRS [MARKER_SIZE PATH [OURS_LABEL THEIRS_LABEL]]"
    "\n(git runs it: `storykit init` sets it up as merge.storykit.driver)"
)


def try_merge_driver(argv: list[str]) -> int | None:
    """Run the driver and return its exit code; None unless `argv` asks for it."""
    if not argv or argv[0] != "merge-driver" or any(a in ("-h", "--help") for a in argv[1:]):
        return None
    # Started once per file: a short process making little garbage (imports run ~10% faster
    # without the collector), and storykit uses no Pydantic plugins (looking for them reads
    # every installed package's metadata).
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = argv[1:]
    if not 3 <= len(args) <= 7 or (len(args) > 3 and not args[3].isdigit()):
        _say(f"error: {_USAGE}")
        return 2
    # git starts the driver in the work tree, whose files upstream controls: take the
    # paths git named from there, then leave it, so nothing imported later can come from it
    # (the command itself runs Python isolated: storykit/processes.py).
    root = Path.cwd()
    base, ours, theirs = (root / arg for arg in args[:3])
    from storykit.processes import neutral_folder

    os.chdir(neutral_folder())
    size = int(args[3]) if len(args) > 3 else 7
    rel = args[4] if len(args) > 4 else str(ours)
    ours_label, theirs_label = _given_labels(args[5:7])
    labels = (ours_label or "HEAD", theirs_label or _merged_branch() or "theirs", size)
    try:
        from storykit.services.driver import run_driver

        result = run_driver(root, base, ours, theirs, rel, labels)
    except (Exception, KeyboardInterrupt) as exc:
        from storykit.cli.render import output

        # Any failure exits non-zero: git marks the file conflicted, never silently wrong.
        return output.report_failure(exc) or 1
    if result.message:
        _say(f"storykit: {result.message}")
    return result.code


def _say(text: str) -> None:
    from storykit.printable import printable_lines

    sys.stderr.write(printable_lines(text) + "\n")


def _given_labels(args: list[str]) -> tuple[str | None, str | None]:
    """The labels git passed, or None for a placeholder an older git left as typed."""
    labels = [None if re.fullmatch(r"%[A-Z]", arg) else arg for arg in args]
    labels += [None, None]
    return labels[0], labels[1]


def _merged_branch() -> str | None:
    """The branch `git merge` is merging (it names it in GITHEAD_<sha>), if just one."""
    names = [value for key, value in os.environ.items() if key.startswith("GITHEAD_")]
    return names[0] if len(names) == 1 else None
