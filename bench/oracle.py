"""The answer oracle, played: what a day's quota of submissions learns about held-out answers.

An attacker has narrowed each held-out diagnosis to two candidates (from the public phenotypes; here
the gold answer and another item's answer, in a random order, so listing the first is right half the
time: chance). With one evaluator key and its day's quota of submissions they play two strategies
through the service, reading back the means it shows them:

- differential (the probe's method): run 0 answers every item with its first candidate; run k also
  does, except item k, switched to its second candidate. A mean that rises says the second was right.
- halves (a boosting attack): run k switches a random half of the items; a rise votes for the
  switched candidates, a fall for the others; each item takes its majority (the first on a tie).

Each trial is played by a fresh key and read twice: as the evaluator sees it (the Ladder) and as exact
means (what an evaluator saw before the Ladder, and a maintainer sees now). Printed: the attacker's
accuracy on the items it tested, against chance (its accuracy without any feedback), with a 95%
interval over items. The service runs in-process over the embedded store (the Ladder does not depend
on the store).

    python -m bench.oracle [--items 400 --trials 10 --quota 5]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import fixture_release, with_fixture_orphanet
from mmrare.api.auth import Principal
from mmrare.api.policy import ReleasePolicy
from mmrare.api.service import GraphService
from mmrare.core.blobs import FolderBlobStore
from mmrare.graph.embedded import EmbeddedStore
from mmrare.importers.benchmark.loader import import_release
from mmrare.importers.predictions import ModelInfo, PredictionSource

METRIC = "tokenF1"
MAINTAINER = Principal("bench-maintainer", "maintainer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400, help="items of the generated release (all tracks)")
    parser.add_argument("--trials", type=int, default=10, help="keys, each playing each strategy for one day")
    parser.add_argument("--quota", type=int, default=5, help="submissions per key per day")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blobs = FolderBlobStore(folder / "blobs")
        store = with_fixture_orphanet(EmbeddedStore(folder / "graph.db"))
        import_release(fixture_release(folder, args.items), store, blobs)
        service = GraphService(store, blobs, ReleasePolicy("held-out", min_group=20, runs_per_day=args.quota))
        items = sorted((n.props for n in store.select("Item") if n.props["track"] == "diagnosis"),
                       key=lambda i: i["itemId"])  # fmt: skip
        print(f"held-out release: {len(items)} diagnosis items; quota {args.quota} a day; {args.trials} trials")
        rng = random.Random(args.seed)
        started = time.perf_counter()
        tallies: dict[tuple[str, str], list[int]] = {}
        for trial in range(args.trials):
            for strategy in (differential, halves):
                for view, (right, tested) in play(
                    service, items, strategy, f"{strategy.__name__}-{trial}", rng
                ).items():
                    tally = tallies.setdefault((strategy.__name__, view), [0, 0])
                    tally[0] += right
                    tally[1] += tested
        print(f"played in {time.perf_counter() - started:.1f} s\n")
        print(f"{'strategy':<13}{'read as':<14}{'right / tested':>16}{'accuracy':>10}{'95% interval':>18}")
        for (strategy, view), (right, tested) in sorted(tallies.items()):
            low, high = wilson(right, tested)
            print(f"{strategy:<13}{view:<14}{right:>8} / {tested:<6}{100 * right / tested:>9.1f}%"
                  f"   [{100 * low:5.1f}, {100 * high:5.1f}]")  # fmt: skip
        for strategy in ("differential", "halves"):
            ladder, exact, chance = (tallies[(strategy, v)] for v in ("ladder", "exact means", "no feedback"))
            print(f"{strategy}: learned beyond chance, exact means {gain(exact, chance):+.1f} points, "
                  f"through the Ladder {gain(ladder, chance):+.1f} points")  # fmt: skip


# from each later run's sign (+1 the mean rose, -1 it fell, 0 no change seen), the candidate per item
Guesses = Callable[[list[int], list[set[int]], int], list[int]]


def play(
    service: GraphService, items: list[dict], strategy: Callable[..., tuple[list[set[int]], Guesses]], key: str,
    rng: random.Random,
) -> dict[str, tuple[int, int]]:  # fmt: skip
    """One key's day: submissions made, means read back both ways, guesses scored against the gold."""
    who = Principal(key, "evaluator")
    n = len(items)
    answers = sorted({item["answer"] for item in items})
    distractors = [rng.choice([a for a in answers if a != item["answer"]]) for item in items]
    gold_first = [rng.random() < 0.5 for _ in range(n)]
    candidates = [(g["answer"], d) if first else (d, g["answer"])
                  for g, d, first in zip(items, distractors, gold_first, strict=True)]  # fmt: skip
    switched_sets, guess = strategy(n, service.policy.runs_per_day, rng)
    run_ids = []
    for k, switched in enumerate(switched_sets):
        lines = "".join(
            json.dumps({"item": item["itemId"], "prediction": candidates[j][1 if j in switched else 0]}) + "\n"
            for j, item in enumerate(items)
        )
        summary, _ = service.import_run(who, PredictionSource(f"{key}-{k}.jsonl", lines.encode()), ModelInfo(key), None)
        run_ids.append(summary.run_id)
    tested = sorted(set().union(*switched_sets))
    out = {}
    for view, reader in (("ladder", who), ("exact means", MAINTAINER)):
        means = [service.report(reader, [run], "track", METRIC, None, False, 0).micro[key] for run in run_ids]
        picks = guess(signs(means, view == "ladder"), switched_sets[1:], n)
        out[view] = (sum(picks[j] == (0 if gold_first[j] else 1) for j in tested), len(tested))
    out["no feedback"] = (sum(gold_first[j] for j in tested), len(tested))
    return out


def signs(means: list[float], ladder: bool) -> list[int]:
    """Each later run against run 0; through the Ladder, against the value shown before it (which only
    rises, so a run that changed it was better than everything before)."""
    out = []
    for k in range(1, len(means)):
        base = means[k - 1] if ladder else means[0]
        out.append(0 if math.isnan(means[k]) or means[k] == base else 1 if means[k] > base else -1)
    return out


def differential(n: int, quota: int, rng: random.Random) -> tuple[list[set[int]], Guesses]:
    probes = rng.sample(range(n), quota - 1)

    def guess(rises: list[int], switched: list[set[int]], n: int) -> list[int]:
        picks = [0] * n
        for rise, (j,) in zip(rises, switched, strict=True):
            picks[j] = 1 if rise > 0 else 0
        return picks

    return [set(), *({j} for j in probes)], guess


def halves(n: int, quota: int, rng: random.Random) -> tuple[list[set[int]], Guesses]:
    sets = [set(rng.sample(range(n), n // 2)) for _ in range(quota - 1)]

    def guess(rises: list[int], switched: list[set[int]], n: int) -> list[int]:
        votes = [0] * n  # > 0: the second candidate
        for rise, half in zip(rises, switched, strict=True):
            for j in range(n):
                votes[j] += rise if j in half else -rise
        return [1 if v > 0 else 0 for v in votes]

    return [set(), *sets], guess


def wilson(right: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total == 0:
        return math.nan, math.nan
    p = right / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


def gain(tally: list[int], chance: list[int]) -> float:
    return 100 * (tally[0] / tally[1] - chance[0] / chance[1])


if __name__ == "__main__":
    main()
