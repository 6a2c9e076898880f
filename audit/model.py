"""Leakage kinds, the audit's settings, and its findings.

Question side: question and context (examination: question only), figure labels, image file
names. Answer side: the aligned disease (diagnosis), must-include treatments (treatment), key
findings (cross-modal), key tests (examination). Seven kinds:

  1 direct-name       the answer disease is mentioned (name or synonym) or its ORPHAcode written
  2 ontology          a mentioned disease is a subtype of the answer, or a parent group of it with
                      at most `parent_max_members` members
  3 rare-gene         a mentioned gene is associated with at most `gene_max_diseases` diseases,
                      the answer among them
  4 phenotype-set     the mentioned phenotypes are specific: at most `phenotype_max_candidates`
                      Orphanet diseases carry all of them (the answer among them), and together they
                      hold at least log2(diseases) + `phenotype_min_bits_margin` bits (frequency-
                      weighted information content: by chance they would fit under one disease)
  5 answer-text       a must-include treatment, key finding or key test (of two or more words, or one
                      word of eight or more letters) is written on the question side
  6 image-or-case     a near-duplicate image (other bytes; DCT hash within `phash_max_distance`,
                      confirmed by 16x16 grey copies correlating at least `pixel_min_correlation`
                      (older imports: a gradient hash within `dhash_max_distance`), comparing whole
                      images or one's whole with the other's centre, for trimmed copies) shown by another
                      item; or another track's question in the same case mentions the answer
  7 figure-label      a figure label or image file name contains the answer's name or terms

Severity: high (kinds 1, 5, 7; kind 2 subtypes; kind 3 with one disease; kind 6 cross-track),
medium (kind 2 parents; kind 3 with several diseases; kind 4; kind 6 images). An item is leak-free
when it has no finding. Every finding carries its path: node uids and relationship types, or the
field and text where it is text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from mmrare.core.items import track_of

KINDS = ("direct-name", "ontology", "rare-gene", "phenotype-set", "answer-text", "image-or-case", "figure-label")
SEVERITIES = ("high", "medium")


@dataclass(frozen=True)
class AuditConfig:
    max_subtype_depth: int = 3
    parent_max_members: int = 3
    gene_max_diseases: int = 3
    # kind 4 by specificity: how many diseases may still fit every mentioned phenotype, and how much
    # information the phenotypes must carry together beyond the log2(diseases) bits that single out one
    phenotype_max_candidates: int = 1
    phenotype_min_bits_margin: float = 0.0
    # near-duplicates: the DCT hash proposes, the 16x16 grey copies confirm (bench.leakage, seeds 3-7:
    # copies correlate 0.975 or more, distinct images within 12 bits at most 0.966)
    phash_max_distance: int = 12
    pixel_min_correlation: float = 0.97
    dhash_max_distance: int = 10  # the confirmation for images imported before the grey copies existed
    trimmed_max_aspect_change: float = 0.05  # a trimmed copy keeps its proportions within 5%
    min_answer_text_tokens: int = 2
    min_answer_word_length: int = 8

    @property
    def hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
    item_id: str
    kind: str
    severity: str
    explanation: str
    path: tuple[str, ...]

    def finding_id(self, config: AuditConfig) -> str:
        text = json.dumps([config.hash, self.item_id, self.kind, list(self.path)])
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class AuditResult:
    config: AuditConfig
    findings: list[Finding] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)  # item ids

    @property
    def leaky(self) -> set[str]:
        return {f.item_id for f in self.findings}

    def summary(self) -> dict[str, dict[str, int]]:
        """Per track: items audited, items flagged, leak-free, and flagged items per kind."""
        return leakage_summary(self.audited, self.leaky, {(f.item_id, f.kind) for f in self.findings})


def leakage_summary(audited: list[str], flagged: set[str], kinds: set[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Per track: items audited, flagged, leak-free, and flagged items per kind."""
    out: dict[str, dict[str, int]] = {}

    def row(item_id: str) -> dict[str, int]:
        return out.setdefault(track_of(item_id), {"items": 0, "flagged": 0, "leak-free": 0, **dict.fromkeys(KINDS, 0)})

    for item_id in audited:
        row(item_id)["items"] += 1
    for item_id in flagged:
        row(item_id)["flagged"] += 1
    for counts in out.values():
        counts["leak-free"] = counts["items"] - counts["flagged"]
    for item_id, kind in kinds:
        row(item_id)[kind] += 1
    return out
