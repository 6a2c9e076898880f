"""The phenotype baseline (scoring/phenotype_baseline.py) on a hand-built toy graph, both stores.

HPO: A is the root; B and C are A's children; D is B's child. Diseases: 1 has D (Obligate), 2 has B
(Frequent, weight 0.545), 3 has C (Obligate). Propagated: 1 carries D, B, A; 2 carries B, A; 3 carries
C, A. IC: A is carried by all three (ln 1 = 0), B by two (ln 3/2 = 0.405465), C and D by one (ln 3 =
1.098612).
"""

from __future__ import annotations

import math

import pytest

from graph.model import NodeRef
from graph.store import GraphStore, RelRow
from scoring.phenotype_baseline import annotation_matrix


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
    # {D}: disease 1 shares D itself (ln 3); 2 shares B at weight 0.545 (0.545 ln 3/2); 3 only the root
    ranked = m.rank(["HP:D"])
    assert [c for c, _ in ranked] == [1, 2, 3]
    assert [s for _, s in ranked] == pytest.approx([math.log(3), 0.545 * math.log(1.5), 0.0], abs=1e-6)
    # {B, C}, the mean of two best matches: 3 gets (0 + ln 3) / 2; 1 gets (ln 3/2 + 0) / 2; 2 (0.545 ln 3/2) / 2
    ranked = m.rank(["HP:B", "HP:C"])
    assert [c for c, _ in ranked] == [3, 1, 2]
    assert [s for _, s in ranked] == pytest.approx(
        [math.log(3) / 2, math.log(1.5) / 2, 0.545 * math.log(1.5) / 2], abs=1e-6
    )
    assert m.rank(["HP:unknown"]) == []  # a term nothing reaches says nothing
    assert [c for c, _ in m.rank(["HP:D"], top=1)] == [1]
