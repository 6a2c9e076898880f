"""The MRareBench T1 path on each store: a generated release with near-name distractors, scored by the
reference's string rule and by ORPHAcode. The generator records where it put the answer's own name;
the ontology must find it exactly there, and the string rule never later (a near-name may hit first)."""

from __future__ import annotations

import json
from pathlib import Path

from mmrare.graph.store import GraphStore
from mmrare.importers.mrarebench import read_predictions, read_release
from mmrare.importers.mrarebench_generator import generate_mrarebench
from mmrare.scoring.differential_eval import evaluate
from mmrare.scoring.grounded_match import OntologyMatcher
from tests.conftest import with_orphanet


def test_generated_rows_score_where_the_answer_was_placed(store: GraphStore, tmp_path: Path) -> None:
    with_orphanet(store)
    release = generate_mrarebench(store, tmp_path, items=40, models=("Gen.Model-1",), seed=11)
    placed = json.loads((tmp_path / "ranked_manifest.json").read_text())["Gen.Model-1"]["MRareBench_Diagnosis"]
    rows = read_predictions(tmp_path / "Gen.Model-1_MRareBench_Diagnosis.tsv", read_release(release))
    report = evaluate("Gen.Model-1", "MRareBench_Diagnosis", rows, OntologyMatcher(store))
    assert report.reference["n_total"] == 40 and report.grounded is not None
    # the grounded hits are exactly the rows where the answer was placed
    grounded_hits = sum(1 for r in placed.values() if r is not None)
    assert report.grounded["grounded_recall@10"] * 40 == grounded_hits
    ranked = {d.index: d for d in report.disagreements}
    for index, rank in placed.items():
        d = ranked.get(index)
        if d is None:  # both rules agree: the string rule's first hit is the placed rank
            continue
        assert d.grounded_rank == rank
        assert rank is None or (d.reference_rank is not None and d.reference_rank < rank)
        assert d.reference_candidate_relation in ("subtype", "parent", "other")  # a near-name, not the answer
    # the string rule is fooled at least once by a near-name in this seed; and never misses a placed name
    assert ranked and report.reference["n_hit"] >= grounded_hits
