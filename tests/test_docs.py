"""The repository explains itself: every document the code cites exists, every section it
names is there, and nothing points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("src/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py")]


def test_cited_documents_and_sections_exist() -> None:
    cited = 0
    for path in SOURCES:
        text = path.read_text()
        for doc, section in re.findall(r'(docs/[\w./-]+\.md)(?:,\s*"([^"]+)")?', text):
            cited += 1
            target = ROOT / doc
            assert target.is_file(), (path, doc)
            if section:
                headings = re.findall(r"^#+ (.+)$", target.read_text(), re.M)
                assert section in headings, (path, doc, section)
    assert cited >= 5


def test_nothing_cites_files_outside_the_repository() -> None:
    for path in [*SOURCES, ROOT / "README.md", *ROOT.glob("docs/*.md")]:
        if path.name == "test_docs.py":
            continue
        text = path.read_text()
        assert not re.search(r"DESIGN(\.md| §)|STYLE\.md|\.\./shared", text), path
