"""MRareBench runs in the graph (one per model and input condition, the condition being the run's
VLMEvalKit dataset) as the file scorer sees prediction files (`differential_runs`), and from them the
condition comparisons: rows scored by the reference's string rule, with their items' answer codes
(ANSWER_IS), cases (ABOUT) and classes, compared as in scoring/conditions.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.mrarebench import DifferentialGold, DifferentialPrediction
from core.orphanet import parse_codes
from core.tracks import TRACK_BY_NAME
from graph.model import NodeRef
from graph.store import GraphStore
from scoring.conditions import ConditionContrast, condition_contrasts, item_strata, under_class
from scoring.differential_eval import DifferentialReport, evaluate
from scoring.service import named_runs, run_predictions
from scoring.stats import RESAMPLES


@dataclass(frozen=True)
class DifferentialRun:
    """One ranked-differential run of the graph as the file scorer sees a prediction file: its rows
    in file order, each with its item's gold (the item id as the row's index)."""

    run_id: str
    model: str
    dataset: str
    predictions: list[DifferentialPrediction]


def differential_runs(store: GraphStore, run_ids: Sequence[str]) -> list[DifferentialRun]:
    """Every ranked-differential run among `run_ids` (all runs when none), by run id."""
    runs = named_runs(store, run_ids)
    out = []
    for run in sorted(runs, key=lambda r: str(r.ref.key)):
        pairs = [pair for pair in run_predictions(store, str(run.ref.key)) if _ranked(pair[1])]
        if not pairs:
            continue
        pairs.sort(key=lambda pair: int(pair[0].get("row", 0)))
        dataset = run.props.get("dataset") or TRACK_BY_NAME[pairs[0][1]["track"]].datasets[0]
        rows = [DifferentialPrediction(item["itemId"], p["text"], _gold(item)) for p, item in pairs]
        out.append(DifferentialRun(str(run.ref.key), run.props["model"], dataset, rows))
    return out


def _gold(item: dict) -> DifferentialGold:
    codes = parse_codes(item.get("releaseOrpha"))[0]
    code = codes[0] if len(codes) == 1 else None
    return DifferentialGold(item["itemId"], item.get("answer", ""), list(item.get("aliases", [])), code)


@dataclass(frozen=True)
class ConditionRuns:
    """The graph's ranked-differential runs as one report each, with what the comparison needs."""

    reports: list[DifferentialReport]
    codes: dict[str, frozenset[int]]  # item id -> its answer's ORPHAcodes
    clusters: dict[str, str]  # item id -> its case


def condition_runs(store: GraphStore, run_ids: Sequence[str]) -> ConditionRuns:
    """Every ranked-differential run among `run_ids` (all runs when none), rows in file order."""
    found = differential_runs(store, run_ids)
    reports = [evaluate(r.model, r.dataset, r.predictions) for r in found]
    items = sorted({p.index for r in found for p in r.predictions})
    refs = [NodeRef("Item", i) for i in items]
    codes: dict[str, set[int]] = {i: set() for i in items}
    for n in store.neighbours(refs, "ANSWER_IS"):
        codes[str(n.start.key)].add(int(n.node.key))
    clusters = {i: i for i in items}
    clusters.update({str(n.start.key): str(n.node.key) for n in store.neighbours(refs, "ABOUT")})
    return ConditionRuns(reports, {i: frozenset(c) for i, c in codes.items()}, clusters)


def _ranked(item: dict) -> bool:
    track = TRACK_BY_NAME.get(item.get("track", ""))
    return track is not None and track.ranked_list


def graph_contrasts(
    store: GraphStore,
    run_ids: Sequence[str],
    metric: str = "rr",
    by: str = "head",
    under: int | None = None,
    resamples: int = RESAMPLES,
) -> list[ConditionContrast]:
    """FD - baseline and baseline - TO per model, overall and per stratum (`by`: head, prevalence or
    none), only items under a class when `under` is given."""
    found = condition_runs(store, run_ids)
    strata = {} if by == "none" else item_strata(store, found.codes, by)
    keep = under_class(store, found.codes, under) if under is not None else (lambda item_id: True)
    return condition_contrasts(found.reports, metric, strata, found.clusters, keep, resamples)
