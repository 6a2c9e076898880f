"""REST routes on both stores, and schemathesis against the OpenAPI schema."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from tests.api.conftest import Served


def test_health_and_images(served: Served) -> None:
    health = served.client.get("/health").json()
    assert health == {
        "status": "ok",
        "mode": "open",
        "store": {"kind": served.store.name, "up": True},
        "blobs": {"up": True},
    }
    sha = next(n.ref.key for n in served.store.select("Image"))
    full = served.client.get(f"/images/{sha}")
    assert full.status_code == 200 and full.content == served.service.blobs.get(sha)
    thumb = served.client.get(f"/images/{sha}?size=thumb")
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert max(img.size) <= 256 and img.format == "JPEG"
    assert served.client.get(f"/images/{sha}?size=thumb").content == thumb.content  # cached
    assert served.client.get("/images/" + "0" * 64).status_code == 404
    assert served.client.get("/images/../../etc/passwd").status_code == 404


def test_run_upload(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"item": "diagnosis:0", "prediction": "MFS"}\n'
    files = {"file": ("mine.jsonl", body, "application/octet-stream")}
    assert served.client.post("/runs", files=files, data={"model": "m"}).status_code == 401
    ok = served.client.post("/runs", files=files, data={"model": "m"}, headers={"X-API-Key": served.evaluator})
    assert ok.status_code == 200 and ok.json()["predictions"] == 1 and ok.json()["created"]
    bad = {"file": ("bad.jsonl", b'{"item": "diagnosis:999", "prediction": "x"}\n', "text/plain")}
    rejected = served.client.post("/runs", files=bad, data={"model": "m"}, headers={"X-API-Key": served.evaluator})
    assert (
        rejected.status_code == 422
        and "no row answers an item in the graph (the first: diagnosis:999)" in rejected.text
    )
    monkeypatch.setattr("mmrare.api.app.MAX_UPLOAD", 10)
    big = served.client.post("/runs", files=files, data={"model": "m"}, headers={"X-API-Key": served.evaluator})
    assert big.status_code == 413


def test_exports(served: Served) -> None:
    report = served.client.get("/exports/report.csv?by=track&metric=tokenF1&resamples=50")
    assert report.status_code == 200 and report.text.splitlines()[0] == "model,runs,group,n,mean,ci_low,ci_high"
    assert served.client.get("/exports/benchmark.zip", headers={"X-API-Key": served.evaluator}).status_code == 403
    zipped = served.client.get("/exports/benchmark.zip?track=diagnosis", headers={"X-API-Key": served.maintainer})
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        assert zf.namelist() == ["diagnosis/diagnosis_opened.tsv"]
        assert len(zf.read("diagnosis/diagnosis_opened.tsv").decode().splitlines()) == 12


def test_openapi_schema_with_schemathesis(served: Served) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/openapi.json", served.client.app)
    failures, tested = [], []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if op.path.startswith("/graphql"):
            continue

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def check(case: object) -> None:
            response = case.call()  # type: ignore[attr-defined]
            assert response.status_code < 500, (case, response.text)  # type: ignore[attr-defined]

        tested.append(op.path)
        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc)[:300])
    assert failures == []
    assert {"/health", "/images/{sha256}", "/runs", "/exports/report.csv", "/exports/benchmark.zip"} <= set(tested)
    assert json.loads(served.client.get("/openapi.json").text)["info"]["title"] == "MMRare graph"


def test_responses_carry_the_graph_generation_as_their_etag(served: Served) -> None:
    """The ETag is the graph's generation: the same until a write, then another; `graphVersion` says it."""
    first = served.client.post("/graphql", json={"query": "{ graphVersion }"})
    generation = first.json()["data"]["graphVersion"]
    assert first.headers["etag"] == f'W/"g{generation}"' and "X-API-Key" in first.headers["vary"]
    again = served.client.post("/graphql", json={"query": "{ releaseMode }"})
    assert again.headers["etag"] == first.headers["etag"]  # reads move nothing
    body = json.dumps({"item": "diagnosis:0", "prediction": "Marfan syndrome"}).encode()
    upload = served.client.post(
        "/runs", files={"file": ("etag.jsonl", body)}, data={"model": "etag-model"},
        headers={"X-API-Key": served.evaluator},
    )  # fmt: skip
    assert upload.status_code == 200, upload.text
    after = served.client.post("/graphql", json={"query": "{ graphVersion }"})
    assert after.json()["data"]["graphVersion"] > generation
    assert after.headers["etag"] == f'W/"g{after.json()["data"]["graphVersion"]}"'
    assert "etag" not in served.client.get("/health").headers  # not an answer computed from the graph
