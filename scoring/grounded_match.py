"""Ontology-grounded matching of a ranked differential, beside the reference's string rule.

Each candidate is aligned to an ORPHAcode the way answers are (core.matching: exact name or synonym,
then the domain normalisation, then the guarded fuzzy match), and related to the answer's code
through the SUBCLASS_OF closure:
- `answer`: the answer's own code (the grounded hit);
- `subtype`: a descendant of the answer ("vascular EDS" for "Ehlers-Danlos syndrome");
- `parent`: an ancestor of the answer (a group the answer belongs to);
- `other`: another disease, `unaligned`: no single disease (unknown or ambiguous name).
Subtypes and parents are credited apart and never mixed into the reference numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mmrare.core.matching import NameIndex, align_by_name
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore
from mmrare.scoring.ranked_differential import RECALL_KS, ranked_metrics

RELATIONS = ("answer", "subtype", "parent", "other", "unaligned")


@dataclass(frozen=True)
class GroundedCandidate:
    text: str
    code: int | None
    method: str  # the alignment method (name-exact, name-normalised, name-fuzzy, ambiguous, unresolved)
    relation: str  # one of RELATIONS


@dataclass
class OntologyMatcher:
    """Aligns candidate names to Orphanet and relates them to an answer; both cached per text/code."""

    store: GraphStore
    index: NameIndex = field(init=False)
    _aligned: dict[str, tuple[int | None, str]] = field(default_factory=dict, init=False)
    _ancestors: dict[int, frozenset[int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.index = NameIndex.from_store(self.store)

    def align(self, text: str) -> tuple[int | None, str]:
        if text not in self._aligned:
            found = align_by_name([text], self.index)
            self._aligned[text] = (found.codes[0] if len(found.codes) == 1 else None, found.method)
        return self._aligned[text]

    def ancestors(self, code: int) -> frozenset[int]:
        if code not in self._ancestors:
            ref = NodeRef("Disease", code)
            reached = self.store.closure_each([ref], "SUBCLASS_OF", Direction.OUT).get(ref, frozenset())
            self._ancestors[code] = frozenset(int(r.key) for r in reached)
        return self._ancestors[code]

    def relation(self, code: int | None, answers: frozenset[int]) -> str:
        if code is None:
            return "unaligned"
        if code in answers:
            return "answer"
        if answers & self.ancestors(code):
            return "subtype"
        if any(code in self.ancestors(a) for a in answers):
            return "parent"
        return "other"

    def ground(self, ranked: Sequence[str], answers: frozenset[int]) -> list[GroundedCandidate]:
        out = []
        for text in ranked:
            code, method = self.align(text)
            out.append(GroundedCandidate(text, code, method, self.relation(code, answers)))
        return out


def first_rank(grounded: Sequence[GroundedCandidate], relations: frozenset[str]) -> int | None:
    return next((rank for rank, c in enumerate(grounded, start=1) if c.relation in relations), None)


def grounded_metrics(rows: Sequence[Sequence[GroundedCandidate]]) -> dict[str, float]:
    """Grounded recall@k and MRR (the answer's code only), and apart: recall@k counting a subtype or
    parent of the answer too, and how many candidates aligned at all."""
    n = len(rows)
    exact = [first_rank(r, frozenset({"answer"})) for r in rows]
    related = [first_rank(r, frozenset({"answer", "subtype", "parent"})) for r in rows]
    candidates = [c for r in rows for c in r]
    # the same recall@k and MRR as the string rule's, over these ranks (none at all: zeros)
    by_code = ranked_metrics(exact, [False] * n) if n else {}
    by_relation = ranked_metrics(related, [False] * n) if n else {}
    values: dict[str, float] = {"n_total": n}
    for k in RECALL_KS:
        values[f"grounded_recall@{k}"] = by_code.get(f"recall@{k}", 0.0)
    values["grounded_MRR"] = by_code.get("MRR", 0.0)
    for k in RECALL_KS:
        values[f"related_recall@{k}"] = by_relation.get(f"recall@{k}", 0.0)
    values["aligned_candidate_rate"] = (
        sum(c.relation != "unaligned" for c in candidates) / len(candidates) if candidates else 0.0
    )
    return values
