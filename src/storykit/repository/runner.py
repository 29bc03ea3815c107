"""Running git: the one module that starts git, and so the one way git is started. Finds
the repository around a folder, runs git commands in it (paths through standard input when
there are many) and reads the settings a change depends on.

git runs as a plain subprocess with English messages (some are recognised): every command is
plumbing whose output storykit frames itself, so a wrapper library would only add its import
time (about 0.1 s, a third of a quick capture; docs/architecture.md, "Layers").
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from storykit.errors import GitError, RepoStateError

# Read in one `git config` call: identity, signing, sparse checkout, hooks, line endings,
# and the merge driver of item files.
SETTINGS = (
    r"^(user\.(name|email)|commit\.gpgsign|merge\.storykit\.driver"
    r"|core\.(sparsecheckout|sparsecheckoutcone|hookspath|autocrlf|eol|attributesfile))$"
)
_MAX_PATH_ARGS = 100


@dataclass(frozen=True)
class Completed:
    """A finished git command."""

    returncode: int
    stdout: bytes
    stderr: str


@dataclass(frozen=True)
class Location:
    """Where a repository lives: its work tree, its git dir and the dir its worktrees share."""

    root: Path
    git_dir: Path
    common_dir: Path


def find_toplevel(start: Path) -> Path:
    """The work tree root of the repository containing `start`, or a RepoStateError."""
    return locate(start).root


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


def locate(start: Path) -> Location:
    """The repository around `start`, as git finds it (one `git rev-parse`): its answers
    come one per line, in the order asked, so a path holding a line break is refused."""
    _forget_inherited_repository()
    asked = ("--is-bare-repository", "--absolute-git-dir", "--git-common-dir", "--show-toplevel")
    result = run_git(["rev-parse", "--path-format=absolute", *asked], cwd=start)
    lines = result.stdout.decode("utf-8", "surrogateescape").split("\n")
    if lines[:1] == ["true"]:
        raise RepoStateError(
            "this is a bare repository: it has no working tree for backlog files",
            hint="clone it and run storykit in the clone",
        )
    if result.returncode != 0:
        if "detected dubious ownership" in result.stderr:
            raise _dubious(start)
        raise RepoStateError(
            f"{start} is not inside a git repository",
            hint="run `git init` first (storykit keeps the backlog in git)",
        )
    if len(lines) != len(asked) + 1 or lines[-1] != "":
        raise RepoStateError(
            f"the repository around {start} has a line break in its path",
            hint="move it to a folder whose path has no line break",
        )
    git_dir, common_dir, root = (Path(line) for line in lines[1:4])
    return Location(root=root, git_dir=git_dir, common_dir=common_dir)


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> Completed:
    """`git ARGS` in `cwd` (an argument list, never a shell), with English messages."""
    full_env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=full_env,
            input=stdin or b"",
            capture_output=True,
            check=False,
        )
    except OSError as exc:  # git missing, or the folder to run it in gone or closed
        if isinstance(exc, FileNotFoundError) and exc.filename == "git":
            raise GitError(
                "git is not installed (or not on PATH)", hint="install git, then run this again"
            ) from None
        raise GitError(
            f"cannot run git in {cwd}: {exc.strerror}",
            hint="check that the folder exists and that you may enter it",
        ) from None
    err = done.stderr.decode("utf-8", "replace").removesuffix("\n")
    return Completed(done.returncode, done.stdout, err)


def config_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The environment that gives one git command these settings as well as those the
    user's environment gives (`GIT_CONFIG_COUNT`)."""
    given = os.environ.get("GIT_CONFIG_COUNT", "")
    first = int(given) if given.isdigit() else 0
    env = {"GIT_CONFIG_COUNT": str(first + len(settings))}
    for at, (key, value) in enumerate(settings.items(), start=first):
        env[f"GIT_CONFIG_KEY_{at}"] = key
        env[f"GIT_CONFIG_VALUE_{at}"] = value
    return env


def _dubious(root: Path) -> RepoStateError:
    return RepoStateError(
        f"git refuses to work in {root}: it is owned by another user",
        hint=f"if you trust it: `git config --global --add safe.directory {root}`",
    )


class Git:
    """The repository holding the backlog, and git run in its work tree."""

    def __init__(self, root: Path) -> None:
        where = locate(root)
        self.root = where.root
        self.git_dir = where.git_dir
        self.common_dir = where.common_dir
        self._read_settings: dict[str, str | None] | None = None
        self._version: tuple[int, ...] | None = None

    # --- running git -------------------------------------------------------------------

    def version(self) -> tuple[int, ...]:
        """git's version (`(2, 39, 5)`); `(0,)` when it does not say one."""
        if self._version is None:
            _, out, _ = self.run("version", check=False)
            match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
            self._version = tuple(int(n) for n in match.groups("0")) if match else (0,)
        return self._version

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
        err = result.stderr
        if result.returncode != 0 and "detected dubious ownership" in err:
            raise _dubious(self.root)
        if check and result.returncode not in expect:
            raise GitError(f"git {args[0]} failed: {err.strip() or out.strip()}")
        return result.returncode, out, err

    def execute(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> Completed:
        """`git ARGS` in the work tree, on the user's index unless `env` names another."""
        full_env = {"GIT_INDEX_FILE": str(self.git_dir / "index"), "GIT_TERMINAL_PROMPT": "0"}
        full_env.update(env or {})
        return run_git(args, cwd=self.root, env=full_env, stdin=stdin)

    def read_blobs(self, names: Sequence[str]) -> dict[str, bytes]:
        """Blobs by name (a SHA, `REV:PATH`, `:STAGE:PATH`) through one `git cat-file
        --batch`; a name that names no blob is left out, and so is one holding a line
        break (the batch is framed by lines: it is never asked)."""
        return self.read_objects(names, "blob")

    def read_objects(self, names: Sequence[str], kind: str) -> dict[str, bytes]:
        """Objects of one kind (`blob`, `tree`) by name, as `read_blobs` reads blobs: their
        raw content, framed by the size each header gives."""
        names = [name for name in names if "\n" not in name]
        if not names:
            return {}
        result = self.execute(["cat-file", "--batch"], stdin=("\n".join(names) + "\n").encode())
        if result.returncode != 0:
            raise GitError(f"git cat-file failed: {result.stderr.strip()}")
        data, pos, found = result.stdout, 0, {}
        for name in names:
            end = data.index(b"\n", pos)
            header = data[pos:end].decode("utf-8", "replace").split()
            pos = end + 1
            if len(header) == 3 and header[2].isdigit():  # "<sha> <type> <size>"
                size = int(header[2])
                if header[1] == kind:
                    found[name] = data[pos : pos + size]
                pos += size + 1
        return found

    def settings(self) -> dict[str, str | None]:
        """The settings a commit depends on, read once per command."""
        if self._read_settings is None:
            self._read_settings = self._config_values(SETTINGS)
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

    def local_setting(self, key: str) -> str | None:
        """One setting of this clone's own `.git/config` (None when it has none)."""
        return self.setting(key, local=True)

    def setting(self, key: str, *, local: bool = False) -> str | None:
        """One setting as git reads it (every file, or with `local` only `.git/config`;
        None when none has it)."""
        scope = ["--local"] if local else []
        status, out, _ = self.run("config", *scope, "--get", key, expect=(0, 1))
        return out.strip() if status == 0 else None

    def is_ancestor(self, commit: str, of: str) -> bool:
        """Whether `commit` is `of` or comes before it (False too when git cannot say: a
        commit it does not have)."""
        status, _, _ = self.run("merge-base", "--is-ancestor", commit, of, check=False)
        return status == 0

    def set_setting(self, key: str, value: str) -> None:
        """Write one setting to this clone's `.git/config`."""
        self.run("config", "--local", key, value)
        if self._read_settings is not None:
            self._read_settings[key] = value

    def user_name(self) -> str | None:
        """Who commits, as git names them: GIT_AUTHOR_NAME, else `user.name`."""
        return os.environ.get("GIT_AUTHOR_NAME") or self.settings().get("user.name")

    def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commits yet."""
        return self.head_and_tree()[0]

    def head_and_tree(self) -> tuple[str | None, str | None]:
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
        return out.strip()


def user_setting(key: str, value: str | None = None) -> str | None:
    """Read (or, given `value`, write) one setting of the user's own git configuration
    (`git config --global`), which every repository on this machine reads; git runs in a
    neutral folder, outside any repository."""
    from storykit.processes import neutral_folder

    args = ["config", "--global", key] + ([value] if value is not None else [])
    done = run_git(args, cwd=neutral_folder(), env={"GIT_TERMINAL_PROMPT": "0"})
    if value is not None and done.returncode != 0:
        raise GitError(f"git config --global failed: {done.stderr.strip()}")
    if value is None and done.returncode == 0:
        return done.stdout.decode("utf-8", "replace").strip()
    return None


def path_records(out: str) -> list[tuple[list[str], str]]:
    """The records of `ls-tree -z` / `ls-files -z -s|-u` output: (meta fields, path)."""
    records = []
    for record in out.split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            records.append((meta.split(), path))
    return records


def is_true(settings: dict[str, str | None], key: str) -> bool:
    """A boolean setting as git reads it (a bare key is true)."""
    if key not in settings:
        return False
    value = settings[key]
    return value is None or value.lower() in ("true", "yes", "on", "1")


def pathspecs(paths: Sequence[str]) -> list[str]:
    """The paths themselves when few, else their folders (filtered afterwards): an
    argument list of thousands of paths would hit the system's limit (E2BIG)."""
    if len(paths) <= _MAX_PATH_ARGS:
        return list(paths)
    return sorted({path.rpartition("/")[0] or "." for path in paths})
