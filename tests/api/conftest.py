"""An app over a loaded store of each kind: Orphanet fixtures, the synthetic release, a run, an audit."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.service import GraphService
from mmrare.audit import LeakageAudit, store_audit
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.graph.model import NODES, RELS
from mmrare.graph.store import GraphStore, RelRow
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import ModelInfo, import_predictions
from mmrare.scoring.offline_judges import OfflineJudge
from mmrare.scoring.service import score_run
from tests.conftest import with_orphanet


@dataclass
class Served:
    client: TestClient
    store: GraphStore
    service: GraphService
    maintainer: str
    evaluator: str
    other_evaluator: str
    run_id: str  # a run owned by nobody in particular (imported by a maintainer)


def _load(store: GraphStore, release: Path, blobs: FolderBlobStore, folder: Path) -> str:
    """Orphanet fixtures, the release, one run of the gold answers scored, an audit; the run's id."""
    with_orphanet(store)
    import_release(release, store, blobs)
    items = [n.props for n in store.select("Item")]
    preds = folder / "base.jsonl"
    preds.write_text("".join(json.dumps({"item": i["itemId"], "prediction": i["answer"]}) + "\n" for i in items))
    run = import_predictions(preds, store, ModelInfo("base", domain="general"))
    score_run(store, run.run_id, OfflineJudge(store))
    store_audit(store, LeakageAudit(store).run())
    return run.run_id


@pytest.fixture(scope="session")
def served_graph(release: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The loaded graph built once as an embedded file: each test works on its own copy of the file
    (its writes stay its own) and reads the blob folder, which no test writes."""
    folder = tmp_path_factory.mktemp("served-graph")
    store = EmbeddedStore(folder / "graph.db")
    run_id = _load(store, release, FolderBlobStore(folder / "blobs"), folder)
    store.close()
    return folder / "graph.db", folder / "blobs", run_id


def _copy_of(snapshot: Path, store: EmbeddedStore) -> EmbeddedStore:
    assert store.path is not None
    store.close()
    for suffix in ("", "-wal", "-shm"):  # the empty store's files out, the snapshot's (log included) in
        Path(f"{store.path}{suffix}").unlink(missing_ok=True)
        if Path(f"{snapshot}{suffix}").exists():
            shutil.copyfile(f"{snapshot}{suffix}", f"{store.path}{suffix}")
    return EmbeddedStore(store.path)


def _written_into(snapshot: Path, store: GraphStore) -> GraphStore:
    """The snapshot's nodes and relationships written into an empty store in one transaction, through
    the store protocol's own writes (what the importers produced, without running them again)."""
    source = EmbeddedStore(snapshot)
    try:
        with store.transaction() as tx:
            for label in NODES:
                tx.upsert_nodes(label, [n.props for n in source.select(label)])
            for rel_type, spec in RELS.items():
                starts = [n.ref for label in spec.sources for n in source.select(label)]
                found = source.neighbours(starts, rel_type)
                tx.upsert_rels(rel_type, [RelRow(n.start, n.node, n.rel_props, n.rid) for n in found])
    finally:
        source.close()
    return store


@pytest.fixture
def served(store: GraphStore, tmp_path: Path, request: pytest.FixtureRequest) -> Served:
    # the loaded graph is built once; each test gets its own copy (its writes stay its own) and reads the
    # blob folder, which no test writes: the file copied for the embedded store, written into Neo4j
    snapshot, blob_folder, run_id = request.getfixturevalue("served_graph")
    blobs = FolderBlobStore(blob_folder)
    if isinstance(store, EmbeddedStore) and store.path is not None:
        store = _copy_of(snapshot, store)
    else:  # Neo4j: one database, cleared for each test
        store = _written_into(snapshot, store)
    keys = KeyStore(tmp_path / "keys.json")
    service = GraphService(store, blobs)
    client = TestClient(create_app(service, keys, tmp_path / "thumbs"), raise_server_exceptions=False)
    return Served(
        client,
        store,
        service,
        keys.create("maint", "maintainer"),
        keys.create("eve", "evaluator"),
        keys.create("mallory", "evaluator"),
        run_id,
    )


def gql(served: Served, query: str, key: str | None = None, **variables: object) -> dict:
    headers = {"X-API-Key": key} if key else {}
    response = served.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code in (200, 400), response.text
    return response.json()
