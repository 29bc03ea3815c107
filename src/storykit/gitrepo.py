"""Git, driven through plumbing. The only module that imports GitPython (lazily).

One change, one commit (DESIGN §5): the commit is built on a temporary index holding HEAD
plus exactly the changed files, the branch moves by compare-and-swap, and only those paths
are refreshed in the user's real index, so their staged and unstaged work stays as it was.
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
from typing import TYPE_CHECKING, Any

from storykit.errors import (
    BusyError,
    GitError,
    HookRejectedError,
    RepoStateError,
    StorykitError,
    UsageError,
)
from storykit.lock import pid_alive

if TYPE_CHECKING:
    import git

ZERO_OID = "0" * 40
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "git merge --continue", "git merge --abort"),
    ("rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"),
    ("rebase-apply", "a rebase or `git am`", "git rebase --continue", "git rebase --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"),
    ("BISECT_LOG", "a bisect", "git bisect reset", "git bisect reset"),
)
_INDEX_LOCK_WAIT = 2.0
# Read in one `git config` call: identity, sparse checkout, hooks.
_SETTINGS = (
    r"^(user\.(name|email)|commit\.gpgsign"
    r"|core\.(sparsecheckout|sparsecheckoutcone|hookspath|autocrlf|eol|attributesfile))$"
)
_MAX_PATH_ARGS = 100


@dataclass(frozen=True)
class CommitResult:
    sha: str
    subject: str
    paths: list[str]


def find_toplevel(start: Path) -> Path:
    """The work tree root of the repository containing `start`, or a RepoStateError."""
    repo = _open(start)
    if repo.bare:
        raise RepoStateError(
            "this is a bare repository: it has no working tree for backlog files",
            hint="clone it and run storykit in the clone",
        )
    return Path(repo.working_tree_dir or start)


# The variables of `git rev-parse --local-env-vars` that tie git to one repository (its
# configuration ones aside). A git hook that runs storykit passes them on (GIT_DIR,
# GIT_INDEX_FILE …); storykit works on the repository around its working directory, so
# they are dropped, as git itself drops them before working in a submodule.
_REPOSITORY_VARIABLES = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
)


def _forget_inherited_repository() -> None:
    for name in _REPOSITORY_VARIABLES:
        os.environ.pop(name, None)


def _open(start: Path) -> git.Repo:
    import git

    _forget_inherited_repository()

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise RepoStateError(
            f"{start} is not inside a git repository",
            hint="run `git init` first (storykit keeps the backlog in git)",
        ) from None


class GitRepo:
    """The repository holding the backlog."""

    def __init__(self, root: Path) -> None:
        self.repo = _open(root)
        if self.repo.bare:
            raise RepoStateError(
                "this is a bare repository: it has no working tree for backlog files",
                hint="clone it and run storykit in the clone",
            )
        self.root = Path(self.repo.working_tree_dir or root)
        self.git_dir = Path(self.repo.git_dir)
        self.common_dir = Path(self.repo.common_dir)
        self._read_settings: dict[str, str | None] | None = None
        self._branch: str | None = None

    # --- running git -------------------------------------------------------------------

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        stdin: bytes | None = None,
        expect: tuple[int, ...] = (0,),
    ) -> tuple[int, str, str]:
        """Run `git ARGS` in the work tree (an argument list, never a shell). Long lists of
        paths go through `stdin`, never the argument list (which the system limits).

        An exit code outside `expect` raises (unless `check` is False): a probe expects
        (0, 1), "yes" or "no", and anything else is git failing, never an answer."""
        result = self.execute(args, env=env, stdin=stdin)
        out = result.stdout.decode("utf-8", "replace")
        err = result.stderr.decode("utf-8", "replace")
        if result.returncode != 0 and "detected dubious ownership" in err:
            raise RepoStateError(
                f"git refuses to work in {self.root}: it is owned by another user",
                hint=f"if you trust it: `git config --global --add safe.directory {self.root}`",
            )
        if check and result.returncode not in expect:
            raise GitError(f"git {args[0]} failed: {err.strip() or out.strip()}")
        return result.returncode, out, err

    def execute(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """`git ARGS` with its output as bytes (the one place git is started)."""
        full_env = {
            **os.environ,
            "GIT_INDEX_FILE": str(self.git_dir / "index"),
            "LC_ALL": "C",  # messages in English: some are recognised below
            "LANGUAGE": "C",
            "GIT_TERMINAL_PROMPT": "0",
        }
        full_env.update(env or {})
        return subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=full_env,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            check=False,
        )

    # --- refusals ------------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commits yet."""
        return self._head_and_tree()[0]

    def _head_and_tree(self) -> tuple[str | None, str | None]:
        """HEAD's commit and tree in one git call ((None, None) with no commits yet)."""
        _, out, _ = self.run("cat-file", "--batch-check", stdin=b"HEAD^{commit}\nHEAD^{tree}\n")
        found: list[str | None] = []
        for line in out.splitlines()[:2]:  # "<sha> <type> <size>", or "<name> missing"
            parts = line.split()
            found.append(parts[0] if len(parts) == 3 and parts[1] in ("commit", "tree") else None)
        found += [None, None]
        return found[0], found[1]

    def branch_ref(self) -> str:
        status, out, _ = self.run("symbolic-ref", "-q", "HEAD", expect=(0, 1))
        if status != 0:
            raise RepoStateError(
                "HEAD is detached: storykit commits to a branch",
                hint="switch to a branch first: `git switch <branch>` (or `git switch -c <new>`)",
            )
        self._branch = out.strip()
        return self._branch

    def check_can_commit(self, backlog_rel: str) -> None:
        """Refuse, before anything is written, every state where a commit would be wrong."""
        for marker, what, go_on, abort in _IN_PROGRESS:
            if (self.git_dir / marker).exists():
                raise RepoStateError(
                    f"{what} is in progress; storykit will not commit in the middle of it",
                    hint=f"finish it (`{go_on}`) or abort it (`{abort}`), then run this again",
                )
        self.branch_ref()
        settings = self._settings()
        self._check_identity(settings)
        self._check_backlog_path(backlog_rel, settings)

    def _settings(self) -> dict[str, str | None]:
        """The settings a commit depends on, read once per command."""
        if self._read_settings is None:
            self._read_settings = self._config_values(_SETTINGS)
        return self._read_settings

    def _config_values(self, pattern: str) -> dict[str, str | None]:
        """{key: value} of the settings matching `pattern`, in one git call (keys in lower
        case as git prints them, the last value winning; None for a bare boolean key)."""
        status, out, _ = self.run("config", "-z", "--get-regexp", pattern, expect=(0, 1))
        values: dict[str, str | None] = {}
        for record in out.split("\0") if status == 0 else []:
            if record:
                key, newline, value = record.partition("\n")
                values[key] = value if newline else None
        return values

    def _check_identity(self, settings: dict[str, str | None]) -> None:
        env = os.environ
        name = env.get("GIT_AUTHOR_NAME") or settings.get("user.name")
        email = env.get("GIT_AUTHOR_EMAIL") or settings.get("user.email") or env.get("EMAIL")
        missing = [k for k, v in (("user.name", name), ("user.email", email)) if not v]
        if missing:
            raise RepoStateError(
                f"git does not know who you are ({' and '.join(missing)} not set)",
                hint='run `git config user.name "Your Name"` and '
                "`git config user.email you@example.com`",
            )

    def _check_backlog_path(self, backlog_rel: str, settings: dict[str, str | None]) -> None:
        probe = f"{backlog_rel}/storykit-probe.yaml"
        status, _, _ = self.run("check-ignore", "-q", "--no-index", "--", probe, expect=(0, 1))
        if status == 0:
            raise RepoStateError(
                f"{backlog_rel}/ is ignored by git, so backlog files could not be committed",
                hint=f"remove the rule shown by `git check-ignore -v --no-index {probe}`",
            )
        if not _is_true(settings, "core.sparsecheckout"):
            return
        status, out, _ = self.run("ls-files", "-t", "--", f"{backlog_rel}/")
        outside = any(line.startswith("S ") for line in out.splitlines())
        if not outside and _is_true(settings, "core.sparsecheckoutcone"):
            status, out, _ = self.run("sparse-checkout", "list")
            cone = [line.strip().rstrip("/") for line in out.splitlines() if line.strip()]
            outside = status == 0 and not any(
                backlog_rel == d or backlog_rel.startswith(d + "/") for d in cone
            )
        if outside:
            raise RepoStateError(
                f"{backlog_rel}/ is outside the sparse checkout",
                hint=f"add it with `git sparse-checkout add {backlog_rel}`",
            )

    def local_changes(self, paths: Sequence[str]) -> dict[str, str]:
        """{path: what} for the `paths` whose index entry or working file already differs
        from HEAD ("staged", "unstaged", "staged and unstaged", "untracked")."""
        if not paths:
            return {}
        wanted = set(paths)
        status, out, err = self.run(
            "--no-optional-locks", "--literal-pathspecs", "status", "--porcelain=v1", "-z",
            "--no-renames", "--untracked-files=all", "--ignore-submodules", "--",
            *_pathspecs(paths), check=False,
        )  # fmt: skip
        if status != 0:
            raise GitError(f"git status failed: {err.strip()}")
        found: dict[str, str] = {}
        for record in out.split("\0"):
            if len(record) < 4 or record[3:] not in wanted:
                continue
            x, y = record[0], record[1]
            if x == "?":
                found[record[3:]] = "untracked"
            else:
                kinds = [k for k, on in (("staged", x != " "), ("unstaged", y != " ")) if on]
                found[record[3:]] = " and ".join(kinds)
        return found

    def checkout_newline(self, rel: str) -> str:
        """The line ending git gives `rel` in the work tree (`.gitattributes` `eol` and
        `text`, `core.autocrlf`, `core.eol`): a new file is written that way, so that git
        (with `core.safecrlf`) takes it as it is."""
        settings = self._settings()
        autocrlf = (settings.get("core.autocrlf") or "false").lower()
        attrs: dict[str, str] = {}
        if self._attribute_files(rel):
            status, out, _ = self.run("check-attr", "-z", "eol", "text", "--", rel)
            fields = out.split("\0") if status == 0 else []
            attrs = {fields[i + 1]: fields[i + 2] for i in range(0, len(fields) - 2, 3)}
        text, eol = attrs.get("text", "unspecified"), attrs.get("eol", "unspecified")
        if text == "unset":
            return "\n"
        if eol in ("crlf", "lf"):
            return "\r\n" if eol == "crlf" else "\n"
        if autocrlf in ("true", "input"):
            return "\r\n" if autocrlf == "true" else "\n"
        if text in ("set", "auto") and (settings.get("core.eol") or "").lower() == "crlf":
            return "\r\n"
        return "\n"

    def _attribute_files(self, rel: str) -> bool:
        """Whether any attributes file could apply to `rel` (when none exists, asking
        `git check-attr` is a process spent for nothing)."""
        home = Path.home()
        xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        configured = self._settings().get("core.attributesfile")
        candidates = [
            self.common_dir / "info" / "attributes",
            Path(configured).expanduser() if configured else xdg / "git" / "attributes",
        ]
        if not os.environ.get("GIT_ATTR_NOSYSTEM"):
            candidates += [Path("/etc/gitattributes"), Path("/usr/local/etc/gitattributes")]
        folder = self.root
        candidates.append(folder / ".gitattributes")
        for part in Path(rel).parent.parts:
            folder = folder / part
            candidates.append(folder / ".gitattributes")
        return any(path.exists() for path in candidates)

    # --- committing ----------------------------------------------------------------------

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
        head, head_tree = self._head_and_tree()
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
            sign = ["-S"] if _is_true(self._settings(), "commit.gpgsign") else []
            _, commit_out, _ = self.run(
                "commit-tree", tree, *parents, *sign, "-F", str(message_file)
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
        """`git update-index --add --remove` for `paths`, fed through stdin."""
        data = b"".join(path.encode("utf-8") + b"\0" for path in paths)
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
            tree, commit, "--", *_pathspecs(paths), check=False,
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
        hooks_dir = self._settings().get("core.hookspath")
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


def _pathspecs(paths: Sequence[str]) -> list[str]:
    """The paths themselves when few, else their folders (filtered afterwards): an
    argument list of thousands of paths would hit the system's limit (E2BIG)."""
    if len(paths) <= _MAX_PATH_ARGS:
        return list(paths)
    return sorted({path.rpartition("/")[0] or "." for path in paths})


def _lock_marker() -> bytes:
    return f"storykit {os.getpid()}\n".encode()


def _read_small(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read(64)
    except OSError:
        return None


def _is_true(settings: dict[str, str | None], key: str) -> bool:
    if key not in settings:
        return False
    value = settings[key]
    return value is None or value.lower() in ("true", "yes", "on", "1")


def commit_message(prefix: str, verb: str, item_type: str, item_id: str, title: str) -> str:
    """`<prefix><verb> <type> <ID>: <title>` on one safe line, then the trailers."""
    if not item_id:
        subject = one_line(f"{prefix}{verb} {item_type}: {title}")
        return f"{subject}\n\nStorykit-Action: {verb}\n"
    subject = one_line(f"{prefix}{verb} {item_type} {item_id}: {title}")
    return f"{subject}\n\nStorykit-Action: {verb}\nStorykit-Item: {item_id}\n"


def one_line(text: str, limit: int = 200) -> str:
    cleaned = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class RawChange:
    """One file's change in one commit, from `git log --raw` (blob SHAs; None = absent)."""

    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class LogCommit:
    sha: str
    parent: str | None
    author: str
    date: str  # ISO 8601
    subject: str
    changes: list[RawChange]


class History:
    """Reading the repository's past: trees, blobs, logs. Read-only; no identity needed."""

    def __init__(self, root: Path) -> None:
        self.git = GitRepo(root)

    def resolve(self, rev: str) -> str:
        """A revision's commit SHA, or a usage error naming it."""
        if rev.startswith("-"):
            raise UsageError(f"{rev!r} is not a revision")
        status, out, _ = self.git.run(
            "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}", check=False
        )
        if status != 0:
            raise UsageError(
                f"unknown revision {rev!r}", hint="give a branch, tag or commit, e.g. main"
            )
        return out.strip()

    def default_base(self) -> tuple[str, str]:
        """(name, SHA) of the merge-base of HEAD with origin/HEAD, else main, else master."""
        head = self.git.head()
        if head is None:
            raise RepoStateError(
                "the repository has no commits yet, so there is nothing to compare with",
                hint="commit something first",
            )
        for name in ("origin/HEAD", "main", "master"):
            status, out, _ = self.git.run(
                "rev-parse", "--verify", "-q", f"{name}^{{commit}}", check=False
            )
            if status == 0:
                status, base, _ = self.git.run("merge-base", head, out.strip(), check=False)
                if status == 0:
                    return name, base.strip()
        return "HEAD", head

    def tree_files(self, commit: str, folder: str) -> dict[str, str]:
        """{path: blob SHA} of the regular files directly in `folder` at `commit`."""
        _, out, _ = self.git.run("ls-tree", "-z", "--end-of-options", commit, f"{folder}/")
        files: dict[str, str] = {}
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha = meta.split()
            if kind == "blob" and mode in ("100644", "100755"):
                files[path] = sha
        return files

    def read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """Many blobs through one `git cat-file --batch`."""
        if not shas:
            return {}
        result = self.git.execute(["cat-file", "--batch"], stdin=("\n".join(shas) + "\n").encode())
        if result.returncode != 0:
            raise GitError(f"git cat-file failed: {result.stderr.decode('utf-8', 'replace')}")
        data = result.stdout
        blobs: dict[str, bytes] = {}
        pos = 0
        while pos < len(data):
            end = data.index(b"\n", pos)
            header = data[pos:end].decode().split()
            pos = end + 1
            if len(header) < 3 or header[1] == "missing":
                continue
            size = int(header[2])
            blobs[header[0]] = data[pos : pos + size]
            pos += size + 1
        return blobs

    def changed_paths(self, rev: str, folder: str) -> set[str]:
        """Paths in `folder` that differ between `rev` and the working tree (or are new)."""
        commit = self.resolve(rev)
        _, out, _ = self.git.run(
            "diff", "--name-only", "--no-renames", "-z", commit, "--", f"{folder}/"
        )
        paths = {p for p in out.split("\0") if p}
        _, untracked, _ = self.git.run(
            "ls-files", "--others", "--exclude-standard", "-z", "--", f"{folder}/"
        )
        return paths | {p for p in untracked.split("\0") if p}

    def log(self, pathspecs: list[str], newest_first: bool = True) -> list[LogCommit]:
        """Commits touching `pathspecs`, each with its raw changes to them.

        Every field is framed by NUL, the one byte no commit message, name or path can hold
        (a subject may hold any other, \\x01 included), and read by position.
        """
        args = [
            "-c", "log.showSignature=false", "log", "--raw", "--no-abbrev", "--no-renames",
            "--no-color", "-z", "--format=%x00%H%x00%P%x00%an%x00%aI%x00%s%x00",
        ]  # fmt: skip
        if not newest_first:
            args.append("--reverse")
        status, out, err = self.git.run(*args, "--", *pathspecs, check=False)
        if status != 0:
            if "does not have any commits" in err:
                return []
            raise GitError(f"git log failed: {err.strip()}")
        return _parse_log(out.split("\0"))


def _parse_log(fields: list[str]) -> list[LogCommit]:
    """`git log -z --raw` output split at NUL: each commit is blank fields, then SHA,
    parents, author, date and subject, a blank one, then (`:meta`, path) pairs."""
    commits: list[LogCommit] = []
    index = 0
    while index < len(fields):
        if not fields[index]:
            index += 1
            continue
        if index + 5 > len(fields):
            break
        sha, parents, author, date, subject = fields[index : index + 5]
        index += 5
        changes = []
        while index < len(fields) and not fields[index]:  # the blank field after the header
            index += 1
            break
        while index + 1 < len(fields) and fields[index].lstrip("\n").startswith(":"):
            parts = fields[index].lstrip("\n")[1:].split()
            path = fields[index + 1]
            index += 2
            if len(parts) < 4:
                continue
            old_sha, new_sha = parts[2], parts[3]
            changes.append(
                RawChange(
                    path,
                    None if set(old_sha) == {"0"} else old_sha,
                    None if set(new_sha) == {"0"} else new_sha,
                )
            )
        parent = parents.split()[0] if parents.strip() else None
        commits.append(LogCommit(sha, parent, author, date, subject.strip(), changes))
    return commits
