"""The node and relationship model of the one graph (docs/design.md).

Every label has exactly one key property. Labels whose natural key is composite (Prevalence,
OntologyRelease, Prediction) carry a derived string key built by `compound_key`, and keep the parts
as ordinary properties, so both stores can treat identity the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class NodeSpec:
    label: str
    key: str
    key_type: type  # int or str


@dataclass(frozen=True)
class RelSpec:
    type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]


NODES: dict[str, NodeSpec] = {
    spec.label: spec
    for spec in (
        NodeSpec("Disease", "orphaCode", int),
        NodeSpec("Prevalence", "prevalenceId", str),
        NodeSpec("Phenotype", "hpoId", str),
        NodeSpec("Gene", "symbol", str),
        NodeSpec("OntologyRelease", "releaseId", str),
        NodeSpec("Case", "caseId", str),
        NodeSpec("Image", "sha256", str),
        NodeSpec("Item", "itemId", str),
        NodeSpec("Model", "name", str),
        NodeSpec("Run", "runId", str),
        NodeSpec("Prediction", "predictionId", str),
        NodeSpec("Judgement", "judgementId", str),
        NodeSpec("LeakageFinding", "findingId", str),
        NodeSpec("Publication", "publicationId", str),
        NodeSpec("BenchmarkRelease", "releaseId", str),
    )
}

RELS: dict[str, RelSpec] = {
    spec.type: spec
    for spec in (
        RelSpec("SUBCLASS_OF", ("Disease",), ("Disease",)),
        RelSpec("HAS_PREVALENCE", ("Disease",), ("Prevalence",)),
        RelSpec("HAS_PHENOTYPE", ("Disease",), ("Phenotype",)),
        RelSpec("IS_A", ("Phenotype",), ("Phenotype",)),
        RelSpec("ASSOCIATED_GENE", ("Disease",), ("Gene",)),
        RelSpec("HAS_IMAGE", ("Case",), ("Image",)),
        RelSpec("ABOUT", ("Item",), ("Case",)),
        RelSpec("SHOWS", ("Item",), ("Image",)),
        RelSpec("ANSWER_IS", ("Item",), ("Disease",)),
        RelSpec("MENTIONS", ("Item",), ("Disease", "Phenotype", "Gene")),
        RelSpec("OF_MODEL", ("Run",), ("Model",)),
        RelSpec("IN_RUN", ("Prediction",), ("Run",)),
        RelSpec("ANSWERS", ("Prediction",), ("Item",)),
        RelSpec("JUDGED", ("Prediction",), ("Judgement",)),
        RelSpec("HAS_FINDING", ("Item",), ("LeakageFinding",)),
        RelSpec("HAS_FEATURE", ("Case",), ("Phenotype",)),
        RelSpec("CITES", ("Case",), ("Publication",)),
    )
}


# What model runs write (an upload, its scoring, a judge): models, runs, predictions, judgements and
# the links between them. Everything else is the benchmark's content (ontology, cases, images, items,
# audit findings), which runs never change; a read that touches only content is still true after any
# number of runs land (GraphStore.generation(CONTENT)).
RESULTS: frozenset[str] = frozenset(
    {"Model", "Run", "Prediction", "Judgement", "OF_MODEL", "IN_RUN", "ANSWERS", "JUDGED"}
)
CONTENT: frozenset[str] = (frozenset(NODES) | frozenset(RELS)) - RESULTS
EVERY_PART = "*"  # a write of every part at once (a clear)


def parts_of_deleting(labels: Iterable[str]) -> set[str]:
    """The parts a delete of nodes of these labels changes: the labels, and every relationship type
    that can end at one of them (a node goes with its relationships)."""
    labels = set(labels)
    return labels | {t for t, spec in RELS.items() if labels & {*spec.sources, *spec.targets}}


class Direction(StrEnum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


Key = int | str
Props = dict[str, Any]


@dataclass(frozen=True, order=True)
class NodeRef:
    label: str
    key: Key

    @property
    def uid(self) -> str:
        """A label-qualified id, unique across the whole graph."""
        return f"{self.label}:{self.key}"

    @staticmethod
    def parse(uid: str) -> NodeRef:
        label, _, raw = uid.partition(":")
        spec = node_spec(label)
        return NodeRef(label, spec.key_type(raw))


@dataclass(frozen=True)
class Node:
    ref: NodeRef
    props: Props


@dataclass(frozen=True)
class Neighbour:
    """One relationship seen from a start node: where it leads and what it carries."""

    start: NodeRef
    rel_type: str
    rid: str
    node: NodeRef
    rel_props: Props


def link_order(n: Neighbour) -> tuple[Any, ...]:
    """The order of links: by start, then end (NodeRef's own order), then rid, as a tuple of plain
    values, which sorts in C rather than through NodeRef's comparison methods."""
    return (n.start.label, n.start.key, n.node.label, n.node.key, n.rid)


@dataclass(frozen=True)
class Path:
    """A path as alternating node refs and relationship types (len(nodes) == len(rels) + 1)."""

    nodes: tuple[NodeRef, ...]
    rels: tuple[str, ...]

    @property
    def length(self) -> int:
        return len(self.rels)

    def describe(self) -> list[str]:
        """Node uids and relationship types interleaved, e.g. ['Item:x', 'MENTIONS', 'Disease:558']."""
        out = [self.nodes[0].uid]
        for rel, node in zip(self.rels, self.nodes[1:], strict=True):
            out += [rel, node.uid]
        return out


def compound_key(*parts: Any) -> str:
    """The derived key of a node whose identity has several parts, e.g. Prevalence (586, 0)."""
    return "|".join(str(p) for p in parts)


def node_spec(label: str) -> NodeSpec:
    try:
        return NODES[label]
    except KeyError:
        raise ValueError(f"unknown node label {label!r}; known: {', '.join(NODES)}") from None


def rel_spec(rel_type: str) -> RelSpec:
    try:
        return RELS[rel_type]
    except KeyError:
        raise ValueError(f"unknown relationship type {rel_type!r}; known: {', '.join(RELS)}") from None
