"""The graph's generation on responses: `ETag: W/"g<generation>"` and `Vary` on the credentials.

The generation (GraphStore.generation) moves in the same transaction as every write, so two answers
to one request under one key with the same ETag are the same answer. It is read before the request
runs and again when its answer starts; when a write lands in between, the answer carries no ETag (it
might mix both states). The reads are shared with the response cache through the request's scope,
where the cache also leaves which parts of the graph the request reads (api/gql/reads.py): then the
generation read is those parts' (a content answer's ETag stays while runs land).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

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


MOST_LEASE_MS = 60_000


def lease_from_env() -> float:
    """`MMRARE_GENERATION_LEASE_MS`: how long a generation read is used again without asking, in
    milliseconds (0, the default: every request asks the store)."""
    text = os.environ.get("MMRARE_GENERATION_LEASE_MS", "0")
    try:
        lease = float(text)
    except ValueError:
        lease = -1.0
    if not 0 <= lease <= MOST_LEASE_MS:
        raise ValueError(f"MMRARE_GENERATION_LEASE_MS={text!r}: give milliseconds from 0 to {MOST_LEASE_MS:,}")
    return lease / 1000


class GenerationReader:
    """Reads the store's generation off the event loop. After a failure it answers None for PAUSE
    seconds without asking: a store that is down costs a request its own timeout once, not once more
    for every layer that would like the generation.

    With a lease (seconds), a generation read is used again for that long without asking the store,
    unless this process has written since it was read (GraphStore.commits): the service's own
    writes are seen at once, another process's (a CLI import, another worker) within the lease. On
    Neo4j every read is a round trip; on the embedded store it is a file read, and a lease saves little."""

    PAUSE = 5.0
    MOST_LEASED = 64  # sets of parts read under a lease (the operations' read sets are few)

    def __init__(self, store: GraphStore, lease: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self.lease, self.clock = store, lease, clock
        self.down_until = 0.0
        # parts -> (asked at, this process's commits then, generation)
        self._leased: dict[frozenset[str] | None, tuple[float, int, int]] = {}

    async def read(self, parts: frozenset[str] | None = None) -> int | None:
        """The generation (of `parts`, when named); None while paused after a failure (the route then
        finds out for itself); StoreUnavailableError when the store fails now (the request can be
        answered 503 at once)."""
        asked = self.clock()
        if asked < self.down_until:
            return None
        commits = self.store.commits
        kept = self._leased.get(parts)
        if kept is not None and asked - kept[0] < self.lease and kept[1] == commits:
            return kept[2]
        try:
            generation = await anyio.to_thread.run_sync(self.store.generation, parts)
        except StoreUnavailableError:
            self.down_until = self.clock() + self.PAUSE
            raise
        if self.lease > 0:
            if len(self._leased) >= self.MOST_LEASED:
                self._leased.clear()
            self._leased[parts] = (asked, commits, generation)  # as asked: a commit meanwhile ends it
        return generation

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
