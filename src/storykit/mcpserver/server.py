"""`storykit mcp`: the tools of tools.py served over stdio with the official MCP SDK (the
optional extra `storykit[mcp]`). Each tool answers with the JSON text the command line's
`--json` prints; a failure is a tool error holding the command line's `error:` and `hint:`
lines (docs/architecture.md, "The MCP server").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from storykit import __version__
from storykit.errors import BUG_HINT, StorykitError, error_text
from storykit.mcpserver.tools import Tools
from storykit.services.answers import json_text

INSTRUCTIONS = (
    "The backlog of this git repository, kept by storykit: one file per item, one commit per "
    "change. Find work with next_items, take it with claim_item (push: true when other "
    "clones work too), record what you learn with update_item and close_spike, and capture "
    "what you discover with create_item. Never edit backlog files by hand."
)

# name: (what it does, whether it only reads)
TOOLS: dict[str, tuple[str, bool]] = {
    "list_items": (
        "The open backlog in rank order (all: closed items too), filtered by status, type, "
        "tag, owner or text.",
        True,
    ),
    "next_items": ("What to pick up now: top ready items whose dependencies are done.", True),
    "show_item": ("Every field of an item, its children and their progress.", True),
    "create_item": (
        "Create a story, tech, spike, epic or task at the bottom of the backlog (one commit).",
        False,
    ),
    "update_item": (
        "Change fields of an item, status too (through the workflow's gates; one commit).",
        False,
    ),
    "claim_item": (
        "Take an item (default: the top of next_items): owner set, in progress, one commit. "
        "Held by someone else: an error naming them; take another.",
        False,
    ),
    "close_spike": (
        "Close a spike with its outcome; follow-ups created in the same commit.",
        False,
    ),
    "check": ("Validate every item file and the backlog as a whole.", True),
}


def build(root: Path) -> MCPServer:
    """The server with its eight tools, on the project at `root`."""
    server: MCPServer = MCPServer(
        "storykit", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )
    tools = Tools(root)
    for name, (description, read_only) in TOOLS.items():
        server.add_tool(
            _answering(getattr(tools, name)),
            name=name,
            description=description,
            annotations=ToolAnnotations(read_only_hint=True) if read_only else None,
            structured_output=False,
        )
    return server


def _answering(tool: Callable[..., dict[str, Any]]) -> Callable[..., str]:
    """The tool answering JSON text, its failures turned into tool errors."""

    @functools.wraps(tool)
    def call(**arguments: Any) -> str:
        try:
            return json_text(tool(**arguments))
        except StorykitError as exc:
            raise ToolError("\n".join(exc.lines())) from None
        except Exception as exc:  # a bug: said as the command line says it, never a crash
            raise ToolError(f"error: {error_text(exc)}\nhint: {BUG_HINT}") from None

    return call


def serve(root: Path) -> None:
    """Serve over stdin and stdout until the client closes them."""
    build(root).run("stdio")
