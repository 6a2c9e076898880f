"""The near-duplicate image search on its own: random 64-bit hashes for the paper's 7,958 images and
for ten times as many, with the proportions the release generator draws (48 px wide, 28 to 48 high),
and two planted copies in every hundred (one whole, one trimmed: 4 bits off the image before it).
Searched as the audit does now (the pairs of hashes within the distance found from the index of
audit/hamming.py, whole with whole and one's centre with the other's whole, the proportions checked
afterwards) and, in the same process, by the previous approach: audit/rules.py as it was at commit
PREVIOUS (read with git), which compared every later image in all three pairings. Both must find the same.

    python -m bench.near_duplicates [--sizes 7958 79580] [--seed 3]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import types
from pathlib import Path

from bench.common import timed
from mmrare.audit import rules
from mmrare.audit.facts import AuditFacts
from mmrare.audit.model import AuditConfig
from mmrare.graph.model import Neighbour, NodeRef

PREVIOUS = "1aa4a4b"  # the last commit with the all-pairs search


def previous_rules() -> types.ModuleType:
    """audit/rules.py as it was at PREVIOUS, loaded as a module of its own."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "show", f"{PREVIOUS}:audit/rules.py"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("previous_rules")
    module.__dict__["__name__"] = "previous_rules"
    sys.modules["previous_rules"] = module  # dataclasses look their module up
    exec(compile(source, f"{PREVIOUS}:audit/rules.py", "exec"), module.__dict__)
    return module


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
        if k % 100 in (1, 2):  # planted: a copy of the image before (4 bits off), whole or trimmed
            source, flip = images[f"{k - 1:064x}"], sum(1 << b for b in rng.sample(range(64), 4))
            near = {name: f"{int(source[name], 16) ^ flip:016x}" for name in ("phash", "dhash")}
            if k % 100 == 2:
                near = {"phashInner": near["phash"], "dhashInner": near["dhash"]}
            images[sha].update(near, height=source["height"])
        item = f"diagnosis:{k}"
        shows[item] = [Neighbour(NodeRef("Item", item), "SHOWS", "0", NodeRef("Image", sha), {"order": 0})]
    return AuditFacts({f"diagnosis:{k}": {"track": "diagnosis"} for k in range(n)}, shows=shows, images=images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[7958, 79580])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    config = AuditConfig()
    previous = previous_rules()
    print(f"{'images':>8}{'now':>10}{'previous':>11}{'ratio':>8}{'findings':>10}")
    for n in args.sizes:
        facts = random_facts(n, args.seed)
        new, found = timed(lambda facts=facts: rules.near_duplicate_images(facts, config))
        old, before = timed(lambda facts=facts: previous.near_duplicate_images(facts, config))
        assert [f.path for f in found] == [f.path for f in before], "the findings changed"
        print(f"{n:>8}{new:>9.2f}s{old:>10.2f}s{old / new:>7.2f}x{len(found):>10}", flush=True)


if __name__ == "__main__":
    main()
