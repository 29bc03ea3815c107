"""What the board's server lets in (docs/architecture.md, "The browser board").

The server listens on loopback only, but a web page on any site can still make a browser
send requests there, and a DNS name that rebinds to 127.0.0.1 can even read the answers. So
every request must name the server itself in `Host` (`127.0.0.1:PORT`, `localhost:PORT`
or `[::1]:PORT`: a rebound name is refused), an `Origin`, when the browser sends one, must
be the server's own, and every changing request must carry the token this start of the
server embedded in its pages (header `X-CSRF-Token` or form field `csrf_token`), which
another site cannot read.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

TOKEN_HEADER = "x-csrf-token"
TOKEN_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def own_hosts(port: int) -> frozenset[str]:
    """The `Host` values that name this server."""
    return frozenset(f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]"))


class Guard:
    """ASGI middleware: refuses (403, plain text) a request whose `Host` is not one of the
    server's own or whose `Origin` is another site's, before any page or action sees it;
    changing requests without the token are refused by `require_token` in the actions,
    which alone read the form."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.hosts = own_hosts(port)
        self.origins = frozenset(f"http://{host}" for host in self.hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        refusal = self.refusal(headers, scope.get("method", "GET"))
        if refusal is not None:
            await _refuse(send, refusal)
            return
        await self.app(scope, receive, send)

    def refusal(self, headers: dict[str, str], method: str) -> str | None:
        host = headers.get("host", "")
        if host not in self.hosts:
            return f"refused: Host {host!r} is not this server (open it at 127.0.0.1)"
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return f"refused: requests from {origin!r} are not accepted"
        if method not in SAFE_METHODS and headers.get("sec-fetch-site") == "cross-site":
            return "refused: cross-site requests are not accepted"
        return None  # a link followed from elsewhere (a pull request, a chat) just opens


async def _refuse(send: Send, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
