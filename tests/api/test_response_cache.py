"""The response cache (api/response_cache.py), attacked: a cached answer never reaches a caller whose
view differs, a write makes every earlier answer unreachable, and a repeated question is a lookup.
Both stores (the generation is each store's)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.policy import ReleasePolicy
from mmrare.api.response_cache import Answer, ByteBoundedLRU, cacheable_operation
from mmrare.api.service import GraphService
from tests.api.conftest import Served

RUNS = "{ runs { runId sourceFile model { name } } }"
MINE = "{ runs(mine: true) { runId } }"
ANSWERS = '{ items(first: 3, track: "diagnosis") { edges { node { id answer } } } }'


def post(client: TestClient, query: str, key: str | None = None) -> dict:
    headers = {"X-API-Key": key} if key else {}
    return client.post("/graphql", json={"query": query}, headers=headers).json()


def upload(client: TestClient, key: str, name: str, items: int = 1) -> str:
    lines = [json.dumps({"item": f"diagnosis:{i}", "prediction": "Marfan syndrome"}) for i in range(items)]
    files = {"file": (f"{name}.jsonl", "\n".join(lines).encode())}
    done = client.post("/runs", files=files, data={"model": name}, headers={"X-API-Key": key})
    assert done.status_code == 200, done.text
    return done.json()["runId"]


def test_a_repeated_question_is_a_lookup_until_a_write(served: Served) -> None:
    answers: ByteBoundedLRU = served.client.app.state.answers
    first = post(served.client, RUNS)
    hits = answers.hits
    # the same operation spelled with other spacing and a comment is the same question
    again = post(served.client, "# the runs\n{runs{ runId   sourceFile model{name} }}")
    assert again == first and answers.hits == hits + 1
    run = upload(served.client, served.evaluator, "cache-model")  # a write moves the generation
    after = post(served.client, RUNS)
    assert run in {r["runId"] for r in after["data"]["runs"]} and after != first


def test_a_cached_answer_never_reaches_another_callers_view(served: Served) -> None:
    """Open release: answers that differ per caller (the answer key for maintainers, an evaluator's own
    runs) are asked first by the caller who sees more, then by the other."""
    eve_run = upload(served.client, served.evaluator, "eve-model")
    found = post(served.client, ANSWERS, served.maintainer)
    assert "errors" not in found, found
    keyed = found["data"]["items"]["edges"]
    assert all(e["node"]["answer"] for e in keyed)  # a maintainer reads the answer key
    for key in (served.evaluator, None):  # then an evaluator, then the public: no answer key
        refused = post(served.client, ANSWERS, key)
        assert "data" not in refused or refused["data"] is None or "answer" not in json.dumps(refused["data"])
        assert "errors" in refused
    mine = post(served.client, MINE, served.evaluator)["data"]["runs"]
    assert [r["runId"] for r in mine] == [eve_run]
    theirs = post(served.client, MINE, served.other_evaluator)["data"]["runs"]
    assert theirs == []  # mallory's own runs, not eve's cached list
    assert "needs an API key" in post(served.client, MINE)["errors"][0]["message"]


def test_held_out_views_stay_apart(served: Served, tmp_path: Path) -> None:
    """Held out: an evaluator's report after a maintainer's, and a public caller's after an evaluator's."""
    keys = KeyStore(tmp_path / "held-keys.json")
    boss, eve = keys.create("boss", "maintainer"), keys.create("eve", "evaluator")
    service = GraphService(served.store, served.service.blobs, ReleasePolicy("held-out", min_group=3))
    client = TestClient(create_app(service, keys, tmp_path / "thumbs"), raise_server_exceptions=False)
    report = '{ report(by: "track", metric: "tokenF1") { rows { model group n mean } } }'
    everything = post(client, report, boss)["data"]["report"]["rows"]
    assert {r["model"] for r in everything} == {"base"}  # the maintainer sees the base run
    assert "no runs yet" in post(client, report, eve)["errors"][0]["message"]  # eve has none
    upload(client, eve, "eve-held", items=5)
    own = post(client, report, eve)["data"]["report"]["rows"]
    assert {r["model"] for r in own} == {"eve-held"}
    assert "owners only" in post(client, report)["errors"][0]["message"]  # the public, right after eve


def test_a_get_naming_the_current_etag_is_not_modified(served: Served) -> None:
    url = "/graphql?" + urlencode({"query": "{ releaseMode }"})
    first = served.client.get(url)
    tag = first.headers["etag"]
    unchanged = served.client.get(url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == tag and unchanged.content == b""
    upload(served.client, served.evaluator, "etag-writer")
    moved = served.client.get(url, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag


def test_what_is_never_kept() -> None:
    assert cacheable_operation("{ releaseMode }", None) == "{\n  releaseMode\n}"
    assert cacheable_operation('mutation { scoreRun(runId: "r") { judged } }', None) is None
    assert cacheable_operation("{ submissionQuota { remaining } }", None) is None  # moves with the clock
    assert cacheable_operation("query A { releaseMode } mutation B { x }", "B") is None
    assert cacheable_operation("query A { releaseMode } query B { role }", None) is None  # which one is unsaid
    assert cacheable_operation("{ broken", None) is None


def test_the_budget_is_bytes_least_recently_used_out_first() -> None:
    lru = ByteBoundedLRU(budget=800)
    answer = Answer(200, ((b"content-type", b"application/json"),), b"x" * 72)  # 100 bytes with its header
    for k in range(8):
        lru.put((k,), answer)
    assert len(lru) == 8 and lru.used == 800
    assert lru.get((0,)) is answer  # 0 is now the most recent
    lru.put((8,), answer)  # over budget: 1, the least recently used, leaves
    assert lru.get((1,)) is None and lru.get((0,)) is answer and lru.used == 800
    lru.put(("big",), Answer(200, (), b"y" * 101))  # over an eighth of the budget: not kept
    assert lru.get(("big",)) is None


def test_the_cache_can_be_turned_off(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_CACHE_BYTES", "0")
    client = TestClient(create_app(served.service, KeyStore(tmp_path / "k.json"), tmp_path / "t"))
    post(client, RUNS)
    post(client, RUNS)
    assert client.app.state.answers.hits == 0 and len(client.app.state.answers) == 0
