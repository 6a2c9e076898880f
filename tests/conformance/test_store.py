"""The conformance suite: every test runs on the embedded store and on Neo4j with the same expectations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mmrare.graph.errors import InvalidRowError, MissingEndpointError
from mmrare.graph.model import CONTENT, RESULTS, Direction, NodeRef
from mmrare.graph.store import GraphStore, RelRow, Where


def D(code: int) -> NodeRef:
    return NodeRef("Disease", code)


# A multi-parent DAG: heads 1 and 2; groups 10 (under 1) and 11 (under 1 and 2);
# disorders 100 (under 10 and 11) and 101 (under 11); subtype 1000 (under 100).
PARENTS = {10: [1], 11: [1, 2], 100: [10, 11], 101: [11], 1000: [100]}


def load_dag(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": c, "name": f"disease {c}"} for c in (1, 2, 10, 11, 100, 101, 1000)])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(c), D(p)) for c, ps in PARENTS.items() for p in ps])
        tx.upsert_nodes("Item", [{"itemId": "diagnosis:1", "track": "diagnosis"}])
        tx.upsert_rels(
            "MENTIONS",
            [
                RelRow(NodeRef("Item", "diagnosis:1"), D(1000), {"field": "question", "start": 0}, rid="question:0"),
                RelRow(NodeRef("Item", "diagnosis:1"), D(1000), {"field": "context", "start": 7}, rid="context:7"),
            ],
        )
        tx.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", "diagnosis:1"), D(101), {"method": "code"})])


def test_upsert_is_idempotent_and_merges_properties(store: GraphStore) -> None:
    load_dag(store)
    before = store.stats()
    load_dag(store)
    assert store.stats() == before
    assert store.count_nodes("Disease") == 7
    assert store.count_rels("SUBCLASS_OF") == 7
    assert store.count_rels("MENTIONS") == 2
    assert store.count_nodes() == 8

    store.upsert_nodes("Disease", [{"orphaCode": 558, "name": "Marfan syndrome", "synonyms": ["MFS"]}])
    store.upsert_nodes("Disease", [{"orphaCode": 558, "group": "Disorder", "synonyms": None}])
    assert store.get(D(558)).props == {"orphaCode": 558, "name": "Marfan syndrome", "group": "Disorder"}


def test_a_none_later_in_one_batch_removes_what_is_stored(store: GraphStore) -> None:
    load_dag(store)
    store.upsert_nodes("Disease", [{"orphaCode": 558, "name": "Marfan syndrome", "synonyms": ["MFS"]}])
    with store.transaction() as tx:
        # one batch: the second row of 558 takes back the synonyms stored before and the group just given
        tx.upsert_nodes(
            "Disease",
            [{"orphaCode": 558, "group": "Disorder"}, {"orphaCode": 558, "synonyms": None, "group": None, "x": 1.5}],
        )
        tx.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", "diagnosis:1"), D(101), {"method": None, "score": 1e-05})])
    assert store.get(D(558)).props == {"orphaCode": 558, "name": "Marfan syndrome", "x": 1.5}
    [answer] = store.neighbours([NodeRef("Item", "diagnosis:1")], "ANSWER_IS")
    assert answer.rel_props == {"score": 1e-05}  # 'method' removed, the new value exact
    # a new node keeps only its non-null values
    store.upsert_nodes("Disease", [{"orphaCode": 4242, "name": "Novel", "group": None, "label": 'é\u2028"x'}])
    assert store.get(D(4242)).props == {"orphaCode": 4242, "name": "Novel", "label": 'é\u2028"x'}


def test_heads_walk_the_dag_and_a_cycle_falls_back_to_the_closure(store: GraphStore) -> None:
    from mmrare.core.ontology import heads_of

    load_dag(store)
    store.upsert_nodes("Disease", [{"orphaCode": 320716, "name": "Rare disorders"}])
    store.upsert_rels("SUBCLASS_OF", [RelRow(D(1), D(320716)), RelRow(D(2), D(320716))])
    codes = (1, 2, 10, 11, 100, 101, 1000, 320716)
    expected = {1: [1], 2: [2], 10: [1], 11: [1, 2], 100: [1, 2], 101: [1, 2], 1000: [1, 2], 320716: []}
    assert heads_of(store, [D(c) for c in codes]) == expected
    # 8 and 7 each under the other, 8 also under head 2: both reach head 2, whichever is walked first
    store.upsert_nodes("Disease", [{"orphaCode": 7, "name": "loop a"}, {"orphaCode": 8, "name": "loop b"}])
    store.upsert_rels("SUBCLASS_OF", [RelRow(D(7), D(8)), RelRow(D(8), D(7)), RelRow(D(8), D(2))])
    for order in ((7, 8), (8, 7)):
        found = heads_of(store, [D(c) for c in (*order, *codes)])
        assert found == {**expected, 7: [2], 8: [2]}


def test_relationship_properties_merge(store: GraphStore) -> None:
    load_dag(store)
    store.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", "diagnosis:1"), D(101), {"confidence": 1.0})])
    [answer] = store.neighbours([NodeRef("Item", "diagnosis:1")], "ANSWER_IS")
    assert answer.node == D(101)
    assert answer.rel_props == {"method": "code", "confidence": 1.0}
    assert store.count_rels("ANSWER_IS") == 1


def test_failed_batch_writes_nothing(store: GraphStore) -> None:
    load_dag(store)
    before = store.stats()
    with pytest.raises(MissingEndpointError, match="Disease:999"), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 5, "name": "new"}])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(5), D(1)), RelRow(D(5), D(999))])
    with pytest.raises(InvalidRowError, match=r"Disease row 1: property 'name'"), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 6}, {"orphaCode": 7, "name": {"nested": "map"}}])
    with pytest.raises(InvalidRowError, match="must be int"):
        store.upsert_nodes("Disease", [{"orphaCode": "558"}])
    with pytest.raises(RuntimeError, match="caller failed"), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 8}])
        raise RuntimeError("caller failed")
    # text that is not Unicode (a lone surrogate, which UTF-8 cannot hold): named, nothing written
    lone = "Marfan \ud800 syndrome"
    not_unicode = r"Disease row 1: property 'synonyms' holds text that is not Unicode"
    with pytest.raises(InvalidRowError, match=not_unicode), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 9, "name": "fine"}, {"orphaCode": 10, "synonyms": ["a", lone]}])
    with pytest.raises(InvalidRowError, match=r"Item row 0: its key holds text that is not Unicode"):
        store.upsert_nodes("Item", [{"itemId": lone}])
    with pytest.raises(InvalidRowError, match=r"SUBCLASS_OF row 0: property 'why'"), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 11}])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(11), D(1), {"why": lone})])
    # an int beyond 64 bits: Neo4j cannot hold it, and the embedded store would read it back rounded
    beyond = r"Disease row 1: property 'size' has an int beyond 64 bits"
    for big in (2**63, -(2**63) - 1, [1, 2**64]):
        with pytest.raises(InvalidRowError, match=beyond):
            store.upsert_nodes("Disease", [{"orphaCode": 12}, {"orphaCode": 13, "size": big}])
    assert store.stats() == before
    assert store.get(D(5)) is None


def test_relationship_to_node_created_in_same_transaction(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 1}, {"orphaCode": 2}])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(2), D(1))])
    assert store.count_rels("SUBCLASS_OF") == 1


def test_closure_over_multi_parent_dag(store: GraphStore) -> None:
    load_dag(store)
    assert store.closure([D(1000)], "SUBCLASS_OF", Direction.OUT) == {D(100), D(10), D(11), D(1), D(2)}
    assert store.closure([D(11)], "SUBCLASS_OF", Direction.IN) == {D(100), D(101), D(1000)}
    assert store.closure([D(11)], "SUBCLASS_OF", Direction.IN, include_self=True) == {D(11), D(100), D(101), D(1000)}
    each = store.closure_each([D(101), D(10), D(12345)], "SUBCLASS_OF", Direction.OUT)
    assert each == {D(101): frozenset({D(11), D(1), D(2)}), D(10): frozenset({D(1)})}
    assert store.closure([D(1), D(2)], "SUBCLASS_OF", Direction.OUT) == set()


def test_neighbours_by_type_and_direction(store: GraphStore) -> None:
    load_dag(store)
    parents = store.neighbours([D(100)], "SUBCLASS_OF", Direction.OUT)
    assert [n.node for n in parents] == [D(10), D(11)]
    children = store.neighbours([D(11)], "SUBCLASS_OF", Direction.IN)
    assert [n.node for n in children] == [D(100), D(101)]
    both = store.neighbours([D(100)], "SUBCLASS_OF", Direction.BOTH)
    assert [n.node for n in both] == [D(10), D(11), D(1000)]
    mentions = store.neighbours([NodeRef("Item", "diagnosis:1")], "MENTIONS")
    assert [(m.rid, m.rel_props) for m in mentions] == [
        ("context:7", {"field": "context", "start": 7}),
        ("question:0", {"field": "question", "start": 0}),
    ]


def test_bounded_shortest_paths_with_allowed_types(store: GraphStore) -> None:
    load_dag(store)
    item = NodeRef("Item", "diagnosis:1")
    [path] = store.shortest_paths([item], [D(101)], ["MENTIONS", "SUBCLASS_OF"], max_hops=4)
    assert path.describe() == [
        "Item:diagnosis:1",
        "MENTIONS",
        "Disease:1000",
        "SUBCLASS_OF",
        "Disease:100",
        "SUBCLASS_OF",
        "Disease:11",
        "SUBCLASS_OF",
        "Disease:101",
    ]
    assert store.shortest_paths([item], [D(101)], ["MENTIONS", "SUBCLASS_OF"], max_hops=3) == []
    assert store.shortest_paths([item], [D(101)], ["SUBCLASS_OF"], max_hops=6) == []
    # ANSWER_IS allowed: the direct edge is the shortest path.
    [direct] = store.shortest_paths([item], [D(101)], ["ANSWER_IS", "SUBCLASS_OF"], max_hops=4)
    assert direct.describe() == ["Item:diagnosis:1", "ANSWER_IS", "Disease:101"]


def test_shortest_path_ties_and_directions(store: GraphStore) -> None:
    load_dag(store)
    # 100 -> 10 -> 1 and 100 -> 11 -> 1 tie; the first in describe() order wins on both stores.
    [tie] = store.shortest_paths([D(100)], [D(1)], ["SUBCLASS_OF"], max_hops=2, direction=Direction.OUT)
    assert [n.key for n in tie.nodes] == [100, 10, 1]
    [up] = store.shortest_paths([D(1000)], [D(2)], ["SUBCLASS_OF"], max_hops=5, direction=Direction.OUT)
    assert [n.key for n in up.nodes] == [1000, 100, 11, 2]
    assert store.shortest_paths([D(1000)], [D(2)], ["SUBCLASS_OF"], max_hops=5, direction=Direction.IN) == []
    many = store.shortest_paths(
        [D(1000), D(101)], [D(1), D(2), D(101)], ["SUBCLASS_OF"], max_hops=3, direction=Direction.OUT
    )
    assert [(p.nodes[0].key, p.nodes[-1].key, p.length) for p in many] == [
        (1000, 1, 3),
        (1000, 2, 3),
        (101, 101, 0),
        (101, 1, 2),
        (101, 2, 2),
    ]


def test_filtered_selection(store: GraphStore) -> None:
    rows = [
        {"itemId": f"{track}:{i}", "track": track, "index": i, "nImages": i % 4 + 1, "modalities": mods}
        for i, (track, mods) in enumerate(
            [
                ("diagnosis", ["CT"]),
                ("diagnosis", ["MRI", "CT"]),
                ("treatment", ["photo"]),
                ("diagnosis", ["histology"]),
                ("crossmodal", ["CT", "MRI"]),
                ("examination", []),
            ]
        )
    ]
    rows[5]["leakFree"] = True
    store.upsert_nodes("Item", rows)
    ids = lambda nodes: [n.ref.key for n in nodes]  # noqa: E731
    assert ids(store.select("Item", [Where("track", "eq", "diagnosis")])) == [
        "diagnosis:0",
        "diagnosis:1",
        "diagnosis:3",
    ]
    assert ids(store.select("Item", [Where("track", "in", ["treatment", "crossmodal"])])) == [
        "crossmodal:4",
        "treatment:2",
    ]
    # nImages = index % 4 + 1: 1, 2, 3, 4, 1, 2
    assert ids(store.select("Item", [Where("nImages", "gte", 2), Where("nImages", "lte", 3)])) == [
        "diagnosis:1",
        "examination:5",
        "treatment:2",
    ]
    assert ids(store.select("Item", [Where("modalities", "has", "CT")])) == [
        "crossmodal:4",
        "diagnosis:0",
        "diagnosis:1",
    ]
    assert ids(store.select("Item", [Where("leakFree", "exists", True)])) == ["examination:5"]
    assert len(store.select("Item", [Where("leakFree", "exists", False)])) == 5
    paged = store.select("Item", order_by="index", limit=2, offset=3)
    assert ids(paged) == ["diagnosis:3", "crossmodal:4"]
    assert store.select("Item", [Where("track", "eq", "nothing")]) == []


def test_delete_nodes_detaches(store: GraphStore) -> None:
    load_dag(store)
    with store.transaction() as tx:
        tx.delete_nodes([D(11), D(424242)])
    assert store.get(D(11)) is None
    assert store.count_rels("SUBCLASS_OF") == 3  # 11->1, 11->2, 100->11 and 101->11 went with it
    assert store.closure([D(1000)], "SUBCLASS_OF") == {D(100), D(10), D(1)}


def test_delete_relationships_of_a_type(store: GraphStore) -> None:
    load_dag(store)
    with store.transaction() as tx:
        tx.delete_rels("SUBCLASS_OF", [D(100), D(4242)])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(100), D(2))])  # the same transaction may rewrite them
    assert [n.node for n in store.neighbours([D(100)], "SUBCLASS_OF")] == [D(2)]
    assert [n.node for n in store.neighbours([D(1000)], "SUBCLASS_OF")] == [D(100)]  # incoming ones stay
    assert store.count_rels("SUBCLASS_OF") == 6
    assert store.count_rels("MENTIONS") == 2


def test_persistence_across_reopen(store: GraphStore, reopen) -> None:
    load_dag(store)
    store.upsert_nodes(
        "Disease",
        [
            {
                "orphaCode": 586,
                "name": "Cystic fibrosis",
                "valMoy": 12.6,
                "synonyms": ["CF", "Mucoviscidosis"],
                "active": True,
            }
        ],
    )
    again = reopen()
    try:
        assert again.stats() == store.stats()
        assert again.get(D(586)).props == {
            "orphaCode": 586,
            "name": "Cystic fibrosis",
            "valMoy": 12.6,
            "synonyms": ["CF", "Mucoviscidosis"],
            "active": True,
        }
        assert again.closure([D(1000)], "SUBCLASS_OF") == {D(100), D(10), D(11), D(1), D(2)}
    finally:
        if again is not store:
            again.close()


def test_a_few_properties_of_every_node_of_a_label(store: GraphStore) -> None:
    load_dag(store)
    store.upsert_nodes("Disease", [{"orphaCode": 558, "name": "Marfan syndrome", "heads": [1, 2], "x": 0.5}])
    found = store.properties("Disease", ["name", "heads"])
    assert found[558] == {"name": "Marfan syndrome", "heads": [1, 2]}  # x is not asked for
    assert found[10] == {"name": "disease 10"}  # no heads: left out, never None
    assert set(found) == {1, 2, 10, 11, 100, 101, 1000, 558}
    assert store.properties("Disease", ["x"]) == {c: ({"x": 0.5} if c == 558 else {}) for c in found}
    assert store.properties("Item", ["track"]) == {"diagnosis:1": {"track": "diagnosis"}}
    with pytest.raises(ValueError, match="identifiers"):
        store.properties("Disease", ["name') RETURN 1 //"])
    with pytest.raises(ValueError, match="identifiers"):
        store.properties("Disease", [])


def test_the_key_pairs_of_a_whole_relation(store: GraphStore) -> None:
    load_dag(store)
    assert store.pairs("ANSWER_IS") == [("diagnosis:1", 101)]  # keys of their labels' types
    store.upsert_nodes("Item", [{"itemId": "diagnosis:2: a colon", "track": "diagnosis"}])
    store.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", "diagnosis:2: a colon"), D(100))])
    assert sorted(store.pairs("ANSWER_IS")) == [("diagnosis:1", 101), ("diagnosis:2: a colon", 100)]
    expected = sorted((c, p) for c, ps in PARENTS.items() for p in ps)
    assert sorted(store.pairs("SUBCLASS_OF")) == expected  # in no set order
    assert store.pairs("SHOWS") == []
    with pytest.raises(ValueError, match="joins several labels"):
        store.pairs("MENTIONS")
    # with one property of each relationship, None where it has none
    assert sorted(store.pairs_with("ANSWER_IS", "method"), key=str) == [
        ("diagnosis:1", 101, "code"),
        ("diagnosis:2: a colon", 100, None),
    ]
    with pytest.raises(ValueError, match="identifier"):
        store.pairs_with("ANSWER_IS", "method] RETURN 1 //")


def test_the_generation_moves_with_every_write_and_only_then(store: GraphStore) -> None:
    start = store.generation()
    load_dag(store)  # one transaction
    after_load = store.generation()
    assert after_load == start + 1
    store.select("Disease")
    store.properties("Disease", ["name"])
    assert store.generation() == after_load  # reads move nothing
    with store.transaction():
        pass  # a transaction that writes nothing moves nothing
    assert store.generation() == after_load
    with pytest.raises(MissingEndpointError), store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": 7}])
        tx.upsert_rels("SUBCLASS_OF", [RelRow(D(7), D(424242))])
    assert store.generation() == after_load  # a transaction that fails writes nothing, the generation included
    with store.transaction() as tx:
        tx.delete_nodes([D(1000)])
    assert store.generation() == after_load + 1
    store.clear()
    assert store.generation() == after_load + 2 and store.count_nodes() == 0  # never back to where it began
    assert "GraphMeta" not in store.stats()["nodes"]


def test_a_parts_generation_moves_only_with_writes_of_those_parts(store: GraphStore) -> None:
    """generation(parts) is the generation of the last commit that wrote one of the parts: a run's
    upload leaves the content's where it was; a write of content, a delete that takes content's
    relationships with it, and a clear move it."""
    load_dag(store)
    content = store.generation(CONTENT)
    assert content == store.generation()  # the load wrote diseases
    with store.transaction() as tx:  # what an upload writes
        tx.upsert_nodes("Model", [{"name": "m"}])
        tx.upsert_nodes("Run", [{"runId": "r"}])
        tx.upsert_rels("OF_MODEL", [RelRow(NodeRef("Run", "r"), NodeRef("Model", "m"))])
    assert store.generation() == content + 1
    assert store.generation(CONTENT) == content  # still: runs change no content
    assert store.generation(RESULTS) == content + 1
    assert store.generation(["Run"]) == content + 1 and store.generation(["Disease"]) == content
    assert store.generation(["SUBCLASS_OF"]) == content  # the load's relationships, written in its commit
    store.upsert_nodes("Disease", [{"orphaCode": 1000, "name": "renamed"}])
    assert store.generation(CONTENT) == store.generation() == content + 2
    assert store.generation(RESULTS) == content + 1
    with store.transaction() as tx:
        tx.delete_nodes([NodeRef("Run", "r")])  # a run goes with its OF_MODEL links: results only
    assert store.generation(CONTENT) == content + 2 and store.generation(["OF_MODEL"]) == content + 3
    with store.transaction() as tx:
        tx.delete_rels("SUBCLASS_OF", [D(1000)])
    assert store.generation(["SUBCLASS_OF"]) == content + 4 and store.generation(["Disease"]) == content + 2
    store.clear()
    assert store.generation(["Judgement"]) == store.generation(CONTENT) == content + 5  # a clear writes every part
    with pytest.raises(ValueError, match="unknown label or relationship type"):
        store.generation(["Nope"])


def test_warming_reads_only_and_keeps_nothing(store: GraphStore) -> None:
    """warm() (what `mmrare serve` runs at start) works on an empty graph and on a loaded one, writes
    nothing and keeps no answer: the first page after it is still counted from the graph."""
    store.warm()
    load_dag(store)
    before, nodes = store.generation(), store.count_nodes()
    counts = dict(store._totals._kept)  # type: ignore[attr-defined]  # both stores keep subset counts
    store.warm()
    assert store.generation() == before and store.count_nodes() == nodes
    assert store._totals._kept == counts  # type: ignore[attr-defined]


@pytest.mark.neo4j
def test_neo4j_names_the_home_database_once_at_connect(neo4j_store: GraphStore) -> None:
    """Without a database in the setting the Neo4j store asks the server for the caller's home database
    when it connects, so a read does not cost that question again (a round trip per cached page)."""
    from mmrare.graph.neo4j_store import Neo4jStore

    assert isinstance(neo4j_store, Neo4jStore)
    fresh = Neo4jStore(neo4j_store.uri)
    try:
        assert fresh.database == "neo4j"  # the server's default home database (conf/neo4j.conf leaves it)
        assert fresh.generation() == neo4j_store.generation()
    finally:
        fresh.close()


def test_a_bulk_block_keeps_each_commit_whole_and_seen(store: GraphStore, reopen: Callable[[], GraphStore]) -> None:
    """Inside `bulk()` every transaction is still all or nothing, and what one commits is there for
    another connection at once; after the block all of it is there."""
    with store.bulk():
        store.upsert_nodes("Disease", [{"orphaCode": 1, "name": "first"}])
        assert reopen().get(D(1)) is not None  # another connection sees the commit inside the block
        with pytest.raises(MissingEndpointError), store.transaction() as tx:
            tx.upsert_nodes("Disease", [{"orphaCode": 2, "name": "second"}])
            tx.upsert_rels("SUBCLASS_OF", [RelRow(D(2), D(999))])
        store.upsert_nodes("Disease", [{"orphaCode": 3, "name": "third"}])
    again = reopen()
    assert again.get(D(2)) is None  # the failed transaction wrote nothing
    assert again.get(D(1)) is not None and again.get(D(3)) is not None
