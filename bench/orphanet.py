"""Orphanet benchmark: the full December 2025 ORPHApacket release imported into each store (time,
peak memory), then ancestor-closure latency. Neo4j is cleared first!

    python -m bench.orphanet [--packets ../shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import tracemalloc
from pathlib import Path

from bench.common import median_time, open_stores, print_table, timed
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import Direction, NodeRef
from mmrare.importers.orphanet.loader import load
from mmrare.importers.orphanet.packets import read_packets

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=Path, default=DEFAULT)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            r: dict[str, float] = {}
            seconds, summary = timed(lambda store=store: load(read_packets([args.packets]), store, [args.packets]))
            r["full release import (parse + write)"] = seconds
            r["re-import (no change)"], _ = timed(
                lambda store=store: load(read_packets([args.packets]), store, [args.packets])
            )
            codes = [n.ref.key for n in store.select("Disease", [])]
            sample = [NodeRef("Disease", c) for c in random.Random(3).sample(codes, 500)]
            r["ancestors of 1 disease (median)"] = median_time(
                lambda store=store, sample=sample: store.closure([sample[0]], "SUBCLASS_OF", Direction.OUT), 21
            )
            r["ancestors of 500 diseases (closure_each)"] = median_time(
                lambda store=store, sample=sample: store.closure_each(sample, "SUBCLASS_OF", Direction.OUT)
            )
            r["descendants of Rare neurologic disease"] = median_time(
                lambda store=store: store.closure([NodeRef("Disease", 98006)], "SUBCLASS_OF", Direction.IN)
            )
            print(f"{name}: {summary}")
            rows[name] = r
            store.close()
    print(
        "process peak RSS (both stores, one process):",
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
    )
    # Traced separately: tracemalloc slows Python several-fold, so it stays out of the timings above.
    tracemalloc.start()
    load(read_packets([args.packets]), EmbeddedStore(None), [args.packets])
    print(
        "peak Python heap, parse + import into a fresh embedded store:",
        f"{tracemalloc.get_traced_memory()[1] / 1e6:.0f} MB",
    )
    tracemalloc.stop()
    labels = list(next(iter(rows.values())))
    print_table([(label, {n: rows[n][label] for n in rows}) for label in labels])


if __name__ == "__main__":
    main()
