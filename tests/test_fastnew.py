"""The lean `TYPE new` (cli/lean/creating.py) does exactly what the full command does."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from storykit.cli.lean.creating import try_new
from tests.helpers import Repo

STORY = ["--as-a", "user", "--i-want", "to send emojis", "--so-that", "I can express emotions"]


def _run(repo: Repo, entry: str, args: list[str], cwd: Path | None = None) -> tuple[str, ...]:
    """Run `storykit ARGS` through `entry` in a fresh process: (stdout, stderr, code, typer?)."""
    code = (
        "import sys\n"
        f"sys.argv = ['storykit', *{args!r}]\n"
        f"from {entry} import main\n"
        "try:\n    main()\n    code = 0\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stderr.write(f'\\n<exit {code} typer {\"typer\" in sys.modules}>')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd or repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    stderr, _, tail = result.stderr.rpartition("\n<exit ")
    exit_code, _, typer = tail.rstrip(">").partition(" typer ")
    return result.stdout, stderr, exit_code, typer


def _outcome(repo: Repo, entry: str, args: list[str]) -> tuple[object, ...]:
    """What one run printed and changed, with the random ID and the commit SHA masked;
    the repository is put back afterwards."""
    head = repo.head()
    stdout, stderr, code, typer = _run(repo, entry, args)
    changed = repo.git("status", "--porcelain", "--untracked-files=all", "backlog").split()
    committed = repo.git("diff", "--name-only", head, "HEAD").split()
    files = sorted(set(changed[1::2] + committed))
    new_ids = {m.group(0) for f in files for m in [re.search(r"SK-[0-9A-Z]+", f)] if m}
    contents = [(repo.root / f).read_text() for f in files]
    subject = repo.git("log", "-1", "--format=%s%n%b", "HEAD") if committed else ""

    def mask(text: str) -> str:
        for item_id in new_ids:
            text = text.replace(item_id, "SK-NEW")
        # A new key carries digits drawn from the (random) ID: not comparable between runs.
        text = re.sub(r"^rank: [0-9A-Za-z]+$", "rank: KEY", text, flags=re.MULTILINE)
        return re.sub(r"\[[0-9a-f]{8}\]", "[SHA]", text)

    repo.git("reset", "-q", "--hard", head)
    repo.git("clean", "-fdq", "backlog")
    outcome = (mask(stdout), mask(stderr), code, [mask(f) for f in files])
    return (*outcome, [mask(c) for c in contents], mask(subject), typer)


@pytest.fixture
def backlog(repo: Repo) -> Repo:
    repo.new_story("Send emojis in messages")
    repo.new_spike("Research emoji encoding")
    return repo


def _cases(repo: Repo) -> list[list[str]]:
    target = repo.ok("list", "--json").json()["items"][0]["id"]  # type: ignore[index]
    code = str(target).split("-")[1].lower()
    return [
        ["story", "new", "Send emojis", *STORY, "--tag", "ux", "--tag", "chat", "--points", "3"],
        ["spike", "new", "Which emoji encoding?", "--question", "UTF-8?", "--timebox", "2d",
         "--top"],
        ["tech", "new", "Store messages as utf8mb4", "--why", "4 bytes", "--before", code],
        ["epic", "new", "Emoji support", "--goal", "People express emotions", "--no-commit"],
        ["task", "new", "Add the emoji picker", "--parent", str(target), "--no-verify",
         "--after", code],
        ["story", "new", "Send emojis", *STORY, "--points", "4"],  # not on the scale: exit 1
        ["task", "new", "Add the emoji picker", "--parent", "SK-ZZZZ"],  # no such item: exit 3
        ["spike", "new", "Which?", "--question", "q", "--timebox", "2x"],  # bad timebox
        ["spike", "new", "Which?", "--question", "q", "--timebox", "1d", "--before", "nope!"],
    ]  # fmt: skip


def test_lean_and_full_new_print_and_write_the_same(backlog: Repo) -> None:
    for args in _cases(backlog):
        lean = _outcome(backlog, "storykit.cli.main", args)
        full = _outcome(backlog, "storykit.cli.app", args)
        assert lean[-1] == "False", (args, lean)  # the lean path answered, without Typer
        assert full[-1] == "True"
        assert lean[:-1] == full[:-1], args


def test_lean_new_outside_a_project_says_what_the_full_command_says(
    backlog: Repo, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["epic", "new", "Emoji support", "--goal", "g"]
    lean = _run(backlog, "storykit.cli.main", args, cwd=elsewhere)
    full = _run(backlog, "storykit.cli.app", args, cwd=elsewhere)
    assert lean[:3] == full[:3]
    assert lean[2] == "3" and "error:" in lean[1]


FALLBACKS = [
    ["story", "new"],  # no title: asked for, or named as missing
    ["story", "new", "Send emojis"],  # required fields missing
    ["epic", "new", "Emoji support", "--help"],
    ["epic", "new", "Emoji support", "-h"],
    ["epic", "new", "Emoji support", "--edit"],
    ["epic", "new", "Emoji support", "--json"],
    ["epic", "new", "Emoji support", "--goal=g"],
    ["epic", "new", "Emoji support", "--goal", "-g"],
    ["epic", "new", "Emoji support", "--goal", "g", "--goal", "h"],
    ["epic", "new", "Emoji support", "--goal"],
    ["epic", "new", "Emoji support", "--goal", "g", "--top", "--bottom"],
    ["epic", "new", "Emoji support", "--goal", "g", "--before", "x", "--after", "y"],
    ["epic", "new", "Emoji support", "--goal", "g", "--top", "--after", "y"],
    ["epic", "new", "Emoji support", "Second title", "--goal", "g"],
    ["epic", "new", "Emoji support", "--goal", "g", "--why", "tech only"],
    ["epic", "new", "Emoji support", "--goal", "g", "--"],
    ["epic", "new", "-", "--goal", "g"],
    ["epic", "make", "Emoji support", "--goal", "g"],
    ["bug", "new", "Emoji support"],
    ["list"],
    [],
]


@pytest.mark.parametrize("args", FALLBACKS, ids=[" ".join(a) or "none" for a in FALLBACKS])
def test_anything_else_goes_to_the_full_command(repo: Repo, args: list[str]) -> None:
    before = repo.snapshot()
    assert try_new(args) is None
    assert repo.snapshot() == before


def test_the_console_script_takes_the_lean_path(backlog: Repo) -> None:
    script = Path(sys.executable).parent / "storykit"
    result = subprocess.run(
        [str(script), "epic", "new", "Emoji support", "--goal", "People express emotions"],
        cwd=backlog.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"new epic SK-\w+: Emoji support  \[[0-9a-f]{8}\]\n", result.stdout)


def test_a_capture_reads_no_other_item(backlog: Repo) -> None:
    """Nothing in a single-item capture opens another item file (only the folder is listed)
    or the read cache; only a file named with the same slug is read, for the same-title
    note. The new item still goes after every item captured before it."""
    backlog.ok("rank", backlog.new_story("Ranked", "--points", "1"), "--top")
    twin = backlog.new_spike("Which emoji encoding?")
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0]))"
        " if event == 'open' else None)\n"
        "sys.argv = ['storykit', 'spike', 'new', 'Which  EMOJI encoding?', '--question', 'q?',"
        " '--timebox', '2d']\n"
        "from storykit.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(opened), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=backlog.root, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    new_id = re.search(r"new spike (SK-\w+)", result.stdout)
    assert new_id, result.stderr
    names = {Path(line).name for line in result.stderr.splitlines() if "backlog/" in line}
    opened = {name for name in names if re.fullmatch(r"SK-\w+(-[a-z0-9-]+)?\.yaml", name)}
    assert opened <= {backlog.item_path(twin).name, f"{new_id.group(1)}-which-emoji-encoding.yaml"}
    assert backlog.item_path(twin).name in opened
    assert f"note: {twin} has the same title" in result.stderr
    cache_reads = [line for line in result.stderr.splitlines() if "items-" in line]
    assert cache_reads == []
    order = [line.split()[0] for line in backlog.ok("list", "--all").stdout.splitlines()[1:]]
    assert order[-2:] == [twin, new_id.group(1)]
