"""MRareBench T2 (evidence verification) scored as the reference evaluator scores it: deterministic
metrics with no judge, and the per-item YES/NO rubric when a judge's replies are given
(docs/mrarebench.md has the keys and rules; scoring/evidence_judge.py asks the judge).

Deterministic, per row (`row_metrics`):
- the reply's sentences: split after . ! ? followed by space, and at line breaks; each loses
  leading spaces, dashes, stars, hashes, '>', bullets, digits, dots and ')'; shorter than 3 dropped;
- each required (and each optional) point's best similarity to a sentence, its mean, and the share
  at or above each threshold (`det_required_recall@0.5` is the headline);
- each sentence's best similarity to any gold text (points and the rationale's sentences):
  groundedness and the share of grounded sentences;
- a required point labelled "[Image k]" is compared only with sentences that mention image k;
- which images the reply cites ('Image 3', 'image #3') against the images there are and the
  decisive and supporting ones: coverage, out-of-range and format compliance over items with
  images, selection recall, precision and off-target rate over items with distractor images only;
- the hierarchical required recall: required points hit at the headline threshold, where
  cross-image points count only when every visual point is hit, and diagnostic ones only when every
  visual and cross-image point is, weighted by layer.

Similarities come from one call per group of texts, as in the reference: TF-IDF is fitted on the
texts of each call, so the grouping changes the numbers (scoring/tfidf.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mmrare.core.mrarebench import EvidenceGold, EvidencePrediction, evidence_points, image_numbers
from mmrare.core.pandas_cells import reference_text
from mmrare.core.tracks import read_list_cell
from mmrare.scoring import tfidf

Similarity = Callable[[Sequence[str], Sequence[str]], list[list[float]]]

TAUS = (0.3, 0.35, 0.4, 0.5, 0.6)
HEADLINE_TAU = 0.5
LEVEL = {
    "modality": 1,
    "macro_pattern": 1,
    "micro_pattern": 1,
    "other": 1,
    "cross_image_integration": 2,
    "diagnostic_attribution": 3,
}
WEIGHT = {
    "modality": 0.5,
    "macro_pattern": 1.0,
    "micro_pattern": 1.2,
    "other": 1.0,
    "cross_image_integration": 2.0,
    "diagnostic_attribution": 0.75,
}
VISUAL = frozenset({"modality", "macro_pattern", "micro_pattern", "other"})
CROSS = frozenset({"cross_image_integration"})
# selection metrics mean something only where there are images beside the decisive ones
SELECTION_KEYS = ("det_image_select_recall", "det_image_select_precision", "det_image_attribution_offtarget_rate")

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
_SENTENCE_LEAD = re.compile(r"^[\s\-\*#>•\d\.\)]+")
_POINT_IMAGE = re.compile(r"\s*\[\s*image\s*(\d+)", re.IGNORECASE)
_CITED_IMAGE = re.compile(r"\bimage\s*#?\s*(\d+)", re.IGNORECASE)
_LABELLED_IMAGE = re.compile(r"(?im)^\s*[\*\-#>\s]*image\s*#?\s*(\d+)\s*\*{0,2}\s*[:\-\)]")
_YES_NO = re.compile(r"\b(yes|no)\b")


def gold_of_item(item: Mapping[str, Any], case: str) -> EvidenceGold:
    """A T2 item's gold, from its properties, as the reference reads its release row."""
    return EvidenceGold(
        item["itemId"],
        reference_text(item.get("finalDiagnosis")),
        reference_text(item.get("answer")),
        evidence_points(read_list_cell(item.get("evidencePoints")).values),
        int(item.get("nImages") or 0),
        image_numbers(item.get("decisiveImages")),
        image_numbers(item.get("supportingImages")),
        str(item.get("taskType") or ""),
        case,
    )


def sentences(text: str) -> list[str]:
    out = []
    for part in _SENTENCE_BREAK.split(str(text)):
        part = _SENTENCE_LEAD.sub("", part).strip()
        if len(part) >= 3:
            out.append(part)
    return out


def point_image(point: str) -> int | None:
    """The k of a point that opens with an '[Image k]' label."""
    m = _POINT_IMAGE.match(point)
    return int(m.group(1)) if m else None


def _share_at_least(values: Sequence[float], tau: float) -> float:
    return float(np.mean([1.0 if v >= tau else 0.0 for v in values]))


def _best(sim: Similarity, a: Sequence[str], b: Sequence[str]) -> list[float]:
    return [float(max(row)) for row in sim(a, b)]


def open_metrics(
    reply: str, required: Sequence[str], optional: Sequence[str], rationale: str, sim: Similarity
) -> dict[str, Any]:
    """The deterministic open-ended metrics of one reply (keys omitted where undefined)."""
    said = sentences(reply)
    out: dict[str, Any] = {"det_n_sentences": len(said)}
    req = _best(sim, required, said) if required and said else []
    opt = _best(sim, optional, said) if optional and said else []
    out["det_required_maxsims"], out["det_optional_maxsims"] = req, opt
    out["det_required_meanmaxsim"] = float(np.mean(req)) if req else None
    out["det_optional_meanmaxsim"] = float(np.mean(opt)) if opt else None
    for tau in TAUS:
        if req:
            out[f"det_required_recall@{tau}"] = _share_at_least(req, tau)
        if opt:
            out[f"det_optional_recall@{tau}"] = _share_at_least(opt, tau)
    gold = [*required, *optional, *sentences(rationale)]
    if said and gold:
        grounded = _best(sim, said, gold)
        out["det_sent_groundedness"] = grounded
        out["det_mean_sent_groundedness"] = float(np.mean(grounded))
        for tau in TAUS:
            out[f"det_grounded_ratio@{tau}"] = _share_at_least(grounded, tau)
    by_image = []
    for point in required:
        k = point_image(point)
        if k is None:
            continue
        mentioning = [s for s in said if re.search(rf"\bimage\s*{k}\b", s, re.IGNORECASE)]
        by_image.append(_best(sim, [point], mentioning)[0] if mentioning else 0.0)
    out["det_image_grounded_maxsims"] = by_image
    if by_image:
        out["det_image_grounded_meanmaxsim"] = float(np.mean(by_image))
        for tau in TAUS:
            out[f"det_image_grounded_recall@{tau}"] = _share_at_least(by_image, tau)
    return out


def attribution_metrics(
    reply: str, n_images: int, decisive: frozenset[int], supporting: frozenset[int]
) -> dict[str, float]:
    """Which images the reply cites, against the item's images and its gold evidence images."""
    cited = {int(k) for k in _CITED_IMAGE.findall(str(reply))}
    evidence = supporting | decisive
    valid = set(range(1, n_images + 1))
    out: dict[str, float] = {"det_n_ref_images": len(cited)}
    if valid:
        real, absent = cited & valid, cited - valid
        out["det_image_coverage"] = len(real) / len(valid)
        out["det_image_ref_out_of_range_rate"] = len(absent) / len(cited) if cited else 0.0
        labelled = {int(k) for k in _LABELLED_IMAGE.findall(str(reply))}
        out["det_image_format_compliance"] = len(labelled & valid) / len(valid)
        if cited and evidence:
            out["det_image_attribution_hallucination_rate"] = len((real - evidence) | absent) / len(cited)
    if decisive:
        out["det_image_select_recall"] = len(cited & decisive) / len(decisive)
        real = cited & valid if valid else cited
        if real:
            out["det_image_select_precision"] = len(real & decisive) / len(real)
            out["det_image_attribution_offtarget_rate"] = len(real - evidence) / len(real)
    return out


def _all_hit(hits: Sequence[int]) -> float:
    return 1.0 if all(h == 1 for h in hits) else 0.0


def hierarchical_score(hits: Sequence[int], layers: Sequence[str]) -> dict[str, float | None] | None:
    """The gated, weighted required recall of one item from its required points' hits (None when it
    has no required point, or hits and layers differ in number)."""
    if not hits or len(hits) != len(layers):
        return None
    visual_gate = _all_hit([h for h, c in zip(hits, layers, strict=True) if c in VISUAL])
    cross_gate = _all_hit([h for h, c in zip(hits, layers, strict=True) if c in CROSS])
    raw: dict[int, list[float]] = {1: [], 2: [], 3: []}
    gated: dict[int, list[float]] = {1: [], 2: [], 3: []}
    weighted, weights = [], []
    for hit, layer in zip(hits, layers, strict=True):
        level = min(LEVEL.get(layer, 1), 3)
        gate = 1.0 if level == 1 else visual_gate if level == 2 else visual_gate * cross_gate
        weights.append(WEIGHT.get(layer, 1.0))
        weighted.append(float(hit) * gate * weights[-1])
        raw[level].append(float(hit))
        gated[level].append(float(hit) * gate)

    def mean(values: list[float]) -> float | None:
        return float(np.mean(values)) if values else None

    return {
        "hierarchical_required_recall": float(sum(weighted) / sum(weights)),
        "hier_visual_gate": visual_gate,
        "hier_cross_gate": cross_gate,
        "hier_level1_visual_recall": mean(raw[1]),
        "hier_level2_cross_recall_raw": mean(raw[2]),
        "hier_level2_cross_recall_gated": mean(gated[2]),
        "hier_level3_diag_recall_raw": mean(raw[3]),
        "hier_level3_diag_recall_gated": mean(gated[3]),
    }


def row_metrics(reply: str, gold: EvidenceGold, sim: Similarity = tfidf.similarity) -> tuple[dict, dict]:
    """Every deterministic metric of one reply: the open-ended ones (with the hierarchical recall),
    and the image-attribution ones apart."""
    stopped = []

    def watched(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        # where scikit-learn stops the reference's evaluate(), we score 0 and count the row
        if tfidf.empty_vocabulary(left, right):
            stopped.append(True)
        return sim(left, right)

    out = open_metrics(reply, gold.required, gold.optional, gold.rationale, watched)
    out["empty_vocabulary"] = bool(stopped)
    maxsims = out["det_required_maxsims"]
    if maxsims and len(maxsims) == len(gold.required_layers):
        hits = [1 if s >= HEADLINE_TAU else 0 for s in maxsims]
        score = hierarchical_score(hits, gold.required_layers)
        if score is not None:
            out["det_hierarchical_required_recall"] = score["hierarchical_required_recall"]
    return out, attribution_metrics(reply, gold.n_images, gold.decisive, gold.supporting)


def parse_rubric(reply: str, n: int) -> list[int]:
    """The first n YES/NO answers of a rubric reply: per line, its first whole word yes or no
    (any case) counts, lines without one are skipped, and missing answers are NO."""
    found = []
    for line in str(reply).splitlines():
        m = _YES_NO.search(line.lower())
        if m:
            found.append(1 if m.group(1) == "yes" else 0)
    found = found[:n]
    return found + [0] * (n - len(found))


@dataclass(frozen=True)
class RubricVerdict:
    """One judge reply read as a rubric: required coverage, optional coverage, contradictions."""

    answers: tuple[int, ...]
    reply: str  # the judge's text, or the error


EMPTY_VOCABULARY_NOTE = (
    "{n} row(s) had a similarity call whose texts are all stop words: scikit-learn raises there and the "
    "reference's evaluate() stops; those similarities score 0 here"
)


@dataclass(frozen=True)
class EvidenceReport:
    model: str
    dataset: str
    reference: dict[str, Any]  # the reference's keys: numbers, and det_backend (the similarity's name)
    by_task_type: dict[str, dict[str, float]] = field(default_factory=dict)  # with a judge
    by_layer: dict[str, dict[str, float]] = field(default_factory=dict)  # with a judge
    rows: tuple[dict[str, Any], ...] = field(default=(), repr=False)  # per prediction row, in file order
    # rows where every text of a similarity call is stop words: scikit-learn raises there and the
    # reference's evaluate() stops; we score those similarities 0 and say how many rows had one
    empty_vocabulary: int = 0


def _mean_of(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if isinstance(r.get(key), int | float) and not isinstance(r.get(key), bool)]
    return float(np.mean(values)) if values else None


def evaluate_evidence(
    model: str,
    dataset: str,
    predictions: Sequence[EvidencePrediction],
    verdicts: Sequence[RubricVerdict] | None = None,
    sim: Similarity = tfidf.similarity,
) -> EvidenceReport:
    """The reference's keys for one prediction file's rows (with the judge's verdicts, one per row
    in order, the rubric keys too)."""
    rows: list[dict[str, Any]] = []
    everywhere: dict[str, list[float]] = {}  # coverage and the like: items with images
    distractor: dict[str, list[float]] = {}  # selection: items with images beside the decisive ones
    for p in predictions:
        if p.gold is None:  # no release row: counted in n_total, scored with nothing
            rows.append({"index": p.index})
            continue
        det, attribution = row_metrics(p.reply, p.gold, sim)
        has_distractors = bool(p.gold.decisive) and p.gold.n_images > len(p.gold.decisive)
        for key, value in attribution.items():
            if key in SELECTION_KEYS:
                if has_distractors:
                    distractor.setdefault(key, []).append(float(value))
            elif key != "det_n_ref_images":
                everywhere.setdefault(key, []).append(float(value))
        rows.append({"index": p.index, **det, **attribution, "det_has_distractors": int(has_distractors)})
    values: dict[str, Any] = {"n_total": len(predictions)}
    if predictions:  # the reference names the similarity of the first row it scored (None without one)
        values["det_backend"] = tfidf.BACKEND if any(p.gold is not None for p in predictions) else None
    keys = ["det_required_meanmaxsim", "det_optional_meanmaxsim", "det_mean_sent_groundedness"]
    keys.append("det_image_grounded_meanmaxsim")
    for tau in TAUS:
        keys += [f"det_required_recall@{tau}", f"det_optional_recall@{tau}"]
        keys += [f"det_grounded_ratio@{tau}", f"det_image_grounded_recall@{tau}"]
    for key in keys:
        mean = _mean_of(rows, key)
        if mean is not None:
            values[key] = mean
    by_layer: dict[str, list[float]] = {}
    for p, row in zip(predictions, rows, strict=True):
        if p.gold is None:
            continue
        for layer, best in zip(p.gold.required_layers, row["det_required_maxsims"], strict=False):
            by_layer.setdefault(layer, []).append(best)
    for layer, sims in sorted(by_layer.items()):
        values[f"det_required_{layer}_n_points"] = len(sims)
        values[f"det_required_{layer}_meanmaxsim"] = float(np.mean(sims))
        for tau in TAUS:
            values[f"det_required_{layer}_recall@{tau}"] = _share_at_least(sims, tau)
    values |= {k: float(np.mean(v)) for k, v in everywhere.items()}
    values["n_image_attribution_scored"] = len(everywhere.get("det_image_coverage", []))
    values |= {k: float(np.mean(v)) for k, v in distractor.items()}
    values["n_image_select_scored_distractor_subset"] = len(distractor.get("det_image_select_recall", []))
    hierarchical = [r["det_hierarchical_required_recall"] for r in rows if "det_hierarchical_required_recall" in r]
    if hierarchical:
        values["det_hierarchical_required_recall"] = float(np.mean(hierarchical))
        values["det_hierarchical_required_recall_drop"] = (
            values.get(f"det_required_recall@{HEADLINE_TAU}", 0.0) - values["det_hierarchical_required_recall"]
        )
    stopped = sum(1 for r in rows if r.get("empty_vocabulary"))
    if verdicts is None:
        return EvidenceReport(model, dataset, values, rows=tuple(rows), empty_vocabulary=stopped)
    judged, by_task_type, by_judged_layer = rubric_metrics(predictions, verdicts, rows)
    return EvidenceReport(model, dataset, values | judged, by_task_type, by_judged_layer, tuple(rows), stopped)


def rubric_metrics(
    predictions: Sequence[EvidencePrediction],
    verdicts: Sequence[RubricVerdict],
    rows: Sequence[dict[str, Any]],
) -> tuple[dict[str, float], dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """The judge keys (and per task type and per layer) from one verdict per row; each row's own
    judged numbers are added to it."""
    if len(verdicts) != len(predictions):
        raise ValueError(f"{len(verdicts)} judge verdicts for {len(predictions)} rows")
    required_recalls, optional_recalls, contradictions, hierarchical = [], [], [], []
    gates: dict[str, list[float]] = {k: [] for k in ("hier_visual_gate_pass_rate", "hier_cross_gate_pass_rate")}
    levels: dict[str, list[float]] = {}
    layer_hits: dict[str, list[int]] = {}
    by_task_type: dict[str, list[float]] = {}
    for p, verdict, row in zip(predictions, verdicts, rows, strict=True):
        if p.gold is None:
            continue
        n_req, n_opt = len(p.gold.required), len(p.gold.optional)
        answers = list(verdict.answers)
        req, opt, con = answers[:n_req], answers[n_req : n_req + n_opt], answers[n_req + n_opt : 2 * n_req + n_opt]
        if n_req:
            row["t2_required_recall"] = float(np.mean(req))
            row["t2_contradiction_rate"] = float(np.mean(con))
            required_recalls.append(row["t2_required_recall"])
            contradictions.append(row["t2_contradiction_rate"])
            by_task_type.setdefault(p.gold.task_type or "(blank)", []).append(row["t2_required_recall"])
        if n_opt:
            row["t2_optional_recall"] = float(np.mean(opt))
            optional_recalls.append(row["t2_optional_recall"])
        score = hierarchical_score(req, p.gold.required_layers)
        if score is not None:
            row["t2_hierarchical_required_recall"] = score["hierarchical_required_recall"]
            hierarchical.append(float(score["hierarchical_required_recall"] or 0.0))
            gates["hier_visual_gate_pass_rate"].append(float(score["hier_visual_gate"] or 0.0))
            gates["hier_cross_gate_pass_rate"].append(float(score["hier_cross_gate"] or 0.0))
            for key, value in score.items():
                if key.startswith("hier_level") and value is not None:
                    levels.setdefault(key, []).append(value)
        for layer, hit in zip(p.gold.required_layers, req, strict=False):
            layer_hits.setdefault(layer, []).append(hit)

    def mean_or_zero(values: list[float]) -> float:
        return float(np.mean(values)) if values else 0.0

    values = {
        "required_recall": mean_or_zero(required_recalls),
        "full_required_coverage": mean_or_zero([1.0 if r >= 1.0 else 0.0 for r in required_recalls]),
        "optional_recall": mean_or_zero(optional_recalls),
        "required_contradiction_rate": mean_or_zero(contradictions),
        "n_judged_required": len(required_recalls),
    }
    if hierarchical:
        values["hierarchical_required_recall"] = float(np.mean(hierarchical))
        values["hierarchical_required_recall_drop"] = values["required_recall"] - values["hierarchical_required_recall"]
        values["full_hierarchical_required_coverage"] = float(np.mean([1.0 if r >= 1.0 else 0.0 for r in hierarchical]))
        order: tuple[str, ...] = ("hier_level1_visual_recall", "hier_level2_cross_recall_raw")
        order += ("hier_level2_cross_recall_gated", "hier_level3_diag_recall_raw", "hier_level3_diag_recall_gated")
        values |= {k: float(np.mean(v)) for k, v in gates.items() if v}
        values |= {k: float(np.mean(levels[k])) for k in order if levels.get(k)}
    differences = [
        abs(row["t2_required_recall"] - row[f"det_required_recall@{HEADLINE_TAU}"])
        for row in rows
        if "t2_required_recall" in row and f"det_required_recall@{HEADLINE_TAU}" in row
    ]
    if differences:
        values["judge_vs_det_required_recall_mae"] = float(np.mean(differences))
    task_types = {t: {"n": len(v), "required_recall": float(np.mean(v))} for t, v in by_task_type.items()}
    layers = {
        layer: {"n": len(hits), "required_recall": float(np.mean(hits))}
        for layer, hits in sorted(layer_hits.items())
        if hits
    }
    return values, task_types, layers
