"""Editing in $EDITOR: an item file until it is valid, or free text (an outcome, an order).

What the user types is never lost: the scratch file lives in its own temporary folder, and
if the command fails after the user wrote something there, the file is kept and the error
says where (an exception note, printed by the CLI). The editor is reopened on an invalid
item file only on a terminal, only while the user keeps changing it, and at most
`MAX_ROUNDS` times.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from storykit.editor import check_editor, launch_editor
from storykit.errors import Diagnostic, InvalidDataError, StorykitError
from storykit.printable import printable

T = TypeVar("T")
_MARK = "# storykit: "
MAX_ROUNDS = 10


class EditSession:
    """One scratch file for the editor, in a fresh temporary folder (named like the item,
    for editors' highlighting). Use it as a context manager around the whole command:
    on success, or when nothing was typed, the folder is removed; on a failure after the
    user typed something, it is kept and the exception notes where."""

    def __init__(self, file_name: str, instead: str) -> None:
        """`instead`: how to do the same without an editor (said when there is none)."""
        check_editor(instead)
        self.folder = Path(tempfile.mkdtemp(prefix="storykit-edit-"))
        self.path = self.folder / file_name
        self.presented: bytes | None = None  # what the editor was first given

    def __enter__(self) -> EditSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None and self.typed():
            exc.add_note(f"what you wrote is kept in {self.path}")
            return
        shutil.rmtree(self.folder, ignore_errors=True)

    def typed(self) -> bool:
        """Whether the scratch file holds something the user wrote."""
        try:
            current = self.path.read_bytes()
        except OSError:
            return False
        return self.presented is not None and strip_problem_header(current) != strip_problem_header(
            self.presented
        )

    def edit(self, content: bytes) -> bytes:
        """Show `content` in the editor and return what was saved."""
        if self.presented is None:
            self.presented = content
        self.path.write_bytes(content)
        status = launch_editor(self.path)
        if status != 0:
            raise StorykitError(f"the editor exited with status {status}; nothing was changed")
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise StorykitError(
                f"the editor removed {self.path.name} instead of saving it; nothing was changed"
            ) from None
        except OSError as exc:
            raise StorykitError(
                f"cannot read what the editor saved ({exc.strerror}); nothing was changed"
            ) from None

    def edit_text(self, text: str) -> str:
        """Open `text` in the editor and return what was saved."""
        return self.edit(text.encode("utf-8")).decode("utf-8", errors="replace")

    def edit_until_valid(
        self, initial: bytes, validate: Callable[[bytes], T]
    ) -> tuple[bytes, T | None]:
        """Open `initial`; on a terminal, reopen with the problems listed until it validates.

        Returns the final bytes and the validated value (None if saved unchanged at once).
        Gives up (nothing is written, the text is kept) when the file is saved again without
        a change, after `MAX_ROUNDS` invalid saves, or at once when standard input is not a
        terminal (nobody could fix it).
        """
        presented = initial
        last_body: bytes | None = None
        problems: list[Diagnostic] = []
        for round_number in range(1, MAX_ROUNDS + 1):
            edited = self.edit(presented)
            body = strip_problem_header(edited)
            if body == initial and last_body is None:
                return initial, None
            if body == last_body:
                raise _abandoned("the file was saved again without a change", problems)
            try:
                return body, validate(body)
            except InvalidDataError as exc:
                problems = exc.diagnostics
                if not sys.stdin.isatty():
                    raise _abandoned("standard input is not a terminal", problems) from None
                if round_number == MAX_ROUNDS:
                    raise _abandoned(
                        f"it was still invalid after {MAX_ROUNDS} tries", problems
                    ) from None
                last_body = body
                presented = problem_header(problems) + body
        raise AssertionError("unreachable")  # pragma: no cover


def _abandoned(why: str, problems: list[Diagnostic]) -> InvalidDataError:
    return InvalidDataError(
        f"edit abandoned ({why}): the file still has problems, so nothing was changed",
        problems,
    )


def problem_header(problems: list[Diagnostic]) -> bytes:
    lines = [f"{_MARK}fix these problems and save, or save unchanged to give up:"]
    offset = len(problems) + 1
    for problem in problems:
        message = printable(problem.message)  # one line, whatever a key or value holds
        lines.append(f"{_MARK}line {problem.line + offset}, col {problem.col}: {message}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def strip_problem_header(content: bytes) -> bytes:
    lines = content.splitlines(keepends=True)
    while lines and lines[0].startswith(_MARK.encode()):
        lines.pop(0)
    return b"".join(lines)
