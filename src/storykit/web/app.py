"""The board's web application (Starlette): one address per view, the actions, live
events and the vendored assets. Every read and change runs in a worker thread under one
lock, through a fresh `Workspace`, so what a page shows is what the files hold now."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from storykit.errors import StorykitError, UnknownItemError
from storykit.model.catalogue import ITEM_TYPES
from storykit.services.workspace import Outcome, Workspace
from storykit.web import actions, live, pages
from storykit.web.actions import ActionError
from storykit.web.render import STATIC, asset, page
from storykit.web.security import TOKEN_FIELD, TOKEN_HEADER, Guard, same_token

T = TypeVar("T")
_TYPES = {"board.css": "text/css", "board.js": "text/javascript"}


class Board:
    """One server's state: the project, the token its pages carry, the lock."""

    def __init__(self, root: Path, token: str) -> None:
        self.root = root
        self.token = token
        self.lock = threading.Lock()
        self.changes = live.Changes()
        self.stop = asyncio.Event()

    async def run(self, work: Callable[[Workspace], T]) -> T:
        def locked() -> T:
            with self.lock:
                return work(Workspace.open(self.root))

        return await run_in_threadpool(locked)

    def html(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        text = page(template, token=self.token, live=self.changes.version, **context)
        return HTMLResponse(text, status_code=status, headers=_NO_STORE)


ACTIONS = ("rank", "status")  # what a drag asks for (board.js)
REFUSED = "refused: this request carries no valid token"
_NO_STORE = {"cache-control": "no-store", "x-frame-options": "DENY"}


def create_app(root: Path, port: int, token: str) -> Any:
    board = Board(root, token)

    async def view(template: str, build: Callable[[Workspace], Any]) -> Response:
        try:
            context = await board.run(build)
        except StorykitError as exc:
            status = 404 if isinstance(exc, UnknownItemError) else 400
            return board.html("error.html", status, error=exc.message, hint=exc.hint)
        return board.html(template, **context)

    async def home(request: Request) -> Response:
        filters = pages.Filters.parse(_query(request))
        return await view("board.html", lambda ws: pages.board_page(ws, filters))

    async def backlog(request: Request) -> Response:
        limit = pages.limit_of(_query(request))
        return await view("backlog.html", lambda ws: pages.backlog_page(ws, limit))

    async def item(request: Request) -> Response:
        item_id = request.path_params["item_id"]
        if request.method == "POST":
            form = await _form(request)
            return await _save(board, item_id, form)
        return await view("item.html", lambda ws: pages.item_page(ws, item_id))

    async def close(request: Request) -> Response:
        item_id = request.path_params["item_id"]
        form = await _form(request)
        return await _changed(
            board,
            form,
            lambda ws: actions.close_spike(ws, item_id, form),
            lambda ws, error: {**pages.item_page(ws, item_id), "close_error": error, "given": form},
            "item.html",
        )

    async def new(request: Request) -> Response:
        item_type = request.path_params["item_type"]
        if item_type not in ITEM_TYPES:
            return board.html("error.html", 404, error=f"no item type {item_type!r}", hint=None)
        if request.method == "POST":
            form = await _form(request)
            return await _changed(
                board,
                form,
                lambda ws: actions.create(ws, item_type, form),
                lambda ws, error: _new_context(ws, item_type, form, error),
                "new.html",
            )
        return await view("new.html", lambda ws: _new_context(ws, item_type, None, None))

    async def sprint(request: Request) -> Response:
        name = request.path_params["name"]
        return await view("sprint.html", lambda ws: pages.sprint_page(ws, name))

    async def sprints(request: Request) -> Response:
        return await view("sprints.html", pages.sprints_page)

    async def api(request: Request) -> Response:
        if request.path_params["action"] not in ACTIONS:
            return JSONResponse({"error": "no such action"}, 404)
        if not same_token(request.headers.get(TOKEN_HEADER), token):
            return JSONResponse({"error": REFUSED}, 403)
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the request body is not JSON"}, 400)
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return JSONResponse({"error": "the request names no item"}, 400)
        action = request.path_params["action"]
        item_id = body["id"]

        def work(ws: Workspace) -> Outcome:
            if action == "rank":
                return actions.rank(ws, item_id, _text(body, "before"), _text(body, "after"))
            return actions.move_status(ws, item_id, str(body.get("status", "")))

        try:
            outcome = await board.run(work)
        except ActionError as exc:
            return JSONResponse(exc.to_json(), exc.status)
        except StorykitError as exc:  # the project itself (its settings, the repository)
            refused = actions.failure(exc)
            return JSONResponse(refused.to_json(), refused.status)
        return JSONResponse({"ok": True, "commit": outcome.commit, "subject": outcome.subject})

    async def events(request: Request) -> Response:
        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(
            live.stream(board.changes, board.stop), media_type="text/event-stream", headers=headers
        )

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response("not found", 404, media_type="text/plain")
        kind = _TYPES.get(name, "text/javascript")
        return Response(asset(name), media_type=kind, headers={"cache-control": "no-cache"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        project = Workspace.open(root).project
        task = asyncio.create_task(live.watch(project, board.changes, board.stop))
        try:
            yield
        finally:
            board.stop.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    routes = [
        Route("/", home),
        Route("/backlog", backlog),
        Route("/item/{item_id}", item, methods=["GET", "POST"]),
        Route("/item/{item_id}/close", close, methods=["POST"]),
        Route("/new/{item_type}", new, methods=["GET", "POST"]),
        Route("/sprints", sprints),
        Route("/sprint/{name:path}", sprint),
        Route("/api/{action:str}", api, methods=["POST"]),  # rank, status (ACTIONS)
        Route("/events", events),
        Route("/static/{name}", static),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
    ]
    return Guard(Starlette(routes=routes, lifespan=lifespan), port)


def _new_context(
    ws: Workspace, item_type: str, given: dict[str, str] | None, error: ActionError | None
) -> dict[str, Any]:
    return {"item_type": item_type, "form": pages.new_form(ws, item_type, given), "error": error}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _query(request: Request) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        found.setdefault(key, []).append(value)
    return found


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) and value else None


async def _save(board: Board, item_id: str, form: dict[str, str]) -> Response:
    version = form.get("version", "")
    return await _changed(
        board,
        form,
        lambda ws: actions.save(ws, item_id, form, version),
        lambda ws, error: {
            **pages.item_page(ws, item_id, given=form),
            "error": error,
            "version": version,  # a stale save stays stale until the page is reloaded
        },
        "item.html",
    )


async def _changed(
    board: Board,
    form: dict[str, str],
    change: Callable[[Workspace], Outcome],
    again: Callable[[Workspace, ActionError], dict[str, Any]],
    template: str,
) -> Response:
    """A form's change: its token checked, then made (303 to the item's page) or the form
    shown again with its errors, nothing changed."""
    if not same_token(form.get(TOKEN_FIELD), board.token):
        return board.html("error.html", 403, error=REFUSED, hint="reload the page, then try again")

    def work(ws: Workspace) -> tuple[str, str, dict[str, Any], int]:
        try:
            outcome = change(ws)
        except ActionError as error:
            try:
                return "", template, again(ws, error), error.status
            except StorykitError:  # the page itself cannot be shown now (a broken file)
                return "", "error.html", {"error": error.message, "hint": error.hint}, error.status
        return outcome.item.id if outcome.item else "", "", {}, 303

    try:
        item_id, shown, context, status = await board.run(work)
    except StorykitError as exc:  # the project itself (its settings, the repository)
        return board.html("error.html", 400, error=exc.message, hint=exc.hint)
    if status == 303:
        return RedirectResponse(f"/item/{item_id}" if item_id else "/", 303)
    return board.html(shown, status, **context)
