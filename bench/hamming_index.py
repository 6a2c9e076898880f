"""The near-duplicate index on its own (audit/hamming.py): the pairs of DCT hashes within the audit's
distance, searched from the index and by comparing every pair, in the same process, on the planted
release of bench.near_duplicates (random hashes, two near copies in every hundred images). Both must
find the same pairs: whole with whole (one set), and whole with centre (two sets, every ordered pair).

    python -m bench.hamming_index [--sizes 7958 79580] [--seed 3]
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.common import timed
from bench.near_duplicates import random_facts
from mmrare.audit.hamming import indexed, near_pairs, scanned_pairs
from mmrare.audit.model import AuditConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[7958, 79580])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    distance = AuditConfig().phash_max_distance
    print(f"{'images':>8}  {'search':<16}{'blocks':>7}{'index':>9}{'scan':>9}{'scan/index':>12}{'pairs':>8}")
    for n in args.sizes:
        facts = random_facts(n, args.seed)
        shas = sorted(facts.images)
        whole, centre = (
            np.array([int(facts.images[s].get(name) or facts.images[s]["phash"], 16) for s in shas], dtype=np.uint64)
            for name in ("phash", "phashInner")
        )
        for label, right in (("whole, whole", None), ("whole, centre", centre)):
            layout = indexed(distance, n)
            took, found = timed(lambda whole=whole, right=right: near_pairs(whole, right, distance))
            baseline, expected = timed(lambda whole=whole, right=right: scanned_pairs(whole, right, distance))
            assert all(np.array_equal(a, b) for a, b in zip(found, expected, strict=True)), (
                "the index found other pairs"
            )
            blocks = len(layout.widths) if layout else "scan"
            print(
                f"{n:>8}  {label:<16}{blocks:>7}{took:>8.2f}s{baseline:>8.2f}s{baseline / took:>11.2f}x"
                f"{found[0].size:>8}",
                flush=True,
            )


if __name__ == "__main__":
    main()
