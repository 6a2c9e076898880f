"""The embedded store: one SQLite file in WAL mode (Python's standard library), no server.

Nodes and relationships are rows with their properties as JSON; indexes on both ends of every
relationship make a read cost what the question costs, not what the graph holds, so opening the
store is instant. Walks over one relationship type (closures, shortest paths) run in memory over
that type's adjacency, loaded on first use and dropped when anyone commits (a generation counter
in the file, bumped by every commit, so other processes' writes are seen too).

A transaction buffers its writes and applies them at commit inside one SQLite transaction
(`BEGIN IMMEDIATE`): one writer at a time across threads and processes, a second one waits up to
WRITE_LOCK_WAIT seconds, and WAL makes each commit all-or-nothing across a kill -9. Readers never
wait for writers. A store opened without a path lives in memory only.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, TypeVar

import orjson

from mmrare.graph import embedded_sql as sql
from mmrare.graph.errors import MissingEndpointError, StoreBusyError, StoreUnavailableError
from mmrare.graph.model import (
    CONTENT,
    EVERY_PART,
    Direction,
    Key,
    Neighbour,
    Node,
    NodeRef,
    Path,
    Props,
    link_order,
    node_spec,
)
from mmrare.graph.store import (
    CHANGED,
    PAGE_IMAGE_PROPS,
    PAGE_LINKS,
    GraphStore,
    ItemPage,
    KeptAnswers,
    RelRow,
    Where,
    WriteTx,
    changed_names,
    not_unicode,
    order_value,
)
from mmrare.graph.subsets import ItemFilter

WRITE_LOCK_WAIT = 120.0  # seconds a writer waits for another writer's commit
FORMAT = "mmrare-graph"
FORMAT_VERSION = 2  # 1 was a whole-graph gzip JSON file (see `mmrare graph upgrade`)
CHUNK = 500  # values per IN (...) list, below SQLite's 999-parameter limit on old builds


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


@functools.lru_cache(maxsize=1 << 16)
def _ref_of(uid: str) -> NodeRef:
    """NodeRef.parse, remembered: a page meets the same images and cases again and again."""
    return NodeRef.parse(uid)


def _marks(n: int) -> str:
    return ",".join("?" * n)


_encode_plain = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _encode(props: Props) -> str:
    """Properties as compact JSON text. orjson writes the same values several times faster (an import
    encodes every row); what it refuses goes the plain way: a float subclass such as numpy's float64,
    which the plain way writes, and text that is not Unicode, which then fails to be written with its
    row named (not_unicode)."""
    try:
        return orjson.dumps(props).decode()
    except orjson.JSONEncodeError:
        return _encode_plain(props)


def _decode(text: str) -> Any:
    """JSON text back to values: orjson reads several times faster (a report reads thousands of rows);
    what it refuses (a NaN, in a file written before floats had to be finite) is read the plain way.
    No int beyond 64 bits is stored (orjson would read one as a float): check_value refuses them."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


Entry = TypeVar("Entry")


def _split_by_none(entries: Iterable[Entry], props_of: Callable[[Entry], Props]) -> tuple[list[Entry], list[Entry]]:
    """(entries whose properties hold no None, the others): a None asks for a property's removal."""
    plain: list[Entry] = []
    patched: list[Entry] = []
    for entry in entries:
        (patched if None in props_of(entry).values() else plain).append(entry)
    return plain, patched


class _EmbeddedTx(WriteTx):
    """Buffers writes; the store applies them all at commit, or none."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[tuple[str, str | None, list[Any]]] = []

    def _upsert_nodes(self, label: str, rows: list[tuple[Key, Props]]) -> None:
        self.ops.append(("nodes", label, rows))

    def _upsert_rels(self, rel_type: str, rows: list[RelRow]) -> None:
        self.ops.append(("rels", rel_type, rows))

    def _delete_nodes(self, refs: list[NodeRef]) -> None:
        self.ops.append(("delete", None, refs))

    def _delete_rels(self, rel_type: str, starts: list[NodeRef]) -> None:
        self.ops.append(("delete_rels", rel_type, starts))


@dataclass(frozen=True)
class _ItemsUnder:
    """The items under some classes in page order: as JSON text (a page statement's `:under_items`)
    and as uids (a page of the classes alone is a slice)."""

    text: str
    uids: tuple[str, ...]


class _Adjacency:
    """One relationship type's edges both ways, without properties: what walks need."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.out: dict[NodeRef, list[tuple[str, NodeRef]]] = {}
        self.into: dict[NodeRef, list[tuple[str, NodeRef]]] = {}
        refs: dict[str, NodeRef] = {}
        for src, dst, rid in rows:
            a = refs.get(src) or refs.setdefault(src, NodeRef.parse(src))
            b = refs.get(dst) or refs.setdefault(dst, NodeRef.parse(dst))
            self.out.setdefault(a, []).append((rid, b))
            self.into.setdefault(b, []).append((rid, a))


class _CycleFound(Exception):
    pass


def _acyclic_closures(
    adj: _Adjacency, starts: list[NodeRef], direction: Direction
) -> dict[NodeRef, frozenset[NodeRef]]:
    """Closures over a hierarchy, each node's built once from its neighbours' (a classification's
    10,000 closures share most of their nodes); raises _CycleFound when it is not one."""
    edges = adj.out if direction == Direction.OUT else adj.into
    memo: dict[NodeRef, frozenset[NodeRef]] = {}
    for start in starts:
        if start in memo:
            continue
        stack = [(start, iter(edges.get(start, ())))]
        open_nodes = {start}
        while stack:
            node, pending = stack[-1]
            for _, nb in pending:
                if nb in memo:
                    continue
                if nb in open_nodes:
                    raise _CycleFound
                open_nodes.add(nb)
                stack.append((nb, iter(edges.get(nb, ()))))
                break
            else:
                stack.pop()
                open_nodes.discard(node)
                reached: set[NodeRef] = set()
                for _, nb in edges.get(node, ()):
                    reached.add(nb)
                    reached |= memo[nb]
                memo[node] = frozenset(reached)
    return {s: memo[s] for s in starts}


class EmbeddedStore(GraphStore):
    name = "embedded"

    def __init__(self, path: str | os.PathLike[str] | None = None, write_wait: float | None = None) -> None:
        self.path = FsPath(path) if path is not None else None
        # a server waits a few seconds, then answers 503; the CLI waits long
        self.write_wait = WRITE_LOCK_WAIT if write_wait is None else write_wait
        # a file store gives each thread its own connection (WAL readers run side by side); the
        # in-memory store has one connection, used by one thread at a time
        self.lock = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._adjacency: dict[str, tuple[int, _Adjacency]] = {}
        self._under: KeptAnswers[tuple[int, ...], _ItemsUnder] = KeptAnswers()  # classes -> the items under
        self._totals: KeptAnswers[ItemFilter, int] = KeptAnswers()  # a subset -> its item count
        self._memory = None
        if path is None:
            self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._memory.create_function("fold", 1, sql.fold, deterministic=True)
        if self.path is not None:
            self._refuse_foreign_file()
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            self._create_schema(db)

    # -- connections ----------------------------------------------------------------------------
    def _refuse_foreign_file(self) -> None:
        assert self.path is not None
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb") as fh:
            head = fh.read(16)
        if head[:2] == b"\x1f\x8b":
            raise StoreUnavailableError(
                f"{self.path} is a graph file of the earlier format (gzip JSON); convert it once with "
                f"`mmrare graph upgrade {self.path} NEW_FILE.db` and point MMRARE_GRAPH at the new file"
            )
        if head != b"SQLite format 3\x00":
            raise StoreUnavailableError(f"{self.path} is not an mmrare graph file (SQLite, format {FORMAT_VERSION})")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            with self.lock:
                yield self._memory
            return
        db = getattr(self._local, "db", None)
        if db is None:
            assert self.path is not None  # a store without a path has its one in-memory connection
            try:
                db = sqlite3.connect(self.path, timeout=self.write_wait, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")  # a commit that returned survives a crash of the machine too
                db.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: a large import rewrites few of them twice
                db.create_function("fold", 1, sql.fold, deterministic=True)
            except sqlite3.DatabaseError as exc:
                raise StoreUnavailableError(f"cannot open graph file {self.path}: {exc}") from exc
            self._local.db = db
            with self.lock:
                self._connections.append(db)
        try:
            yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusyError(
                    f"another process has been writing {self.path} for over {self.write_wait:g} s; "
                    "try again when it is done"
                ) from exc
            raise

    def _create_schema(self, db: sqlite3.Connection) -> None:
        try:
            found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        except sqlite3.OperationalError:
            found = None  # a new file: no meta table yet
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailableError(f"cannot read graph file {self.path}: {exc}") from exc
        if found is not None:
            if found[0] != f"{FORMAT} {FORMAT_VERSION}":
                raise StoreUnavailableError(f"{self.path} is not an mmrare graph file (format {FORMAT_VERSION})")
            return
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables:
            raise StoreUnavailableError(f"{self.path} is a SQLite file of another program, not an mmrare graph")
        with self._immediate(db):
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:  # no one made it meanwhile
                for statement in sql.SCHEMA:
                    db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('format', ?), ('generation', 0)", (f"{FORMAT} {FORMAT_VERSION}",))

    def close(self) -> None:
        with self.lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
            self._local = threading.local()

    def _generation_of(self, parts: list[str] | None) -> int:
        with self._connection() as db:
            return self._generation(db) if parts is None else self._parts_generation(db, parts)

    @staticmethod
    def _parts_generation(db: sqlite3.Connection, parts: Iterable[str]) -> int:
        names = changed_names(parts)
        return int(db.execute(sql.GENERATION_OF.format(marks=_marks(len(names))), names).fetchone()[0])

    def _generation(self, db: sqlite3.Connection) -> int:
        return int(db.execute(sql.GENERATION).fetchone()[0])

    @staticmethod
    @contextmanager
    def _immediate(db: sqlite3.Connection) -> Iterator[None]:
        """One SQLite write transaction: waits for another writer, then holds the write lock;
        commits when the block ends, rolls back on any error."""
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- writes ---------------------------------------------------------------------------------
    @contextmanager
    def bulk(self) -> Iterator[None]:
        """An import's commits without a sync each: the write-ahead log is synced, and copied into the
        file, once when the block ends (a checkpoint syncs the log first), so the import is durable when
        it returns. Until then a commit survives a crash of this process (the log is written), not a
        power cut. Each commit stays all or nothing; readers see each as it lands."""
        depth = getattr(self._local, "bulk", 0)
        self._local.bulk = depth + 1
        if depth == 0:
            # WAL mode: a commit writes the log unsynced, and nothing is copied into the file after it
            self._pragmas("PRAGMA synchronous=NORMAL", "PRAGMA wal_autocheckpoint=0")
        try:
            yield
        finally:
            self._local.bulk = depth
            if depth == 0:  # the checkpoint syncs the log, then the pages it copied
                self._pragmas(
                    "PRAGMA wal_checkpoint(PASSIVE)", "PRAGMA wal_autocheckpoint=1000", "PRAGMA synchronous=FULL"
                )

    def _pragmas(self, *statements: str) -> None:
        with self._connection() as db:
            for statement in statements:
                db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[WriteTx]:
        tx = _EmbeddedTx()
        yield tx
        if tx.ops:
            self._commit(tx.ops, tx.touched)

    def _commit(self, ops: list[tuple[str, str | None, list[Any]]], touched: set[str]) -> None:
        written: set[str] = set()  # nodes this commit has upserted: known to exist as relationship ends
        with self._connection() as db, self._immediate(db):
            for kind, name, rows in ops:
                try:
                    written = self._apply(db, kind, name, rows, written)
                except UnicodeEncodeError:  # the whole commit rolls back
                    raise not_unicode(str(name or "delete"), rows) from None
            self._bump_generation(db, touched)
        self.commits += 1

    @staticmethod
    def _bump_generation(db: sqlite3.Connection, touched: Iterable[str]) -> None:
        """The generation moves by one, and the parts written record it as their last change."""
        db.execute(sql.BUMP_GENERATION)
        db.executemany(sql.PART_CHANGED, [(CHANGED + part,) for part in sorted(touched)])

    def _apply(
        self, db: sqlite3.Connection, kind: str, name: str | None, rows: list[Any], written: set[str]
    ) -> set[str]:
        """One buffered write of a commit; the uids of the nodes written so far, after it."""
        if kind == "nodes":
            return written | self._write_nodes(db, str(name), rows)
        if kind == "rels":
            self._write_rels(db, str(name), rows, written)
        elif kind == "delete":
            self._remove_nodes(db, rows)
            return written - {r.uid for r in rows}
        else:
            for chunk in _chunks([r.uid for r in rows]):
                db.execute(f"DELETE FROM rel WHERE type = ? AND src IN ({_marks(len(chunk))})", [name, *chunk])
        return written

    def _write_nodes(self, db: sqlite3.Connection, label: str, rows: list[tuple[Key, Props]]) -> set[str]:
        patches: dict[str, tuple[Key, Props]] = {}
        for key, props in rows:  # later rows of one batch build on earlier ones; a None stays, to remove
            uid = NodeRef(label, key).uid
            patches[uid] = (key, {**patches[uid][1], **props} if uid in patches else props)
        plain, patched = _split_by_none(patches.items(), lambda entry: entry[1][1])
        db.executemany(sql.UPSERT_NODE_PLAIN, [(uid, label, key, _encode(props)) for uid, (key, props) in plain])
        db.executemany(sql.UPSERT_NODE, [(uid, label, key, _encode(props)) for uid, (key, props) in patched])
        return set(patches)

    def _write_rels(self, db: sqlite3.Connection, rel_type: str, rows: list[RelRow], written: set[str]) -> None:
        ends = [u for u in dict.fromkeys(u for r in rows for u in (r.src.uid, r.dst.uid)) if u not in written]
        present = self._existing_uids(db, ends)
        missing = next((u for u in ends if u not in present), None)
        if missing is not None:
            raise MissingEndpointError(f"relationship {rel_type}: endpoint {missing} does not exist")
        patches: dict[tuple[str, str, str], Props] = {}
        for r in rows:
            edge = (r.src.uid, r.dst.uid, r.rid)
            patches[edge] = {**patches[edge], **r.props} if edge in patches else r.props
        plain, patched = _split_by_none(patches.items(), lambda entry: entry[1])
        db.executemany(sql.UPSERT_REL_PLAIN, [(rel_type, s, d, rid, _encode(p)) for (s, d, rid), p in plain])
        db.executemany(sql.UPSERT_REL, [(rel_type, s, d, rid, _encode(p)) for (s, d, rid), p in patched])

    def _remove_nodes(self, db: sqlite3.Connection, refs: list[NodeRef]) -> None:
        for chunk in _chunks([r.uid for r in refs]):
            marks = _marks(len(chunk))
            db.execute(f"DELETE FROM rel WHERE src IN ({marks})", chunk)
            db.execute(f"DELETE FROM rel WHERE dst IN ({marks})", chunk)
            db.execute(f"DELETE FROM node WHERE uid IN ({marks})", chunk)

    def clear(self) -> None:
        with self._connection() as db, self._immediate(db):
            db.execute("DELETE FROM rel")
            db.execute("DELETE FROM node")
            self._bump_generation(db, [EVERY_PART])
        self.commits += 1

    # -- reads ----------------------------------------------------------------------------------
    def _existing_uids(self, db: sqlite3.Connection, uids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(list(uids)):
            out |= {u for (u,) in db.execute(f"SELECT uid FROM node WHERE uid IN ({_marks(len(chunk))})", chunk)}
        return out

    def existing(self, refs: Iterable[NodeRef]) -> set[NodeRef]:
        """As the protocol's, without reading the properties."""
        by_uid = {r.uid: r for r in refs}
        with self._connection() as db:
            return {by_uid[u] for u in self._existing_uids(db, list(by_uid))}

    def _get_many(self, refs: list[NodeRef]) -> dict[Key, Props]:
        by_uid = {r.uid: r.key for r in refs}
        out: dict[Key, Props] = {}
        with self._connection() as db:
            for chunk in _chunks(list(by_uid)):
                for uid, props in db.execute(f"SELECT uid, props FROM node WHERE uid IN ({_marks(len(chunk))})", chunk):
                    out[by_uid[uid]] = _decode(props)
        return out

    def _property_rows(self, label: str, names: list[str]) -> Iterable[tuple[Key, Sequence[Any]]]:
        # SQLite picks the values out of each row's JSON and gathers every row into one JSON array,
        # parsed at once (a row at a time costs a Python call per row); an array or object value stays
        # JSON inside it
        picks = ", ".join("json_extract(props, ?)" for _ in names)
        query = f"SELECT json_group_array(json_array(key, {picks})) FROM node WHERE label = ?"
        with self._connection() as db:
            (raw,) = db.execute(query, [*(f"$.{n}" for n in names), label]).fetchone()
        return ((row[0], row[1:]) for row in _decode(raw))

    def _pairs(self, rel_type: str, prop: str | None) -> list[tuple[Any, ...]]:
        with self._connection() as db:
            if prop is None:
                return db.execute("SELECT src, dst FROM rel WHERE type = ?", [rel_type]).fetchall()
            query = "SELECT src, dst, json_extract(props, ?) FROM rel WHERE type = ?"
            return db.execute(query, [f"$.{prop}", rel_type]).fetchall()

    def _neighbours(self, refs: list[NodeRef], rel_type: str, direction: Direction) -> list[Neighbour]:
        by_uid = {r.uid: r for r in refs}
        ends = []
        if direction in (Direction.OUT, Direction.BOTH):
            ends.append(("src", "dst"))
        if direction in (Direction.IN, Direction.BOTH):
            ends.append(("dst", "src"))
        out = []
        with self._connection() as db:
            for here, there in ends:
                for chunk in _chunks(list(by_uid)):
                    query = (
                        f"SELECT {here}, {there}, rid, props FROM rel "
                        f"WHERE type = ? AND {here} IN ({_marks(len(chunk))})"
                    )
                    for start, other, rid, props in db.execute(query, [rel_type, *chunk]):
                        out.append(Neighbour(by_uid[start], rel_type, rid, NodeRef.parse(other), _decode(props)))
        return out

    def _walks(self, rel_types: Iterable[str]) -> dict[str, _Adjacency]:
        """The adjacency of each type, current as of the last commit by anyone that wrote the type
        (a run's upload leaves the classification's where it was)."""
        with self._connection() as db:
            out = {}
            for t in rel_types:
                generation = self._parts_generation(db, [t])
                cached = self._adjacency.get(t)
                if cached is None or cached[0] != generation:
                    with self.lock:
                        cached = (
                            generation,
                            _Adjacency(db.execute("SELECT src, dst, rid FROM rel WHERE type = ?", (t,))),
                        )
                        self._adjacency[t] = cached
                out[t] = cached[1]
        return out

    @staticmethod
    def _steps(adjacency: dict[str, _Adjacency], ref: NodeRef, direction: Direction) -> Iterator[tuple[str, NodeRef]]:
        """(type, neighbour) for each relationship of the walked types at ref."""
        for t, adj in adjacency.items():
            if direction in (Direction.OUT, Direction.BOTH):
                for _, nb in adj.out.get(ref, ()):
                    yield t, nb
            if direction in (Direction.IN, Direction.BOTH):
                for _, nb in adj.into.get(ref, ()):
                    yield t, nb

    def _closure_each(
        self, refs: list[NodeRef], rel_type: str, direction: Direction
    ) -> dict[NodeRef, frozenset[NodeRef]]:
        adjacency = self._walks([rel_type])
        with self._connection() as db:
            alive = self._existing_uids(db, [r.uid for r in refs])
        starts = [r for r in refs if r.uid in alive]
        if direction != Direction.BOTH:
            try:
                return _acyclic_closures(adjacency[rel_type], starts, direction)
            except _CycleFound:
                pass  # not a hierarchy: walk from each start on its own
        out: dict[NodeRef, frozenset[NodeRef]] = {}
        for ref in starts:
            seen: set[NodeRef] = set()
            todo = [ref]
            while todo:
                node = todo.pop()
                for _, nb in self._steps(adjacency, node, direction):
                    if nb not in seen:
                        seen.add(nb)
                        todo.append(nb)
            seen.discard(ref)  # a start is in its own closure only through include_self
            out[ref] = frozenset(seen)
        return out

    def _select(self, label: str, where: list[Where], order_by: str, limit: int | None, offset: int) -> list[Node]:
        node_spec(label)
        # SQLite narrows the rows by the conditions it can test on the JSON; Python then applies
        # the exact semantics both stores share (Where.matches)
        clauses, params = sql.prefilter(where)
        query = "SELECT key, props FROM node WHERE label = ?" + "".join(f" AND {c}" for c in clauses)
        found = []
        with self._connection() as db:
            for key, raw in db.execute(query, [label, *params]):
                props = _decode(raw)
                if all(cond.matches(props) for cond in where):
                    found.append(Node(NodeRef(label, key), props))
        found.sort(key=lambda n: (order_value(n.props.get(order_by)), n.ref.key))
        end = None if limit is None else offset + limit
        return found[offset:end]

    def item_page(self, f: ItemFilter, offset: int, limit: int) -> tuple[list[Node], int]:
        """Two SQL statements (the page, read in index order, and the count), the twin of
        cypher/item_page.cypher. The count is kept per subset until the content changes (runs do not
        change it): paging through a subset asks it again on every page, and it reads every matching item."""
        # SQLite takes a list as JSON text (the statement reads it with json_each)
        params = {k: json.dumps(v) if isinstance(v, list) else v for k, v in f.query_params().items()}
        with self._connection() as db:
            generation = self._parts_generation(db, CONTENT)
            under = self._items_under(f.under, generation) if f.under else None
            if under is not None and f.classes_only:
                # only classes: their kept items are in page order, so the page is a slice of them (the
                # statement below would index the whole list again on every page: 22 ms for 20,000)
                total = self._totals.answer(f, generation, lambda: len(under.uids))
                refs = [_ref_of(uid) for uid in under.uids[offset : offset + limit]]
                found = self._get_many(refs)
                return [Node(ref, found[ref.key]) for ref in refs], total
            params.update(offset=offset, limit=limit)
            params["under_items"] = "[]" if under is None else under.text
            (page,) = db.execute(sql.ITEM_PAGE, params).fetchone()
            total = self._totals.answer(f, generation, lambda: int(db.execute(sql.ITEM_COUNT, params).fetchone()[0]))
        return [Node(NodeRef("Item", key), props) for key, props in _decode(page)], total

    def _items_under(self, codes: tuple[int, ...], generation: int) -> _ItemsUnder:
        """The uids of the items answered by the classes or a class below them, in page order: the
        classes from the in-memory walk, their items in one statement; kept until the content changes,
        since the pages of one class ask for it again and again."""

        def work() -> _ItemsUnder:
            below = self.closure([NodeRef("Disease", c) for c in codes], "SUBCLASS_OF", Direction.IN, True)
            classes = json.dumps(sorted(ref.uid for ref in below))
            with self._connection() as db:
                text = str(db.execute(sql.ITEMS_UNDER, {"classes": classes}).fetchone()[0])
            return _ItemsUnder(text, tuple(_decode(text)))

        return self._under.answer(codes, generation, work)

    def item_page_linked(self, f: ItemFilter, offset: int, limit: int) -> ItemPage:
        """The page, its SHOWS and ABOUT links in one statement, and what they lead to in one more: the
        images as the shown properties only, picked out by SQLite (the audit's hashes and grey copies
        are most of an image's JSON, and decoding them in Python was most of the page's cost). Each
        statement hands back one JSON array, decoded by one call: hundreds of small decodes cost
        more in call overhead than in decoding."""
        items, total = self.item_page(f, offset, limit)
        by_uid = {n.ref.uid: n.ref for n in items}
        links: dict[str, list[Neighbour]] = {t: [] for t in PAGE_LINKS}
        linked: dict[NodeRef, Props] = {}
        if not items:
            return ItemPage(items, total, links, linked)
        types = ",".join(f"'{t}'" for t in PAGE_LINKS)
        # one json_extract with every path: SQLite parses each image's JSON once, not once a path
        shown = "json_extract(props, " + ", ".join(f"'$.{p}'" for p in PAGE_IMAGE_PROPS) + ")"
        with self._connection() as db:
            for starts in _chunks(list(by_uid)):
                (found,) = db.execute(
                    "SELECT json_group_array(json_array(src, type, dst, rid, json(props))) FROM rel "
                    f"WHERE type IN ({types}) AND src IN ({_marks(len(starts))})",
                    starts,
                ).fetchone()
                for start, rel_type, other, rid, props in _decode(found):
                    links[rel_type].append(Neighbour(by_uid[start], rel_type, rid, _ref_of(other), props))
            ends = sorted({n.node.uid for found in links.values() for n in found})
            for chunk in _chunks(ends):
                (found,) = db.execute(
                    "SELECT json_group_array(json_array(uid, label = 'Image', "
                    f"CASE WHEN label = 'Image' THEN {shown} ELSE json(props) END)) "
                    f"FROM node WHERE uid IN ({_marks(len(chunk))})",
                    chunk,
                ).fetchone()
                for uid, is_image, props in _decode(found):
                    if is_image:
                        props = {p: v for p, v in zip(PAGE_IMAGE_PROPS, props, strict=True) if v is not None}
                    linked[_ref_of(uid)] = props
        for found in links.values():
            found.sort(key=link_order)
        return ItemPage(items, total, links, linked)

    def disease_search(
        self, search: str | None = None, under: int | None = None, prevalence: str | None = None, limit: int = 50
    ) -> list[Props]:
        """One SQL statement, the twin of cypher/disease_search.cypher."""
        params = {
            "needle": search.lower() if search else None,
            "under": under,
            "prevalence": prevalence or None,
            "limit": limit,
        }
        with self._connection() as db:
            return [_decode(props) for (props,) in db.execute(sql.DISEASE_SEARCH, params)]

    def _distances(
        self, adjacency: dict[str, _Adjacency], starts: list[NodeRef], direction: Direction, max_hops: int
    ) -> dict[NodeRef, int]:
        dist = dict.fromkeys(starts, 0)
        queue = deque(dist)
        while queue:
            node = queue.popleft()
            if dist[node] == max_hops:
                continue
            for _, nb in self._steps(adjacency, node, direction):
                if nb not in dist:
                    dist[nb] = dist[node] + 1
                    queue.append(nb)
        return dist

    def _all_shortest_paths(
        self, sources: list[NodeRef], targets: list[NodeRef], rel_types: list[str], max_hops: int, direction: Direction
    ) -> Iterator[Path]:
        adjacency = self._walks(rel_types)
        with self._connection() as db:
            alive = self._existing_uids(db, [s.uid for s in sources])
        back = {Direction.OUT: Direction.IN, Direction.IN: Direction.OUT, Direction.BOTH: Direction.BOTH}[direction]
        target_set = set(targets)
        for source in sources:
            if source.uid not in alive:
                continue
            from_source = self._distances(adjacency, [source], direction, max_hops)
            for target in sorted(target_set & from_source.keys() - {source}):
                to_target = self._distances(adjacency, [target], back, from_source[target])
                yield self._first_path(adjacency, source, target, from_source[target], to_target, direction)

    def _first_path(
        self,
        adjacency: dict[str, _Adjacency],
        source: NodeRef,
        target: NodeRef,
        length: int,
        to_target: dict[NodeRef, int],
        direction: Direction,
    ) -> Path:
        """Walk forward choosing the smallest (type, node uid) step that stays on a shortest path;
        this is the first shortest path in the order of Path.describe()."""
        nodes, rels = [source], []
        node = source
        for step in range(length):
            remaining = length - step - 1
            options = sorted(
                (t, nb.uid, nb) for t, nb in self._steps(adjacency, node, direction) if to_target.get(nb) == remaining
            )
            t, _, node = options[0]
            rels.append(t)
            nodes.append(node)
        return Path(tuple(nodes), tuple(rels))

    def _count_nodes(self, label: str | None) -> int:
        with self._connection() as db:
            if label is None:
                return int(db.execute("SELECT count(*) FROM node").fetchone()[0])
            return int(db.execute("SELECT count(*) FROM node WHERE label = ?", (label,)).fetchone()[0])

    def _count_rels(self, rel_type: str | None) -> int:
        with self._connection() as db:
            if rel_type is None:
                return int(db.execute("SELECT count(*) FROM rel").fetchone()[0])
            return int(db.execute("SELECT count(*) FROM rel WHERE type = ?", (rel_type,)).fetchone()[0])


def upgrade_json_graph(old: FsPath, store: GraphStore) -> tuple[int, int]:
    """Copy a graph file of the earlier format (whole-graph gzip JSON) into a store, in one
    transaction; returns (nodes, relationships) copied."""
    try:
        with gzip.open(old, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise StoreUnavailableError(f"cannot read graph file {old}: {exc}") from exc
    if doc.get("format") != FORMAT or doc.get("version") != 1:
        raise StoreUnavailableError(f"{old} is not an mmrare graph file of the earlier format (version 1)")
    by_label: dict[str, list[Props]] = {}
    for label, _key, props in doc["nodes"]:
        by_label.setdefault(label, []).append(props)
    by_type: dict[str, list[RelRow]] = {}
    for rel_type, src, dst, rid, props in doc["rels"]:
        by_type.setdefault(rel_type, []).append(RelRow(NodeRef.parse(src), NodeRef.parse(dst), props, rid))
    with store.transaction() as tx:
        for label, rows in by_label.items():
            tx.upsert_nodes(label, rows)
        for rel_type, rels in by_type.items():
            tx.upsert_rels(rel_type, rels)
    return len(doc["nodes"]), len(doc["rels"])
