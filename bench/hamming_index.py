"""Multi-index hashing for the near-duplicate search, tried and measured, not used by the audit:
pairs of 64-bit hashes within a Hamming distance found from an index instead of by comparing every
pair (Norouzi, Punjani and Fleet, "Fast search in Hamming space with multi-index hashing", 2012).

Each hash is cut into four 16-bit blocks. Two hashes at most `d` bits apart differ in at most `d // 4`
bits in one block at least (four blocks of `d // 4 + 1` bits or more would make more than `d`). So for
each block, every bucket of hashes with one block value is paired with the buckets whose value is
within `d // 4` bits of it (697 values for the audit's d = 12), and only those pairs are compared
whole; a pair several blocks find is kept from the first. For n random hashes that is about
n * n * 4 * 697 / 65536 / 2 pairs, 1 in 24 of all pairs.

It finds the same pairs as the audit's scan (audit/rules.py compares each image with every later one,
a row at a time), and this script checks that. But it is slower here: each candidate pair is a
random read from arrays far larger than the processor's caches, while the scan streams one small
array, so 24 times fewer comparisons cost more. `python -m bench.hamming_index [--sizes ...]` prints
both.
"""

from __future__ import annotations

import numpy as np

BLOCKS = 4
BLOCK_BITS = 64 // BLOCKS
BLOCK_VALUES = 1 << BLOCK_BITS
MAX_INDEXED_RADIUS = 4  # a block radius of 5 would look up 6,885 values per block and hash
QUERY_LOOKUPS = 1 << 14  # bucket pairs looked up at once


def _block(values: np.ndarray, b: int) -> np.ndarray:
    return ((values >> np.uint64(b * BLOCK_BITS)) & np.uint64(BLOCK_VALUES - 1)).astype(np.int64)


def _all_pairs(left: np.ndarray, right: np.ndarray, same: bool, max_distance: int) -> list[np.ndarray]:
    """The plain way, row by row (for radii the index does not help with)."""
    found = []
    for i in range(len(left)):
        others = right[i + 1 :] if same else right
        near = np.nonzero(np.bitwise_count(others ^ left[i]) <= max_distance)[0]
        found.append(np.stack([np.full(near.size, i), near + (i + 1 if same else 0)]))
    return found


class _Buckets:
    """One side's hashes grouped by the value of one block: bucket v holds order[start[v] : start[v] + count[v]]."""

    def __init__(self, values: np.ndarray, b: int) -> None:
        block = _block(values, b)
        self.order = np.argsort(block, kind="stable")
        self.count = np.bincount(block, minlength=BLOCK_VALUES)
        self.start = np.cumsum(self.count) - self.count

    def members(self, buckets: np.ndarray, repeats: np.ndarray, each: np.ndarray) -> np.ndarray:
        """For bucket pair p (its bucket here `buckets[p]`, `repeats[p]` members on the other side),
        the hashes of every member pairing, `each` gives which member: a p-th pair's k-th pairing
        takes member `each[k]` of the bucket."""
        return self.order[np.repeat(self.start[buckets], repeats) + each]


def _indexed_pairs(left: np.ndarray, right: np.ndarray, same: bool, max_distance: int) -> list[np.ndarray]:
    radius = max_distance // BLOCKS
    masks = np.nonzero(np.bitwise_count(np.arange(BLOCK_VALUES)) <= radius)[0]
    if same:
        masks = masks[1:]  # two buckets of one side: each pair of buckets once (u < w), and within a bucket below
    found = []
    for b in range(BLOCKS):
        mine = _Buckets(left, b)
        theirs = mine if same else _Buckets(right, b)
        filled = np.nonzero(mine.count)[0]
        chunk = max(1, QUERY_LOOKUPS // max(masks.size, 1))
        for first in range(0, filled.size, chunk):
            u = np.repeat(filled[first : first + chunk], masks.size)
            w = (filled[first : first + chunk, None] ^ masks[None, :]).ravel()
            keep = theirs.count[w] > 0
            if same:
                keep &= u < w
            found.append(_checked(left, right, mine, theirs, u[keep], w[keep], b, radius, max_distance, same, False))
        if same:  # pairs within one bucket
            crowded = np.nonzero(mine.count > 1)[0]
            found.append(_checked(left, right, mine, mine, crowded, crowded, b, radius, max_distance, same, True))
    return found


def _checked(
    left: np.ndarray,
    right: np.ndarray,
    mine: _Buckets,
    theirs: _Buckets,
    u: np.ndarray,
    w: np.ndarray,
    b: int,
    radius: int,
    max_distance: int,
    same: bool,
    within: bool,
) -> np.ndarray:
    """The pairs (i, j) from bucket pairs (u[p] here, w[p] there) at most `max_distance` apart that no
    block before b finds (i < j within one side; `within`: u is w, each pair of its members once)."""
    a, c = mine.count[u], theirs.count[w]
    pairings = a * c
    offset = np.arange(int(pairings.sum())) - np.repeat(np.cumsum(pairings) - pairings, pairings)
    across = np.repeat(c, pairings)
    here, there = offset // across, offset % across
    if within:
        once = here < there
        u_rows = np.repeat(np.arange(u.size), pairings)[once]
        here, there, pairings = here[once], there[once], np.bincount(u_rows, minlength=u.size)
    i = mine.members(u, pairings, here)
    j = theirs.members(w, pairings, there)
    if same:
        i, j = np.minimum(i, j), np.maximum(i, j)
    apart = left[i] ^ right[j]
    keep = np.bitwise_count(apart) <= max_distance
    for earlier in range(b):  # a pair an earlier block finds is that block's
        keep &= np.bitwise_count(_block(apart, earlier)) > radius
    return np.stack([i[keep], j[keep]])


def hamming_pairs(
    left: np.ndarray, right: np.ndarray | None, max_distance: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (i, j, distance) with left[i] and right[j] (uint64) at most `max_distance` bits apart,
    ordered by i then j; with `right` None, the pairs within `left`, i < j."""
    same = right is None
    other = left if right is None else right
    if max_distance < 0 or len(left) == 0 or len(other) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    search = _indexed_pairs if max_distance // BLOCKS <= MAX_INDEXED_RADIUS else _all_pairs
    pairs = np.concatenate([np.zeros((2, 0), dtype=np.int64), *search(left, other, same, max_distance)], axis=1)
    i, j = pairs[0].astype(np.int64), pairs[1].astype(np.int64)
    ranked = np.lexsort((j, i))
    i, j = i[ranked], j[ranked]
    return i, j, np.bitwise_count(left[i] ^ other[j]).astype(np.int64)


def scanned_pairs(hashes: np.ndarray, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
    """The audit's way: each hash against every later one."""
    pairs = np.concatenate([np.zeros((2, 0), dtype=np.int64), *_all_pairs(hashes, hashes, True, max_distance)], axis=1)
    return pairs[0], pairs[1]


def main() -> None:
    import argparse

    from bench.common import timed
    from bench.near_duplicates import random_facts
    from mmrare.audit.model import AuditConfig

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[7958, 79580])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    distance = AuditConfig().phash_max_distance
    print(f"{'images':>8}{'index':>10}{'scan':>10}{'index/scan':>12}{'pairs':>8}")
    for n in args.sizes:
        facts = random_facts(n, args.seed)  # the planted release of bench.near_duplicates
        hashes = np.array([int(facts.images[s]["phash"], 16) for s in sorted(facts.images)], dtype=np.uint64)
        took, (i, j, _) = timed(lambda hashes=hashes: hamming_pairs(hashes, None, distance))
        baseline, (si, sj) = timed(lambda hashes=hashes: scanned_pairs(hashes, distance))
        assert i.tolist() == si.tolist() and j.tolist() == sj.tolist(), "the index found other pairs"
        print(f"{n:>8}{took:>9.2f}s{baseline:>9.2f}s{took / baseline:>11.2f}x{i.size:>8}", flush=True)


if __name__ == "__main__":
    main()
