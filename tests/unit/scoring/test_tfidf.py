"""TF-IDF cosine as the reference's offline backend computes it, worked by hand."""

from __future__ import annotations

import math

import pytest

from mmrare.scoring.tfidf import STOP_WORDS, similarity, terms


def test_terms_drop_stop_words_and_short_tokens_before_pairing() -> None:
    # 'the', 'of' and 'in' are stop words; '1' is one character; pairs join the tokens left
    assert terms("The lesion of Image 1 in the LIVER") == ["lesion", "image", "liver", "lesion image", "image liver"]
    assert len(STOP_WORDS) == 318 and "system" in STOP_WORDS and "image" not in STOP_WORDS


def test_cosine_worked_by_hand() -> None:
    # three texts fitted together: 'renal', 'cysts' and 'renal cysts' are in two of them (idf ln(4/3) + 1),
    # 'bilateral' and 'bilateral renal' in one (idf ln(4/2) + 1)
    (row,) = similarity(["renal cysts"], ["bilateral renal cysts", "normal heart"])
    shared, own = math.log(4 / 3) + 1, math.log(2) + 1
    expected = 3 * shared * shared / (math.sqrt(3 * shared**2) * math.sqrt(3 * shared**2 + 2 * own**2))
    assert row[0] == pytest.approx(expected, abs=1e-12)
    assert row[1] == 0.0
    assert expected == pytest.approx(0.68159, abs=1e-5)


def test_identical_texts_and_stop_word_only_texts() -> None:
    assert similarity(["Image 1: renal cysts."], ["[Image 1] renal cysts"])[0][0] == pytest.approx(1.0)
    # scikit-learn stops with 'empty vocabulary' here; every similarity is 0
    assert similarity(["the of", "and"], ["it is"]) == [[0.0], [0.0]]
    assert similarity(["renal"], []) == [[]]
