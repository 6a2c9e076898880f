"""Store benchmark: 100k nodes and 200k relationships upserted, then closure and path queries,
on the embedded store and on Neo4j (cleared first!). Prints medians and the Neo4j/embedded ratio.

    python -m bench.stores [--nodes 100000] [--neo4j neo4j://127.0.0.1:7687]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from bench.common import median_time, open_stores, print_table, timed
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import RelRow


def make_dag(n: int, seed: int) -> tuple[list[dict], list[RelRow]]:
    """A layered DAG shaped like a classification: node i has two parents among [i/10, i/2)."""
    rng = random.Random(seed)
    nodes = [{"orphaCode": i, "name": f"disease {i}", "group": "Disorder"} for i in range(1, n + 1)]
    rels: list[RelRow] = []
    for i in range(1, n + 1):
        if i <= 20:
            continue  # the heads
        lo, hi = max(1, i // 10), max(2, i // 2)
        for parent in rng.sample(range(lo, hi), 2):
            rels.append(RelRow(NodeRef("Disease", i), NodeRef("Disease", parent)))
    return nodes, rels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--neo4j", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    nodes, rels = make_dag(args.nodes, args.seed)
    rng = random.Random(args.seed + 1)
    leaves = [NodeRef("Disease", c) for c in rng.sample(range(args.nodes // 2, args.nodes + 1), 200)]
    mids = [NodeRef("Disease", c) for c in rng.sample(range(args.nodes // 20, args.nodes // 10), 20)]
    pairs = [
        (NodeRef("Disease", a), NodeRef("Disease", b))
        for a, b in zip(rng.sample(range(1000, args.nodes), 50), rng.sample(range(1000, args.nodes), 50), strict=True)
    ]
    print(f"graph: {len(nodes):,} nodes, {len(rels):,} SUBCLASS_OF relationships")

    results: dict[str, dict[str, float]] = {}
    answers: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            r: dict[str, float] = {}

            def load(store=store) -> None:
                with store.transaction() as tx:
                    tx.upsert_nodes("Disease", nodes)
                    tx.upsert_rels("SUBCLASS_OF", rels)

            r["upsert 100k nodes + 200k rels (1 tx)"], _ = timed(load)
            r["re-upsert the same (no change)"], _ = timed(load)
            r["ancestors of 200 leaves (closure_each)"] = median_time(
                lambda store=store: store.closure_each(leaves, "SUBCLASS_OF", Direction.OUT)
            )
            r["descendants of 20 mid nodes"] = median_time(
                lambda store=store: store.closure_each(mids, "SUBCLASS_OF", Direction.IN)
            )
            r["50 shortest paths, <=6 hops, both ways"] = median_time(
                lambda store=store: [store.shortest_paths([a], [b], ["SUBCLASS_OF"], 6) for a, b in pairs], 3
            )
            r["lookup 1,000 nodes by key"] = median_time(lambda store=store: store.get_many("Disease", range(1, 1001)))
            answers[name] = (
                store.count_nodes(),
                store.count_rels(),
                sorted((k.key, len(v)) for k, v in store.closure_each(leaves, "SUBCLASS_OF").items()),
                [p.describe() for a, b in pairs[:10] for p in store.shortest_paths([a], [b], ["SUBCLASS_OF"], 6)],
            )
            results[name] = r
            store.close()

    labels = list(next(iter(results.values())))
    print_table([(label, {n: results[n][label] for n in results}) for label in labels])
    if len(answers) == 2:
        same = answers["embedded"] == answers["neo4j"]
        print(f"identical answers on both stores: {same}")


if __name__ == "__main__":
    main()
