"""The merge driver git runs for each item file both branches changed (docs/architecture.md,
"Merging branches"): merge base, ours and theirs field by field into ours' file, or fall
back to git's own text merge.

git starts it once per file, so it starts lean: when the merge helper answers a clean
merge (`merging/client.py`), nothing beyond the standard library's sockets and JSON is
imported — no Typer, Pydantic, ruamel.yaml, nor the merge itself; the records and the
merge are imported only to merge here, or to tell a conflict.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from storykit.locations import (
    SPRINT_FOLDER,
    common_dir,
    find_git_dir,
    find_project_root,
    is_item_file,
)
from storykit.merging import client
from storykit.model.naming import id_from_file_name

if TYPE_CHECKING:
    from storykit.model.merge import FileMerge, Labels


class DriverResult(NamedTuple):
    """What the driver did to one file: its exit code for git, and a line for the user."""

    code: int
    message: str | None = None


def run_driver(
    root: Path, base: Path, ours: Path, theirs: Path, rel: str, labels: client.Labels
) -> DriverResult:
    """Merge the three versions git gives into `ours` (git's %A: the result); `root` is
    the work tree git started the driver in; `labels`: ours, theirs and the marker size."""
    if not mergeable(rel):  # not an item's or a sprint's file: as text
        code = text_merge(root, base, ours, theirs, labels)
        return DriverResult(code)
    try:
        sides = base.read_bytes(), ours.read_bytes(), theirs.read_bytes()
    except OSError as exc:
        from storykit.errors import UsageError

        raise UsageError(
            f"cannot read {os.path.relpath(exc.filename, root)}: {exc.strerror}",
            hint="git runs the merge driver with the three versions of a file "
            "(`storykit init` sets it up)",
        ) from None
    project_root = find_project_root(root) or root
    helper = _helper_socket(project_root)
    answer = client.ask(helper, project_root, sides, rel, labels) if helper else None
    if answer is not None and answer["content"] is not None and not answer["conflicts"]:
        ours.write_bytes(answer["content"])  # the usual case: merged by the helper, clean
        return DriverResult(0)
    from storykit.model.merge import FileMerge, Labels

    as_labels = Labels(*labels)
    if answer is not None:
        result = FileMerge(
            answer["content"], answer["conflicts"], answer["problem"], told=answer["told"]
        )
    else:
        result = merge_here(root, sides, rel, as_labels, helper)
    if result.content is None:
        text_merge(root, base, ours, theirs, labels)
        return DriverResult(
            1,
            f"{rel}: not merged field by field ({result.problem}); git merged it as text: "
            "check it, then `git add` it",
        )
    ours.write_bytes(result.content)
    return DriverResult(0 if result.clean else 1, _conflict_line(root, rel, result, as_labels))


def mergeable(rel: str) -> bool:
    """Whether a path looks like an item file, or a sprint file (`…/sprints/NAME.yaml`):
    the settings then say whether it is one (else git's text merge does it)."""
    folder, _, name = rel.rpartition("/")
    if id_from_file_name(name) is not None:
        return True
    return folder.rpartition("/")[2] == SPRINT_FOLDER and is_item_file(name)


def merge_here(
    root: Path, sides: tuple[bytes, bytes, bytes], rel: str, labels: Labels, helper: Path | None
) -> FileMerge:
    """The merge of one file's three versions in this process (no helper answered); a
    helper is then started for the files that follow."""
    from storykit.model.merge import FileMerge

    try:
        from storykit.merging.files import merge_item_file
        from storykit.project import settings_or_defaults

        result = merge_item_file(*sides, rel, settings_or_defaults(root), labels)
    except Exception as exc:  # a bug must not leave a wrong file: git's text merge instead
        result = FileMerge(None, problem=f"internal error: {type(exc).__name__}: {exc}")
    if helper is not None:
        from storykit.merging.helper import start

        start(helper)
    return result


def _helper_socket(project_root: Path) -> Path | None:
    if not client.enabled():
        return None
    git_dir = find_git_dir(project_root)
    if git_dir is None:
        return None
    return client.socket_path(common_dir(git_dir) / "storykit")


def _conflict_line(root: Path, rel: str, result: FileMerge, labels: Labels) -> str | None:
    """The conflicts in words, and the commands that settle them."""
    if result.clean:
        return None
    item_id = id_from_file_name(rel.rpartition("/")[2])
    lines = [f"{rel}: conflict: {', '.join(result.conflicts)}"]
    for name, line in zip(result.conflicts, result.told, strict=False):
        if name == "rank" and item_id is not None:
            line = _rank_places(root, item_id, labels) or line
        lines.append(f"  {line}")
    lines.append(f"  settle: {settle_command(item_id or rel, result.conflicts)}")
    return "\n".join(lines)


def _rank_places(root: Path, item_id: str, labels: Labels) -> str | None:
    """A rank conflict as the item's places in the open list at HEAD and at the commit
    `git merge` is merging (it names it in GITHEAD_<sha>); None when that is not known (a
    rebase, a cherry-pick: `storykit resolve` tells them). Read only for a rank conflict."""
    merging = [key.removeprefix("GITHEAD_") for key in os.environ if key.startswith("GITHEAD_")]
    if len(merging) != 1:
        return None
    try:
        from storykit.history.places import open_places
        from storykit.project import settings_or_defaults
        from storykit.repository.history import History

        config = settings_or_defaults(root)
        closed = (config.workflow.done, config.workflow.dropped)
        history = History(root)
        places = [
            open_places(history, config.backlog_dir, history.commit_of(rev), closed)
            for rev in ("HEAD", merging[0])
        ]
    except Exception:  # a place is a courtesy: the conflict is told without it
        return None
    from storykit.model.merge import tell_places

    return tell_places(places[0].get(item_id), places[1].get(item_id), labels)


def settle_command(target: str, conflicts: tuple[str, ...]) -> str:
    """The commands that settle an item's conflicts (its ID, or a sprint file's path)."""
    fields = [name for name in conflicts if " " not in name]  # not "comments and layout"
    if not fields:
        return "edit the lines between the markers, then `git add` the file"
    first = fields[0]
    return (
        f"`storykit resolve {target} {first}=VALUE`, or take a side: "
        f"`storykit resolve {target} --ours {first}` / `--theirs {first}`"
    )


def text_merge(root: Path, base: Path, ours: Path, theirs: Path, labels: client.Labels) -> int:
    """git's own line-based merge of the three files into `ours`; its exit code (the number
    of conflicts: 0 when clean)."""
    from storykit.errors import GitError
    from storykit.repository.runner import Git

    ours_label, theirs_label, marker_size = labels
    code, _, err = Git(root).run(
        "merge-file",
        "-L",
        ours_label,
        "-L",
        "base",
        "-L",
        theirs_label,
        f"--marker-size={marker_size}",
        "--",
        str(ours),
        str(base),
        str(theirs),
        check=False,
    )
    if code > 127:  # git merge-file exits with a negative number (255) when it cannot merge
        raise GitError(f"git merge-file failed: {err.strip()}")
    return code
