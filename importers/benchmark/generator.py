"""A seeded generator of MMRareBench-format releases from real Orphanet facts (clearly synthetic).

Diseases are drawn from the graph across heads and prevalence classes; each case's narrative is
written from the disease's HPO phenotypes without naming it; images are drawn with Pillow and hold
no text; rubrics are synthetic. With `plant_leaks`, a known set of leaks of each kind in audit/model.py
is planted and listed in `leak_manifest.json`.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from mmrare.core.matching import normalise_name
from mmrare.core.orphanet import frequency_weight
from mmrare.core.tracks import TRACKS, list_cell
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore, Where

# Public release: 474 / 288 / 568 / 389 items per track.
TRACK_SHARE = {"diagnosis": 474, "treatment": 288, "crossmodal": 568, "examination": 389}
PAPER_ITEMS, PAPER_IMAGES = 1756, 7958
# File-name words the importer reads as modalities (importers/benchmark/reader.py MODALITY_WORDS).
MODALITIES = ("ct", "mri", "xray", "histology", "photo", "ultrasound", "fundus", "dermoscopy")
TREATMENTS = (
    "genetic counselling",
    "multidisciplinary follow-up",
    "physiotherapy",
    "enzyme replacement therapy",
    "surgical correction",
    "beta-blocker therapy",
    "nutritional support",
    "anticonvulsant therapy",
    "hearing aids",
    "orthopaedic bracing",
    "immunosuppressive therapy",
    "regular echocardiography",
)
AVOID = (
    "live attenuated vaccines",
    "high-dose corticosteroids without indication",
    "contact sports",
    "fluoroquinolone antibiotics",
    "prolonged fasting",
)
TESTS = (
    "complete blood count",
    "brain MRI",
    "echocardiography",
    "slit-lamp examination",
    "skeletal survey",
    "serum lactate",
    "urine organic acids",
    "electromyography",
    "renal ultrasound",
    "audiometry",
)
RELATIONS = ("confirm", "complement", "contrast")
# What the leakage audit (audit/model.py) calls each planted kind.
AUDIT_KIND = {
    "direct-name": "direct-name",
    "ontology-subtype": "ontology",
    "rare-gene": "rare-gene",
    "phenotype-set": "phenotype-set",
    "answer-text": "answer-text",
    "near-duplicate-image": "image-or-case",
    "figure-label": "figure-label",
}
LEAK_KINDS = (
    "direct-name",
    "ontology-subtype",
    "rare-gene",
    "phenotype-set",
    "answer-text",
    "near-duplicate-image",
    "figure-label",
)


@dataclass
class Disease:
    code: int
    name: str
    synonyms: list[str]
    head: str
    phenotypes: list[str]
    genes: list[str]
    subtypes: list[str]
    rare_genes: list[str] = field(default_factory=list)  # associated with at most 3 diseases


@dataclass
class Manifest:
    items: int = 0
    images: int = 0
    leaks: list[dict[str, Any]] = field(default_factory=list)
    negatives: list[dict[str, Any]] = field(default_factory=list)  # look-alikes that are not leaks


def _disease_pool(store: GraphStore) -> tuple[list[Disease], dict[str, set[int]]]:
    """The diseases cases can be about, and for every phenotype name the diseases of the whole graph
    that carry it (an Excluded annotation carries nothing), as the audit counts them."""
    nodes = store.select("Disease", [Where("group", "in", ["Disorder", "Subtype of disorder"])])
    refs = [n.ref for n in nodes]
    phenos: dict[int, list[str]] = defaultdict(list)
    carried_by: dict[str, set[int]] = defaultdict(set)
    for n in store.neighbours([d.ref for d in store.select("Disease")], "HAS_PHENOTYPE"):
        if frequency_weight(n.rel_props.get("frequency")) > 0:
            phenos[int(n.start.key)].append(str(n.node.key))
            carried_by[str(n.node.key)].add(int(n.start.key))
    names = {
        k: v.get("name", "") for k, v in store.get_many("Phenotype", {p for ps in phenos.values() for p in ps}).items()
    }
    # a phenotype named like a disease ("Aganglionic megacolon") would name that disease in a narrative
    disease_names = {
        normalise_name(x)
        for n in store.select("Disease")
        for x in (n.props.get("name", ""), *n.props.get("synonyms", []))
    }
    names = {k: v for k, v in names.items() if normalise_name(v) not in disease_names}
    carriers: dict[str, set[int]] = defaultdict(set)
    for hpo, codes in carried_by.items():
        if names.get(hpo):
            carriers[names[hpo]] |= codes
    genes: dict[int, list[str]] = defaultdict(list)
    for n in store.neighbours(refs, "ASSOCIATED_GENE"):
        genes[int(n.start.key)].append(str(n.node.key))
    degree: dict[str, int] = defaultdict(int)  # diseases per gene, over the whole graph
    gene_refs = sorted({NodeRef("Gene", g) for gs in genes.values() for g in gs})
    for n in store.neighbours(gene_refs, "ASSOCIATED_GENE", Direction.IN):
        degree[str(n.start.key)] += 1
    subtypes: dict[int, list[int]] = defaultdict(list)
    for n in store.neighbours(refs, "SUBCLASS_OF", Direction.IN):
        subtypes[int(n.start.key)].append(int(n.node.key))
    all_names = {int(n.ref.key): n.props.get("name", "") for n in nodes}
    heads = store.get_many("Disease", {h for n in nodes for h in n.props.get("heads", [])})
    pool = []
    for node in nodes:
        code = int(node.ref.key)
        terms = sorted(names[p] for p in phenos.get(code, []) if names.get(p))
        if len(terms) < 3:
            continue
        head_codes = node.props.get("heads", [])
        pool.append(
            Disease(
                code,
                node.props.get("name", ""),
                node.props.get("synonyms", []),
                heads.get(head_codes[0], {}).get("name", "Rare disease") if head_codes else "Rare disease",
                terms,
                sorted(genes.get(code, []), key=lambda g: (degree[g], g)),  # rarest first
                sorted(all_names[s] for s in subtypes.get(code, []) if s in all_names),
                sorted(g for g in genes.get(code, []) if degree[g] <= 3),
            )
        )
    return sorted(pool, key=lambda d: d.code), carriers


def _spread(pool: list[Disease], n: int, rng: random.Random, prevalence: dict[int, str]) -> list[Disease]:
    """n diseases round-robin over (head, prevalence class) strata, so every stratum is represented."""
    strata: dict[tuple[str, str], list[Disease]] = defaultdict(list)
    for d in pool:
        strata[(d.head, prevalence.get(d.code, "none"))].append(d)
    for members in strata.values():
        rng.shuffle(members)
    keys = sorted(strata)
    rng.shuffle(keys)
    chosen: list[Disease] = []
    while len(chosen) < n and any(strata.values()):
        for key in keys:
            if strata[key] and len(chosen) < n:
                chosen.append(strata[key].pop())
    while len(chosen) < n:  # fewer diseases than cases: reuse
        chosen.append(rng.choice(pool))
    return chosen


def draw_image(rng: random.Random, size: int) -> bytes:
    """Shapes on a tinted ground, no text; JPEG like most case-report figures."""
    ground = tuple(rng.randrange(0, 90) for _ in range(3))
    return _shapes_on(Image.new("RGB", (size, int(size * rng.uniform(0.6, 1.0))), ground), rng)


def _shapes_on(img: Image.Image, rng: random.Random) -> bytes:
    """Draw 4 to 11 random ellipses and rectangles on the ground, and give the JPEG bytes."""
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for _ in range(rng.randrange(4, 12)):
        x0, y0 = rng.randrange(0, w), rng.randrange(0, h)
        x1, y1 = x0 + rng.randrange(10, max(11, w // 2)), y0 + rng.randrange(10, max(11, h // 2))
        colour = tuple(rng.randrange(60, 256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


# How strongly a planted copy differs from its original: (scale, JPEG quality, crop share).
COPIES = {"light": (0.9, 80, 0.0), "medium": (0.75, 55, 0.02), "strong": (0.6, 35, 0.04)}
COPY_VARIANTS = tuple(COPIES)


def _reencode(data: bytes, scale: float = 0.9, quality: int = 60, crop: float = 0.0) -> bytes:
    """A near-duplicate: the same picture, trimmed at the edges, smaller and re-compressed."""
    with Image.open(io.BytesIO(data)) as img:
        dx, dy = int(img.width * crop), int(img.height * crop)
        trimmed = img.crop((dx, dy, img.width - dx, img.height - dy))
        smaller = trimmed.resize((max(8, int(trimmed.width * scale)), max(8, int(trimmed.height * scale))))
    out = io.BytesIO()
    smaller.save(out, "JPEG", quality=quality)
    return out.getvalue()


def look_alike(data: bytes, rng: random.Random) -> bytes:
    """A different picture of the same kind: the original's size and ground, new shapes."""
    with Image.open(io.BytesIO(data)) as img:
        size, ground = img.size, img.getpixel((0, 0))
    return _shapes_on(Image.new("RGB", size, ground), rng)


def shared_phenotypes(d: Disease, carriers: dict[str, set[int]]) -> list[str]:
    """The phenotypes d shares with the disease that shares most with it: any set of them fits at
    least two diseases, so a narrative made of them is not a lookup of d."""
    overlap: dict[int, int] = defaultdict(int)
    for term in d.phenotypes:
        for other in carriers.get(term, ()):
            if other != d.code:
                overlap[other] += 1
    if not overlap:
        return []
    twin = max(overlap, key=lambda c: (overlap[c], -c))
    return [t for t in d.phenotypes if twin in carriers.get(t, ())]


def specific_phenotypes(d: Disease, carriers: dict[str, set[int]], variant: str) -> list[str]:
    """Phenotypes that together fit d alone: "single", one only d carries; "combination", the fewest
    of d's shared phenotypes (rarest first) whose carriers meet in d alone. [] when d has none."""
    if variant == "single":
        return [t for t in d.phenotypes if carriers.get(t) == {d.code}][:1]
    shared = sorted((t for t in d.phenotypes if len(carriers.get(t, ())) > 1), key=lambda t: (len(carriers[t]), t))
    chosen: list[str] = []
    fitting: set[int] | None = None
    for term in shared:
        fitting = set(carriers[term]) if fitting is None else fitting & carriers[term]
        chosen.append(term)
        if fitting == {d.code}:
            return chosen
    return []


def _narrative(d: Disease, rng: random.Random, carriers: dict[str, set[int]], many: bool = False) -> str:
    """A case description naming some of d's phenotypes, never enough to look d up; `many`: all it
    may name (up to 8), a hard negative for the phenotype kind."""
    shared = shared_phenotypes(d, carriers)
    terms = shared[:8] if many else rng.sample(shared, min(len(shared), rng.randrange(3, 6)))
    age, sex = rng.randrange(1, 70), rng.choice(["woman", "man", "girl", "boy"])
    if not terms:
        return f"A {age}-year-old {sex} was referred for a long-standing condition. Imaging was obtained (see figures)."
    lead = ", ".join(t.lower() for t in terms[:-1]) + (" and " if len(terms) > 1 else "") + terms[-1].lower()
    return (
        f"A {age}-year-old {sex} was referred with {lead}. The family history was unremarkable. "
        f"Imaging and laboratory studies were obtained (see figures)."
    )


def generate_release(
    store: GraphStore,
    out: Path,
    items: int,
    seed: int,
    images: int | None = None,
    plant_leaks: bool = False,
    image_size: int = 384,
) -> Manifest:
    rng = random.Random(seed)
    pool, carriers = _disease_pool(store)
    if not pool:
        raise ValueError("the graph has no diseases with at least three phenotypes: import Orphanet first")
    prevalence = {
        int(n.ref.key): n.props.get("prevalenceClass", "none")
        for n in store.select("Disease", [Where("prevalenceClass", "exists", True)])
    }
    total_share = sum(TRACK_SHARE.values())
    counts = {t: max(1, round(items * s / total_share)) for t, s in TRACK_SHARE.items()}
    counts["crossmodal"] += items - sum(counts.values())
    n_cases = counts["diagnosis"]
    total_images = images or round(items * PAPER_IMAGES / PAPER_ITEMS)
    diseases = _spread(pool, n_cases, rng, prevalence)
    # every eighth case (offset 2) tells all the phenotypes it may: a hard negative for the phenotype kind
    cases: list[dict[str, Any]] = [
        {"disease": d, "context": _narrative(d, rng, carriers, many=plant_leaks and c % 8 == 2), "id": c, "items": []}
        for c, d in enumerate(diseases)
    ]
    assignment = {t: [cases[i % n_cases] for i in range(counts[t])] for t in TRACK_SHARE}
    for t in ("treatment", "crossmodal", "examination"):
        rng.shuffle(assignment[t])
    for t in TRACK_SHARE:
        for index, case in enumerate(assignment[t]):
            case["items"].append((t, index))
    # Split the images over cases by their number of items, so the release holds total_images distinct
    # pictures; inside a case each image goes to one item, and every item also shows the case's first
    # image (shared images are how the release ties a case's items together).
    shares = [max(len(c["items"]), total_images * len(c["items"]) // items) for c in cases]
    for k in range(max(0, total_images - sum(shares))):
        shares[k % n_cases] += 1
    shown: dict[tuple[str, int], list[bytes]] = {}
    for case, share in zip(cases, shares, strict=True):
        case["images"] = [draw_image(rng, image_size) for _ in range(share)]
        case["modalities"] = [rng.choice(MODALITIES) for _ in range(share)]
        for j, key in enumerate(case["items"]):
            own = case["images"][j :: len(case["items"])]
            shown[key] = own if j == 0 else [case["images"][0], *own]
    manifest = Manifest(items=items)
    planted: dict[str, int] = defaultdict(int)
    leak_every = 8  # one planted leak per 8 items of a track, rotating through the kinds
    rows_by_track: dict[str, list[dict[str, str]]] = {}
    image_count: set[int] = set()
    for track in TRACKS:
        rows = []
        for index, case in enumerate(assignment[track.name]):
            d: Disease = case["disease"]
            chosen = shown[(track.name, index)]
            positions = [case["images"].index(b) for b in chosen]
            paths = [f"images/case{case['id']}_{k + 1}_{case['modalities'][k]}.jpg" for k in positions]
            row = {"index": str(index), "question": "", "answer": "", "context": case["context"]}
            leak = plant_leaks and index % leak_every == leak_every // 2
            kind, variant = None, ""
            if track.name == "diagnosis":
                row["question"] = "Based on the case description and the images, what is the most likely diagnosis?"
                row["answer"], row["answer_aliases"] = d.name, list_cell(d.synonyms)
                row["category"] = d.head
                row["ORPHA_code"] = rng.choice([f"ORPHA:{d.code}", str(d.code), f"Orphanet_{d.code}"])
                if leak:
                    kind, variant = _plant_diagnosis(row, d, carriers, planted)
            elif track.name == "treatment":
                must = rng.sample(TREATMENTS, 3)
                row["question"] = "What management plan would you propose for this patient?"
                row["answer"] = "Recommended: " + "; ".join(must) + "."
                row["rubric_must_include"], row["rubric_must_not"] = list_cell(must), list_cell(rng.sample(AVOID, 1))
                if leak:
                    row["question"] += f" Would {must[0]} be part of it?"
                    kind = "answer-text"
            elif track.name == "crossmodal":
                labels = [f"Figure {i + 1}" for i in range(len(chosen))]
                relation = rng.choice(RELATIONS)
                claims = [
                    f"{labels[0]} shows {d.phenotypes[0].lower()}",
                    f"{labels[-1]} {relation}s the finding in {labels[0]}",
                ]
                row["question"] = f"How do the findings in {labels[0]} and {labels[-1]} relate to each other?"
                row["answer"] = ". ".join(claims) + "."
                row["golden_mainline"] = json.dumps([{"claim": c} for c in claims])
                row["relation_type"] = relation
                if leak:
                    labels[0] = f"{labels[0]} ({d.name})"
                    kind = "figure-label"
                row["figure_mapping"] = json.dumps(dict(zip(labels, paths, strict=True)))
            else:
                tests = rng.sample(TESTS, 2) + ([f"{d.genes[0]} gene sequencing"] if d.genes else [])
                row["question"] = "Which examinations would you order next, and in what order?"
                row["answer"] = "Order: " + ", then ".join(tests) + "."
                row["key_test_names"] = list_cell(tests)
                others = [o.name for o in pool if o.head == d.head and o.code != d.code][:2]
                row["red_flags_to_rule_out"], row["must_not"] = list_cell(others), list_cell(rng.sample(AVOID, 1))
                if leak:  # a re-encoded copy of the image the case's diagnosis item shows
                    variant = COPY_VARIANTS[planted["near-duplicate-image"] % len(COPY_VARIANTS)]
                    planted["near-duplicate-image"] += 1
                    chosen = [*chosen, _reencode(case["images"][0], *COPIES[variant])]
                    paths = [*paths, f"images/case{case['id']}_copy.jpg"]
                    kind = "near-duplicate-image"
                elif plant_leaks and index % leak_every == 1:  # a hard negative: a look-alike, not a copy
                    chosen = [*chosen, look_alike(case["images"][0], rng)]
                    paths = [*paths, f"images/case{case['id']}_similar.jpg"]
                    manifest.negatives.append({"kind": "near-duplicate-image", "itemId": f"{track.name}:{index}"})
            if kind:
                leak_row = {"kind": kind, "itemId": f"{track.name}:{index}", "orphaCode": d.code, "variant": variant}
                manifest.leaks.append(leak_row)
            if track.name == "diagnosis" and plant_leaks and case["id"] % 8 == 2 and kind != "phenotype-set":
                manifest.negatives.append({"kind": "phenotype-set", "itemId": f"{track.name}:{index}"})
            row["image"] = json.dumps([base64.b64encode(b).decode() for b in chosen])
            row["image_path"] = json.dumps(paths)
            image_count.update(hash(b) for b in chosen)
            rows.append(row)
        rows_by_track[track.name] = rows
    manifest.images = len(image_count)
    for track in TRACKS:
        path = out / track.file
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            rows = rows_by_track[track.name]
            optional = [c for c in track.optional if any(c in row for row in rows)]
            writer = csv.DictWriter(fh, fieldnames=[*track.columns, *optional], delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    (out / "README.md").write_text(
        "# SYNTHETIC MMRareBench-format release\n\n"
        f"Generated by `mmrare generate sample` (seed {seed}, {items} items). Not the real benchmark: the "
        "diseases, their names, synonyms, heads and phenotypes are real Orphanet facts, but the cases, "
        "narratives, images, questions, answers and rubrics are made up.\n\n"
        "Orphanet: an online database of rare diseases and orphan drugs. Copyright, INSERM. Data from "
        "Orphadata (www.orphadata.com), CC BY 4.0.\n"
    )
    if plant_leaks:
        (out / "leak_manifest.json").write_text(json.dumps(manifest.leaks, indent=1))
        (out / "hard_negatives.json").write_text(json.dumps(manifest.negatives, indent=1))
    return manifest


def _plant_diagnosis(
    row: dict[str, str], d: Disease, carriers: dict[str, set[int]], planted: dict[str, int]
) -> tuple[str, str]:
    """Rotate through the diagnosis leak kinds this disease allows, and each kind's variants (how
    strong the leak is); returns the kind and the variant."""
    options = {
        "direct-name": ["name", "synonym", "code"] if d.synonyms else ["name", "code"],
        "phenotype-set": [v for v in ("single", "combination") if specific_phenotypes(d, carriers, v)],
        "ontology-subtype": ["subtype"] if d.subtypes else [],
        "rare-gene": ["gene"] if d.rare_genes else [],
    }
    kind = min((k for k, vs in options.items() if vs), key=lambda k: (planted[k], k))
    variant = options[kind][planted[kind] % len(options[kind])]
    planted[kind] += 1
    if kind == "direct-name":
        named = {"name": d.name, "synonym": d.synonyms[0] if d.synonyms else d.name, "code": f"ORPHA:{d.code}"}
        row["question"] = f"Could this be {named[variant]}? " + row["question"]
    elif kind == "ontology-subtype":
        row["context"] += f" A relative had been diagnosed with {d.subtypes[0]}."
    elif kind == "rare-gene":
        row["context"] += f" Sequencing found a pathogenic variant in {d.rare_genes[0]}."
    else:
        terms = specific_phenotypes(d, carriers, variant)
        row["context"] += " Also noted: " + ", ".join(t.lower() for t in terms) + "."
    return kind, variant
