"""The lost-write cases, on both stores: two CLI imports at once, a CLI write while the server
runs, and a writer killed mid-upload. Each writer is a separate process, as in real use."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.settings import open_store
from mmrare.graph.store import GraphStore
from tests.api.conftest import Served
from tests.conftest import NEO4J_URI

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # every writer here is another process


def setting_of(store: GraphStore) -> str:
    return f"embedded:{store.path}" if isinstance(store, EmbeddedStore) else NEO4J_URI


def vlmevalkit_folder(store: GraphStore, folder: Path, model: str) -> Path:
    """A model's diagnosis output as VLMEvalKit writes it: every item answered with its answer."""
    folder.mkdir(parents=True)
    lines = ["index\tquestion\tprediction"]
    for item in store.select("Item"):
        if item.props["track"] == "diagnosis":
            lines.append(f"{item.props['index']}\tq\t{item.props['answer']}")
    (folder / f"{model}_MMRarebench_Diagnosis.tsv").write_text("\n".join(lines) + "\n")
    return folder


def cli(setting: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MMRARE_GRAPH": setting}
    return subprocess.Popen(
        [sys.executable, "-m", "mmrare.cli.main", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def models_of_runs(store: GraphStore) -> dict[str, str | None]:
    return {str(r.props["model"]): r.props.get("owner") for r in store.select("Run")}


def test_two_cli_imports_at_once_both_land(served: Served, tmp_path: Path) -> None:
    setting = setting_of(served.store)
    folders = [vlmevalkit_folder(served.store, tmp_path / m, m) for m in ("alpha-7B", "beta-13B")]
    writers = [cli(setting, "import", "predictions", str(f)) for f in folders]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    assert all("new run" in out for out, _ in outputs), outputs
    # the running server's own store handle sees both, without a restart
    assert {"alpha-7B", "beta-13B"} <= {r["model"] for r in served.service.runs()}


def test_a_cli_write_is_seen_by_the_server_and_survives_its_next_upload(served: Served, tmp_path: Path) -> None:
    writer = cli(
        setting_of(served.store), "import", "predictions", str(vlmevalkit_folder(served.store, tmp_path / "g", "gamma"))
    )
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, out + err
    assert "gamma" in {r["model"] for r in served.service.runs()}
    upload = {"file": ("mine.jsonl", b'{"item": "diagnosis:0", "prediction": "x"}\n', "application/octet-stream")}
    sent = served.client.post(
        "/runs", files=upload, data={"model": "eve-model"}, headers={"X-API-Key": served.evaluator}
    )
    assert sent.status_code == 200, sent.text
    fresh = open_store(setting_of(served.store))
    try:
        runs = models_of_runs(fresh)
    finally:
        fresh.close()
    assert runs["gamma"] is None and runs["eve-model"] == "eve"


UPLOADER = textwrap.dedent(
    """
    import sys
    from mmrare.graph.settings import open_store
    from mmrare.importers.predictions import PredictionSource, import_prediction_sources
    store = open_store(sys.argv[1])
    body = open(sys.argv[2], "rb").read()
    for n in range(10_000):  # uploads one after another, as a busy server makes them, until killed
        source = PredictionSource(f"killed-{n}_MMRarebench_Diagnosis.tsv", body)
        import_prediction_sources([source], store, owner="eve")
        if n == 0:
            print("first", flush=True)
    """
)


def test_a_killed_uploader_leaves_every_run_with_its_owner(served: Served, tmp_path: Path) -> None:
    folder = vlmevalkit_folder(served.store, tmp_path / "k", "k")
    body = next(folder.iterdir())
    rng = random.Random(4)
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", UPLOADER, setting_of(served.store), str(body)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline() == "first\n", child.stderr.read()
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
    runs = models_of_runs(served.store)
    killed = {m: o for m, o in runs.items() if m.startswith("killed-")}
    assert killed and set(killed.values()) == {"eve"}
    predictions = {str(p.props["runId"]) for p in served.store.select("Prediction")}
    assert {str(r.ref.key) for r in served.store.select("Run")} <= predictions  # no run without its rows
    if isinstance(served.store, EmbeddedStore):
        assert (
            sorted(p.name for p in Path(served.store.path).parent.iterdir() if not p.name.startswith("graph.db")) == []
        )


def test_a_write_behind_a_held_lock_answers_503_and_reads_go_on(served_graph: tuple, tmp_path: Path) -> None:
    """The attack: a CLI import holding the graph's write lock froze every server request behind one
    upload. Now the upload answers 503 with Retry-After after the server's short wait, and reads
    (GraphQL, /health) answer meanwhile."""
    import shutil
    import sqlite3

    from fastapi.testclient import TestClient

    from mmrare.api.app import create_app
    from mmrare.api.auth import KeyStore
    from mmrare.api.service import GraphService
    from mmrare.core.blobs import FolderBlobStore

    snapshot, blobs, _ = served_graph
    path = tmp_path / "graph.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{snapshot}{suffix}").exists():
            shutil.copyfile(f"{snapshot}{suffix}", f"{path}{suffix}")
    store = EmbeddedStore(path, write_wait=0.5)
    keys = KeyStore(tmp_path / "keys.json")
    client = TestClient(create_app(GraphService(store, FolderBlobStore(blobs)), keys, tmp_path / "t"))
    key = keys.create("eve", "evaluator")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # what a CLI import holds while it writes
    try:
        started = time.perf_counter()
        body = b'{"item": "diagnosis:0", "prediction": "x"}\n'
        response = client.post(
            "/runs", files={"file": ("a.jsonl", body)}, data={"model": "m"}, headers={"X-API-Key": key}
        )
        waited = time.perf_counter() - started
        assert response.status_code == 503 and response.headers["Retry-After"] == "5", response.text
        assert waited < 3.0  # the server's short wait, not the CLI's two minutes
        started = time.perf_counter()
        assert client.get("/health").status_code == 200
        read = client.post("/graphql", json={"query": "{ items(first: 3) { totalCount } }"}).json()
        assert read["data"]["items"]["totalCount"] == 40 and time.perf_counter() - started < 1.0
    finally:
        holder.rollback()  # the import is done
        holder.close()
    # once the lock is free the same upload goes through
    response = client.post("/runs", files={"file": ("a.jsonl", body)}, data={"model": "m"}, headers={"X-API-Key": key})
    assert response.status_code == 200
    store.close()
