"""Everything the leakage rules look at, gathered from the store in a few batched calls.

Graph walks (subtype closure and paths, parents and their sizes, gene and phenotype carriers,
cases) go through the store protocol, so Neo4j answers them in Cypher and the embedded store in
networkx; the rules then work on these facts alone and can be tested without a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from mmrare.audit.model import AuditConfig
from mmrare.core.orphanet import frequency_weight
from mmrare.core.tracks import TRACK_BY_NAME, names_disease
from mmrare.graph.model import Direction, Neighbour, NodeRef
from mmrare.graph.records import ItemRecord, as_item
from mmrare.graph.store import GraphStore, Where


def item_ref(item_id: str) -> NodeRef:
    return NodeRef("Item", item_id)


def disease_ref(code: int) -> NodeRef:
    return NodeRef("Disease", code)


@dataclass
class AuditFacts:
    items: dict[str, ItemRecord]  # item id -> properties
    mentions: dict[str, list[Neighbour]] = field(default_factory=dict)  # question-side MENTIONS only
    answers: dict[str, list[int]] = field(default_factory=dict)  # item id -> aligned ORPHA codes
    diseases: dict[int, dict[str, Any]] = field(default_factory=dict)  # the answer diseases
    shows: dict[str, list[Neighbour]] = field(default_factory=dict)  # item id -> SHOWS links
    images: dict[str, dict[str, Any]] = field(default_factory=dict)  # sha256 -> Image properties
    # (mentioned, answer) -> the SUBCLASS_OF path, when the mentioned disease is a subtype within reach
    subtype_paths: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    parents: dict[int, set[int]] = field(default_factory=dict)  # answer -> its direct parents
    members: dict[int, int] = field(default_factory=dict)  # parent -> number of direct children
    gene_diseases: dict[NodeRef, set[int]] = field(default_factory=dict)  # mentioned gene -> its diseases
    # mentioned phenotype -> the diseases annotated with it and the weight of each annotation
    phenotype_diseases: dict[NodeRef, dict[int, float]] = field(default_factory=dict)
    n_diseases: int = 0  # diseases in the graph: what information content is measured against
    cases: dict[str, list[str]] = field(default_factory=dict)  # case id -> item ids

    def diagnosis_answers(self) -> dict[str, list[int]]:
        return {i: self.answers[i] for i, p in self.items.items() if names_disease(p) and self.answers.get(i)}


def gather(store: GraphStore, config: AuditConfig, tracks: Iterable[str] = ()) -> AuditFacts:
    wanted = list(tracks)
    chosen = store.select("Item", [Where("track", "in", wanted)] if wanted else [])
    items = {str(n.ref.key): as_item(n.props) for n in chosen}
    facts = AuditFacts(items)
    if not items:
        return facts
    refs = [item_ref(i) for i in items]
    mentions: dict[str, list[Neighbour]] = defaultdict(list)
    for m in store.neighbours(refs, "MENTIONS"):
        item_id = str(m.start.key)
        track = TRACK_BY_NAME[items[item_id]["track"]]
        if m.rel_props.get("field", "") == "context" and not track.question_side_context:
            continue  # the examination question is asked without the context
        mentions[item_id].append(m)
    answers: dict[str, list[int]] = defaultdict(list)
    for a in store.neighbours(refs, "ANSWER_IS"):
        answers[str(a.start.key)].append(int(a.node.key))
    shows: dict[str, list[Neighbour]] = defaultdict(list)
    for s in store.neighbours(refs, "SHOWS"):
        shows[str(s.start.key)].append(s)
    facts.mentions, facts.answers, facts.shows = mentions, answers, shows
    # keys as the labels have them: ORPHA codes are ints, image digests strings
    codes = sorted({c for cs in answers.values() for c in cs})
    facts.diseases = cast(dict[int, dict[str, Any]], store.get_many("Disease", codes))
    digests = sorted({str(s.node.key) for rels in shows.values() for s in rels})
    facts.images = cast(dict[str, dict[str, Any]], store.get_many("Image", digests))
    diagnosis = facts.diagnosis_answers()
    _ontology(store, config, facts, diagnosis)
    genes = sorted({m.node for i in diagnosis for m in mentions[i] if m.node.label == "Gene"})
    for n in store.neighbours(genes, "ASSOCIATED_GENE", Direction.IN):
        facts.gene_diseases.setdefault(n.start, set()).add(int(n.node.key))
    phenotypes = {m.node for i in diagnosis for m in mentions[i] if m.node.label == "Phenotype"}
    for n in store.neighbours(sorted(phenotypes), "HAS_PHENOTYPE", Direction.IN):
        facts.phenotype_diseases.setdefault(n.start, {})[int(n.node.key)] = frequency_weight(
            n.rel_props.get("frequency")
        )
    facts.n_diseases = store.count_nodes("Disease")
    for a in store.neighbours(refs, "ABOUT"):
        facts.cases.setdefault(str(a.node.key), []).append(str(a.start.key))
    return facts


def _ontology(store: GraphStore, config: AuditConfig, facts: AuditFacts, diagnosis: dict[str, list[int]]) -> None:
    answers = sorted({c for cs in diagnosis.values() for c in cs})
    below = store.closure_each([disease_ref(c) for c in answers], "SUBCLASS_OF", Direction.IN)
    for n in store.neighbours([disease_ref(c) for c in answers], "SUBCLASS_OF"):
        facts.parents.setdefault(int(n.start.key), set()).add(int(n.node.key))
    parents = sorted({disease_ref(p) for ps in facts.parents.values() for p in ps})
    for n in store.neighbours(parents, "SUBCLASS_OF", Direction.IN):
        facts.members[int(n.start.key)] = facts.members.get(int(n.start.key), 0) + 1
    for item_id, answer in diagnosis.items():
        for m in facts.mentions.get(item_id, []):
            if m.node.label != "Disease" or int(m.node.key) in answer:
                continue
            mentioned = int(m.node.key)
            for code in answer:
                if (mentioned, code) in facts.subtype_paths or disease_ref(mentioned) not in below.get(
                    disease_ref(code), frozenset()
                ):
                    continue
                ends = [disease_ref(mentioned)], [disease_ref(code)]
                paths = store.shortest_paths(*ends, ["SUBCLASS_OF"], config.max_subtype_depth, Direction.OUT)
                if paths:
                    facts.subtype_paths[(mentioned, code)] = tuple(paths[0].describe())
