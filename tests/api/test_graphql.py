"""GraphQL on both stores: queries, paging, roles, limits, masked errors, bounded store calls."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mmrare.api.service import GraphService
from mmrare.graph.model import NodeRef
from tests.api.conftest import Served, gql
from tests.support.counting_store import CountingStore

PAGE = """query($first: Int!, $after: String, $track: String) {
  items(first: $first, after: $after, track: $track) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id track nImages modalities leakFree images { order label image { sha256 width url } }
                          case { caseId groupedBy } } }
  }
}"""


def test_paging_and_filters(served: Served) -> None:
    first = gql(served, PAGE, first=15)["data"]["items"]
    assert first["totalCount"] == 40 and len(first["edges"]) == 15 and first["pageInfo"]["hasNextPage"]
    rest = gql(served, PAGE, first=100, after=first["pageInfo"]["endCursor"])["data"]["items"]
    ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert len(ids) == len(set(ids)) == 40 and not rest["pageInfo"]["hasNextPage"]
    node = first["edges"][0]["node"]
    assert node["nImages"] == len(node["images"]) and node["images"][0]["image"]["url"].startswith("/images/")
    diag = gql(served, PAGE, first=50, track="diagnosis")["data"]["items"]
    assert diag["totalCount"] == 11 and {e["node"]["track"] for e in diag["edges"]} == {"diagnosis"}
    flagged = gql(served, "{ items(first: 50, leakFree: false) { totalCount } }")["data"]["items"]["totalCount"]
    clean = gql(served, "{ items(first: 50, leakFree: true) { totalCount } }")["data"]["items"]["totalCount"]
    assert flagged + clean == 40 and flagged > 0
    under = gql(served, "{ items(first: 50, under: 284993) { edges { node { id } } } }")["data"]["items"]["edges"]
    assert under  # the sample's diseases are the Marfan group's
    too_big = gql(served, PAGE, first=500)
    assert "first must be between 1 and 100" in too_big["errors"][0]["message"]


def test_disease_queries(served: Served) -> None:
    data = gql(
        served,
        """{ disease(orphaCode: 558) { name synonyms group parents { orphaCode }
        phenotypes(limit: 3) { phenotype { hpoId name } frequency } descendants { orphaCode } ancestors { orphaCode } }
        diseases(search: "marfan", limit: 3) { orphaCode name } }""",
    )["data"]
    marfan = data["disease"]
    assert marfan["name"] == "Marfan syndrome" and marfan["synonyms"] == ["MFS"] and marfan["group"] == "Disorder"
    assert {p["orphaCode"] for p in marfan["parents"]} >= {284993}
    assert {d["orphaCode"] for d in marfan["descendants"]} == {284963, 284973}
    assert 284993 in {a["orphaCode"] for a in marfan["ancestors"]}
    assert len(marfan["phenotypes"]) == 3 and marfan["phenotypes"][0]["phenotype"]["hpoId"].startswith("HP:")
    assert data["diseases"][0] == {"orphaCode": 558, "name": "Marfan syndrome"}  # exact name first


ANSWER_KEY = ["answer", "aliases", "rubric", "alignment { disease { orphaCode } }", "findings { kind path }"]


@pytest.mark.parametrize("field", ANSWER_KEY)
def test_answer_key_is_for_maintainers_only(served: Served, field: str) -> None:
    query = f'{{ item(id: "diagnosis:0") {{ id {field} }} }}'
    for key in (None, served.evaluator):
        denied = gql(served, query, key)
        assert denied["errors"][0]["message"] == "the maintainer role is required to read the answer key"
        assert denied["data"] is None or denied["data"]["item"] is None
    allowed = gql(served, query, served.maintainer)
    assert "errors" not in allowed and allowed["data"]["item"]["id"] == "diagnosis:0"


def test_judgement_prompts_hide_the_answer_key(served: Served) -> None:
    query = '{ item(id: "diagnosis:0") { predictions { text judgements { score prompt } } } }'
    assert gql(served, query)["data"]["item"]["predictions"] == []  # public: no predictions at all
    maintainer = gql(served, query, served.maintainer)["data"]["item"]["predictions"]
    assert maintainer and "gold" in maintainer[0]["judgements"][0]["prompt"]
    evaluator = gql(served, query, served.evaluator)
    assert evaluator["data"]["item"]["predictions"] == []  # not its run


def test_limits_and_masked_errors(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = (
        "{ disease(orphaCode: 558) { parents { parents { parents { parents { parents { parents { parents "
        "{ parents { parents { parents { name } } } } } } } } } } } }"
    )
    assert "exceeds maximum operation depth" in gql(served, deep)["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{k}: disease(orphaCode: 558) {{ name }}" for k in range(20)) + " }"
    assert "aliases" in gql(served, aliases)["errors"][0]["message"].lower()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(GraphService, "leakage_summary", broken)
    masked = gql(served, "{ leakageSummary { track } }")
    assert masked["errors"][0]["message"] == "Unexpected error." and "secret" not in str(masked)
    bad_grouping = gql(served, '{ report(by: "colour") { rows { group } } }')
    assert "unknown grouping 'colour'" in bad_grouping["errors"][0]["message"]  # the caller's mistake is shown


def test_a_page_costs_a_bounded_number_of_store_calls(served: Served) -> None:
    from mmrare.api.gql import Context

    counting = CountingStore(served.store)
    service = GraphService(counting, served.service.blobs)  # type: ignore[arg-type]
    from mmrare.api.app import build_schema
    from mmrare.api.auth import PUBLIC

    schema = build_schema()
    costs = {}
    for first in (5, 40):
        counting.calls.clear()
        result = asyncio.run(
            schema.execute(PAGE, variable_values={"first": first}, context_value=Context(service, PUBLIC))
        )
        assert result.errors is None and len(result.data["items"]["edges"]) == first
        costs[first] = dict(counting.calls)
    # one page question to the store, and a few batched lookups after it, however long the page
    assert costs[5] == costs[40], costs
    # one question: the page with its images and cases (an unfiltered page checks no class)
    assert costs[5] == {"item_page_linked": 1}


def test_reports_and_leakage_summary(served: Served) -> None:
    report = gql(
        served,
        '{ report(by: "track", metric: "tokenF1", resamples: 100) { judgeOrigin rows { group n mean } '
        "means { model runs micro } } }",
    )["data"]["report"]
    assert report["means"] == [{"model": "base", "runs": [served.run_id], "micro": 100.0}]
    assert report["judgeOrigin"] == "no judge: counted from the answers themselves"  # F1 has no judge
    diagnosis = next(r for r in report["rows"] if r["group"] == "diagnosis")
    assert diagnosis["n"] == 11 and diagnosis["mean"] == 100.0  # the run answered with the gold answers
    summary = gql(served, "{ leakageSummary { track items flagged leakFree kinds { kind items } } }")["data"]
    rows = {r["track"]: r for r in summary["leakageSummary"]}
    assert sum(r["items"] for r in rows.values()) == 40
    assert all(r["flagged"] + r["leakFree"] == r["items"] for r in rows.values())


def test_mutations_need_keys_and_roles(served: Served) -> None:
    score = "mutation($run: String!) { scoreRun(runId: $run) { judged cached } }"
    assert "API key is required" in gql(served, score, None, run=served.run_id)["errors"][0]["message"]
    assert "only their own runs" in gql(served, score, served.evaluator, run=served.run_id)["errors"][0]["message"]
    done = gql(served, score, served.maintainer, run=served.run_id)["data"]["scoreRun"]
    assert done["judged"] == 0 and done["cached"] == 40  # scored already at set-up
    gold = served.store.get(NodeRef("Item", "diagnosis:0")).props["answer"]
    content = json.dumps({"item": "diagnosis:0", "prediction": gold}) + "\n"
    imported = gql(
        served,
        'mutation($c: String!) { importPredictions(model: "eve-model", content: $c) { runId } }',
        served.evaluator,
        c=content,
    )
    mine = imported["data"]["importPredictions"]["runId"]
    scored = gql(served, score, served.evaluator, run=mine)["data"]["scoreRun"]
    # the same item and text were judged for the base run: the stored judgement is reused
    assert (scored["judged"], scored["cached"]) == (0, 1)
    own = gql(served, '{ item(id: "diagnosis:0") { predictions { runId scores { judge score } } } }', served.evaluator)
    assert [p["runId"] for p in own["data"]["item"]["predictions"]] == [mine]
    assert own["data"]["item"]["predictions"][0]["scores"] == [{"judge": "offline", "score": 1.0}]
    other = gql(served, '{ item(id: "diagnosis:0") { predictions { runId } } }', served.other_evaluator)
    assert other["data"]["item"]["predictions"] == []
    audit = "mutation { runLeakageAudit }"
    assert "maintainer role" in gql(served, audit, served.evaluator)["errors"][0]["message"]
    assert gql(served, audit, served.maintainer)["data"]["runLeakageAudit"] > 0


def test_unknown_key_is_refused(served: Served) -> None:
    response = served.client.post("/graphql", json={"query": "{ runs { runId } }"}, headers={"X-API-Key": "nope"})
    assert response.status_code == 401


def test_reference_scores(served: Served) -> None:
    query = "{ referenceScores { model track runs nTotal droppedWithoutImage metrics { key value } } }"
    rows = {r["track"]: r for r in gql(served, query)["data"]["referenceScores"]}
    assert rows["diagnosis"]["metrics"] == [{"key": "diagnosis_f1", "value": 100.0}]  # the gold answers
    assert rows["diagnosis"]["nTotal"] == 11 and rows["diagnosis"]["droppedWithoutImage"] == 0
    assert rows["treatment"]["metrics"] == [{"key": "substring_match", "value": 1.0}]
    judged = gql(served, '{ referenceScores(judge: "offline") { track metrics { key } } }')["data"]
    keys = {r["track"]: [m["key"] for m in r["metrics"]] for r in judged["referenceScores"]}
    assert keys["diagnosis"] == ["diagnosis_judge_score", "diagnosis_f1"]
    assert keys["examination"] == ["examination_judge_score"]


FINDINGS = """query($first: Int!, $after: String, $track: String, $kind: String, $severity: String) {
  leakageFindings(first: $first, after: $after, track: $track, kind: $kind, severity: $severity) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { itemId kind severity explanation path } } } }"""


def _all_findings(served: Served, key: str, size: int, **filters: object) -> tuple[list[dict], int]:
    nodes, after, pages = [], None, 0
    while True:
        found = gql(served, FINDINGS, key, first=size, after=after, **filters)["data"]["leakageFindings"]
        assert len(found["edges"]) <= size
        nodes += [e["node"] for e in found["edges"]]
        pages += 1
        if not found["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = found["pageInfo"]["endCursor"]


def test_findings_page_by_cursor_in_item_order_and_filter(served: Served) -> None:
    stored = [n.props for n in served.store.select("LeakageFinding")]  # what the audit wrote
    nodes, pages = _all_findings(served, served.maintainer, 7)
    assert len(nodes) == len(stored) > 7 and pages == -(-len(stored) // 7)
    assert sorted((n["itemId"], n["explanation"]) for n in nodes) == sorted(
        (f["itemId"], f["explanation"]) for f in stored
    )
    order = [(n["itemId"].split(":")[0], int(n["itemId"].split(":")[1])) for n in nodes]
    assert order == sorted(order)  # natural order: diagnosis:2 before diagnosis:10
    for filters in ({"track": "diagnosis"}, {"kind": "figure-label"}, {"severity": "medium"},
                    {"track": "examination", "severity": "high"}):  # fmt: skip
        chosen, _ = _all_findings(served, served.maintainer, 5, **filters)
        expected = [
            f for f in stored
            if f["itemId"].startswith(filters.get("track", "")) and f["kind"] == filters.get("kind", f["kind"])
            and f["severity"] == filters.get("severity", f["severity"])
        ]  # fmt: skip
        assert len(chosen) == len(expected), filters
        assert all(n["itemId"].startswith(filters.get("track", "")) for n in chosen)
    assert _all_findings(served, served.maintainer, 50, kind="figure-label")[0]  # the release plants them


def test_findings_are_for_maintainers_and_bad_filters_are_named(served: Served) -> None:
    for key in (None, served.evaluator):
        refused = gql(served, FINDINGS, key, first=5)
        assert refused["data"] is None and "maintainer role is required" in refused["errors"][0]["message"]
    for variables, message in (
        ({"kind": "spoiler"}, "unknown kind 'spoiler'"),
        ({"track": "surgery"}, "unknown track 'surgery'"),
        ({"severity": "low"}, "unknown severity 'low'"),
        ({"first": 101}, "first must be between 1 and 100"),
        ({"after": "b2Zmc2V0Oi0y"}, "not a cursor from this API"),  # "offset:-2"
    ):
        out = gql(served, FINDINGS, served.maintainer, **{"first": 5, **variables})
        assert message in out["errors"][0]["message"], variables


def test_items_of_one_benchmark_and_its_reference_keys(served: Served, tmp_path: Path) -> None:
    from mmrare.core.blobs import FolderBlobStore
    from mmrare.importers.benchmark.loader import import_release
    from mmrare.importers.predictions import import_prediction_files
    from tests.support.mrarebench_t1 import MODEL, write_hand_release

    hand = write_hand_release(tmp_path / "mrarebench")
    import_release(hand, served.store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    import_prediction_files([hand], served.store)
    query = "query($b: String) { items(benchmark: $b, first: 5) { totalCount edges { node { id benchmark } } } }"
    page = gql(served, query, b="MRareBench")["data"]["items"]
    assert page["totalCount"] == 3
    assert [e["node"] for e in page["edges"]] == [
        {"id": f"differential:{k}", "benchmark": "MRareBench"} for k in (1, 2, 3)
    ]
    assert gql(served, query, b="MMRareBench")["data"]["items"]["totalCount"] == 40
    wrong = gql(served, '{ items(benchmark: "MRareBench", track: "diagnosis") { totalCount } }')
    assert "track 'diagnosis' is not in MRareBench" in wrong["errors"][0]["message"]
    # the second benchmark's answers are answer key like the first's
    denied = gql(served, '{ item(id: "differential:1") { answer } }', served.evaluator)
    assert denied["errors"][0]["message"] == "the maintainer role is required to read the answer key"
    scores = gql(served, "{ referenceScores { model dataset metrics { key value } } }")["data"]["referenceScores"]
    baseline = next(r for r in scores if r["model"] == MODEL and r["dataset"] == "MRareBench_Diagnosis")
    assert {m["key"]: m["value"] for m in baseline["metrics"]}["MRR"] == 0.5  # worked by hand in that module
    datasets = {r["dataset"] for r in gql(served, "{ runs { dataset } }")["data"]["runs"]}
    assert datasets == {None, "MRareBench_Diagnosis", "MRareBench_Diagnosis_FD"}  # the base run is JSONL
    one = gql(served, '{ referenceScores(benchmark: "MRareBench") { track } }')["data"]["referenceScores"]
    assert {r["track"] for r in one} == {"differential"}  # the base run's MMRareBench tracks left out
    contrasts = gql(
        served, '{ conditionContrasts(by: "none") { model measures stratum n meanA meanB difference ciLow ciHigh } }'
    )["data"]["conditionContrasts"]
    (leakage,) = contrasts
    assert (leakage["model"], leakage["stratum"], leakage["n"]) == (MODEL, "all items", 3)
    assert leakage["measures"] == "textual leakage (FD - baseline)"
    # three cases are too few for an interval: none is given (a zero-width one read as certainty)
    assert leakage["difference"] == pytest.approx(1 / 6) and leakage["ciLow"] is None is leakage["ciHigh"]
    wrong = gql(served, '{ conditionContrasts(by: "colour") { n } }')
    assert "strata are by head, prevalence or none, not 'colour'" in wrong["errors"][0]["message"]


def test_evidence_verification_items_and_contrasts(served: Served, tmp_path: Path) -> None:
    from mmrare.core.blobs import FolderBlobStore
    from mmrare.importers.benchmark.loader import import_release
    from mmrare.importers.predictions import import_prediction_files
    from tests.support.mrarebench_t2 import MODEL, write_hand_release

    hand = write_hand_release(tmp_path / "mrarebench")
    import_release(hand, served.store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    import_prediction_files([hand], served.store)
    page = gql(served, '{ items(benchmark: "MRareBench", track: "evidence", first: 5) { totalCount } }')
    assert page["data"]["items"]["totalCount"] == 3
    # the gold rationale is answer key like any answer
    denied = gql(served, '{ item(id: "evidence:1") { answer } }', served.evaluator)
    assert denied["errors"][0]["message"] == "the maintainer role is required to read the answer key"
    query = 'query($m: String!) { conditionContrasts(by: "none", metric: $m) { model measures n difference } }'
    (gain,) = gql(served, query, m="det_required_recall@0.5")["data"]["conditionContrasts"]
    assert (gain["model"], gain["n"]) == (MODEL, 2) and gain["measures"] == "the diagnosis's gain (gold - NoDx)"
    assert gain["difference"] == pytest.approx(0.75)  # worked by hand in that module
    wrong = gql(served, query, m="__import__('os')")
    assert "unknown item metric" in wrong["errors"][0]["message"]
    scores = gql(served, '{ referenceScores(benchmark: "MRareBench") { dataset metrics { key value } } }')
    gold = next(r for r in scores["data"]["referenceScores"] if r["dataset"] == "MRareBench_EvidenceVerif")
    assert {m["key"]: m["value"] for m in gold["metrics"]}["det_required_recall@0.5"] == 1.0


def test_filters_never_fail_silently(served: Served) -> None:
    # a prevalence class that does not exist is an error naming the classes, never an empty page
    bogus = gql(served, '{ items(first: 5, prevalenceClass: "bogus") { totalCount } }')
    assert bogus["data"] is None and "'bogus' is not a prevalence class; use one of '>1 / 1000'" in str(bogus["errors"])
    # the spellings the CLI takes: however spaced, the same class
    spaced = gql(served, '{ items(first: 5, prevalenceClass: "1-9 / 100 000") { totalCount } }')["data"]["items"]
    squeezed = gql(served, '{ items(first: 5, prevalenceClass: "1-9/100000") { totalCount } }')["data"]["items"]
    assert spaced["totalCount"] == squeezed["totalCount"] > 0
    # a class that is not in the graph is an error, in items and in reports, never an unfiltered page
    unknown = gql(served, "{ items(first: 5, under: 99999999) { totalCount } }")
    assert unknown["data"] is None and "ORPHA:99999999 is not in the graph" in str(unknown["errors"])
    report = gql(served, '{ report(by: "track", under: 99999999) { by } }', served.maintainer)
    assert "ORPHA:99999999 is not in the graph" in str(report["errors"])
