"""Seeded synthetic MRareBench releases (T1 below; T2, evidence verification, at the end) and prediction
files, from the Orphanet diseases in a graph.

SYNTHETIC: every row is made up (only the disease names, synonyms and classification are Orphanet's).
The release is `diagnosis/diagnosis_opened.tsv` (index, question, context, answer, answer_aliases,
ORPHA_code, image, image_path; one small drawn image per row, so the release imports into the graph).
Each model's file `<model>_MRareBench_Diagnosis[_FD|_TO].tsv` (the conditions asked for) holds a ranked
list per row in one of the reply shapes the reference parses (numbered lines, inline numbering after a
think block, semicolons, an empty cell, nothing parseable), with near-name distractors: siblings in
the classification (a string near-miss of the answer), subtypes and parents. `ranked_manifest.json`
records, per model, condition and row, the rank at which the answer's own name was placed (or null).
"""

from __future__ import annotations

import base64
import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from mmrare.graph.model import Direction
from mmrare.graph.store import GraphStore, Where
from mmrare.importers.benchmark.generator import draw_image

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


def _start(
    store: GraphStore, seed: int, conditions: tuple[str, ...], known: dict[str, float]
) -> tuple[random.Random, list[_Disease]]:
    """The seeded generator and the diseases to draw from, once the conditions are checked."""
    unknown = [c for c in conditions if c not in known]
    if unknown:
        raise ValueError(f"no input condition {unknown[0]!r} here (there are: {', '.join(known)})")
    pool = _diseases(store)
    if not pool:
        raise ValueError("the graph has no classified diseases with relatives: import Orphanet first")
    return random.Random(seed), pool


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


# how often a model places the answer's own name in its list, per input condition: disclosed findings
# leak the answer (more hits), and without the images fewer are found
HIT_CHANCE = {"MRareBench_Diagnosis": 0.6, "MRareBench_Diagnosis_FD": 0.8, "MRareBench_Diagnosis_TO": 0.45}


def generate_mrarebench(
    store: GraphStore,
    out: Path,
    items: int,
    models: tuple[str, ...],
    seed: int,
    conditions: tuple[str, ...] = ("MRareBench_Diagnosis",),
) -> Path:
    """Write the release and one prediction file per model and input condition under `out`; returns
    the release TSV. `ranked_manifest.json` holds, per model and condition, each row's placed rank."""
    rng, pool = _start(store, seed, conditions, HIT_CHANCE)
    chosen = [pool[rng.randrange(len(pool))] for _ in range(items)]
    release = out / "diagnosis" / "diagnosis_opened.tsv"
    release.parent.mkdir(parents=True, exist_ok=True)
    with open(release, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(RELEASE_COLUMNS)
        for index, d in enumerate(chosen, start=1):
            aliases = json.dumps(list(d.synonyms[:2]))
            context = f"SYNTHETIC case {index}: a patient whose imaging findings are redacted."
            # images from their own generator, so the ranked lists below do not depend on them
            image = base64.b64encode(draw_image(random.Random(seed * 100_003 + index), 48)).decode()
            paths = json.dumps([f"images/case_{index}_photo.jpg"])
            writer.writerow([index, QUESTION, context, d.name, aliases, d.code, json.dumps([image]), paths])
    manifest: dict[str, dict[str, dict[str, int | None]]] = {}
    for model in models:
        for condition in conditions:
            path = out / f"{model}_{condition}.tsv"
            manifest.setdefault(model, {})[condition] = _write_predictions(
                path, chosen, pool, HIT_CHANCE[condition], rng
            )
    (out / "ranked_manifest.json").write_text(json.dumps(manifest, indent=1))
    return release


def _write_predictions(
    path: Path, chosen: list[_Disease], pool: list[_Disease], hit_chance: float, rng: random.Random
) -> dict[str, int | None]:
    """One prediction file; returns the rank each row's answer was placed at (None: not placed, or
    in a reply shape that lists nothing)."""
    placed: dict[str, int | None] = {}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "answer", "prediction"])
        for index, d in enumerate(chosen, start=1):
            distractors = rng.sample(d.relatives, min(len(d.relatives), 9))
            others = [p.name for p in rng.sample(pool, 3) if p.code != d.code]
            candidates = list(dict.fromkeys([*distractors, *others]))[:9]
            rank: int | None = None
            if rng.random() < hit_chance:
                rank = rng.randint(1, len(candidates) + 1)
                candidates.insert(rank - 1, d.name)
            shape = rng.choices(SHAPES, SHAPE_WEIGHTS)[0]
            placed[str(index)] = rank if shape in ("numbered", "think-inline", "semicolons") else None
            writer.writerow([index, d.name, _reply(candidates[:10], shape)])
    return placed


# T2, evidence verification: what each synthetic point says, by evidence layer
FINDINGS = {
    "modality": ("an axial T2-weighted MRI", "a frontal chest radiograph", "an H&E-stained biopsy section"),
    "macro_pattern": (
        "bilateral symmetric hyperintensity",
        "a well-demarcated lytic lesion",
        "diffuse nodular thickening",
    ),
    "micro_pattern": (
        "foamy histiocytes in sheets",
        "rosettes of small round blue cells",
        "granular cytoplasmic inclusions",
    ),
    "cross_image_integration": ("the lesion seen on imaging matches the infiltrate in the biopsy",),
    "diagnostic_attribution": ("together these findings fit the established diagnosis",),
}
EVIDENCE_RELEASE = "evidence_verification/evidence_verification_opened_FULL609.tsv"
EVIDENCE_COLUMNS = (
    "index",
    "question_open",
    "context",
    "gold_rationale",
    "final_diagnosis",
    "orpha_code",
    "acceptable_evidence_points",
    "decisive_image_ids",
    "supporting_image_ids",
    "task_type",
    "case_id",
    "image",
)
EVIDENCE_QUESTION = "Which visible findings in the images support the established diagnosis?"
# how often a model states each point, per input condition: withholding the diagnosis or the images
# loses points, and without images some sentences describe images that were never shown
STATE_CHANCE = {
    "MRareBench_EvidenceVerif": 0.75,
    "MRareBench_EvidenceVerif_NoDx": 0.55,
    "MRareBench_EvidenceVerif_TO": 0.3,
}


def _evidence_row(index: int, d: _Disease, rng: random.Random) -> tuple[list[dict[str, str]], int, list[int]]:
    """(points, number of images, decisive image numbers) of one synthetic item."""
    n_images = rng.randint(2, 4)
    layers = ["modality", "macro_pattern", rng.choice(["micro_pattern", "macro_pattern"])]
    layers += rng.sample(["cross_image_integration", "diagnostic_attribution", "micro_pattern"], rng.randint(0, 2))
    points = []
    for k, layer in enumerate(layers):
        image = 1 + k % n_images
        points.append(
            {
                "point": f"{rng.choice(FINDINGS[layer])} in case {index}",
                "image": f"Image {image}",
                "credit": "required" if k < 3 or rng.random() < 0.5 else "optional",
                "category": layer,
            }
        )
    decisive = sorted({1 + k % n_images for k in range(2)})
    return points, n_images, decisive


def generate_evidence(
    store: GraphStore,
    out: Path,
    items: int,
    models: tuple[str, ...],
    seed: int,
    conditions: tuple[str, ...] = ("MRareBench_EvidenceVerif",),
) -> Path:
    """Write a SYNTHETIC T2 release and one prediction file per model and input condition under `out`;
    returns the release TSV. `evidence_manifest.json` holds, per model, condition and row, which of
    the row's points the reply states word for word (verbatim) and which by half their words (partial)."""
    rng, pool = _start(store, seed, conditions, STATE_CHANCE)
    rows = []
    release = out / EVIDENCE_RELEASE
    release.parent.mkdir(parents=True, exist_ok=True)
    with open(release, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(EVIDENCE_COLUMNS)
        for index in range(1, items + 1):
            d = pool[rng.randrange(len(pool))]
            points, n_images, decisive = _evidence_row(index, d, rng)
            rows.append(points)
            drawn = random.Random(seed * 100_019 + index)
            images = [base64.b64encode(draw_image(drawn, 40)).decode() for _ in range(n_images)]
            context = f"Established diagnosis: {d.name}. SYNTHETIC case {index}; the images are labelled Image 1 on."
            rationale = " ".join(f"{p['image']} shows {p['point']}." for p in points)
            writer.writerow(
                [
                    index,
                    EVIDENCE_QUESTION,
                    context,
                    rationale,
                    d.name,
                    f"ORPHA:{d.code}",
                    json.dumps(points),
                    json.dumps(decisive),
                    json.dumps(list(range(1, n_images + 1))),
                    rng.choice(["single-image", "multi-image"]),
                    f"synthetic-case-{index}",
                    json.dumps(images),
                ]
            )
    manifest: dict[str, dict[str, dict[str, dict[str, list[int]]]]] = {}
    for model in models:
        for condition in conditions:
            stated: dict[str, dict[str, list[int]]] = {}
            with open(out / f"{model}_{condition}.tsv", "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
                writer.writerow(["index", "prediction"])
                for index, points in enumerate(rows, start=1):
                    said: dict[str, list[int]] = {"verbatim": [], "partial": []}
                    lines = []
                    for k, p in enumerate(points):
                        if rng.random() >= STATE_CHANCE[condition]:
                            continue
                        words = p["point"].split()
                        if rng.random() < 0.6:
                            said["verbatim"].append(k)
                            lines.append(f"{p['image']}: {p['point']}.")
                        else:  # half the words, so the similarity lands between the thresholds
                            said["partial"].append(k)
                            lines.append(f"{p['image']}: {' '.join(words[: max(1, len(words) // 2)])} is seen.")
                    if condition.endswith("_TO"):
                        lines.append("Image 7: a nodular opacity that no image shows.")
                    stated[str(index)] = said
                    writer.writerow([index, "\n".join(lines) or "No visible finding can be described."])
            manifest.setdefault(model, {})[condition] = stated
    (out / "evidence_manifest.json").write_text(json.dumps(manifest, indent=1))
    return release
