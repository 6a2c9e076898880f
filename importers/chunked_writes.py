"""An import written in several transactions (a store bounds how much one may hold: GraphStore's
transaction_rows), still all or nothing for the nodes it creates: when a later transaction fails, the
nodes the earlier ones created are deleted again, with their relationships."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from mmrare.core.progress import Progress
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow, WriteTx

Chunk = TypeVar("Chunk")


def write_chunks(
    store: GraphStore,
    chunks: Sequence[Chunk],
    write: Callable[[WriteTx, Chunk, int], None],
    creates: Callable[[Chunk, int], list[NodeRef]],
    progress: Progress,
) -> None:
    """`write(tx, chunk, k)` for each chunk in a transaction of its own; `creates(chunk, k)`, asked
    before the chunk is written, names the nodes it will create (taken back on a later failure)."""
    created: list[NodeRef] = []
    try:
        for k, chunk in enumerate(chunks):
            progress("writing", k, len(chunks))
            new = creates(chunk, k) if len(chunks) > 1 else []
            with store.transaction() as tx:
                write(tx, chunk, k)
            created += new
    except BaseException:
        if created:
            with store.transaction() as tx:
                tx.delete_nodes(list(dict.fromkeys(created)))
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
