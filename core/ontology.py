"""Orphanet-aware queries composed from the store protocol: heads, ancestors and descendants by code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mmrare.core.orphanet import RARE_DISORDERS
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import MAX_HOPS, GraphStore, Where


def disease(code: int) -> NodeRef:
    return NodeRef("Disease", code)


def head_codes(store: GraphStore) -> set[int]:
    """Heads: the children of ORPHA:320716, and parentless Category roots other than it."""
    heads = {n.node.key for n in store.neighbours([disease(RARE_DISORDERS)], "SUBCLASS_OF", Direction.IN)}
    roots = {n.ref.key for n in store.select("Disease", [Where("group", "eq", "Category")])}
    root_refs = [disease(int(c)) for c in roots]
    with_parents = {n.start.key for n in store.neighbours(root_refs, "SUBCLASS_OF", Direction.OUT)}
    return {int(c) for c in heads | (roots - with_parents - {RARE_DISORDERS})}


def heads_of(store: GraphStore, nodes: Iterable[NodeRef]) -> dict[int, list[int]]:
    """The heads each disease descends from (itself included when it is a head), sorted. The parent
    links are read in one question and walked here, each disease's answer built from its parents'
    (the classification is a DAG); should a cycle appear, the store's own closure answers instead."""
    refs = list(nodes)
    heads = head_codes(store)
    parents: dict[int, list[int]] = {int(r.key): [] for r in refs}
    for n in store.neighbours(refs, "SUBCLASS_OF", Direction.OUT):
        parents[int(n.start.key)].append(int(n.node.key))
    above: dict[int, frozenset[int]] = {}
    for start in parents:
        stack, entered = [start], set()
        while stack:  # depth first without recursion: a disease is done once all its parents are
            code = stack[-1]
            if code in above:
                stack.pop()
                continue
            pending = [p for p in parents.get(code, []) if p not in above]
            if pending and code in entered:
                return _heads_by_closure(store, refs, heads)  # a parent still open: a cycle
            if pending:
                entered.add(code)
                stack += pending
                continue
            above[code] = (frozenset({code}) & heads).union(*(above[p] for p in parents.get(code, [])))
            stack.pop()
    return {int(r.key): sorted(above[int(r.key)]) for r in refs}


def _heads_by_closure(store: GraphStore, refs: list[NodeRef], heads: set[int]) -> dict[int, list[int]]:
    closure = store.closure_each(refs, "SUBCLASS_OF", Direction.OUT, include_self=True)
    return {int(ref.key): sorted(int(a.key) for a in reached if a.key in heads) for ref, reached in closure.items()}


def refresh_heads(store: GraphStore) -> int:
    """Recompute the `heads` property of every disease; writes only the ones that changed."""
    nodes = store.select("Disease")
    current = {n.ref.key: n.props.get("heads", []) for n in nodes}
    fresh = heads_of(store, [n.ref for n in nodes])
    changed = [{"orphaCode": c, "heads": h} for c, h in fresh.items() if h != current.get(c)]
    if changed:
        store.upsert_nodes("Disease", changed)
    return len(changed)


FREQUENCY_ORDER = (
    "Obligate (100%)",
    "Very frequent (99-80%)",
    "Frequent (79-30%)",
    "Occasional (29-5%)",
    "Very rare (<4-1%)",
    "Excluded (0%)",
)


@dataclass(frozen=True)
class DiseaseProfile:
    code: int
    props: dict[str, Any]
    head_paths: list[list[tuple[int, str]]]  # each path from the disease up to a head: (code, name)
    prevalences: list[dict[str, Any]]
    phenotypes: list[tuple[str, str, str | None]]  # (hpoId, name, frequency), most frequent first
    genes: list[tuple[str, str | None, str | None]]  # (symbol, name, association type)


def disease_profile(store: GraphStore, code: int, max_hops: int = MAX_HOPS) -> DiseaseProfile | None:
    """Everything `mmrare orphanet show` prints about one disease."""
    node = store.get(disease(code))
    if node is None:
        return None
    heads = [disease(h) for h in node.props.get("heads", [])]
    paths = store.shortest_paths([disease(code)], heads, ["SUBCLASS_OF"], max_hops, Direction.OUT)
    on_paths = {ref.key for p in paths for ref in p.nodes}
    names = {k: v.get("name", "") for k, v in store.get_many("Disease", on_paths).items()}
    head_paths = [[(int(ref.key), str(names.get(ref.key, ""))) for ref in p.nodes] for p in paths]
    prevalence_refs = store.neighbours([disease(code)], "HAS_PREVALENCE")
    prevalences = store.get_many("Prevalence", [n.node.key for n in prevalence_refs])
    phenotype_rels = store.neighbours([disease(code)], "HAS_PHENOTYPE")
    phenotype_names = store.get_many("Phenotype", [n.node.key for n in phenotype_rels])

    def rank(freq: str | None) -> int:
        return FREQUENCY_ORDER.index(freq) if freq in FREQUENCY_ORDER else len(FREQUENCY_ORDER)

    phenotypes = sorted(
        (
            (str(n.node.key), str(phenotype_names.get(n.node.key, {}).get("name", "")), n.rel_props.get("frequency"))
            for n in phenotype_rels
        ),
        key=lambda t: (rank(t[2]), t[0]),
    )
    gene_rels = store.neighbours([disease(code)], "ASSOCIATED_GENE")
    gene_props = store.get_many("Gene", [n.node.key for n in gene_rels])
    genes = [(str(n.node.key), gene_props.get(n.node.key, {}).get("name"), n.rel_props.get("type")) for n in gene_rels]
    return DiseaseProfile(
        code=code,
        props=node.props,
        head_paths=head_paths,
        prevalences=sorted(prevalences.values(), key=lambda p: p.get("index", 0)),
        phenotypes=phenotypes,
        genes=genes,
    )
