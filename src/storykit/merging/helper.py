"""A short-lived helper process that merges item files for the merge driver
(docs/architecture.md, "Merging branches").

git starts the driver once per file, and most of a driver's time is Python importing
Pydantic and ruamel.yaml. So the first driver of a merge merges its file itself and starts
this helper; the following ones send their three versions over a Unix socket in the
user's private runtime folder and get the merge back (`merging.merge_item_file`, the same
function), then write it or fall back to git's text merge themselves. The helper only
computes: it writes no file and runs nothing. It exits after a few idle seconds; its
socket is named after the repository and the installed storykit's version and files, so
a changed storykit never answers for another. Any failure to reach it is silent: the
driver merges in its own process, as without it. `STORYKIT_MERGE_SERVER=0` turns it off.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from storykit.history.reportcache import package_fingerprint
from storykit.model.merge import FileMerge, Labels
from storykit.processes import neutral_folder, python_argv

IDLE_SECONDS = 10.0
_ANSWER_SECONDS = 30.0
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
_STARTING_SECONDS = 5.0


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


def ask(
    path: Path, root: Path, sides: tuple[bytes, bytes, bytes], rel: str, labels: Labels
) -> FileMerge | None:
    """The helper's merge of one file, or None when it cannot be reached or failed."""
    request = {
        "root": str(root),
        "rel": rel,
        "sides": [base64.b64encode(side).decode() for side in sides],
        "labels": [labels.ours, labels.theirs, labels.marker_size],
    }
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(_ANSWER_SECONDS)
            client.connect(str(path))
            client.sendall(json.dumps(request).encode())
            client.shutdown(socket.SHUT_WR)
            answer = json.loads(_receive(client))
    except (OSError, ValueError):
        return None
    if not isinstance(answer, dict) or "error" in answer:
        return None
    content = answer.get("content")
    return FileMerge(
        base64.b64decode(content) if isinstance(content, str) else None,
        tuple(answer.get("conflicts") or ()),
        answer.get("problem"),
        told=tuple(str(line) for line in answer.get("told") or ()),
    )


def start(path: Path) -> None:
    """Start the helper in the background, unless one is starting already."""
    marker = path.with_name(path.name + ".starting")
    with contextlib.suppress(OSError):
        if time.time() - marker.stat().st_mtime > _STARTING_SECONDS:
            marker.unlink()  # left by a helper that never came up
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:
        return
    try:
        subprocess.Popen(
            [*python_argv("storykit.merging.helper"), str(path)],
            cwd=neutral_folder(),  # never the work tree (docs/architecture.md)
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
        )
    except OSError:
        marker.unlink(missing_ok=True)


def serve(path: Path, idle: float = IDLE_SECONDS) -> None:
    """Answer merge requests on `path` until `idle` seconds pass without one."""
    os.umask(0o077)
    own = path.with_name(f"{path.name}.{os.getpid()}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(own))
        server.listen(16)
        os.replace(own, path)  # in one step: a client finds it listening or not at all
        path.with_name(path.name + ".starting").unlink(missing_ok=True)
        identity = path.stat().st_ino
        server.settimeout(idle)
        try:
            while True:
                try:
                    connection, _ = server.accept()
                except TimeoutError:
                    break
                with connection:
                    connection.settimeout(_ANSWER_SECONDS)
                    with contextlib.suppress(OSError):
                        connection.sendall(json.dumps(_answer(_receive(connection))).encode())
                if _replaced(path, identity):
                    break
        finally:
            if not _replaced(path, identity):
                path.unlink(missing_ok=True)


def _answer(raw: bytes) -> dict[str, Any]:
    try:
        from storykit.merging.files import merge_item_file
        from storykit.project import settings_or_defaults

        request = json.loads(raw)
        base, ours, theirs = (base64.b64decode(side) for side in request["sides"])
        ours_label, theirs_label, size = request["labels"]
        labels = Labels(str(ours_label), str(theirs_label), int(size))
        config = settings_or_defaults(Path(request["root"]))
        result = merge_item_file(base, ours, theirs, str(request["rel"]), config, labels)
    except Exception as exc:  # the driver then merges in its own process
        return {"error": f"{type(exc).__name__}: {exc}"}
    content = base64.b64encode(result.content).decode() if result.content is not None else None
    return {
        "content": content,
        "conflicts": list(result.conflicts),
        "problem": result.problem,
        "told": list(result.told),
    }


def _receive(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _replaced(path: Path, identity: int) -> bool:
    try:
        return path.stat().st_ino != identity
    except OSError:
        return True


if __name__ == "__main__":
    serve(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else IDLE_SECONDS)
