"""The commit protocol (docs/architecture.md), against real repositories."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Repo, git, make_repo


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_staged_work_stays_staged_and_out_of_the_commit(repo: Repo) -> None:
    _write(repo.root / "src" / "app.py", "print('v1')\n")
    _write(repo.root / "notes.txt", "one\n")
    repo.git("add", "src/app.py", "notes.txt")
    repo.git("commit", "-qm", "code")
    _write(repo.root / "src" / "app.py", "print('v2 staged')\n")
    repo.git("add", "src/app.py")
    _write(repo.root / "src" / "app.py", "print('v3 unstaged')\n")
    _write(repo.root / "notes.txt", "two, unstaged\n")
    _write(repo.root / "new.txt", "untracked\n")
    status_before = repo.status()
    staged_before = repo.git("diff", "--cached")

    story = repo.new_story()

    assert repo.last_commit_files() == [f"backlog/{repo.item_path(story).name}"]
    assert repo.status() == status_before
    assert repo.git("diff", "--cached") == staged_before
    assert (repo.root / "src" / "app.py").read_text() == "print('v3 unstaged')\n"
    assert (repo.root / "notes.txt").read_text() == "two, unstaged\n"
    assert repo.git("show", "HEAD:src/app.py") == "print('v1')\n"


def test_one_commit_per_command_with_subject_and_trailers(repo: Repo) -> None:
    start = repo.commit_count()
    story = repo.new_story("Send emojis")
    repo.ok("set", story, "points=3")
    repo.ok("drop", story)
    assert repo.commit_count() == start + 3
    log = repo.git("log", "-3", "--format=%s|%(trailers:key=Storykit-Action,valueonly,separator=)")
    assert log.splitlines() == [
        f"backlog: {story} → dropped: Send emojis|status",
        f"backlog: set {story} points 3: Send emojis|set",
        f"backlog: new story {story}: Send emojis|new",
    ]
    items = repo.git("log", "-3", "--format=%(trailers:key=Storykit-Item,valueonly)")
    assert [line for line in items.splitlines() if line] == [story] * 3


def test_commit_subject_is_one_safe_line(repo: Repo) -> None:
    story = repo.new_story("Emojis")
    repo.ok("set", story, "x-note=ok")
    title = "Emojis\n\nStorykit-Item: SK-FAKE\n# not a comment"
    result = repo.run("set", story, f"title={title}")
    # A multi-line title is invalid data, and nothing is committed.
    assert result.exit_code == 1
    assert "title: must be one line of text" in result.stderr
    repo.ok("set", story, "title=--force -rf Storykit-Item: SK-FAKE")
    subject = repo.git("log", "-1", "--format=%s").strip()
    assert subject == (
        f'backlog: set {story} title "Emojis" → "--force -rf Storykit-Item: SK-FAKE": '
        "--force -rf Storykit-Item: SK-FAKE"
    )
    items = repo.git("log", "-1", "--format=%(trailers:key=Storykit-Item,valueonly)").split()
    assert items == [story]


def test_root_commit_in_an_empty_repository(bare_repo: Repo) -> None:
    bare_repo.ok("init")
    assert bare_repo.git("rev-list", "--max-parents=0", "HEAD").strip() == bare_repo.head()


def test_works_from_a_subdirectory(repo: Repo) -> None:
    sub = repo.root / "src" / "deep"
    sub.mkdir(parents=True)
    story_out = repo.run(
        "story", "new", "From below", "--as-a", "dev", "--i-want", "x", "--so-that", "y",
        cwd=sub,
    )  # fmt: skip
    assert story_out.exit_code == 0, story_out.stderr
    assert len(repo.files()) == 2
    listed = repo.ok("list", cwd=sub).stdout
    assert "From below" in listed
    assert repo.status() == ""


def test_works_from_a_subdirectory_for_init(bare_repo: Repo) -> None:
    sub = bare_repo.root / "docs"
    sub.mkdir()
    bare_repo.ok("init", cwd=sub)
    assert (bare_repo.root / ".storykit.toml").exists()
    assert not (sub / ".storykit.toml").exists()


def _assert_refused(repo: Repo, expected: str, code: int = 3) -> None:
    story = next(iter(repo.git("ls-files", "backlog").split()), "")
    before = repo.snapshot()
    for args in (
        ("story", "new", "Refused", "--as-a", "a", "--i-want", "b", "--so-that", "c"),
        ("set", Path(story).name[:7] if story.endswith(".yaml") else "SK-0000", "points=3"),
    ):
        if args[0] == "set" and not story.endswith(".yaml"):
            continue
        result = repo.run(*args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert expected in result.stderr
        assert "hint: " in result.stderr
        assert "Traceback" not in result.stderr
        assert repo.snapshot() == before


def _diverge(repo: Repo) -> None:
    """main and topic each change f.txt differently: any combination of them conflicts."""
    repo.new_story("Base")
    _write(repo.root / "f.txt", "base\n")
    repo.git("add", "f.txt")
    repo.git("commit", "-qm", "base")
    repo.git("checkout", "-qb", "topic")
    _write(repo.root / "f.txt", "topic\n")
    repo.git("commit", "-qam", "topic")
    repo.git("checkout", "-q", "main")
    _write(repo.root / "f.txt", "main\n")
    repo.git("commit", "-qam", "main")


def test_refuses_during_a_merge(repo: Repo) -> None:
    _diverge(repo)
    repo.git("merge", "topic", check=False)
    assert (repo.root / ".git" / "MERGE_HEAD").exists()
    _assert_refused(repo, "a merge is in progress")


def test_refuses_during_a_conflicted_rebase(repo: Repo) -> None:
    _diverge(repo)
    repo.git("checkout", "-q", "topic")
    repo.git("rebase", "main", check=False)
    _assert_refused(repo, "a rebase")


def test_refuses_during_a_cherry_pick(repo: Repo) -> None:
    _diverge(repo)
    repo.git("cherry-pick", "topic", check=False)
    _assert_refused(repo, "a cherry-pick is in progress")


def test_refuses_on_detached_head(repo: Repo) -> None:
    repo.new_story("Base")
    repo.git("checkout", "-q", "--detach")
    _assert_refused(repo, "HEAD is detached")


def test_refuses_without_identity(tmp_path: Path, runner: object) -> None:
    from typer.testing import CliRunner

    anonymous = Repo(make_repo(tmp_path / "anon", identity=False), CliRunner())
    before = anonymous.snapshot()
    result = anonymous.run("init")
    assert result.exit_code == 3
    assert "git does not know who you are" in result.stderr
    assert 'git config user.name "Your Name"' in result.stderr
    assert anonymous.snapshot() == before
    assert not (anonymous.root / ".storykit.toml").exists()


def test_refuses_when_backlog_is_ignored(repo: Repo) -> None:
    _write(repo.root / ".gitignore", "backlog/\n")
    repo.git("add", ".gitignore")
    repo.git("commit", "-qm", "ignore")
    _assert_refused(repo, "backlog/ is ignored by git")


def test_refuses_in_a_bare_repository(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    result = Repo(bare, CliRunner()).run("init")
    assert result.exit_code == 3
    assert "bare repository" in result.stderr


def test_refuses_when_backlog_is_outside_the_sparse_checkout(repo: Repo) -> None:
    repo.new_story("Base")
    _write(repo.root / "src" / "a.py", "x\n")
    repo.git("add", "src/a.py")
    repo.git("commit", "-qm", "src")
    repo.git("sparse-checkout", "set", "src")
    # The config file at the top level stays; backlog/ is outside the cone now.
    _assert_refused(repo, "outside the sparse checkout")


def test_rejecting_pre_commit_hook_rolls_back_and_no_verify_skips(repo: Repo) -> None:
    story = repo.new_story()
    repo.hook("pre-commit", "echo 'lint failed: backlog frozen' >&2\nexit 1\n")
    result = repo.refused(
        "set", story, "points=5", code=1, says="the pre-commit hook rejected the commit"
    )
    assert "lint failed: backlog frozen" in result.stderr
    assert "--no-verify" in result.stderr
    new = ("story", "new", "New", "--as-a", "a", "--i-want", "b", "--so-that", "c")
    repo.refused(*new, code=1, says="lint failed: backlog frozen")
    repo.ok("set", story, "points=5", "--no-verify")
    assert "points: 5" in repo.git("show", f"HEAD:{repo.item_path(story).relative_to(repo.root)}")


def test_pre_commit_hook_sees_the_temporary_index(repo: Repo) -> None:
    story = repo.new_story()
    log = repo.root / ".git" / "hook.log"
    repo.hook("pre-commit", f"git diff --cached --name-only > {log}\n")
    _write(repo.root / "staged.txt", "mine\n")
    repo.git("add", "staged.txt")
    repo.ok("set", story, "points=5")
    assert log.read_text().split() == [f"backlog/{repo.item_path(story).name}"]


def test_commit_msg_hook_can_edit_or_reject(repo: Repo) -> None:
    story = repo.new_story()
    repo.hook("commit-msg", 'sed -i "1s/^/[PROJ-1] /" "$1"\n')
    repo.ok("set", story, "points=5")
    assert repo.git("log", "-1", "--format=%s").startswith("[PROJ-1] backlog: set SK-")
    repo.hook("commit-msg", "echo 'subject must mention a ticket' >&2\nexit 1\n")
    result = repo.refused("set", story, "points=8", code=1, says="commit-msg hook rejected")
    assert "subject must mention a ticket" in result.stderr


def test_hooks_false_in_config_skips_hooks(repo: Repo) -> None:
    story = repo.new_story()
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace("hooks = true", "hooks = false"))
    repo.git("commit", "-qam", "no hooks")
    repo.hook("pre-commit", "exit 1\n")
    repo.ok("set", story, "points=5")


def test_core_hooks_path_is_honoured(repo: Repo) -> None:
    story = repo.new_story()
    hooks = repo.root / "githooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho custom hooks path >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    repo.git("config", "core.hooksPath", "githooks")
    result = repo.run("set", story, "points=5")
    assert result.exit_code == 1
    assert "custom hooks path" in result.stderr


def test_no_leftovers_after_success(repo: Repo) -> None:
    repo.new_story()
    repo.new_story()
    state = repo.root / ".git" / "storykit"
    # The read cache and its indexes may stay; nothing else (temp index, message, lock).
    left = sorted(p.name for p in state.iterdir())
    assert set(left) <= {"items-cache.json", "items-order.json", "items-summary.json"}, left


def test_refuses_during_a_revert_and_a_bisect(repo: Repo) -> None:
    _diverge(repo)
    _write(repo.root / "f.txt", "main, later\n")
    repo.git("commit", "-qam", "later")
    repo.git("revert", "--no-edit", "HEAD~1", check=False)
    assert (repo.root / ".git" / "REVERT_HEAD").exists()
    _assert_refused(repo, "a revert is in progress")
    repo.git("revert", "--abort")
    repo.git("bisect", "start")
    _assert_refused(repo, "a bisect is in progress")


def test_trees_of_many_commits_read_in_one_batch_match_ls_tree(repo: Repo) -> None:
    """`History.trees_files` parses raw tree objects; it must list what `ls-tree` lists."""
    import os

    from storykit.repository.history import History

    folder = repo.root / "backlog"
    repo.new_story("Send emojis")
    _write(folder / "with space é.yaml", "x: 1\n")
    _write(folder / "sub" / "inner.yaml", "x: 2\n")
    _write(folder / "run.sh", "echo\n")
    os.chmod(folder / "run.sh", 0o755)
    os.symlink("run.sh", folder / "link.yaml")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "odd files")
    first = repo.head()
    (folder / "with space é.yaml").unlink()
    repo.git("commit", "-qam", "one gone")
    history = History(repo.root)
    commits = [first, repo.head(), repo.git("rev-list", "--max-parents=0", "HEAD").strip()]
    for spelled in ("backlog", "./backlog"):
        batch = history.trees_files(commits, spelled.removeprefix("./"))
        for commit in commits:
            assert batch[commit] == history.tree_files(commit, spelled), (commit, spelled)
    named = history.trees_files(["HEAD", "HEAD~1", first[:12]], "backlog")  # not full SHAs
    assert named["HEAD~1"] == batch[first] == named[first[:12]]
    assert "backlog/with space é.yaml" in batch[first]
    assert "backlog/run.sh" in batch[first] and "backlog/link.yaml" not in batch[first]
