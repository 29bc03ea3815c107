"""Every reading rule gives a `path:line:col` error; valid items stay visible."""

from __future__ import annotations

import time

import pytest

from tests.helpers import Repo

GOOD = (
    "id: {id}\ntype: story\ntitle: Send emojis\nstatus: draft\nrank: a0\n"
    "as_a: user\ni_want: emojis\nso_that: I can express emotions\n"
)

CASES: list[tuple[str, bytes, str]] = [
    (
        "conflict-markers",
        b"id: SK-BAD1\n<<<<<<< HEAD\ntitle: a\n=======\ntitle: b\n>>>>>>> topic\n",
        ":2:1: error: merge conflict marker",
    ),
    (
        "diff3-marker",
        b"id: SK-BAD1\n||||||| base\n",
        ":2:1: error: merge conflict marker",
    ),
    (
        "duplicate-key",
        GOOD.format(id="SK-BAD1").encode() + b"status: ready\n",
        ":9:1: error: duplicate key 'status'",
    ),
    ("anchor", b"id: &a SK-BAD1\n", ":1:5: error: anchors (&name) are not allowed"),
    ("alias", b"id: SK-BAD1\ntitle: x\nnotes: *x\n", ":3:8: error: aliases"),
    ("tag", b"id: SK-BAD1\npoints: !!int 5\n", ":2:9: error: tags (tag:yaml.org,2002:int)"),
    ("custom-tag", b"id: SK-BAD1\nnotes: !secret x\n", ":2:8: error: tags (!secret)"),
    (
        "complex-key",  # found by the fuzzer: Python cannot hold `{k: []}` as a key
        b"x-jira:\n? k: []\nid: SK-BAD1\n",
        ":2:3: error: a key must be a plain value, not a list or a mapping",
    ),
    ("list-key", b"id: SK-BAD1\n? [a, b]\n: c\n", ":2:3: error: a key must be a plain value"),
    (
        "two-documents",
        b"id: SK-BAD1\n---\nid: SK-BAD2\n",
        ":2:1: error: invalid YAML: more than one",
    ),
    (
        "type-a-list",  # found by a property test: it was an internal error
        b"id: SK-BAD1\ntype: []\ntitle: x\nstatus: ready\nrank: a0\nzzz: 1\n",
        ":2:7: error: type: must be one of epic, story, tech, spike, task",
    ),
    (
        "type-a-mapping",
        b"id: SK-BAD1\ntype: {a: 1}\ntitle: x\nstatus: ready\nrank: a0\n",
        ":2:7: error: type: must be one of",
    ),
    ("list-top-level", b"- id: SK-BAD1\n", ":1:1: error: expected a mapping of fields"),
    ("scalar-top-level", b"just text\n", ":1:1: error: expected a mapping of fields"),
    ("empty", b"", ":1:1: error: file is empty"),
    ("comment-only", b"# nothing here\n", ":1:1: error: file is empty"),
    ("too-big", b"id: SK-BAD1\nnotes: " + b"x" * (256 * 1024) + b"\n", ":1:1: error: file is"),
    ("bad-utf8", b"id: SK-BAD1\ntitle: caf\xe9\n", ":2:11: error: invalid UTF-8"),
    ("utf16", "id: SK-BAD1\n".encode("utf-16"), ":1:1: error: file is UTF-16"),
    ("nul", b"id: SK-BAD1\ntitle: a\x00b\n", ":2:9: error: NUL byte is not allowed"),
    ("yaml-1.1", b"%YAML 1.1\n---\nid: SK-BAD1\n", ":1:1: error: %YAML 1.1 is not supported"),
    ("control-char", b"id: SK-BAD1\ntitle: a\x1bb\n", ":2:9: error: control character U+001B"),
    ("stray-cr", b"id: SK-BAD1\ntitle: a\rb\n", ":2:9: error: stray carriage return"),
    (
        "yes-as-points",
        b"id: SK-BAD1\ntype: story\ntitle: t\nstatus: draft\nrank: a0\n"
        b"points: yes\nas_a: u\ni_want: w\nso_that: s\n",
        ":6:9: error: points: must be a number",
    ),
    ("tab-indent", b"id: SK-BAD1\ntags:\n\t- x\n", ":3:1: error: invalid YAML"),
    (
        "deep-nesting",
        b"id: SK-BAD1\nnotes: " + b"[" * 25 + b"]" * 25 + b"\n",
        ":2:27: error: nesting deeper than 20 levels",
    ),
    (
        "wrong-types",
        b"id: SK-BAD1\ntype: story\ntitle: 2026-11-21\nstatus: draft\nrank: a0\n"
        b"points: yes\nas_a: u\ni_want: w\nso_that: s\n",
        ":3:8: error: title: must be one line of text",
    ),
    (
        "unknown-key",
        b"id: SK-BAD1\ntype: story\ntitle: t\nstauts: draft\nrank: a0\n"
        b"as_a: u\ni_want: w\nso_that: s\n",
        ":4:1: error: stauts: unknown key (did you mean 'status'?)",
    ),
    (
        "bad-type",
        b"id: SK-BAD1\ntype: bug\ntitle: t\nstatus: draft\nrank: a0\n",
        ":2:7: error: type: must be one of epic, story, tech, spike, task",
    ),
    (
        "id-mismatch",
        GOOD.format(id="SK-OTHR").encode(),
        ":1:5: error: id: SK-OTHR does not match the file name (SK-BAD1)",
    ),
    (
        "missing-fields",
        b"id: SK-BAD1\ntype: spike\ntitle: t\nstatus: ready\nrank: a0\n",
        ":1:1: error: question: required field is missing "
        "(only a draft or dropped spike may leave it out)",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reading_rule(repo: Repo, name: str, content: bytes, expected: str) -> None:
    good = repo.new_story("A valid story")
    path = repo.root / "backlog" / "SK-BAD1-broken.yaml"
    path.write_bytes(content)

    checked = repo.run("check")
    assert checked.exit_code == 1
    assert f"backlog/SK-BAD1-broken.yaml{expected}" in checked.stdout, checked.stdout
    assert "Traceback" not in checked.stdout + checked.stderr

    listed = repo.run("list")
    assert listed.exit_code == 0
    assert good in listed.stdout
    assert "warning: 1 invalid file skipped (backlog/SK-BAD1-broken.yaml)" in listed.stderr

    shown = repo.run("show", "SK-BAD1")
    assert shown.exit_code == 1
    assert f"backlog/SK-BAD1-broken.yaml{expected}" in shown.stderr
    assert "hint: fix it with `storykit edit SK-BAD1`" in shown.stderr

    before = repo.snapshot()
    refused = repo.run("set", "SK-BAD1", "points=3")
    assert refused.exit_code == 1
    assert repo.snapshot() == before


def test_all_problems_of_a_file_are_reported_at_once(repo: Repo) -> None:
    path = repo.root / "backlog" / "SK-BAD1-broken.yaml"
    path.write_text(
        "id: SK-BAD1\ntype: story\ntitle: t\nstatus: started\nrank: a0\npoints: 4\n"
        "value: 11\ntags: ux\nas_a: u\ni_want: w\n"
    )
    out = repo.run("check").stdout
    for expected in (
        ":1:1: error: so_that: required field is missing",
        ":4:9: error: status: must be one of draft, ready, in-progress, done, dropped",
        ":6:9: error: points: must be one of 1, 2, 3, 5, 8, 13",
        ":7:8: error: value: must be a whole number from 1 to 10",
        ":8:7: error: tags: must be a list (one `- item` per line)",
    ):
        assert f"backlog/SK-BAD1-broken.yaml{expected}" in out, out


def test_bom_and_crlf_files_are_accepted_and_kept(repo: Repo) -> None:
    text = GOOD.format(id="SK-CRNF").replace("\n", "\r\n")
    path = repo.root / "backlog" / "SK-CRNF-send-emojis.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    repo.git("add", "-A")
    repo.git("commit", "-qm", "hand-written")
    repo.ok("set", "SK-CRNF", "points=3", "tags+=ux")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"points: 3\r\n" in raw


def test_yaml_1_2_words_stay_strings(repo: Repo) -> None:
    path = repo.root / "backlog" / "SK-YES1-yes.yaml"
    path.write_text(
        "id: SK-YES1\ntype: epic\ntitle: yes\nstatus: draft\nrank: a0\ngoal: on\nowner: no\n"
    )
    data = repo.ok("show", "SK-YES1", "--json").json()
    assert isinstance(data, dict)
    assert data["item"]["title"] == "yes"
    assert data["item"]["goal"] == "on"
    assert data["item"]["owner"] == "no"


def test_x_keys_and_custom_fields_are_kept(repo: Repo) -> None:
    config = repo.root / ".storykit.toml"
    config.write_text(
        config.read_text().replace("custom_fields = []", 'custom_fields = ["customer"]')
    )
    path = repo.root / "backlog" / "SK-XKEY-x.yaml"
    path.write_text(
        "id: SK-XKEY\ntype: epic\ntitle: x\nstatus: draft\nrank: a0\ngoal: g\n"
        "x-jira: MSG-1\ncustomer: ACME\n"
    )
    assert repo.run("check").exit_code == 0
    data = repo.ok("show", "SK-XKEY", "--json").json()
    assert isinstance(data, dict)
    assert data["item"]["x-jira"] == "MSG-1" and data["item"]["customer"] == "ACME"


def test_check_reports_backlog_wide_problems(repo: Repo) -> None:
    folder = repo.root / "backlog"
    base = "type: story\ntitle: t\nstatus: draft\nrank: a0\nas_a: u\ni_want: w\nso_that: s\n"
    (folder / "SK-AAAA-one.yaml").write_text("id: SK-AAAA\n" + base + "parent: SK-ZZZZ\n")
    (folder / "SK-AAAA-two.yaml").write_text("id: SK-AAAA\n" + base)
    (folder / "SK-BBBB-b.yaml").write_text("id: SK-BBBB\n" + base + "depends_on:\n  - SK-CCCC\n")
    (folder / "SK-CCCC-c.yaml").write_text("id: SK-CCCC\n" + base + "depends_on:\n  - SK-BBBB\n")
    (folder / "SK-DDDD-d.yaml").write_text(
        "id: SK-DDDD\n" + base.replace("status: draft", "status: ready")
    )
    (folder / "notes.yaml").write_text("id: SK-EEEE\n" + base)
    result = repo.run("check")
    assert result.exit_code == 1
    out = result.stdout
    assert "backlog/SK-AAAA-one.yaml:9:9: error: parent: no item SK-ZZZZ in the backlog" in out
    assert "backlog/SK-AAAA-two.yaml:1:5: error: id: duplicate id SK-AAAA" in out
    assert "error: depends_on: dependency cycle SK-BBBB → SK-CCCC → SK-BBBB" in out
    assert "backlog/SK-DDDD-d.yaml:4:9: error: status: a story needs acceptance criteria" in out
    assert "backlog/notes.yaml:1:1: error: file name must be <ID>-<slug>.yaml" in out
    assert "errors" in result.stderr

    data = repo.run("check", "--format", "json").json()
    assert isinstance(data, dict)
    assert data["schema_version"] == 2 and data["ok"] is False
    codes = {p["code"] for p in data["problems"]}
    assert {"dangling-reference", "duplicate-id", "cycle", "gate", "invalid"} <= codes
    assert repo.run("check", "--json").json() == data


def test_check_passes_on_a_clean_backlog(repo: Repo) -> None:
    repo.new_story()
    repo.new_spike()
    result = repo.run("check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "2 files checked: 0 errors, 0 warnings\n"
    assert repo.run("check", "--format", "xml").exit_code == 2


def test_long_dependency_chains_and_self_dependency(repo: Repo) -> None:
    folder = repo.root / "backlog"
    base = "type: epic\ntitle: t\nstatus: draft\nrank: a0\ngoal: g\n"
    codes = [f"{n:04d}".translate(str.maketrans("0123456789", "ABCDEFGHJK")) for n in range(3000)]
    for index, code in enumerate(codes):
        deps = f"depends_on:\n  - SK-{codes[index + 1]}\n" if index + 1 < len(codes) else ""
        (folder / f"SK-{code}-e.yaml").write_text(f"id: SK-{code}\n" + base + deps)
    assert repo.run("check").exit_code == 0
    (folder / "SK-SELF-s.yaml").write_text("id: SK-SE1F\n" + base)
    (folder / "SK-SE1F-s.yaml").write_text("id: SK-SE1F\n" + base + "depends_on:\n  - SK-SE1F\n")
    (folder / "SK-SELF-s.yaml").unlink()
    out = repo.run("check").stdout
    assert "depends_on: dependency cycle SK-SE1F → SK-SE1F" in out


def test_an_alias_bomb_is_refused_in_milliseconds(repo: Repo) -> None:
    from storykit import yamlio
    from storykit.errors import InvalidDataError

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    bomb = ("id: SK-BAD1\n" + "\n".join(lines) + "\n").encode()
    yamlio.fast_load(b"warm: up\n")  # imports are not the reader's time
    started = time.perf_counter()
    for reader in (yamlio.read_document, lambda raw, _: yamlio.fast_load(raw)):
        try:
            result = reader(bomb, "backlog/SK-BAD1.yaml")
        except InvalidDataError as exc:
            assert "anchors (&name) are not allowed" in str(exc.diagnostics[0])
        else:
            assert result is None  # the fast loader declines; the strict reader reports
    assert time.perf_counter() - started < 0.05
    (repo.root / "backlog" / "SK-BAD1.yaml").write_bytes(bomb)
    result = repo.run("check")
    assert result.exit_code == 1
    assert "backlog/SK-BAD1.yaml:2:5: error: anchors (&name) are not allowed" in result.stdout


def test_an_id_claimed_by_two_files_is_never_guessed(repo: Repo) -> None:
    """As after merging two branches that each created or renamed the item."""
    (repo.root / "backlog" / "SK-AAAA-one.yaml").write_text(GOOD.format(id="SK-AAAA"))
    (repo.root / "backlog" / "SK-AAAA-two.yaml").write_text(GOOD.format(id="SK-AAAA"))
    repo.git("add", "-A")
    repo.git("commit", "-qm", "merged")
    before = repo.snapshot()
    for args in (("set", "SK-AAAA", "points=3"), ("show", "aaaa"), ("start", "SK-AAAA")):
        result = repo.run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert (
            "error: SK-AAAA is in 2 files: backlog/SK-AAAA-one.yaml, backlog/SK-AAAA-two.yaml"
            in result.stderr
        )
        assert repo.snapshot() == before
    listed = repo.ok("list").stdout
    assert listed.count("SK-AAAA") == 2  # both shown, neither silently dropped


def test_a_fifo_or_a_folder_named_like_an_item_is_refused_without_waiting(repo: Repo) -> None:
    import os

    story = repo.new_story()
    os.mkfifo(repo.root / "backlog" / "SK-F1F0-pipe.yaml")
    (repo.root / "backlog" / "SK-D1R0-folder.yaml").mkdir()
    before = repo.snapshot()
    started = time.monotonic()
    checked = repo.run("check")
    assert checked.exit_code == 1
    for name in ("SK-F1F0-pipe.yaml", "SK-D1R0-folder.yaml"):
        assert f"backlog/{name}:1:1: error: cannot read: not a regular file" in checked.stdout
    assert story in repo.ok("list").stdout
    for args in (("show", "F1F0"), ("set", "F1F0", "points=3"), ("edit", "D1R0")):
        result = repo.run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert "not a regular file" in result.stderr
    assert time.monotonic() - started < 10  # nothing waited for a writer
    assert repo.snapshot() == before
