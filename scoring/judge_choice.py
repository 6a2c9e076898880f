"""Choosing a judge by name: the one place the CLI and the service turn a name into a judge."""

from __future__ import annotations

from mmrare.graph.store import GraphStore
from mmrare.scoring.judges import OFFLINE_JUDGES, Judge, judge_origin
from mmrare.scoring.offline_judges import OfflineJudge, OntologyJudge, RubricListJudge
from mmrare.scoring.openai_judge import OpenAIJudge, OpenAISettings

JUDGES = (*OFFLINE_JUDGES, "openai")
# ranked-answer metrics a benchmark's own reader stores per prediction (phenopacket-store: the study's
# judgement of its ranked candidates), name -> Prediction property
RANKED_METRICS = {
    "hit@1": "hit1",
    "hit@3": "hit3",
    "hit@10": "hit10",
    "rr": "rr",
    # ours: the candidates grounded to Orphanet (scoring/grounded_ids.py), strict and lenient
    **{f"grounded_hit@{k}": f"groundedHit{k}" for k in (1, 3, 10)},
    **{f"lenient_hit@{k}": f"lenientHit{k}" for k in (1, 3, 10)},
    "grounded_rr": "groundedRR",
}
# what every surface takes as a metric (the CLI, GraphQL, REST)
METRICS = ("token_f1", "exact", *JUDGES, *RANKED_METRICS)


def metric_property(metric: str) -> str:
    """The Prediction property a metric name stands for, whichever spelling a surface uses: token_f1 or
    tokenF1, exact or exactMatch, a judge as offline, judge:offline or score_offline."""
    if metric in ("token_f1", "tokenF1"):
        return "tokenF1"
    if metric in ("exact", "exactMatch"):
        return "exactMatch"
    if metric in RANKED_METRICS or metric in RANKED_METRICS.values():
        return RANKED_METRICS.get(metric, metric)
    judge = metric.removeprefix("judge:").removeprefix("score_").replace("_", "-")
    if judge not in JUDGES:
        raise ValueError(f"{metric!r} is not a metric; use one of {', '.join(METRICS)}")
    return "score_" + judge.replace("-", "_")


def canonical_metric(metric: str) -> str:
    """The one name every surface shows for a metric (one of METRICS), whichever spelling it was
    given in: score_offline and judge:offline are `offline`, tokenF1 is `token_f1`, hit1 is `hit@1`."""
    prop = metric_property(metric)
    return next(name for name in METRICS if metric_property(name) == prop)


def metric_origin(metric: str) -> str:
    """Who scored a metric: a judge (judge_origin says how it stands to the reference's), or no judge."""
    prop = metric_property(metric)
    if prop.startswith("score_"):
        return judge_origin(prop.removeprefix("score_").replace("_", "-"))
    return "no judge: counted from the answers themselves"


def make_judge(name: str, store: GraphStore, openai: OpenAISettings | None = None) -> Judge:
    if name == "openai":
        if openai is None:
            raise ValueError("the openai judge needs a base URL and a judge model (--base-url, --judge-model)")
        return OpenAIJudge(openai)
    if name == "offline":
        return OfflineJudge(store)
    if name == "ontology":
        return OntologyJudge(store)
    if name == "rubric-lists":
        return RubricListJudge()
    raise ValueError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
