"""An app over a loaded store of each kind: Orphanet fixtures, the synthetic release, a run, an audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import KeyStore
from api.service import GraphService
from audit import LeakageAudit, store_audit
from core.blobs import FolderBlobStore
from graph.store import GraphStore
from importers.benchmark.loader import import_release
from importers.predictions import ModelInfo, import_predictions
from scoring.offline_judges import OfflineJudge
from scoring.service import score_run
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


@pytest.fixture
def served(store: GraphStore, release: Path, tmp_path: Path) -> Served:
    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    items = [n.props for n in store.select("Item")]
    preds = tmp_path / "base.jsonl"
    preds.write_text("".join(json.dumps({"item": i["itemId"], "prediction": i["answer"]}) + "\n" for i in items))
    run = import_predictions(preds, store, ModelInfo("base", domain="general"))
    score_run(store, run.run_id, OfflineJudge(store))
    store_audit(store, LeakageAudit(store).run())
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
        run.run_id,
    )


def gql(served: Served, query: str, key: str | None = None, **variables: object) -> dict:
    headers = {"X-API-Key": key} if key else {}
    response = served.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code in (200, 400), response.text
    return response.json()
