"""The headline numbers exactly as the reference evaluator's `evaluate()` returns them, per model and
track, so a user can put them next to a paper table.

Keys and scales (docs/scoring.md): diagnosis gives `diagnosis_f1` (mean token F1 x 100) and, with a
judge, `diagnosis_judge_score`; the other tracks give `<track>_judge_score` with a judge, else
`substring_match` (the first 50 characters of the lowercased answer inside the lowercased
prediction). Judge scores are means on 0-1, unrounded. `n_total` counts the rows scored. The
reference drops rows whose `image` cell is empty when it loads a track, so those items are left out
here and counted apart.

MRareBench's ranked differentials (the `differential` track) give the keys of its own evaluate(), per
model and dataset (the input condition), from scoring/ranked_differential.py; that evaluator reads
every row, so none is dropped, and its optional judge is not one of ours (see `mmrare mrarebench`).
Its evidence verification (the `evidence` track) gives its evaluate()'s deterministic keys per model
and dataset (scoring/evidence_verification.py, TF-IDF similarity); its judge rubric is `mmrare
mrarebench score --judge-model`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import singledispatch

import numpy as np

from mmrare.core.items import track_of
from mmrare.core.mrarebench import EvidenceGold, EvidencePrediction
from mmrare.core.pandas_cells import reference_text
from mmrare.core.tracks import (
    TRACK_BY_NAME,
    EvidenceKeys,
    JudgedKeys,
    RankedKeys,
    ReferenceRule,
    StudyTable,
    read_list_cell,
)
from mmrare.graph import records
from mmrare.graph.model import NodeRef
from mmrare.graph.records import ItemRecord, stored_metric
from mmrare.graph.store import GraphStore
from mmrare.scoring.condition_runs import evidence_golds
from mmrare.scoring.evidence_verification import EvidenceReport, evaluate_evidence
from mmrare.scoring.ranked_differential import gold_set, ranked_metrics, score_reply
from mmrare.scoring.service import named_runs, run_predictions, score_property
from mmrare.scoring.token_f1 import best_token_f1


@dataclass(frozen=True)
class ReferenceRow:
    model: str
    run_id: str
    row: int  # position in the prediction file: sums run in this order, as the reference's do
    track: str
    prediction: str
    answer: str
    aliases: tuple[str, ...]
    has_image_cell: bool
    judge_score: float | None  # None: not scored by the chosen judge
    judge_error: bool = False
    dataset: str = ""  # the VLMEvalKit dataset of the run; blank: the track's first
    evidence: EvidenceGold | None = None  # a T2 row's gold
    apart: bool = False  # a row kept apart at import (an unknown or repeated index); no judge scores it

    @property
    def dataset_name(self) -> str:
        return self.dataset or TRACK_BY_NAME[self.track].datasets[0]


@dataclass(frozen=True)
class ReferenceScores:
    model: str
    track: str
    values: dict[str, float]  # the reference's keys, n_total included
    dropped_without_image: int
    judge: str | None
    judge_errors: int = 0
    runs: tuple[str, ...] = field(default=())
    dataset: str = ""
    apart: int = 0  # rows kept apart at import (unknown or repeated index) that these values include
    apart_not_judged: int = 0  # such rows left out because a judge's keys were asked for (none judges them)
    empty_vocabulary: int = 0  # T2 rows where scikit-learn would have stopped (scored 0 here)

    @property
    def label(self) -> str:
        """What the result is called: the track, or for a track answered under several input
        conditions (MRareBench), the dataset that names the condition."""
        return TRACK_BY_NAME[self.track].answered_under.result_label(self.track, self.dataset)


def substring_match(prediction: str, answer: str) -> float:
    """The reference's no-judge fallback for treatment, cross-modal and examination."""
    return 1.0 if answer.lower()[:50] in prediction.lower() else 0.0


def ranked_reference(rows: Sequence[ReferenceRow]) -> dict[str, float]:
    """MRareBench's deterministic keys over ranked-differential rows, in their order."""
    scored = [score_reply(str(r.row), r.prediction, gold_set(r.answer, list(r.aliases))) for r in rows]
    return ranked_metrics([s.first_hit for s in scored], [s.parse_failed for s in scored])


def evidence_reference(rows: Sequence[ReferenceRow]) -> EvidenceReport:
    """MRareBench T2's deterministic keys over evidence-verification rows, in their order."""
    predictions = [EvidencePrediction(str(r.row), r.prediction, r.evidence) for r in rows]
    return evaluate_evidence(rows[0].model, rows[0].dataset_name, predictions)


@dataclass(frozen=True)
class RowGroup:
    """The rows of one model, track and dataset, in file order, and what they came from."""

    model: str
    track: str
    dataset: str
    members: list[ReferenceRow]
    runs: tuple[str, ...]
    apart: int


def reference_scores(rows: Sequence[ReferenceRow], judge: str | None) -> list[ReferenceScores]:
    """Pure: the reference's evaluate() result per (model, track), and per dataset where a track has
    several (MRareBench's input conditions), each scored by its track's reference rule (none for a
    track whose reference is a study's table)."""
    groups: dict[tuple[str, str, str], list[ReferenceRow]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.run_id, r.row)):
        groups[(r.model, r.track, r.dataset_name)].append(r)
    out = []
    for (model, track, dataset), members in sorted(groups.items()):
        runs = tuple(sorted({r.run_id for r in members}))
        group = RowGroup(model, track, dataset, members, runs, sum(r.apart for r in members))
        out += rule_scores(TRACK_BY_NAME[track].reference, group, judge)
    return out


@singledispatch
def rule_scores(rule: object, group: RowGroup, judge: str | None) -> list[ReferenceScores]:
    """The reference's keys of one group of rows under its track's rule (one implementation per rule
    part in core/tracks.py; a benchmark bringing its own rule registers its own)."""
    raise TypeError(f"{group.track}: no reference scorer for the rule {type(rule).__name__}")


@rule_scores.register
def _ranked(rule: RankedKeys, group: RowGroup, judge: str | None) -> list[ReferenceScores]:
    keys = ranked_reference(group.members)
    return [ReferenceScores(group.model, group.track, keys, 0, None, 0, group.runs, group.dataset, group.apart)]


@rule_scores.register
def _evidence(rule: EvidenceKeys, group: RowGroup, judge: str | None) -> list[ReferenceScores]:
    report = evidence_reference(group.members)
    g = group
    return [
        ReferenceScores(
            g.model, g.track, report.reference, 0, None, 0, g.runs, g.dataset, g.apart, 0, report.empty_vocabulary
        )
    ]


@rule_scores.register
def _study_table(rule: StudyTable, group: RowGroup, judge: str | None) -> list[ReferenceScores]:
    return []  # no per-row keys: scoring/study_table.py reads the study's table from its runs


@rule_scores.register
def _judged(keys: JudgedKeys, group: RowGroup, judge: str | None) -> list[ReferenceScores]:
    model, track, members = group.model, group.track, group.members
    not_judged = [r for r in members if r.apart] if judge is not None else []
    members = [r for r in members if not (judge is not None and r.apart)]
    scored = [r for r in members if r.has_image_cell]
    values: dict[str, float] = {}
    if judge is not None:
        missing = [r for r in scored if r.judge_score is None]
        if missing:
            raise ValueError(
                f"{model} {track}: {len(missing)} prediction(s) have no {judge} score; run `mmrare score` first"
            )
        judge_scores = [r.judge_score or 0.0 for r in scored]
        if not judge_scores:
            values[f"{track}_judge_score"] = 0.0
        elif keys.numpy_mean:  # numpy's pairwise sums, as the reference takes diagnosis's mean
            values[f"{track}_judge_score"] = float(np.mean(judge_scores))
        else:  # sum()/len() in file order, as it takes the others'
            values[f"{track}_judge_score"] = sum(judge_scores) / len(judge_scores)
    if keys.token_f1:
        f1 = [best_token_f1(r.prediction.strip(), [r.answer, *r.aliases]) for r in scored]
        values[f"{track}_f1"] = float(np.mean(f1) * 100) if f1 else float("nan")
    elif judge is None:
        hits = [substring_match(r.prediction, r.answer) for r in scored]
        values["substring_match"] = sum(hits) / len(hits) if hits else 0.0
    values["n_total"] = len(scored)
    return [
        ReferenceScores(
            model,
            track,
            values,
            len(members) - len(scored),
            judge,
            sum(r.judge_error for r in scored),
            group.runs,
            group.dataset,
            group.apart - len(not_judged),
            len(not_judged),
        )
    ]


@singledispatch
def rule_golds(rule: object, store: GraphStore, items: list[ItemRecord]) -> dict[str, EvidenceGold]:
    """What a rule reads of its items' gold beyond the answer and aliases (by item id): nothing, but
    for T2's evidence points."""
    return {}


@rule_golds.register
def _evidence_golds(rule: EvidenceKeys, store: GraphStore, items: list[ItemRecord]) -> dict[str, EvidenceGold]:
    return evidence_golds(store, items)


def reference_headline(
    store: GraphStore, run_ids: Sequence[str], judge: str | None, tracks: Sequence[str] = ()
) -> list[ReferenceScores]:
    """The reference evaluator's keys of the runs (all runs when none), of `tracks` only when given;
    a track whose reference is a study's table gives none here (study_rows has it)."""
    rows = collect_reference_rows(store, run_ids, judge)
    return reference_scores([r for r in rows if not tracks or r.track in tracks], judge)


def collect_reference_rows(
    store: GraphStore, run_ids: Sequence[str], judge: str | None, tracks: Sequence[str] = ()
) -> list[ReferenceRow]:
    """The predictions of the given runs (all runs when none) with what the reference reads of each,
    and each run's rows kept apart at import (an unknown or repeated index), which it scores too;
    only the rows of `tracks` when given (a run whose tracks are known to be others is not read)."""
    runs = named_runs(store, run_ids)
    if tracks:
        wanted = set(tracks)
        runs = [r for r in runs if not r.props.get("tracks") or wanted & set(r.props["tracks"])]
    prop = None if judge is None else score_property(judge)
    by_run = {str(run.ref.key): run_predictions(store, str(run.ref.key)) for run in runs}
    extra = {str(run.ref.key): json.loads(run.props.get("extraRows") or "[]") for run in runs}
    known = records.items(store, {str(r["itemId"]) for rows in extra.values() for r in rows})
    # the items' gold once for all runs, per rule (T2's runs of three conditions answer the same items)
    items = [item for pairs in by_run.values() for _, item in pairs] + list(known.values())
    by_rule: dict[ReferenceRule, dict[str, ItemRecord]] = defaultdict(dict)
    for item in items:
        by_rule[TRACK_BY_NAME[item["track"]].reference][item["itemId"]] = item
    golds = {k: v for rule, its in by_rule.items() for k, v in rule_golds(rule, store, list(its.values())).items()}
    rows = []
    for run in runs:
        run_id, model, dataset = str(run.ref.key), run.props["model"], run.props.get("dataset", "")
        pairs = by_run[run_id]
        errors = _judge_errors(store, [p["predictionId"] for p, _ in pairs], judge) if judge else set()
        for p, item in pairs:
            score = None if prop is None else stored_metric(p, prop)
            row = int(p.get("row", item.get("index", 0)))  # older imports: the item's index order
            rows.append(
                _row_of_item(model, run_id, row, p["text"], item, golds, dataset, score, p["predictionId"] in errors)
            )
        for r in extra[run_id]:
            repeated = known.get(str(r["itemId"]))
            if repeated is not None:  # a repeated index: the reference scores the row again
                again = _row_of_item(model, run_id, int(r["row"]), str(r["text"]), repeated, golds, dataset, None)
                rows.append(replace(again, apart=True))
                continue
            # an index the release lacks: the reference reads the row's own answer columns ('' without
            # one), except T2, which scores such a row with nothing
            aliases = read_list_cell(r.get("aliases")).values
            own = tuple(str(a) for a in aliases if str(a).strip())
            track = track_of(str(r["itemId"]))
            answer = str(r.get("answer", ""))
            rows.append(
                ReferenceRow(
                    model,
                    run_id,
                    int(r["row"]),
                    track,
                    str(r["text"]),
                    answer,
                    own,
                    True,
                    None,
                    False,
                    dataset,
                    None,
                    True,
                )
            )
    return [r for r in rows if r.track in wanted] if tracks else rows


def _row_of_item(
    model: str,
    run_id: str,
    row: int,
    text: str,
    item: ItemRecord,
    golds: dict[str, EvidenceGold],
    dataset: str,
    score: float | None,
    error: bool = False,
) -> ReferenceRow:
    """What the reference reads of a prediction of one of our items. A T2 item without an image cell
    is a row the reference's loader dropped: it scores the prediction with nothing."""
    has_image_cell = item.get("hasImageCell", True)  # items imported before the flag existed had image cells
    return ReferenceRow(
        model,
        run_id,
        row,
        item["track"],
        text,
        reference_text(item.get("answer")),  # pandas reads "NA", "None" and the like as NaN
        tuple(item.get("aliases", [])),
        has_image_cell,
        score,
        error,
        dataset,
        golds.get(item["itemId"]) if has_image_cell else None,
    )


def _judge_errors(store: GraphStore, prediction_ids: list[str], judge: str) -> set[str]:
    judged = store.neighbours([NodeRef("Prediction", i) for i in prediction_ids], "JUDGED")
    judgements = store.get_many("Judgement", {n.node.key for n in judged})
    return {
        str(n.start.key)
        for n in judged
        if judgements.get(n.node.key, {}).get("judge") == judge and judgements[n.node.key].get("error")
    }
