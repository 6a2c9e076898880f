"""Which runs a report stands on. A model is evaluated once per dataset (a track, or MRareBench's input
condition); re-running it is routine, so a model or an empty request stands for one run per model and
dataset: the run chosen with `mmrare runs use`, else the newest. A run named by its id is taken as it
is. Deleting a run takes its predictions and their judgements with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore


def evaluation_of(run: Mapping[str, Any]) -> tuple[str, str]:
    """(model, dataset) of a run: what one of its re-runs would replace."""
    return str(run["model"]), str(run.get("dataset") or "+".join(run.get("tracks") or []))


def _preference(run: Mapping[str, Any]) -> tuple[bool, str, str]:
    # a chosen run first, then the newest import (ties broken by run id, for a stable answer)
    return (bool(run.get("chosen")), str(run.get("createdAt") or ""), str(run["runId"]))


def reported_runs(runs: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """Pure: per (model, dataset), the run reported: the chosen one, else the newest."""
    by_evaluation: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for run in runs:
        by_evaluation[evaluation_of(run)].append(run)
    return {key: str(max(members, key=_preference)["runId"]) for key, members in sorted(by_evaluation.items())}


def resolve_runs(store: GraphStore, names: Sequence[str], among: Collection[str] | None = None) -> list[str]:
    """Run ids from names that are run ids (taken as named) or model names (the model's reported run
    per dataset); no name means every model's reported runs. `among` limits what a model or no name
    stands for (an evaluator's own runs)."""
    runs = [n.props for n in store.select("Run")]
    standing = [r for r in runs if r["runId"] in among] if among is not None else runs
    chosen = reported_runs(standing)
    if not names:
        return list(chosen.values())
    return _named(runs, names, lambda model: [run_id for (m, _), run_id in chosen.items() if m == model])


def every_run(store: GraphStore, names: Sequence[str]) -> list[str]:
    """Run ids from names that are run ids or model names, a model standing for all of its runs (to
    score them, not to report them); no name means every run."""
    runs = [n.props for n in store.select("Run")]
    if not names:
        return sorted(str(r["runId"]) for r in runs)
    return _named(runs, names, lambda model: sorted(str(r["runId"]) for r in runs if r["model"] == model))


def _named(runs: Sequence[Mapping[str, Any]], names: Sequence[str], of_model: Callable[[str], list[str]]) -> list[str]:
    """Each name as a run id (taken as named) or a model name (the runs `of_model` says it stands for)."""
    ids = {str(r["runId"]) for r in runs}
    out: list[str] = []
    for name in names:
        found = [name] if name in ids else of_model(name)
        if not found:
            raise ValueError(f"{name!r} is neither a run nor a model with runs (see `mmrare runs`)")
        out += found
    return list(dict.fromkeys(out))


def use_run(store: GraphStore, run_id: str) -> list[str]:
    """Make a run the one reported for its model and dataset; the runs it replaces are returned."""
    run = store.get(NodeRef("Run", run_id))
    if run is None:
        raise ValueError(f"no run {run_id!r} (see `mmrare runs`)")
    key = evaluation_of(run.props)
    siblings = [n.props for n in store.select("Run") if evaluation_of(n.props) == key and n.props["runId"] != run_id]
    with store.transaction() as tx:
        tx.upsert_nodes("Run", [{"runId": run_id, "chosen": True}])
        # None removes the property (both stores): no sibling stays chosen
        tx.upsert_nodes("Run", [{"runId": r["runId"], "chosen": None} for r in siblings])
    return sorted(r["runId"] for r in siblings)


def delete_run(store: GraphStore, run_id: str) -> tuple[int, int]:
    """A run with its predictions and their judgements: (predictions, judgements) deleted. A
    judgement shared with a prediction of another run (the judge cache) stays."""
    if store.get(NodeRef("Run", run_id)) is None:
        raise ValueError(f"no run {run_id!r} (see `mmrare runs`)")
    predictions = [n.node for n in store.neighbours([NodeRef("Run", run_id)], "IN_RUN", Direction.IN)]
    judged = store.neighbours(predictions, "JUDGED")
    mine = {n.node for n in judged}
    others = {n.start for n in store.neighbours(list(mine), "JUDGED", Direction.IN)} - set(predictions)
    shared = {n.node for n in store.neighbours(list(others), "JUDGED")} if others else set()
    judgements = sorted(mine - shared, key=str)
    with store.transaction() as tx:
        tx.delete_nodes(judgements)
        tx.delete_nodes(predictions)
        tx.delete_nodes([NodeRef("Run", run_id)])
    return len(predictions), len(judgements)
