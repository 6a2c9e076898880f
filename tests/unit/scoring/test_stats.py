"""Statistics on hand-worked inputs."""

from __future__ import annotations

import math

import pytest

from mmrare.scoring.stats import MIN_CASES, bootstrap_ci, macro_mean, mean, paired_comparison


def test_means() -> None:
    assert mean([1.0, 0.0, 0.5]) == 0.5
    # groups of sizes 3 and 1: micro 0.75, macro (2/3 + 1) / 2
    assert macro_mean({"a": [1.0, 1.0, 0.0], "b": [1.0]}) == pytest.approx(5 / 6)


def test_cluster_bootstrap_draws_whole_cases() -> None:
    # case A holds two items scoring 1, case B one item scoring 0. Resampling two cases gives
    # AA -> 1, BB -> 0, AB or BA -> 2/3: the 95% interval spans [0, 1]. Item-level resampling
    # would be impossible to tell apart from this only by its middle values; the ends prove cases move whole.
    low, high = bootstrap_ci([1.0, 1.0, 0.0], ["A", "A", "B"], resamples=4000, seed=1, min_cases=1)
    assert (low, high) == (0.0, 1.0)
    same = bootstrap_ci([0.7, 0.7, 0.7, 0.7], ["a", "b", "c", "d"], resamples=200, seed=1, min_cases=1)
    assert same == pytest.approx((0.7, 0.7))
    assert bootstrap_ci([0.1, 0.9, 0.4], ["a", "b", "c"], seed=3, min_cases=1) == bootstrap_ci(
        [0.1, 0.9, 0.4], ["a", "b", "c"], seed=3, min_cases=1
    )


def test_no_interval_below_five_cases() -> None:
    # one case gave [100, 100], which reads as certainty: below five cases there is no interval
    assert MIN_CASES == 5
    for n in (1, 2, 4):
        low, high = bootstrap_ci([1.0] * n, [f"c{k}" for k in range(n)])
        assert math.isnan(low) and math.isnan(high)
    # many items of four cases are still four cases
    assert math.isnan(bootstrap_ci([1.0] * 40, [f"c{k % 4}" for k in range(40)])[0])
    low, high = bootstrap_ci([1.0, 0.0, 1.0, 0.0, 1.0], list("abcde"))
    assert 0.0 <= low < 0.6 < high <= 1.0


def test_paired_comparison() -> None:
    a = {"x": 0.0, "y": 0.5, "z": 1.0, "only-a": 1.0}
    same = paired_comparison(a, dict(a), {}, resamples=500)
    assert (same.n, same.difference, same.p_value) == (4, 0.0, 1.0)
    better = {k: 1.0 for k in a}
    c = paired_comparison(a, {**better, "only-b": 0.0}, {}, resamples=999, seed=2)
    assert c.n == 4 and c.mean_a == pytest.approx(0.625) and c.difference == pytest.approx(0.375)
    # sign flips of the four differences (1, 0.5, 0, 0): |mean| reaches 0.375 only when both
    # non-zero differences keep their sign or both flip -> probability 1/2
    assert c.p_value == pytest.approx(0.5, abs=0.06)
