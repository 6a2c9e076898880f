"""An import written in several transactions (a store bounds how much one may hold: GraphStore's
transaction_rows), still all or nothing: when a later transaction fails, what the earlier ones wrote
is taken back. The nodes they created are deleted with their relationships; the nodes that were
there before get their properties back; and every relationship set they wrote (one type, leaving one
node) is put back as it was. So a re-import that fails halfway leaves the earlier release, whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from mmrare.core.progress import Progress
from mmrare.graph.model import Direction, Key, NodeRef, Props, node_spec
from mmrare.graph.store import GraphStore, RelRow, WriteTx

Chunk = TypeVar("Chunk")


class _UndoLog:
    """What the graph held before the import, of every node and relationship set it writes: read
    from the store (the committed state) the first time a chunk is about to write each."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.nodes: dict[NodeRef, Props | None] = {}  # None: the import creates it
        self.rel_sets: dict[tuple[str, NodeRef], list[RelRow]] = {}  # (type, start) -> its relationships

    def note_nodes(self, label: str, keys: Iterable[Key]) -> None:
        fresh = [k for k in dict.fromkeys(keys) if NodeRef(label, k) not in self.nodes]
        if fresh:
            found = self.store.get_many(label, fresh)
            self.nodes.update({NodeRef(label, k): found.get(k) for k in fresh})

    def note_rel_sets(self, rel_type: str, starts: Iterable[NodeRef]) -> None:
        starts = [s for s in dict.fromkeys(starts) if (rel_type, s) not in self.rel_sets]
        by_label: dict[str, list[Key]] = defaultdict(list)
        for start in starts:
            by_label[start.label].append(start.key)
        for label, keys in by_label.items():
            self.note_nodes(label, keys)
        existed = [s for s in starts if self.nodes[s] is not None]  # a created node's go with it
        self.rel_sets.update({(rel_type, s): [] for s in starts})
        for n in self.store.neighbours(existed, rel_type, Direction.OUT) if existed else []:
            self.rel_sets[(rel_type, n.start)].append(RelRow(n.start, n.node, n.rel_props, n.rid))

    def undo(self) -> None:
        """One transaction that puts back what the log holds."""
        created = [ref for ref, props in self.nodes.items() if props is None]
        restored: dict[str, list[Props]] = defaultdict(list)
        for label in {ref.label for ref, props in self.nodes.items() if props is not None}:
            old = {ref.key: p for ref, p in self.nodes.items() if ref.label == label and p is not None}
            now = self.store.get_many(label, list(old))
            key = node_spec(label).key
            for k, props in old.items():  # properties the import added are removed (None)
                restored[label].append({**dict.fromkeys(now.get(k, {}), None), **props, key: k})
        kept_sets = [(t, s) for t, s in self.rel_sets if self.nodes[s] is not None]
        with self.store.transaction() as tx:
            by_type: dict[str, list[NodeRef]] = defaultdict(list)
            for rel_type, start in kept_sets:
                by_type[rel_type].append(start)
            for rel_type, starts in by_type.items():
                tx.delete_rels(rel_type, starts)
            tx.delete_nodes(created)
            for label, rows in restored.items():
                tx.upsert_nodes(label, rows)
            for rel_type in by_type:
                tx.upsert_rels(rel_type, [r for (t, _), rows in self.rel_sets.items() if t == rel_type for r in rows])


class _Logged(WriteTx):
    """A chunk's transaction that notes in the log what each write is about to change, then writes it.
    Only the last chunk may delete nodes: nothing is written after it, so nothing needs them back."""

    def __init__(self, tx: WriteTx, log: _UndoLog, last: bool) -> None:
        super().__init__()
        self.tx, self.log, self.last = tx, log, last

    def upsert_nodes(self, label: str, rows: Iterable[Props]) -> int:
        rows = list(rows)
        key = node_spec(label).key
        self.log.note_nodes(label, [row[key] for row in rows if row.get(key) is not None])
        return self.tx.upsert_nodes(label, rows)

    def upsert_rels(self, rel_type: str, rows: Iterable[RelRow]) -> int:
        rows = list(rows)
        self.log.note_rel_sets(rel_type, [row.src for row in rows])
        return self.tx.upsert_rels(rel_type, rows)

    def delete_nodes(self, refs: Iterable[NodeRef]) -> None:
        if not self.last:
            raise ValueError("only an import's last transaction may delete nodes (they could not be put back)")
        self.tx.delete_nodes(refs)

    def delete_rels(self, rel_type: str, starts: Iterable[NodeRef]) -> None:
        starts = list(starts)
        self.log.note_rel_sets(rel_type, starts)
        self.tx.delete_rels(rel_type, starts)

    # the writes above go to the store's own transaction, which does its own checking
    def _upsert_nodes(self, label: str, rows: list[tuple[Key, Props]]) -> None:
        raise NotImplementedError

    def _upsert_rels(self, rel_type: str, rows: list[RelRow]) -> None:
        raise NotImplementedError

    def _delete_nodes(self, refs: list[NodeRef]) -> None:
        raise NotImplementedError

    def _delete_rels(self, rel_type: str, starts: list[NodeRef]) -> None:
        raise NotImplementedError


def write_chunks(
    store: GraphStore,
    chunks: Sequence[Chunk],
    write: Callable[[WriteTx, Chunk, int], None],
    progress: Progress,
) -> None:
    """`write(tx, chunk, k)` for each chunk in a transaction of its own; when one fails, what the
    earlier ones wrote is taken back (one transaction alone is all or nothing already)."""
    log = _UndoLog(store) if len(chunks) > 1 else None
    written = 0
    try:
        for k, chunk in enumerate(chunks):
            progress("writing", k, len(chunks))
            with store.transaction() as tx:
                write(_Logged(tx, log, k == len(chunks) - 1) if log is not None else tx, chunk, k)
            written += 1
    except BaseException:
        if log is not None and written:
            log.undo()
        raise


def replace_rows(
    tx: WriteTx,
    replaced: Iterable[tuple[str, list[NodeRef]]],
    nodes: Iterable[tuple[str, list[dict[str, Any]]]],
    rels: Iterable[tuple[str, list[RelRow]]],
) -> None:
    """A re-import's writes: the relationships of each (type, start nodes) go first (what the nodes
    pointed at is replaced), then the nodes, then the relationships, in the order given."""
    for rel_type, starts in replaced:
        tx.delete_rels(rel_type, starts)
    for label, rows in nodes:
        tx.upsert_nodes(label, rows)
    for rel_type, rel_rows in rels:
        tx.upsert_rels(rel_type, rel_rows)
