"""MRareBench T1 ranked-differential rules, each value worked by hand from the reference's rules."""

from __future__ import annotations

import pytest

from mmrare.scoring.ranked_differential import (
    first_hit_rank,
    gold_set,
    is_hit,
    parse_ranked_list,
    ranked_metrics,
    token_set_f1,
)


def test_numbered_lines_make_the_list_and_other_lines_are_ignored() -> None:
    reply = "Here is my differential:\n1. Marfan syndrome\n 2) Homocystinuria \nHope this helps."
    assert parse_ranked_list(reply) == ["Marfan syndrome", "Homocystinuria"]


def test_a_think_block_is_dropped_and_inline_numbering_split_after_it() -> None:
    reply = "<think>1. consider Fabry\n2. consider Gaucher</think>\n1. Fabry disease 2. Gaucher disease 3) Pompe"
    assert parse_ranked_list(reply) == ["Fabry disease", "Gaucher disease", "Pompe"]
    # without a think block the same line is one entry: the inline split is only for reasoning models
    assert parse_ranked_list("1. Fabry disease 2. Gaucher disease") == ["Fabry disease 2. Gaucher disease"]
    assert parse_ranked_list("<THINK>hmm</Think>Pompe disease") == ["Pompe disease"]


def test_without_numbers_lines_and_semicolons_split_and_bullets_are_trimmed() -> None:
    reply = "Marfan syndrome; Loeys-Dietz syndrome\n- Ehlers-Danlos syndrome\n\n* Homocystinuria"
    assert parse_ranked_list(reply) == [
        "Marfan syndrome",
        "Loeys-Dietz syndrome",
        "Ehlers-Danlos syndrome",
        "Homocystinuria",
    ]


def test_repeats_count_once_whatever_their_case_and_the_list_stops_at_ten() -> None:
    assert parse_ranked_list("1. Marfan syndrome\n2. MARFAN SYNDROME\n3. Homocystinuria") == [
        "Marfan syndrome",
        "Homocystinuria",
    ]
    twelve = "\n".join(f"{k}. disease {k}" for k in range(1, 13))
    assert parse_ranked_list(twelve) == [f"disease {k}" for k in range(1, 11)]


def test_an_empty_reply_fails_to_parse_but_the_text_nan_is_one_candidate() -> None:
    assert parse_ranked_list("") == [] and parse_ranked_list("  \n ; ") == []
    assert parse_ranked_list("nan") == ["nan"]  # what the reference makes of an empty cell


def test_gold_set_reads_json_lists_single_values_and_semicolons() -> None:
    assert gold_set(" Marfan syndrome ", '["MFS", " "]') == ["Marfan syndrome", "MFS"]
    assert gold_set("Marfan syndrome", "MFS; Marfan's") == ["Marfan syndrome", "MFS", "Marfan's"]
    assert gold_set("Marfan syndrome", '"MFS"') == ["Marfan syndrome", "MFS"]
    assert gold_set("Marfan syndrome", "") == ["Marfan syndrome"]
    assert gold_set("", None) == []


def test_token_set_f1_counts_repeated_words_once() -> None:
    # {ehlersdanlos, syndrome, vascular} against {ehlersdanlos, syndrome, vascular, type}: P 1, R 3/4
    assert token_set_f1("Vascular Ehlers-Danlos syndrome", "Ehlers-Danlos syndrome, vascular type") == pytest.approx(
        6 / 7
    )
    # "syndrome syndrome" is {syndrome}: P 1, R 1/2 against {marfan, syndrome}
    assert token_set_f1("syndrome syndrome", "Marfan syndrome") == pytest.approx(2 / 3)
    assert token_set_f1("the", "Marfan syndrome") == 0.0


@pytest.mark.parametrize(
    ("candidate", "gold", "hit"),
    [
        ("marfan syndrome.", ["Marfan syndrome"], True),  # equal after normalisation
        ("Fabry", ["Anderson-Fabry disease"], True),  # contained
        ("Marfan syndrome with aortic root dilation", ["Marfan syndrome"], True),  # contains
        ("Ehlers-Danlos syndrome, classic type", ["Ehlers-Danlos syndrome, vascular type"], True),  # F1 3/4
        ("Gaucher disease", ["Fabry disease"], False),  # F1 1/2
        ("Gaucher disease", ["Fabry disease", "Gaucher disease type 1"], True),  # an alias contains it
        ("Pompe disease", ["Fabry disease", "Pompe disease, late-onset"], True),
        ("The", ["Marfan syndrome"], False),  # nothing left after normalisation
        ("Marfan syndrome", ["", "  "], False),
    ],
)
def test_a_hit_is_equality_containment_or_token_set_f1_of_at_least_0_6(
    candidate: str, gold: list[str], hit: bool
) -> None:
    assert is_hit(candidate, gold) is hit


def test_first_hit_rank_is_one_based() -> None:
    ranked = ["Loeys-Dietz syndrome", "Homocystinuria", "Marfan syndrome"]
    assert first_hit_rank(ranked, ["Marfan syndrome"]) == 3
    assert first_hit_rank(ranked, ["Fabry disease"]) is None


def test_metrics_by_hand() -> None:
    ranks = [1, 3, None, 2, None, 7]
    failed = [False, False, True, False, False, False]
    values = ranked_metrics(ranks, failed)
    assert values["n_total"] == 6 and values["n_hit"] == 4
    assert values["hit_rate"] == pytest.approx(4 / 6)
    assert values["parse_fail_rate"] == pytest.approx(1 / 6)
    assert values["MRR"] == pytest.approx((1 + 1 / 3 + 1 / 2 + 1 / 7) / 6)  # 83/252
    assert values["MR"] == pytest.approx(13 / 4)  # over the four rows with a hit
    assert [values[f"recall@{k}"] for k in (1, 3, 5, 10)] == pytest.approx([1 / 6, 3 / 6, 3 / 6, 4 / 6])


def test_no_hit_at_all_gives_a_mean_rank_of_zero() -> None:
    values = ranked_metrics([None, None], [True, False])
    assert values["MR"] == 0.0 and values["MRR"] == 0.0 and values["parse_fail_rate"] == 0.5
