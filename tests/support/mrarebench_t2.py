"""A hand-written MRareBench T2 release (the evidence track): its file, header, rows and the model
whose answers it carries."""

from __future__ import annotations

import base64
import csv
import json
import random
from pathlib import Path

from mmrare.importers.benchmark.generator import draw_image

RELEASE = "evidence_verification/evidence_verification_opened_FULL609.tsv"
HEADER = ["index", "question_open", "context", "gold_rationale", "final_diagnosis", "orpha_code"]
HEADER += ["acceptable_evidence_points", "decisive_image_ids", "supporting_image_ids", "task_type", "image"]


MODEL = "Hand.Model-7B"


def write_rows(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def hand_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for index, diagnosis, code, points, n_images, decisive in HAND_ROWS:
        drawn = random.Random(1000 + index)
        images = [base64.b64encode(draw_image(drawn, 40)).decode() for _ in range(n_images)]
        # row 2's context already states its required finding: text-only solvable, an answer-text leak
        seen = " CT shows bronchiectasis." if index == 2 else ""
        context = f"Established diagnosis: {diagnosis}. SYNTHETIC case {index}.{seen}"
        question = "Which visible findings support the established diagnosis?"
        rationale = " ".join(f"{p['image']} shows {p['point']}." for p in points)
        supporting = json.dumps(list(range(1, n_images + 1)))
        task = "multi-image" if n_images > 1 else "single-image"
        row = [index, question, context, rationale, diagnosis, code, json.dumps(points), decisive, supporting, task]
        rows.append([*row, json.dumps(images)])
    return rows


def write_hand_release(root: Path) -> Path:
    write_rows(root / RELEASE, hand_rows())
    for dataset, replies in (
        ("MRareBench_EvidenceVerif", GOLD_REPLIES),
        ("MRareBench_EvidenceVerif_NoDx", NODX_REPLIES),
    ):
        rows = [[index, reply] for (index, *_), reply in zip(HAND_ROWS, replies, strict=True)]
        write_rows(root / f"{MODEL}_{dataset}.tsv", rows, ["index", "prediction"])
    return root


def point(text: str, image: int, credit: str, category: str) -> dict[str, str]:
    return {"point": text, "image": f"Image {image}", "credit": credit, "category": category}


# index, diagnosis, orpha_code, points, number of images, decisive ids; row 2 has no code (aligned by name),
# row 3 only an optional point
HAND_ROWS = (
    (
        1,
        "Marfan syndrome",
        "ORPHA:558",
        [
            point("ectopia lentis", 1, "required", "macroscopic_pattern"),
            point("aortic root dilatation", 2, "required", "macroscopic_pattern"),
            point("mitral valve prolapse", 2, "optional", "other"),
        ],
        2,
        "[1, 2]",
    ),
    (2, "Cystic fibrosis", "", [point("bronchiectasis", 1, "required", "micro_pattern")], 1, "[1]"),
    (3, "Huntington disease", "", [point("caudate atrophy", 1, "optional", "macro_pattern")], 1, ""),
)


# gold: both required points of row 1 and row 2's stated; row 3 cites an image that does not exist
GOLD_REPLIES = (
    "Image 1: ectopia lentis.\nImage 2: aortic root dilatation.",
    "Image 1: bronchiectasis.",
    "Image 2: a scan.",
)


# diagnosis withheld: row 1's second point and row 2's missed
NODX_REPLIES = ("Image 1: ectopia lentis.", "No finding.", "Image 1: caudate atrophy.")
