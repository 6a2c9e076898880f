"""Token F1 and exact match on hand-worked values."""

from __future__ import annotations

import pytest

from mmrare.scoring.token_f1 import best_token_f1, exact_match, normalise, token_f1


def test_normalisation() -> None:
    assert normalise("  The Loeys-Dietz syndrome, type 1. ") == "loeysdietz syndrome type 1"
    assert normalise("An anemia of the theatre") == "anemia of theatre"  # whole words only


@pytest.mark.parametrize(
    ("prediction", "gold", "f1"),
    [
        ("The Marfan syndrome", "Marfan syndrome", 1.0),
        # pred [syndrome, syndrome, marfan], gold [marfan, syndrome]: overlap 2, P 2/3, R 1 -> 0.8
        ("syndrome syndrome marfan", "marfan syndrome", 0.8),
        # overlap 1, P 1, R 1/2 -> 2/3
        ("syndrome", "syndrome syndrome", 2 / 3),
        # hyphen dropped: [loeysdietz, syndrome, type, 1] vs [loeys, dietz, syndrome]: P 1/4, R 1/3 -> 2/7
        ("Loeys-Dietz syndrome, type 1.", "Loeys Dietz syndrome", 2 / 7),
        ("an anemia", "Anemia", 1.0),
        ("cystic fibrosis", "Marfan syndrome", 0.0),
        ("", "Marfan syndrome", 0.0),
        ("Marfan syndrome", "", 0.0),
        ("", "", 0.0),
        ("the", "a", 0.0),  # both normalise to nothing
    ],
)
def test_token_f1(prediction: str, gold: str, f1: float) -> None:
    assert token_f1(prediction, gold) == pytest.approx(f1, abs=1e-12)


def test_best_over_answer_and_aliases() -> None:
    assert best_token_f1("MFS", ["Marfan syndrome", "MFS"]) == 1.0
    # vs 'Marfan syndrome': P 2/3, R 1 -> 0.8; vs 'Marfan disease': P 1/3, R 1/2 -> 0.4
    assert best_token_f1("Marfan syndrome type", ["Marfan disease", "Marfan syndrome"]) == pytest.approx(0.8)
    assert best_token_f1("anything", []) == 0.0


def test_exact_match() -> None:
    assert exact_match("The MARFAN syndrome!", ["Marfan syndrome"]) == 1.0
    assert exact_match("Marfan", ["Marfan syndrome", "MFS"]) == 0.0
    assert exact_match("mfs.", ["Marfan syndrome", "MFS"]) == 1.0
