"""Each run's report facts kept across uploads that only add a run, on both stores: an upload of
another run reads only that run, and the report is the one worked out from the store; an upload
that changes its model's description, a score, a write the service did not make (another process),
and a held-out upload (scored as it lands) make every run be read again."""

from __future__ import annotations

import json

import pytest

from mmrare.api.auth import PUBLIC, Principal
from mmrare.api.derived_cache import DerivedCache
from mmrare.api.policy import ReleasePolicy
from mmrare.api.run_facts import RunFacts
from mmrare.api.service import GraphService
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.importers.predictions import ModelInfo, PredictionSource
from mmrare.scoring.report import Report, stratified_report
from tests.api.conftest import Served

EVE = Principal("eve", "evaluator")
BOSS = Principal("boss", "maintainer")


def upload(
    service: GraphService, who: Principal, model: str, answers: dict[str, str], domain: str | None = None
) -> str:
    lines = "".join(json.dumps({"item": i, "prediction": p}) + "\n" for i, p in answers.items())
    source = PredictionSource("p.jsonl", lines.encode(), "upload p.jsonl")
    summary, _ = service.import_run(who, source, ModelInfo(model, domain=domain), None)
    return summary.run_id


def report(service: GraphService, by: str = "model") -> Report:
    return service.report(PUBLIC, [], by, "tokenF1", None, False, 50)


def from_the_store(service: GraphService, by: str = "model") -> Report:
    """The same report worked out from the store alone, as the CLI does."""
    runs = service._visible_runs(PUBLIC, [])
    return stratified_report(service.store, runs, None, (), by, "tokenF1", False, 50)


@pytest.fixture
def open_service(served: Served) -> GraphService:
    """The served graph on an open release (an upload is not scored as it lands), nothing cached but
    the runs' facts."""
    return GraphService(served.store, served.service.blobs, ReleasePolicy("open"), DerivedCache(0))


def golds(served: Served, n: int) -> dict[str, str]:
    """The gold answers of the first n items scored by token F1, as a prediction file would give them."""
    items = sorted((node.props for node in served.store.select("Item")), key=lambda p: p["itemId"])
    f1 = [p for p in items if "token_f1" in TRACK_BY_NAME[p["track"]].metrics]
    return {p["itemId"]: p["answer"] for p in f1[:n]}


def visible(service: GraphService, who: Principal = PUBLIC) -> int:
    """How many runs the caller's report covers."""
    return len(service._visible_runs(who, []))


def test_an_upload_of_another_run_reads_only_that_run(served: Served, open_service: GraphService) -> None:
    facts = open_service.run_facts
    eve_run = upload(open_service, EVE, "eve-model", golds(served, 5))
    open_service.score(BOSS, eve_run, "offline")  # its token F1, so that the report shows it
    first = report(open_service)
    assert facts.reads == 2 and set(first.runs) == {"base", "eve-model"}
    assert repr(first) == repr(from_the_store(open_service))
    upload(open_service, Principal("ann", "evaluator"), "ann-model", golds(served, 4))
    second = report(open_service)
    assert visible(open_service) == 3 and facts.reads == 3  # the new run only, not the two before again
    assert repr(second) == repr(from_the_store(open_service))


def test_a_changed_model_a_score_and_a_write_elsewhere_read_every_run_again(
    served: Served, open_service: GraphService
) -> None:
    facts: RunFacts = open_service.run_facts
    eve_run = upload(open_service, EVE, "eve-model", golds(served, 5), domain="general")
    open_service.score(BOSS, eve_run, "offline")
    report(open_service)
    assert facts.reads == 2
    # a maintainer's upload that describes eve's model otherwise: eve's run reads as medical now
    named = open_service.report(PUBLIC, [eve_run], "domain", "tokenF1", None, False, 50)
    assert [line.group for line in named.lines] == ["general"] and facts.reads == 2  # kept
    upload(open_service, BOSS, "eve-model", golds(served, 3), domain="medical")
    named = open_service.report(PUBLIC, [eve_run], "domain", "tokenF1", None, False, 50)
    assert [line.group for line in named.lines] == ["medical"] and facts.reads == 3  # read again
    # a score moves the generation without adding a run: the runs are read again, with their scores
    read = facts.reads
    open_service.score(BOSS, eve_run, "offline")
    again = report(open_service)
    assert facts.reads == read + visible(open_service) and repr(again) == repr(from_the_store(open_service))
    # a write the service never saw (another process): an item's answer is no longer leak-free
    read = facts.reads
    served.store.upsert_nodes("Item", [{"itemId": next(iter(golds(served, 1))), "leakFree": False}])
    leak_free = open_service.report(PUBLIC, [], "model", "tokenF1", None, True, 50)
    assert facts.reads == read + visible(open_service)
    runs = open_service._visible_runs(PUBLIC, [])
    assert repr(leak_free) == repr(stratified_report(served.store, runs, None, (), "model", "tokenF1", True, 50))


def test_a_held_out_upload_is_scored_as_it_lands_so_the_runs_are_read_again(served: Served) -> None:
    held = GraphService(served.store, served.service.blobs, ReleasePolicy("held-out"), DerivedCache(0))
    held.report(BOSS, [], "model", "tokenF1", None, False, 50)
    assert held.run_facts.reads == 1
    upload(held, EVE, "eve-model", golds(served, 5))  # two commits: the run, then its scores
    held.report(BOSS, [], "model", "tokenF1", None, False, 50)
    assert visible(held, BOSS) == 2 and held.run_facts.reads == 1 + 2


def test_only_a_lone_commit_that_adds_a_run_keeps_the_facts(served: Served) -> None:
    facts = RunFacts(served.store)
    assert facts([served.run_id]) and facts.reads == 1
    now = served.store.generation()
    facts.only_added_a_run(now, now + 2)  # two commits between: one of them unknown
    served.store.upsert_nodes("Model", [{"name": "two", "family": "x"}])
    served.store.upsert_nodes("Model", [{"name": "three", "family": "x"}])
    facts([served.run_id])
    assert facts.reads == 2
    assert facts(["no-such-run"]) == [] and facts.reads == 3
    assert facts(["no-such-run"]) == [] and facts.reads == 4  # a run not there is not kept
