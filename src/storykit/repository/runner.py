"""Running git: the one module that imports GitPython (lazily), and so the one way git is
started. Finds the repository around a folder, runs git commands in it (paths through
standard input when there are many) and reads the settings a change depends on.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storykit.errors import GitError, RepoStateError

if TYPE_CHECKING:
    import git

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


class Git:
    """The repository holding the backlog, and git run in its work tree."""

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
    ) -> Completed:
        """`git ARGS` through GitPython, with its output as bytes. GitPython runs git with
        English messages (some are recognised); `stdin` is fed from a temporary file."""
        full_env = {"GIT_INDEX_FILE": str(self.git_dir / "index"), "GIT_TERMINAL_PROMPT": "0"}
        full_env.update(env or {})
        with tempfile.TemporaryFile() as feed:
            feed.write(stdin or b"")
            feed.seek(0)
            status, out, err = self.repo.git.execute(
                ["git", *args],
                istream=feed,
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
                env=full_env,
            )
        stdout = out if isinstance(out, bytes) else (out or "").encode()
        return Completed(int(status or 0), stdout, str(err or ""))

    def read_blobs(self, names: Sequence[str]) -> dict[str, bytes]:
        """Blobs by name (a SHA, `REV:PATH`, `:STAGE:PATH`) through one `git cat-file
        --batch`; a name that names no blob is left out, and so is one holding a line
        break (the batch is framed by lines: it is never asked)."""
        names = [name for name in names if "\n" not in name]
        if not names:
            return {}
        result = self.execute(["cat-file", "--batch"], stdin=("\n".join(names) + "\n").encode())
        if result.returncode != 0:
            raise GitError(f"git cat-file failed: {result.stderr.strip()}")
        data, pos, blobs = result.stdout, 0, {}
        for name in names:
            end = data.index(b"\n", pos)
            header = data[pos:end].decode("utf-8", "replace").split()
            pos = end + 1
            if len(header) == 3 and header[2].isdigit():  # "<sha> <type> <size>"
                size = int(header[2])
                if header[1] == "blob":
                    blobs[name] = data[pos : pos + size]
                pos += size + 1
        return blobs

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
        status, out, _ = self.run("config", "--local", "--get", key, expect=(0, 1))
        return out.strip() if status == 0 else None

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
    import git as gitpython

    from storykit.processes import neutral_folder

    runner = gitpython.Git(neutral_folder())
    args = ["git", "config", "--global", key] + ([value] if value is not None else [])
    status, out, err = runner.execute(
        args, with_extended_output=True, with_exceptions=False, env={"GIT_TERMINAL_PROMPT": "0"}
    )
    if value is not None and status != 0:
        raise GitError(f"git config --global failed: {str(err).strip()}")
    return str(out).strip() if value is None and status == 0 else None


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
