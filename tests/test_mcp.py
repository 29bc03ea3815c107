"""`storykit mcp`: the MCP server, driven by the official SDK's own client over stdio
against a real repository. Each tool answers the JSON of the command's `--json`; a failure
is a tool error with the command's `error:` and `hint:`; a change is one commit."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.helpers import Repo
from tests.test_claims import ready_items

TOOLS = [
    "list_items",
    "next_items",
    "show_item",
    "create_item",
    "update_item",
    "claim_item",
    "close_spike",
    "check",
]


class Session:
    """What the test asks the server, and what it answered."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def answer(self, tool: str, **arguments: Any) -> Any:
        result = await self.client.call_tool(tool, arguments)
        assert not result.is_error, result.content
        return json.loads(result.content[0].text)  # type: ignore[union-attr]

    async def failure(self, tool: str, **arguments: Any) -> str:
        result = await self.client.call_tool(tool, arguments)
        assert result.is_error, result.content
        return str(result.content[0].text)  # type: ignore[union-attr]


def serve(repo: Repo, script: Any, mode: str = "auto") -> Any:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "storykit", "mcp"], cwd=str(repo.root),
        env=dict(os.environ),
    )  # fmt: skip

    async def run() -> Any:
        async with Client(params, mode=mode) as client:  # type: ignore[arg-type]
            return await script(Session(client), client)

    return asyncio.run(run())


def cli_json(repo: Repo, *args: str) -> Any:
    return json.loads(repo.ok(*args, "--json").stdout)


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # legacy: the initialize handshake
def test_the_tools_answer_as_the_command_line_does(repo: Repo, mode: str) -> None:
    ids = ready_items(repo, 3)
    repo.new_spike()

    async def script(session: Session, client: Client) -> None:
        listed = await client.list_tools()
        assert [tool.name for tool in listed.tools] == TOOLS
        size = len(json.dumps(listed.model_dump(mode="json", by_alias=True, exclude_none=True)))
        assert size < 4096, size
        assert all(tool.description for tool in listed.tools)
        assert await session.answer("list_items") == cli_json(repo, "list")
        assert await session.answer("list_items", type=["spike"], all=True) == cli_json(
            repo, "list", "--type", "spike", "--all"
        )
        assert await session.answer("next_items", limit=2) == cli_json(repo, "next", "--limit", "2")
        assert await session.answer("show_item", id=ids[1]) == cli_json(repo, "show", ids[1])
        assert await session.answer("check") == cli_json(repo, "check")

    serve(repo, script, mode)


def test_changes_are_commits_and_failures_are_tool_errors(repo: Repo) -> None:
    ids = ready_items(repo, 2)
    spike = repo.new_spike()

    async def script(session: Session, client: Client) -> dict[str, Any]:
        seen: dict[str, Any] = {"start": repo.commit_count()}
        made = await session.answer(
            "create_item", type="tech", title="Cache emoji images", fields={"why": "Fast chats"}
        )
        seen["made"] = made
        seen["after_create"] = (repo.commit_count(), repo.git("log", "-1", "--format=%s").strip())
        seen["updated"] = await session.answer(
            "update_item", id=made["item"]["id"], changes=["points=3"]
        )
        seen["claimed"] = await session.answer("claim_item", owner="agent-1")
        seen["taken"] = await session.failure("claim_item", id=ids[0], owner="agent-2")
        seen["closed"] = await session.answer(
            "close_spike", id=spike, outcome="UTF-8 everywhere", follow_ups=["story: Emoji picker"]
        )
        seen["missing"] = await session.failure("show_item", id="SK-ZZZZ")
        seen["unknown"] = await session.failure(
            "create_item", type="tech", title="X", fields={"colour": "red"}
        )
        seen["gate"] = await session.failure("update_item", id=ids[1], changes=["status=shipped"])
        seen["bad"] = await session.failure("update_item", id=ids[1], changes=["points=lots"])
        return seen

    seen = serve(repo, script)
    start = seen["start"]
    assert seen["after_create"][0] == start + 1
    assert (
        seen["after_create"][1]
        == f"backlog: new tech {seen['made']['item']['id']}: Cache emoji images"
    )
    assert seen["made"]["commit"] and seen["made"]["changed"] is True
    assert seen["updated"]["item"]["points"] == 3
    assert seen["claimed"]["item"]["id"] == ids[0]
    assert seen["claimed"]["item"]["owner"] == "agent-1"
    assert seen["claimed"]["item"]["status"] == "in-progress"
    # The command line's message and hint, as a tool error.
    assert f"error: {ids[0]} is already claimed by agent-1" in seen["taken"]
    assert "hint: `storykit claim` without an ID" in seen["taken"]
    assert seen["closed"]["item"]["status"] == "done"
    assert [f["title"] for f in seen["closed"]["follow_ups"]] == ["Emoji picker"]
    assert "error: no item 'SK-ZZZZ'" in seen["missing"] and "hint:" in seen["missing"]
    assert "tech has no field colour" in seen["unknown"]
    assert "error:" in seen["gate"] and "Traceback" not in seen["gate"]
    assert "points" in seen["bad"]
    # Four changes, four commits; nothing left behind; the backlog still checks.
    assert repo.commit_count() == start + 4
    assert repo.status() == ""
    repo.ok("check")
    subjects = repo.git("log", "-4", "--format=%s").splitlines()
    assert subjects[1].startswith(f"backlog: claim {ids[0]} for agent-1: ")


def test_without_the_sdk_the_command_says_how_to_install_it(repo: Repo) -> None:
    code = (
        "import sys\n"
        "sys.modules['mcp'] = None\n"  # what an install without the extra has: no SDK
        "sys.argv = ['storykit', 'mcp']\n"
        "from storykit.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "pip install 'storykit[mcp]'" in done.stderr and "Traceback" not in done.stderr
