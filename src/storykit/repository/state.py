"""The state of the repository before a change: what refuses a commit, which files
already hold the user's own uncommitted changes, and the line ending git gives a new file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from storykit.errors import GitError, RepoStateError
from storykit.repository.runner import Git, is_true, pathspecs

IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "git merge --continue", "git merge --abort"),
    ("rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"),
    ("rebase-apply", "a rebase or `git am`", "git rebase --continue", "git rebase --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"),
    ("BISECT_LOG", "a bisect", "git bisect reset", "git bisect reset"),
)


def check_can_commit(git: Git, backlog_rel: str) -> str:
    """Refuse, before anything is written, every state where a commit would be wrong;
    the branch to commit to otherwise."""
    for marker, what, go_on, abort in IN_PROGRESS:
        if (git.git_dir / marker).exists():
            settle = (
                "settle backlog conflicts with `storykit resolve ID FIELD=VALUE` (or `--ours "
                "FIELD` / `--theirs FIELD`), then "
                if marker != "BISECT_LOG"
                else ""
            )
            raise RepoStateError(
                f"{what} is in progress; storykit will not commit in the middle of it",
                hint=f"{settle}finish it (`{go_on}`) or abort it (`{abort}`), then run this again",
            )
    branch = git.branch_ref()
    settings = git.settings()
    _check_identity(settings)
    _check_backlog_path(git, backlog_rel, settings)
    return branch


def _check_identity(settings: dict[str, str | None]) -> None:
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


def _check_backlog_path(git: Git, backlog_rel: str, settings: dict[str, str | None]) -> None:
    probe = f"{backlog_rel}/storykit-probe.yaml"
    status, _, _ = git.run("check-ignore", "-q", "--no-index", "--", probe, expect=(0, 1))
    if status == 0:
        raise RepoStateError(
            f"{backlog_rel}/ is ignored by git, so backlog files could not be committed",
            hint=f"remove the rule shown by `git check-ignore -v --no-index {probe}`",
        )
    if not is_true(settings, "core.sparsecheckout"):
        return
    status, out, _ = git.run("ls-files", "-t", "--", f"{backlog_rel}/")
    outside = any(line.startswith("S ") for line in out.splitlines())
    if not outside and is_true(settings, "core.sparsecheckoutcone"):
        status, out, _ = git.run("sparse-checkout", "list")
        cone = [line.strip().rstrip("/") for line in out.splitlines() if line.strip()]
        outside = status == 0 and not any(
            backlog_rel == d or backlog_rel.startswith(d + "/") for d in cone
        )
    if outside:
        raise RepoStateError(
            f"{backlog_rel}/ is outside the sparse checkout",
            hint=f"add it with `git sparse-checkout add {backlog_rel}`",
        )


def local_changes(git: Git, paths: Sequence[str]) -> dict[str, str]:
    """{path: what} for the `paths` whose index entry or working file already differs
    from HEAD ("staged", "unstaged", "staged and unstaged", "untracked")."""
    if not paths:
        return {}
    wanted = set(paths)
    status, out, err = git.run(
        "--no-optional-locks", "--literal-pathspecs", "status", "--porcelain=v1", "-z",
        "--no-renames", "--untracked-files=all", "--ignore-submodules", "--",
        *pathspecs(paths), check=False,
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


def checkout_newline(git: Git, rel: str) -> str:
    """The line ending git gives `rel` in the work tree (`.gitattributes` `eol` and
    `text`, `core.autocrlf`, `core.eol`): a new file is written that way, so that git
    (with `core.safecrlf`) takes it as it is."""
    settings = git.settings()
    autocrlf = (settings.get("core.autocrlf") or "false").lower()
    attrs: dict[str, str] = {}
    if _attribute_files(git, rel):
        status, out, _ = git.run("check-attr", "-z", "eol", "text", "--", rel)
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


def _attribute_files(git: Git, rel: str) -> bool:
    """Whether any attributes file could set `rel`'s line ending (when none can, asking
    `git check-attr` is a process spent for nothing)."""
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    configured = git.settings().get("core.attributesfile")
    candidates = [
        git.common_dir / "info" / "attributes",
        Path(configured).expanduser() if configured else xdg / "git" / "attributes",
    ]
    if not os.environ.get("GIT_ATTR_NOSYSTEM"):
        candidates += [Path("/etc/gitattributes"), Path("/usr/local/etc/gitattributes")]
    folder = git.root
    candidates.append(folder / ".gitattributes")
    for part in Path(rel).parent.parts:
        folder = folder / part
        candidates.append(folder / ".gitattributes")
    return any(_may_set_line_endings(path) for path in candidates)


def _may_set_line_endings(path: Path) -> bool:
    """Whether an attributes file exists and names an attribute that decides line endings
    (`text`, `eol`, `crlf`, or `binary`, a macro that unsets `text`); `merge=storykit`
    alone does not."""
    try:
        text = path.read_bytes()
    except OSError:
        return False
    return any(word in text for word in (b"text", b"eol", b"crlf", b"binary"))
