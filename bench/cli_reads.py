"""CLI at paper scale: the full Orphanet release, a generated 1,756-item release and two models'
VLMEvalKit outputs (four tracks each), imported through the CLI; then the wall time of each read
command (median of 3 runs, each a new process) and how soon `mmrare serve` answers, on the
embedded store and on Neo4j (cleared first!), with the Neo4j/embedded ratio.

    python -m bench.cli_reads [--neo4j neo4j://127.0.0.1:7687] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.api import free_port, wait_for_health
from bench.common import print_table

PACKETS = Path(__file__).resolve().parents[2] / "shared/data/orphanet/orphapackets/orphapackets_2025-12_all.jsonl.gz"
DATASETS = {
    "diagnosis": "Diagnosis",
    "treatment": "Treatment",
    "crossmodal": "Crossmodal",
    "examination": "Examination",
}
MODELS = ("Qwen2.5-VL-7B-Instruct", "llava_v1.5_7b")
READS = {
    "graph stats": ["graph", "stats"],
    "runs": ["runs"],
    "report": ["report"],
    "report --reference": ["report", "--reference"],
    "orphanet show 558": ["orphanet", "show", "558"],
    "export --under 98006": ["export", "benchmark", "--under", "98006", "{out}"],
}
csv.field_size_limit(sys.maxsize)  # the release's image cells are long


def mmrare(env: dict[str, str], *args: str) -> float:
    """Run one CLI command; its wall time in seconds (a failure stops the bench with its output)."""
    start = time.perf_counter()
    done = subprocess.run(["mmrare", *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mmrare {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took


def write_predictions(release: Path, out: Path, seed: int) -> None:
    """Each model's four VLMEvalKit TSVs: the answer for part of the items, a wrong guess otherwise."""
    rng = random.Random(seed)
    for m, model in enumerate(MODELS):
        folder = out / model
        folder.mkdir(parents=True)
        for track, dataset in DATASETS.items():
            [source] = (release / track).glob("*.tsv")
            with open(source, newline="") as fh:
                rows = list(csv.DictReader(fh, delimiter="\t"))
            with open(folder / f"{model}_MMRarebench_{dataset}.tsv", "w", newline="") as fh:
                writer = csv.writer(fh, delimiter="\t")
                writer.writerow(["index", "question", "prediction"])
                for row in rows:
                    right = rng.random() < 0.6 - 0.2 * m
                    writer.writerow([row["index"], row["question"], row["answer"] if right else "a different disease"])


def serve_ready(env: dict[str, str]) -> float:
    """Seconds from starting `mmrare serve` until /health answers."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        ["mmrare", "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}")
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(name: str, setting: str, work: Path, release: Path | None, predictions: Path) -> tuple[dict, Path]:
    env = {**os.environ, "MMRARE_GRAPH": setting, "MMRARE_DATA_DIR": str(work / name / "data")}
    rows: dict[str, float] = {}
    mmrare(env, "graph", "reset", "--yes")
    rows["import orphanet (full)"] = mmrare(env, "import", "orphanet", str(PACKETS))
    if release is None:
        release = work / "release"
        mmrare(env, "generate", "sample", "--scale", "paper", str(release))
        write_predictions(release, predictions, seed=3)
    rows["import benchmark (1,756)"] = mmrare(env, "import", "benchmark", str(release))
    rows["import predictions (2x4)"] = mmrare(env, "import", "predictions", str(predictions))
    for reading, args in READS.items():
        times = []
        for i in range(3):
            out = work / name / f"export{i}"
            times.append(mmrare(env, *[str(out) if a == "{out}" else a for a in args]))
        rows[reading] = statistics.median(times)
    rows["serve: ready"] = statistics.median(serve_ready(env) for _ in range(3))
    return rows, release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j", default=None, help="also Neo4j at this URI (it is cleared!)")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mmrare-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    settings = {"embedded": f"embedded:{work / 'graph.db'}"}
    if args.neo4j:
        settings["neo4j"] = args.neo4j
    release, predictions = None, work / "predictions"
    results: dict[str, dict[str, float]] = {}
    try:
        for name, setting in settings.items():
            results[name], release = measure(name, setting, work, release, predictions)
            print(f"{name}: done", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = [(r, {n: results[n][r] for n in results}) for r in results["embedded"]]
    print_table(rows)


if __name__ == "__main__":
    main()
