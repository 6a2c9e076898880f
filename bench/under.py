"""A page of items under an Orphanet class against a page without one, on each store, at paper scale
(the full Orphanet and 1,756 generated items). Goal: a page under any class within 2x of a page
without. Neo4j is cleared first!

    python -m bench.under [--items 1756 --repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import open_stores, orphanet_store, paper_orphanet
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.subsets import ItemFilter
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load

CLASSES = {98053: "Rare genetic disease", 98006: "Rare neurologic disease", 68367: "Rare inborn errors of metabolism"}


def page_ms(store: object, f: ItemFilter, repeats: int) -> tuple[float, int]:
    """The median time of a 100-item page with its links, after one warm-up (which fills caches)."""
    store.item_page_linked(f, 0, 100)  # type: ignore[attr-defined]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        page = store.item_page_linked(f, 0, 100)  # type: ignore[attr-defined]
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), page.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--neo4j", help="Neo4j URI (default: MMRARE_BENCH_NEO4J or the local one)")
    args = parser.parse_args()
    source, _ = orphanet_store()
    with tempfile.TemporaryDirectory() as tmp:
        release = Path(tmp) / "release"
        generate_release(source, release, items=args.items, seed=3, image_size=48)
        facts, files = read_all([paper_orphanet()])
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            load(facts, store, files)
            import_release(release, store, FolderBlobStore(Path(tmp) / "blobs"))
            plain, total = page_ms(store, ItemFilter(), args.repeats)
            print(f"{name}: a 100-item page of {total} items: {plain:.1f} ms")
            for code, label in CLASSES.items():
                under, n = page_ms(store, ItemFilter(under=(code,)), args.repeats)
                print(
                    f"  under ORPHA:{code} ({label}, {n} items): {under:.1f} ms, {under / plain:.2f}x the page without"
                )
            store.close()


if __name__ == "__main__":
    main()
