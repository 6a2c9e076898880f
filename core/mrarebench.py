"""MRareBench (the authors' successor benchmark): each track's input conditions and a row's gold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# the reference's dataset names, one per input condition, and what the model was shown
CONDITIONS = {
    "MRareBench_Diagnosis": "baseline (findings redacted, images)",
    "MRareBench_Diagnosis_FD": "findings disclosed, images",
    "MRareBench_Diagnosis_TO": "text only",
}


@dataclass(frozen=True)
class DifferentialGold:
    index: str
    answer: str
    aliases: object  # the raw answer_aliases cell
    orpha_codes: tuple[int, ...]  # the release's ORPHA_code cell (several codes are several; none: align by name)
    case: str = ""  # the case the row comes from (case_id or pmcid column), for clustered intervals


@dataclass(frozen=True)
class DifferentialPrediction:
    """One prediction row: its item index, the reply text as the reference sees it, and its gold."""

    index: str
    reply: str
    gold: DifferentialGold


# MRareBench T2 (evidence verification): the diagnosis is given and the model describes the visual
# evidence for it; one release file, three input conditions, each flipping one input against gold.
EVIDENCE_CONDITIONS = {
    "MRareBench_EvidenceVerif": "gold (images, diagnosis given)",
    "MRareBench_EvidenceVerif_TO": "text only (no image, diagnosis given)",
    "MRareBench_EvidenceVerif_NoDx": "diagnosis withheld (images)",
}

# The reference's five evidence layers, and the spellings of a point's category that map to each;
# any other category is "other".
EVIDENCE_LAYERS = {
    "modality": ("abstract_modality", "modality"),
    "macro_pattern": ("macroscopic_pattern", "region_or_field", "macro_pattern"),
    "micro_pattern": ("microstructural_pattern", "micro_pattern"),
    "cross_image_integration": ("cross_image_integration",),
    "diagnostic_attribution": ("diagnostic_attribution",),
}
_LAYER_OF = {spelling: layer for layer, spellings in EVIDENCE_LAYERS.items() for spelling in spellings}


def evidence_layer(category: object) -> str:
    """A point's category as one of the five layers: lowercased, runs of other characters as one
    underscore, trimmed of underscores; unknown spellings (and none) are "other"."""
    key = re.sub(r"[^a-z0-9]+", "_", str(category or "").strip().lower()).strip("_")
    return _LAYER_OF.get(key, "other")


@dataclass(frozen=True)
class EvidencePoint:
    text: str  # as the rubric shows it: "[Image 2] point" when the point names its image
    required: bool
    layer: str
    finding: str = ""  # the point's own words, without its image label


def evidence_points(values: list[Any]) -> tuple[EvidencePoint, ...]:
    """The points of an acceptable_evidence_points list, read as the reference reads them: entries
    that are not objects, and points with no text, are skipped; credit "required" (any case) is
    required, anything else optional."""
    out = []
    for entry in values:
        if not isinstance(entry, dict):
            continue
        text = str(entry.get("point", "") or "").strip()
        if not text:
            continue
        image = str(entry.get("image", "") or "").strip()
        required = str(entry.get("credit", "") or "").strip().lower() == "required"
        layer = evidence_layer(entry.get("category"))
        out.append(EvidencePoint(f"[{image}] {text}" if image else text, required, layer, text))
    return tuple(out)


def image_numbers(cell: object) -> frozenset[int]:
    """Image numbers in a decisive/supporting ids cell: every run of digits ('[1, 3]', '1;3',
    'Image 1, Image 3'); a blank cell has none."""
    if cell is None:
        return frozenset()
    text = str(cell).strip()
    if text.lower() in ("", "nan", "none", "null", "[]"):
        return frozenset()
    return frozenset(int(n) for n in re.findall(r"\d+", text))


@dataclass(frozen=True)
class EvidenceGold:
    index: str
    diagnosis: str  # final_diagnosis, shown to the judge
    rationale: str  # gold_rationale (else gold_answer_open), as the reference reads it
    points: tuple[EvidencePoint, ...]
    n_images: int
    decisive: frozenset[int] = frozenset()
    supporting: frozenset[int] = frozenset()
    task_type: str = ""
    case: str = ""
    orpha_codes: tuple[int, ...] = ()  # the release's orpha_code cell, when it gives codes

    @property
    def required(self) -> list[str]:
        return [p.text for p in self.points if p.required]

    @property
    def optional(self) -> list[str]:
        return [p.text for p in self.points if not p.required]

    @property
    def required_layers(self) -> list[str]:
        return [p.layer for p in self.points if p.required]


@dataclass(frozen=True)
class EvidencePrediction:
    index: str
    reply: str
    gold: EvidenceGold | None  # None: the release has no such row (counted, scored with nothing)
