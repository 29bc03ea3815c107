"""Test helpers: real temporary git repositories and a storykit project in them, the
installed command run in-process or on a pseudo-terminal. Fixtures are in conftest.py."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from storykit.cli.app import app

SCRIPT = Path(sys.executable).parent / "storykit"  # the installed console script


def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def make_repo(path: Path, identity: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    if identity:
        git(path, "config", "user.name", "Pat Owner")
        git(path, "config", "user.email", "pat@example.com")
    return path


def modules_after(
    cwd: Path,
    *argv: str,
    env: dict[str, str] | None = None,
    entry: str = "storykit.cli.main",
) -> set[str]:
    """The modules a fresh Python has loaded once `storykit ARGV` ran through `entry`'s
    `main` (the lean entry point by default; `storykit.cli.app` is the Typer one)."""
    code = (
        "import sys, io\n"
        f"sys.argv = ['storykit', *{list(argv)!r}]\n"
        f"from {entry} import main\n"
        "real = sys.stdout\n"
        "sys.stdout = io.StringIO()\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stdout = real\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return set(out.stdout.split())


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


@dataclass
class Repo:
    """A git repository with a storykit backlog, and helpers to inspect it."""

    root: Path
    runner: CliRunner

    def run(self, *args: str, cwd: Path | None = None, input: str | None = None) -> Run:
        old = Path.cwd()
        os.chdir(cwd or self.root)
        try:
            result = self.runner.invoke(app, list(args), input=input)
        finally:
            os.chdir(old)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, cwd: Path | None = None) -> Run:
        result = self.run(*args, cwd=cwd)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def git(self, *args: str, check: bool = True) -> str:
        return git(self.root, *args, check=check)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit_count(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD").strip())

    def last_commit_files(self) -> list[str]:
        out = self.git("show", "--no-renames", "--name-only", "--format=", "HEAD")
        return sorted(line for line in out.splitlines() if line)

    def index(self) -> str:
        return self.git("ls-files", "-s")

    def status(self) -> str:
        return self.git("status", "--porcelain=v1", "--untracked-files=all")

    def files(self) -> dict[str, bytes]:
        folder = self.root / "backlog"
        if not folder.exists():
            return {}
        # Regular files only (a test may put a FIFO or a folder there); the rest by name.
        return {
            p.name: p.read_bytes() if p.is_file() and not p.is_symlink() else b"<not a file>"
            for p in sorted(folder.iterdir())
        }

    def item_path(self, item_id: str) -> Path:
        (match,) = [p for p in (self.root / "backlog").iterdir() if p.name.startswith(item_id)]
        return match

    def snapshot(self) -> tuple[object, ...]:
        """Everything a failed command must leave exactly as it was."""
        head = self.git("rev-parse", "--verify", "-q", "HEAD", check=False).strip()
        leftovers = sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*")
            if p.name.endswith((".tmp", ".lock")) or p.name == "lock"
        )
        return (head, self.index(), self.status(), self.files(), leftovers)

    def refused(self, *args: str, code: int, says: str) -> Run:
        """Run a command that must fail with `code` and say `says`, changing nothing."""
        before = self.snapshot()
        result = self.run(*args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert self.snapshot() == before
        return result

    def age_files(self, seconds: float = 60) -> None:
        """Make the backlog files old enough to be cached (fresh files never are)."""
        past = time.time() - seconds
        for path in (self.root / "backlog").iterdir():
            os.utime(path, (past, past))

    def hook(self, name: str, body: str) -> None:
        """Install an executable git hook (a shell script) in `.git/hooks`."""
        hook = self.root / ".git" / "hooks" / name
        hook.parent.mkdir(parents=True, exist_ok=True)
        hook.write_text("#!/bin/sh\n" + body)
        hook.chmod(0o755)

    def new_story(self, title: str = "Send emojis in messages", *extra: str) -> str:
        result = self.ok(
            "story", "new", title, "--as-a", "user", "--i-want", "to send emojis",
            "--so-that", "I can express emotions", "--json", *extra,
        )  # fmt: skip
        data = result.json()
        assert isinstance(data, dict)
        return str(data["item"]["id"])

    def new_spike(self, title: str = "Research emoji encoding", *extra: str) -> str:
        result = self.ok(
            "spike", "new", title, "--question", "Which encoding works on every platform?",
            "--timebox", "2d", "--json", *extra,
        )  # fmt: skip
        data = result.json()
        assert isinstance(data, dict)
        return str(data["item"]["id"])


def on_terminal(
    cwd: Path, argv: list[str], env: dict[str, str], answers: Sequence[str] = ()
) -> str:
    """Run `argv` on a pseudo-terminal (TERM=xterm-256color unless `env` says otherwise),
    typing `answers` at its prompts; what it printed, with LF line ends."""
    return run_on_terminal(cwd, argv, env, answers)[1]


def run_on_terminal(
    cwd: Path, argv: list[str], env: dict[str, str], answers: Sequence[str] = ()
) -> tuple[int, str]:
    """`on_terminal`, with the exit code."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execve(argv[0], argv, {**os.environ, "TERM": "xterm-256color", **env})
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if pending and chunk.rstrip().endswith(b":"):
            os.write(fd, (pending.pop(0) + "\n").encode())
    else:  # still running after 30 s: a hang is a failure, not a stuck test run
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode("utf-8", "replace").replace("\r\n", "\n")
    return os.waitstatus_to_exitcode(status), text


def kept_files(repo: Repo, command: str) -> list[Path]:
    """The answers of `command` (`list`, `refine`) kept in `.git/storykit/kept/`."""
    return sorted((repo.root / ".git" / "storykit" / "kept").glob(f"{command}-*.txt"))


def tamper_kept(repo: Repo, command: str) -> None:
    """Mark every kept answer of `command`, to see whether the next one prints it."""
    for path in kept_files(repo, command):
        head, _, out = path.read_text().partition("\n")
        path.write_text(f"{head}\nKEPT\n{out}")
