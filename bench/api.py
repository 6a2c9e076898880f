"""API benchmark: p50/p95 latency of a 50-item page with image metadata, on each store, and the
sustained request rate under a bounded loopback load (4 client threads for a few seconds). Neo4j is
cleared first! Goals at paper scale (--items 1756): p95 <= 20 ms embedded, <= 50 ms Neo4j.

Then, in this process, the page executed with the executor's short paths and the way graphql-core
executes every field (api/gql/execution.py), alternately: the CPU time of each and their ratio.

The server is `mmrare serve` in its own process, as deployed; `--in-process` serves the app from a
thread of the bench instead (the earlier way, where the clients share the server's interpreter).

    python -m bench.api [--items 400 --requests 200 --seconds 5 --in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from bench.common import served_stores
from mmrare.api.app import build_schema, create_app
from mmrare.api.auth import PUBLIC, KeyStore
from mmrare.api.derived_cache import DEFAULT_ENTRIES, DerivedCache
from mmrare.api.gql import Context
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.store import GraphStore

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


@contextmanager
def serving(
    store: GraphStore,
    blobs: FolderBlobStore,
    keys: KeyStore,
    thumbs: Path,
    in_process: bool,
    workers: int = 1,
    cache_bytes: int = 0,
) -> Iterator[str]:
    """The store served on a free loopback port, open (quota off: it is not what is measured); yields
    the base URL. Out of process it is `mmrare serve --workers N` on the same graph and data folder.
    The response cache, and with it the derived-answer cache, is off unless `cache_bytes` is given: a
    page asked twice should cost its work."""
    derived = 0 if cache_bytes == 0 else DEFAULT_ENTRIES
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if in_process:
        policy = ReleasePolicy("open", runs_per_day=10_000)
        os.environ["MMRARE_CACHE_BYTES"] = str(cache_bytes)
        service = GraphService(store, blobs, policy, DerivedCache(derived))
        server = serve(create_app(service, keys, thumbs), port)
        try:
            yield base
        finally:
            server.should_exit = True
        return
    setting = f"embedded:{store.path}" if isinstance(store, EmbeddedStore) else store.uri  # type: ignore[attr-defined]
    data = blobs.root.parent  # the data folder holds blobs/ and api_keys.json
    env = {
        **os.environ,
        "MMRARE_GRAPH": setting,
        "MMRARE_DATA_DIR": str(data),
        "MMRARE_RUNS_PER_DAY": "10000",
        "MMRARE_CACHE_BYTES": str(cache_bytes),
        "MMRARE_DERIVED_CACHE": str(derived),
    }
    command = ["mmrare", "serve", "--open", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_health(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--neo4j", default=None)
    parser.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, store, blobs in served_stores(Path(tmp), args.items, args.neo4j):
            keys = KeyStore(blobs.root.parent / "api_keys.json")
            with serving(store, blobs, keys, Path(tmp) / f"thumbs-{name}", args.in_process) as base:
                measure(name, f"{base}/graphql", args)
            compare_execution(name, store, blobs)
            store.close()


def measure(name: str, url: str, args: argparse.Namespace) -> None:
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
    q = statistics.quantiles(latencies, n=100)
    where = "in the bench process" if args.in_process else "mmrare serve"
    print(
        f"{name:>9} ({where}): 50-item page p50 {1000 * statistics.median(latencies):.1f} ms, "
        f"p95 {1000 * q[94]:.1f} ms ({args.requests} sequential requests); {sum(done) / args.seconds:.0f} "
        f"requests/s with {args.threads} client threads for {args.seconds:.0f} s"
    )


def compare_execution(name: str, store: GraphStore, blobs: FolderBlobStore, rounds: int = 100) -> None:
    """The page's CPU time in this process with the short paths and without them, alternately."""
    service = GraphService(store, blobs, ReleasePolicy("open"))
    schemas = {"short paths": build_schema(), "graphql-core's path": build_schema(short_paths=False)}
    times: dict[str, list[float]] = {k: [] for k in schemas}
    with asyncio.Runner() as runner:
        for k in range(rounds + 5):
            for label, schema in schemas.items():
                start = time.process_time()
                result = runner.run(
                    schema.execute(PAGE, variable_values={"after": None}, context_value=Context(service, PUBLIC))
                )
                if k >= 5:  # the first rounds warm the caches
                    times[label].append(time.process_time() - start)
                assert not result.errors, result.errors
    short, full = (statistics.median(v) for v in times.values())
    print(
        f"{name:>9} (in this process): the page's execution {1000 * short:.1f} ms CPU with the short paths, "
        f"{1000 * full:.1f} ms the way graphql-core executes every field (ratio {full / short:.2f})"
    )


if __name__ == "__main__":
    main()
