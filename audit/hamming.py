"""Pairs of 64-bit hashes at most a Hamming distance apart, found from an index instead of by comparing
every pair: multi-index hashing (Norouzi, Punjani and Fleet, 2012) with the generalised pigeonhole
radii of Qin, Wang, Xiao et al. ("GPH", ICDE 2018).

Each hash is cut into m blocks, and block k is searched within a radius r[k], the blocks' `r[k] + 1`
adding up to `max_distance + 1`: two hashes that differ in every block k by more than r[k] bits differ
by more than `max_distance` in all, so a pair within the distance is within its radius in one block at
least. For each block the hashes are grouped by the block's value, and each hash is compared only with
the members of the groups whose value is within the radius of its own. For the audit's distance of 12
and four 16-bit blocks the radii are 3, 2, 2 and 2: 1,108 neighbouring values of 65,536 are looked up
per hash, and for random hashes about 1 pair in 59 is compared. Fewer, wider blocks mean fewer pairs
compared but more values looked up; m is chosen for the least work (`Layout.best`).

The search finds exactly the pairs a comparison of every pair finds (`scanned_pairs`, kept as the
reference and for sizes where the index does not pay).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

HASH_BITS = 64
WIDEST_BLOCK = 16  # a block's groups are arrays over every value of the block: 65,536 at most
BATCH = 1 << 16  # lookups at once: their arrays stay in the processor's cache (1 << 20 took 1.4x as long)
SCAN_SHARE = 4  # an index lookup costs about as much as this many pairs of the scan (measured, 2 cores)
EMPTY = np.zeros(0, dtype=np.int64)


@cache
def _neighbour_values(bits: int, radius: int) -> np.ndarray:
    """Every value of a `bits`-bit block within `radius` bits of 0 (so of v: `v ^ these`), 0 first."""
    weights = np.bitwise_count(np.arange(1 << bits, dtype=np.uint32))
    return np.nonzero(weights <= radius)[0].astype(np.uint16)


@dataclass(frozen=True)
class Layout:
    """The blocks a hash is cut into (`widths` bits each, from the lowest bit) and each one's radius."""

    widths: tuple[int, ...]
    radii: tuple[int, ...]

    @staticmethod
    def of(blocks: int, max_distance: int) -> Layout:
        """`blocks` blocks as even as they go, the wider ones first, given the larger radii."""
        narrow, wider = divmod(HASH_BITS, blocks)
        units, larger = divmod(max_distance + 1, blocks)
        return Layout(
            tuple(narrow + (k < wider) for k in range(blocks)), tuple(units + (k < larger) - 1 for k in range(blocks))
        )

    def work(self, others: int) -> float:
        """Lookups and comparisons per hash, searching among `others` random hashes."""
        total = 0.0
        for bits, radius in zip(self.widths, self.radii, strict=True):
            if radius >= 0:
                total += _neighbour_values(bits, radius).size * (1 + others / (1 << bits))
        return total

    @staticmethod
    def best(max_distance: int, others: int) -> Layout:
        """The layout with the least work, blocks of at most WIDEST_BLOCK bits."""
        least = math.ceil(HASH_BITS / WIDEST_BLOCK)
        return min((Layout.of(m, max_distance) for m in range(least, 2 * least + 1)), key=lambda x: x.work(others))

    def block(self, values: np.ndarray, k: int) -> np.ndarray:
        shift, bits = sum(self.widths[:k]), self.widths[k]
        return ((values >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.uint16)


def indexed(max_distance: int, others: int) -> Layout | None:
    """The layout to search hashes among `others` with, or None where comparing every pair is cheaper
    (few hashes, or a distance so wide that most groups are neighbours): each hash costs `work`
    lookups against `others` comparisons of the scan."""
    if max_distance < 0 or max_distance >= HASH_BITS:
        return None
    layout = Layout.best(max_distance, others)
    return layout if SCAN_SHARE * layout.work(others) < others else None


class _Groups:
    """Hashes grouped by the value of one block: group v is `order[start[v] : start[v] + count[v]]`, and
    `hashes` holds the hashes in that order."""

    def __init__(self, values: np.ndarray, layout: Layout, k: int) -> None:
        self.block = layout.block(values, k)
        self.order = np.argsort(self.block, kind="stable")
        self.hashes = np.append(values[self.order], np.uint64(0))  # one past the end: an empty last group's start
        count = np.bincount(self.block, minlength=1 << layout.widths[k])
        self.count = count.astype(np.int32)  # half the cache of int64
        self.start = (np.cumsum(count) - count).astype(np.int32)


def _near_members(
    owners: np.ndarray, hashes: np.ndarray, groups: _Groups, first: np.ndarray, many: np.ndarray, max_distance: int
) -> tuple[np.ndarray, np.ndarray]:
    """(owner, member) where a group's members from sorted position `first[p]` on, `many[p]` of them,
    are within `max_distance` of `hashes[p]` (the hash of `owners[p]`). Members are read a rank at a
    time (every group's next member at once), without expanding every group."""
    found_i, found_j = [EMPTY], [EMPTY]
    while True:
        alive = np.nonzero(many > 0)[0]
        if alive.size == 0:
            break
        owners, hashes, first, many = owners[alive], hashes[alive], first[alive], many[alive]
        near = np.nonzero(np.bitwise_count(hashes ^ groups.hashes[first]) <= max_distance)[0]
        found_i.append(owners[near])
        found_j.append(groups.order[first[near]])
        first, many = first + 1, many - 1
    return np.concatenate(found_i), np.concatenate(found_j)


def _flipped(
    rows: np.ndarray, left: np.ndarray, block: np.ndarray, theirs: _Groups, flips: np.ndarray, max_distance: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(i, j) within `max_distance` for the left hashes `rows` and the members of the groups whose value
    is a row's block value with one of `flips` applied."""
    found = []
    hashes, own = left[rows], block[rows]
    step = max(1, BATCH // max(rows.size, 1))
    for first in range(0, flips.size, step):
        values = flips[first : first + step, None] ^ own[None, :]  # a flip per line, a row per column
        start, many = theirs.start[values], theirs.count[values]
        # every group's first member at once, then the groups with more
        close = (np.bitwise_count(theirs.hashes[start] ^ hashes[None, :]) <= max_distance) & (many > 0)
        line, column = np.nonzero(close)
        found.append((rows[column], theirs.order[start[line, column]]))
        more = np.nonzero(many.ravel() > 1)[0]
        column = more % rows.size
        found.append(
            _near_members(
                rows[column], hashes[column], theirs, start.ravel()[more] + 1, many.ravel()[more] - 1, max_distance
            )
        )
    return found


def _block_pairs(
    left: np.ndarray, right: np.ndarray | None, layout: Layout, k: int, max_distance: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(i, j) within `max_distance` whose block k is within its radius; with `right` None, the pairs
    within left, each once (i and j either way round)."""
    mine = _Groups(left, layout, k)
    neighbours = _neighbour_values(layout.widths[k], layout.radii[k])
    if right is not None:
        return _flipped(np.arange(left.size), left, mine.block, _Groups(right, layout, k), neighbours, max_distance)
    # within a group: each member with the members after it
    own = mine.block[mine.order]
    rank = np.arange(left.size) - mine.start[own]
    found = [
        _near_members(
            mine.order, mine.hashes[:-1], mine, mine.start[own] + rank + 1, mine.count[own] - rank - 1, max_distance
        )
    ]
    # two groups: from the lower value only, the one without the flip's highest bit
    flips = neighbours[1:]
    tops = np.floor(np.log2(flips)).astype(np.intp) if flips.size else flips
    for top in np.unique(tops):
        rows = np.nonzero((mine.block >> top) & 1 == 0)[0]
        found.extend(_flipped(rows, left, mine.block, mine, flips[tops == top], max_distance))
    return found


def near_pairs(
    left: np.ndarray, right: np.ndarray | None, max_distance: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (i, j, distance) with `left[i]` and `right[j]` (uint64) at most `max_distance` bits apart,
    ordered by i then j; with `right` None, the pairs within `left` with i < j. Searched with the index
    where it pays (`indexed`), else by comparing every pair."""
    layout = indexed(max_distance, (left if right is None else right).size)
    if layout is None:
        return scanned_pairs(left, right, max_distance)
    return indexed_pairs(left, right, max_distance, layout)


def indexed_pairs(
    left: np.ndarray, right: np.ndarray | None, max_distance: int, layout: Layout
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`near_pairs` from the index cut as `layout` (its radii must add up to the distance's)."""
    covered = sum(r + 1 for r in layout.radii) == max_distance + 1 and sum(layout.widths) == HASH_BITS
    if not covered or max(layout.widths) > WIDEST_BLOCK:
        raise ValueError(f"layout {layout} does not cover a distance of {max_distance} over {HASH_BITS} bits")
    other = left if right is None else right
    found_i, found_j = [EMPTY], [EMPTY]
    for k, radius in enumerate(layout.radii):
        if radius < 0:
            continue
        for i, j in _block_pairs(left, right, layout, k, max_distance):
            apart = left[i] ^ other[j]
            keep = np.ones(i.size, dtype=bool)
            for earlier in range(k):  # a pair an earlier block finds is that block's
                keep &= np.bitwise_count(layout.block(apart, earlier)) > layout.radii[earlier]
            found_i.append(i[keep])
            found_j.append(j[keep])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    if right is None:
        i, j = np.minimum(i, j), np.maximum(i, j)
    return _ordered(i, j, left, other)


def scanned_pairs(
    left: np.ndarray, right: np.ndarray | None, max_distance: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`near_pairs` the plain way: each left hash against every right one (every later one within left)."""
    other = left if right is None else right
    found_i, found_j = [EMPTY], [EMPTY]
    for i in range(left.size):
        rest = other[i + 1 :] if right is None else other
        near = np.nonzero(np.bitwise_count(rest ^ left[i]) <= max_distance)[0]
        found_i.append(np.full(near.size, i, dtype=np.int64))
        found_j.append(near + (i + 1 if right is None else 0))
    return _ordered(np.concatenate(found_i), np.concatenate(found_j), left, other)


def _ordered(
    i: np.ndarray, j: np.ndarray, left: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ranked = np.lexsort((j, i))
    i, j = i[ranked].astype(np.int64), j[ranked].astype(np.int64)
    return i, j, np.bitwise_count(left[i] ^ other[j]).astype(np.int64)
