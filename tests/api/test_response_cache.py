"""The response cache (api/response_cache.py), attacked: a cached answer never reaches a caller whose
view differs, a write makes every earlier answer unreachable, and a repeated question is a lookup.
Both stores (the generation is each store's)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from mmrare.api.app import build_schema, create_app
from mmrare.api.auth import KeyStore
from mmrare.api.policy import ReleasePolicy
from mmrare.api.response_cache import Answer, ByteBoundedLRU, cacheable_operation
from mmrare.api.service import GraphService
from mmrare.api.versioning import GenerationReader, lease_from_env
from mmrare.graph.model import CONTENT, NodeRef
from mmrare.graph.store import GraphStore
from tests.api.conftest import Served

RUNS = "{ runs { runId sourceFile model { name } } }"
MINE = "{ runs(mine: true) { runId } }"
ANSWERS = '{ items(first: 3, track: "diagnosis") { edges { node { id answer } } } }'
PAGE = '{ items(first: 4, track: "diagnosis") { totalCount edges { node { id question leakFree case { caseId } } } } }'
# content fields of every kind: an item's answer key, alignment, findings and images, a disease's
# classification, the audit's summary, the coverage map and the benchmarks' specs
CONTENT_FIELDS = """{
  items(first: 6) { totalCount edges { cursor node { id track question nImages modalities leakFree answer aliases
    rubric alignment { disease { orphaCode name ancestors { orphaCode } } method confidence }
    findings { kind severity path } images { order label image { sha256 width modality } } case { caseId nItems } } } }
  disease(orphaCode: 558) { name parents { orphaCode } phenotypes { phenotype { hpoId } frequency } items { id } }
  leakageSummary { track items flagged leakFree kinds { kind items } }
  coverage { cells { benchmark group items cases diseases uncovered } }
  benchmarks { name tracks { name metrics } }
}"""


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
    url = "/graphql?" + urlencode({"query": RUNS})
    first = served.client.get(url)
    tag = first.headers["etag"]
    unchanged = served.client.get(url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == tag and unchanged.content == b""
    upload(served.client, served.evaluator, "etag-writer")
    moved = served.client.get(url, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag


def test_a_content_answer_keeps_its_etag_while_runs_land_and_not_after_a_content_write(served: Served) -> None:
    url = "/graphql?" + urlencode({"query": PAGE})
    tag = served.client.get(url).headers["etag"]
    upload(served.client, served.evaluator, "etag-run")
    unchanged = served.client.get(url, headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == tag
    first = served.client.get(url).json()["data"]["items"]["edges"][0]["node"]["id"]
    served.store.upsert_nodes("Item", [{"itemId": first, "question": "asked again?"}])
    moved = served.client.get(url, headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag
    assert moved.json()["data"]["items"]["edges"][0]["node"]["question"] == "asked again?"


def test_a_content_answer_outlives_uploads_and_follows_content_writes(served: Served) -> None:
    answers: ByteBoundedLRU = served.client.app.state.answers
    page = post(served.client, PAGE)
    upload(served.client, served.evaluator, "content-run", items=3)
    hits = answers.hits
    assert post(served.client, PAGE) == page and answers.hits == hits + 1  # a run changes no item
    first = page["data"]["items"]["edges"][0]["node"]["id"]
    served.store.upsert_nodes("Item", [{"itemId": first, "question": "reworded"}])  # written outside the API
    changed = post(served.client, PAGE)
    assert answers.hits == hits + 1  # not the kept answer
    assert changed["data"]["items"]["edges"][0]["node"]["question"] == "reworded"
    with served.store.transaction() as tx:  # an item leaves: its predictions' ANSWERS links go with it
        tx.delete_nodes([NodeRef("Item", first)])
    assert post(served.client, PAGE)["data"]["items"]["totalCount"] == page["data"]["items"]["totalCount"] - 1


def test_results_on_a_content_type_follow_every_upload(served: Served) -> None:
    """An item's predictions are results: asked through an item, they are kept under the whole graph's
    generation, so eve sees her new run at once (and graphVersion moves)."""
    question = '{ graphVersion item(id: "diagnosis:0") { id predictions { runId } } }'
    before = post(served.client, question, served.evaluator)["data"]
    assert before["item"]["predictions"] == []  # the base run is nobody's
    run = upload(served.client, served.evaluator, "eve-seen")
    after = post(served.client, question, served.evaluator)["data"]
    assert [p["runId"] for p in after["item"]["predictions"]] == [run]
    assert after["graphVersion"] == before["graphVersion"] + 1


def test_what_content_answers_show_is_unchanged_by_runs_and_their_scores(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The content declarations (api/gql/reads.py) checked against the graph: a maintainer's answer of
    many content fields, kept, then a run uploaded and scored; the kept answer is given again, and it is
    what a server without a cache works out now."""
    answers: ByteBoundedLRU = served.client.app.state.answers
    kept = post(served.client, CONTENT_FIELDS, served.maintainer)
    assert "errors" not in kept, kept
    run = upload(served.client, served.evaluator, "scored-run", items=4)
    scored = post(served.client, f'mutation {{ scoreRun(runId: "{run}") {{ judged }} }}', served.maintainer)
    assert scored["data"]["scoreRun"]["judged"] > 0, scored  # judgements written
    hits = answers.hits
    assert post(served.client, CONTENT_FIELDS, served.maintainer) == kept and answers.hits == hits + 1
    monkeypatch.setenv("MMRARE_CACHE_BYTES", "0")
    keys = KeyStore(tmp_path / "fresh-keys.json")
    boss = keys.create("boss", "maintainer")
    uncached = TestClient(create_app(served.service, keys, tmp_path / "t"))
    assert post(uncached, CONTENT_FIELDS, boss) == kept


def test_what_is_never_kept() -> None:
    schema = build_schema()._schema
    kept = cacheable_operation("{ releaseMode }", None, schema)
    assert kept is not None and kept.printed == "{\n  releaseMode\n}" and kept.parts == CONTENT
    assert cacheable_operation('mutation { scoreRun(runId: "r") { judged } }', None, schema) is None
    assert cacheable_operation("{ submissionQuota { remaining } }", None, schema) is None  # moves with the clock
    assert cacheable_operation("query A { releaseMode } mutation B { x }", "B", schema) is None
    assert cacheable_operation("query A { releaseMode } query B { role }", None, schema) is None  # which one?
    assert cacheable_operation("{ broken", None, schema) is None


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


def first_question(answer: dict) -> str:
    return answer["data"]["items"]["edges"][0]["node"]["question"]


def test_without_a_lease_another_process_s_write_is_seen_at_once(
    served: Served, reopen: Callable[[], GraphStore]
) -> None:
    page = post(served.client, PAGE)
    other = reopen()  # the same graph, as another process (a CLI import) opens it
    other.upsert_nodes("Item", [{"itemId": page["data"]["items"]["edges"][0]["node"]["id"], "question": "theirs"}])
    assert first_question(post(served.client, PAGE)) == "theirs"


def test_a_generation_lease_sees_the_server_s_writes_at_once_and_another_process_s_when_it_ends(
    served: Served, reopen: Callable[[], GraphStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MMRARE_GENERATION_LEASE_MS", "30000")
    client = TestClient(create_app(served.service, KeyStore(tmp_path / "k.json"), tmp_path / "t"))
    reader: GenerationReader = client.app.state.generations
    now = [100.0]
    reader.clock = lambda: now[0]
    first = post(client, PAGE)["data"]["items"]["edges"][0]["node"]["id"]
    served.store.upsert_nodes("Item", [{"itemId": first, "question": "ours"}])  # the server's own store
    assert first_question(post(client, PAGE)) == "ours"
    reopen().upsert_nodes("Item", [{"itemId": first, "question": "theirs"}])  # another process
    now[0] += 29.9
    kept = client.get("/graphql?" + urlencode({"query": PAGE}))
    assert first_question(kept.json()) == "ours"  # within the lease: the generation read before, its answer
    now[0] += 0.2
    moved = client.get("/graphql?" + urlencode({"query": PAGE}))
    assert first_question(moved.json()) == "theirs" and moved.headers["etag"] != kept.headers["etag"]


@pytest.mark.parametrize("setting", ["fast", "-5", "60001", "nan"])
def test_a_lease_setting_out_of_range_is_refused_by_name(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_GENERATION_LEASE_MS", setting)
    with pytest.raises(ValueError, match=f"MMRARE_GENERATION_LEASE_MS='{setting}': give milliseconds from 0 to 60,000"):
        lease_from_env()


def test_the_lease_is_off_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MMRARE_GENERATION_LEASE_MS", raising=False)
    assert lease_from_env() == 0.0
    monkeypatch.setenv("MMRARE_GENERATION_LEASE_MS", "250")
    assert lease_from_env() == 0.25


def test_the_cache_can_be_turned_off(served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_CACHE_BYTES", "0")
    client = TestClient(create_app(served.service, KeyStore(tmp_path / "k.json"), tmp_path / "t"))
    post(client, RUNS)
    post(client, RUNS)
    assert client.app.state.answers.hits == 0 and len(client.app.state.answers) == 0
