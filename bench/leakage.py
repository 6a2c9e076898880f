"""Leakage audit benchmark: a paper-scale generated benchmark (1,756 items, planted leaks) on each
store; the audit's time (goal: embedded <= 10 s, Neo4j <= 30 s), its findings, and whether both
stores found the same. Neo4j is cleared first!

    python -m bench.leakage [--items 1756] [--neo4j neo4j://127.0.0.1:7687]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from audit import LeakageAudit, store_audit
from bench.common import open_stores, print_table, timed
from core.blobs import FolderBlobStore
from graph.embedded import EmbeddedStore
from importers.benchmark.generator import AUDIT_KIND, generate_release
from importers.benchmark.loader import import_release
from importers.orphanet.detect import read_all
from importers.orphanet.loader import load

SHARED = Path(__file__).resolve().parents[2] / "shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz"
FIXTURES = Path(__file__).resolve().parents[1] / "tests/fixtures/orphanet"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    orphanet = SHARED if SHARED.exists() else FIXTURES
    facts, files = read_all([orphanet])
    with tempfile.TemporaryDirectory() as tmp:
        source = EmbeddedStore(None)
        load(facts, source, files)
        release = Path(tmp) / "release"
        manifest = generate_release(source, release, args.items, seed=3, plant_leaks=True, image_size=64)
        planted = json.loads((release / "leak_manifest.json").read_text())
        print(
            f"{manifest.items} items, {manifest.images} images, {len(planted)} planted leaks; Orphanet from "
            f"{orphanet.name}"
        )
        rows, findings = {}, {}
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            facts, files = read_all([orphanet])
            load(facts, store, files)
            import_release(release, store, FolderBlobStore(Path(tmp) / "blobs"))
            seconds, result = timed(lambda store=store: LeakageAudit(store).run())
            store_seconds, _ = timed(lambda store=store, result=result: store_audit(store, result))
            again, _ = timed(lambda store=store: store_audit(store, LeakageAudit(store).run()))
            found = {(f.item_id, f.kind) for f in result.findings}
            hit = sum((p["itemId"], AUDIT_KIND[p["kind"]]) in found for p in planted)
            print(
                f"{name}: {len(result.findings)} findings on {len(result.leaky)} items; planted found {hit}/"
                f"{len(planted)}"
            )
            rows[name] = {
                "audit (all seven kinds)": seconds,
                "store findings + leak-free flags": store_seconds,
                "re-run (audit + replace findings)": again,
            }
            findings[name] = result.findings
            store.close()
    labels = list(next(iter(rows.values())))
    print_table([(label, {n: rows[n][label] for n in rows}) for label in labels])
    if len(findings) == 2:
        print(f"identical findings on both stores: {findings['embedded'] == findings['neo4j']}")


if __name__ == "__main__":
    main()
