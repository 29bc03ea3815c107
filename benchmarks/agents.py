"""Time what coding agents do with storykit on a generated backlog (issue 27's budgets).

    python benchmarks/agents.py                      # 1,000 items
    python benchmarks/agents.py --items 1000 --runs 9

Not a test: CI does not run it. It times, with the installed `storykit`:

- `claim` with its commit (whole process; each run claims the next free item);
- 8 claims started at once on one clone (wall clock until the last ends; the winners
  must be 8 distinct items, each with its own commit);
- `claim --push` from three clones of one bare remote, 6 at once (wall clock, and how many
  tries the slowest needed; each item must be claimed once in the remote's history);
- the MCP server (`storykit mcp`, with the SDK's own client over stdio): its start-up to
  the answered handshake, the size of its tool list as JSON, and `list_items` after
  start-up (the first call, then the median of `--runs` more).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import age

STORYKIT = str(Path(sys.executable).parent / "storykit")


def sk(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STORYKIT, *args], cwd=root, capture_output=True, text=True, check=False)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def make_ready(root: Path, count: int) -> None:
    """Enough free items for every claim timed: the first open stories set ready."""
    listed = json.loads(sk(root, "list", "--type", "story", "--json").stdout)["items"]
    free = [i["id"] for i in listed if i["status"] in ("draft", "ready") and not i["depends_on"]]
    done = sk(root, "set", *free[:count], "points=3", "status=ready", "owner=")
    assert done.returncode == 0, done.stderr


def time_claims(root: Path, runs: int) -> list[float]:
    times = []
    for n in range(runs):
        began = time.perf_counter()
        done = sk(root, "claim", "--owner", f"agent-{n}")
        times.append(time.perf_counter() - began)
        assert done.returncode == 0, done.stderr
    return times


def race_on_one_clone(root: Path) -> float:
    before = int(git(root, "rev-list", "--count", "HEAD"))
    began = time.perf_counter()
    racers = [
        subprocess.Popen(
            [STORYKIT, "claim", "--owner", f"racer-{n}"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    outs = [p.communicate()[0] for p in racers]
    took = time.perf_counter() - began
    won = {line.split()[2].rstrip(":") for out in outs for line in out.splitlines()}
    assert all(p.returncode == 0 for p in racers) and len(won) == 8, outs
    assert int(git(root, "rev-list", "--count", "HEAD")) == before + 8
    return took


def race_across_clones(root: Path, work: Path) -> tuple[float, int]:
    remote = work / "remote.git"
    git(work, "clone", "-q", "--bare", str(root), str(remote))
    clones = []
    for name in ("ana", "ben", "cy"):
        git(work, "clone", "-q", str(remote), str(work / name))
        git(work / name, "config", "user.name", name)
        git(work / name, "config", "user.email", f"{name}@example.com")
        clones.append(work / name)
    began = time.perf_counter()
    racers = [
        subprocess.Popen(
            [STORYKIT, "claim", "--push", "--json", "--owner", f"{c.name}-{n}"],
            cwd=c,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in clones
        for n in range(2)
    ]
    outs = [p.communicate()[0] for p in racers]
    took = time.perf_counter() - began
    assert all(p.returncode == 0 for p in racers), outs
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    claimed = [s.split()[2] for s in subjects if s.startswith("backlog: claim ")]
    pushed = [json.loads(out)["item"]["id"] for out in outs]
    assert len(set(pushed)) == 6 and set(pushed) <= set(claimed), (pushed, claimed)
    return took, max(json.loads(out)["tries"] for out in outs)


async def time_mcp(root: Path, runs: int) -> tuple[float, int, float, list[float]]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(command=STORYKIT, args=["mcp"], cwd=str(root))
    began = time.perf_counter()
    async with Client(params) as client:
        started = time.perf_counter() - began
        tools = await client.list_tools()
        size = len(json.dumps(tools.model_dump(mode="json", by_alias=True, exclude_none=True)))
        began = time.perf_counter()
        first = await client.call_tool("list_items", {})
        first_time = time.perf_counter() - began
        assert not first.is_error, first
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            await client.call_tool("list_items", {})
            times.append(time.perf_counter() - began)
    return started, size, first_time, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    for items in options.items:
        work = Path(tempfile.mkdtemp(prefix="sk-agents-"))
        try:
            root = work / "repo"
            generate(root, items)
            make_ready(root, 40)
            age(root)
            sk(root, "list")  # the read cache, as a clone in use has it
            claims = time_claims(root, options.runs)
            race = race_on_one_clone(root)
            pushed, tries = race_across_clones(root, work)
            started, size, first, lists = asyncio.run(time_mcp(root, options.runs))
            print(f"{items} items")
            print(
                f"  claim (commit included)       median {statistics.median(claims):.3f} s"
                f"  min {min(claims):.3f}  max {max(claims):.3f}"
            )
            print(f"  8 claims at once, one clone   {race:.2f} s, 8 distinct winners")
            print(f"  6 claim --push, three clones  {pushed:.2f} s, slowest took {tries} tries")
            print(f"  mcp start-up (handshake)      {started:.3f} s")
            print(f"  mcp tool list                 {size} bytes of JSON")
            print(
                f"  mcp list_items                first {first:.3f} s, then median "
                f"{statistics.median(lists):.3f} s (max {max(lists):.3f})"
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
