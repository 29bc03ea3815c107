"""Outputs meant for a pull-request comment stay under GitHub's 65,536 characters, saying
what they left out; and a sprint is at most a year long (a longer one is a typo that made
reports of hundreds of megabytes)."""

from __future__ import annotations

from pathlib import Path

from storykit.cli.render.comment import LIMIT, fit
from tests.helpers import Repo


def test_fit_keeps_short_text_and_cuts_long_text_at_a_line_saying_so() -> None:
    assert fit("short\n", "x") == "short\n"
    table = "| a | b |\n| --- | --- |\n" + "".join(f"| {n} | {'w' * 90} |\n" for n in range(2000))
    chart = "```mermaid\nxychart-beta\n" + "    line [1, 2]\n" * 50 + "```\n"
    text = "**head**\n\n" + table + "\n" + chart
    cut = fit(text, "run it without --format markdown")
    assert len(cut) <= LIMIT
    assert cut.startswith("**head**\n\n| a | b |")
    assert "more lines left out" in cut and "run it without --format markdown" in cut
    assert cut.count("```") % 2 == 0  # never inside a fenced block
    kept_rows = [line for line in cut.splitlines() if line.startswith("| ")]
    left = int(cut.split("_… ")[1].split(" more lines")[0].replace(",", ""))
    assert len(kept_rows) + left >= 2002  # every row is kept or counted


def test_a_sprint_longer_than_a_year_is_refused(repo: Repo) -> None:
    new = ("sprint", "new", "Sprint 1", "--start", "2026-12-07")
    repo.refused(*new, "--length", "53w", code=2, says="a sprint lasts at most a year")
    repo.refused(*new, "--end", "2037-12-07", code=2, says="a sprint lasts at most a year")
    repo.refused(*new, "--length", "367d", code=2, says="this one would last 367")
    repo.ok(*new, "--length", "366d")
    # A file written by hand: check says where.
    path = repo.root / "backlog" / "sprints" / "sprint-1.yaml"
    path.write_text(path.read_text().replace("end: 2027-12-07", "end: 2037-12-06"))
    checked = repo.run("check")
    assert checked.exit_code == 1
    assert "backlog/sprints/sprint-1.yaml:" in checked.stdout
    assert "a sprint lasts at most a year" in checked.stdout
    # The setting too.
    settings = repo.root / ".storykit.toml"
    assert 'sprint_length = "2w"' in settings.read_text()
    settings.write_text(
        settings.read_text().replace('sprint_length = "2w"', 'sprint_length = "60w"')
    )
    bad = repo.run("list")
    assert bad.exit_code != 0 and "sprint_length" in bad.stderr
    assert "at most a year" in bad.stderr


def write_items(root: Path, count: int) -> None:
    for n in range(count):
        item = f"SK-{n:04d}".replace("0", "Z")
        (root / "backlog" / f"{item}-an-item.yaml").write_text(
            f"id: {item}\ntype: task\ntitle: An item with a long title to fill a comment "
            f"{'x' * 120} {n}\nstatus: draft\nrank: a{n:05d}\ncreated: 2026-11-20\n"
        )


def test_diff_markdown_of_a_huge_change_fits_a_comment(repo: Repo) -> None:
    base = repo.head()
    write_items(repo.root, 700)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "many items")
    markdown = repo.ok("diff", base, "HEAD", "--format", "markdown").stdout
    assert len(markdown) <= LIMIT
    assert "more lines left out" in markdown and "storykit diff" in markdown
    assert markdown.count("| task |") > 100
    text = repo.ok("diff", base, "HEAD").stdout
    assert text.count("SK-") >= 700  # the text form is whole
