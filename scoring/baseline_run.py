"""The phenotype baseline over every case of a phenopacket-store release (scoring/phenotype_baseline.py)."""

from __future__ import annotations

from core.phenopackets import TRACK
from core.progress import Progress, no_progress
from graph.model import NodeRef
from graph.store import GraphStore, Where
from importers.pheval_results import label_index
from scoring.phenotype_baseline import annotation_matrix
from scoring.study_table import Candidate


def rank_cases(
    store: GraphStore, release: str | None, progress: Progress = no_progress
) -> tuple[str, dict[str, list[Candidate]]]:
    """(release, item id -> its ten best ORPHAcodes as ranked candidates)."""
    release, _ = label_index(store, release)
    items = store.select("Item", [Where("track", "eq", TRACK), Where("release", "eq", release)])
    progress("reading annotations", 0, 1)
    matrix = annotation_matrix(store)
    if not matrix.codes:
        raise ValueError("no disease has HPO annotations: import Orphanet with its phenotypes (ORPHApackets)")
    case_of = {str(n.start.key): n.node for n in store.neighbours([n.ref for n in items], "ABOUT")}
    features: dict[NodeRef, tuple[list[str], list[str]]] = {}
    for edge in store.neighbours(list(case_of.values()), "HAS_FEATURE"):
        observed, excluded = features.setdefault(edge.start, ([], []))
        (excluded if edge.rel_props.get("excluded") else observed).append(str(edge.node.key))
    out: dict[str, list[Candidate]] = {}
    for done, node in enumerate(items):
        if done % 250 == 0:
            progress("ranking cases", done, len(items))
        observed, excluded = features.get(case_of.get(str(node.ref.key), NodeRef("Case", "")), ([], []))
        ranked = matrix.rank(sorted(observed))  # excluded features are not used (see the module)
        out[str(node.ref.key)] = [
            Candidate(f"ORPHA:{code}", score, rank, False) for rank, (code, score) in enumerate(ranked, start=1)
        ]
    progress("ranking cases", len(items), len(items))
    return release, out
