"""Benchmark import at paper scale: a generated 1,756-item, 7,958-image release imported into each store
(each in its own process, so peak RSS is the import's own); time, images per second, and the cost of
the draft-mode perceptual hash against full decoding. Neo4j is cleared first!

    python -m bench.benchmark_import [--items 1756 --images 7958 --image-size 384] [--neo4j URI]
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import median_time, paper_orphanet
from bench.images import full_decode_then_reduce
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.images import inspect_image
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load


def child(store_setting: str, orphanet: Path, release: Path, blobs: Path) -> None:
    """Runs in a fresh process: Orphanet first (not timed), then the timed benchmark import."""
    from mmrare.graph.settings import open_store
    from mmrare.importers.benchmark.loader import import_release

    store = open_store(store_setting)
    store.clear()
    facts, files = read_all([orphanet])
    load(facts, store, files)
    start = time.perf_counter()
    summary = import_release(release, store, FolderBlobStore(blobs))
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "images": summary.images,
                "items": sum(summary.items.values()),
                "rss_mb": rss_mb,
                "aligned": summary.aligned,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--images", type=int, default=7958)
    parser.add_argument("--neo4j", default="neo4j://127.0.0.1:7687")
    parser.add_argument("--image-size", type=int, default=384, help="Width of the generated images in px.")
    parser.add_argument("--child", nargs=4, metavar=("STORE", "ORPHANET", "RELEASE", "BLOBS"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]), Path(args.child[3]))
        return
    orphanet = paper_orphanet()
    with tempfile.TemporaryDirectory() as tmp:
        graph = EmbeddedStore(None)
        facts, files = read_all([orphanet])
        load(facts, graph, files)
        release = Path(tmp) / "release"
        start = time.perf_counter()
        manifest = generate_release(graph, release, args.items, seed=1, images=args.images, image_size=args.image_size)
        print(
            f"generated {manifest.items} items, {manifest.images} images in {time.perf_counter() - start:.1f} s "
            f"(Orphanet from {orphanet.name})"
        )
        size = sum(p.stat().st_size for p in release.rglob("*.tsv"))
        print(f"release size: {size / 1e6:.0f} MB of TSV")
        results = {}
        for name, setting in (("embedded", f"embedded:{tmp}/graph.db"), ("neo4j", args.neo4j)):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.benchmark_import",
                    "--child",
                    setting,
                    str(orphanet),
                    str(release),
                    f"{tmp}/blobs-{name}",
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                print(f"({name} left out: {done.stderr.strip().splitlines()[-1] if done.stderr else 'failed'})")
                continue
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        for name, r in results.items():
            print(
                f"{name:>9}: import {r['seconds']:.1f} s, {r['images'] / r['seconds']:.0f} images/s, "
                f"{r['items']} items, peak RSS {r['rss_mb']:.0f} MB, alignment {r['aligned']}"
            )
        if len(results) == 2:
            print(f"neo4j/embedded import time: {results['neo4j']['seconds'] / results['embedded']['seconds']:.2f}")
        sample = []
        with open(release / "diagnosis" / "diagnosis_opened.tsv", encoding="utf-8", newline="") as fh:
            csv.field_size_limit(sys.maxsize)
            for row in csv.DictReader(fh, delimiter="\t"):
                sample += [base64.b64decode(b) for b in json.loads(row["image"])]
                if len(sample) >= 200:
                    break
        ours = median_time(lambda: [inspect_image(b) for b in sample], 3)
        full = median_time(lambda: [full_decode_then_reduce(b) for b in sample], 3)
        print(
            f"hashing {len(sample)} generated images: inspect (draft) {ours:.2f} s, full decode {full:.2f} s, "
            f"ratio {full / ours:.1f}x"
        )


if __name__ == "__main__":
    main()
