"""Scoring a run: token F1 for diagnosis, then a judge, with every judgement cached and stored.

Scores land on each Prediction as `tokenF1`, `exactMatch` and `score_<judge>`; each Judgement node
keeps its config hash, prompt, raw reply, dims, score and error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mmrare.core.blobs import BlobStore
from mmrare.core.items import natural_key
from mmrare.core.progress import Progress, no_progress
from mmrare.core.tracks import TRACK_BY_NAME
from mmrare.graph import records
from mmrare.graph.model import Direction, Node, NodeRef
from mmrare.graph.records import ItemRecord, PredictionRecord
from mmrare.graph.store import GraphStore, RelRow
from mmrare.scoring.judges import Judge, JudgeRequest, Verdict, judgement_id
from mmrare.scoring.offline_judges import gold_codes
from mmrare.scoring.token_f1 import best_token_f1, exact_match


def score_property(judge_name: str) -> str:
    return "score_" + judge_name.replace("-", "_")


@dataclass
class ScoreSummary:
    run_id: str
    judge: str
    config_hash: str
    predictions: int = 0
    judged: int = 0
    cached: int = 0
    errors: int = 0
    skipped_tracks: Counter = field(default_factory=Counter)
    mean_by_track: dict[str, float] = field(default_factory=dict)
    token_f1: float | None = None  # mean x 100 over diagnosis predictions


def named_runs(store: GraphStore, run_ids: Sequence[str]) -> list[Node]:
    """The runs named that exist, in the order given; every run when none is named."""
    if not run_ids:
        return store.select("Run")
    found = store.get_many("Run", list(run_ids))
    return [Node(NodeRef("Run", r), found[r]) for r in dict.fromkeys(run_ids) if r in found]


def run_predictions(store: GraphStore, run_id: str) -> list[tuple[PredictionRecord, ItemRecord]]:
    """(prediction, item) records of one run, ordered by item id."""
    if store.get(NodeRef("Run", run_id)) is None:
        raise ValueError(f"no run {run_id!r} in the graph (see `mmrare runs`)")
    pred_refs = [n.node for n in store.neighbours([NodeRef("Run", run_id)], "IN_RUN", Direction.IN)]
    preds = records.predictions(store, [str(r.key) for r in pred_refs])
    items = records.items(store, {p["itemId"] for p in preds.values()})
    pairs = [(p, items[p["itemId"]]) for p in preds.values() if p["itemId"] in items]
    return sorted(pairs, key=lambda pair: natural_key(pair[1]["itemId"]))


def _images(store: GraphStore, blobs: BlobStore, item_ids: list[str]) -> dict[str, tuple[bytes, ...]]:
    shows = store.neighbours([NodeRef("Item", i) for i in item_ids], "SHOWS")
    by_item: dict[str, list] = {}
    for rel in shows:
        by_item.setdefault(str(rel.start.key), []).append(rel)
    return {
        i: tuple(blobs.get(str(r.node.key)) for r in sorted(rels, key=lambda r: r.rel_props["order"]))
        for i, rels in by_item.items()
    }


JUDGE_BATCH = 50  # requests handed to a judge at a time, so progress moves while a long run is judged


def score_run(
    store: GraphStore,
    run_id: str,
    judge: Judge,
    blobs: BlobStore | None = None,
    progress: Progress = no_progress,
) -> ScoreSummary:
    pairs = run_predictions(store, run_id)
    summary = ScoreSummary(run_id, judge.config.name, judge.config.hash, predictions=len(pairs))
    golds = gold_codes(store, [item["itemId"] for _, item in pairs])
    usable = [(p, i) for p, i in pairs if i["track"] in judge.tracks]
    summary.skipped_tracks.update(i["track"] for p, i in pairs if i["track"] not in judge.tracks)
    images = _images(store, blobs, [i["itemId"] for _, i in usable]) if blobs is not None else {}
    requests = [
        JudgeRequest(i["itemId"], i["track"], i, p["text"], golds.get(i["itemId"], ()), images.get(i["itemId"], ()))
        for p, i in usable
    ]
    prompts = [judge.prompt_for(r) for r in requests]
    ids = [judgement_id(judge.config, prompt) for prompt in prompts]
    stored = store.get_many("Judgement", ids)
    todo = [k for k, jid in enumerate(ids) if jid not in stored or stored[jid].get("error")]
    fresh: dict[int, Verdict] = {}
    for start in range(0, len(todo), JUDGE_BATCH):
        progress(f"judging ({judge.config.name})", start, len(todo))
        batch = todo[start : start + JUDGE_BATCH]
        fresh.update(zip(batch, judge.judge_many([requests[k] for k in batch]), strict=True))
    progress(f"judging ({judge.config.name})", len(todo), len(todo))
    summary.judged, summary.cached = len(todo), len(ids) - len(todo)

    prop = score_property(judge.config.name)
    prediction_rows, judgement_rows, judged_rels = [], [], []
    scores_by_track: dict[str, list[float]] = {}
    for k, (request, jid) in enumerate(zip(requests, ids, strict=True)):
        verdict: Verdict | None = fresh.get(k)
        if verdict is not None:
            judgement_rows.append(
                {
                    "judgementId": jid,
                    "judge": judge.config.name,
                    "configHash": judge.config.hash,
                    "model": judge.config.model,
                    "prompt": verdict.prompt,
                    "reply": verdict.reply,
                    "dims": verdict.dims,
                    "score": verdict.score,
                    "error": verdict.error,
                    "itemId": request.item_id,
                    "runId": run_id,
                }
            )
            score, error = verdict.score, verdict.error
        else:
            score, error = stored[jid]["score"], stored[jid].get("error")
        summary.errors += error is not None
        prediction_id = usable[k][0]["predictionId"]
        judged_rels.append(RelRow(NodeRef("Prediction", prediction_id), NodeRef("Judgement", jid)))
        prediction_rows.append({"predictionId": prediction_id, prop: score})
        scores_by_track.setdefault(request.track, []).append(score)
    f1s = []
    for p, item in pairs:
        if "token_f1" in TRACK_BY_NAME[item["track"]].metrics:  # F1 and exact match, where a track offers them
            golds_text = [item.get("answer", ""), *item.get("aliases", [])]
            f1 = best_token_f1(p["text"], golds_text)
            f1s.append(f1)
            prediction_rows.append(
                {"predictionId": p["predictionId"], "tokenF1": f1, "exactMatch": exact_match(p["text"], golds_text)}
            )
    with store.transaction() as tx:
        tx.upsert_nodes("Judgement", judgement_rows)
        tx.upsert_rels("JUDGED", judged_rels)
        tx.upsert_nodes("Prediction", prediction_rows)
    summary.mean_by_track = {t: 100 * sum(v) / len(v) for t, v in sorted(scores_by_track.items())}
    summary.token_f1 = 100 * sum(f1s) / len(f1s) if f1s else None
    return summary
