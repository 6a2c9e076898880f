"""Judge replies in many shapes, each with its hand-worked score, one table per track.

Every step of each track's fallback chain has rows that stop there and rows that fall through it.
"""

from __future__ import annotations

import pytest

from mmrare.scoring.reply_parsing import parse_diagnosis, parse_examination, parse_yes_ratio


@pytest.mark.parametrize(
    ("reply", "score", "dims"),
    [
        # step 1: three or more whole-word yes/no, the first three count
        ("1. YES\n2. YES\n3. NO", 0.8, [1, 1, 0]),  # (3 + 1 + 0) / 5
        ("YES YES YES", 1.0, [1, 1, 1]),  # (3 + 1 + 1) / 5
        ("Exact: No. Category: yes. Specific: yes", 0.2, [0, 1, 1]),  # (1 + 1) / 10
        ("no\nyes\nno", 0.1, [0, 1, 0]),  # (1 + 0) / 10
        ("NO NO NO", 0.0, [0, 0, 0]),
        ("yes, yes and yes; also no", 1.0, [1, 1, 1]),  # only the first three count
        ("Yes.\nNo.\nYes. 1/4", 0.8, [1, 0, 1]),  # three found: the fraction is never read
        # step 2: fewer than three, the first x/y clamped to 1
        ("Nothing matched; score 2/3", 2 / 3, []),  # 'nothing' is not a whole-word 'no'
        ("score: 5/4", 1.0, []),  # min(5/4, 1)
        ("yes: 3 / 4", 0.75, [1]),  # spaces around the slash
        ("3/4.5", 0.75, []),  # the denominator is an integer: 3/4
        ("2.5/5", 0.5, []),  # the numerator may be a decimal
        ("Verdict 1/0", 0.0, []),  # zero denominator: 0, no further step
        ("yes 0/0 yes", 0.0, []),
        # step 3: nothing else gives 0 (no percentages or decimals for diagnosis)
        ("only yes here", 0.0, [1]),
        ("yesterday we said no", 0.0, [0]),
        ("75%", 0.0, []),
        ("0.9", 0.0, []),
        ("", 0.0, []),
    ],
)
def test_diagnosis(reply: str, score: float, dims: list[int]) -> None:
    assert parse_diagnosis(reply) == (pytest.approx(score), dims)


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        # step 1: two or more yes/no give yes / (yes + no), every one counted
        ("YES\nYES\nNO\nYES\nNO\nYES", 4 / 6),
        ("1. Yes 2. No", 0.5),  # list numbers are not answers
        ("yes yes yes yes yes yes yes no", 7 / 8),  # more than six: all of them count
        ("no, no: yes_no", 0.0),  # 'yes_no' is one word
        # step 2: exactly one
        ("Yes.", 1.0),
        ("No. 3/4", 0.0),  # one 'no' stops the chain before the fraction
        # step 3: the first x/y, clamped to 1
        ("Score 3/6", 0.5),
        ("Score 9/6", 1.0),
        ("3/4.5", 0.75),
        ("0/5 and then 90%", 0.0),  # 0/5 is a fraction: 0
        ("5/0 then 80%", 0.0),  # zero denominator: 0, the percentage is never read
        # step 4: the first N%, clamped to 1
        ("Overall 75% of criteria met", 0.75),
        ("150 %", 1.0),
        ("12.5% then 0.9", 0.125),
        # step 5: the first 0/1 decimal anywhere in the reply
        ("0.4", 0.4),
        ("Score: 0.75", 0.75),
        ("1", 1.0),
        ("1.5", 1.0),  # the '1' before the dot
        ("1.00", 1.0),
        ("about 2.0 of 6", 0.0),  # the '0' after the dot: 0.0
        ("0.333 then 1", 0.333),  # the first one
        (" .25 ", 0.0),  # a bare '.25' is no 0/1 decimal ('25' is not 0 or 1)
        (".5", 0.0),
        ("10 points", 0.0),  # '10' is no whole-word 0 or 1
        # step 6: 0
        ("garbage", 0.0),
        ("", 0.0),
    ],
)
def test_treatment_and_crossmodal(reply: str, score: float) -> None:
    assert parse_yes_ratio(reply)[0] == pytest.approx(score)


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        # step 1: eight or more whole-word digits 0-2: the first eight over 16
        ("2 1 0 2 2 1 1 0", 9 / 16),
        ("Scores: 2, 2, 2, 2, 2, 2, 2, 2, 1", 1.0),  # the first eight
        # list numbers 1 and 2 are whole-word digits too: 1,2,2,1,0,2,1,1 are the first eight -> 10/16
        ("1. 2\n2. 1\n3. 0\n4. 2\n5. 1\n6. 1\n7. 2\n8. 0", 10 / 16),
        ("2.5 0 0 0 0 0 0 0", 2 / 16),  # '2' before the dot counts, '5' is no 0-2 digit
        # step 2: at least six yes/no: the ratio
        ("yes yes no yes yes yes", 5 / 6),
        ("1 1 1 yes no no no no no", 1 / 6),  # three digits only: the yes/no decide
        # step 3: the first x/y, clamped to 1
        ("yes no yes 6/8", 0.75),  # fewer than six yes/no
        ("12/16", 0.75),  # '12' and '16' are not digits 0-2
        ("20/16", 1.0),
        ("7/0", 0.0),  # zero denominator
        # step 4: 0 (no percentage or decimal step here)
        ("yes no yes", 0.0),
        ("90%", 0.0),
        ("0.9", 0.0),
        ("no idea", 0.0),
    ],
)
def test_examination(reply: str, score: float) -> None:
    assert parse_examination(reply)[0] == pytest.approx(score)


def test_dims_record_what_was_read() -> None:
    assert parse_examination("2 1 0 2 2 1 1 0 2")[1] == [2, 1, 0, 2, 2, 1, 1, 0]
    assert parse_yes_ratio("yes no yes")[1] == [1, 0, 1]
    assert parse_diagnosis("7/0") == (0.0, [])
