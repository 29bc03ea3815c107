"""The answers of `list` and `refine` kept as printed, so that asking again with nothing
changed is one stat of each item file and one file read: no index to load, nothing to sort
or format.

An answer is a function of every item file (name, size, mtime, inode: the read cache's
signature), the settings, storykit itself, the options, how it is printed (a terminal or
not, its width, NO_COLOR, TERM), the time zone and "now" — `list` reads "now" only through
the overdue mark, so it holds between the moments an in-progress spike's timebox runs out;
`refine` also through days since a commit touched an item (its key holds HEAD and the
history's shape too), so between those moments and the turns of those days. A backlog
folder the full command would refuse is never answered from here. Answers are kept one per
file in `.git/storykit/kept/` (the newest few), and only when no item file was modified in
the last seconds (the read cache's rule: a file changed again within its mtime's
granularity would keep its signature). A speed-up only: deleting the folder changes
nothing but the time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from storykit.history.reportcache import printing
from storykit.locations import (
    CONFIG_FILE,
    backlog_folder_problem,
    find_git_dir,
    find_project_root,
    is_item_file,
    package_fingerprint,
)
from storykit.storage.atomic import save_json, write_atomic
from storykit.storage.cache import settled, signature_of

KEPT = 8
_FOLDERS = "folders.json"  # config digest → the backlog folder it names (read without TOML)


class Here(NamedTuple):
    """The work tree the command runs in: its root, git directory and settings' bytes."""

    root: Path
    git_dir: Path
    config: bytes


def here() -> Here | None:
    root = find_project_root(Path.cwd().resolve())
    git_dir = find_git_dir(root) if root else None
    if root is None or git_dir is None:
        return None
    return Here(root, git_dir, (root / CONFIG_FILE).read_bytes())


class KeptAnswers:
    """The kept answers of one work tree (`state`: its `.git/storykit`) to one request
    (`argv`: the command's name first, then whatever else decides its answer)."""

    def __init__(self, root: Path, state: Path, config: bytes, argv: list[str]) -> None:
        self.root = root
        self.folder = state / "kept"
        self.config_digest = hashlib.sha1(config).hexdigest()
        self.argv = argv
        self.keepable = False  # set by `key`: no file too fresh, no symbolic link
        self._folders: dict[str, Any] | None = None

    def folders(self) -> dict[str, Any]:
        """{config digest: the backlog folder those settings name}, as recorded (read once)."""
        if self._folders is None:
            try:
                found = json.loads((self.folder / _FOLDERS).read_bytes())
            except (OSError, ValueError):
                found = None
            self._folders = found if isinstance(found, dict) else {}
        return self._folders

    def key(self) -> str | None:
        """The answer's key for the backlog as it is on disk now (one stat per file); None
        while the backlog folder of these settings is not known yet (see `remember`)."""
        backlog_dir = self.folders().get(self.config_digest)
        if not isinstance(backlog_dir, str):
            return None
        if backlog_folder_problem(self.root, backlog_dir) is not None:
            return None  # the full command refuses it
        parts = [package_fingerprint(), str(self.root), printing(), self.config_digest,
                 backlog_dir, "\0".join(self.argv), os.environ.get("TZ", "")]  # fmt: skip
        newest = 0
        try:
            with os.scandir(self.root / backlog_dir) as scan:
                for entry in scan:
                    if not is_item_file(entry.name):
                        continue
                    if entry.is_symlink():
                        return None  # the full command reports it
                    size, mtime, inode = signature_of(entry.stat(follow_symlinks=False))
                    newest = max(newest, mtime)
                    parts.append(f"{entry.name}:{size}:{mtime}:{inode}")
        except OSError:
            return None
        self.keepable = settled(newest)
        return hashlib.sha1("\n".join(parts).encode()).hexdigest()

    def get(self, key: str, now: float) -> tuple[str, int] | None:
        """The answer kept under `key` and its exit code, if "now" is inside the window it
        holds for."""
        try:
            head, _, out = self._file(key).read_text("utf-8").partition("\n")
            low, high, *code = head.split()
            if float(low) < now < float(high):
                return out, int(code[0]) if code else 0
        except (OSError, ValueError):
            pass
        return None

    def put(self, key: str, out: str, window: tuple[float, float], code: int = 0) -> None:
        if not self.keepable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            text = f"{window[0]} {window[1]} {code}\n{out}"
            write_atomic(self._file(key), text.encode(), durable=False)
            kept = sorted(
                self.folder.glob(f"{self.argv[0]}-*.txt"), key=lambda path: path.stat().st_mtime
            )
            for old in kept[:-KEPT]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a speed-up only

    def _file(self, key: str) -> Path:
        return self.folder / f"{self.argv[0]}-{key}.txt"  # `list-…`, `refine-…`

    def remember(self, backlog_dir: str) -> None:
        """Note the backlog folder these settings name, for the next `key`."""
        folders = self.folders()
        if folders.get(self.config_digest) == backlog_dir:
            return
        self._folders = {**dict(list(folders.items())[-KEPT:]), self.config_digest: backlog_dir}
        save_json(self.folder / _FOLDERS, self._folders, durable=False)


def window(deadlines: list[float], now: float) -> tuple[float, float]:
    """The moments between which the overdue marks stay as they are at `now`."""
    low = max((moment for moment in deadlines if moment < now), default=float("-inf"))
    # the mark shows once "now" is past the moment: at the moment itself, ask again
    high = min((moment for moment in deadlines if moment >= now), default=float("inf"))
    return low, high
