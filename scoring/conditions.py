"""Input conditions as paired comparisons: one model's items under two MRareBench T1 conditions.

- textual leakage: findings disclosed minus baseline (FD - baseline);
- the value of the images: baseline minus text only (baseline - TO).

Per item, a value of the chosen item metric under each condition (the reciprocal rank of the first
hit, or a hit within the top k, by the reference's string rule); the mean difference over the items
both files answered, with a 95% interval that resamples whole cases and a sign-flip p-value
(scoring/stats.py), overall and per stratum (an Orphanet head, a prevalence class).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graph.model import Direction, NodeRef
from graph.store import GraphStore
from scoring.differential_eval import DifferentialReport
from scoring.ranked_differential import RECALL_KS, RankedRow
from scoring.stats import RESAMPLES, SEED, PairedComparison, paired_comparison

# (condition subtracted, condition it is subtracted from, what the difference measures)
COMPARISONS = (
    ("MRareBench_Diagnosis", "MRareBench_Diagnosis_FD", "textual leakage (FD - baseline)"),
    ("MRareBench_Diagnosis_TO", "MRareBench_Diagnosis", "value of the images (baseline - TO)"),
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


@dataclass(frozen=True)
class ConditionContrast:
    model: str
    measures: str  # what the difference measures (COMPARISONS' third element)
    stratum: str  # ALL, or a head or prevalence class
    comparison: PairedComparison  # mean_a: the subtracted condition, mean_b: the other; difference b - a


def condition_contrasts(
    reports: Sequence[DifferentialReport],
    metric: str,
    strata: Mapping[str, Sequence[str]],
    clusters: Mapping[str, str],
    keep: Callable[[str], bool] = lambda index: True,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> list[ConditionContrast]:
    """Every comparison a model has both files for, over all kept items and within each stratum
    (`strata`: item index -> the strata it belongs to)."""
    if metric not in ITEM_METRICS:
        raise ValueError(f"unknown item metric {metric!r}; choose one of {', '.join(ITEM_METRICS)}")
    value = ITEM_METRICS[metric]
    by_model: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for report in reports:
        if report.dataset in by_model[report.model]:
            raise ValueError(f"{report.model} has two {report.dataset} files; give one per condition")
        by_model[report.model][report.dataset] = {r.item_index: value(r) for r in report.rows if keep(r.item_index)}
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
