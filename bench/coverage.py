"""The coverage map at full size: the whole Orphanet (9,998 diseases, with its linearisation) and four
benchmarks in one graph (a paper-scale generated MMRareBench and MRareBench, phenopacket-store 0.1.19
and the 2026 snapshot), then `coverage` by head, linearised head, prevalence and the children of a
class, on each store. Prints each map's time, and Neo4j against embedded. Neo4j is cleared first!

    python -m bench.coverage [--shared ../shared/data] [--neo4j neo4j://127.0.0.1:7687] [--items 1756]

Goals (issue 31): the map in at most 1 s embedded and 3 s on Neo4j. Needs the full files in
../shared/data.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import open_stores, print_table, timed
from mmrare.core.blobs import FolderBlobStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench_generator import generate_mrarebench
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.phenopackets import import_phenopackets
from mmrare.scoring.coverage import coverage

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
UNDER = 98006  # Rare neurologic disease: the class whose children the class map shows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--neo4j", default=None, help="Neo4j URI (cleared!); default MMRARE_BENCH_NEO4J or local")
    parser.add_argument("--items", type=int, default=1756, help="items of each generated benchmark")
    args = parser.parse_args()
    packets = args.shared / "phenopackets"
    releases = [packets / "phenopacket-store_0.1.19.zip", *sorted(packets.glob("phenopacket-store_*b*.zip"))]
    orphanet = [
        args.shared / "orphanet" / "orphapackets" / "orphapackets_2025-12_all.jsonl.gz",
        args.shared / "orphanet" / "orphadata_csv" / "linearisation_of_rare_diseases.csv",
    ]
    facts, files = read_all(orphanet)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, store in open_stores(folder, args.neo4j).items():
            f = figures.setdefault(name, {})
            where = folder / name
            f["load"], _ = timed(
                lambda store=store, where=where: fill(store, facts, files, where, releases, args.items)
            )
            for by, under in (("head", None), ("linearised", None), ("prevalence", None), ("class", UNDER)):
                seconds, found = timed(lambda store=store, by=by, under=under: coverage(store, by, under))
                f[by] = seconds
                benchmarks = sorted({r.benchmark for r in found.rows})
                print(f"{name} by {by}: {len(found.rows)} cells over {len(benchmarks)} benchmark releases, "
                      f"{len(found.uncovered)} groups, {sum(found.uncovered.values()):,} uncovered disorder-group "
                      f"pairs; {seconds:.3f} s")  # fmt: skip
            store.close()
    rows = [("load Orphanet and four benchmarks", {n: f["load"] for n, f in figures.items()})]
    for by in ("head", "linearised", "prevalence", "class"):
        rows.append((f"coverage by {by}", {n: f[by] for n, f in figures.items()}))
    print_table(rows)


def fill(store, facts, files, folder: Path, releases: list[Path], items: int) -> None:  # type: ignore[no-untyped-def]
    load(facts, store, files)
    blobs = FolderBlobStore(folder / "blobs")
    mmrare = generate_release(store, folder / "mmrarebench", items, seed=5, image_size=64)
    import_release(folder / "mmrarebench", store, blobs)
    del mmrare
    generate_mrarebench(store, folder / "mrarebench", items, ("Model-A",), 7)
    import_release(folder / "mrarebench", store, blobs, benchmark="MRareBench")
    for release in releases:
        import_phenopackets([release], store)


if __name__ == "__main__":
    main()
