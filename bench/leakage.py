"""Leakage audit benchmark: a paper-scale generated benchmark (1,756 items, planted leaks of every
kind at several strengths, and hard negatives) on each store; the audit's time (goal: embedded
<= 10 s, Neo4j <= 30 s), its findings, whether both stores found the same, and the calibration with
the default settings: per kind precision and recall, recall per strength, hard negatives flagged
(goal: at least 0.98 each). Neo4j is cleared first!

    python -m bench.leakage [--items 1756] [--seed 3] [--neo4j neo4j://127.0.0.1:7687]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.common import open_stores, paper_orphanet, print_table, timed
from mmrare.audit import KINDS, LeakageAudit, store_audit
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NodeRef
from mmrare.importers.benchmark.generator import AUDIT_KIND, generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    orphanet = paper_orphanet()
    facts, files = read_all([orphanet])
    with tempfile.TemporaryDirectory() as tmp:
        source = EmbeddedStore(None)
        load(facts, source, files)
        release = Path(tmp) / "release"
        manifest = generate_release(source, release, args.items, seed=args.seed, plant_leaks=True, image_size=64)
        planted = json.loads((release / "leak_manifest.json").read_text())
        negatives = json.loads((release / "hard_negatives.json").read_text())
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
            cases = {
                str(n.start.key): str(n.node.key)
                for n in store.neighbours([NodeRef("Item", i) for i in result.audited], "ABOUT")
            }
            store.close()
    labels = list(next(iter(rows.values())))
    print_table([(label, {n: rows[n][label] for n in rows}) for label in labels])
    calibration(planted, negatives, findings["embedded"], cases)
    if len(findings) == 2:
        print(f"identical findings on both stores: {findings['embedded'] == findings['neo4j']}")


def expected_kinds(planted: list[dict], cases: dict[str, str]) -> dict[str, set[str]]:
    """What the audit should find on each item: the planted kinds, and on every item of a case
    holding a planted near-duplicate image or a diagnosis question naming the answer, the
    image-or-case kind (those items share the image, or another track's question or figure label
    names the answer); a question naming the answer may also name a phenotype only it has
    ("Thyroid hypoplasia" is both), which the phenotype kind rightly finds."""
    expected: dict[str, set[str]] = defaultdict(set)
    spreading = set()
    for leak in planted:
        expected[leak["itemId"]].add(AUDIT_KIND[leak["kind"]])
        naming = leak["kind"] == "figure-label" or (leak["kind"] == "direct-name" and leak["variant"] != "code")
        if leak["kind"] == "direct-name" and naming:  # some disease names are phenotype names too
            expected[leak["itemId"]].add("phenotype-set")
        if leak["kind"] == "near-duplicate-image" or naming:
            spreading.add(cases[leak["itemId"]])
    for item, case in cases.items():
        if case in spreading:
            expected[item].add("image-or-case")
    return expected


def calibration(planted: list[dict], negatives: list[dict], findings: list, cases: dict[str, str]) -> None:
    expected = expected_kinds(planted, cases)
    flagged: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        flagged[f.kind].add(f.item_id)
    print(
        f"\ncalibration with the default settings ({len(cases)} items, {len(planted)} planted leaks, "
        f"{len(negatives)} hard negatives):"
    )
    print(f"  {'kind':<16}{'planted':>8}{'found':>7}{'recall':>8}{'flagged':>9}{'right':>7}{'precision':>11}")
    for kind in KINDS:
        mine = [p for p in planted if AUDIT_KIND[p["kind"]] == kind]
        found = [p for p in mine if p["itemId"] in flagged[kind]]
        right = [i for i in flagged[kind] if kind in expected.get(i, set())]
        recall = len(found) / len(mine) if mine else float("nan")
        precision = len(right) / len(flagged[kind]) if flagged[kind] else float("nan")
        print(
            f"  {kind:<16}{len(mine):>8}{len(found):>7}{recall:>8.3f}{len(flagged[kind]):>9}{len(right):>7}"
            f"{precision:>11.3f}"
        )
    by_variant: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for p in planted:
        by_variant[(p["kind"], p.get("variant", ""))].append(p["itemId"] in flagged[AUDIT_KIND[p["kind"]]])
    print(
        "  recall by strength: "
        + ", ".join(f"{k}/{v or '-'} {sum(hits)}/{len(hits)}" for (k, v), hits in sorted(by_variant.items()))
    )
    for kind in KINDS:
        odd = [f for f in findings if f.kind == kind and kind not in expected.get(f.item_id, set())]
        for f in odd[:3]:
            print(f"  unexpected {kind} on {f.item_id}: {f.explanation}")
    wrong = [n for n in negatives if n["itemId"] in flagged[AUDIT_KIND[n["kind"]]]]
    print(
        f"  hard negatives flagged with their kind: {len(wrong)} of {len(negatives)}"
        + (f" ({', '.join(n['itemId'] for n in wrong[:10])})" if wrong else "")
    )


if __name__ == "__main__":
    main()
