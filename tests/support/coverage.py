"""A hand-built graph for the coverage map: the disorders, groups and benchmark items its figures are worked out on."""

from __future__ import annotations

from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow


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
