"""The coverage map (scoring/coverage.py) on a hand-built graph, both stores.

Orphanet: head 10 holds group 20, whose disorders are 1, 2 and 3; 4 is a subtype of 1; head 11 holds
disorder 5. MMRareBench: diagnosis:1 answers 1 (case c1, PMC1), diagnosis:2 answers the subtype 4 (case
c2, PMC2): together they cover disorder 1 only. phenopacket-store r1: phenopacket:1 answers 2
(publication PMID:9), phenopacket:2 answers 1 (publication PMC1, shared with MMRareBench's first item).
"""

from __future__ import annotations

import pytest

from graph.model import NodeRef
from graph.store import GraphStore, RelRow
from scoring.coverage import CoverageRow, coverage


def hand_built(store: GraphStore) -> GraphStore:
    disorder = "Disorder"
    diseases = [
        {"orphaCode": 10, "name": "Head ten", "group": "Category"},
        {"orphaCode": 11, "name": "Head eleven", "group": "Category"},
        {"orphaCode": 20, "name": "Group twenty", "group": "Group of disorders", "heads": [10]},
        *(
            {"orphaCode": c, "name": f"d{c}", "group": disorder, "heads": [10], "prevalenceClass": "Unknown"}
            for c in (1, 2, 3)
        ),
        {"orphaCode": 4, "name": "d4", "group": "Subtype of disorder", "heads": [10]},
        {"orphaCode": 5, "name": "d5", "group": disorder, "heads": [11]},
    ]
    parents = [(20, 10), (1, 20), (2, 20), (3, 20), (4, 1), (5, 11)]
    items = [
        {"itemId": "diagnosis:1", "track": "diagnosis", "index": 1, "pmcid": "PMC1"},
        {"itemId": "diagnosis:2", "track": "diagnosis", "index": 2, "pmcid": "PMC2"},
        {"itemId": "phenopacket:1", "track": "phenopacket", "index": 1, "release": "r1", "cluster": "PMID:9"},
        {"itemId": "phenopacket:2", "track": "phenopacket", "index": 2, "release": "r1", "cluster": "PMC1"},
    ]
    answers = {"diagnosis:1": 1, "diagnosis:2": 4, "phenopacket:1": 2, "phenopacket:2": 1}
    cases = {"diagnosis:1": "c1", "diagnosis:2": "c2", "phenopacket:1": "p1", "phenopacket:2": "p2"}
    with store.transaction() as tx:
        tx.upsert_nodes("Disease", diseases)
        tx.upsert_rels("SUBCLASS_OF", [RelRow(NodeRef("Disease", c), NodeRef("Disease", p)) for c, p in parents])
        tx.upsert_nodes("Item", items)
        tx.upsert_nodes("Case", [{"caseId": c} for c in cases.values()])
        tx.upsert_rels("ANSWER_IS", [RelRow(NodeRef("Item", i), NodeRef("Disease", c)) for i, c in answers.items()])
        tx.upsert_rels("ABOUT", [RelRow(NodeRef("Item", i), NodeRef("Case", c)) for i, c in cases.items()])
    return store


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
