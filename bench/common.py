"""Helpers shared by the bench scripts: timing, medians, opening the stores to compare."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.errors import StoreUnavailableError
from mmrare.graph.store import GraphStore

FIXTURES = Path(__file__).resolve().parents[1] / "tests/fixtures/orphanet"
SHARED_PACKETS = (
    Path(__file__).resolve().parents[2] / "shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz"
)


def paper_orphanet() -> Path:
    """The full Orphanet release beside the repository when it is there, else the bundled fixtures."""
    return SHARED_PACKETS if SHARED_PACKETS.exists() else FIXTURES


def orphanet_store() -> tuple[EmbeddedStore, Path]:
    """An in-memory embedded store holding `paper_orphanet()`, and where that came from."""
    from mmrare.importers.orphanet.detect import read_all
    from mmrare.importers.orphanet.loader import load

    orphanet = paper_orphanet()
    store = EmbeddedStore(None)
    facts, files = read_all([orphanet])
    load(facts, store, files)
    return store, orphanet


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_time(fn: Callable[[], Any], repeats: int = 5) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeats))


def open_stores(workdir: Path, neo4j_uri: str | None) -> dict[str, GraphStore]:
    """An empty embedded store, and the Neo4j at neo4j_uri (cleared!) when it answers."""
    stores: dict[str, GraphStore] = {"embedded": EmbeddedStore(workdir / "bench-graph.db")}
    stores["embedded"].clear()
    uri = neo4j_uri or os.environ.get("MMRARE_BENCH_NEO4J", "neo4j://127.0.0.1:7687")
    try:
        from mmrare.graph.neo4j_store import Neo4jStore

        neo = Neo4jStore(uri)
        neo.clear()
        neo.init()
        stores["neo4j"] = neo
    except StoreUnavailableError as exc:
        print(f"(Neo4j left out: {exc})")
    return stores


def print_table(rows: list[tuple[str, dict[str, float]]], unit: str = "s") -> None:
    names = sorted({k for _, r in rows for k in r})
    print(f"{'measure':<44}" + "".join(f"{n:>14}" for n in names) + f"{'neo4j/embedded':>16}")
    for label, r in rows:
        cells = "".join(f"{r[n]:>13.3f}{unit}" if n in r else f"{'-':>14}" for n in names)
        ratio = r["neo4j"] / r["embedded"] if "neo4j" in r and r.get("embedded") else float("nan")
        print(f"{label:<44}{cells}{ratio:>16.2f}")


def fixture_release(folder: Path, items: int) -> Path:
    """A generated release of `items` items from the bundled Orphanet fixtures, in folder/release."""
    from mmrare.importers.benchmark.generator import generate_release

    source = with_fixture_orphanet(EmbeddedStore(None))
    release = folder / "release"
    generate_release(source, release, items, seed=5, image_size=96)
    return release


def with_fixture_orphanet(store: GraphStore) -> GraphStore:
    """The store with the bundled Orphanet fixtures imported."""
    from mmrare.importers.orphanet.detect import read_all
    from mmrare.importers.orphanet.loader import load

    facts, files = read_all([FIXTURES])
    load(facts, store, files)
    return store


def served_stores(folder: Path, items: int, neo4j_uri: str | None) -> Iterator[tuple[str, GraphStore, FolderBlobStore]]:
    """Each store (embedded, and Neo4j when it answers: cleared!) loaded with the fixture Orphanet and
    one generated release of `items` items, ready to serve; the loaded graph is frozen out of the GC."""
    import gc

    from mmrare.importers.benchmark.loader import import_release

    release = fixture_release(folder, items)
    blobs = FolderBlobStore(folder / "blobs")
    for name, store in open_stores(folder, neo4j_uri).items():
        with_fixture_orphanet(store)
        import_release(release, store, blobs)
        gc.collect()
        gc.freeze()  # as `mmrare serve` does: the loaded graph is never garbage, so GC need not scan it
        yield name, store, blobs
