"""phenopacket-store through GraphQL, on both stores: the study's table, a report by a ranked metric,
the language contrasts; and on a held-out release, what an evaluator may not learn from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mmrare.api.app import create_app
from mmrare.api.auth import KeyStore
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore
from mmrare.importers.pheval_results import import_study_results
from tests.support.graphql import ask
from tests.support.phenopackets import RESULTS, with_packets

TABLES = (
    "query($runs: [String!]) { studyTables(runs: $runs) { model condition run metrics { key value } "
    "ours { key value } } }"
)


@pytest.fixture
def phenopacket_app(store: GraphStore, tmp_path: Path) -> tuple[GraphStore, KeyStore, list[str]]:
    with_packets(store)
    runs = [s.run_id for s in import_study_results([RESULTS], store)]
    return store, KeyStore(tmp_path / "keys.json"), runs


def client_of(store: GraphStore, keys: KeyStore, tmp_path: Path, policy: ReleasePolicy | None = None) -> TestClient:
    service = GraphService(store, FolderBlobStore(tmp_path / "blobs"), policy)
    return TestClient(create_app(service, keys, tmp_path / "thumbs"), raise_server_exceptions=False)


def test_study_tables_report_and_language_contrasts(phenopacket_app, tmp_path: Path) -> None:
    store, keys, _ = phenopacket_app
    client = client_of(store, keys, tmp_path)
    tables = ask(client, TABLES)["data"]["studyTables"]
    en = next(t for t in tables if t["condition"] == "en")
    values = {m["key"]: m["value"] for m in en["metrics"]}
    assert (values["n1"], values["n2"], values["n3"], values["n6"], values["nf"], values["num_cases"]) == (
        1,
        2,
        1,
        1,
        2,
        8,
    )
    assert {m["key"]: m["value"] for m in en["ours"]}["strict_top3"] == 0.5
    report = ask(
        client,
        'query { report(metric: "hit@1", by: "all") { means { model micro n } } }',
    )["data"]["report"]["means"]
    assert {m["model"]: (m["micro"], m["n"]) for m in report} == {"gpt-4o [en]": (12.5, 8), "gpt-4o [de]": (100 / 9, 9)}
    contrasts = ask(
        client,
        'query { conditionContrasts(metric: "hit@3", by: "none") { model measures stratum n meanA meanB difference } }',
    )["data"]["conditionContrasts"]
    (german,) = contrasts
    # the eight cases both answered: en finds four in the top three (A_III_10, B_II_11, B_III_11, B_III_18),
    # de the same four (B_II_11 and B_III_18 at 3): no difference
    assert german["measures"] == "English - German (en - de)"
    assert (german["n"], german["meanA"], german["meanB"], german["difference"]) == (8, 0.5, 0.5, 0.0)


def test_a_held_out_release_keeps_study_tables_from_evaluators(phenopacket_app, tmp_path: Path) -> None:
    """On a held-out release a study's table is for maintainers: its rates are exact means, which two
    submissions differing in one answer would read that answer off; an evaluator's own runs are no
    exception. Grouping by cohort (a gene's folder, close to the answer) is refused too."""
    store, keys, runs = phenopacket_app
    en, de = sorted(runs, key=lambda r: ":en|" not in r)
    evaluator, maintainer = keys.create("eve", "evaluator"), keys.create("boss", "maintainer")
    store.upsert_nodes("Run", [{"runId": en, "owner": "eve"}])  # eve submitted the English answers (8 cases)
    strict = client_of(store, keys, tmp_path, ReleasePolicy("held-out", min_group=9, runs_per_day=2))
    for runs_asked in ([], [en], [de]):
        refused = ask(strict, TABLES, evaluator, runs=runs_asked)["errors"][0]["message"]
        assert "the study's table: maintainers only on a held-out release" in refused
    assert sorted(t["condition"] for t in ask(strict, TABLES, maintainer)["data"]["studyTables"]) == ["de", "en"]
    lenient = client_of(store, keys, tmp_path, ReleasePolicy("held-out", min_group=1, runs_per_day=2))
    assert "maintainers only" in ask(lenient, TABLES, evaluator)["errors"][0]["message"]
    refused = ask(strict, 'query { report(metric: "hit@1", by: "cohort") { by } }', evaluator)
    assert "not offered on a held-out release" in refused["errors"][0]["message"]


COVERAGE = (
    "query($by: String!) { coverage(by: $by) { by cells { benchmark group items diseases uncovered } shared { a b } } }"
)


def test_the_coverage_map_and_its_held_out_fence(phenopacket_app, tmp_path: Path) -> None:
    """Nine cases: the four TBX5 cases answer Holt-Oram syndrome (392), one disorder; the map counts them
    once as a disease. On a held-out release an evaluator may not read it (it counts the answers)."""
    store, keys, _ = phenopacket_app
    open_map = ask(client_of(store, keys, tmp_path), COVERAGE, by="prevalence")["data"]["coverage"]
    assert {c["benchmark"] for c in open_map["cells"]} == {"phenopacket-store 0.1.19"}
    assert sum(c["items"] for c in open_map["cells"]) >= 9
    held = client_of(store, keys, tmp_path, ReleasePolicy("held-out", min_group=9, runs_per_day=2))
    evaluator = keys.create("eve", "evaluator")
    refused = ask(held, COVERAGE, evaluator, by="head")
    assert "maintainers only" in refused["errors"][0]["message"]
    assert "maintainers only" in ask(held, COVERAGE, by="head")["errors"][0]["message"]  # the public too
    bad = ask(client_of(store, keys, tmp_path), COVERAGE, by="gene")
    assert "coverage is by head, linearised, prevalence" in bad["errors"][0]["message"]
    by_class = "query($u: Int) { coverage(by: \"class\", under: $u) { by under cells { group } } }"
    assert "maintainers only" in ask(held, by_class, evaluator, u=392)["errors"][0]["message"]
    unknown = ask(client_of(store, keys, tmp_path), by_class, u=999_999_999)
    assert "ORPHA:999999999 is not in the graph" in unknown["errors"][0]["message"]


def test_the_benchmarks_query_lists_tracks_metrics_and_conditions(phenopacket_app, tmp_path: Path) -> None:
    store, keys, _ = phenopacket_app
    found = ask(
        client_of(store, keys, tmp_path),
        "{ benchmarks { name tracks { name reference metrics conditions } } }",
    )["data"]["benchmarks"]
    by_name = {b["name"]: b["tracks"] for b in found}
    assert list(by_name) == ["MMRareBench", "MRareBench", "phenopacket-store"]
    (phenopacket,) = by_name["phenopacket-store"]
    assert phenopacket["reference"] == "pheval.llm" and "grounded_hit@1" in phenopacket["metrics"]
    assert len(phenopacket["conditions"]) == 10 and "phenopacket-store:ja" in phenopacket["conditions"]
    assert [t["name"] for t in by_name["MRareBench"]] == ["differential", "evidence"]
