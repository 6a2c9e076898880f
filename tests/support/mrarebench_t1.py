"""A hand-written MRareBench T1 release (the differential track) and the model whose answers it carries."""

from __future__ import annotations

import base64
import csv
import json
import random
from pathlib import Path

from mmrare.importers.benchmark.generator import draw_image

MODEL = "Hand.Model-7B"


def write_hand_release(root: Path) -> Path:
    path = root / "diagnosis" / "diagnosis_opened.tsv"
    path.parent.mkdir(parents=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        header = ["index", "question", "context", "answer", "answer_aliases", "ORPHA_code", "image", "image_path"]
        writer.writerow([*header, "case_id"])
        for index, answer, code, context in HAND_ROWS:
            image = json.dumps([base64.b64encode(draw_image(random.Random(index), 40)).decode()])
            question = "List the ten most likely diagnoses."
            case = "PMC-A" if index < 3 else "PMC-B"  # rows 1 and 2: one case report
            writer.writerow([index, question, context, answer, "[]", code, image, '["fig1.jpg"]', case])
    for dataset, replies in (("MRareBench_Diagnosis", BASELINE), ("MRareBench_Diagnosis_FD", DISCLOSED)):
        with open(root / f"{MODEL}_{dataset}.tsv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
            writer.writerow(["index", "answer", "prediction"])
            for (index, answer, _, _), reply in zip(HAND_ROWS, replies, strict=True):
                writer.writerow([index, answer, reply])
    return root


# index, answer, ORPHA_code, context; row 3's context names its answer (a leak the audit must find)
HAND_ROWS = (
    (1, "Marfan syndrome", "558", "SYNTHETIC case 1: tall stature, lens dislocation."),
    (2, "Cystic fibrosis", "586", "SYNTHETIC case 2: recurrent chest infections."),
    (3, "Huntington disease", "399", "SYNTHETIC case 3: chorea; a family history of Huntington disease."),
)


# the baseline: rank 2 (Loeys-Dietz's token set shares only 'syndrome': F1 1/2 < 0.6), a blank cell
# (the reference reads the text 'nan': one candidate, no hit, not a parse failure), rank 1 by semicolons
BASELINE = ("1. Loeys-Dietz syndrome\n2. Marfan syndrome", "", "Huntington disease; Alexander disease")


# findings disclosed: ranks 1, 1 and no hit
DISCLOSED = ("1. Marfan syndrome", "1. Cystic fibrosis\n2. Alexander disease", "1. Alexander disease")
