"""MRareBench T1 benchmark: a paper-scale generated release (1,756 rows, two models, near-name
distractors) scored by the reference's string rule alone, then with ontology-grounded matching; the
times, their ratio, and how often the two rules disagree (and what the string rule's hit was). Then
the same release and files through the graph (imported as MRareBench, each file a run): the import
time, and scoring the runs from the graph against scoring the files, with equal numbers checked.

    python -m bench.mrarebench [--items 1756] [--seed 7]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from bench.common import orphanet_store, timed
from mmrare.core.blobs import FolderBlobStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench import read_predictions, read_release, split_file_name
from mmrare.importers.mrarebench_generator import generate_mrarebench
from mmrare.importers.predictions import import_prediction_files
from mmrare.scoring.condition_runs import differential_runs
from mmrare.scoring.differential_eval import evaluate
from mmrare.scoring.grounded_match import OntologyMatcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1756)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    models = ("Model-A", "Model-B")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        release = read_release(generate_mrarebench(store, out, args.items, models, args.seed))
        files_ = [out / f"{m}_MRareBench_Diagnosis.tsv" for m in models]
        rows = {f: read_predictions(f, release) for f in files_}
        plain, _ = timed(lambda: [evaluate(*split_file_name(f), rows[f]) for f in files_])
        index_seconds, matcher = timed(lambda: OntologyMatcher(store))
        grounded, reports = timed(lambda: [evaluate(*split_file_name(f), rows[f], matcher) for f in files_])
        imported, _ = timed(lambda: import_release(out, store, FolderBlobStore(out / "blobs"), benchmark="MRareBench"))
        runs_seconds, _ = timed(lambda: import_prediction_files(files_, store))
        fresh = OntologyMatcher(store)  # its own alignment cache, so neither path scores with the other's
        from_graph, graph_reports = timed(
            lambda: [evaluate(r.model, r.dataset, r.predictions, fresh) for r in differential_runs(store, [])]
        )
    print(f"{args.items} rows x {len(models)} models; Orphanet from {orphanet.name}")
    print(
        f"string rule only: {plain:.3f} s; name index {index_seconds:.3f} s; with grounding {grounded:.3f} s "
        f"({grounded / plain:.1f}x the string rule alone)"
    )
    print(
        f"through the graph: release import {imported:.3f} s, {len(files_)} prediction files {runs_seconds:.3f} s; "
        f"scoring the runs from the graph {from_graph:.3f} s vs the files {grounded:.3f} s "
        f"({from_graph / grounded:.2f}x)"
    )
    by_model = {r.model: r for r in graph_reports}
    for r in reports:  # the graph's runs give the files' numbers
        assert by_model[r.model].reference == r.reference and by_model[r.model].grounded == r.grounded
    for r in reports:
        assert r.grounded is not None
        said = Counter(d.reference_candidate_relation or "no string hit" for d in r.disagreements)
        print(
            f"{r.model}: recall@1 {r.reference['recall@1']:.4f} (string) vs {r.grounded['grounded_recall@1']:.4f} "
            f"(ORPHAcode); recall@10 {r.reference['recall@10']:.4f} vs {r.grounded['grounded_recall@10']:.4f}; "
            f"{len(r.disagreements)} rows disagree; the string rule's hit there was: {dict(said)}"
        )


if __name__ == "__main__":
    main()
