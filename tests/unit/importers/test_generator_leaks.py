"""The generator's control over the phenotype kind: clean narratives never fit the answer alone,
planted sets fit it alone, at the strength asked for (hand-made carriers)."""

from __future__ import annotations

from mmrare.importers.benchmark.generator import Disease, shared_phenotypes, specific_phenotypes


def disease(code: int, phenotypes: list[str]) -> Disease:
    return Disease(code, f"d{code}", [], "head", phenotypes, [], [])


# who carries each phenotype: 1 has a, b, c, d, e; 2 shares a, b, c; 3 shares c, d; only 1 has e
CARRIERS = {"a": {1, 2}, "b": {1, 2, 4}, "c": {1, 2, 3}, "d": {1, 3}, "e": {1}}
D1 = disease(1, ["a", "b", "c", "d", "e"])


def test_shared_phenotypes_come_from_the_disease_sharing_most() -> None:
    assert shared_phenotypes(D1, CARRIERS) == ["a", "b", "c"]  # disease 2 shares three, disease 3 two
    assert shared_phenotypes(disease(9, ["x"]), {"x": {9}}) == []  # nothing shared: no phenotype named


def test_specific_phenotypes_single_and_combination() -> None:
    assert specific_phenotypes(D1, CARRIERS, "single") == ["e"]
    # rarest shared first: a (2 carriers) then d (2): {1, 2} & {1, 3} = {1}
    assert specific_phenotypes(D1, CARRIERS, "combination") == ["a", "d"]
    only_shared = {"a": {1, 2}, "b": {1, 2}}
    assert specific_phenotypes(disease(1, ["a", "b"]), only_shared, "combination") == []  # 2 always fits too
    assert specific_phenotypes(disease(1, ["a", "b"]), only_shared, "single") == []
