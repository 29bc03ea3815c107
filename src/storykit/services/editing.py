"""Editing an item file in $EDITOR until it is valid, or until the user gives up."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from storykit.editor import launch_editor
from storykit.errors import Diagnostic, InvalidDataError, StorykitError

T = TypeVar("T")
_MARK = "# storykit: "


def edit_until_valid(
    initial: bytes, file_name: str, validate: Callable[[bytes], T]
) -> tuple[bytes, T | None]:
    """Open `initial` in the editor; reopen with the problems listed until it validates.

    Returns the final bytes and the validated value (None if saved unchanged at once).
    Saving an invalid file unchanged, or an editor failing, gives up: nothing is written.
    """
    presented = initial
    problems: list[Diagnostic] = []
    with _scratch_file(file_name) as path:
        while True:
            edited = _edit(path, presented)
            body = strip_problem_header(edited)
            if edited == presented and problems:
                raise InvalidDataError(
                    "edit abandoned: the file still has problems, so nothing was changed",
                    problems,
                )
            if edited == presented and presented == initial:
                return initial, None
            try:
                return body, validate(body)
            except InvalidDataError as exc:
                problems = exc.diagnostics
                presented = problem_header(problems) + body


def problem_header(problems: list[Diagnostic]) -> bytes:
    lines = [f"{_MARK}fix these problems and save, or save unchanged to give up:"]
    offset = len(problems) + 1
    for problem in problems:
        lines.append(f"{_MARK}line {problem.line + offset}, col {problem.col}: {problem.message}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def strip_problem_header(content: bytes) -> bytes:
    lines = content.splitlines(keepends=True)
    while lines and lines[0].startswith(_MARK.encode()):
        lines.pop(0)
    return b"".join(lines)


def edit_text(text: str, file_name: str = "storykit-rank.txt") -> str:
    """Open `text` in the editor and return what was saved (an editor failure changes nothing)."""
    with _scratch_file(file_name) as path:
        return _edit(path, text.encode("utf-8")).decode("utf-8", errors="replace")


@contextlib.contextmanager
def _scratch_file(file_name: str) -> Iterator[Path]:
    """A path in a fresh temporary folder (named like the item, for editors' highlighting),
    removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="storykit-edit-"))
    try:
        yield folder / file_name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _edit(path: Path, content: bytes) -> bytes:
    path.write_bytes(content)
    status = launch_editor(path)
    if status != 0:
        raise StorykitError(f"the editor exited with status {status}; nothing was changed")
    return path.read_bytes()
