"""Input conditions as paired comparisons: one model's items under two MRareBench conditions.

- T1, textual leakage: findings disclosed minus baseline (FD - baseline);
- T1, the value of the images: baseline minus text only (baseline - TO);
- T2, what the given diagnosis adds: gold minus diagnosis withheld (gold - NoDx);
- T2, the value of the images: gold minus text only (gold - TO).

Per item, a value of the chosen item metric under each condition (T1: the reciprocal rank of the
first hit, or a hit within the top k, by the reference's string rule; T2: a deterministic evidence
metric, such as the share of required points recalled); the mean difference over the items both
files answered, with a 95% interval that resamples whole cases and a sign-flip p-value
(scoring/stats.py), overall and per stratum (an Orphanet head, a prevalence class).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mmrare.core.tracks import ALL_TRACKS, Track
from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore
from mmrare.scoring.differential_eval import DifferentialReport
from mmrare.scoring.evidence_verification import TAUS, EvidenceReport
from mmrare.scoring.ranked_differential import RECALL_KS, RankedRow
from mmrare.scoring.stats import RESAMPLES, SEED, PairedComparison, paired_comparison

# (condition subtracted, condition it is subtracted from, what the difference measures): every
# registered track's contrasts (core/tracks.py)
COMPARISONS: tuple[tuple[str, str, str], ...] = tuple(
    dict.fromkeys((c.subtrahend, c.minuend, c.measures) for t in ALL_TRACKS for c in t.answered_under.contrasts)
)
ALL = "all items"


def _reciprocal_rank(row: RankedRow) -> float:
    return 1.0 / row.first_hit if row.first_hit else 0.0


def _hit_within(k: int) -> Callable[[RankedRow], float]:
    return lambda row: 1.0 if row.first_hit is not None and row.first_hit <= k else 0.0


ITEM_METRICS: dict[str, Callable[[RankedRow], float]] = {
    "rr": _reciprocal_rank,
    **{f"hit@{k}": _hit_within(k) for k in RECALL_KS},
}
# T2's per-item deterministic metrics (scoring/evidence_verification.py); an item without the metric
# (no required point, no sentence) is left out of the comparison
EVIDENCE_ITEM_METRICS = (
    *(f"det_required_recall@{tau}" for tau in TAUS),
    "det_hierarchical_required_recall",
    "det_required_meanmaxsim",
    "det_mean_sent_groundedness",
)


def contrast_metrics(track: Track) -> list[str]:
    """The track's metrics that a condition comparison takes as item values."""
    return [m for m in track.metrics if m in ITEM_METRICS or m in EVIDENCE_ITEM_METRICS]


def check_metric(metric: str) -> None:
    if metric not in ITEM_METRICS and metric not in EVIDENCE_ITEM_METRICS:
        choices = ", ".join([*ITEM_METRICS, *EVIDENCE_ITEM_METRICS])
        raise ValueError(f"unknown item metric {metric!r}; choose one of {choices}")


def ranked_values(reports: Sequence[DifferentialReport], metric: str) -> list[ConditionValues]:
    """T1 files' item values of a ranked-list metric."""
    check_metric(metric)
    if metric not in ITEM_METRICS:
        return []
    value = ITEM_METRICS[metric]
    return [ConditionValues(r.model, r.dataset, {row.item_index: value(row) for row in r.rows}) for r in reports]


def evidence_values(reports: Sequence[EvidenceReport], metric: str) -> list[ConditionValues]:
    """T2 files' item values of an evidence metric."""
    check_metric(metric)
    if metric not in EVIDENCE_ITEM_METRICS:
        return []
    return [
        ConditionValues(
            r.model, r.dataset, {row["index"]: float(row[metric]) for row in r.rows if row.get(metric) is not None}
        )
        for r in reports
    ]


@dataclass(frozen=True)
class ConditionValues:
    """One model's file under one condition: an item metric's value per item."""

    model: str
    dataset: str
    values: dict[str, float]


@dataclass(frozen=True)
class ConditionContrast:
    model: str
    measures: str  # what the difference measures (COMPARISONS' third element)
    stratum: str  # ALL, or a head or prevalence class
    comparison: PairedComparison  # mean_a: the subtracted condition, mean_b: the other; difference b - a


def condition_contrasts(
    files: Sequence[ConditionValues],
    strata: Mapping[str, Sequence[str]],
    clusters: Mapping[str, str],
    keep: Callable[[str], bool] = lambda index: True,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> list[ConditionContrast]:
    """Every comparison a model has both files for, over all kept items and within each stratum
    (`strata`: item index -> the strata it belongs to)."""
    by_model: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for f in files:
        if f.dataset in by_model[f.model]:
            raise ValueError(f"{f.model} has two {f.dataset} files; give one per condition")
        by_model[f.model][f.dataset] = {index: v for index, v in f.values.items() if keep(index)}
    out = []
    for model, conditions in sorted(by_model.items()):
        for minus, plus, measures in COMPARISONS:
            if minus not in conditions or plus not in conditions:
                continue
            a, b = conditions[minus], conditions[plus]
            groups: dict[str, list[str]] = defaultdict(list)
            for index in a.keys() & b.keys():
                for stratum in strata.get(index, ()):
                    groups[stratum].append(index)
            out.append(ConditionContrast(model, measures, ALL, paired_comparison(a, b, clusters, resamples, seed)))
            for stratum in sorted(groups):
                chosen = set(groups[stratum])
                sub_a = {k: v for k, v in a.items() if k in chosen}
                sub_b = {k: v for k, v in b.items() if k in chosen}
                comparison = paired_comparison(sub_a, sub_b, clusters, resamples, seed)
                out.append(ConditionContrast(model, measures, stratum, comparison))
    return out


NO_HEAD, NO_PREVALENCE, UNALIGNED = "no head", "no prevalence data", "answer not in Orphanet"


def item_strata(store: GraphStore, codes: Mapping[str, frozenset[int]], by: str) -> dict[str, list[str]]:
    """Each item's strata from its answer's ORPHAcode(s): the names of its classification heads, or its
    headline prevalence class."""
    if by not in ("head", "prevalence"):
        raise ValueError(f"strata are by head or prevalence, not {by!r}")
    diseases = store.get_many("Disease", {c for cs in codes.values() for c in cs})
    head_codes = {h for d in diseases.values() for h in d.get("heads", [])}
    head_names = {k: v.get("name", str(k)) for k, v in store.get_many("Disease", head_codes).items()}
    out: dict[str, list[str]] = {}
    for index, found in codes.items():
        known = [diseases[c] for c in sorted(found) if c in diseases]
        if not known:
            out[index] = [UNALIGNED]
        elif by == "head":
            names = sorted({head_names[h] for d in known for h in d.get("heads", []) if h in head_names})
            out[index] = names or [NO_HEAD]
        else:
            out[index] = [next((d["prevalenceClass"] for d in known if d.get("prevalenceClass")), NO_PREVALENCE)]
    return out


def under_class(store: GraphStore, codes: Mapping[str, frozenset[int]], under: int) -> Callable[[str], bool]:
    """Keeps the items whose answer is the class or below it (through SUBCLASS_OF)."""
    below = {int(r.key) for r in store.closure([NodeRef("Disease", under)], "SUBCLASS_OF", Direction.IN, True)}
    return lambda index: bool(codes.get(index, frozenset()) & below)
