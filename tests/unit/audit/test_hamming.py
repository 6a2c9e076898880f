"""The near-duplicate search over 64-bit hashes: the index cut into blocks against comparing every pair,
on hand-made pairs, on pairs placed at each block radius's edge, and on a seeded synthetic planted set."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mmrare.audit.hamming import Layout, indexed, indexed_pairs, near_pairs, scanned_pairs

LAYOUTS = [Layout.of(m, 12) for m in range(4, 9)]


def hashes(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


def triples(found: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[tuple[int, int, int]]:
    return list(zip(*(a.tolist() for a in found), strict=True))


def test_blocks_are_cut_evenly_and_their_radii_add_up_to_the_distance_plus_one_per_block() -> None:
    assert Layout.of(4, 12) == Layout((16, 16, 16, 16), (3, 2, 2, 2))
    assert Layout.of(5, 12) == Layout((13, 13, 13, 13, 12), (2, 2, 2, 1, 1))
    assert Layout.of(7, 12) == Layout((10, 9, 9, 9, 9, 9, 9), (1, 1, 1, 1, 1, 1, 0))
    assert Layout.of(4, 2) == Layout((16, 16, 16, 16), (0, 0, 0, -1))  # three blocks suffice: one must agree


def test_work_counts_the_values_looked_up_and_the_hashes_compared() -> None:
    # 16-bit blocks: 1 + 16 + 120 + 560 = 697 values within 3 bits, 1 + 16 + 120 = 137 within 2; among
    # 65,536 hashes each value's group holds one hash on average
    assert Layout.of(4, 12).work(65536) == (697 + 3 * 137) * 2
    assert Layout.of(4, 12).work(0) == 1108


def test_the_layout_is_chosen_by_the_number_of_hashes() -> None:
    # 7,958 hashes: four blocks look up 1,108 values for 1108 * 7958 / 65536 = 134.5 comparisons (1,242.5
    # in all); five look up 303 values, 3 * 92 * (1 + 7958 / 8192) + 14 * (1 + 7958 / 8192) + 13 * (1 +
    # 7958 / 4096) = 610.4 in all
    assert Layout.best(12, 7958) == Layout.of(5, 12)
    assert Layout.best(12, 79580) == Layout.of(4, 12)
    assert indexed(12, 79580) == Layout.of(4, 12)
    assert indexed(12, 100) is None  # few hashes: every pair is cheaper
    assert indexed(40, 79580) is None  # so wide a distance that most groups neighbour each other
    assert indexed(64, 10**6) is None and indexed(-1, 10**6) is None


@pytest.mark.parametrize("layout", [None, *[Layout.of(m, 3) for m in range(4, 9)]], ids=str)
def test_hand_made_pairs_within_one_set_and_across_two(layout: Layout | None) -> None:
    def search(left: np.ndarray, right: np.ndarray | None, distance: int) -> list[tuple[int, int, int]]:
        if layout is None:
            return triples(scanned_pairs(left, right, distance))
        return triples(indexed_pairs(left, right, distance, Layout.of(len(layout.widths), distance)))

    within = hashes(0x0, 0x7, 0xFFFF_FFFF_FFFF_FFFF, 0x0)  # 0x7 is 3 bits from 0; the last is 0 again
    assert search(within, None, 3) == [(0, 1, 3), (0, 3, 0), (1, 3, 3)]
    assert search(within, None, 2) == [(0, 3, 0)]
    # 0xF0 is 4 bits from 0x0 and from 0xFF, 5 from 0x1; 0x1 is 7 bits from 0xFF
    assert search(hashes(0x1, 0xF0), hashes(0x0, 0x1, 0xFF), 4) == [(0, 0, 1), (0, 1, 0), (1, 0, 4), (1, 2, 4)]
    # every bit set: no group has a lower neighbour to search from (each flip's highest bit is set)
    ones = 0xFFFF_FFFF_FFFF_FFFF
    assert search(hashes(ones, ones ^ 0x1, ones ^ 0xF), None, 3) == [(0, 1, 1), (1, 2, 3)]
    assert search(hashes(), None, 3) == [] and search(hashes(5), None, 3) == []
    assert search(hashes(5), hashes(), 3) == [] and search(hashes(), hashes(5), 3) == []


def flipped(value: int, bits: list[int]) -> int:
    return value ^ sum(1 << b for b in bits)


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_a_pair_within_its_radius_in_one_block_only_is_found(layout: Layout) -> None:
    """For each block k: b differs from a by k's radius in block k and by one bit more than its radius in
    every other block (12 bits in all), so only block k can find it; c differs by one more in block k
    too (13 bits: beyond the distance) and is 1 bit from b."""
    rng = random.Random(len(layout.widths))
    starts = [sum(layout.widths[:k]) for k in range(len(layout.widths))]
    for k, radius in enumerate(layout.radii):
        if radius < 0:
            continue
        a = rng.getrandbits(64)
        spread = []
        for j, (start, width) in enumerate(zip(starts, layout.widths, strict=True)):
            spread.append(rng.sample(range(start, start + width), layout.radii[j] + 1))
        b = flipped(a, [bit for j, bits in enumerate(spread) for bit in (bits[:-1] if j == k else bits)])
        c = flipped(a, [bit for bits in spread for bit in bits])
        fillers = [rng.getrandbits(64) for _ in range(40)]
        found = triples(indexed_pairs(hashes(a, b, c, *fillers), None, 12, layout))
        assert (0, 1, 12) in found and (1, 2, 1) in found
        assert not any(i == 0 and j == 2 for i, j, _ in found)


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray]:
    """Seeded synthetic hashes (2,800): 2,400 random ones, 300 copies of them 0 to 14 bits off (spread
    over the hash, or all in one 16-bit block), 40 identical hashes (one crowded group in every block)
    and 60 sharing their lowest 16 bits only; and a second set, each of those a few bits off or
    unrelated."""
    rng = random.Random(11)
    values = [rng.getrandbits(64) for _ in range(2400)]
    for k in range(0, 2400, 8):
        off = rng.randrange(15)
        start = 16 * rng.randrange(4)
        bits = rng.sample(range(64), off) if k % 16 else rng.sample(range(start, start + 16), off)
        values.append(flipped(values[k], bits))
    values += [values[1]] * 40
    values += [(rng.getrandbits(48) << 16) | 0xBEEF for _ in range(60)]
    rng.shuffle(values)
    others = [
        flipped(v, rng.sample(range(64), rng.randrange(6))) if rng.random() < 0.5 else rng.getrandbits(64)
        for v in values
    ]
    return hashes(*values), hashes(*others)


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_the_index_finds_exactly_what_comparing_every_pair_finds_on_the_planted_set(
    layout: Layout, planted: tuple[np.ndarray, np.ndarray]
) -> None:
    left, right = planted
    within = triples(indexed_pairs(left, None, 12, layout))
    across = triples(indexed_pairs(left, right, 12, layout))
    assert within == triples(scanned_pairs(left, None, 12))
    assert across == triples(scanned_pairs(left, right, 12))
    assert len(within) > 40 * 39 // 2 + 150 and all(d <= 12 for *_, d in within)  # the crowd and the copies
    assert len(across) > 1200


def test_near_pairs_gives_the_same_pairs_whichever_way_it_searches(planted: tuple[np.ndarray, np.ndarray]) -> None:
    left, _ = planted
    assert left.size == 2800 and indexed(12, left.size) is not None  # the index pays here
    assert triples(near_pairs(left, None, 12)) == triples(scanned_pairs(left, None, 12))
    assert triples(near_pairs(left[:50], None, 12)) == triples(scanned_pairs(left[:50], None, 12))


def test_a_layout_that_does_not_cover_the_distance_is_refused() -> None:
    with pytest.raises(ValueError, match="does not cover a distance of 12"):
        indexed_pairs(hashes(1, 2), None, 12, Layout.of(4, 10))
    with pytest.raises(ValueError, match="does not cover"):
        indexed_pairs(hashes(1, 2), None, 12, Layout((32, 32), (6, 5)))
