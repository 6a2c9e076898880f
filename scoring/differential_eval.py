"""Scoring one MRareBench T1 prediction file's rows (importers/mrarebench.py reads them): the
reference's deterministic keys (with a judge, its five dimensions too), and beside them, when the
graph holds Orphanet, the ontology-grounded numbers and the rows where the two rules disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mmrare.core.mrarebench import DifferentialGold, DifferentialPrediction
from mmrare.scoring.differential_judge import judge_differentials, judge_metrics
from mmrare.scoring.grounded_match import GroundedCandidate, OntologyMatcher, first_rank, grounded_metrics
from mmrare.scoring.openai_judge import OpenAISettings
from mmrare.scoring.ranked_differential import RankedRow, gold_set, ranked_metrics, score_reply
from mmrare.scoring.rare_candidate_judge import judge_rare_candidates, rare_candidate_metrics


@dataclass(frozen=True)
class Disagreement:
    index: str
    answer: str
    reference_rank: int | None
    reference_candidate: str | None
    grounded_rank: int | None
    reference_candidate_relation: str | None  # what the ontology says the string rule's hit is


@dataclass(frozen=True)
class DifferentialReport:
    model: str
    dataset: str
    reference: dict[str, float]
    grounded: dict[str, float] | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    rows: tuple[RankedRow, ...] = field(default=(), repr=False)  # per prediction row, in file order


def evaluate(
    model: str,
    dataset: str,
    predictions: Sequence[DifferentialPrediction],
    matcher: OntologyMatcher | None = None,
    judge: OpenAISettings | None = None,
    rare_judge: OpenAISettings | None = None,
) -> DifferentialReport:
    """The reference's keys for one file's rows (with a judge: its five dimensions too; with a
    rare-candidate judge: its rare-candidate keys), and the grounded numbers apart when a matcher
    is given."""
    rows = [score_reply(p.index, p.reply, gold_set(p.gold.answer, p.gold.aliases)) for p in predictions]
    golds = [p.gold for p in predictions]
    reference = ranked_metrics([r.first_hit for r in rows], [r.parse_failed for r in rows])
    if judge is not None:
        judged = judge_differentials([(r.ranked, r.gold) for r in rows], judge)
        reference |= judge_metrics(judged)
    if rare_judge is not None:
        lists = [r.ranked for r in rows]
        reference |= rare_candidate_metrics(lists, judge_rare_candidates(lists, rare_judge))
    if matcher is None:
        return DifferentialReport(model, dataset, reference, rows=tuple(rows))
    grounded_rows = [
        matcher.ground(r.ranked, answer_codes(g.orpha_codes, gold_set(g.answer, g.aliases), matcher))
        for r, g in zip(rows, golds, strict=True)
    ]
    return DifferentialReport(
        model,
        dataset,
        reference,
        grounded_metrics(grounded_rows),
        disagreements(rows, golds, grounded_rows),
        tuple(rows),
    )


def answer_codes(codes: Sequence[int], names: Sequence[str], matcher: OntologyMatcher) -> frozenset[int]:
    """The release's ORPHAcodes, else the first of the names (the answer, then each alias) that aligns."""
    if codes:
        return frozenset(codes)
    for text in names:
        code, _ = matcher.align(text)
        if code is not None:
            return frozenset({code})
    return frozenset()


def disagreements(
    rows: Sequence[RankedRow], golds: Sequence[DifferentialGold], grounded: Sequence[Sequence[GroundedCandidate]]
) -> list[Disagreement]:
    """The rows whose first hit differs between the string rule and the answer's ORPHAcode."""
    out = []
    for row, gold, candidates in zip(rows, golds, grounded, strict=True):
        mine = first_rank(candidates, frozenset({"answer"}))
        if mine == row.first_hit:
            continue
        hit = row.first_hit
        out.append(
            Disagreement(
                row.item_index,
                gold.answer,
                hit,
                row.ranked[hit - 1] if hit else None,
                mine,
                candidates[hit - 1].relation if hit else None,
            )
        )
    return out
