"""Loopback load: 8 clients for 60 s against `mmrare serve` on 127.0.0.1, mixing item pages,
reports, /health and evaluator uploads, on each store. Prints requests/s, p50/p95 per kind, errors,
/health while a costly query runs, and checks that every accepted upload is in the graph afterwards.
Bounded in time and count, loopback only. Neo4j is cleared first!

The server runs as its own process (`mmrare serve --workers N`, as deployed), so the clients do not
share its interpreter; `--in-process` serves the app from a thread of the bench instead (the
earlier way of measuring, where clients and server share one GIL).

The response cache is on, as deployed (`--cache-bytes 0` turns it off).

    python -m bench.load [--clients 8 --seconds 60 --items 400 --workers 1 --in-process --cache-bytes N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from bench.api import PAGE, serving
from bench.common import served_stores
from mmrare.api.auth import KeyStore
from mmrare.api.response_cache import DEFAULT_BYTES
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore

REPORT = '{ report(by: "track", metric: "tokenF1", resamples: 100) { rows { group n mean } } }'
HEAVY = '{ report(by: "head", metric: "tokenF1", resamples: 5000) { rows { group n } } }'
MAX_REQUESTS = 50_000  # a hard stop besides the clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--neo4j", default=None)
    parser.add_argument("--workers", type=int, default=1, help="server processes (mmrare serve --workers)")
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    parser.add_argument("--cache-bytes", type=int, default=DEFAULT_BYTES, help="response cache (0: off)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, store, blobs in served_stores(Path(tmp), args.items, args.neo4j):
            measure(name, store, blobs, tmp, args)


def measure(name: str, store: GraphStore, blobs: FolderBlobStore, tmp: str, args: argparse.Namespace) -> None:
    item_ids = sorted(str(n.ref.key) for n in store.select("Item"))
    data = blobs.root.parent  # the served store's data folder: blobs/, and the keys beside them
    keys = KeyStore(data / "api_keys.json")
    evaluators = [keys.create(f"{name}-eval-{k}", "evaluator") for k in range(args.clients)]
    thumbs = Path(tmp) / f"thumbs-{name}"
    with serving(store, blobs, keys, thumbs, args.in_process, args.workers, args.cache_bytes) as base:
        times, errors, accepted, health = drive(base, item_ids, evaluators, args)
    present = set(store.get_many("Run", accepted))
    total = sum(len(v) for v in times.values())
    where = "in the bench process" if args.in_process else f"mmrare serve, {args.workers} worker(s)"
    print(
        f"\n{name} ({where}): {total} requests in {args.seconds:.0f} s = {total / args.seconds:.1f}/s, "
        f"{args.clients} clients; errors {dict(errors) or 0}"
    )
    for kind, values in sorted(times.items()):
        q = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0]] * 99
        print(
            f"  {kind:<7} n={len(values):<6} p50 {1000 * statistics.median(values):7.1f} ms   "
            f"p95 {1000 * q[94]:7.1f} ms"
        )
    print(f"  /health during a costly report: max {1000 * max(health):.1f} ms over {len(health)} calls")
    print(f"  accepted uploads {len(accepted)}, present afterwards {len(present)}, lost {len(accepted) - len(present)}")
    store.close()


def drive(
    base: str, item_ids: list[str], evaluators: list[str], args: argparse.Namespace
) -> tuple[dict[str, list[float]], dict[str, int], list[str], list[float]]:
    """The clients' loop against the server at `base`, then /health while a costly report runs:
    latencies by kind, errors by kind, the run ids of accepted uploads, the /health latencies."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    accepted: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds
    count = [0]

    def client(slot: int, base: str = base, stop: float = stop, item_ids: list[str] = item_ids) -> None:
        rng = random.Random(slot)
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.monotonic() < stop and count[0] < MAX_REQUESTS:
                kind = rng.choices(["page", "report", "health", "upload"], [6, 2, 1, 1])[0]
                started = time.perf_counter()
                if kind == "page":
                    r = c.post("/graphql", json={"query": PAGE, "variables": {"after": None}})
                elif kind == "report":
                    r = c.post("/graphql", json={"query": REPORT})
                elif kind == "health":
                    r = c.get("/health")
                else:
                    picks = rng.sample(item_ids, 5)
                    lines = "".join(
                        json.dumps({"item": i, "prediction": f"guess {rng.random()}"}) + "\n" for i in picks
                    )
                    r = c.post(
                        "/runs",
                        files={"file": ("p.jsonl", lines.encode())},
                        data={"model": f"load-{slot}-{rng.randrange(10**9)}"},  # one model per upload
                        headers={"X-API-Key": evaluators[slot]},
                    )
                elapsed = time.perf_counter() - started
                with lock:
                    count[0] += 1
                    times[kind].append(elapsed)
                    ok = r.status_code == 200 and "errors" not in r.text[:20]
                    if not ok:
                        errors[kind] += 1
                    elif kind == "upload":
                        accepted.append(r.json()["runId"])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # /health while a costly report runs in another request
    heavy = threading.Thread(target=lambda: httpx.post(f"{base}/graphql", json={"query": HEAVY}, timeout=60))
    heavy.start()
    time.sleep(0.2)
    health = []
    for _ in range(10):
        started = time.perf_counter()
        httpx.get(f"{base}/health", timeout=10)
        health.append(time.perf_counter() - started)
    heavy.join()
    return times, errors, accepted, health


if __name__ == "__main__":
    main()
