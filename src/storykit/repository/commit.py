"""The commit protocol (docs/architecture.md): one change, one commit, only its files.

The commit is built on a temporary index holding HEAD plus exactly the changed files, the
branch moves by compare-and-swap, and only those paths are refreshed in the user's index,
so their staged and unstaged work stays as it was. git's own `index.lock` is held from
before the files are written until the index is refreshed, as `git commit` holds it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storykit import clock
from storykit.errors import BusyError, GitError, HookRejectedError, StorykitError
from storykit.processes import pid_alive
from storykit.repository import state
from storykit.repository.runner import Git, config_env, is_true, pathspecs

ZERO_OID = "0" * 40
_INDEX_LOCK_WAIT = 2.0
_PACKED = 200  # new blobs from this many paths on are written into one pack


@dataclass(frozen=True)
class CommitResult:
    sha: str
    subject: str
    paths: list[str]


class GitRepo(Git):
    """The repository, as a change commits to it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._branch: str | None = None

    def check_can_commit(self, backlog_rel: str) -> None:
        """Refuse every state where a commit would be wrong (see `state`); the branch
        found is the one `commit_paths` moves."""
        self._branch = state.check_can_commit(self, backlog_rel)

    def local_changes(self, paths: Sequence[str]) -> dict[str, str]:
        return state.local_changes(self, paths)

    def checkout_newline(self, rel: str) -> str:
        return state.checkout_newline(self, rel)

    @contextlib.contextmanager
    def index_lock(self) -> Iterator[None]:
        """Hold git's own `index.lock` from before the files are written until the index
        is refreshed, as `git commit` does: no other git command (a `git commit -a`, a
        `git stash`) can slip in between. Another command's lock is waited for briefly,
        never removed; a lock that a killed storykit left (it names itself inside) is."""
        lock = self.git_dir / "index.lock"
        deadline = time.monotonic() + _INDEX_LOCK_WAIT
        while not self._create_index_lock(lock):
            if self._remove_own_stale_lock(lock):
                continue
            if time.monotonic() >= deadline:
                raise BusyError(
                    f"another git command is using the index ({lock} exists); nothing was changed",
                    hint="try again when it has finished; if no git command is running, one "
                    "that crashed left the file behind: check, then remove it yourself",
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            if _read_small(lock) == _lock_marker():
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()

    def _create_index_lock(self, lock: Path) -> bool:
        """Create `index.lock` holding storykit's marker from its first moment (a hard link
        of a file written beforehand); False if it exists."""
        work = self.common_dir / "storykit"
        work.mkdir(parents=True, exist_ok=True)
        marker = work / f"lock-{os.getpid()}-{time.monotonic_ns()}.tmp"
        marker.write_bytes(_lock_marker())
        try:
            os.link(marker, lock)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links on this file system: create it, then write
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as handle:
                handle.write(_lock_marker())
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                marker.unlink()

    def _remove_own_stale_lock(self, lock: Path) -> bool:
        content = _read_small(lock)
        match = re.fullmatch(rb"storykit (\d+)\n", content or b"")
        if match is None or pid_alive(int(match.group(1))):
            return False
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
        return True

    def commit_paths(
        self,
        paths: Sequence[str],
        message: str,
        *,
        run_hooks: bool = True,
    ) -> CommitResult | None:
        """Commit exactly `paths` (repository-relative; deleted ones are removed) on HEAD,
        or return None when HEAD already has them as they are (no empty commit).

        Staged as `git add` would (filters, line endings, `core.fileMode`); signed when
        `commit.gpgsign` says so. The user's index is not touched: call `refresh_index`
        once the commit is made.
        """
        # Read under git's index lock (`index_lock`), so no checkout can move HEAD meanwhile:
        # the branch `check_can_commit` found is still the one.
        ref = self._branch or self.branch_ref()
        head, head_tree = self.head_and_tree()
        work = self.common_dir / "storykit"
        work.mkdir(parents=True, exist_ok=True)
        tag = f"{os.getpid()}-{time.monotonic_ns()}"
        temp_index = work / f"index-{tag}.tmp"
        message_file = work / f"message-{tag}.tmp"
        env = {"GIT_INDEX_FILE": str(temp_index)}
        tree = ""
        try:
            if head:
                self.run("read-tree", head, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            self._update_index(paths, env)
            message_file.write_text(message, encoding="utf-8")
            if run_hooks:
                self._run_hook("pre-commit", [], env)
                self._run_hook("commit-msg", [str(message_file)], env)
                message = message_file.read_text(encoding="utf-8")
                message_file.write_text(message.rstrip() + "\n", encoding="utf-8")
            _, tree_out, _ = self.run("write-tree", env=env)
            tree = tree_out.strip()
            if tree == head_tree:
                return None
            parents = ["-p", head] if head else []
            sign = ["-S"] if is_true(self.settings(), "commit.gpgsign") else []
            _, commit_out, _ = self.run(
                "commit-tree", tree, *parents, *sign, "-F", str(message_file), env=_dates()
            )
            commit = commit_out.strip()
            subject = message.splitlines()[0] if message else ""
            status, _, err = self.run(
                "update-ref", "-m", f"storykit: {subject}", ref, commit, head or ZERO_OID,
                check=False,
            )  # fmt: skip
            if status != 0:
                raise self._update_ref_failure(ref, head, tree, paths, err)
        finally:
            for leftover in (temp_index, message_file, Path(str(temp_index) + ".lock")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return CommitResult(sha=commit, subject=subject, paths=list(paths))

    def _update_index(self, paths: Sequence[str], env: Mapping[str, str]) -> None:
        """`git update-index --add --remove` for `paths`, fed through stdin. Many new
        blobs (an import) go into one pack rather than a loose file each: git streams a
        blob above `core.bigFileThreshold` into the pack of the command's one object
        transaction (2.37 and later), unless a filter or line-ending rule converts it
        (those are stored loose, as `git add` stores them). Same objects, same IDs."""
        data = b"".join(path.encode("utf-8") + b"\0" for path in paths)
        if len(paths) >= _PACKED and self.version() >= (2, 37):
            env = {**env, **config_env({"core.bigFileThreshold": "1"})}
        self.run("update-index", "--add", "--remove", "-z", "--stdin", env=env, stdin=data)

    def _update_ref_failure(
        self, ref: str, head: str | None, tree: str, paths: Sequence[str], err: str
    ) -> StorykitError:
        """Tell a branch moved by someone else from git failing to write the ref."""
        status, out, _ = self.run("rev-parse", "--verify", "-q", ref, check=False)
        now = out.strip() if status == 0 else None
        if now == head:
            return GitError(
                f"git could not move {ref}; nothing was committed: {err.strip()}",
                hint="fix what git reports (disk space, permissions), then run this again",
            )
        held = self._same_in(now, tree, paths) if now else set()
        if held and held == set(paths):
            message = (
                "the branch moved while storykit was committing, and the new commit already "
                "holds this change, so storykit made no commit of its own"
            )
        else:
            message = "the branch moved while storykit was committing; nothing was committed"
        return BranchMovedError(message, held, hint="run the command again")

    def _same_in(self, commit: str, tree: str, paths: Sequence[str]) -> set[str]:
        """The `paths` that are the same in `commit` as in `tree`."""
        status, out, _ = self.run(
            "--literal-pathspecs", "diff-tree", "-r", "-z", "--name-only", "--no-renames",
            tree, commit, "--", *pathspecs(paths), check=False,
        )  # fmt: skip
        if status != 0:
            return set()
        return set(paths) - set(out.split("\0"))

    def refresh_index(self, paths: Sequence[str]) -> None:
        """Make the user's index agree with the new commit for our paths, and only those.
        Called while `index_lock` is held: the new index is built in a copy and renamed
        into place, as git itself writes it."""
        index = self.git_dir / "index"
        temp = self.common_dir / "storykit" / f"index-{os.getpid()}-{time.monotonic_ns()}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                shutil.copyfile(index, temp)
            self._update_index(paths, {"GIT_INDEX_FILE": str(temp)})
            os.replace(temp, index)
        except (OSError, GitError) as exc:
            shown = " ".join(paths[:5]) + (" …" if len(paths) > 5 else "")
            raise GitError(
                f"the commit was made, but git's index could not be updated ({exc}), so "
                "`git status` may show the backlog change as staged in reverse",
                hint=f"run `git reset -q -- {shown}`",
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

    def _hook_path(self, name: str) -> Path | None:
        hooks_dir = self.settings().get("core.hookspath")
        base = Path(hooks_dir).expanduser() if hooks_dir else self.common_dir / "hooks"
        if not base.is_absolute():
            base = self.root / base
        hook = base / name
        return hook if hook.is_file() and os.access(hook, os.X_OK) else None

    def _run_hook(self, name: str, args: list[str], env: Mapping[str, str]) -> None:
        hook = self._hook_path(name)
        if hook is None:
            return
        full_env: dict[str, Any] = dict(os.environ)
        full_env.update(env)
        try:
            result = _run_program([str(hook), *args], self.root, full_env)
        except OSError as exc:
            raise GitError(f"cannot run the {name} hook {hook}: {exc.strerror}") from None
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise HookRejectedError(
                f"the {name} hook rejected the commit; nothing was changed"
                + (f"\n{output}" if output else ""),
                hint="fix what the hook reports, or skip hooks with --no-verify",
            )


class BranchMovedError(BusyError):
    """The branch moved during the commit. `held`: our paths that the new commit already
    has exactly as storykit wrote them; those files are never put back."""

    def __init__(self, message: str, held: set[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.held = held


def _dates() -> dict[str, str]:
    """Author and committer date of a commit: `STORYKIT_NOW` when set (a sprint replayed
    day by day in a test or a demo), else git's own clock; git's own GIT_AUTHOR_DATE and
    GIT_COMMITTER_DATE, when set, win."""
    moment = clock.frozen()
    if moment is None:
        return {}
    names = ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")
    return {name: moment.isoformat() for name in names if name not in os.environ}


def _run_program(argv: list[str], cwd: Path, env: dict[str, Any]) -> Any:
    """Run a hook as git does: a script without a `#!` line is run by /bin/sh."""
    try:
        return subprocess.run(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, errors="replace", check=False,
        )  # fmt: skip
    except OSError as exc:
        if exc.errno != errno.ENOEXEC:
            raise
        return subprocess.run(
            ["/bin/sh", *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, errors="replace", check=False,
        )  # fmt: skip


def _lock_marker() -> bytes:
    return f"storykit {os.getpid()}\n".encode()


def _read_small(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(64)
    except OSError:
        return None


def commit_message(subject: str, action: str, ids: Sequence[str], **trailers: str) -> str:
    """The subject on one safe line, then the trailers: `Storykit-Action`, one
    `Storykit-Item` per item, and any other (`Storykit-Undoes=SHA`)."""
    lines = [f"Storykit-Action: {action}", *(f"Storykit-Item: {i}" for i in ids)]
    lines += [f"Storykit-{name.capitalize()}: {value}" for name, value in trailers.items()]
    return one_line(subject) + "\n\n" + "\n".join(lines) + "\n"


def one_line(text: str, limit: int = 200) -> str:
    cleaned = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
