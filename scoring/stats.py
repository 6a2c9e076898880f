"""Pure statistics over lists of scores: means, case-clustered bootstrap intervals, paired comparison.

Items of one case are not independent (they share images and narrative), so resampling draws whole
cases. Every function takes its seed, so the same inputs always give the same interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 20260425
# Below this many cases a bootstrap interval says nothing (one case gives [x, x], which reads as
# certainty): every surface shows no interval instead.
MIN_CASES = 5


def mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def macro_mean(groups: Mapping[str, Sequence[float]]) -> float:
    """The mean of the group means (each group counts once, whatever its size)."""
    means = [mean(v) for v in groups.values() if len(v)]
    return float(np.mean(means)) if means else float("nan")


def _cluster_sums(values: Sequence[float], clusters: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    _, index = np.unique(np.asarray(clusters, dtype=object).astype(str), return_inverse=True)
    sums = np.bincount(index, weights=np.asarray(values, dtype=float))
    counts = np.bincount(index).astype(float)
    return sums, counts


def bootstrap_ci(
    values: Sequence[float],
    clusters: Sequence[str],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
    min_cases: int = MIN_CASES,
) -> tuple[float, float]:
    """Percentile interval of the item mean, resampling clusters (cases) with replacement; none (NaN)
    from fewer than `min_cases` clusters, or when no resampling is asked for."""
    if len(values) == 0 or resamples <= 0:
        return float("nan"), float("nan")
    sums, counts = _cluster_sums(values, clusters)
    if len(sums) < min_cases:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sums), size=(resamples, len(sums)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class PairedComparison:
    n: int  # items both runs answered
    mean_a: float
    mean_b: float
    difference: float  # mean_b - mean_a
    ci_low: float
    ci_high: float
    p_value: float  # two-sided, sign-flip permutation over cases


def paired_comparison(
    a: Mapping[str, float],
    b: Mapping[str, float],
    clusters: Mapping[str, str],
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> PairedComparison:
    shared = sorted(a.keys() & b.keys())
    if not shared:
        nan = float("nan")
        return PairedComparison(0, nan, nan, nan, nan, nan, nan)
    diffs = [b[k] - a[k] for k in shared]
    groups = [clusters.get(k, k) for k in shared]
    low, high = bootstrap_ci(diffs, groups, resamples, seed)
    sums, counts = _cluster_sums(diffs, groups)
    observed = sums.sum() / counts.sum()
    rng = np.random.default_rng(seed + 1)
    signs = rng.choice([-1.0, 1.0], size=(resamples, len(sums)))
    permuted = (signs * sums).sum(axis=1) / counts.sum()
    p = (np.sum(np.abs(permuted) >= abs(observed) - 1e-12) + 1) / (resamples + 1)
    return PairedComparison(
        len(shared), mean([a[k] for k in shared]), mean([b[k] for k in shared]), float(observed), low, high, float(p)
    )
