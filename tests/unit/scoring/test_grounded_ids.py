"""Orphanet-grounded scoring of ranked ids (scoring/grounded_ids.py) on a hand-built toy classification:

    500 big group (11 member disorders)      100 small group (2 member disorders)
          \\                                   /        \\
           +------------- 200 gold disorder --+          400 another disorder
                               |
                          300 subtype of the gold
"""

from __future__ import annotations

from mmrare.scoring.grounded_ids import (
    GROUP,
    NOT_ALIGNED,
    ORPHANET_BROADER,
    OTHER_CODE,
    UNMAPPED,
    OrphanetView,
    grounded_outcome,
)

VIEW = OrphanetView(
    mondo={"MONDO:2": (200,), "MONDO:1": (100,), "MONDO:5": (500,), "MONDO:3": (300,), "MONDO:4": (400,)},
    omim={"142900": {200: "E"}, "555000": {100: "E", 400: "E"}},
    ancestors={200: frozenset({100, 500}), 300: frozenset({200, 100, 500}), 400: frozenset({100}), 100: frozenset()},
    members={100: 2, 500: 11},
)


def outcome(terms: list[str], correct: list[bool] | None = None, gold: int | None = 200):
    ranks = list(range(1, len(terms) + 1))
    return grounded_outcome(VIEW, gold, terms, ranks, correct or [False] * len(terms))


def test_strict_is_the_gold_code_lenient_adds_small_groups_and_subtypes() -> None:
    o = outcome(["MONDO:4", "MONDO:1", "MONDO:2"])
    assert (o.strict_rank, o.lenient_rank) == (3, 2)  # the small group at 2 counts only leniently
    assert outcome(["MONDO:5", "MONDO:9"]).lenient_rank is None  # 11 members: too big a group
    assert outcome(["MONDO:3"]).lenient_rank == 1  # a subtype of the gold
    assert outcome(["MONDO:4"]).lenient_rank is None  # a sibling is no credit
    assert (outcome(["OMIM:142900"]).strict_hit(1), outcome(["ORPHA:200"]).strict_hit(1)) == (1.0, 1.0)
    assert outcome(["OMIM:555000"]).lenient_rank is None  # an OMIM id of two codes is not grounded


def test_disagreements_name_their_reason() -> None:
    assert outcome(["MONDO:2"], [True]).disagreement == ""
    assert outcome(["MONDO:1"], [True]).disagreement == GROUP
    assert outcome(["MONDO:4"], [True]).disagreement == OTHER_CODE
    assert outcome(["Holt-Oram syndrome"], [True]).disagreement == UNMAPPED
    assert outcome(["MONDO:2"], [True], gold=None).disagreement == NOT_ALIGNED
    assert outcome(["MONDO:2"], [False]).disagreement == ORPHANET_BROADER
    assert outcome(["MONDO:9"], [False]).disagreement == ""  # neither found it
