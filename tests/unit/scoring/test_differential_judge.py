"""The MRareBench T1 judge's reply reading and averaging, by the reference's rules, worked by hand."""

from __future__ import annotations

import pytest

from mmrare.scoring.differential_judge import JudgedRow, differential_prompt, judge_metrics, parse_dimensions


@pytest.mark.parametrize(
    ("reply", "dimensions"),
    [
        ("YES\nYES\n3\nYES\nYES", [1, 1, 3, 1, 1]),
        # numbered and labelled lines: the first yes/no word counts; "3. 2" loses its numbering
        ("1. PRESENCE: yes\n2. TOP1: no\n3. 2\n4. Yes.\n5. NO", [1, 0, 2, 1, 0]),
        # blank lines are skipped; "yesterday" is not "yes"; a bare "2)" is all numbering, so 0;
        # "No, although yes" starts with no; a fifth line is missing
        ("\n\nYes\n\nyesterday\n2)\nNo, although yes in part\n", [1, 0, 0, 0, 0]),
        ("YES\nNO\nType match: 3", [1, 0, 3, 0, 0]),
        ("YES\nYES\n13\nYES\nYES", [1, 1, 1, 1, 1]),  # "13" has no "13." numbering: its first 0-3 digit is 1
        ("", [0, 0, 0, 0, 0]),
    ],
)
def test_reply_lines_become_five_dimensions(reply: str, dimensions: list[int]) -> None:
    assert parse_dimensions(reply) == dimensions


def test_averages_scale_the_type_match_for_the_item_score_only() -> None:
    rows = [
        JudgedRow((1, 1, 3, 1, 1), ""),  # item score 1
        JudgedRow((1, 0, 2, 1, 0), ""),  # (1 + 0 + 2/3 + 1 + 0) / 5 = 8/15
        JudgedRow((0, 0, 0, 0, 0), "JUDGE_ERROR: HTTP 500"),  # a failed call counts zeros
    ]
    values = judge_metrics(rows)
    assert values["judge_avg_score"] == pytest.approx((1 + 8 / 15 + 0) / 3)
    assert values["judge_dim_presence"] == pytest.approx(2 / 3)
    assert values["judge_dim_top1"] == pytest.approx(1 / 3)
    assert values["judge_dim_typematch"] == pytest.approx(5 / 3)  # raw, on its 0-3 scale
    assert values["judge_dim_specificity"] == pytest.approx(2 / 3)
    assert values["judge_dim_coherence"] == pytest.approx(1 / 3)
    assert judge_metrics([]) == {}


def test_the_prompt_carries_the_list_and_every_gold_name() -> None:
    prompt = differential_prompt(["Loeys-Dietz syndrome", "Marfan syndrome"], ["Marfan syndrome", "MFS"])
    assert "Confirmed diagnosis: Marfan syndrome\nOther accepted names: MFS" in prompt
    assert "1. Loeys-Dietz syndrome\n2. Marfan syndrome" in prompt
    assert "Differential, most likely first:\n(empty)" in differential_prompt([], ["Marfan syndrome"])
