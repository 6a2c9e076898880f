"""The embedded store: a networkx MultiDiGraph in the process, persisted as one gzip JSON file.

A commit rewrites the file atomically (temp file, fsync, rename), so a crash mid-write leaves the
previous file intact. The file holds plain JSON (no pickle), so opening an untrusted file cannot
run code. Several processes share one file: a commit holds an exclusive lock on `<file>.lock`,
reloads the file if another process has replaced it since, then applies its writes, so no write is
lost; every read first reloads a file another process has replaced, so a server sees what the CLI
wrote. Temporary files left by a killed writer are removed by the next writer.
"""

from __future__ import annotations

import fcntl
import functools
import gzip
import json
import os
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path as FsPath
from typing import Any, TypeVar

import networkx as nx

from graph.errors import MissingEndpointError, StoreUnavailableError
from graph.model import Direction, Key, Neighbour, Node, NodeRef, Path, Props, node_spec
from graph.store import GraphStore, RelRow, Where, WriteTx, order_value

T = TypeVar("T")
WRITE_LOCK_WAIT = 120.0  # seconds a writer waits for another process's commit
FORMAT = "mmrare-graph"
FORMAT_VERSION = 1


class _EmbeddedTx(WriteTx):
    """Buffers writes; the store checks and applies them all at commit, or none."""

    def __init__(self) -> None:
        self.ops: list[tuple[str, object, object]] = []

    def _upsert_nodes(self, label: str, rows: list[tuple[Key, Props]]) -> None:
        self.ops.append(("nodes", label, rows))

    def _upsert_rels(self, rel_type: str, rows: list[RelRow]) -> None:
        self.ops.append(("rels", rel_type, rows))

    def _delete_nodes(self, refs: list[NodeRef]) -> None:
        self.ops.append(("delete", None, refs))

    def _delete_rels(self, rel_type: str, starts: list[NodeRef]) -> None:
        self.ops.append(("delete_rels", rel_type, starts))


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def run(self: EmbeddedStore, *args: Any, **kwargs: Any) -> T:
        with self.lock:
            self._refresh()
            return method(self, *args, **kwargs)

    return run


class EmbeddedStore(GraphStore):
    name = "embedded"

    def __init__(self, path: str | os.PathLike[str] | None = None, compresslevel: int = 1) -> None:
        self.path = FsPath(path) if path is not None else None
        self.compresslevel = compresslevel
        self.g = nx.MultiDiGraph()
        self.by_label: dict[str, set[Key]] = {}
        # one thread at a time inside the graph: the service answers requests from worker threads
        self.lock = threading.RLock()
        # the generation of the file in memory; every commit writes a new one to `<file>.version`
        # (file times and sizes cannot tell two quick commits of the same size apart)
        self._seen: str | None = None
        if self.path is not None and self.path.exists():
            self._load()

    def _version_path(self) -> FsPath:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".version")

    def _generation(self) -> str:
        try:
            return self._version_path().read_text()
        except FileNotFoundError:
            return ""

    def _refresh(self, writing: bool = False) -> None:
        """Reload when another process has committed since this one read or wrote the file. A reader
        reloads under the shared lock, so it never reads between a writer's two replacements."""
        if self.path is None or not self.path.exists() or self._generation() == self._seen:
            return
        with nullcontext() if writing else self._file_lock(shared=True):
            self.g = nx.MultiDiGraph()
            self.by_label = {}
            self._load()

    @contextmanager
    def _file_lock(self, shared: bool = False) -> Iterator[None]:
        """The cross-process lock: exclusive for a commit, shared for a reload; waits up to
        WRITE_LOCK_WAIT seconds for another process's commit."""
        if self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a+b") as fh:
            deadline = time.monotonic() + WRITE_LOCK_WAIT
            while True:
                try:
                    fcntl.flock(fh.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreUnavailableError(
                            f"another process has been writing {self.path} for over {WRITE_LOCK_WAIT:g} s; "
                            "try again when it is done"
                        ) from None
                    time.sleep(0.05)
            try:
                if not shared:
                    for stale in self.path.parent.glob(self.path.name + ".*.tmp"):
                        stale.unlink(missing_ok=True)  # a killed writer's: no one else writes while we hold the lock
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # -- persistence ----------------------------------------------------------------------------
    def _load(self) -> None:
        assert self.path is not None
        generation = self._generation()  # read first: a commit landing meanwhile is seen next time
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, EOFError, json.JSONDecodeError) as exc:
            raise StoreUnavailableError(f"cannot read graph file {self.path}: {exc}") from exc
        if doc.get("format") != FORMAT or doc.get("version") != FORMAT_VERSION:
            raise StoreUnavailableError(f"{self.path} is not an mmrare graph file (version {FORMAT_VERSION})")
        for label, key, props in doc["nodes"]:
            self._put_node(NodeRef(label, key), props)
        for rel_type, src, dst, rid, props in doc["rels"]:
            self.g.add_edge(NodeRef.parse(src), NodeRef.parse(dst), key=(rel_type, rid), **props)
        self._seen = generation

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "nodes": [[ref.label, ref.key, props] for ref, props in self.g.nodes(data=True)],
            "rels": [[k[0], a.uid, b.uid, k[1], p] for a, b, k, p in self.g.edges(keys=True, data=True)],
        }
        # The new generation is announced before the graph is replaced: a commit that dies between the
        # two leaves the old graph under a new generation, which others simply read again.
        generation = uuid.uuid4().hex
        fd, version_tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        fd_graph, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(generation)
            os.replace(version_tmp, self._version_path())
            self._seen = generation
            with os.fdopen(fd_graph, "wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=self.compresslevel, mtime=0) as gz:
                    gz.write(json.dumps(doc, separators=(",", ":")).encode("utf-8"))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            FsPath(tmp).unlink(missing_ok=True)
            FsPath(version_tmp).unlink(missing_ok=True)
            raise

    def clear(self) -> None:
        with self.lock, self._file_lock():
            self.g = nx.MultiDiGraph()
            self.by_label = {}
            self._save()

    # -- writes ---------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[WriteTx]:
        tx = _EmbeddedTx()
        yield tx
        if tx.ops:
            with self.lock, self._file_lock():
                self._refresh(writing=True)  # another process may have committed since: build on its writes
                self._check(tx.ops)
                try:
                    self._apply(tx.ops)
                    self._save()
                except BaseException:
                    if self.path is not None:  # what is in memory is not what is on disk: read the file again
                        self._seen = None
                        self.g, self.by_label = nx.MultiDiGraph(), {}
                        self._refresh(writing=True)
                    raise

    def _check(self, ops: list[tuple[str, object, object]]) -> None:
        """Every relationship endpoint must exist once the transaction's own writes are counted."""
        alive: dict[NodeRef, bool] = {}
        for kind, label, rows in ops:
            if kind == "nodes":
                for key, _ in rows:  # type: ignore[attr-defined]
                    alive[NodeRef(label, key)] = True  # type: ignore[arg-type]
            elif kind == "delete":
                for ref in rows:  # type: ignore[attr-defined]
                    alive[ref] = False
            elif kind == "delete_rels":
                continue
            else:
                for row in rows:  # type: ignore[attr-defined]
                    for end in (row.src, row.dst):
                        if not alive.get(end, end in self.g):
                            raise MissingEndpointError(f"relationship {label}: endpoint {end.uid} does not exist")

    def _apply(self, ops: list[tuple[str, object, object]]) -> None:
        for kind, label, rows in ops:
            if kind == "nodes":
                for key, props in rows:  # type: ignore[attr-defined]
                    self._put_node(NodeRef(label, key), props)  # type: ignore[arg-type]
            elif kind == "delete":
                for ref in rows:  # type: ignore[attr-defined]
                    if ref in self.g:
                        self.g.remove_node(ref)
                        self.by_label[ref.label].discard(ref.key)
            elif kind == "delete_rels":
                for ref in rows:  # type: ignore[attr-defined]
                    if ref in self.g:
                        doomed = [(ref, b, k) for _, b, k in self.g.out_edges(ref, keys=True) if k[0] == label]
                        self.g.remove_edges_from(doomed)
            else:
                for row in rows:  # type: ignore[attr-defined]
                    edge_key = (label, row.rid)
                    if self.g.has_edge(row.src, row.dst, key=edge_key):
                        data = self.g.edges[row.src, row.dst, edge_key]
                    else:
                        self.g.add_edge(row.src, row.dst, key=edge_key)
                        data = self.g.edges[row.src, row.dst, edge_key]
                    _merge(data, row.props)

    def _put_node(self, ref: NodeRef, props: Props) -> None:
        if ref in self.g:
            _merge(self.g.nodes[ref], props)
        else:
            self.g.add_node(ref, **{k: v for k, v in props.items() if v is not None})
            self.by_label.setdefault(ref.label, set()).add(ref.key)

    # -- reads ----------------------------------------------------------------------------------
    @_locked
    def _get_many(self, refs: list[NodeRef]) -> dict[Key, Props]:
        return {ref.key: dict(self.g.nodes[ref]) for ref in refs if ref in self.g}

    def _steps(
        self, ref: NodeRef, rel_types: tuple[str, ...], direction: Direction
    ) -> Iterator[tuple[str, str, NodeRef, Props]]:
        """(type, rid, neighbour, rel props) for each relationship of the given types at ref."""
        if direction in (Direction.OUT, Direction.BOTH):
            for _, nb, (t, rid), data in self.g.out_edges(ref, keys=True, data=True):
                if t in rel_types:
                    yield t, rid, nb, data
        if direction in (Direction.IN, Direction.BOTH):
            for nb, _, (t, rid), data in self.g.in_edges(ref, keys=True, data=True):
                if t in rel_types:
                    yield t, rid, nb, data

    @_locked
    def _neighbours(self, refs: list[NodeRef], rel_type: str, direction: Direction) -> list[Neighbour]:
        return [
            Neighbour(ref, t, rid, nb, dict(data))
            for ref in refs
            if ref in self.g
            for t, rid, nb, data in self._steps(ref, (rel_type,), direction)
        ]

    @_locked
    def _closure_each(
        self, refs: list[NodeRef], rel_type: str, direction: Direction
    ) -> dict[NodeRef, frozenset[NodeRef]]:
        out: dict[NodeRef, frozenset[NodeRef]] = {}
        for ref in refs:
            if ref not in self.g:
                continue
            seen: set[NodeRef] = set()
            todo = [ref]
            while todo:
                node = todo.pop()
                for _, _, nb, _ in self._steps(node, (rel_type,), direction):
                    if nb not in seen:
                        seen.add(nb)
                        todo.append(nb)
            seen.discard(ref)  # a start is in its own closure only through include_self
            out[ref] = frozenset(seen)
        return out

    @_locked
    def _select(self, label: str, where: list[Where], order_by: str, limit: int | None, offset: int) -> list[Node]:
        node_spec(label)
        found = []
        for key in self.by_label.get(label, ()):
            props = self.g.nodes[NodeRef(label, key)]
            if all(cond.matches(props) for cond in where):
                found.append(Node(NodeRef(label, key), dict(props)))
        found.sort(key=lambda n: (order_value(n.props.get(order_by)), n.ref.key))
        end = None if limit is None else offset + limit
        return found[offset:end]

    def _distances(
        self, starts: list[NodeRef], rel_types: tuple[str, ...], direction: Direction, max_hops: int
    ) -> dict[NodeRef, int]:
        dist = {s: 0 for s in starts if s in self.g}
        queue = deque(dist)
        while queue:
            node = queue.popleft()
            if dist[node] == max_hops:
                continue
            for _, _, nb, _ in self._steps(node, rel_types, direction):
                if nb not in dist:
                    dist[nb] = dist[node] + 1
                    queue.append(nb)
        return dist

    @_locked
    def _all_shortest_paths(
        self, sources: list[NodeRef], targets: list[NodeRef], rel_types: list[str], max_hops: int, direction: Direction
    ) -> Iterator[Path]:
        types = tuple(rel_types)
        back = {Direction.OUT: Direction.IN, Direction.IN: Direction.OUT, Direction.BOTH: Direction.BOTH}[direction]
        target_set = set(targets)
        for source in sources:
            if source not in self.g:
                continue
            from_source = self._distances([source], types, direction, max_hops)
            for target in sorted(target_set & from_source.keys() - {source}):
                to_target = self._distances([target], types, back, from_source[target])
                yield self._first_path(source, target, from_source[target], to_target, types, direction)

    @_locked
    def _first_path(
        self,
        source: NodeRef,
        target: NodeRef,
        length: int,
        to_target: dict[NodeRef, int],
        types: tuple[str, ...],
        direction: Direction,
    ) -> Path:
        """Walk forward choosing the smallest (type, node uid) step that stays on a shortest path;
        this is the first shortest path in the order of Path.describe()."""
        nodes, rels = [source], []
        node = source
        for step in range(length):
            remaining = length - step - 1
            options = sorted(
                (t, nb.uid, nb) for t, _, nb, _ in self._steps(node, types, direction) if to_target.get(nb) == remaining
            )
            t, _, node = options[0]
            rels.append(t)
            nodes.append(node)
        return Path(tuple(nodes), tuple(rels))

    @_locked
    def _count_nodes(self, label: str | None) -> int:
        return self.g.number_of_nodes() if label is None else len(self.by_label.get(label, ()))

    @_locked
    def _count_rels(self, rel_type: str | None) -> int:
        if rel_type is None:
            return self.g.number_of_edges()
        return sum(1 for _, _, k in self.g.edges(keys=True) if k[0] == rel_type)


def _merge(target: Props, props: Props) -> None:
    for name, value in props.items():
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
