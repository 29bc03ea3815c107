"""The one error hierarchy. Each error carries its exit code; `cli` renders them."""

from __future__ import annotations

from typing import NamedTuple

from storykit.printable import printable

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_REPO_STATE = 3
EXIT_BUSY = 75
EXIT_INTERRUPTED = 130


class Diagnostic(NamedTuple):
    """One problem in one file, located for `path:line:col: severity: message` output."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"
    code: str = "invalid"

    def format(self) -> str:
        """One line, whatever the path or message holds (see `printable`)."""
        where = f"{printable(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self.severity}: {printable(self.message)}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


BUG_HINT = (
    "this is a bug in storykit; please report it with the command you ran "
    "(set STORYKIT_DEBUG=1 to see the traceback)"
)


def error_text(exc: BaseException) -> str:
    """What went wrong, in the words `error:` says it."""
    if isinstance(exc, StorykitError):
        return exc.message
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted; nothing was changed"
    return f"internal error: {type(exc).__name__}: {exc}"


class StorykitError(Exception):
    """An expected failure: shown as `error: message` and `hint: hint`, never a traceback."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """As the command line says it: each located problem (`path:line:col: error: …`),
        then `error: …` and `hint: …`."""
        found = [d.format() for d in getattr(self, "diagnostics", ())]
        found.append(f"error: {self.message}")
        return [*found, f"hint: {self.hint}"] if self.hint else found


class UsageError(StorykitError):
    exit_code = EXIT_USAGE


class UnknownItemError(UsageError):
    pass


class RepoStateError(StorykitError):
    exit_code = EXIT_REPO_STATE


class BusyError(StorykitError):
    exit_code = EXIT_BUSY


class InvalidDataError(StorykitError):
    """Data that breaks the file format or the model; carries every problem found."""

    exit_code = EXIT_INVALID

    def __init__(
        self,
        message: str,
        diagnostics: list[Diagnostic] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.diagnostics = list(diagnostics or [])


class HookRejectedError(StorykitError):
    exit_code = EXIT_INVALID


class GitError(StorykitError):
    """A git command failed unexpectedly."""

    exit_code = EXIT_INVALID
