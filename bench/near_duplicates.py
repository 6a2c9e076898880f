"""The near-duplicate image search on its own: random 64-bit hashes for the paper's 7,958 images and
for ten times as many, with the proportions the release generator draws (48 px wide, 28 to 48 high),
searched with the proportion window (a trimmed pairing compares only later images of about the same
proportions) and, in the same process, with the previous approach (every later image, the
proportions checked afterwards). Both must find the same pairs.

    python -m bench.near_duplicates [--sizes 7958 79580] [--seed 3]
"""

from __future__ import annotations

import argparse
import random

from bench.common import timed
from mmrare.audit import rules
from mmrare.audit.facts import AuditFacts
from mmrare.audit.model import AuditConfig
from mmrare.graph.model import Neighbour, NodeRef


def random_facts(n: int, seed: int) -> AuditFacts:
    rng = random.Random(seed)
    images, shows = {}, {}
    for k in range(n):
        sha = f"{k:064x}"
        images[sha] = {
            **{name: f"{rng.getrandbits(64):016x}" for name in ("phash", "dhash", "phashInner", "dhashInner")},
            "width": 48,
            "height": int(48 * rng.uniform(0.6, 1.0)),
        }
        item = f"diagnosis:{k}"
        shows[item] = [Neighbour(NodeRef("Item", item), "SHOWS", "0", NodeRef("Image", sha), {"order": 0})]
    return AuditFacts({f"diagnosis:{k}": {"track": "diagnosis"} for k in range(n)}, shows=shows, images=images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[7958, 79580])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    config = AuditConfig()
    windowed = rules._Proportions.later_alike
    print(f"{'images':>8}{'window':>10}{'all later':>12}{'ratio':>8}{'findings':>10}")
    for n in args.sizes:
        facts = random_facts(n, args.seed)
        rules._Proportions.later_alike = windowed  # type: ignore[method-assign]
        new, found = timed(lambda facts=facts: rules.near_duplicate_images(facts, config))
        rules._Proportions.later_alike = lambda self, i: None  # type: ignore[method-assign]
        old, before = timed(lambda facts=facts: rules.near_duplicate_images(facts, config))
        rules._Proportions.later_alike = windowed  # type: ignore[method-assign]
        assert found == before, "the window changed the findings"
        print(f"{n:>8}{new:>9.2f}s{old:>11.2f}s{old / new:>7.2f}x{len(found):>10}", flush=True)


if __name__ == "__main__":
    main()
