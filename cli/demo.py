"""`mmrare serve --demo`: on an empty graph, load the bundled real Orphanet subset (package data,
CC BY 4.0, see cli/demo_data/ATTRIBUTION.md), a generated sample benchmark, three baseline runs
scored with the offline judges, a leakage audit, and a generated MRareBench sample (T1 with two
ranked-list models, T2 with two describing models, each under its three input conditions), so every
page and query has something to show."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from mmrare.audit import audit_and_store
from mmrare.core.blobs import BlobStore
from mmrare.core.mrarebench import CONDITIONS, EVIDENCE_CONDITIONS
from mmrare.core.tracks import names_disease
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore
from mmrare.importers.benchmark.generator import generate_release
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.mrarebench_generator import generate_evidence, generate_mrarebench
from mmrare.importers.orphanet.detect import read_all
from mmrare.importers.orphanet.loader import load
from mmrare.importers.predictions import ModelInfo, PredictionSource, import_prediction_files, import_prediction_sources
from mmrare.scoring.offline_judges import OfflineJudge
from mmrare.scoring.service import score_run

ORPHANET = Path(__file__).resolve().parent / "demo_data" / "orphanet_demo.jsonl.gz"


def phenotype_ranker(store: GraphStore, items: list[dict]) -> dict[str, str]:
    """Diagnosis by phenotype overlap: the disease holding most of the phenotypes the case mentions."""
    diseases = {n.ref.key: n.props.get("name", "") for n in store.select("Disease")}
    holders: dict[str, set[int]] = {}
    for n in store.neighbours([NodeRef("Disease", c) for c in diseases], "HAS_PHENOTYPE"):
        holders.setdefault(str(n.node.key), set()).add(int(n.start.key))
    out = {}
    for item in items:
        mentioned = {
            str(m.node.key)
            for m in store.neighbours([NodeRef("Item", item["itemId"])], "MENTIONS")
            if m.node.label == "Phenotype"
        }
        votes = Counter(c for p in mentioned for c in holders.get(p, ()))
        out[item["itemId"]] = diseases[min(votes, key=lambda c: (-votes[c], c))] if votes else "unknown"
    return out


def baselines(store: GraphStore, seed: int = 7) -> dict[str, tuple[ModelInfo, Callable[[list[dict]], dict[str, str]]]]:
    rng = random.Random(seed)
    names = sorted(n.props.get("name", "") for n in store.select("Disease") if n.props.get("group") == "Disorder")

    def noisy_oracle(items: list[dict]) -> dict[str, str]:
        return {i["itemId"]: i["answer"] if rng.random() < 0.7 else rng.choice(names) for i in items}

    def category_only(items: list[dict]) -> dict[str, str]:
        return {i["itemId"]: i.get("releaseCategory") or "rare disease" for i in items if names_disease(i)}

    return {
        "phenotype-ranker": (
            ModelInfo("phenotype-ranker", "baseline", "medical"),
            lambda items: phenotype_ranker(store, [i for i in items if names_disease(i)]),
        ),
        "category-only": (ModelInfo("category-only", "baseline", "general"), category_only),
        "noisy-oracle": (ModelInfo("noisy-oracle", "baseline", "general"), noisy_oracle),
    }


def load_demo(store: GraphStore, blobs: BlobStore, out: Path, echo: Callable[[str], None] = print) -> bool:
    """Fill an empty graph; returns False (and does nothing) when the graph already has items."""
    if store.count_nodes("Item"):
        return False
    facts, files = read_all([ORPHANET])
    load(facts, store, files)
    echo(f"demo: {store.count_nodes('Disease')} Orphanet diseases from {ORPHANET}")
    release = out / "demo-release"
    generate_release(store, release, items=60, seed=7, plant_leaks=True, image_size=320)
    import_release(release, store, blobs)
    echo(f"demo: a generated (synthetic) sample of {store.count_nodes('Item')} items in {release}")
    items = [n.props for n in store.select("Item")]
    for name, (model, answer) in baselines(store).items():
        lines = "".join(json.dumps({"item": k, "prediction": v}) + "\n" for k, v in answer(items).items())
        (run,) = import_prediction_sources([PredictionSource(f"{name}.jsonl", lines.encode())], store, model)
        summary = score_run(store, run.run_id, OfflineJudge(store))
        echo(f"demo: run {run.run_id} scored ({summary.judged} judgements)")
    result = audit_and_store(store)
    echo(f"demo: leakage audit, {len(result.findings)} findings")
    mrarebench = out / "demo-mrarebench"
    generate_mrarebench(store, mrarebench, DEMO_DIFFERENTIALS, DEMO_RANKERS, seed=7, conditions=tuple(CONDITIONS))
    generate_evidence(store, mrarebench, DEMO_EVIDENCE, DEMO_DESCRIBERS, seed=7, conditions=tuple(EVIDENCE_CONDITIONS))
    import_release(mrarebench, store, blobs, benchmark="MRareBench")
    runs = import_prediction_files([mrarebench], store)
    echo(
        f"demo: a generated (synthetic) MRareBench sample of {DEMO_DIFFERENTIALS} T1 and {DEMO_EVIDENCE} T2 items, "
        f"{len(runs)} runs"
    )
    return True


DEMO_DIFFERENTIALS = 60
DEMO_RANKERS = ("synthetic-ranker-a", "synthetic-ranker-b")
DEMO_EVIDENCE = 30
DEMO_DESCRIBERS = ("synthetic-describer-a", "synthetic-describer-b")
