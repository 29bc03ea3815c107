"""Reading the repository's past: trees, blobs and logs. Read-only; no identity needed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from storykit import clock
from storykit.errors import GitError, RepoStateError, UsageError
from storykit.model.timebox import DATE_RANGE_MESSAGE, date_in_range, timebox_delta
from storykit.repository.runner import Git, path_records


@dataclass(frozen=True)
class RawChange:
    """One file's change in one commit, from `git log --raw` (blob SHAs; None = absent).
    In a merge commit, `old` is the first parent's and `others` the other parents'; a
    merge lists only files that differ from every parent (git's combined diff)."""

    path: str
    old: str | None
    new: str | None
    others: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class LogCommit:
    sha: str
    parent: str | None
    author: str
    date: str  # ISO 8601
    subject: str
    changes: list[RawChange]
    undoes: str = ""  # the commit a `storykit undo` commit reverts (its Storykit-Undoes)


class History:
    """Reading the repository's past: trees, blobs, logs. Read-only; no identity needed."""

    def __init__(self, root: Path) -> None:
        self.git = Git(root)

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self.git.is_ancestor(commit, of)

    def commit_and_time(self, rev: str) -> tuple[str, dt.datetime] | None:
        """A revision's commit SHA and the moment it was committed, in one git call (None:
        no such commit)."""
        if rev.startswith("-"):
            return None
        status, out, _ = self.git.run(
            "show", "-s", "--format=%H %cI", "--end-of-options", f"{rev}^{{commit}}", "--",
            check=False,
        )  # fmt: skip
        if status != 0 or len(out.split()) != 2:
            return None
        sha, when = out.split()
        return sha, dt.datetime.fromisoformat(when)

    def commit_of(self, rev: str) -> str:
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

    def merge_base(self, one: str, other: str) -> str:
        status, out, _ = self.git.run("merge-base", one, other, check=False)
        if status != 0:
            raise UsageError(
                f"{one[:8]} and {other[:8]} have no common history",
                hint="compare them with A..B instead of A...B",
            )
        return out.strip()

    def default_base(self, against: str | None = None) -> tuple[str, str]:
        """(name, SHA) of the merge-base of HEAD with `against`, by default with
        origin/HEAD, else main, else master."""
        head = self.git.head()
        if head is None:
            raise RepoStateError(
                "the repository has no commits yet, so there is nothing to compare with",
                hint="commit something first",
            )
        if against is not None:
            return against, self.merge_base(self.commit_of(against), head)
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
        for (mode, kind, sha), path in path_records(out):
            if kind == "blob" and mode in ("100644", "100755"):
                files[path] = sha
        return files

    def trees_files(self, commits: list[str], folder: str) -> dict[str, dict[str, str]]:
        """`tree_files` at many commits through one `git cat-file --batch` of their
        `COMMIT:FOLDER` trees (a commit without the folder has no files). The IDs in a raw
        tree are as long as full SHAs: any other name of a commit is asked of `ls-tree`."""
        full = [commit for commit in commits if _is_sha(commit)]
        raw = self.git.read_objects([f"{commit}:{folder}" for commit in full], "tree")
        found = {
            commit: self.tree_files(commit, folder) for commit in commits if commit not in full
        }
        for commit in full:
            tree, files, pos = raw.get(f"{commit}:{folder}", b""), {}, 0
            width = len(commit) // 2  # bytes of an object ID: 20 (SHA-1) or 32 (SHA-256)
            while pos < len(tree):  # entries: `MODE NAME\0ID`, the ID in binary
                space = tree.index(b" ", pos)
                end = tree.index(b"\0", space)
                mode, name = tree[pos:space], tree[space + 1 : end]
                sha = tree[end + 1 : end + 1 + width].hex()
                pos = end + 1 + width
                if mode in (b"100644", b"100755"):
                    files[f"{folder}/{name.decode('utf-8', 'replace')}"] = sha
            found[commit] = files
        return found

    def read_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """Many blobs through one `git cat-file --batch`."""
        return self.git.read_blobs(shas)

    def since(self, text: str) -> str | None:
        """The commit `--since` compares with: a revision; or, for a date (2026-11-21, a
        date and time) or a span back from now (3d, 2w), the last commit on HEAD's first
        parents made before it (None: the history starts after it)."""
        moment = _moment(text)
        if moment is None:
            return self.commit_of(text)
        # Compared here, not with git's --before: git's date parser refuses years from 2100
        # on, and every date storykit takes (1900 to 2999) must behave as a date.
        status, out, _ = self.git.run(
            "-c", "log.showSignature=false", "log", "--first-parent", "--format=%H %ct",
            "HEAD", check=False,
        )  # fmt: skip
        if status != 0:
            return None
        limit = moment.timestamp()
        words = out.split()
        if len(words) % 2 or not all(_is_sha(w) for w in words[0::2]):
            raise GitError("git log printed records storykit cannot read")
        for sha, when in zip(words[0::2], words[1::2], strict=True):
            if int(when) <= limit:
                return sha
        return None

    def changed_paths(self, rev: str, folder: str) -> set[str]:
        """Paths in `folder` that differ between `rev` and the working tree (or are new)."""
        commit = self.commit_of(rev)
        _, out, _ = self.git.run(
            "diff", "--name-only", "--no-renames", "-z", commit, "--", f"{folder}/"
        )
        paths = {p for p in out.split("\0") if p}
        _, untracked, _ = self.git.run(
            "ls-files", "--others", "--exclude-standard", "-z", "--", f"{folder}/"
        )
        return paths | {p for p in untracked.split("\0") if p}

    def first_parent_log(self, folder: str, limit: int = 500) -> list[Marked]:
        """The newest commits of HEAD's first-parent line that touch `folder`. Every field
        is framed by NUL and read by position: a subject may hold any other byte."""
        fields = self._log_fields(
            5, "--first-parent", f"--max-count={limit}", "--format=%H%x00%P%x00%s%x00"
            "%(trailers:key=Storykit-Action,valueonly,separator=%x20)%x00"
            "%(trailers:key=Storykit-Undoes,valueonly,separator=%x20)",
            "--", f"{folder}/",
        )  # fmt: skip
        found = []
        for at in range(0, len(fields), 5):
            sha, parents, subject, action, undoes = fields[at : at + 5]
            found.append(Marked(sha, parents.split(), subject, action.strip(), undoes.strip()))
        return found

    def _log_fields(self, width: int, *args: str) -> list[str]:
        """The fields of `git log -z ARGS`, whose format has `width` fields, the first a
        commit SHA: framed by NUL (`--format` ends each record with it, the last one
        included) and checked by position, so that no record is dropped or misread."""
        status, out, err = self.git.run(
            "-c", "log.showSignature=false", "log", "-z", *args, check=False
        )
        if status != 0:
            if "does not have any commits" in err:
                return []
            raise GitError(f"git log failed: {err.strip()}")
        fields = out.removesuffix("\0").split("\0") if out else []
        if len(fields) % width or not all(_is_sha(sha) for sha in fields[0::width]):
            raise GitError("git log printed records storykit cannot read; nothing was changed")
        return fields

    def messages(self, revs: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
        """(SHA, author, ISO date, whole message) of every commit in `revs`, newest first;
        framed by NUL and read by position (a message may hold any other byte)."""
        fields = self._log_fields(
            4, "--format=%H%x00%an%x00%aI%x00%B", "--end-of-options", *revs, "--"
        )
        return [
            (fields[at], fields[at + 1], fields[at + 2], fields[at + 3])
            for at in range(0, len(fields), 4)
        ]

    def commits(self, revs: tuple[str, ...], outside: str | None = None) -> set[str]:
        """The commits in `revs`; with `outside`, those that changed a file outside that
        folder (on every side of every merge)."""
        paths = [":(top)", f":(top,exclude){outside}/"] if outside is not None else []
        fields = self._log_fields(
            1, "--format=%H", "--full-history", "--end-of-options", *revs, "--", *paths
        )
        return set(fields)

    def branches(self) -> list[str]:
        """The local and remote-tracking branches, by short name (`main`, `origin/x`)."""
        _, out, _ = self.git.run(
            "for-each-ref", "--format=%(refname)", "refs/heads/", "refs/remotes/"
        )
        names = []
        for ref in out.splitlines():
            name = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
            if name and not ref.endswith("/HEAD"):
                names.append(name)
        return names

    def changed_files(self, commit: str, parent: str) -> dict[str, tuple[str | None, str | None]]:
        """{path: (blob before, blob after)} of the files a commit changed (None: absent)."""
        _, out, _ = self.git.run("diff-tree", "-r", "-z", "--no-renames", parent, commit)
        fields = out.split("\0")
        changed: dict[str, tuple[str | None, str | None]] = {}
        if fields and fields[-1] == "":
            fields.pop()
        if len(fields) % 2:
            raise GitError("git diff-tree printed records storykit cannot read")
        for meta, path in zip(fields[0::2], fields[1::2], strict=True):
            parts = meta.lstrip(":").split()
            if len(parts) < 4 or not meta.startswith(":"):
                raise GitError(f"git diff-tree printed a record storykit cannot read: {meta!r}")
            old, new = parts[2], parts[3]
            changed[path] = (
                None if set(old) == {"0"} else old,
                None if set(new) == {"0"} else new,
            )
        return changed

    def checkout_bytes(self, commit: str, path: str) -> bytes:
        """`path` at `commit` as a checkout writes it (line endings and filters applied)."""
        result = self.git.execute(["cat-file", "--filters", f"{commit}:{path}"])
        if result.returncode != 0:
            raise GitError(f"git cat-file failed: {result.stderr.strip()}")
        return result.stdout

    def blob_of(self, commit: str, path: str) -> str | None:
        """The blob SHA of `path` at `commit` (None: absent)."""
        status, out, _ = self.git.run(
            "rev-parse", "-q", "--verify", f"{commit}:{path}", check=False
        )
        return out.strip() if status == 0 else None

    def remote_branches_with(self, commit: str) -> list[str]:
        """The remote-tracking branches that hold `commit` (it was pushed)."""
        _, out, _ = self.git.run(
            "for-each-ref", "--contains", commit, "--format=%(refname:short)", "refs/remotes/"
        )
        return [line for line in out.splitlines() if line and not line.endswith("/HEAD")]

    def last_change_to(self, path: str, since: str) -> str:
        """`SHA subject` of the newest commit after `since` that touched `path`."""
        _, out, _ = self.git.run("log", "-1", "--format=%h %s", f"{since}..HEAD", "--", path)
        return out.strip()

    def log(
        self,
        pathspecs: list[str],
        newest_first: bool = True,
        revs: tuple[str, ...] = (),
        full_history: bool = False,
    ) -> list[LogCommit]:
        """Commits touching `pathspecs`, each with its raw changes to them; a merge commit
        with the files it changed unlike every parent (the changes of its branches come
        with their own commits, once).

        Every field is framed by NUL, the one byte no commit message, name or path can hold
        (a subject may hold any other, \\x01 included), and read by position.
        """
        args = [
            "-c", "log.showSignature=false", "log", "--raw", "--no-abbrev", "--no-renames",
            "--diff-merges=combined", "--no-color", "-z",
            "--format=%x00%H%x00%P%x00%an%x00%aI%x00%s%x00"
            "%(trailers:key=Storykit-Undoes,valueonly,separator=%x20)%x00",
        ]  # fmt: skip
        if not newest_first:
            args.append("--reverse")
        if full_history:  # every commit that changed them, on every side of every merge
            args += ["--full-history", "--topo-order"]
        args += ["--end-of-options", *revs] if revs else []
        status, out, err = self.git.run(*args, "--", *pathspecs, check=False)
        if status != 0:
            if "does not have any commits" in err:
                return []
            raise GitError(f"git log failed: {err.strip()}")
        return _parse_log(out.split("\0"))


@dataclass(frozen=True)
class Marked:
    """A commit on the first-parent line, with the trailers storykit writes."""

    sha: str
    parents: list[str]
    subject: str
    action: str  # Storykit-Action ("" when storykit did not make it)
    undoes: str  # Storykit-Undoes


def _moment(text: str) -> dt.datetime | None:
    """A date, a date and time, or a span back from now (`3d`); None for anything else."""
    if re.fullmatch(r"[1-9][0-9]{0,3}[hdw]", text):
        return clock.now() - timebox_delta(text)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a date like 2026-11-21 or 2026-11-21 14:30") from None
    if not date_in_range(value):
        raise UsageError(f"{text!r}: {DATE_RANGE_MESSAGE}")
    return value if value.tzinfo else value.astimezone()


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(char in "0123456789abcdef" for char in text)


def _raw_change(meta: str, path: str) -> RawChange | None:
    """`:MODE MODE SHA SHA STATUS`, or for a merge of N parents `::…` with N+1 modes and
    N+1 SHAs (the parents', then the result's)."""
    parents = len(meta) - len(meta.lstrip(":"))
    parts = meta.lstrip(":").split()
    if len(parts) < 2 * parents + 2:
        return None
    shas = [None if set(sha) == {"0"} else sha for sha in parts[parents + 1 : 2 * parents + 2]]
    return RawChange(path, shas[0], shas[-1], tuple(shas[1:-1]))


def _parse_log(fields: list[str]) -> list[LogCommit]:
    """`git log -z --raw` output split at NUL: each commit is blank fields, then SHA,
    parents, author, date, subject and the Storykit-Undoes trailer, a blank one, then
    (`:meta`, path) pairs."""
    commits: list[LogCommit] = []
    index = 0
    while index < len(fields):
        if not fields[index]:
            index += 1
            continue
        if index + 6 > len(fields) or not _is_sha(fields[index]):
            raise GitError("git log printed a record storykit cannot read")
        sha, parents, author, date, subject, undoes = fields[index : index + 6]
        index += 6
        changes = []
        while index < len(fields) and not fields[index]:  # blank fields after the header
            index += 1
        while index + 1 < len(fields) and fields[index].lstrip("\n").startswith(":"):
            change = _raw_change(fields[index].lstrip("\n"), fields[index + 1])
            if change is None:
                raise GitError(f"git log printed a change storykit cannot read: {fields[index]!r}")
            index += 2
            changes.append(change)
        parent = parents.split()[0] if parents.strip() else None
        undone = undoes.strip() if _is_sha(undoes.strip()) else ""
        commits.append(LogCommit(sha, parent, author, date, subject.strip(), changes, undone))
    return commits
