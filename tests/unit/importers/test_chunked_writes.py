"""Writes in several transactions taken back as a whole (importers/chunked_writes.py), on an
in-memory embedded store: a node's properties, a relationship set's members and their properties."""

from __future__ import annotations

import pytest

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.graph.store import RelRow, WriteTx
from mmrare.importers.chunked_writes import write_chunks


def D(code: int) -> NodeRef:
    return NodeRef("Disease", code)


def no_progress(*_: object) -> None:
    pass


def graph() -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.upsert_nodes("Disease", [{"orphaCode": c, "name": f"d{c}"} for c in (1, 2, 3)])
    store.upsert_rels("SUBCLASS_OF", [RelRow(D(2), D(1), {"note": "kept"}), RelRow(D(3), D(1))])
    return store


def state(store: EmbeddedStore) -> tuple:
    nodes = sorted((n.ref.key, sorted(n.props.items())) for n in store.select("Disease"))
    rels = sorted((a, b, str(p)) for a, b, p in store.pairs_with("SUBCLASS_OF", "note"))
    return nodes, rels, store.count_rels()


def test_a_failure_in_a_later_chunk_puts_back_what_the_earlier_ones_changed() -> None:
    store = graph()
    before = state(store)

    def write(tx: WriteTx, chunk: str, k: int) -> None:
        if chunk == "change":
            tx.upsert_nodes("Disease", [{"orphaCode": 2, "name": "renamed", "extra": 7}, {"orphaCode": 9}])
            tx.delete_rels("SUBCLASS_OF", [D(2)])  # 2 under 1 (with its note) replaced by 2 under 3
            tx.upsert_rels("SUBCLASS_OF", [RelRow(D(2), D(3)), RelRow(D(9), D(1)), RelRow(D(3), D(1), {"note": "new"})])
        else:
            raise RuntimeError("the second chunk fails")

    with pytest.raises(RuntimeError, match="second chunk"):
        write_chunks(store, ["change", "fail"], write, no_progress)
    assert state(store) == before  # renamed back, `extra` gone, 9 gone, the links as they were
    assert store.get(D(9)) is None


def test_only_the_last_chunk_may_delete_nodes() -> None:
    store = graph()
    before = state(store)

    def write(tx: WriteTx, chunk: int, k: int) -> None:
        tx.upsert_nodes("Disease", [{"orphaCode": 10 + chunk}])
        tx.delete_nodes([D(3)])

    with pytest.raises(ValueError, match="only an import's last transaction may delete nodes"):
        write_chunks(store, [0, 1], write, no_progress)
    assert state(store) == before
    write_chunks(store, [0], write, no_progress)  # one transaction: nothing to take back, it may delete
    assert store.get(D(3)) is None and store.get(D(10)) is not None
