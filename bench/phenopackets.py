"""phenopacket-store at full size: the 0.1.19 zip (6,668 packets) and GPT-4o's ten result files
(about 233,000 rows) into each store, then the study's table (`report --reference`) and a stratified
report by Orphanet head with publication-clustered bootstrap intervals. Baselines in the same
process: the same packets parsed in one process (the straightforward way) against the import's worker
processes; both imports with Python's cycle collector running (the previous approach) against the
paused collector; and each Neo4j figure against the embedded one.

    python -m bench.phenopackets [--shared ../shared/data] [--neo4j neo4j://127.0.0.1:7687]

Goals (issue 30): import (packets + results) at most 20 s embedded and 60 s on Neo4j; report
--reference at most 1 s; a stratified report with 1,000 resamples at most 2 s. Needs the full files
in ../shared/data.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import open_stores, print_table, timed
from mmrare.graph.embedded import EmbeddedStore
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.phenopackets import _parse_chunk, import_phenopackets, packet_texts
from mmrare.importers.pheval_results import import_study_results
from mmrare.importers.problems import ProblemLog
from mmrare.scoring.report import collect_rows, stratify
from mmrare.scoring.study_table import study_rows

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--neo4j", default=None, help="Neo4j URI (cleared!); default MMRARE_BENCH_NEO4J or local")
    args = parser.parse_args()
    zip_path = args.shared / "phenopackets" / "phenopacket-store_0.1.19.zip"
    results = args.shared / "phenopackets" / "pheval.llm" / "gpt-4o"
    orphanet = [
        args.shared / "orphanet" / "orphapackets" / "orphapackets_2025-12_all.jsonl.gz",
        args.shared / "orphanet" / "orphadata_csv" / "linearisation_of_rare_diseases.csv",
    ]
    texts = list(packet_texts([zip_path], ProblemLog()))
    one_process, _ = timed(lambda: _parse_chunk(texts))
    print(f"parsing {len(texts)} packets in one process (the straightforward way): {one_process:.2f} s")
    rows: list[tuple[str, dict[str, float]]] = []
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in open_stores(Path(tmp), args.neo4j).items():
            facts, files = read_all(orphanet)
            f = figures.setdefault(name, {})
            f["orphanet"], _ = timed(lambda store=store, facts=facts, files=files: load(facts, store, files))
            f["packets"], summary = timed(lambda store=store: import_phenopackets([zip_path], store))
            f["results"], runs = timed(lambda store=store: import_study_results([results], store))
            run_ids = [r.run_id for r in runs]
            f["reference"], table = timed(lambda store=store, run_ids=run_ids: study_rows(store, run_ids))
            english = [r.run_id for r in runs if r.dataset and r.dataset.endswith(":en")]

            def stratified(store=store, english=english):  # the English run by head, 1,000 resamples
                return stratify(collect_rows(store, english), "head", "hit1", None, False, 1000, 20260425)

            f["stratified"], report = timed(stratified)
            f["linearised"], _ = timed(
                lambda store=store, english=english: stratify(
                    collect_rows(store, english), "linearised", "hit1", None, False, 1000, 20260425
                )
            )
            f["reimport"], again = timed(lambda store=store: import_phenopackets([zip_path], store))
            en = next(r for r in table if r.condition == "en").values
            print(
                f"{name}: {summary.packets} packets, {len(runs)} runs; English n1 {en['n1']}, num_cases "
                f"{en['num_cases']}, top1 {100 * float(en['top1']):.2f}%, top3 {100 * float(en['top3']):.2f}%; "
                f"{len(report.lines)} head lines; re-import new items {again.items_new}"
            )
    for label, key in (
        ("Orphanet (packets + linearisation)", "orphanet"),
        ("import phenopackets (6,668)", "packets"),
        ("import ten result files", "results"),
        ("the study's table (report --reference)", "reference"),
        ("English by head, 1,000 resamples", "stratified"),
        ("English by linearised head", "linearised"),
        ("re-import (nothing changes)", "reimport"),
    ):
        rows.append((label, {name: f[key] for name, f in figures.items()}))
    rows.insert(3, ("import, packets + results", {n: f["packets"] + f["results"] for n, f in figures.items()}))
    print_table(rows)
    packets = figures["embedded"]["packets"]
    print(f"packet import embedded vs parsing alone in one process: {packets / one_process:.2f}x")
    for name, limit in (("embedded", 20.0), ("neo4j", 60.0)):
        if name in figures:
            total = figures[name]["packets"] + figures[name]["results"]
            print(f"{name} import {total:.1f} s: goal {limit:.0f} s {'met' if total <= limit else 'NOT met'}")
    # the previous approach in the same process: both imports into a fresh embedded store with Python's
    # cycle collector running throughout (the functions as they are without the pause)
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "collector-on.db")
        facts, files = read_all(orphanet)
        load(facts, store, files)
        on_packets, _ = timed(lambda: import_phenopackets.__wrapped__([zip_path], store))
        on_results, _ = timed(lambda: import_study_results.__wrapped__([results], store))
    paused = figures["embedded"]["packets"] + figures["embedded"]["results"]
    print(
        f"embedded import with the cycle collector running: packets {on_packets:.2f} s + results "
        f"{on_results:.2f} s = {on_packets + on_results:.2f} s; paused {paused:.2f} s "
        f"({(on_packets + on_results) / paused:.2f}x)"
    )


if __name__ == "__main__":
    main()
