"""A response cache for read answers: GraphQL queries and the report exports.

The graph changes rarely and is read constantly, so a repeated question should cost a lookup. An
answer is kept under:

- the question: a GraphQL operation as graphql-core prints it back (spacing and comments do not
  matter), its operation name and its variables in canonical JSON; an export, its path and query;
- the caller: role and name (a report shows an evaluator their own runs; `runs(mine:)` is theirs);
- the generation of what the answer reads (GraphStore.generation): a GraphQL operation whose fields
  all read the benchmark's content (api/gql/reads.py: items, diseases, findings, coverage) is kept
  under the content's generation, which a run's upload or scoring does not move; anything else under
  the whole graph's generation, which every write moves. A write makes the earlier answers it could
  change unreachable without anyone clearing anything.

Only whole successful answers are kept (status 200, no GraphQL `errors`), and only when the generation
did not move while the answer was computed. Mutations, and fields whose answer moves with the clock
(`submissionQuota`), are never kept. The cache is bounded by bytes (least recently used out first;
an answer over an eighth of the budget is not kept). A GET whose `If-None-Match` names the current
generation's ETag is answered 304 (answers are keyed by their credentials through `Vary`); the ETag
is that of the generation the answer is kept under.

`MMRARE_CACHE_BYTES` sets the budget (64 MB by default); 0 turns the cache off.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, OperationType, parse, print_ast
from graphql.language import FieldNode, Visitor, visit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mmrare.api.auth import KeyStore, Principal
from mmrare.api.gql.reads import parts_read
from mmrare.api.versioning import PARTS, VARY, GenerationReader, etag_of, store_unavailable
from mmrare.graph.errors import StoreUnavailableError

DEFAULT_BYTES = 64 * 1024 * 1024
CLOCK_FIELDS = frozenset({"submissionQuota"})  # answers that change with time, not with the graph


def budget_from_env() -> int:
    return int(os.environ.get("MMRARE_CACHE_BYTES", str(DEFAULT_BYTES)))


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class ByteBoundedLRU:
    """Answers by key, at most `budget` bytes of them; the least recently used leave first."""

    def __init__(self, budget: int) -> None:
        self.budget, self.used = budget, 0
        self._entries: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple, answer: Answer) -> None:
        if answer.size > self.budget // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.used -= old.size
            self._entries[key] = answer
            self.used += answer.size
            while self.used > self.budget:
                _, dropped = self._entries.popitem(last=False)
                self.used -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)


class _Fields(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.names.add(node.name.value)


@dataclass(frozen=True)
class Cacheable:
    printed: str  # the document as graphql-core prints it back
    parts: frozenset[str] | None  # what its answer reads (None: the whole graph)


@lru_cache(maxsize=1024)
def cacheable_operation(document: str, operation: str | None, schema: GraphQLSchema) -> Cacheable | None:
    """The operation printed back, with the parts of the graph it reads, when answering it may be kept
    (a query, no clock field); else None."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return None  # the router says what is wrong
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation is None or (o.name is not None and o.name.value == operation)]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.QUERY:
        return None
    fields = _Fields()
    visit(parsed, fields)
    if fields.names & CLOCK_FIELDS:
        return None
    return Cacheable(print_ast(parsed), parts_read(schema, parsed))


def _question(
    method: str, path: str, query_string: bytes, body: bytes, schema: GraphQLSchema
) -> tuple[tuple, frozenset[str] | None] | None:
    """What the request asks, normalised, and the parts of the graph its answer reads (None: all);
    None when its answer is not to be kept."""
    if path.startswith("/exports/") and method == "GET":
        return (path, query_string.decode("latin-1")), None
    if path != "/graphql" or method not in ("GET", "POST"):
        return None
    try:
        if method == "GET":
            params = {k: v[0] for k, v in parse_qs(query_string.decode("latin-1")).items()}
            request = {**params, "variables": json.loads(params["variables"]) if "variables" in params else None}
        else:
            request = json.loads(body)
    except (ValueError, KeyError):
        return None
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return None
    name = request.get("operationName")
    found = cacheable_operation(request["query"], name if isinstance(name, str) else None, schema)
    if found is None:
        return None
    variables = json.dumps(request.get("variables") or {}, sort_keys=True, separators=(",", ":"))
    return (path, found.printed, name, variables), found.parts


class ResponseCache:
    def __init__(
        self,
        app: ASGIApp,
        generations: GenerationReader,
        keys: KeyStore,
        answers: ByteBoundedLRU,
        schema: GraphQLSchema,
    ) -> None:
        self.app, self.generations, self.keys, self.answers = app, generations, keys, answers
        self.schema = schema

    def _caller(self, scope: Scope) -> Principal | None:
        headers = dict(scope.get("headers") or [])
        key = headers.get(b"x-api-key", b"").decode("latin-1")
        if not key and b"authorization" in headers:
            key = headers[b"authorization"].decode("latin-1").removeprefix("Bearer ").strip()
        return self.keys.authenticate(key or None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or self.answers.budget <= 0
            or not (path == "/graphql" or path.startswith("/exports/"))
        ):
            await self.app(scope, receive, send)
            return
        body, replay = await _buffered(receive)
        asked = _question(scope["method"], path, scope.get("query_string", b""), body, self.schema)
        question, scope[PARTS] = asked if asked is not None else (None, None)
        who = self._caller(scope) if question is not None else None
        try:
            generation = await self.generations.before(scope) if who is not None else None
        except StoreUnavailableError:
            await store_unavailable(send)  # the route would fail the same way, after its own wait
            return
        if question is None or who is None or generation is None:
            await self.app(scope, replay, send)  # not kept, or refused or failing on its own path
            return
        key = (question, who.role, who.name, generation)
        if scope["method"] == "GET" and _names_tag(scope, etag_of(generation)):
            await _not_modified(send, etag_of(generation))
            return
        found = self.answers.get(key)
        if found is not None:
            await _send(send, found)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay, keeping_send)
        answer = Answer(start.get("status", 0), tuple(start.get("headers", ())), b"".join(chunks))
        whole = answer.status == 200 and (path != "/graphql" or b'"errors"' not in answer.body)
        if whole and await self.generations.after(scope) == generation:  # no write landed meanwhile
            self.answers.put(key, answer)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The request body read whole (the body limit outside has capped it), and a receive that gives it again."""
    parts, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        more = message.get("more_body", False)
    body, sent = b"".join(parts), False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # a disconnect, as the app would see it

    return body, replay


def _names_tag(scope: Scope, tag: str) -> bool:
    given = dict(scope.get("headers") or []).get(b"if-none-match", b"").decode("latin-1")
    return any(t.strip() == tag for t in given.split(",")) if given else False


async def _send(send: Send, answer: Answer) -> None:
    await send({"type": "http.response.start", "status": answer.status, "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body})


async def _not_modified(send: Send, tag: str) -> None:
    headers = [(b"etag", tag.encode()), VARY]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
