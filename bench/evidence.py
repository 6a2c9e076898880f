"""MRareBench T2 benchmark: a paper-scale generated evidence-verification release (608 rows, two models,
the three input conditions) scored by the reference's deterministic metrics from the files, then the
same release and files through the graph (imported as MRareBench, each file a run): the import time,
scoring the runs from the graph against scoring the files (equal numbers checked), and the condition
comparisons (gold - NoDx, gold - TO) from the graph.

    python -m bench.evidence [--items 608] [--seed 7]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import orphanet_store, timed
from mmrare.core.blobs import FolderBlobStore
from mmrare.core.mrarebench import EVIDENCE_CONDITIONS
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench import read_evidence_predictions, read_evidence_release, split_file_name
from mmrare.importers.mrarebench_generator import generate_evidence
from mmrare.importers.predictions import import_prediction_files
from mmrare.scoring.condition_runs import evidence_runs, graph_contrasts
from mmrare.scoring.conditions import ALL
from mmrare.scoring.evidence_verification import evaluate_evidence


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=608)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    store, orphanet = orphanet_store()
    models = ("Model-A", "Model-B")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        conditions = tuple(EVIDENCE_CONDITIONS)
        release = read_evidence_release(generate_evidence(store, out, args.items, models, args.seed, conditions))
        paths = [out / f"{m}_{c}.tsv" for m in models for c in conditions]
        rows = {p: read_evidence_predictions(p, release) for p in paths}
        from_files, reports = timed(lambda: [evaluate_evidence(*split_file_name(p), rows[p]) for p in paths])
        imported, _ = timed(lambda: import_release(out, store, FolderBlobStore(out / "blobs"), benchmark="MRareBench"))
        runs_seconds, _ = timed(lambda: import_prediction_files(paths, store))
        from_graph, graph_reports = timed(
            lambda: [evaluate_evidence(r.model, r.dataset, r.predictions) for r in evidence_runs(store, [])]
        )
        contrast_seconds, contrasts = timed(lambda: graph_contrasts(store, [], "det_required_recall@0.5", "none"))
    n_rows = args.items * len(paths)
    print(f"{args.items} rows x {len(models)} models x {len(conditions)} conditions; Orphanet from {orphanet.name}")
    print(
        f"deterministic metrics from the files: {from_files:.3f} s ({1000 * from_files / n_rows:.2f} ms a row, "
        f"TF-IDF fitted per group of texts as the reference does)"
    )
    print(
        f"through the graph: release import {imported:.3f} s, {len(paths)} prediction files {runs_seconds:.3f} s; "
        f"scoring the runs from the graph {from_graph:.3f} s vs the files {from_files:.3f} s "
        f"({from_graph / from_files:.2f}x); the comparisons {contrast_seconds:.3f} s"
    )
    by_run = {(r.model, r.dataset): r.reference for r in graph_reports}
    for r in reports:  # the graph's runs give the files' numbers
        assert by_run[(r.model, r.dataset)] == r.reference, (r.model, r.dataset)
    for r in reports:
        v = r.reference
        print(
            f"{r.model} {r.dataset}: required recall@0.5 {v['det_required_recall@0.5']:.4f}, @0.3 "
            f"{v['det_required_recall@0.3']:.4f}; hierarchical {v['det_hierarchical_required_recall']:.4f}; "
            f"groundedness {v['det_mean_sent_groundedness']:.4f}; image coverage {v['det_image_coverage']:.4f}"
        )
    for c in contrasts:
        if c.stratum == ALL:
            p = c.comparison
            print(f"{c.model} {c.measures}: {p.difference:+.4f} [{p.ci_low:+.4f}, {p.ci_high:+.4f}] over {p.n} items")


if __name__ == "__main__":
    main()
