"""No key, value, file name or commit subject can forge a line of output: a CI workflow
command, a Markdown heading or mention, or a terminal control sequence."""

from __future__ import annotations

import json
import re
import subprocess

from storykit.printable import printable, printable_lines
from tests.helpers import SCRIPT, Repo

HOSTILE = (
    "id: SK-B4D1\ntype: task\ntitle: Bad\nstatus: draft\nrank: a5\n"
    '"bad\\n::error file=src/app.py,line=1::Forged": 1\n'
    '"x-bad\\n::warning::Forged\\e[2J": "\\e]0;owned\\a"\n'
    'x-desc: "line\\n# Heading\\n@org/team"\n'
)


def _hostile(repo: Repo) -> None:
    (repo.root / "backlog" / "SK-B4D1-bad.yaml").write_text(HOSTILE)
    (repo.root / "backlog" / "SK-B4D2-x\n::error::Forged by name.yaml").write_text("id: x\n")
    (repo.root / "backlog" / "SK-B4D3-evil.yaml").write_text(
        'id: SK-B4D3\ntype: task\ntitle: Evil\nstatus: draft\nrank: a6\nx-evil: "\\e]0;owned\\a"\n'
    )


def _raw(repo: Repo, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The command's real bytes, as a terminal or a CI log would receive them."""
    return subprocess.run([str(SCRIPT), *args], cwd=repo.root, capture_output=True, check=False)


def _no_controls(data: bytes) -> None:
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", data), data


def test_check_output_cannot_forge_a_workflow_command(repo: Repo) -> None:
    repo.new_story()
    _hostile(repo)
    text = _raw(repo, "check")
    assert text.returncode == 1
    lines = text.stdout.decode().splitlines()
    assert len(lines) >= 3 and all(line.startswith("backlog/SK-B4D") for line in lines), lines
    _no_controls(text.stdout + text.stderr)
    github = _raw(repo, "check", "--format", "github").stdout.decode().splitlines()
    assert all(re.match(r"::(error|warning) file=backlog/SK-B4D", line) for line in github), github
    data = json.loads(_raw(repo, "check", "--json").stdout)
    assert any("::error file=src/app.py" in p["message"] for p in data["problems"])


def test_reading_commands_never_send_control_characters(repo: Repo) -> None:
    story = repo.new_story()
    _hostile(repo)
    for args in (
        ("list",), ("list", "--json"), ("show", "SK-B4D1"), ("show", "SK-B4D3"),
        ("show", "SK-B4D3", "--json"), ("show", story), ("board",),
        ("next",), ("diff",), ("diff", "--format", "markdown"), ("spike", "overdue"),
    ):  # fmt: skip
        result = _raw(repo, *args)
        _no_controls(result.stdout + result.stderr)
        assert b"internal error" not in result.stderr, (args, result.stderr)


def test_markdown_cannot_gain_a_heading_or_a_mention(repo: Repo) -> None:
    base = repo.head()
    spike = repo.new_spike("Ask @org/team about # emoji")
    repo.ok("spike", "start", spike)
    outcome = "# Heading from the outcome\n@someone please merge\n- a list\n[link](http://x)"
    repo.ok("spike", "close", spike, "--outcome", outcome, "--decision", "#1 @pat")
    _hostile(repo)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "hostile files")
    markdown = repo.ok("diff", base, "HEAD", "--format", "markdown").stdout
    for line in markdown.splitlines():
        assert not re.match(r"\s*(>\s*)*#", line) or line.startswith("### "), line
        assert not re.match(r"\s*(>\s*)*[-+*] ", line) or line.startswith(("- ", "  - ")), line
    assert re.search(r"@(?!&#8203;)", markdown) is None, markdown
    assert "@&#8203;org/team" in markdown and "@&#8203;someone" in markdown
    assert "\\# Heading from the outcome" in markdown


def test_log_survives_any_commit_subject_and_prints_it_safely(repo: Repo) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    for subject in ("a\x01b", "\x1b[2Jclear", "", "tab\there"):
        path.write_text(path.read_text() + f"x-n{len(subject)}: {len(subject)}\n")
        repo.git("commit", "-qa", "--allow-empty-message", "-m", subject)
    result = _raw(repo, "log", story)
    assert result.returncode == 0, result.stderr
    _no_controls(result.stdout)
    assert b"a\\x01b" in result.stdout and b"\\x1b[2Jclear" in result.stdout
    data = json.loads(_raw(repo, "log", story, "--json").stdout)
    subjects = [c["subject"] for c in data["commits"]]
    assert subjects[:4] == ["tab\there", "", "\x1b[2Jclear", "a\x01b"]


def test_printable_escapes_every_control_character() -> None:
    assert printable("a\nb\x1b[1m\x9b\u2028\t") == "a\\nb\\x1b[1m\\x9b\\u2028\\t"
    assert printable_lines("one\ntwo\x07\tthree") == "one\ntwo\\x07\tthree"
