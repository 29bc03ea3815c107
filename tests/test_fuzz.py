"""Fuzzing: whatever bytes an item file holds, `check`, `list` and `show` answer with exit 0
or 1 and a message — never a traceback, never an internal error, never slowly — and the
valid item beside it is still listed.

STORYKIT_FUZZ_EXAMPLES sets the number of files tried per strategy (default 120).
"""

from __future__ import annotations

import os
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Repo, Run

EXAMPLES = int(os.environ.get("STORYKIT_FUZZ_EXAMPLES", "120"))
# CPU seconds of this thread per command. The real cost is under a second even for a
# 256 KiB file; what this catches is super-linear work (ruamel's scanner once took 53 s on
# one line of brackets). A command over it runs again: inside a virtual machine CPU time
# also grows while the host runs something else, so one slow run proves nothing, but a
# slow input is slow twice.
TIME_LIMIT = 10.0
NAME = "SK-F0ZZ-fuzzed.yaml"
VALID = (
    b"# A story, with a comment\n"
    b"id: SK-F0ZZ\n"
    b"type: story\n"
    b"title: Send emojis in messages\n"
    b"status: ready\n"
    b"rank: a1\n"
    b"created: 2026-11-21\n"
    b"points: 3\n"
    b"tags: [ux, chat]\n"
    b"as_a: user\n"
    b"i_want: to send emojis\n"
    b"so_that: |\n"
    b"  I can express emotions\n"
    b"acceptance_criteria:\n"
    b"  - an emoji picker opens from the message field\n"
    b"x-jira: MSG-1\n"
)
YAML_BITS = [
    b"\n", b": ", b"- ", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!str ", b"|\n", b">-\n",
    b"\t", b"\r\n", b"\r", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"---\n", b"...\n",
    b"%YAML 1.1\n", b"<<<<<<< HEAD\n", b"'", b'"', b"#", b"? ", b"  ", b"\xe9", b"\xf0\x9f\x98",
    b"no", b"yes", b"~", b"null", b"2026-11-21T10:00:00", b"1e400", b"0x1F", b"9" * 5000,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The valid file, cut, spliced and sprinkled with YAML's sharp edges."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "repeat", "flip"]))
        if action == "cut":
            del data[where:]
        elif action == "insert":
            data[where:where] = draw(st.sampled_from(YAML_BITS) | st.binary(max_size=8))
        elif action == "delete":
            del data[where : where + draw(st.integers(1, 40))]
        elif action == "repeat":
            data[where:where] = data[max(0, where - 40) : where] * draw(st.integers(1, 3))
        elif data:
            data[min(where, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(1, 400))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"{a: ", b"}"), (b"- ", b"")]))
    body = opener * depth + b"x" + closer * depth
    return VALID + b"notes: " + body + b"\n"


@st.composite
def huge(draw: st.DrawFn) -> bytes:
    size = draw(st.sampled_from([10_000, 200_000, 262_144, 300_000]))
    field = draw(st.sampled_from([b"title", b"notes", b"points", b"x-blob", b"tags"]))
    filler = draw(st.sampled_from([b"x", b"9", b"\xf0\x9f\x98\x80", b"- a\n  "]))
    return VALID.replace(b"x-jira: MSG-1\n", field + b": " + filler * (size // len(filler)) + b"\n")


# Scalars with YAML's sharp edges: escapes of control characters and line separators,
# dates out of range, numbers out of range, words YAML 1.1 reads as booleans.
ODD_SCALARS = [
    '"\\e[2J"', '"\\x00"', '"a\\nb"', '"\\u2028"', '"\\x85"', "'it''s'", "~", "null", "yes",
    "No", ".inf", "-.nan", "1e400", "0x1F", "0o17", "-0", "9" * 40, "2026-02-30", "9999-12-31",
    "0001-01-01T00:00:00+14:00", "2026-11-21 10:00:00", "|\n  block\n", ">-\n  folded\n",
    '"\\"', "'#not a comment'", "a: b", "- x", "@x", "`x`", "%x", "!!str x", "!x y",
]  # fmt: skip
KEYS = ["title", "notes", "tags", "points", "started", "x-a", '"x-\\n::e"', "? k", "<<", "id"]


@st.composite
def yaml_node(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML value as text, in flow style: scalars, flow sequences and mappings, anchors
    and aliases, nested up to 30 levels (the limit is 20)."""
    kind = draw(st.sampled_from(["scalar", "scalar", "seq", "map"] if depth < 30 else ["scalar"]))
    anchor = draw(st.sampled_from(["", "", "", "&a ", "!!map ", "*a "]))
    if kind == "scalar":
        return anchor + draw(st.sampled_from(ODD_SCALARS) | st.text(max_size=6))
    children = draw(st.lists(yaml_node(depth + 1), max_size=3))
    if kind == "seq":
        return anchor + "[" + ", ".join(children) + "]"
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=len(children), max_size=len(children)))
    return anchor + "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, children, strict=True)) + "}"


@st.composite
def yaml_block(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> str:
    """Block mappings and sequences (with flow nodes and comments inside), indented."""
    pad = " " * indent
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        comment = draw(st.sampled_from(["", "", "  # note", "\n#"]))
        nested = depth < 25 and draw(st.booleans())
        lead = draw(st.sampled_from(["- ", f"{draw(st.sampled_from(KEYS))}:"]))
        if nested:
            step = draw(st.sampled_from([1, 2, 4]))
            lines.append(f"{pad}{lead}{comment}\n" + draw(yaml_block(indent + step, depth + 1)))
        else:
            lines.append(f"{pad}{lead} {draw(yaml_node())}{comment}")
    return "\n".join(lines)


@st.composite
def structured(draw: st.DrawFn) -> bytes:
    """The valid file with one field replaced by generated YAML (block or flow)."""
    field = draw(st.sampled_from(["x-jira", "tags", "notes", "title", "created", "so_that"]))
    if draw(st.booleans()):
        value = f"{field}:\n" + draw(yaml_block(indent=draw(st.sampled_from([0, 2]))))
    else:
        value = f"{field}: " + draw(yaml_node())
    lines = [line for line in VALID.decode().splitlines() if not line.startswith(f"{field}:")]
    where = draw(st.integers(0, len(lines)))
    lines[where:where] = [value]
    return ("\n".join(lines) + "\n").encode()


@st.composite
def deep(draw: st.DrawFn) -> bytes:
    """Nesting far past the limit in every form, up to the 256 KiB a file may hold: ruamel's
    C parser crashed the process at about 30,000 levels."""
    levels = draw(st.sampled_from([21, 300, 1_000, 5_000, 40_000]))
    form = draw(st.sampled_from(["flow", "block-seq", "block-map", "mixed", "compact"]))
    if form == "flow":
        body = " " + draw(st.sampled_from(["[", "{a: ", "[{a: "])) * levels
    elif form == "compact":
        body = "\n" + "- " * levels + "x"
    elif form == "block-seq":
        body = "\n" + "".join(" " * i + "-\n" for i in range(min(levels, 700)))
    elif form == "block-map":
        body = "\n" + "".join(" " * (i + 1) + "k:\n" for i in range(min(levels, 700)))
    else:
        body = "\n" + "".join(" " * i + "- k: [\n" for i in range(min(levels, 500)))
    return VALID + b"x-deep:" + body.encode()[:250_000] + b"\n"


def _run_all(repo: Repo, content: bytes) -> None:
    (repo.root / "backlog" / NAME).write_bytes(content)
    listed = repo.run("list", "--all")
    assert NEIGHBOUR in listed.stdout, (content[:200], listed.stderr)  # one file hides nothing
    for args in (("check",), ("list", "--all"), ("show", "SK-F0ZZ"), ("list", "--json")):
        result, elapsed = _timed(repo, args)
        if elapsed >= TIME_LIMIT:  # a slow input is slow every time; a busy machine is not
            result, elapsed = _timed(repo, args)
        assert result.exit_code in (0, 1), (args, content[:200], result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
            args,
            content[:200],
            result.stderr,
        )
        assert elapsed < TIME_LIMIT, (args, elapsed, content[:200])
        printed = result.stdout + result.stderr
        assert not CONTROLS.search(printed), (args, content[:200], printed[:500])
        if result.exit_code == 1 and args[0] != "check":
            assert "error: " in result.stderr  # a failure always says what is wrong


def _timed(repo: Repo, args: tuple[str, ...]) -> tuple[Run, float]:
    started = time.thread_time()
    result = repo.run(*args)  # an exception other than SystemExit is raised here
    return result, time.thread_time() - started


NEIGHBOUR = "A valid neighbour that must stay visible"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # never printed, whatever a file holds


def _fuzz(repo: Repo, strategy: st.SearchStrategy[bytes], examples: int) -> None:
    repo.new_story(NEIGHBOUR)

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(content=strategy)
    def run(content: bytes) -> None:
        _run_all(repo, content)

    run()


def test_random_bytes(repo: Repo) -> None:
    _fuzz(repo, st.binary(max_size=600), EXAMPLES)


def test_mutated_item_files(repo: Repo) -> None:
    _fuzz(repo, mutated(), EXAMPLES)


def test_deep_nesting(repo: Repo) -> None:
    _fuzz(repo, nested(), EXAMPLES // 3)


def test_huge_scalars(repo: Repo) -> None:
    _fuzz(repo, huge(), EXAMPLES // 6)


def test_text_that_looks_like_yaml(repo: Repo) -> None:
    lines = st.lists(
        st.text(alphabet=st.sampled_from(list("ab:-[]{}#&*!|>'\" \t\n0129.~")), max_size=30),
        max_size=12,
    )
    _fuzz(repo, lines.map(lambda parts: "\n".join(parts).encode()), EXAMPLES)


def test_structured_yaml(repo: Repo) -> None:
    _fuzz(repo, structured(), EXAMPLES)


def test_nesting_past_any_parser_limit(repo: Repo) -> None:
    _fuzz(repo, deep(), EXAMPLES // 4)
