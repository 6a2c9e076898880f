"""Derived answers (reports, condition contrasts, the reference headline, coverage) worked out once
per generation and inputs, on both stores: a repeat is not recomputed, other inputs and any write are;
a caller the policy refuses never reaches a cached value, and one whose view differs gets its own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import mmrare.api.service as service_module
from mmrare.api.auth import PUBLIC, Principal
from mmrare.api.derived_cache import DerivedCache, entries_from_env
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_prediction_files
from tests.support.mrarebench_t1 import MODEL, write_hand_release

MAINTAINER = Principal("boss", "maintainer")
EVE = Principal("eve", "evaluator")


def test_the_cache_keeps_the_most_recent_entries_and_can_be_off() -> None:
    cache = DerivedCache(2)
    computed: list[str] = []

    def work(name: str) -> str:
        computed.append(name)
        return name.upper()

    assert [cache.get_or_compute(lambda k=k: (k,), lambda k=k: work(k)) for k in ("a", "b", "a", "c", "b")] == [
        "A",
        "B",
        "A",
        "C",
        "B",
    ]
    # 'a' was used after 'b', so 'c' pushed 'b' out: it is computed again
    assert computed == ["a", "b", "c", "b"] and len(cache) == 2 and (cache.hits, cache.misses) == (1, 4)
    off = DerivedCache(0)
    assert [off.get_or_compute(lambda: ("a",), lambda: work("a")) for _ in range(2)] == ["A", "A"]
    assert computed[-2:] == ["a", "a"] and len(off) == 0


def test_one_value_is_worked_out_at_a_time_and_a_caller_asking_meanwhile_gets_it() -> None:
    cache = DerivedCache(4)
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow(name: str) -> str:
        computed.append(name)
        started.set()
        release.wait(10)
        return name.upper()

    answers: list[str] = []

    def ask(name: str) -> None:
        answers.append(cache.get_or_compute(lambda: (name,), lambda: slow(name)))

    first = threading.Thread(target=ask, args=("k",))
    first.start()
    assert started.wait(10)
    # asked while the first caller works: the same key waits for that work instead of repeating it,
    # and another key waits its turn
    waiting = [threading.Thread(target=ask, args=(name,)) for name in ("k", "other")]
    for thread in waiting:
        thread.start()
    for thread in waiting:
        thread.join(0.2)
        assert thread.is_alive()
    assert computed == ["k"]
    release.set()
    for thread in (first, *waiting):
        thread.join(10)
    assert sorted(answers) == ["K", "K", "OTHER"] and computed == ["k", "other"]
    assert (cache.hits, cache.misses) == (1, 2)


def test_the_key_is_read_again_when_a_callers_turn_comes_and_a_failure_is_not_kept() -> None:
    cache = DerivedCache(4)
    generation = [1]
    started, release = threading.Event(), threading.Event()

    def held() -> str:
        started.set()
        release.wait(10)
        return "held"

    holder = threading.Thread(target=lambda: cache.get_or_compute(lambda: ("held",), held))
    holder.start()
    assert started.wait(10)
    keys: list[tuple] = []

    def key_now() -> tuple:
        keys.append(("report", generation[0]))
        return keys[-1]

    answer: list[int] = []
    asker = threading.Thread(target=lambda: answer.append(cache.get_or_compute(key_now, lambda: generation[0])))
    asker.start()
    asker.join(0.2)
    generation[0] = 2  # a write while the asker waits its turn
    release.set()
    for thread in (holder, asker):
        thread.join(10)
    # worked out once, for the generation of its turn, and kept under that generation
    assert answer == [2] and keys == [("report", 1), ("report", 2)]
    assert cache.get_or_compute(lambda: ("report", 2), lambda: -1) == 2

    # a computation that fails leaves nothing behind: the next caller works the value out itself
    def broken() -> str:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError, match="went away"):
        cache.get_or_compute(lambda: ("other",), broken)
    assert cache.get_or_compute(lambda: ("other",), lambda: "fine") == "fine"


def test_the_setting_is_a_number_of_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMRARE_DERIVED_CACHE", "0")
    assert entries_from_env() == 0
    for bad in ("many", "-1"):
        monkeypatch.setenv("MMRARE_DERIVED_CACHE", bad)
        with pytest.raises(ValueError, match="MMRARE_DERIVED_CACHE"):
            entries_from_env()


@pytest.fixture
def t1_graph(store: GraphStore, tmp_path: Path) -> GraphStore:
    """The hand-written MRareBench T1 release (three items, one model under two conditions)."""
    hand = write_hand_release(tmp_path / "t1")
    import_release(hand, store, FolderBlobStore(tmp_path / "blobs"), benchmark="MRareBench")
    import_prediction_files([hand], store)
    return store


def counted(monkeypatch: pytest.MonkeyPatch, name: str) -> list[tuple]:
    """Every call of the service module's `name`, which still does its work."""
    calls: list[tuple] = []
    real = getattr(service_module, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, name, counting)
    return calls


def test_contrasts_are_worked_out_once_per_generation_and_inputs(
    t1_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counted(monkeypatch, "graph_contrasts")
    service = GraphService(t1_graph, FolderBlobStore(tmp_path / "blobs"), derived=DerivedCache())
    first = service.condition_contrasts(PUBLIC, [], "rr", "none", None, 200)
    (leakage,) = first
    assert (leakage.model, leakage.comparison.n) == (MODEL, 3)
    again = service.condition_contrasts(MAINTAINER, [], "rr", "none", None, 200)  # the same work for anyone
    assert again is first and len(calls) == 1
    service.condition_contrasts(PUBLIC, [], "hit@1", "none", None, 200)  # another metric: worked out
    assert len(calls) == 2
    t1_graph.upsert_nodes("Model", [{"name": MODEL, "family": "hand"}])  # any write moves the generation
    after = service.condition_contrasts(PUBLIC, [], "rr", "none", None, 200)
    assert len(calls) == 3 and after is not first  # worked out again after the write: the same numbers
    assert (after[0].comparison.n, after[0].comparison.difference) == (3, pytest.approx(1 / 6))


def test_reports_coverage_and_the_headline_are_kept_too(
    t1_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = counted(monkeypatch, "stratified_report")
    reference = counted(monkeypatch, "reference_headline")
    maps = counted(monkeypatch, "coverage")
    service = GraphService(t1_graph, FolderBlobStore(tmp_path / "blobs"), derived=DerivedCache())
    for _ in range(2):
        service.report(PUBLIC, [], "track", "tokenF1", None, False, 100)
        service.reference_scores(PUBLIC, [], None)
        service.coverage(PUBLIC, "head")
    assert (len(rows), len(reference), len(maps)) == (1, 1, 1)
    service.report(PUBLIC, [], "head", "tokenF1", None, False, 100)  # grouped otherwise: worked out
    assert len(rows) == 2


def test_coverage_outlives_runs_and_follows_content(
    t1_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coverage map reads benchmarks and Orphanet, no runs: a run's write leaves it kept (while a
    report, which reads runs, is worked out again); a write to an item is seen at once."""
    maps = counted(monkeypatch, "coverage")
    rows = counted(monkeypatch, "stratified_report")
    service = GraphService(t1_graph, FolderBlobStore(tmp_path / "blobs"), derived=DerivedCache())
    first = service.coverage(PUBLIC, "head")
    service.report(PUBLIC, [], "track", "tokenF1", None, False, 100)
    t1_graph.upsert_nodes("Model", [{"name": MODEL, "family": "hand, renamed"}])  # a results part only
    assert service.coverage(PUBLIC, "head") is first and len(maps) == 1
    service.report(PUBLIC, [], "track", "tokenF1", None, False, 100)
    assert len(rows) == 2
    item = next(iter(t1_graph.select("Item")))
    t1_graph.upsert_nodes("Item", [{"itemId": item.ref.key, "release": "moved"}])  # content
    after = service.coverage(PUBLIC, "head")
    assert len(maps) == 2 and after is not first
    assert any("moved" in r.benchmark for r in after.rows) and not any("moved" in r.benchmark for r in first.rows)


def test_a_refused_caller_never_reaches_a_cached_value(
    t1_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held out: the maintainer's contrasts, headline and coverage are cached; an evaluator asking the
    same is refused before the cache is looked at, and the public too."""
    calls = counted(monkeypatch, "graph_contrasts")
    policy = ReleasePolicy("held-out", min_group=1)
    service = GraphService(t1_graph, FolderBlobStore(tmp_path / "blobs"), policy, DerivedCache())
    assert service.condition_contrasts(MAINTAINER, [], "rr", "none", None, 200)
    service.reference_scores(MAINTAINER, [], None)
    service.coverage(MAINTAINER, "head")
    for caller in (EVE, PUBLIC):
        with pytest.raises(PermissionError):
            service.condition_contrasts(caller, [], "rr", "none", None, 200)
        with pytest.raises(PermissionError):
            service.reference_scores(caller, [], None)
        with pytest.raises(PermissionError):
            service.coverage(caller, "head")
    assert len(calls) == 1


def test_a_caller_whose_runs_differ_gets_its_own_answer(
    t1_graph: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runs a report covers are part of the key: one run asked for is not the answer for both."""
    calls = counted(monkeypatch, "graph_contrasts")
    service = GraphService(t1_graph, FolderBlobStore(tmp_path / "blobs"), derived=DerivedCache())
    both = service.condition_contrasts(PUBLIC, [], "rr", "none", None, 200)
    baseline = next(n.ref.key for n in t1_graph.select("Run") if n.props.get("dataset") == "MRareBench_Diagnosis")
    alone = service.condition_contrasts(PUBLIC, [baseline], "rr", "none", None, 200)
    assert len(both) == 1 and alone == [] and len(calls) == 2  # one condition alone compares nothing
