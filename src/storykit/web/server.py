"""`storykit serve`: the board's server (uvicorn) on the loopback addresses only —
127.0.0.1 and, where the machine has it, ::1 — on one port."""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from storykit.errors import UsageError

DEFAULT_PORT = 8420


def bind(port: int | None) -> list[socket.socket]:
    """Listening sockets on 127.0.0.1 and ::1. No port given: the default one, or any free
    one when it is taken; a port given that is taken is an error."""
    wanted = DEFAULT_PORT if port is None else port
    try:
        first = _listen(socket.AF_INET, "127.0.0.1", wanted)
    except OSError as exc:
        if port is None and exc.errno == errno.EADDRINUSE:
            first = _listen(socket.AF_INET, "127.0.0.1", 0)
        elif exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} is already in use",
                hint="give another with --port N, or --port 0 for any free one",
            ) from None
        else:
            raise UsageError(f"cannot listen on 127.0.0.1:{wanted}: {exc.strerror}") from None
    sockets = [first]
    with contextlib.suppress(OSError):  # no IPv6 loopback here: 127.0.0.1 alone
        sockets.append(_listen(socket.AF_INET6, "::1", first.getsockname()[1]))
    return sockets


def _listen(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def serve(root: Path, port: int | None, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (uvicorn stops on SIGINT and SIGTERM, then this returns)."""
    import uvicorn

    from storykit.web.app import create_app
    from storykit.web.security import new_token

    sockets = bind(port)
    actual = sockets[0].getsockname()[1]
    app = create_app(root, actual, new_token())
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=1,
        lifespan="on",
    )
    url = f"http://127.0.0.1:{actual}/"
    say(f"storykit board: {url}  (Ctrl-C stops it)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        uvicorn.Server(config).run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
