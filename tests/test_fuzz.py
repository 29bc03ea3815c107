"""Fuzzing: whatever bytes an item file holds, `check`, `list` and `show` answer with exit 0
or 1 and a message — never a traceback, never an internal error, never slowly.

STORYKIT_FUZZ_EXAMPLES sets the number of files tried per strategy (default 120).
"""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Repo

EXAMPLES = int(os.environ.get("STORYKIT_FUZZ_EXAMPLES", "120"))
TIME_LIMIT = 3.0  # seconds per command, in-process; the real cost is tens of milliseconds
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


def _run_all(repo: Repo, content: bytes) -> None:
    (repo.root / "backlog" / NAME).write_bytes(content)
    for args in (("check",), ("list", "--all"), ("show", "SK-F0ZZ"), ("list", "--json")):
        started = time.monotonic()
        result = repo.run(*args)  # an exception other than SystemExit is raised here
        elapsed = time.monotonic() - started
        assert result.exit_code in (0, 1), (args, content[:200], result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
            args,
            content[:200],
            result.stderr,
        )
        assert elapsed < TIME_LIMIT, (args, elapsed, content[:200])
        if result.exit_code == 1 and args[0] != "check":
            assert "error: " in result.stderr  # a failure always says what is wrong


def _fuzz(repo: Repo, strategy: st.SearchStrategy[bytes], examples: int) -> None:
    repo.new_story("A valid neighbour that must stay visible")

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
