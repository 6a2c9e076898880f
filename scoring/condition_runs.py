"""MRareBench runs in the graph (one per model and input condition, the condition being the run's
VLMEvalKit dataset) as the file scorers see prediction files (`differential_runs` for T1,
`evidence_runs` for T2), and from them the condition comparisons: rows scored by the reference's
rules, with their items' answer codes (ANSWER_IS), cases (ABOUT) and classes, compared as in
scoring/conditions.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mmrare.core.mrarebench import DifferentialGold, DifferentialPrediction, EvidenceGold, EvidencePrediction
from mmrare.core.orphanet import parse_codes
from mmrare.core.tracks import TRACK_BY_NAME, EvidenceKeys, RankedKeys
from mmrare.graph.model import Node, NodeRef
from mmrare.graph.records import ItemRecord, PredictionRecord, stored_metric
from mmrare.graph.store import GraphStore
from mmrare.scoring.conditions import (
    ITEM_METRICS,
    ConditionContrast,
    ConditionValues,
    check_metric,
    condition_contrasts,
    evidence_values,
    item_strata,
    ranked_values,
    under_class,
)
from mmrare.scoring.differential_eval import evaluate
from mmrare.scoring.evidence_verification import evaluate_evidence, gold_of_item
from mmrare.scoring.judge_choice import RANKED_METRICS
from mmrare.scoring.service import named_runs, run_predictions
from mmrare.scoring.stats import RESAMPLES

Pair = tuple[PredictionRecord, ItemRecord]


@dataclass(frozen=True)
class DifferentialRun:
    """One ranked-differential run of the graph as the file scorer sees a prediction file: its rows
    in file order, each with its item's gold (the item id as the row's index)."""

    run_id: str
    model: str
    dataset: str
    predictions: list[DifferentialPrediction]


@dataclass(frozen=True)
class EvidenceRun:
    """One T2 run of the graph as the file scorer sees a prediction file."""

    run_id: str
    model: str
    dataset: str
    predictions: list[EvidencePrediction]


def _track_runs(
    store: GraphStore, run_ids: Sequence[str], wanted: Callable[[Any], bool]
) -> list[tuple[Node, str, list[Pair]]]:
    """(run, dataset, pairs in file order) of every run among `run_ids` (all when none) that answers
    items of a wanted track."""
    out = []
    for run in sorted(named_runs(store, run_ids), key=lambda r: str(r.ref.key)):
        tracks = run.props.get("tracks")
        if tracks and not any(t in TRACK_BY_NAME and wanted(TRACK_BY_NAME[t]) for t in tracks):
            continue  # the run's tracks say it has none: its predictions are not read
        pairs = [pair for pair in run_predictions(store, str(run.ref.key)) if wanted(TRACK_BY_NAME[pair[1]["track"]])]
        if not pairs:
            continue
        pairs.sort(key=lambda pair: int(pair[0].get("row", 0)))
        dataset = run.props.get("dataset") or TRACK_BY_NAME[pairs[0][1]["track"]].datasets[0]
        out.append((run, dataset, pairs))
    return out


def differential_runs(store: GraphStore, run_ids: Sequence[str]) -> list[DifferentialRun]:
    """Every ranked-differential run among `run_ids` (all runs when none), by run id."""
    return [
        DifferentialRun(
            str(run.ref.key),
            run.props["model"],
            dataset,
            [DifferentialPrediction(item["itemId"], p["text"], _gold(item)) for p, item in pairs],
        )
        for run, dataset, pairs in _track_runs(store, run_ids, lambda t: isinstance(t.reference, RankedKeys))
    ]


def _gold(item: ItemRecord) -> DifferentialGold:
    codes = tuple(parse_codes(item.get("releaseOrpha"))[0])
    return DifferentialGold(item["itemId"], item.get("answer", ""), list(item.get("aliases", [])), codes)


def evidence_runs(store: GraphStore, run_ids: Sequence[str]) -> list[EvidenceRun]:
    """Every T2 (evidence verification) run among `run_ids` (all runs when none), by run id."""
    found = _track_runs(store, run_ids, lambda t: isinstance(t.reference, EvidenceKeys))
    golds = evidence_golds(store, [item for _, _, pairs in found for _, item in pairs])
    return [
        EvidenceRun(
            str(run.ref.key),
            run.props["model"],
            dataset,
            [EvidencePrediction(item["itemId"], p["text"], golds[item["itemId"]]) for p, item in pairs],
        )
        for run, dataset, pairs in found
    ]


def evidence_golds(store: GraphStore, items: Sequence[ItemRecord]) -> dict[str, EvidenceGold]:
    """T2 items' gold as the reference reads their release rows (the item id as the index), with
    their cases."""
    refs = [NodeRef("Item", i) for i in sorted({item["itemId"] for item in items})]
    cases = {str(n.start.key): str(n.node.key) for n in store.neighbours(refs, "ABOUT")}
    return {item["itemId"]: gold_of_item(item, cases.get(item["itemId"], item["itemId"])) for item in items}


@dataclass(frozen=True)
class ConditionRuns:
    """The graph's MRareBench runs as item values of one metric, with what the comparison needs."""

    files: list[ConditionValues]
    codes: dict[str, frozenset[int]]  # item id -> its answer's ORPHAcodes
    clusters: dict[str, str]  # item id -> its case


def condition_runs(store: GraphStore, run_ids: Sequence[str], metric: str = "rr") -> ConditionRuns:
    """Every MRareBench run among `run_ids` (all runs when none) whose track has the metric, as item
    values of it, rows in file order."""
    check_metric(metric)
    # only the runs of the track the metric belongs to are scored (T2's similarities cost seconds)
    stored: list[Pair] = []
    if metric in ITEM_METRICS:
        ranked = [evaluate(r.model, r.dataset, r.predictions) for r in differential_runs(store, run_ids)]
        files = ranked_values(ranked, metric)
        stored_files, stored = stored_values(store, run_ids, metric)
        files += stored_files
    else:
        evidence = [evaluate_evidence(r.model, r.dataset, r.predictions) for r in evidence_runs(store, run_ids)]
        files = evidence_values(evidence, metric)
    items = sorted({i for f in files for i in f.values})
    refs = [NodeRef("Item", i) for i in items]
    codes: dict[str, set[int]] = {i: set() for i in items}
    for n in store.neighbours(refs, "ANSWER_IS"):
        codes[str(n.start.key)].add(int(n.node.key))
    clusters = {i: i for i in items}
    clusters.update({str(n.start.key): str(n.node.key) for n in store.neighbours(refs, "ABOUT")})
    # an item that names its publication is resampled with the publication's other cases
    clusters.update({str(item["itemId"]): str(item["cluster"]) for _, item in stored if item.get("cluster")})
    return ConditionRuns(files, {i: frozenset(c) for i, c in codes.items()}, clusters)


def stored_values(store: GraphStore, run_ids: Sequence[str], metric: str) -> tuple[list[ConditionValues], list[Pair]]:
    """Runs answered under a condition whose reader stored the metric per prediction (phenopacket-store's
    languages: the study's judgement of each ranked list), as item values; and their (prediction,
    item) pairs."""
    prop = RANKED_METRICS.get(metric)
    if prop is None:
        return [], []
    files, pairs = [], []
    for run in named_runs(store, run_ids):
        if "condition" not in run.props or not run.props.get("dataset"):
            continue
        found = [
            (p, i, v) for p, i in run_predictions(store, str(run.ref.key)) if (v := stored_metric(p, prop)) is not None
        ]
        if found:
            values = {p["itemId"]: v for p, _, v in found}
            files.append(ConditionValues(str(run.props["model"]), str(run.props["dataset"]), values))
            pairs += [(p, i) for p, i, _ in found]
    return files, pairs


def graph_contrasts(
    store: GraphStore,
    run_ids: Sequence[str],
    metric: str = "rr",
    by: str = "head",
    under: int | None = None,
    resamples: int = RESAMPLES,
) -> list[ConditionContrast]:
    """The condition comparisons per model (T1: FD - baseline, baseline - TO; T2: gold - NoDx,
    gold - TO), overall and per stratum (`by`: head, prevalence or none), only items under a class
    when `under` is given."""
    found = condition_runs(store, run_ids, metric)
    strata = {} if by == "none" else item_strata(store, found.codes, by)
    keep = under_class(store, found.codes, under) if under is not None else (lambda item_id: True)
    return condition_contrasts(found.files, strata, found.clusters, keep, resamples)
