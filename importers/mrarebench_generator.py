"""A seeded synthetic MRareBench T1 release and prediction files, from the Orphanet diseases in a graph.

SYNTHETIC: every row is made up (only the disease names, synonyms and classification are Orphanet's).
The release is `diagnosis/diagnosis_opened.tsv` (index, question, context, answer, answer_aliases,
ORPHA_code, image, image_path). Each model's file `<model>_MRareBench_Diagnosis.tsv` holds a ranked
list per row in one of the reply shapes the reference parses (numbered lines, inline numbering after a
think block, semicolons, an empty cell, nothing parseable), with near-name distractors: siblings in
the classification (a string near-miss of the answer), subtypes and parents. `ranked_manifest.json`
records, per model and row, the rank at which the answer's own name was placed (or null).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from graph.model import Direction
from graph.store import GraphStore, Where

SHAPES = ("numbered", "think-inline", "semicolons", "empty", "unparseable")
SHAPE_WEIGHTS = (70, 10, 10, 5, 5)
RELEASE_COLUMNS = ("index", "question", "context", "answer", "answer_aliases", "ORPHA_code", "image", "image_path")
QUESTION = "What are the ten most likely diagnoses?"


@dataclass(frozen=True)
class _Disease:
    code: int
    name: str
    synonyms: tuple[str, ...]
    relatives: tuple[str, ...]  # names of siblings, subtypes and parents: the near-name distractors


def _diseases(store: GraphStore) -> list[_Disease]:
    nodes = store.select("Disease", [Where("group", "in", ["Disorder", "Subtype of disorder"])])
    names = {int(n.ref.key): n.props.get("name", "") for n in store.select("Disease")}
    parents: dict[int, set[int]] = {}
    children: dict[int, set[int]] = {}
    for n in store.neighbours([x.ref for x in store.select("Disease")], "SUBCLASS_OF", Direction.OUT):
        parents.setdefault(int(n.start.key), set()).add(int(n.node.key))
        children.setdefault(int(n.node.key), set()).add(int(n.start.key))
    out = []
    for node in nodes:
        code = int(node.ref.key)
        up = parents.get(code, set())
        siblings = {s for p in up for s in children.get(p, set())} - {code}
        relatives = sorted({names[c] for c in siblings | children.get(code, set()) | up if names.get(c)})
        if node.props.get("name") and relatives:
            out.append(_Disease(code, node.props["name"], tuple(node.props.get("synonyms", [])), tuple(relatives)))
    return sorted(out, key=lambda d: d.code)


def _reply(candidates: list[str], shape: str) -> str:
    if shape == "numbered":
        return "\n".join(f"{k}. {c}" for k, c in enumerate(candidates, start=1))
    if shape == "think-inline":
        return "<think>1. weigh the findings\n2. rank</think>" + " ".join(
            f"{k}. {c}" for k, c in enumerate(candidates, start=1)
        )
    if shape == "semicolons":
        return "; ".join(candidates)
    if shape == "empty":
        return ""
    return "-\n*"


def generate_mrarebench(store: GraphStore, out: Path, items: int, models: tuple[str, ...], seed: int) -> Path:
    """Write the release and one prediction file per model under `out`; returns the release TSV."""
    rng = random.Random(seed)
    pool = _diseases(store)
    if not pool:
        raise ValueError("the graph has no classified diseases with relatives: import Orphanet first")
    chosen = [pool[rng.randrange(len(pool))] for _ in range(items)]
    release = out / "diagnosis" / "diagnosis_opened.tsv"
    release.parent.mkdir(parents=True, exist_ok=True)
    with open(release, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(
            ["index", "question", "context", "answer", "answer_aliases", "ORPHA_code", "image", "image_path"]
        )
        for index, d in enumerate(chosen, start=1):
            aliases = json.dumps(list(d.synonyms[:2]))
            context = "SYNTHETIC case: findings redacted."
            writer.writerow(
                [index, "What are the ten most likely diagnoses?", context, d.name, aliases, d.code, "[]", "[]"]
            )
    manifest: dict[str, dict[str, int | None]] = {}
    for model in models:
        placed: dict[str, int | None] = {}
        path = out / f"{model}_MRareBench_Diagnosis.tsv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
            writer.writerow(["index", "answer", "prediction"])
            for index, d in enumerate(chosen, start=1):
                distractors = rng.sample(d.relatives, min(len(d.relatives), 9))
                others = [p.name for p in rng.sample(pool, 3) if p.code != d.code]
                candidates = list(dict.fromkeys([*distractors, *others]))[:9]
                rank: int | None = None
                if rng.random() < 0.6:
                    rank = rng.randint(1, len(candidates) + 1)
                    candidates.insert(rank - 1, d.name)
                shape = rng.choices(SHAPES, SHAPE_WEIGHTS)[0]
                placed[str(index)] = rank if shape in ("numbered", "think-inline", "semicolons") else None
                writer.writerow([index, d.name, _reply(candidates[:10], shape)])
        manifest[model] = placed
    (out / "ranked_manifest.json").write_text(json.dumps(manifest, indent=1))
    return release
