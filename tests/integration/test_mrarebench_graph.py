"""MRareBench in the graph, on both stores: its T1 release imported as a second benchmark beside
MMRareBench, its prediction files as runs per input condition, `report --reference` keys worked by
hand, condition comparisons from the graph, and every question restricted to one benchmark.

SYNTHETIC rows: the hand release below is made up; the disease names and codes are Orphanet's."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmrare.audit.run import audit_and_store
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.tracks import select_tracks
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore
from mmrare.graph.subsets import ItemFilter, select_items
from mmrare.importers.benchmark.export import export_items
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import import_prediction_files
from mmrare.scoring.condition_runs import graph_contrasts
from mmrare.scoring.conditions import ALL
from mmrare.scoring.reference import collect_reference_rows, reference_scores
from tests.conftest import with_orphanet
from tests.support.mrarebench_t1 import HAND_ROWS, MODEL, write_hand_release
from tests.support.releases import snapshot


def items_of(store: GraphStore) -> list[NodeRef]:
    return [NodeRef("Item", f"differential:{index}") for index, *_ in HAND_ROWS]


@pytest.fixture
def both(store: GraphStore, release: Path, tmp_path: Path) -> GraphStore:
    """Orphanet, the 40-item MMRareBench release and the hand MRareBench release, with its two runs."""
    with_orphanet(store)
    blobs = FolderBlobStore(tmp_path / "blobs")
    import_release(release, store, blobs)
    hand = write_hand_release(tmp_path / "mrarebench")
    import_release(hand, store, blobs, benchmark="MRareBench")
    import_prediction_files([hand], store)
    return store


def test_reference_keys_per_condition_worked_by_hand(both: GraphStore) -> None:
    results = {r.label: r for r in reference_scores(collect_reference_rows(both, [], None), None)}
    baseline, disclosed = results["MRareBench_Diagnosis"], results["MRareBench_Diagnosis_FD"]
    assert baseline.model == MODEL and baseline.track == "differential"
    assert baseline.values == {
        "n_total": 3,
        "n_hit": 2,
        "hit_rate": 2 / 3,
        "parse_fail_rate": 0.0,
        "MRR": 0.5,  # (1/2 + 0 + 1) / 3
        "MR": 1.5,  # (2 + 1) / 2
        "recall@1": 1 / 3,
        "recall@3": 2 / 3,
        "recall@5": 2 / 3,
        "recall@10": 2 / 3,
    }
    assert disclosed.values["MRR"] == 2 / 3 and disclosed.values["MR"] == 1.0 and disclosed.values["n_hit"] == 2
    assert baseline.dropped_without_image == 0
    runs = {n.props["dataset"] for n in both.select("Run")}
    assert runs == {"MRareBench_Diagnosis", "MRareBench_Diagnosis_FD"}
    # the items are aligned from the release's ORPHA_code
    answers = {
        str(n.start.key): int(n.node.key) for n in both.neighbours([NodeRef("Item", "differential:1")], "ANSWER_IS")
    }
    assert answers == {"differential:1": 558}
    assert both.get(NodeRef("Item", "differential:3")).props["releaseOrpha"] == "399"
    # the release's case_id makes the cases: rows 1 and 2 are one
    cases = {str(n.start.key): str(n.node.key) for n in both.neighbours(items_of(both), "ABOUT")}
    assert cases == {"differential:1": "case:differential:1", "differential:2": "case:differential:1"} | {
        "differential:3": "case:differential:3"
    }


def test_condition_comparison_from_the_graph(both: GraphStore) -> None:
    (leakage,) = [c for c in graph_contrasts(both, [], "rr", "none") if c.stratum == ALL]
    p = leakage.comparison
    assert leakage.model == MODEL and leakage.measures.startswith("textual leakage")
    # reciprocal ranks: baseline 1/2, 0, 1; disclosed 1, 1, 0
    assert p.n == 3 and p.mean_a == pytest.approx(0.5) and p.mean_b == pytest.approx(2 / 3)
    assert p.difference == pytest.approx(1 / 6)


def test_every_question_can_be_restricted_to_one_benchmark(both: GraphStore, tmp_path: Path) -> None:
    def ids(benchmark: str | None) -> list[str]:
        return [str(n.ref.key) for n in select_items(both, ItemFilter(tracks=select_tracks((), benchmark)))]

    assert ids("MRareBench") == ["differential:1", "differential:2", "differential:3"]
    assert len(ids("MMRareBench")) == 40 and not any(i.startswith("differential") for i in ids("MMRareBench"))
    assert len(ids(None)) == 43
    page, total = both.item_page(ItemFilter(tracks=select_tracks((), "MRareBench")), 0, 2)
    assert [str(n.ref.key) for n in page] == ["differential:1", "differential:2"] and total == 3

    # the reference keys of one benchmark only
    rows = collect_reference_rows(both, [], None)
    assert {r.track for r in rows} == {"differential"}  # the MMRareBench release has no runs here

    # the audit of one benchmark audits its items only, and finds the answer named in row 3's context
    result = audit_and_store(both, select_tracks((), "MRareBench"))
    assert result.audited == ["differential:1", "differential:2", "differential:3"]
    named = {(f.item_id, f.kind) for f in result.findings if f.kind == "direct-name"}
    assert named == {("differential:3", "direct-name")}

    # an export of both benchmarks puts each in its own folder (both have diagnosis/diagnosis_opened.tsv)
    blobs = FolderBlobStore(tmp_path / "blobs")
    everything = select_items(both, ItemFilter())
    written = export_items(both, everything, blobs, tmp_path / "both")
    assert written["differential"] == 3 and written["diagnosis"] > 0
    assert (tmp_path / "both" / "MRareBench" / "diagnosis" / "diagnosis_opened.tsv").is_file()
    assert (tmp_path / "both" / "MMRareBench" / "diagnosis" / "diagnosis_opened.tsv").is_file()
    # one benchmark's export is a release of it: importing it again changes nothing
    before = snapshot(both)
    export_items(both, select_items(both, ItemFilter(tracks=("differential",))), blobs, tmp_path / "one")
    import_release(tmp_path / "one", both, blobs, benchmark="MRareBench")
    assert snapshot(both) == before


def test_a_track_outside_the_benchmark_is_an_error() -> None:
    with pytest.raises(ValueError, match="'diagnosis' is not in MRareBench"):
        select_tracks(("diagnosis",), "MRareBench")
    with pytest.raises(ValueError, match="no benchmark 'RareBench'"):
        select_tracks((), "RareBench")
    assert select_tracks(("differential",), "mrarebench") == ("differential",)
