"""The graph's generation on responses: `ETag: W/"g<generation>"` and `Vary` on the credentials.

The generation (GraphStore.generation) moves in the same transaction as every write, so two answers
to one request under one key with the same ETag are the same answer. It is read before the request
runs and again when its answer starts; when a write lands in between, the answer carries no ETag (it
might mix both states). The reads are shared with the response cache through the request's scope,
where the cache also leaves which parts of the graph the request reads (api/gql/reads.py): then the
generation read is those parts' (a content answer's ETag stays while runs land).
"""

from __future__ import annotations

import time

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.store import GraphStore

VERSIONED = ("/graphql", "/exports/")  # answers computed from the graph (images and pages are not)
BEFORE, AFTER = "mmrare.generation", "mmrare.generation.after"  # the reads, in the request's scope
PARTS = "mmrare.parts"  # what the request reads, when the response cache worked it out (else all)
VARY = (b"vary", b"X-API-Key, Authorization")  # an answer depends on the caller's key


def etag_of(generation: int) -> str:
    return f'W/"g{generation}"'


class GenerationReader:
    """Reads the store's generation off the event loop. After a failure it answers None for PAUSE
    seconds without asking: a store that is down costs a request its own timeout once, not once more
    for every layer that would like the generation."""

    PAUSE = 5.0

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.down_until = 0.0

    async def read(self, parts: frozenset[str] | None = None) -> int | None:
        """The generation (of `parts`, when named); None while paused after a failure (the route then
        finds out for itself); StoreUnavailableError when the store fails now (the request can be
        answered 503 at once)."""
        if time.monotonic() < self.down_until:
            return None
        try:
            return await anyio.to_thread.run_sync(self.store.generation, parts)
        except StoreUnavailableError:
            self.down_until = time.monotonic() + self.PAUSE
            raise

    async def before(self, scope: Scope) -> int | None:
        """The generation as the request began (read once per request)."""
        if BEFORE not in scope:
            scope[BEFORE] = None  # a failure below is not tried again by the next layer
            scope[BEFORE] = await self.read(scope.get(PARTS))
        return scope[BEFORE]

    async def after(self, scope: Scope) -> int | None:
        """The generation as the answer began (read once per request; None when it cannot be read)."""
        if AFTER not in scope:
            try:
                scope[AFTER] = await self.read(scope.get(PARTS))
            except StoreUnavailableError:
                scope[AFTER] = None
        return scope[AFTER]


async def store_unavailable(send: Send) -> None:
    """The answer every graph route gives when the store does not answer, given before the route runs."""
    body = b'{"detail":"the graph store is unavailable; see /health"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class GraphVersion:
    def __init__(self, app: ASGIApp, generations: GenerationReader) -> None:
        self.app, self.generations = app, generations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(VERSIONED):
            await self.app(scope, receive, send)
            return
        try:
            before = await self.generations.before(scope)
        except StoreUnavailableError:
            await store_unavailable(send)
            return

        async def versioned_send(message: Message) -> None:
            if message["type"] == "http.response.start" and before is not None and message["status"] < 400:
                after = await self.generations.after(scope)
                headers = list(message.get("headers", []))
                headers.append(VARY)
                if after == before:
                    headers.append((b"etag", etag_of(before).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, versioned_send)
