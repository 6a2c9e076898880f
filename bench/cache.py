"""The response cache: a repeated question against the same question with the cache off, on each store.

`mmrare serve` in its own process, once with the cache off and once on, over the same graph (the
fixture Orphanet and a generated release, Neo4j cleared first!). Each question is asked once (the
first, uncached answer) and then `--requests` times: the public 50-item page, a report by head with
1,000 resamples, a page under a class, and MRareBench T2's condition contrasts (a generated T2 release
of the paper's 609 items, two models under its three input conditions: the TF-IDF metrics are worked
out on every uncached request). Prints p50/p95 of the repeats and the ratio off/on, and the first
answer's time. Then, with the cache on, every page of the items walked by cursor once: each is a
question not asked before, so p50/p95 over them are those of a first, uncached page, compared across
the stores at the end.

    python -m bench.cache [--items 1756 --requests 200] [--question "items page" ...] [--lease-ms 100]

Goals (issue 32): a repeated public items page p95 at most 5 ms; a repeated derived answer (a report,
condition contrasts) at most 50 ms; the first, uncached page on Neo4j within 1.5x of embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.api import PAGE, serving
from bench.common import served_stores
from mmrare.api.auth import KeyStore
from mmrare.api.response_cache import DEFAULT_BYTES
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.mrarebench import EVIDENCE_CONDITIONS
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench_generator import generate_evidence
from mmrare.importers.predictions import ModelInfo, import_prediction_files, import_predictions

QUESTIONS = {
    "items page": (PAGE, {"after": None}),
    "report by head": ('{ report(by: "head", metric: "tokenF1", resamples: 1000) { rows { group n mean } } }', {}),
    "page under a class": ("{ items(first: 50, under: 68367) { totalCount edges { node { id } } } }", {}),
    "T2 contrasts": (
        '{ conditionContrasts(metric: "det_required_recall@0.5", by: "none") { model measures n difference } }',
        {},
    ),
}
T2_ITEMS = 609  # the paper's T2 release (evidence_verification_opened_FULL609.tsv)
SLOW = {"T2 contrasts": 20}  # repeats with the cache off: each one takes seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--neo4j", default=None)
    parser.add_argument(
        "--question", action="append", choices=list(QUESTIONS), help="ask only these (repeatable; default all)"
    )
    parser.add_argument(
        "--lease-ms", type=float, default=0, help="the servers' generation lease (MMRARE_GENERATION_LEASE_MS; 0: none)"
    )
    args = parser.parse_args()
    os.environ["MMRARE_GENERATION_LEASE_MS"] = str(args.lease_ms)  # the servers inherit it
    questions = args.question or list(QUESTIONS)
    walked: dict[str, tuple[int, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, store, blobs in served_stores(Path(tmp), args.items, args.neo4j):
            with_a_run(store, Path(tmp) / f"{name}-run.jsonl")
            with_t2_runs(store, blobs, Path(tmp) / f"{name}-t2")
            keys = KeyStore(blobs.root.parent / "api_keys.json")
            figures = {}
            for label, budget in (("off", 0), ("on", DEFAULT_BYTES)):
                thumbs = Path(tmp) / f"thumbs-{name}-{label}"
                with serving(store, blobs, keys, thumbs, False, 1, budget) as base:
                    figures[label] = {
                        q: ask(f"{base}/graphql", *QUESTIONS[q], repeats(q, label, args.requests)) for q in questions
                    }
                    if label == "on":
                        walked[name] = every_page_once(f"{base}/graphql")
            print(
                f"\n{name}: {args.requests} repeats of each question after its first answer (mmrare serve; "
                f"T2 contrasts {SLOW['T2 contrasts']} with the cache off; generation lease {args.lease_ms:g} ms)"
            )
            print(f"  {'question':<20}{'first off':>11}{'first on':>10}{'p50 off':>10}{'p95 off':>10}"
                  f"{'p50 on':>10}{'p95 on':>10}{'p95 off/on':>12}")  # fmt: skip
            for q in questions:
                off, on = figures["off"][q], figures["on"][q]
                print(f"  {q:<20}{off[0]:>9.1f}ms{on[0]:>8.1f}ms{off[1]:>8.1f}ms{off[2]:>8.1f}ms"
                      f"{on[1]:>8.1f}ms{on[2]:>8.1f}ms{off[2] / on[2]:>11.1f}x")  # fmt: skip
            store.close()
    print("\nevery items page once, by cursor, cache on (each a first, uncached answer)")
    for name, (pages, p50, p95) in walked.items():
        print(f"  {name:<10}{pages:>4} pages  p50 {p50:>6.1f}ms  p95 {p95:>6.1f}ms")
    if {"neo4j", "embedded"} <= set(walked):
        ratio = walked["neo4j"][1] / walked["embedded"][1]
        print(f"  neo4j/embedded p50 {ratio:.2f}x (goal at most 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")


def every_page_once(url: str) -> tuple[int, float, float]:
    """(pages, p50, p95 in ms) of the public items pages, each asked once, following the cursors."""
    times, after = [], None
    with httpx.Client(timeout=120) as client:
        while True:
            start = time.perf_counter()
            answer = client.post(url, json={"query": PAGE, "variables": {"after": after}})
            took = 1000 * (time.perf_counter() - start)
            answer.raise_for_status()
            page = answer.json()["data"]["items"]
            if not page["edges"]:
                break  # past the last page
            times.append(took)
            after = page["pageInfo"]["endCursor"]
            if after is None:
                break
    cuts = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return len(times), statistics.median(times), cuts[-1]


def repeats(question: str, cache: str, requests: int) -> int:
    return min(requests, SLOW.get(question, requests)) if cache == "off" else requests


def with_a_run(store: GraphStore, path: Path) -> None:
    """One run answering every item (its gold answer, token F1 scored at import), so reports have rows."""
    items = [n.props for n in store.select("Item")]
    path.write_text("".join(json.dumps({"item": i["itemId"], "prediction": i["answer"]}) + "\n" for i in items))
    import_predictions(path, store, ModelInfo("bench-model"))


def with_t2_runs(store: GraphStore, blobs: FolderBlobStore, folder: Path) -> None:
    """A generated (synthetic) T2 release and two models' answers under its three input conditions."""
    generate_evidence(store, folder, T2_ITEMS, ("t2-model-a", "t2-model-b"), 7, tuple(EVIDENCE_CONDITIONS))
    import_release(folder, store, blobs, benchmark="MRareBench")
    import_prediction_files([folder], store)


def ask(url: str, query: str, variables: dict, repeats: int) -> tuple[float, float, float]:
    """(first, p50, p95) in ms."""
    with httpx.Client(timeout=120) as client:
        start = time.perf_counter()
        first = client.post(url, json={"query": query, "variables": variables})
        first_ms = 1000 * (time.perf_counter() - start)
        assert first.status_code == 200 and "errors" not in first.json(), first.text[:300]
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            client.post(url, json={"query": query, "variables": variables}).raise_for_status()
            times.append(1000 * (time.perf_counter() - start))
    q = statistics.quantiles(times, n=100)
    return first_ms, statistics.median(times), q[94]


if __name__ == "__main__":
    main()
