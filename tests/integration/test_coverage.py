"""The coverage map (scoring/coverage.py) on a hand-built graph, both stores.

Orphanet: head 10 holds group 20, whose disorders are 1, 2 and 3; 4 is a subtype of 1; head 11 holds
disorder 5. MMRareBench: diagnosis:1 answers 1 (case c1, PMC1), diagnosis:2 answers the subtype 4 (case
c2, PMC2): together they cover disorder 1 only. phenopacket-store r1: phenopacket:1 answers 2
(publication PMID:9), phenopacket:2 answers 1 (publication PMC1, shared with MMRareBench's first item).
"""

from __future__ import annotations

import pytest

from mmrare.graph.store import GraphStore
from mmrare.scoring.coverage import CoverageRow, coverage
from tests.support.coverage import hand_built


def test_coverage_by_head_by_hand(store: GraphStore) -> None:
    found = coverage(hand_built(store), "head")
    assert found.rows == [
        CoverageRow("MMRareBench", "Head ten", items=2, cases=2, publications=2, diseases=1, disorders=3),
        CoverageRow("phenopacket-store r1", "Head ten", items=2, cases=2, publications=2, diseases=2, disorders=3),
    ]
    # disorder 3 under head ten and 5 under head eleven: no benchmark has them
    assert found.uncovered == {"Head eleven": 1, "Head ten": 1}
    assert found.shared == [("MMRareBench", "phenopacket-store r1", 1, 1, 0)]


def test_coverage_by_prevalence_counts_each_disorder_once(store: GraphStore) -> None:
    found = coverage(hand_built(store), "prevalence")
    by = {(r.benchmark, r.group): (r.items, r.diseases, r.disorders) for r in found.rows}
    assert by == {("MMRareBench", "Unknown"): (2, 1, 3), ("phenopacket-store r1", "Unknown"): (2, 2, 3)}
    assert found.uncovered == {"Unknown": 1, "no group": 1}


def test_coverage_under_a_class_by_its_children(store: GraphStore) -> None:
    hand_built(store)
    # head ten's one child is group twenty: disorders 1, 2, 3 (4 is a subtype of 1, not a disorder)
    found = coverage(store, "class", 10)
    assert found.under == 10
    assert found.rows == [
        CoverageRow("MMRareBench", "Group twenty", items=2, cases=2, publications=2, diseases=1, disorders=3),
        CoverageRow("phenopacket-store r1", "Group twenty", items=2, cases=2, publications=2, diseases=2, disorders=3),
    ]
    assert found.uncovered == {"Group twenty": 1}
    # head eleven's one child is disorder 5 itself, which no item answers: items outside the class are left out
    eleven = coverage(store, "class", 11)
    assert eleven.rows == [] and eleven.uncovered == {"d5": 1}


def test_coverage_by_class_needs_a_class_in_the_graph(store: GraphStore) -> None:
    hand_built(store)
    for by, under, message in (
        ("class", None, "goes with coverage by class"),
        ("head", 10, "goes with coverage by class"),
        ("class", 999, "ORPHA:999 is not in the graph"),
    ):
        with pytest.raises(ValueError, match=message):
            coverage(store, by, under)
