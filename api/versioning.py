"""The graph's generation on responses: `ETag: W/"g<generation>"` and `Vary` on the credentials.

The generation (GraphStore.generation) moves in the same transaction as every write, so two answers
to one request under one key with the same ETag are the same answer. It is read before the request
runs; when a write lands while it runs, the response carries no ETag (it might mix both states).
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import StoreUnavailableError
from graph.store import GraphStore

VERSIONED = ("/graphql", "/exports/")  # answers computed from the graph (images and pages are not)


def etag_of(generation: int) -> str:
    return f'W/"g{generation}"'


class GraphVersion:
    def __init__(self, app: ASGIApp, store: GraphStore) -> None:
        self.app, self.store = app, store

    async def _generation(self) -> int | None:
        try:
            return await anyio.to_thread.run_sync(self.store.generation)
        except StoreUnavailableError:
            return None  # the route says what is wrong; no ETag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(VERSIONED):
            await self.app(scope, receive, send)
            return
        before = await self._generation()

        async def versioned_send(message: Message) -> None:
            if message["type"] == "http.response.start" and before is not None and message["status"] < 400:
                after = await self._generation()
                headers = list(message.get("headers", []))
                headers.append((b"vary", b"X-API-Key, Authorization"))
                if after == before:
                    headers.append((b"etag", etag_of(before).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, versioned_send)
