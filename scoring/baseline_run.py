"""The phenotype baseline over every case of a phenopacket-store release (scoring/phenotype_baseline.py)."""

from __future__ import annotations

from mmrare.core.phenopacket_releases import release_items
from mmrare.core.progress import Progress, no_progress
from mmrare.graph.store import GraphStore
from mmrare.scoring.phenotype_baseline import annotation_matrix
from mmrare.scoring.study_table import Candidate


def rank_cases(
    store: GraphStore, release: str | None, progress: Progress = no_progress
) -> tuple[str, dict[str, list[Candidate]]]:
    """(release, item id -> its ten best ORPHAcodes as ranked candidates)."""
    release, items = release_items(store, release)
    progress("reading annotations", 0, 1)
    matrix = annotation_matrix(store)
    if not matrix.codes:
        raise ValueError("no disease has HPO annotations: import Orphanet with its phenotypes (ORPHApackets)")
    wanted = set(items)
    case_of = {str(item): str(case) for item, case in store.pairs("ABOUT") if str(item) in wanted}
    observed: dict[str, list[str]] = {}
    for case, term, excluded in store.pairs_with("HAS_FEATURE", "excluded"):
        if not excluded:  # excluded features are not used (see scoring/phenotype_baseline.py)
            observed.setdefault(str(case), []).append(str(term))
    out: dict[str, list[Candidate]] = {}
    for done, item_id in enumerate(items):
        if done % 250 == 0:
            progress("ranking cases", done, len(items))
        ranked = matrix.rank(sorted(observed.get(case_of.get(item_id, ""), [])))
        out[item_id] = [
            Candidate(f"ORPHA:{code}", score, rank, False) for rank, (code, score) in enumerate(ranked, start=1)
        ]
    progress("ranking cases", len(items), len(items))
    return release, out
