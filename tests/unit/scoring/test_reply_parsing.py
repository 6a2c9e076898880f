"""Judge replies in many shapes, each with its hand-worked score."""

from __future__ import annotations

import pytest

from scoring.reply_parsing import parse_diagnosis, parse_examination, parse_yes_ratio


@pytest.mark.parametrize(
    ("reply", "score", "dims"),
    [
        ("1. YES\n2. YES\n3. NO", 0.8, [1, 1, 0]),  # (3 + 1 + 0) / 5
        ("Exact: No. Category: yes. Specific: yes", 0.2, [0, 1, 1]),  # (1 + 1) / 10
        ("NO NO NO", 0.0, [0, 0, 0]),
        ("yes, yes and yes; also no", 1.0, [1, 1, 1]),  # only the first three count
        ("Nothing matched; score 2/3", 2 / 3, []),  # 'nothing' is not a whole-word 'no'
        ("score: 5/4", 1.0, []),  # min(x/y, 1)
        ("only yes here", 0.0, [1]),  # fewer than three and no fraction
        ("yesterday we said no", 0.0, [0]),
        ("", 0.0, []),
        ("Verdict 1/0", 0.0, []),  # a zero denominator is no fraction
    ],
)
def test_diagnosis(reply: str, score: float, dims: list[int]) -> None:
    assert parse_diagnosis(reply) == (pytest.approx(score), dims)


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("YES\nYES\nNO\nYES\nNO\nYES", 4 / 6),
        ("1. Yes 2. No", 0.5),  # list numbers are not answers
        ("Yes.", 1.0),
        ("No.", 0.0),
        ("Score 3/6", 0.5),
        ("Overall 75% of criteria met", 0.75),
        ("0.4", 0.4),
        ("1", 1.0),
        (" .25 ", 0.25),
        ("1.5", 0.0),  # not a 0-1 decimal
        ("garbage", 0.0),
        ("", 0.0),
    ],
)
def test_treatment_and_crossmodal(reply: str, score: float) -> None:
    assert parse_yes_ratio(reply)[0] == pytest.approx(score)


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("2 1 0 2 2 1 1 0", 9 / 16),
        ("Scores: 2, 2, 2, 2, 2, 2, 2, 2, 1", 1.0),  # the first eight
        # list numbers 1 and 2 are whole-word digits too: 1,2,2,1,0,2,1,1 are the first eight -> 10/16
        ("1. 2\n2. 1\n3. 0\n4. 2\n5. 1\n6. 1\n7. 2\n8. 0", 10 / 16),
        ("yes yes no yes yes yes", 5 / 6),
        ("yes no yes", 0.0),  # fewer than six yes/no, no fraction
        ("12/16", 0.75),  # '12' and '16' are not digits 0-2
        ("no idea", 0.0),
    ],
)
def test_examination(reply: str, score: float) -> None:
    assert parse_examination(reply)[0] == pytest.approx(score)
