"""The phenotype baseline (scoring/phenotype_baseline.py) on a hand-built toy graph, both stores.

HPO: A is the root; B and C are A's children; D is B's child. Diseases: 1 has D (Obligate), 2 has B
(Frequent, weight 0.545), 3 has C (Obligate). Propagated: 1 carries D, B, A; 2 carries B, A; 3 carries
C, A. IC: A is carried by all three (ln 1 = 0), B by two (ln 3/2 = 0.405465), C and D by one (ln 3 =
1.098612).
"""

from __future__ import annotations

import math

import pytest

from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow
from mmrare.scoring.phenotype_baseline import annotation_matrix


def toy(store: GraphStore) -> GraphStore:
    with store.transaction() as tx:
        tx.upsert_nodes("Disease", [{"orphaCode": c, "name": f"disease {c}"} for c in (1, 2, 3)])
        tx.upsert_nodes("Phenotype", [{"hpoId": f"HP:{t}", "name": t} for t in "ABCD"])
        tx.upsert_rels(
            "IS_A",
            [RelRow(NodeRef("Phenotype", f"HP:{c}"), NodeRef("Phenotype", f"HP:{p}")) for c, p in ("BA", "CA", "DB")],
        )
        tx.upsert_rels(
            "HAS_PHENOTYPE",
            [
                RelRow(NodeRef("Disease", 1), NodeRef("Phenotype", "HP:D"), {"frequency": "Obligate (100%)"}),
                RelRow(NodeRef("Disease", 2), NodeRef("Phenotype", "HP:B"), {"frequency": "Frequent (79-30%)"}),
                RelRow(NodeRef("Disease", 3), NodeRef("Phenotype", "HP:C"), {"frequency": "Obligate (100%)"}),
            ],
        )
    return store


def test_information_content_by_hand(store: GraphStore) -> None:
    m = annotation_matrix(toy(store))
    ic = {t: float(m.ic[m.terms[f"HP:{t}"]]) for t in "ABCD"}
    assert ic["A"] == 0.0
    assert ic["B"] == pytest.approx(math.log(3 / 2), abs=1e-6)
    assert ic["C"] == pytest.approx(math.log(3), abs=1e-6) and ic["D"] == pytest.approx(math.log(3), abs=1e-6)


def test_rankings_by_hand(store: GraphStore) -> None:
    m = annotation_matrix(toy(store))
    # {D}, the log likelihood ratio ln w + IC of the best ancestor the disease carries: 1 carries D itself
    # (ln 1 + ln 3); 3 only the root (0); 2 carries B at 0.545 (ln 0.545 + ln 3/2 = ln 0.8175 < 0: a
    # patient with 2 shows D less often than one with a random disease, 0.545 x 1/2 against 1/3)
    ranked = m.rank(["HP:D"])
    assert [c for c, _ in ranked] == [1, 3, 2]
    assert [s for _, s in ranked] == pytest.approx([math.log(3), 0.0, math.log(0.545 * 1.5)], abs=1e-6)
    # {B, C}, summed: 3 gets 0 (root for B) + ln 3 (C); 1 gets ln 3/2 (B) + 0 (root for C); 2 gets
    # ln(0.545 x 3/2) for B and ln 0.545 (the root at 0.545) for C
    ranked = m.rank(["HP:B", "HP:C"])
    assert [c for c, _ in ranked] == [3, 1, 2]
    assert [s for _, s in ranked] == pytest.approx(
        [math.log(3), math.log(1.5), math.log(0.545 * 1.5) + math.log(0.545)], abs=1e-6
    )
    assert m.rank(["HP:unknown"]) == []  # a term nothing reaches says nothing
    assert [c for c, _ in m.rank(["HP:D"], top=1)] == [1]


def test_an_unexplained_finding_has_a_floor(store: GraphStore) -> None:
    m = annotation_matrix(toy(store))
    # with epsilon 0.5 the floor for D is ln 0.5 + ln 3 = ln 1.5: it lifts 3 (0) and 2 (ln 0.8175) to a
    # tie, broken by ORPHAcode; 1 explains D (ln 3) and stays above
    ranked = m.rank(["HP:D"], epsilon=0.5)
    assert [c for c, _ in ranked] == [1, 2, 3]
    assert [s for _, s in ranked] == pytest.approx([math.log(3), math.log(1.5), math.log(1.5)], abs=1e-6)


def test_every_case_of_a_release_is_ranked_from_its_observed_features(store: GraphStore) -> None:
    """Two cases of release t1 on the toy: case x observed D (and excluded C, which is not used), case y
    observed B and C; a case of another release is left alone. The rankings are those worked out above."""
    from mmrare.scoring.baseline_run import rank_cases

    toy(store)
    item = {"track": "phenopacket", "release": "t1"}
    with store.transaction() as tx:
        tx.upsert_nodes("BenchmarkRelease", [{"releaseId": "phenopacket-store@t1", "benchmark": "phenopacket-store",
                                              "version": "t1"}])  # fmt: skip
        tx.upsert_nodes("Item", [{"itemId": "phenopacket:x", **item}, {"itemId": "phenopacket:y", **item},
                                 {"itemId": "phenopacket:z", "track": "phenopacket", "release": "t0"}])  # fmt: skip
        tx.upsert_nodes("Case", [{"caseId": c} for c in "xyz"])
        tx.upsert_rels("ABOUT", [RelRow(NodeRef("Item", f"phenopacket:{c}"), NodeRef("Case", c)) for c in "xyz"])
        features = [("x", "D", False), ("x", "C", True), ("y", "B", False), ("y", "C", False), ("z", "D", False)]
        tx.upsert_rels(
            "HAS_FEATURE",
            [RelRow(NodeRef("Case", c), NodeRef("Phenotype", f"HP:{t}"), {"excluded": e}) for c, t, e in features],
        )
    release, ranked = rank_cases(store, "t1")
    assert release == "t1" and set(ranked) == {"phenopacket:x", "phenopacket:y"}
    assert [(c.term, c.rank) for c in ranked["phenopacket:x"]] == [("ORPHA:1", 1), ("ORPHA:3", 2), ("ORPHA:2", 3)]
    assert [c.term for c in ranked["phenopacket:y"]] == ["ORPHA:3", "ORPHA:1", "ORPHA:2"]
    assert ranked["phenopacket:y"][0].score == pytest.approx(math.log(3), abs=1e-6)
