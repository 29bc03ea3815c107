"""A conflicted merge, rebase, cherry-pick or revert, as `storykit resolve` reads and
settles it: which operation stopped, the index stages of each conflicted file, the two
sides' commits, and staging what was resolved. Never commits.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storykit.repository.runner import Git, path_records, pathspecs
from storykit.repository.state import IN_PROGRESS

# The commit whose changes are being brought in, by the operation that stopped: the
# theirs side of its conflicts (a revert brings in the reverted commit's parent).
_THEIRS = {
    "MERGE_HEAD": "MERGE_HEAD",
    "CHERRY_PICK_HEAD": "CHERRY_PICK_HEAD",
    "REVERT_HEAD": "REVERT_HEAD^",
    "rebase-merge": "REBASE_HEAD",
    "rebase-apply": "REBASE_HEAD",
}


@dataclass(frozen=True)
class Operation:
    """The operation that stopped on conflicts: what it is called, the command that goes
    on once they are resolved, and the revision of the side it brings in."""

    what: str
    go_on: str
    theirs: str
    theirs_label: str = "theirs"  # as git labels that side in its markers
    base: str | None = None  # the base of the three-way merge (None: the merge-base)


@dataclass
class Unmerged:
    """One conflicted path: its blob at each index stage (1 base, 2 ours, 3 theirs)."""

    path: str
    stages: dict[int, str] = field(default_factory=dict)


def operation(git: Git) -> Operation | None:
    """The merge, rebase, cherry-pick or revert in progress, if any."""
    for marker, what, go_on, _abort in IN_PROGRESS:
        if marker in _THEIRS and (git.git_dir / marker).exists():
            # `git merge` stops for the commit itself; its --continue is `git commit`.
            step = "git commit" if marker == "MERGE_HEAD" else go_on
            theirs = _THEIRS[marker]
            if marker == "MERGE_HEAD":
                return Operation(what, step, theirs, _merged_name(git), None)
            if marker == "REVERT_HEAD":
                label = f"parent of {_commit_label(git, 'REVERT_HEAD')}"
                return Operation(what, step, theirs, label, "REVERT_HEAD")
            return Operation(what, step, theirs, _commit_label(git, theirs), f"{theirs}^")
    return None


def _merged_name(git: Git) -> str:
    """What `git merge` named the branch it merges (in MERGE_MSG), as its markers do."""
    try:
        first = (git.git_dir / "MERGE_MSG").read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        first = ""
    match = re.match(r"Merge (?:remote-tracking )?(?:branch|tag|commit) '([^']+)'", first)
    return match.group(1) if match else _commit_label(git, "MERGE_HEAD").split()[0]


def _commit_label(git: Git, rev: str) -> str:
    """`1a2b3c4 (subject)`, as git labels a commit it replays."""
    status, out, _ = git.run("log", "-1", "--format=%h%x00%s", rev, "--", check=False)
    short, _, subject = out.rstrip("\n").partition("\0")
    return f"{short} ({subject})" if status == 0 and short else rev


def both_changed(
    git: Git, current: Operation, folder: str
) -> list[tuple[str, tuple[str | None, str | None, str | None]]]:
    """The files in `folder` both sides changed since the base: (path, (base, ours, theirs)
    blob SHAs, None where absent)."""
    from storykit.repository.history import History

    history = History(git.root)
    theirs = history.commit_of(current.theirs)
    if current.base is None:
        base = history.merge_base(history.commit_of("HEAD"), theirs)
    else:
        base = history.commit_of(current.base)
    ours = {p: v for p, v in history.changed_files("HEAD", base).items() if _inside(p, folder)}
    other = history.changed_files(theirs, base)
    return [
        (path, (before, after, other[path][1]))
        for path, (before, after) in sorted(ours.items())
        if path in other
    ]


def _inside(path: str, folder: str) -> bool:
    return path.startswith(f"{folder}/")


def staged_blobs(git: Git, paths: Sequence[str]) -> dict[str, str]:
    """{path: blob SHA} of the paths staged as resolved (stage 0) in the index."""
    if not paths:
        return {}
    wanted = set(paths)
    _, out, _ = git.run(
        "ls-files", "-s", "-z", "--", *pathspecs(sorted(wanted)),
        env={"GIT_LITERAL_PATHSPECS": "1"},
    )  # fmt: skip
    return {
        path: sha
        for (_mode, sha, number), path in path_records(out)
        if number == "0" and path in wanted
    }


def unmerged(git: Git) -> list[Unmerged]:
    """Every conflicted path, in path order."""
    _, out, _ = git.run("ls-files", "-u", "-z")
    found: dict[str, Unmerged] = {}
    for (_mode, sha, stage), path in path_records(out):
        found.setdefault(path, Unmerged(path)).stages[int(stage)] = sha
    return [found[path] for path in sorted(found)]


def stage(git: Git, paths: Sequence[str]) -> None:
    """Mark paths resolved as they are in the work tree (added, or removed when gone)."""
    if paths:
        feed = "".join(f"{path}\0" for path in paths).encode()
        git.run(
            "add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul",
            stdin=feed, env={"GIT_LITERAL_PATHSPECS": "1"},
        )  # fmt: skip


_MARKERS = re.compile(rb"^(<{7,}|\|{7,}|>{7,})(?: ([^\r\n]*))?\r?$", re.MULTILINE)


def marker_labels(text: bytes) -> dict[bytes, bytes]:
    """{b"<" | b"|" | b">": the label} of the first conflict markers of each kind in a file
    (empty: no markers, nothing left of a conflict)."""
    marks: dict[bytes, bytes] = {}
    for marker, label in _MARKERS.findall(text):
        marks.setdefault(marker[:1], label)
    return marks


def as_git_left_it(git: Git, base: bytes, ours: bytes, theirs: bytes, found: bytes) -> bool:
    """Whether `found` is git's own text merge of the three versions, as a conflicted
    operation writes it: same labels, marker size and style (a `|||||||` base section for
    diff3 and zdiff3) as the markers in `found`, line endings aside."""
    marks = marker_labels(found)
    if b"<" not in marks or b">" not in marks:
        return False
    size = len(_MARKERS.search(found).group(1))  # type: ignore[union-attr]
    styles = [["--zdiff3"], ["--diff3"]] if b"|" in marks else [[]]
    labels = [marks[b"<"], marks.get(b"|", b"base"), marks[b">"]]
    wanted = found.replace(b"\r\n", b"\n")
    with tempfile.TemporaryDirectory(prefix="storykit-") as folder:
        names = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            (Path(folder) / name).write_bytes(content)
            names.append(str(Path(folder) / name))
        for style in styles:
            args = ["merge-file", "-p", *style, f"--marker-size={size}"]
            for label in labels:
                args += ["-L", label.decode("utf-8", "surrogateescape")]
            result = git.execute([*args, "--", *names])
            if 0 <= result.returncode < 128 and result.stdout.replace(b"\r\n", b"\n") == wanted:
                return True
    return False
