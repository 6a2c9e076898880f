"""API benchmark: p50/p95 latency of a 50-item page with image metadata, on each store, and the
sustained request rate under a bounded loopback load (4 client threads for a few seconds, against
a uvicorn server on 127.0.0.1). Neo4j is cleared first! Goal: p95 <= 50 ms on the embedded store.

    python -m bench.api [--items 400 --requests 200 --seconds 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from api.app import create_app
from api.auth import KeyStore
from api.service import GraphService
from bench.common import served_stores

PAGE = """query($after: String) {
  items(first: 50, after: $after) { totalCount pageInfo { endCursor }
  edges { node { id track question nImages modalities leakFree
    images { order label image { sha256 width height format modality thumbUrl } }
    case { caseId } } } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(base: str, timeout: float = 60.0) -> None:
    """Return as soon as the server at `base` answers /health with 200 (polled every 20 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"the server at {base} did not answer within {timeout:g} s")


def serve(app: object, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, store, blobs in served_stores(Path(tmp), args.items, args.neo4j):
            port = free_port()
            server = serve(
                create_app(GraphService(store, blobs), KeyStore(Path(tmp) / "keys.json"), Path(tmp) / "thumbs"), port
            )
            url = f"http://127.0.0.1:{port}/graphql"
            with httpx.Client(timeout=30) as client:
                cursors: list[str | None] = [None]
                first = client.post(url, json={"query": PAGE, "variables": {"after": None}}).json()
                assert "errors" not in first, first
                cursors.append(first["data"]["items"]["pageInfo"]["endCursor"])
                latencies = []
                for k in range(args.requests):
                    start = time.perf_counter()
                    response = client.post(url, json={"query": PAGE, "variables": {"after": cursors[k % 2]}})
                    latencies.append(time.perf_counter() - start)
                    assert response.status_code == 200
            done = [0] * args.threads
            stop = time.monotonic() + args.seconds

            def hammer(slot: int, url: str = url, stop: float = stop, done: list[int] = done) -> None:
                with httpx.Client(timeout=30) as c:
                    while time.monotonic() < stop:  # bounded in time and to loopback only
                        c.post(url, json={"query": PAGE, "variables": {"after": None}}).raise_for_status()
                        done[slot] += 1

            threads = [threading.Thread(target=hammer, args=(i,)) for i in range(args.threads)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            server.should_exit = True
            q = statistics.quantiles(latencies, n=100)
            print(
                f"{name:>9}: 50-item page p50 {1000 * statistics.median(latencies):.1f} ms, p95 {1000 * q[94]:.1f} ms "
                f"({args.requests} sequential requests); {sum(done) / args.seconds:.0f} requests/s with "
                f"{args.threads} client threads for {args.seconds:.0f} s"
            )
            store.close()


if __name__ == "__main__":
    main()
