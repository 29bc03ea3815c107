"""The merge driver's side of the merge helper (helper.py): where the helper listens, and
one file's three versions sent to it and merged back.

git starts the driver once per file, so this side imports only the standard library's
sockets and JSON (and `locations`): a driver whose helper answers a clean merge loads
nothing else. Any failure to reach the helper is None: the driver then merges itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
from pathlib import Path
from typing import TypedDict

from storykit.locations import package_fingerprint

ANSWER_SECONDS = 30.0
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


def enabled() -> bool:
    wanted = os.environ.get("STORYKIT_MERGE_SERVER", "1") != "0"
    return wanted and hasattr(socket, "AF_UNIX") and hasattr(os, "getuid")


def socket_path(state_dir: Path) -> Path | None:
    """Where this storykit's helper for this repository listens: in the user's runtime
    folder (a socket path must be short), named after the repository's storykit folder and
    this storykit. None when there is no private folder for it."""
    folder = _private_folder()
    if folder is None:
        return None
    name = hashlib.sha1(f"{state_dir.resolve()}\0{package_fingerprint()}".encode()).hexdigest()[:20]
    path = folder / f"merge-{name}.sock"
    return path if len(os.fsencode(path)) <= _MAX_SOCKET_PATH else None


def _private_folder() -> Path | None:
    """`$XDG_RUNTIME_DIR/storykit`, else `/tmp/storykit-UID`: made for this user alone, and
    refused if anyone else owns it or may write to it."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and os.path.isabs(runtime) else Path("/tmp")
    folder = base / (f"storykit-{os.getuid()}" if base == Path("/tmp") else "storykit")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    private = info.st_uid == os.getuid() and not info.st_mode & 0o077
    return folder if private and os.path.isdir(folder) and not folder.is_symlink() else None


Labels = tuple[str, str, int]  # ours, theirs, marker size (model.merge.Labels' fields)


class Answer(TypedDict):
    """The helper's merge of one file, as model.merge.FileMerge holds it."""

    content: bytes | None  # None: it could not be merged field by field
    conflicts: tuple[str, ...]
    problem: str | None
    told: tuple[str, ...]


def ask(
    path: Path, root: Path, sides: tuple[bytes, bytes, bytes], rel: str, labels: Labels
) -> Answer | None:
    """The helper's merge of one file, or None when it cannot be reached or failed."""
    request = {
        "root": str(root),
        "rel": rel,
        "sides": [base64.b64encode(side).decode() for side in sides],
        "labels": list(labels),
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(ANSWER_SECONDS)
            client.connect(str(path))
            client.sendall(json.dumps(request).encode())
            client.shutdown(socket.SHUT_WR)
            answer = json.loads(receive(client))
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or "error" in answer:
        return None
    content, problem = answer.get("content"), answer.get("problem")
    return Answer(
        content=base64.b64decode(content) if isinstance(content, str) else None,
        conflicts=tuple(str(name) for name in answer.get("conflicts") or ()),
        problem=str(problem) if problem is not None else None,
        told=tuple(str(line) for line in answer.get("told") or ()),
    )


def receive(connection: socket.socket) -> bytes:
    """Everything the other side sends, until it shuts its side."""
    chunks = []
    while chunk := connection.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
