"""The pheval.llm study's rule (scoring/study_table.py), hand-worked."""

from __future__ import annotations

import pytest

from mmrare.scoring.study_table import Candidate, CaseOutcome, case_outcome, study_table


def c(term: str, score: float | None, rank: int, correct: bool = False) -> Candidate:
    return Candidate(term, score, rank, correct)


def test_first_correct_rank_counts_in_its_column() -> None:
    o = case_outcome([c("MONDO:1", 1.0, 1), c("MONDO:2", 0.5, 2, True), c("MONDO:3", 0.33, 3)])
    assert (o.outcome, o.first_correct_rank, o.best_rr) == ("n2", 2, 0.5)
    assert (o.hit(1), o.hit(3)) == (0.0, 1.0)


def test_no_correct_candidate_is_nf_when_all_are_mondo_else_grounding_failed() -> None:
    assert case_outcome([c("MONDO:1", 1.0, 1), c("MONDO:2", 0.5, 2)]).outcome == "nf"
    # one candidate stayed free text: the answer could not be grounded
    assert case_outcome([c("Lamin A/C-related disease", 1.0, 1), c("MONDO:2", 0.5, 2)]).outcome == "grounding_failed"
    assert case_outcome([c("OMIM:115200", 1.0, 1)]).outcome == "grounding_failed"  # not a Mondo id either


def test_a_correct_answer_wins_over_free_text_elsewhere() -> None:
    o = case_outcome([c("MONDO:0007732", 1.0, 1, True), c("Okihiro syndrome", 0.5, 2)])
    assert o.outcome == "n1"


def test_ranks_come_from_scores_ties_in_file_order() -> None:
    # scores 0.5, 1.0, 0.5: the second row ranks 1, the first 2 (file order breaks the tie), the third 3
    o = case_outcome([c("MONDO:1", 0.5, 1), c("MONDO:2", 1.0, 2), c("MONDO:3", 0.5, 3, True)])
    assert o.outcome == "n3"


def test_first_correct_in_file_order_sets_n_but_the_best_rank_sets_rr() -> None:
    # the first correct row (file order) has the lower score: rank 2; a later correct row ranks 1
    o = case_outcome([c("MONDO:1", 0.5, 2, True), c("MONDO:2", 1.0, 1, True)])
    assert (o.outcome, o.best_rr) == ("n2", 1.0)


def test_beyond_ten_is_n10p() -> None:
    rows = [c(f"MONDO:{k}", 1.0 / k, k, k == 12) for k in range(1, 13)]
    o = case_outcome(rows)
    assert (o.outcome, o.first_correct_rank, o.hit(10)) == ("n10p", 12, 0.0)
    assert o.best_rr == pytest.approx(1 / 12)


def test_without_scores_the_files_ranks_are_used() -> None:
    o = case_outcome([c("MONDO:1", None, 2, True), c("MONDO:2", None, 1)])
    assert o.outcome == "n2"


def test_table_counts_and_rates() -> None:
    outcomes = [
        CaseOutcome("n1", 1, 1.0),
        CaseOutcome("n2", 2, 0.5),
        CaseOutcome("n3", 3, 1 / 3),
        CaseOutcome("nf", None, 0.0),
        CaseOutcome("grounding_failed", None, 0.0),
    ]
    row = study_table(outcomes, study_cases=8)
    assert (row["n1"], row["n2"], row["n3"], row["nf"], row["grounding_failed"], row["num_cases"]) == (1, 1, 1, 1, 1, 5)
    assert row["top1"] == pytest.approx(1 / 5)
    assert row["top3"] == pytest.approx(3 / 5)
    assert row["top10"] == pytest.approx(3 / 5)
    assert row["mrr"] == pytest.approx((1 + 0.5 + 1 / 3) / 5)
    # ours: over the study's eight cases, the three the file does not answer count as misses
    assert row["top1_of_study"] == pytest.approx(1 / 8)
    assert row["top3_of_study"] == pytest.approx(3 / 8)


def test_empty_table_is_zero_not_an_error() -> None:
    row = study_table([])
    assert row["num_cases"] == 0 and row["top1"] == 0.0 and row["mrr"] == 0.0
