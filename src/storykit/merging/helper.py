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
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from storykit.merging.client import ANSWER_SECONDS, receive
from storykit.processes import neutral_folder, python_argv

IDLE_SECONDS = 10.0
_STARTING_SECONDS = 5.0


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
                    connection.settimeout(ANSWER_SECONDS)
                    with contextlib.suppress(OSError):
                        connection.sendall(json.dumps(_answer(receive(connection))).encode())
                if _replaced(path, identity):
                    break
        finally:
            if not _replaced(path, identity):
                path.unlink(missing_ok=True)


def _answer(raw: bytes) -> dict[str, Any]:
    try:
        from storykit.merging.files import merge_item_file
        from storykit.model.merge import Labels
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


def _replaced(path: Path, identity: int) -> bool:
    try:
        return path.stat().st_ino != identity
    except OSError:
        return True


if __name__ == "__main__":
    serve(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else IDLE_SECONDS)
