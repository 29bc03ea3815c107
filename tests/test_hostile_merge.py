"""A repository whose files an upstream collaborator controls: nothing git starts for
storykit during a merge or a rebase (the driver, the merge helper) imports from it."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import pytest

from storykit.merging import client
from tests.helpers import Repo, git

# Module names the driver or the helper import after start-up; each planted one, if ever
# imported, leaves a file named after it.
PLANTED = ("base64", "json", "socket", "hashlib", "difflib", "tempfile", "pydantic", "gc")


def plant(repo: Repo, marks: Path) -> None:
    marks.mkdir()
    for name in PLANTED:
        (repo.root / f"{name}.py").write_text(
            f"open({str(marks / name)!r}, 'w').write('ran')\nraise SystemExit(97)\n"
        )
    repo.git("add", *(f"{name}.py" for name in PLANTED))
    repo.git("commit", "-qm", "upstream plants modules")


def two_clashing_branches(repo: Repo) -> tuple[str, str]:
    one = repo.new_story("Send emojis in messages", "--points", "3")
    two = repo.new_story("Show emoji reactions", "--points", "2")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", one, "owner=dana")
    repo.ok("set", two, "owner=dana")
    repo.git("switch", "-q", "main")
    repo.ok("set", one, "points=5")
    repo.ok("set", two, "points=8")
    return one, two


def helper_socket(repo: Repo) -> Path | None:
    return client.socket_path(repo.root / ".git" / "storykit")


def wait_for_helper(repo: Repo) -> None:
    """The helper the first driver started has come up (or had time to fail)."""
    path = helper_socket(repo)
    deadline = time.monotonic() + 10
    while path is not None and not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_driver_command_is_isolated(repo: Repo) -> None:
    words = shlex.split(repo.git("config", "merge.storykit.driver"))
    assert words[1] == "-I" and words[2:5] == ["-m", "storykit", "merge-driver"]


@pytest.mark.parametrize("how", ["merge", "rebase"])
def test_a_merge_imports_nothing_from_the_work_tree(repo: Repo, tmp_path: Path, how: str) -> None:
    plant(repo, tmp_path / "marks")
    one, two = two_clashing_branches(repo)
    if how == "merge":
        code = git_code(repo.root, "merge", "--no-edit", "feature")
    else:
        repo.git("switch", "-q", "feature")
        code = git_code(repo.root, "rebase", "main")
    assert code == 0
    wait_for_helper(repo)
    assert sorted(p.name for p in (tmp_path / "marks").iterdir()) == []
    shown = repo.ok("show", one, two, "--json").stdout
    assert '"owner": "dana"' in shown and '"points": 5' in shown and '"points": 8' in shown


def test_an_older_unsafe_driver_command_is_written_anew(repo: Repo, tmp_path: Path) -> None:
    """A clone set up before: `python -m storykit merge-driver …` put the work tree first
    on the path. The next storykit command that commits replaces it, and `check` warns
    until then."""
    import sys

    old = f"{sys.executable} -m storykit merge-driver %O %A %B %L %P %X %Y"
    repo.git("config", "merge.storykit.driver", old)
    assert "import modules from the work tree" in repo.run("check").stdout
    repo.new_story()
    words = shlex.split(repo.git("config", "merge.storykit.driver"))
    assert words[1] == "-I"
    plant(repo, tmp_path / "marks")
    two_clashing_branches(repo)
    assert git_code(repo.root, "merge", "--no-edit", "feature") == 0
    wait_for_helper(repo)
    assert list((tmp_path / "marks").iterdir()) == []


def git_code(cwd: Path, *args: str) -> int:
    import subprocess

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False).returncode


def test_planted_modules_would_run_without_isolation(repo: Repo, tmp_path: Path) -> None:
    """The test's own bait works: the old command form does import them."""
    import subprocess
    import sys

    plant(repo, tmp_path / "marks")
    subprocess.run([sys.executable, "-m", "storykit", "--help"], cwd=repo.root, capture_output=True)
    assert any((tmp_path / "marks").iterdir())
    assert git(repo.root, "status", "--porcelain") == ""
