"""storykit commits exactly its own change, as git would: git's index lock held through the
window, hand edits never swept in, `core.fileMode`, signing, hooks without `#!`, thousands of
paths, `.gitattributes` line endings, and a ref git cannot write."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from storykit.repository.commit import GitRepo
from tests.helpers import Repo


def _other_file(repo: Repo) -> Path:
    app = repo.root / "app.txt"
    app.write_text("v1\n")
    repo.git("add", "app.txt")
    repo.git("commit", "-qm", "app")
    app.write_text("v2, not ready to commit\n")
    return app


@pytest.mark.parametrize(
    "other_command",
    ["git commit -qam 'someone else'", "git stash -q", "git add -A", "git reset -q --hard"],
)
def test_no_git_command_slips_in_between_writing_and_committing(
    repo: Repo, other_command: str
) -> None:
    """Another terminal, an IDE or a hook runs git while storykit is committing: git's own
    index lock is held, so it fails as it would against a running `git commit`."""
    story = repo.new_story()
    app = _other_file(repo)
    head = repo.head()
    report = repo.root / ".git" / "other.log"
    repo.hook(
        "pre-commit",
        f"(unset GIT_INDEX_FILE; {other_command}) >'{report}' 2>&1; echo $? >>'{report}'\n",
    )
    result = repo.run("set", story, "points=5")
    assert result.exit_code == 0, result.stderr
    assert report.read_text().splitlines()[-1] != "0"  # the other command was refused
    assert repo.git("stash", "list") == ""
    assert repo.git("rev-parse", "HEAD~1").strip() == head
    assert repo.last_commit_files() == [f"backlog/{repo.item_path(story).name}"]
    assert "points: 5" in repo.item_path(story).read_text()
    assert app.read_text() == "v2, not ready to commit\n"
    assert repo.status() == " M app.txt\n"
    assert not (repo.root / ".git" / "index.lock").exists()


def test_an_index_lock_left_by_a_killed_storykit_is_taken_over(repo: Repo) -> None:
    story = repo.new_story()
    lock = repo.root / ".git" / "index.lock"
    dead = subprocess.run(["true"], check=True)  # a finished process: its PID is free
    del dead
    lock.write_bytes(b"storykit 999999999\n")
    repo.ok("set", story, "points=3")
    assert not lock.exists()
    # One that names a living process, or that git wrote, is waited for and never removed.
    for content in (f"storykit {os.getpid()}\n".encode(), b"", b"DIRC\x00\x00\x00\x02"):
        lock.write_bytes(content)
        repo.refused("set", story, "points=5", code=75, says="another git command")
        assert lock.read_bytes() == content
    lock.unlink()


def test_hand_edits_in_the_same_file_are_never_swept_into_the_commit(repo: Repo) -> None:
    story = repo.new_story()
    repo.new_story("Another")
    path = repo.item_path(story)
    rel = f"backlog/{path.name}"
    original = path.read_text()
    path.write_text(original + "notes: staged by hand\n")
    repo.git("add", rel)
    path.write_text(original + "notes: staged by hand\nowner: draft, unstaged\n")
    staged, unstaged = repo.git("diff", "--cached"), repo.git("diff")
    result = repo.refused("set", story, "points=5", code=3, says="uncommitted changes")
    assert f"{rel} (staged and unstaged)" in result.stderr
    assert "--include-changes" in result.stderr and "git stash push" in result.stderr
    assert (repo.git("diff", "--cached"), repo.git("diff")) == (staged, unstaged)
    # The same through every changing command.
    for args in (("drop", story), ("rank", story, "--bottom"), ("split", story, "a", "b")):
        repo.refused(*args, code=3, says="uncommitted changes")
    # Writing only, as before; or committing them together, when asked to.
    repo.ok("set", story, "points=3", "--no-commit")
    assert "points: 3" in path.read_text()
    repo.ok("set", story, "points=5", "--include-changes")
    committed = repo.git("show", f"HEAD:{rel}")
    assert "notes: staged by hand" in committed and "points: 5" in committed
    assert repo.status() == ""


def test_an_earlier_no_commit_change_is_refused_then_commit_false_still_writes(
    repo: Repo,
) -> None:
    story = repo.new_story()
    repo.ok("set", story, "points=3", "--no-commit")
    repo.refused("set", story, "owner=pat", code=3, says="(unstaged)")
    spike = repo.new_spike("Fresh", "--no-commit")
    repo.refused("spike", "start", spike, code=3, says="(untracked)")
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace("commit = true", "commit = false"))
    repo.git("commit", "-qam", "no commits")
    repo.ok("set", story, "owner=pat")
    assert "owner: pat" in repo.item_path(story).read_text()


def test_core_filemode_false_is_respected(repo: Repo) -> None:
    repo.git("config", "core.fileMode", "false")
    story = repo.new_story()
    path = repo.item_path(story)
    path.chmod(0o755)  # looks executable, as every file does on FAT, NTFS or WSL
    repo.ok("set", story, "points=5")
    assert repo.git("ls-tree", "HEAD", f"backlog/{path.name}").startswith("100644 ")
    assert repo.index().count("100755") == 0
    assert repo.status() == ""
    epic = repo.ok("epic", "new", "Emoji", "--goal", "g", "--json").json()
    assert isinstance(epic, dict)
    assert repo.git("ls-tree", "HEAD", epic["item"]["path"]).startswith("100644 ")


def _ssh_signing(repo: Repo, tmp_path: Path) -> Path:
    assert shutil.which("ssh-keygen"), "ssh-keygen (openssh-client) is needed for this test"
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", f"{key}.pub")
    repo.git("config", "commit.gpgsign", "true")
    signers = tmp_path / "allowed-signers"
    signers.write_text(f"pat@example.com {Path(f'{key}.pub').read_text()}")
    repo.git("config", "gpg.ssh.allowedSignersFile", str(signers))
    return key


def test_commits_are_signed_when_git_would_sign_them(repo: Repo, tmp_path: Path) -> None:
    _ssh_signing(repo, tmp_path)
    story = repo.new_story()
    repo.ok("set", story, "points=5")
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in repo.git("cat-file", "commit", "HEAD")
    assert (
        subprocess.run(
            ["git", "verify-commit", "HEAD"], cwd=repo.root, capture_output=True, check=False
        ).returncode
        == 0
    )
    repo.git("config", "commit.gpgsign", "false")
    repo.ok("set", story, "points=3")
    assert "gpgsig" not in repo.git("cat-file", "commit", "HEAD")


@pytest.mark.parametrize("broken", ["missing key", "failing program"])
def test_a_broken_signing_set_up_fails_as_git_fails(
    repo: Repo, tmp_path: Path, broken: str
) -> None:
    story = repo.new_story()
    key = _ssh_signing(repo, tmp_path)
    if broken == "missing key":
        key.unlink()
        Path(f"{key}.pub").unlink()
    else:
        repo.git("config", "gpg.format", "openpgp")
        repo.git("config", "gpg.program", "false")
    git_commit = subprocess.run(
        ["git", "commit", "--allow-empty", "-m", "x"], cwd=repo.root, capture_output=True
    )
    assert git_commit.returncode != 0  # git itself refuses to commit unsigned
    result = repo.refused("set", story, "points=5", code=1, says="git commit-tree failed")
    assert "sign" in result.stderr


@pytest.mark.parametrize(
    ("body", "code"), [("echo checked\nexit 0\n", 0), ("echo no\nexit 1\n", 1)]
)
def test_a_hook_without_a_shebang_runs_through_sh_as_git_runs_it(
    repo: Repo, body: str, code: int
) -> None:
    story = repo.new_story()
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text(body)
    hook.chmod(0o755)
    before = repo.snapshot()
    result = repo.run("set", story, "points=5")
    assert result.exit_code == code, result.stderr
    assert "internal error" not in result.stderr
    if code:
        assert "the pre-commit hook rejected the commit" in result.stderr and "no" in result.stderr
        assert repo.snapshot() == before


def test_a_ref_git_cannot_write_is_not_reported_as_a_moved_branch(repo: Repo) -> None:
    story = repo.new_story()
    blocker = repo.root / ".git" / "refs" / "heads" / "main.lock"
    blocker.mkdir()
    result = repo.refused("set", story, "points=5", code=1, says="git could not move")
    assert "moved" not in result.stderr.split("could not move")[0]
    assert "the branch moved" not in result.stderr
    blocker.rmdir()


def test_thousands_of_long_paths_go_through_stdin_not_the_argument_list(repo: Repo) -> None:
    """Together the paths are longer than the system's argument limit (E2BIG)."""
    folder = repo.root / ("long-backlog-folder-name-" * 4)
    folder.mkdir()
    paths = []
    for number in range(20_000):
        name = f"SK-{number:05d}-{'an-item-file-with-a-long-slug-' * 2}{number}.yaml"
        (folder / name).write_text(f"n: {number}\n")
        paths.append(f"{folder.name}/{name}")
    assert sum(len(p) + 1 for p in paths) > int(subprocess.check_output(["getconf", "ARG_MAX"]))
    git = GitRepo(repo.root)
    assert len(git.local_changes(paths)) == len(paths)  # all untracked yet
    with git.index_lock():
        result = git.commit_paths(paths, "many files\n")
        git.refresh_index(paths)
    assert result is not None
    assert int(repo.git("ls-files", "--", folder.name).count("\n")) == 20_000
    assert git.local_changes(paths) == {}
    assert repo.status() == ""


def test_gitattributes_line_endings_are_honoured_with_safecrlf(repo: Repo) -> None:
    (repo.root / ".gitattributes").write_text("*.yaml text eol=crlf\n")
    repo.git("add", ".gitattributes")
    repo.git("commit", "-qm", "attributes")
    repo.git("config", "core.safecrlf", "true")
    story = repo.new_story()
    path = repo.item_path(story)
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 5
    assert repo.status() == ""
    repo.ok("set", story, "points=5")
    assert repo.git("diff", "HEAD~1", "--numstat").split()[:2] == ["1", "0"]
    assert repo.status() == ""
    assert repo.ok("check").exit_code == 0


def test_no_empty_commit_when_head_already_has_the_content(repo: Repo) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    committed = path.read_bytes()
    repo.ok("set", story, "points=3", "--no-commit")
    head = repo.head()
    repo.ok("set", story, "points=", "--include-changes")  # back to what HEAD holds
    assert path.read_bytes() == committed
    assert repo.head() == head
    assert repo.status() == ""
