"""The pheval.llm study's own table (Chimirri et al., eBioMedicine 2025), counted by its authors' rule
(pheval.llm `compute_mrr_and_ranks`, read with the search tool; docs/phenopackets.md):

- per case (a prompt label), the candidates are ranked by score, highest first, ties in file order;
- a case whose candidates include a correct one (the file's `is_correct`) counts in `n<j>`, j the rank
  of the first correct candidate in file order (`n10p` beyond 10);
- a case with no correct candidate counts in `nf` ("not found") when every candidate is a grounded
  Mondo id, else in `grounding_failed` (some candidate stayed free text or another id: the answer
  could not be fully grounded);
- `num_cases` is the number of cases the file answers; top-k = (n1 + ... + nk) / num_cases;
- `mrr` is the mean over cases of the best reciprocal rank of a correct candidate (0 without one).

Beside it, ours and labelled ours: `study_cases` (the cases of the release the run could have
answered) and `top1_of_study`, `top3_of_study`, `top10_of_study` over those, where a case the file
does not answer counts as a miss.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmrare.graph.model import Direction, NodeRef
from mmrare.graph.store import GraphStore

RANKS = 10
OUTCOMES = (*(f"n{j}" for j in range(1, RANKS + 1)), "n10p", "nf", "grounding_failed")
TOP_KS = (1, 3, 5, 10)


@dataclass(frozen=True)
class Candidate:
    term: str
    score: float | None  # None when the file has no score column: its rank column is used
    rank: int
    correct: bool


@dataclass(frozen=True)
class CaseOutcome:
    outcome: str  # one of OUTCOMES
    first_correct_rank: int | None  # the rank of the first correct candidate in file order
    best_rr: float  # the best reciprocal rank of a correct candidate

    def hit(self, k: int) -> float:
        """The study's judgement: the first correct candidate (in file order) is within the top k."""
        return 1.0 if self.first_correct_rank is not None and self.first_correct_rank <= k else 0.0


def ranked(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates with the authors' ranks: by score, highest first, ties in file order (pandas'
    rank(ascending=False, method="first")); the file's own rank when a score is missing."""
    if any(c.score is None for c in candidates):
        return list(candidates)
    order = sorted(range(len(candidates)), key=lambda k: (-float(candidates[k].score or 0.0), k))
    rank_of = {k: r for r, k in enumerate(order, start=1)}
    # a candidate already at its rank is kept as it is (the files' own ranks mostly agree)
    return [
        c if c.rank == rank_of[k] else Candidate(c.term, c.score, rank_of[k], c.correct)
        for k, c in enumerate(candidates)
    ]


def case_outcome(candidates: Sequence[Candidate]) -> CaseOutcome:
    """One case's place in the table, by the authors' rule (module docstring)."""
    return outcome_of_ranked(ranked(candidates))


def outcome_of_ranked(rows: Sequence[Candidate]) -> CaseOutcome:
    """case_outcome of candidates `ranked` has already given the authors' ranks."""
    correct = [c for c in rows if c.correct]
    if not correct:
        grounded = all(c.term.startswith("MONDO") for c in rows)
        return CaseOutcome("nf" if grounded else "grounding_failed", None, 0.0)
    first = correct[0].rank
    return CaseOutcome(f"n{first}" if first <= RANKS else "n10p", first, max(1.0 / c.rank for c in correct))


def study_table(outcomes: Sequence[CaseOutcome], study_cases: int | None = None) -> dict[str, float | int]:
    """The authors' row for one run (model and language), then ours over the study's cases."""
    counts = {name: 0 for name in OUTCOMES}
    for o in outcomes:
        counts[o.outcome] += 1
    n = len(outcomes)
    row: dict[str, float | int] = {**counts, "num_cases": n}
    found = [counts[f"n{j}"] for j in range(1, RANKS + 1)]
    for k in TOP_KS:
        row[f"top{k}"] = sum(found[:k]) / n if n else 0.0
    row["mrr"] = sum(o.best_rr for o in outcomes) / n if n else 0.0
    if study_cases is not None:
        row["study_cases"] = study_cases
        for k in (1, 3, 10):
            row[f"top{k}_of_study"] = sum(found[:k]) / study_cases if study_cases else 0.0
    return row


def stored_outcome(props: Mapping[str, Any]) -> CaseOutcome:
    """A case's outcome as the import stored it on its Prediction (or on the run, for a label that
    matched no case)."""
    outcome = str(props["studyOutcome"])
    first = int(outcome[1:]) if outcome[1:].isdigit() else None
    return CaseOutcome(outcome, first, float(props.get("rr", 0.0)))


@dataclass(frozen=True)
class StudyRow:
    model: str
    condition: str
    run_id: str
    values: dict[str, float | int]
    unmatched: int  # labels of the file that match no case of the release (counted, as the authors do)
    grounded: dict[str, float | int] = field(default_factory=dict)  # ours (scoring/grounded_ids.py)
    tracks: tuple[str, ...] = ()  # the tracks the run answers


def study_rows(store: GraphStore, run_ids: Sequence[str], recompute: bool = False) -> list[StudyRow]:
    """The study's table for every run among `run_ids` that answers the study's way, ordered by model,
    then English first and the other conditions by name. The table counted at import is read from the
    run; `recompute` counts it again from the run's predictions (the same rule, the same numbers)."""
    runs = store.get_many("Run", run_ids)
    out = []
    for run_id, run in runs.items():
        unmatched = json.loads(run.get("unmatchedLabels") or "{}")
        if "studyTable" in run and not recompute:
            values = json.loads(run["studyTable"])
        else:
            refs = [n.node for n in store.neighbours([NodeRef("Run", run_id)], "IN_RUN", Direction.IN)]
            found = store.get_many("Prediction", [r.key for r in refs]).values()
            predictions = [p for p in found if "studyOutcome" in p]
            if not predictions and not unmatched:
                continue
            outcomes = [stored_outcome(p) for p in predictions] + [stored_outcome(u) for u in unmatched.values()]
            values = study_table(outcomes, run.get("studyCases"))
        grounded = json.loads(run.get("groundedTable") or "{}")
        condition, tracks = str(run.get("condition", "")), tuple(run.get("tracks", ()))
        out.append(StudyRow(run["model"], condition, str(run_id), values, len(unmatched), grounded, tracks))
    return sorted(out, key=lambda r: (r.model, r.condition != "en", r.condition, r.run_id))


def disagreements(store: GraphStore, run_id: str) -> dict[str, list[str]]:
    """The cases of a run where the study's rule and the strict grounded rule disagree, by reason:
    reason -> packet ids, sorted."""
    refs = [n.node for n in store.neighbours([NodeRef("Run", run_id)], "IN_RUN", Direction.IN)]
    predictions = [p for p in store.get_many("Prediction", [r.key for r in refs]).values() if p.get("groundingNote")]
    items = store.get_many("Item", {p["itemId"] for p in predictions})
    out: dict[str, list[str]] = {}
    for p in predictions:
        packet = str(items.get(p["itemId"], {}).get("packetId", p["itemId"])).strip()
        out.setdefault(str(p["groundingNote"]), []).append(packet)
    return {reason: sorted(cases) for reason, cases in sorted(out.items())}
