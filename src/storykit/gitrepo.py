"""Git, driven through plumbing. The only module that imports GitPython (lazily).

One change, one commit (DESIGN §5): the commit is built on a temporary index holding HEAD
plus exactly the changed files, the branch moves by compare-and-swap, and only those paths
are refreshed in the user's real index, so their staged and unstaged work stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storykit.errors import BusyError, GitError, HookRejectedError, RepoStateError, UsageError

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
_SETTINGS = r"^(user\.(name|email)|core\.(sparsecheckout|sparsecheckoutcone|hookspath))$"


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

    # --- running git -------------------------------------------------------------------

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> tuple[int, str, str]:
        """Run `git ARGS` in the work tree (an argument list, never a shell)."""
        full_env = {"GIT_INDEX_FILE": str(self.git_dir / "index")}
        full_env.update(env or {})
        status, out, err = self.repo.git.execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            env=full_env,
            strip_newline_in_stdout=False,
        )
        out_text = out if isinstance(out, str) else (out or b"").decode("utf-8", "replace")
        if check and status != 0:
            raise GitError(f"git {args[0]} failed: {str(err).strip() or out_text.strip()}")
        return int(status or 0), out_text, str(err)

    # --- refusals ------------------------------------------------------------------------

    def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commits yet."""
        status, out, _ = self.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        return out.strip() if status == 0 else None

    def branch_ref(self) -> str:
        status, out, _ = self.run("symbolic-ref", "-q", "HEAD", check=False)
        if status != 0:
            raise RepoStateError(
                "HEAD is detached: storykit commits to a branch",
                hint="switch to a branch first: `git switch <branch>` (or `git switch -c <new>`)",
            )
        return out.strip()

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
        status, out, _ = self.run("config", "-z", "--get-regexp", pattern, check=False)
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
        status, _, _ = self.run("check-ignore", "-q", "--no-index", "--", probe, check=False)
        if status == 0:
            raise RepoStateError(
                f"{backlog_rel}/ is ignored by git, so backlog files could not be committed",
                hint=f"remove the rule shown by `git check-ignore -v --no-index {probe}`",
            )
        if not _is_true(settings, "core.sparsecheckout"):
            return
        status, out, _ = self.run("ls-files", "-t", "--", f"{backlog_rel}/", check=False)
        outside = any(line.startswith("S ") for line in out.splitlines())
        if not outside and _is_true(settings, "core.sparsecheckoutcone"):
            status, out, _ = self.run("sparse-checkout", "list", check=False)
            cone = [line.strip().rstrip("/") for line in out.splitlines() if line.strip()]
            outside = status == 0 and not any(
                backlog_rel == d or backlog_rel.startswith(d + "/") for d in cone
            )
        if outside:
            raise RepoStateError(
                f"{backlog_rel}/ is outside the sparse checkout",
                hint=f"add it with `git sparse-checkout add {backlog_rel}`",
            )

    # --- committing ----------------------------------------------------------------------

    def commit_paths(
        self,
        paths: Sequence[str],
        message: str,
        *,
        run_hooks: bool = True,
    ) -> CommitResult:
        """Commit exactly `paths` (repository-relative; deleted ones are removed) on HEAD.

        The user's index is not touched: call `refresh_index` once the commit is made.
        """
        ref = self.branch_ref()
        head = self.head()
        work = self.common_dir / "storykit"
        work.mkdir(parents=True, exist_ok=True)
        tag = f"{os.getpid()}-{time.monotonic_ns()}"
        temp_index = work / f"index-{tag}.tmp"
        message_file = work / f"message-{tag}.tmp"
        env = {"GIT_INDEX_FILE": str(temp_index)}
        try:
            if head:
                self.run("read-tree", head, env=env)
            else:
                self.run("read-tree", "--empty", env=env)
            self._stage(paths, env)
            message_file.write_text(message, encoding="utf-8")
            if run_hooks:
                self._run_hook("pre-commit", [], env)
                self._run_hook("commit-msg", [str(message_file)], env)
                message = message_file.read_text(encoding="utf-8")
                message_file.write_text(message.rstrip() + "\n", encoding="utf-8")
            _, tree_out, _ = self.run("write-tree", env=env)
            tree = tree_out.strip()
            parents = ["-p", head] if head else []
            _, commit_out, _ = self.run("commit-tree", tree, *parents, "-F", str(message_file))
            commit = commit_out.strip()
            subject = message.splitlines()[0] if message else ""
            status, _, _ = self.run(
                "update-ref",
                "-m",
                f"storykit: {subject}",
                ref,
                commit,
                head or ZERO_OID,
                check=False,
            )
            if status != 0:
                raise BusyError(
                    "the branch moved while storykit was committing; nothing was committed",
                    hint="run the command again",
                )
        finally:
            for leftover in (temp_index, message_file, Path(str(temp_index) + ".lock")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return CommitResult(sha=commit, subject=subject, paths=list(paths))

    def _stage(self, paths: Sequence[str], env: Mapping[str, str]) -> None:
        present = [p for p in paths if (self.root / p).exists()]
        gone = [p for p in paths if p not in present]
        if present:
            _, out, _ = self.run("hash-object", "-w", "--", *present)
            shas = out.split()
            args: list[str] = ["update-index", "--add"]
            for path, sha in zip(present, shas, strict=True):
                mode = "100755" if os.access(self.root / path, os.X_OK) else "100644"
                args += ["--cacheinfo", f"{mode},{sha},{path}"]
            self.run(*args, env=env)
        if gone:
            self.run("update-index", "--force-remove", "--", *gone, env=env)

    def refresh_index(self, paths: Sequence[str]) -> None:
        """Make the user's index agree with the new commit for our paths, and only those."""
        deadline = time.monotonic() + _INDEX_LOCK_WAIT
        while True:
            status, _, err = self.run(
                "update-index", "--add", "--remove", "--", *paths, check=False
            )
            if status == 0:
                return
            if "index.lock" not in err or time.monotonic() > deadline:
                raise BusyError(
                    "the commit was made, but git's index is locked by another process, so "
                    "`git status` may show the backlog change as staged in reverse",
                    hint="when the other git command ends, run "
                    f"`git reset -q -- {' '.join(paths)}`",
                )
            time.sleep(0.05)

    def index_locked(self) -> bool:
        return (self.git_dir / "index.lock").exists()

    def wait_for_index(self) -> None:
        """Another git command holds the index (`index.lock`): wait briefly for it to
        finish, then give up with nothing done. Its lock is never removed."""
        deadline = time.monotonic() + _INDEX_LOCK_WAIT
        while self.index_locked():
            if time.monotonic() >= deadline:
                lock = self.git_dir / "index.lock"
                raise BusyError(
                    f"another git command is using the index ({lock} exists); nothing was changed",
                    hint="try again when it has finished; if no git command is running, one "
                    "that crashed left the file behind: check, then remove it yourself",
                )
            time.sleep(0.05)

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
        result = subprocess.run(
            [str(hook), *args],
            cwd=self.root,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise HookRejectedError(
                f"the {name} hook rejected the commit; nothing was changed"
                + (f"\n{output}" if output else ""),
                hint="fix what the hook reports, or skip hooks with --no-verify",
            )


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
        result = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.git.root,
            input=("\n".join(shas) + "\n").encode(),
            capture_output=True,
            check=True,
        )
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
        """Commits touching `pathspecs`, each with its raw changes to them."""
        args = [
            "log", "--raw", "--no-abbrev", "--no-renames", "-z",
            "--format=%x01%H%x00%P%x00%an%x00%aI%x00%s",
        ]  # fmt: skip
        if not newest_first:
            args.append("--reverse")
        status, out, err = self.git.run(*args, "--", *pathspecs, check=False)
        if status != 0:
            if "does not have any commits" in err:
                return []
            raise GitError(f"git log failed: {err.strip()}")
        commits = []
        for chunk in out.split("\x01")[1:]:
            fields = chunk.split("\0")
            sha, parents, author, date, subject = fields[:5]
            changes = []
            rest = fields[5:]
            index = 0
            while index < len(rest):
                meta = rest[index].strip()
                if not meta.startswith(":"):
                    index += 1
                    continue
                parts = meta[1:].split()
                old_sha, new_sha = parts[2], parts[3]
                path = rest[index + 1]
                changes.append(
                    RawChange(
                        path,
                        None if set(old_sha) == {"0"} else old_sha,
                        None if set(new_sha) == {"0"} else new_sha,
                    )
                )
                index += 2
            parent = parents.split()[0] if parents.strip() else None
            commits.append(LogCommit(sha, parent, author, date, subject.strip(), changes))
        return commits
