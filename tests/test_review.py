"""Reviewing backlog changes: exact `diff` and `log` output on a real two-branch history,
GitHub annotations, `check --since`, the JSON Schema, and the pre-commit hook (issue 5)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from storykit import yamlio
from tests.helpers import Repo
from tests.review_scenario import BASE_FILES, build, mask

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-21T10:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-21T10:00:00+00:00")
    build(repo, monkeypatch)
    return repo


DIFF_TEXT = """\
backlog changes: main (<sha>) → feature (<sha>)
1 added, 1 removed, 3 changed, 1 moved, 1 spike closed, 1 invalid file
story SK-GGGG added; story SK-DDDD removed; SK-AAAA ready → in-progress; SK-BBBB changed \
(acceptance_criteria); spike SK-CCCC closed: outcome recorded; SK-FFFF moved from #6 to #1

added
  story  SK-GGGG  Emoji picker

removed
  story  SK-DDDD  Old idea

changed
  story  SK-AAAA  Send and receive emojis  (renamed from backlog/SK-AAAA-send-emojis-in-messages.yaml)
      title: "Send emojis in messages" → "Send and receive emojis"
      status: ready → in-progress
  tech   SK-BBBB  Refactor message schema
      acceptance_criteria: + "Existing messages migrate without loss"
  spike  SK-CCCC  Research emoji encoding
      status: in-progress → done
      outcome: added ("UTF-8 everywhere; store as utf8mb4")

moved
  story  SK-FFFF  Stickers  #6 → #1

spikes closed
  spike  SK-CCCC  Research emoji encoding
      UTF-8 everywhere; store as utf8mb4

invalid files
  backlog/SK-EEEE-emoji-support.yaml (at feature): 1 problem
      4:9: status: must be one of draft, ready, in-progress, done, dropped
"""

DIFF_MARKDOWN = """\
**Backlog changes** main (<sha>) → feature (<sha>): 1 added, 1 removed, 3 changed, 1 moved, 1 spike closed, \
1 invalid file

story SK-GGGG added; story SK-DDDD removed; SK-AAAA ready → in-progress; SK-BBBB changed \
(acceptance\\_criteria); spike SK-CCCC closed: outcome recorded; SK-FFFF moved from #6 to #1

### Added

| Type | ID | Title | Status | Points | Sprint |
|---|---|---|---|---|---|
| story | SK-GGGG | Emoji picker | draft |  |  |

### Removed

| Type | ID | Title | Status | Points | Sprint |
|---|---|---|---|---|---|
| story | SK-DDDD | Old idea | draft |  |  |

### Changed

- **story SK-AAAA** Send and receive emojis (renamed from \
`backlog/SK-AAAA-send-emojis-in-messages.yaml`)
  - title: "Send emojis in messages" → "Send and receive emojis"
  - status: ready → in-progress
- **tech SK-BBBB** Refactor message schema
  - acceptance\\_criteria: + "Existing messages migrate without loss"
- **spike SK-CCCC** Research emoji encoding
  - status: in-progress → done
  - outcome: added ("UTF-8 everywhere; store as utf8mb4")

### Moved

| ID | Title | From | To |
|---|---|---|---|
| SK-FFFF | Stickers | #6 | #1 |

### Spikes closed

- **SK-CCCC** Research emoji encoding
  > UTF-8 everywhere; store as utf8mb4

### Invalid files

- `backlog/SK-EEEE-emoji-support.yaml` (at feature): 1 problem
  - 4:9: status: must be one of draft, ready, in-progress, done, dropped
"""


def test_diff_text_and_markdown_are_exact(history: Repo) -> None:
    result = history.run("diff", "main", "feature")
    assert result.exit_code == 0, result.stderr
    assert mask(result.stdout, history) == DIFF_TEXT
    markdown = history.run("diff", "main", "feature", "--format", "markdown")
    assert mask(markdown.stdout, history) == DIFF_MARKDOWN


def test_diff_json(history: Repo) -> None:
    data = history.run("diff", "main", "feature", "--format", "json").json()
    assert isinstance(data, dict)
    main_sha = history.git("rev-parse", "main").strip()
    feature_sha = history.git("rev-parse", "feature").strip()
    assert data["schema_version"] == 2
    assert data["base"] == {"label": "main", "commit": main_sha}
    assert data["head"] == {"label": "feature", "commit": feature_sha}
    assert data["counts"] == {
        "added": 1, "removed": 1, "changed": 3, "moved": 1, "spikes_closed": 1,
        "invalid_files": 1,
    }  # fmt: skip
    assert [i["id"] for i in data["added"]] == ["SK-GGGG"]
    assert data["added"][0]["path"] == "backlog/SK-GGGG-emoji-picker.yaml"
    assert [i["id"] for i in data["removed"]] == ["SK-DDDD"]
    assert data["changed"][0] == {
        "id": "SK-AAAA",
        "type": "story",
        "title": "Send and receive emojis",
        "renamed": {
            "from": "backlog/SK-AAAA-send-emojis-in-messages.yaml",
            "to": "backlog/SK-AAAA-send-and-receive-emojis.yaml",
        },
        "changes": [
            {"field": "title", "kind": "changed", "from": "Send emojis in messages",
             "to": "Send and receive emojis"},
            {"field": "status", "kind": "changed", "from": "ready", "to": "in-progress"},
        ],
    }  # fmt: skip
    assert data["changed"][1]["changes"] == [
        {"field": "acceptance_criteria", "kind": "list",
         "added": ["Existing messages migrate without loss"], "removed": []},
    ]  # fmt: skip
    assert data["moved"] == [
        {"id": "SK-FFFF", "type": "story", "title": "Stickers", "from": 6, "to": 1}
    ]
    assert data["spikes_closed"] == [
        {"id": "SK-CCCC", "title": "Research emoji encoding",
         "outcome": "UTF-8 everywhere; store as utf8mb4", "decision": None},
    ]  # fmt: skip
    (invalid,) = data["invalid"]
    assert invalid["side"] == "head" and invalid["path"] == "backlog/SK-EEEE-emoji-support.yaml"
    assert invalid["problems"][0]["line"] == 4
    assert history.run("diff", "main", "feature", "--json").json() == data


def test_diff_defaults_to_merge_base_and_working_tree(history: Repo) -> None:
    # On `feature`, A defaults to the merge-base with main, B to the working tree.
    (history.root / "backlog" / "SK-GGGG-emoji-picker.yaml").unlink()
    result = history.run("diff")
    assert result.exit_code == 0
    merge_base = history.git("merge-base", "HEAD", "main").strip()
    assert result.stdout.startswith(
        f"backlog changes: main (merge-base {merge_base[:8]}) → working tree\n"
        "1 removed, 3 changed, 1 moved, 1 spike closed, 1 invalid file\n"
    )
    assert "SK-GGGG" not in result.stdout


def test_diff_exit_code_and_no_changes(history: Repo) -> None:
    assert history.run("diff", "main", "feature", "--exit-code").exit_code == 1
    same = history.run("diff", "feature", "feature", "--exit-code")
    assert same.exit_code == 0
    assert mask(same.stdout, history).startswith(
        "backlog changes: feature (<sha>) → feature (<sha>)\n1 invalid file\nno changes\n\n"
        "invalid files\n"
        "  backlog/SK-EEEE-emoji-support.yaml (at feature): 1 problem\n"
    )
    bad = history.run("diff", "no-such-branch")
    assert bad.exit_code == 2
    assert "unknown revision 'no-such-branch'" in bad.stderr
    option_like = history.run("diff", "--", "--output=/tmp/x")
    assert option_like.exit_code == 2


def test_insertions_and_rebalances_are_not_moves(repo: Repo) -> None:
    ids = [repo.new_story(f"Story {n}") for n in range(5)]
    repo.git("branch", "base")
    repo.new_story("Inserted on top", "--top")
    repo.ok("drop", ids[2])
    repo.ok("rank", "--rebalance")
    repo.ok("rank", ids[4], "--before", ids[1])
    data = repo.run("diff", "base", "HEAD", "--json").json()
    assert isinstance(data, dict)
    assert [m["id"] for m in data["moved"]] == [ids[4]]
    assert data["moved"][0]["from"] == 5 and data["moved"][0]["to"] == 3


LOG_AAAA = """\
<sha>  2026-11-21 10:02  Pat Owner  backlog: SK-AAAA → in-progress: Send and receive emojis
    status: ready → in-progress
<sha>  2026-11-21 10:01  Pat Owner  backlog: set SK-AAAA title "Send emojis in messages" → "Send and receive emojis": Send and receive emojis
    renamed backlog/SK-AAAA-send-emojis-in-messages.yaml → backlog/SK-AAAA-send-and-receive-emojis.yaml
    title: "Send emojis in messages" → "Send and receive emojis"
<sha>  2026-11-21 10:00  Pat Owner  Backlog for the emoji feature
    created
"""


def test_log_follows_renames_hand_edits_moves_and_deletions(history: Repo) -> None:
    assert mask(history.ok("log", "aaaa").stdout, history) == LOG_AAAA
    assert mask(history.ok("log", "SK-BBBB").stdout, history) == (
        "<sha>  2026-11-21 10:03  Pat Owner  Refine the schema refactor by hand\n"
        '    acceptance_criteria: + "Existing messages migrate without loss"\n'
        "<sha>  2026-11-21 10:00  Pat Owner  Backlog for the emoji feature\n"
        "    created\n"
    )
    assert mask(history.ok("log", "SK-FFFF").stdout, history).splitlines()[:2] == [
        "<sha>  2026-11-21 10:04  Pat Owner  backlog: rank story SK-FFFF #6 → #1: Stickers",
        "    rank: #6 → #1",
    ]
    assert mask(history.ok("log", "SK-DDDD").stdout, history).splitlines()[:2] == [
        "<sha>  2026-11-21 10:07  Pat Owner  Remove the old idea",
        "    deleted",
    ]
    assert "outcome: added" in history.ok("log", "SK-CCCC").stdout
    broken = history.ok("log", "SK-EEEE").stdout
    assert "file became invalid: status: must be one of" in broken


def test_log_json(history: Repo) -> None:
    data = history.ok("log", "SK-AAAA", "--json").json()
    assert isinstance(data, dict)
    assert data["schema_version"] == 2 and data["id"] == "SK-AAAA"
    newest, renamed, created = data["commits"]
    assert newest["changes"] == [
        {"field": "status", "kind": "changed", "from": "ready", "to": "in-progress"}
    ]
    assert newest["author"] == "Pat Owner"
    assert newest["date"] == "2026-11-21T10:02:00+00:00"
    assert len(newest["commit"]) == 40
    assert renamed["renamed"] == {
        "from": "backlog/SK-AAAA-send-emojis-in-messages.yaml",
        "to": "backlog/SK-AAAA-send-and-receive-emojis.yaml",
    }
    assert created["created"] is True and created["changes"] == []
    rank = history.ok("log", "SK-FFFF", "--json").json()
    assert isinstance(rank, dict)
    assert rank["commits"][0]["rank"] == {"from": 6, "to": 1}
    assert history.run("log", "SK-ZZZZ").exit_code == 2


def test_check_github_annotations_and_since(history: Repo) -> None:
    result = history.run("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=backlog/SK-EEEE-emoji-support.yaml,line=4,col=9,title=storykit check::"
        "status: must be one of draft, ready, in-progress, done, dropped\n"
    )
    folder = history.root / "backlog"
    (folder / "SK-HHHH-new.yaml").write_text(
        "id: SK-HHHH\ntype: story\ntitle: New\nstatus: draft\nrank: a7\nparent: SK-ZZZZ\n"
    )
    since_head = history.run("check", "--format", "github", "--since", "HEAD")
    assert since_head.stdout == (
        "::error file=backlog/SK-HHHH-new.yaml,line=6,col=9,title=storykit check::"
        "parent: no item SK-ZZZZ in the backlog\n"
    )
    assert "1 file checked: 1 error, 0 warnings" in since_head.stderr
    since_main = history.run("check", "--since", "main")
    assert "SK-EEEE" in since_main.stdout and "SK-HHHH" in since_main.stdout
    assert "SK-FFFF" not in since_main.stdout


def test_github_annotation_escaping(repo: Repo) -> None:
    (repo.root / "backlog" / "SK-PCT1-x.yaml").write_text("id: SK-PCT1\ntype: epic\n%oops\n")
    out = repo.run("check", "--format", "github").stdout
    assert out.startswith("::error file=backlog/SK-PCT1-x.yaml,line=")
    assert "\n" not in out.rstrip("\n")


# --- JSON Schema ---------------------------------------------------------------------------


def _as_json(text: str) -> Any:
    """What an editor's YAML language server validates: YAML values as JSON values."""
    data = yamlio.read_document(text.encode(), "x.yaml").to_plain()
    return json.loads(json.dumps(data, default=str))


def _valid_fixtures() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    examples = [
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if b.startswith("id:")
    ]
    return examples + [t for name, t in BASE_FILES.items() if "DDDD" not in name]


INVALID_FIXTURES = {
    "unknown key": "id: SK-AAAA\ntype: epic\ntitle: t\nstatus: draft\nrank: a0\nstauts: x\n",
    "bad status": "id: SK-AAAA\ntype: epic\ntitle: t\nstatus: someday\nrank: a0\n",
    "bad type": "id: SK-AAAA\ntype: bug\ntitle: t\nstatus: draft\nrank: a0\n",
    "points off scale": "id: SK-AAAA\ntype: story\ntitle: t\nstatus: draft\nrank: a0\npoints: 4\n",
    "bad id": "id: sk-1\ntype: epic\ntitle: t\nstatus: draft\nrank: a0\n",
    "missing title": "id: SK-AAAA\ntype: epic\nstatus: draft\nrank: a0\n",
    "ready story without as_a": "id: SK-AAAA\ntype: story\ntitle: t\nstatus: ready\nrank: a0\n",
    "bad timebox": (
        "id: SK-AAAA\ntype: spike\ntitle: t\nstatus: draft\nrank: a0\ntimebox: 2 days\n"
    ),
    "value too high": "id: SK-AAAA\ntype: epic\ntitle: t\nstatus: draft\nrank: a0\nvalue: 11\n",
    "list as string": "id: SK-AAAA\ntype: epic\ntitle: t\nstatus: draft\nrank: a0\ntags: ux\n",
}


@pytest.fixture
def item_schema(repo: Repo) -> dict[str, Any]:
    data = json.loads(repo.ok("schema").stdout)
    assert isinstance(data, dict)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.mark.parametrize("index", range(len(_valid_fixtures())))
def test_schema_accepts_every_valid_fixture(item_schema: dict[str, Any], index: int) -> None:
    data = _as_json(_valid_fixtures()[index])
    data["x-jira"] = "MSG-1"
    jsonschema.validate(data, item_schema)


@pytest.mark.parametrize("name", sorted(INVALID_FIXTURES))
def test_schema_rejects_invalid_fixtures(item_schema: dict[str, Any], name: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_as_json(INVALID_FIXTURES[name]), item_schema)


def test_schema_output_file_and_init_editor_schema(bare_repo: Repo, tmp_path: Path) -> None:
    bare_repo.ok("init", "--editor-schema")
    schema_file = bare_repo.root / "backlog" / ".schema.json"
    assert schema_file.exists()
    assert "backlog/.schema.json" in bare_repo.last_commit_files()
    assert 'editor_schema = ".schema.json"' in (bare_repo.root / ".storykit.toml").read_text()
    story = bare_repo.new_story()
    text = bare_repo.item_path(story).read_text()
    assert text.startswith("# yaml-language-server: $schema=.schema.json\nid: ")
    assert bare_repo.run("check").exit_code == 0
    target = tmp_path / "out.json"
    bare_repo.ok("schema", "--output", str(target))
    assert json.loads(target.read_text()) == json.loads(schema_file.read_text())


def test_pre_commit_hook_definition() -> None:
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "storykit-check"
    assert hook["entry"] == "storykit check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.match(hook["files"], "backlog/SK-7K2M-send-emojis.yaml")
    assert re.match(hook["files"], ".storykit.toml")


def test_ci_doc_runs_the_right_commands() -> None:
    doc = (ROOT / "docs" / "ci.md").read_text()
    assert "storykit check --format github --since" in doc
    assert "storykit diff" in doc and "--format markdown" in doc
