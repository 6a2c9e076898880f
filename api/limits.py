"""Limits that protect the server before any route or resolver runs.

`BodyLimit` is ASGI middleware: a request whose Content-Length is over its path's cap is answered
413 at once, and a body sent without a length (chunked) is cut off with 413 when it passes the
cap, so no route ever spools more than the cap and no authentication work happens first.
`ThreadedSchema` runs each GraphQL operation in a worker thread with its own event loop and a time
limit, so a slow query never holds up the server's loop (or /health).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionResult

_threads = threading.local()


def _thread_runner() -> asyncio.Runner:
    """The worker thread's own event loop, kept between operations (a new loop per request costs
    its setup and teardown every time)."""
    runner = getattr(_threads, "runner", None)
    if runner is None:
        runner = _threads.runner = asyncio.Runner()
    return runner


Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, caps: dict[str, int], default: int) -> None:
        self.app, self.caps, self.default = app, caps, default

    def cap_for(self, path: str) -> int:
        return next((cap for prefix, cap in self.caps.items() if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > cap):
            await _too_large(send, cap)
            return
        seen = 0
        started = over = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    over = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            # a route whose body parser caught the cut-off (a multipart form answers 400) answers 413
            nonlocal started
            if over:
                if not started and message["type"] == "http.response.start":
                    started = True
                    await _too_large(send, cap)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, cap)


async def _too_large(send: Send, cap: int) -> None:
    body = json.dumps({"detail": f"the request body is over {cap // 2**20} MB"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class OverTime(GraphQLError):
    """Raised inside a worker whose operation has passed its deadline: the work stops there."""


def check_deadline() -> None:
    """Stop the operation running on this thread once its time is up (the executor calls this for
    every object it completes, so an abandoned query stops burning CPU within one object)."""
    deadline = getattr(_threads, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise OverTime("the query ran over its time limit and was stopped; ask for less")


class ThreadedSchema(strawberry.Schema):
    """Executes each operation off the server's event loop, within `time_limit` seconds; past it
    the answer is an error at once and the worker stops at its next object (`check_deadline`)."""

    time_limit = 20.0

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        deadline = time.monotonic() + self.time_limit

        def run() -> ExecutionResult:
            _threads.deadline = deadline
            found: list[ExecutionResult] = []

            async def execute() -> None:
                # the result goes in a box, not out of the task: asyncio formats a finished task's
                # result with repr(), which costs as much as the response is large
                found.append(await strawberry.Schema.execute(self, *args, **kwargs))

            try:
                _thread_runner().run(execute())
            finally:
                _threads.deadline = None
            return found[0]

        try:
            with anyio.fail_after(self.time_limit):
                return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        except TimeoutError:
            error = GraphQLError(f"the query ran over {self.time_limit:g} s and was stopped; ask for less")
            return ExecutionResult(data=None, errors=[error])
